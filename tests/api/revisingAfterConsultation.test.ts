/**
 * Issue 17, the lifecycle after a round: the revised draft is published in review and enacted without a new round, an
 * enacted policy is amended by a new cycle on the same policy, rounds have a minimum length, a round with comments is
 * answered by at least one answered theme, implausible decision dates are refused in words, a reply carries its
 * parent's anchor, a round closed early says why and when it was due, nobody registers themself as a pupil.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerRound } from '../support/digest';
import { startPlatform, type Platform } from '../support/platform';
import {
  CLOSE_CONSULTATION,
  ENACT_POLICY,
  ERROR_FIELDS,
  OPEN_CONSULTATION,
  PUBLISH_DRAFT_VERSION,
  SIGN_UP,
  client,
  draftTree,
  draftedPolicy,
  expectEnglish,
  expectRefusal,
  expectVietnamese,
  inDays,
  ok,
  signInAs,
  staffOrganizationId,
  stopPlatform,
  submitComment,
  uniqueEmail,
  verifiedParticipant,
  type Client,
  type PolicyView,
  type ResultUnion,
} from './support';

const LIFECYCLE = `query($id: ID!) { policy(id: $id) {
  status
  versions { number revisesRound amendsVersion }
  currentRound { round version closesAt closedAt closedEarly closeReason answered }
  enactment { version decisionNumber decisionDate effectiveDate }
} }`;
interface Lifecycle {
  status: string;
  versions: { number: number; revisesRound: number | null; amendsVersion: number | null }[];
  currentRound: {
    round: number;
    version: number;
    closesAt: string;
    closedAt: string | null;
    closedEarly: boolean;
    closeReason: string | null;
    answered: boolean;
  } | null;
  enactment: { version: number; decisionNumber: string; decisionDate: string | null; effectiveDate: string } | null;
}
const HIDE = `mutation($id: ID!) { hideComment(commentId: $id, reasonCode: ABUSE, reason: "Ngôn từ xúc phạm") { ${ERROR_FIELDS} ... on MutationHideCommentSuccess { data { position } } } }`;
const digestStep = (name: string) => `mutation($policyId: ID!, $round: Int!) {
  ${name}(policyId: $policyId, round: $round) { ${ERROR_FIELDS} ... on Mutation${name[0]!.toUpperCase()}${name.slice(1)}Success { data { position } } }
}`;

const vietnamToday = () => new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
const vietnamDay = (days: number) =>
  new Date(Date.now() + 7 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);

let platform: Platform;
let staff: Client;
let policymaker: Client;
let spokesperson: Client;
let moderator: Client;
let organizationId: string;

beforeAll(async () => {
  platform = await startPlatform();
  staff = await signInAs(platform, 'staff');
  policymaker = await signInAs(platform, 'policymaker');
  spokesperson = await signInAs(platform, 'spokesperson');
  moderator = await signInAs(platform, 'moderator');
  organizationId = await staffOrganizationId(staff);
}, 120_000);

afterAll(() => stopPlatform(platform));

const lifecycle = async (id: string) => (await staff.gql<{ policy: Lifecycle }>(LIFECYCLE, { id })).policy;
const open = async (policyId: string, closesAt: string) =>
  (await staff.gql<{ openConsultation: ResultUnion }>(OPEN_CONSULTATION, { input: { policyId, closesAt } }))
    .openConsultation;
const publishVersion = async (policyId: string, title: string) =>
  (
    await staff.gql<{ publishDraftVersion: ResultUnion }>(PUBLISH_DRAFT_VERSION, {
      input: { policyId, title, changeNote: 'Tiếp thu ý kiến góp ý', nodes: draftTree() },
    })
  ).publishDraftVersion;
const enact = async (input: Record<string, unknown>) =>
  (await policymaker.gql<{ enactPolicy: ResultUnion }>(ENACT_POLICY, { input })).enactPolicy;

describe('a round has a minimum length (GOPY_MIN_ROUND_DAYS, one day by default)', () => {
  it('a round shorter than a day is refused in words, in Vietnamese and English; two days are accepted', async () => {
    const policyId = await draftedPolicy(staff, organizationId);
    const refused = expectRefusal(await open(policyId, inDays(0.5)), {
      typename: 'ValidationError',
      code: 'VALIDATION',
      field: 'closesAt',
    });
    expectVietnamese(refused.messageVi!);
    expect(refused.messageVi).toContain('ít nhất 1 ngày');
    expectEnglish(refused.messageEn!);
    expect(refused.messageEn).toContain('at least 1 day');
    expect(ok<{ policy: PolicyView }>(await open(policyId, inDays(2))).policy.status).toBe('CONSULTATION');
  });
});

describe('a consultation answered, revised and enacted without a new round, then amended', () => {
  let policyId: string;
  let articleId: string;
  let participant: Awaited<ReturnType<typeof verifiedParticipant>>;
  let closesAt: string;

  beforeAll(async () => {
    policyId = await draftedPolicy(staff, organizationId);
    closesAt = inDays(14);
    const opened = ok<{ policy: PolicyView }>(await open(policyId, closesAt)).policy;
    closesAt = opened.currentRound!.closesAt;
    articleId = opened.currentVersion!.nodes[0]!.children![0]!.id;
    participant = await verifiedParticipant(platform);
  }, 60_000);

  it('a reply carries its parent’s anchor (the article), not “the whole draft”', async () => {
    const parent = ok<{ comment: { id: string } }>(
      await submitComment(participant.api, {
        policyId,
        nodeId: articleId,
        body: 'Đề nghị nêu rõ thời gian mở cửa thư viện.',
        stance: 'SUGGESTION',
      }),
    ).comment;
    const { comment } = ok<{
      comment: { anchorNodeId: string | null; anchorLabel: string | null; parentCommentId: string };
    }>(
      await submitComment(participant.api, {
        policyId,
        parentCommentId: parent.id,
        body: 'Tôi đồng tình, nên mở cả buổi chiều.',
        stance: 'SUPPORT',
      }),
    );
    expect(comment.parentCommentId).toBe(parent.id);
    expect(comment.anchorNodeId).toBe(articleId);
    expect(comment.anchorLabel).not.toBe('Toàn bộ dự thảo');
    expect(comment.anchorLabel).toContain('Điều 1');
  });

  it('a round closed early keeps its reason and its original deadline', async () => {
    ok(
      (
        await staff.gql<{ closeConsultation: ResultUnion }>(CLOSE_CONSULTATION, {
          policyId,
          reason: 'Đã nhận đủ ý kiến của các trường.',
        })
      ).closeConsultation,
    );
    const round = (await lifecycle(policyId)).currentRound!;
    expect(round).toMatchObject({ closedEarly: true, closeReason: 'Đã nhận đủ ý kiến của các trường.', closesAt });
    expect(Date.parse(round.closedAt!)).toBeLessThan(Date.parse(closesAt));
  });

  it('the revised draft is published in review once the round is answered, and stays in review', async () => {
    expectRefusal(await publishVersion(policyId, 'Dự thảo đã chỉnh lý'), {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'ROUND_NOT_ANSWERED',
    });
    await answerRound(platform, staff, policyId, 1);
    const published = ok<{ policy: PolicyView }>(await publishVersion(policyId, 'Dự thảo đã chỉnh lý')).policy;
    expect(published.status).toBe('REVIEW');
    const after = await lifecycle(policyId);
    expect(after.versions.map((v) => [v.number, v.revisesRound])).toEqual([
      [1, null],
      [2, 1],
    ]);
    // Still round 1, consulted on version 1: the diff the policy page links is version 1 against version 2.
    expect(after.currentRound).toMatchObject({ round: 1, version: 1, answered: true });
  });

  it('implausible dates are refused with messages that name the dates in words', async () => {
    const before = expectRefusal(
      await enact({
        policyId,
        decisionNumber: '15/QĐ-PGDĐT',
        decisionDate: vietnamToday(),
        effectiveDate: '2019-09-01',
      }),
      { typename: 'ValidationError', code: 'VALIDATION', field: 'effectiveDate' },
    );
    expect(before.messageVi).toContain('Ngày có hiệu lực');
    expect(before.messageVi).not.toContain('effectiveDate');
    expectEnglish(before.messageEn!);
    expect(before.messageEn).not.toContain('effectiveDate');
    const future = expectRefusal(
      await enact({
        policyId,
        decisionNumber: '15/QĐ-PGDĐT',
        decisionDate: vietnamDay(5),
        effectiveDate: vietnamDay(30),
      }),
      { typename: 'ValidationError', code: 'VALIDATION', field: 'decisionDate' },
    );
    expect(future.messageVi).toContain('Ngày ký quyết định');
    expect(future.messageEn).not.toContain('decisionDate');
  });

  it('the consulted version cannot be enacted once a revised one is published', async () => {
    expectRefusal(await enact({ policyId, version: 1, decisionNumber: '15/QĐ-PGDĐT', effectiveDate: vietnamDay(30) }), {
      typename: 'ValidationError',
      code: 'VALIDATION',
      field: 'version',
    });
  });

  it('enactment enacts the revised version, with its decision date, without a new round', async () => {
    const enacted = ok<{ policy: PolicyView }>(
      await enact({ policyId, decisionNumber: '15/QĐ-PGDĐT', effectiveDate: vietnamDay(30) }),
    ).policy;
    expect(enacted.status).toBe('ENACTED');
    const after = await lifecycle(policyId);
    expect(after.enactment).toMatchObject({ version: 2, decisionDate: vietnamToday(), effectiveDate: vietnamDay(30) });
    expect(after.currentRound?.round).toBe(1);
  });

  it('an amending draft starts a new cycle on the same policy; the enacted decision stays on record', async () => {
    const amended = ok<{ policy: PolicyView }>(await publishVersion(policyId, 'Dự thảo sửa đổi, bổ sung')).policy;
    expect(amended.status).toBe('DRAFTING');
    const after = await lifecycle(policyId);
    expect(after.versions.at(-1)).toEqual({ number: 3, revisesRound: null, amendsVersion: 2 });
    expect(after.enactment).toMatchObject({ version: 2, decisionNumber: '15/QĐ-PGDĐT' });
    // The amendment is consulted on before it is enacted.
    expectRefusal(await enact({ policyId, decisionNumber: '20/QĐ-PGDĐT', effectiveDate: vietnamDay(60) }), {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'NOT_IN_REVIEW',
    });
    const reopened = ok<{ policy: PolicyView }>(await open(policyId, inDays(30))).policy;
    expect(reopened.currentRound).toMatchObject({ round: 2, version: 3 });
  });
});

describe('a round that received comments is answered with at least one answered theme', () => {
  it('publishing an empty digest is refused when every comment was hidden since', async () => {
    const policyId = await draftedPolicy(staff, organizationId);
    ok(await open(policyId, inDays(7)));
    const participant = await verifiedParticipant(platform);
    const comment = ok<{ comment: { id: string } }>(
      await submitComment(participant.api, { policyId, body: 'Góp ý sẽ bị ẩn vì lời lẽ.', stance: 'OPPOSE' }),
    ).comment;
    ok((await moderator.gql<Record<string, ResultUnion>>(HIDE, { id: comment.id })).hideComment!);
    ok(
      (await staff.gql<{ closeConsultation: ResultUnion }>(CLOSE_CONSULTATION, { policyId, reason: 'Kết thúc sớm.' }))
        .closeConsultation,
    );
    ok((await staff.gql<Record<string, ResultUnion>>(digestStep('startDigest'), { policyId, round: 1 })).startDigest!);
    ok(
      (await spokesperson.gql<Record<string, ResultUnion>>(digestStep('approveDigest'), { policyId, round: 1 }))
        .approveDigest!,
    );
    const refused = expectRefusal(
      (await spokesperson.gql<Record<string, ResultUnion>>(digestStep('publishDigest'), { policyId, round: 1 }))
        .publishDigest!,
      { typename: 'IllegalStateError', code: 'ILLEGAL_STATE', rule: 'NO_ANSWERED_THEME' },
    );
    expectVietnamese(refused.messageVi!);
  });
});

describe('pupils take part through the account their school issues', () => {
  it('signing up as a student is refused, saying a school issues pupils’ accounts', async () => {
    const { signUp } = await client(platform.baseUrl).gql<{ signUp: ResultUnion }>(SIGN_UP, {
      input: {
        email: uniqueEmail('hocsinh'),
        password: 'mật-khẩu-đủ-dài-123',
        displayName: 'Nguyễn Văn An',
        stakeholderCategory: 'STUDENT',
      },
    });
    const refused = expectRefusal(signUp, { typename: 'ValidationError', code: 'VALIDATION' });
    expect(refused.messageVi).toContain('nhà trường cấp');
  });
});
