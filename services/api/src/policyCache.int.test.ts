import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandHandlers, commentIdFor, policyAggregate, type Principal } from '@gopy/application/commands';
import { WritePath } from '@gopy/application/writePath';
import { openSqliteEventStore } from '@gopy/adapters/eventStore/sqliteEventStore';
import { SqliteKeyStore } from '@gopy/adapters/keyStore/sqliteKeyStore';
import { IllegalStateError } from '@gopy/domain/errors';
import { streams } from '@gopy/schemas';
import { loadConfig } from '@gopy/composition/config';
import { dataFiles, openEmbeddedRuntime, type Runtime } from '@gopy/composition/runtime';
import { loadSecrets } from '@gopy/composition/secrets';
import { aPolicyInConsultation } from './smallWorld.testing';

class ManualClock {
  constructor(private t: number) {}
  now() {
    return new Date(this.t);
  }
}

/**
 * Comment commands read the policy's folded state from a cache kept by stream revision. Whatever the cache holds, a
 * comment must be decided against the policy as it stands in the log, including changes written by another process.
 */
describe('the policy state cache of comment commands', () => {
  let runtime: Runtime;
  let dataDir: string;
  let staff: Principal;
  let policyId: string;
  const participant: Principal = { accountId: randomUUID(), rolesIn: async () => ['participant'] };
  const clock = new ManualClock(Date.parse('2026-11-20T03:00:00.000Z'));
  const comment = (key: string) =>
    runtime.commands.comment(
      {
        type: 'SubmitComment',
        commentId: commentIdFor(participant.accountId, key),
        policyId,
        version: 1,
        anchorNodeId: null,
        parentCommentId: null,
        body: `Góp ý ${key}`,
        stance: 'neutral',
        stakeholderCategory: 'parent',
        authorAccountId: participant.accountId,
        pseudonym: null,
        idempotencyKey: key,
      },
      participant,
    );

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-policy-cache-'));
    runtime = await openEmbeddedRuntime(loadConfig({ GOPY_DATA_DIR: dataDir, GOPY_DEMO: '0' }), {
      clock,
      log: () => {},
    });
    ({ staff, policyId } = await aPolicyInConsultation(runtime));
  }, 60_000);

  afterAll(async () => {
    await runtime?.close();
  });

  it('folds only what was appended since, to the same state as a full load', async () => {
    const cached = await runtime.writePath.loadCached(streams.policy(policyId), policyAggregate);
    const full = await runtime.writePath.load(
      streams.policy(policyId),
      policyAggregate.initialState,
      policyAggregate.evolve,
    );
    expect(cached).toEqual(full);
    const extended = await runtime.commands.policy(
      {
        type: 'ExtendConsultation',
        policyId,
        closesAt: new Date(clock.now().getTime() + 10 * 86_400_000).toISOString(),
        reason: 'Thêm thời gian',
      },
      staff,
    );
    expect(extended.appended).toBe(1);
    const again = await runtime.writePath.loadCached(streams.policy(policyId), policyAggregate);
    expect(again.revision).toBe((cached.revision as number) + 1);
    expect(again).toEqual(
      await runtime.writePath.load(streams.policy(policyId), policyAggregate.initialState, policyAggregate.evolve),
    );
  });

  it('refuses a comment once another process closed the round, though the cache was warm before', async () => {
    expect((await comment('truoc-khi-dong')).appended).toBe(1);
    // Another process on the same files (e.g. the projector process's scheduler) closes the round.
    const files = dataFiles(dataDir);
    const otherStore = openSqliteEventStore({ filename: files.events });
    const otherKeys = new SqliteKeyStore(files.keys, loadSecrets(runtime.config, () => {}).masterKey);
    try {
      const other = new CommandHandlers(new WritePath({ store: otherStore, keys: otherKeys, clock }), clock);
      await other.policy({ type: 'CloseConsultation', policyId, closedBy: 'staff', reason: 'Đủ ý kiến' }, staff);
    } finally {
      await otherStore.close();
      await otherKeys.close();
    }
    await expect(comment('sau-khi-dong')).rejects.toBeInstanceOf(IllegalStateError);
    const state = (await runtime.writePath.loadCached(streams.policy(policyId), policyAggregate)).state;
    expect(state).toEqual(
      (await runtime.writePath.load(streams.policy(policyId), policyAggregate.initialState, policyAggregate.evolve))
        .state,
    );
  });
});
