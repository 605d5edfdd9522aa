/**
 * What happens without a request: live changes pushed over SSE, and the deadline scheduler closing a round at its
 * closing time exactly once (also when the server was down at that moment).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerRound } from '../support/digest';
import { startPlatform, type Platform } from '../support/platform';

const SHORT_ROUNDS = { GOPY_MIN_ROUND_DAYS: '0' };
import {
  CLOSE_CONSULTATION,
  EXTEND_CONSULTATION,
  ENACT_POLICY,
  OPEN_CONSULTATION,
  POLICY_CHANGED,
  eventually,
  expectRefusal,
  getPolicy,
  inDays,
  inSeconds,
  ok,
  draftedPolicy,
  openPolicy,
  signInAs,
  sleep,
  staffOrganizationId,
  submitComment,
  subscribe,
  verifiedParticipant,
  type Client,
  type PolicyChangedEvent,
  type PolicyView,
  type ResultUnion,
  stopPlatform,
} from './support';

let platform: Platform;
let staff: Client;
let organizationId: string;

beforeAll(async () => {
  // The deadline tests watch real rounds reach their deadline within seconds: the round-length floor (default one day)
  // is what they lower, on purpose; lifecycle.test.ts holds the default floor.
  platform = await startPlatform({ env: SHORT_ROUNDS });
  staff = await signInAs(platform, 'staff');
  organizationId = await staffOrganizationId(staff);
});

afterAll(async () => {
  await stopPlatform(platform);
});

describe('subscription policyChanged (SSE)', () => {
  it('pushes COMMENT_ADDED with the comment id when another client comments', async () => {
    const policy = await openPolicy(staff, organizationId);
    const participant = await verifiedParticipant(platform);
    const sub = await subscribe<PolicyChangedEvent>(platform.baseUrl, POLICY_CHANGED, { id: policy.id });
    try {
      const result = await submitComment(participant.api, {
        policyId: policy.id,
        body: 'Góp ý được đẩy ngay tới người đang xem.',
        stance: 'SUPPORT',
      });
      const { comment, position } = ok<{ comment: { id: string }; position: string }>(result);
      const event = await sub.waitFor((e) => e.policyChanged.kind === 'COMMENT_ADDED', 5_000);
      expect(event.policyChanged).toEqual({
        kind: 'COMMENT_ADDED',
        commentId: comment.id,
        position,
        policyId: policy.id,
      });
    } finally {
      await sub.close();
    }
  });

  it('pushes only the changes of the policy subscribed to', async () => {
    const watched = await openPolicy(staff, organizationId);
    const other = await openPolicy(staff, organizationId);
    const participant = await verifiedParticipant(platform);
    const sub = await subscribe<PolicyChangedEvent>(platform.baseUrl, POLICY_CHANGED, { id: watched.id });
    try {
      ok(
        await submitComment(participant.api, {
          policyId: other.id,
          body: 'Góp ý cho chính sách khác.',
          stance: 'NEUTRAL',
        }),
      );
      const mine = ok<{ comment: { id: string } }>(
        await submitComment(participant.api, {
          policyId: watched.id,
          body: 'Góp ý cho chính sách đang theo dõi.',
          stance: 'OPPOSE',
        }),
      );
      ok(
        (
          await staff.gql<{ closeConsultation: ResultUnion }>(CLOSE_CONSULTATION, {
            policyId: watched.id,
            reason: 'Kết thúc sớm',
          })
        ).closeConsultation,
      );
      await sub.waitFor((e) => e.policyChanged.kind === 'ROUND_CHANGED', 5_000);
      expect(sub.events.every((e) => e.policyChanged.policyId === watched.id)).toBe(true);
      expect(
        sub.events.filter((e) => e.policyChanged.kind === 'COMMENT_ADDED').map((e) => e.policyChanged.commentId),
      ).toEqual([mine.comment.id]);
      // Positions are opaque strings that grow with the log.
      const positions = sub.events.map((e) => e.policyChanged.position);
      expect(new Set(positions).size).toBe(positions.length);
    } finally {
      await sub.close();
    }
  });
});

describe('the deadline scheduler', () => {
  it('closes a round when its closing time passes, exactly once, dated at the deadline', async () => {
    const policyId = await draftedPolicy(staff, organizationId);
    const { openConsultation } = await staff.gql<{ openConsultation: ResultUnion }>(OPEN_CONSULTATION, {
      input: { policyId, closesAt: inSeconds(3), note: 'Đợt lấy ý kiến rất ngắn' },
    });
    const opened = ok<{ policy: PolicyView }>(openConsultation).policy;
    expect(opened.status).toBe('CONSULTATION');
    const closesAt = opened.currentRound!.closesAt;
    const sub = await subscribe<PolicyChangedEvent>(platform.baseUrl, POLICY_CHANGED, { id: policyId });
    try {
      const closed = await eventually(
        async () => {
          const p = await getPolicy(staff, policyId);
          return p?.status === 'REVIEW' ? p : undefined;
        },
        15_000,
        'the scheduler to close the round',
      );
      expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(closesAt));
      expect(closed.currentRound).toMatchObject({ round: 1, closesAt, closedAt: closesAt, isOpen: false });
      // A few more scheduler ticks: still one close.
      await sleep(3_000);
      const later = (await getPolicy(staff, policyId))!;
      expect(later.status).toBe('REVIEW');
      expect(later.rounds).toHaveLength(1);
      expect(later.rounds.filter((r) => r.closedAt !== null).map((r) => r.closedAt)).toEqual([closesAt]);
      expect(sub.events.filter((e) => e.policyChanged.kind === 'ROUND_CHANGED')).toHaveLength(1);
    } finally {
      await sub.close();
    }
  });

  it('after the deadline the round takes no comments and cannot be extended or closed again', async () => {
    const policy = await openPolicy(staff, organizationId, inSeconds(2));
    const participant = await verifiedParticipant(platform);
    await eventually(
      async () => (await getPolicy(staff, policy.id))?.status === 'REVIEW',
      15_000,
      'the deadline close',
    );
    expectRefusal(
      await submitComment(participant.api, { policyId: policy.id, body: 'Góp ý sau hạn', stance: 'OPPOSE' }),
      {
        typename: 'IllegalStateError',
        code: 'ILLEGAL_STATE',
        rule: 'ROUND_NOT_OPEN',
      },
    );
    const { extendConsultation } = await staff.gql<{ extendConsultation: ResultUnion }>(EXTEND_CONSULTATION, {
      input: { policyId: policy.id, closesAt: inDays(7), reason: 'Gia hạn muộn' },
    });
    expectRefusal(extendConsultation, { typename: 'IllegalStateError', code: 'ILLEGAL_STATE', rule: 'ROUND_NOT_OPEN' });
    const { closeConsultation } = await staff.gql<{ closeConsultation: ResultUnion }>(CLOSE_CONSULTATION, {
      policyId: policy.id,
      reason: 'Đóng',
    });
    expectRefusal(closeConsultation, { typename: 'IllegalStateError', code: 'ILLEGAL_STATE', rule: 'ROUND_NOT_OPEN' });
    // Closed by its deadline, the round is not answered yet: the policymaker may enact once its digest is published.
    const policymaker = await signInAs(platform, 'policymaker');
    const enact = async () =>
      (
        await policymaker.gql<{ enactPolicy: ResultUnion }>(ENACT_POLICY, {
          input: { policyId: policy.id, decisionNumber: '20/QĐ-PGDĐT', effectiveDate: inDays(10).slice(0, 10) },
        })
      ).enactPolicy;
    expectRefusal(await enact(), { typename: 'IllegalStateError', code: 'ILLEGAL_STATE', rule: 'ROUND_NOT_ANSWERED' });
    await answerRound(platform, staff, policy.id, 1);
    expect(ok<{ policy: PolicyView }>(await enact()).policy.status).toBe('ENACTED');
  });

  it('closes a round whose deadline passed while the server was down, dated at the deadline', async () => {
    const policyId = await draftedPolicy(staff, organizationId);
    const { openConsultation } = await staff.gql<{ openConsultation: ResultUnion }>(OPEN_CONSULTATION, {
      input: { policyId, closesAt: inSeconds(5) },
    });
    const closesAt = ok<{ policy: PolicyView }>(openConsultation).policy.currentRound!.closesAt;
    const dataDir = platform.dataDir;
    const before = platform;
    await before.stop();
    // The first process stopped before the deadline, so it did not close the round.
    expect(Date.now()).toBeLessThan(Date.parse(closesAt));
    expect(before.output()).not.toContain(`of policy ${policyId}`);
    await sleep(Math.max(0, Date.parse(closesAt) - Date.now()) + 1_000);
    platform = await startPlatform({ dataDir, env: SHORT_ROUNDS });
    staff = await signInAs(platform, 'staff');
    const closed = await eventually(
      async () => {
        const p = await getPolicy(staff, policyId);
        return p?.status === 'REVIEW' ? p : undefined;
      },
      15_000,
      'the scheduler to close the overdue round after a restart',
    );
    expect(closed.rounds).toHaveLength(1);
    expect(closed.currentRound).toMatchObject({ closesAt, closedAt: closesAt });
    expect(platform.output()).toContain(`closed round 1 of policy ${policyId}`);
  });
});
