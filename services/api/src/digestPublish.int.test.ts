import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestAggregate, policyAggregate, type Principal } from '@gopy/application/commands';
import { DigestHandlers, digestIdFor, roundAnsweredEventId } from '@gopy/application/digests';
import { digestQueries } from '@gopy/application/readModels/index';
import { decideDigest } from '@gopy/domain/digestDecider';
import { ForbiddenError, IllegalStateError } from '@gopy/domain/errors';
import { initialPolicyState } from '@gopy/domain/policy';
import { streams } from '@gopy/schemas';
import { loadConfig } from '@gopy/composition/config';
import { openEmbeddedRuntime, type Runtime } from '@gopy/composition/runtime';

// Publishing is two appends on two streams. A crash between them leaves a published digest and an unanswered round;
// the next publish call finishes the second step, once, and nothing is published twice.
describe('publishing a digest after a crash between its two steps', () => {
  let runtime: Runtime;
  let digests: DigestHandlers;
  let policyId: string;
  const organizationId = '6f1e9c1a-2b7d-4e3a-8c55-1d2e3f4a5b60';
  const staff: Principal = { accountId: 'a1111111-1111-4111-8111-111111111111', rolesIn: async () => ['staff'] };
  const spokesperson: Principal = {
    accountId: 'a3333333-3333-4333-8333-333333333333',
    rolesIn: async () => ['spokesperson'],
  };
  const settle = async () => runtime.projector.waitFor((await runtime.store.headPosition())!, 20_000);

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-digest-'));
    runtime = await openEmbeddedRuntime(loadConfig({ GOPY_DATA_DIR: dir, GOPY_SERVE_WEB: '0' }), { log: () => {} });
    runtime.projector.start();
    digests = new DigestHandlers({
      writePath: runtime.writePath,
      clock: runtime.clock,
      readDb: runtime.readDb,
      consistency: runtime.consistency,
    });
    policyId = crypto.randomUUID();
    const now = runtime.clock.now();
    await runtime.commands.policy(
      {
        type: 'ProposePolicy',
        policyId,
        owningOrganizationId: organizationId,
        title: 'Quy định về thư viện trường học',
        summary: '',
        topics: [],
      },
      staff,
    );
    await runtime.commands.policy({ type: 'StartDrafting', policyId }, staff);
    await runtime.commands.policy(
      {
        type: 'PublishDraftVersion',
        policyId,
        title: 'Quy định về thư viện trường học',
        changeNote: '',
        nodes: [
          {
            nodeId: crypto.randomUUID(),
            kind: 'article',
            number: '1',
            heading: 'Phạm vi',
            text: 'Thư viện mở cửa mỗi ngày.',
            children: [],
          },
        ],
      },
      staff,
    );
    await runtime.commands.policy(
      {
        type: 'OpenConsultation',
        policyId,
        opensAt: now.toISOString(),
        closesAt: new Date(now.getTime() + 2 * 86_400_000).toISOString(),
        note: '',
      },
      staff,
    );
    await runtime.commands.policy(
      { type: 'CloseConsultation', policyId, closedBy: 'staff', reason: 'Đủ ý kiến' },
      staff,
    );
    await digests.start(policyId, 1, staff);
    await digests.execute({ type: 'ApproveDigest', policyId, round: 1 }, spokesperson);
    // The first step alone, as a crash right after it would leave things: DigestPublished, no RoundAnswered.
    await runtime.writePath.execute(streams.digest(policyId, 1), digestAggregate, null, async (_command, state) => {
      const policy = (
        await runtime.writePath.load(streams.policy(policyId), initialPolicyState, policyAggregate.evolve)
      ).state;
      const events = decideDigest(
        {
          type: 'PublishDigest',
          policyId,
          round: 1,
          receivedCount: 0,
          coveredCount: 0,
          visibleCount: 0,
          countedAtPosition: null,
          now: new Date().toISOString(),
          actor: { accountId: spokesperson.accountId, roles: ['spokesperson'] },
        },
        state,
        policy,
      );
      return {
        events,
        context: {
          actor: { accountId: spokesperson.accountId, role: 'spokesperson', organizationId },
          occurredAt: new Date().toISOString(),
          correlationId: crypto.randomUUID(),
          causationId: null,
        },
      };
    });
    await settle();
  }, 60_000);

  afterAll(async () => {
    await runtime?.close();
  });

  const roundAnsweredEvents = async () => {
    const found: string[] = [];
    for await (const e of runtime.store.readStream(streams.policy(policyId)))
      if (e.type === 'RoundAnswered') found.push(e.eventId);
    return found;
  };

  it('leaves the round unanswered after the first step alone', async () => {
    expect(await roundAnsweredEvents()).toEqual([]);
    expect((await digestQueries.byRound(runtime.readDb, policyId, 1))?.status).toBe('published');
  });

  it('lets only a spokesperson finish the step', async () => {
    await expect(digests.answerRound(policyId, 1, staff)).rejects.toSatisfy(
      (e: unknown) => e instanceof ForbiddenError && e.rule === 'SPOKESPERSON_ONLY',
    );
    expect(await roundAnsweredEvents()).toEqual([]);
  });

  it('finishes with RoundAnswered on the next publish call, once, with its deterministic event id', async () => {
    const outcome = await digests.publish(policyId, 1, spokesperson);
    expect(outcome.digestPosition).toBeUndefined();
    expect(outcome.roundAnsweredPosition).toBeDefined();
    expect(await roundAnsweredEvents()).toEqual([roundAnsweredEventId(digestIdFor(policyId, 1))]);
    let digestEvents = 0;
    for await (const e of runtime.store.readStream(streams.digest(policyId, 1)))
      if (e.type === 'DigestPublished') digestEvents += 1;
    expect(digestEvents).toBe(1);
  });

  it('refuses a further publish once both steps are done, and records nothing more', async () => {
    await expect(digests.publish(policyId, 1, spokesperson)).rejects.toSatisfy(
      (e: unknown) => e instanceof IllegalStateError && e.rule === 'DIGEST_PUBLISHED',
    );
    expect(await roundAnsweredEvents()).toHaveLength(1);
    await expect(digests.answerRound(policyId, 1, spokesperson)).resolves.toBeUndefined();
    expect(await roundAnsweredEvents()).toHaveLength(1);
  });
});
