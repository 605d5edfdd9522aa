import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commentIdFor, type Principal } from '@gopy/application/commands';
import { Projector } from '@gopy/application/projector';
import { allReadModels, commentQueries } from '@gopy/application/readModels/index';
import { openSqliteReadStore } from '@gopy/adapters/readStore/sqliteReadStore';
import { loadConfig } from '@gopy/composition/config';
import { openEmbeddedRuntime, type Runtime } from '@gopy/composition/runtime';
import { aPolicyInConsultation, type SmallWorld } from './smallWorld.testing';

class ManualClock {
  constructor(private t: number) {}
  now() {
    return new Date(this.t);
  }
}

/**
 * The policy page's totalCount reads counters the projector keeps instead of counting the policy's comments on every
 * request. The counters must equal a count of the visible comments, for every filter, through every change of status.
 */
describe('visible comment counters', () => {
  let runtime: Runtime;
  let world: SmallWorld;
  const participant: Principal = { accountId: randomUUID(), rolesIn: async () => ['participant'] };
  const clock = new ManualClock(Date.parse('2026-11-20T03:00:00.000Z'));
  const settle = async () =>
    expect(await runtime.projector.waitFor((await runtime.store.headPosition())!, 20_000)).toBe(true);
  const submit = (key: string, anchorNodeId: string | null) =>
    runtime.commands.comment(
      {
        type: 'SubmitComment',
        commentId: commentIdFor(participant.accountId, key),
        policyId: world.policyId,
        version: 1,
        anchorNodeId,
        parentCommentId: null,
        body: `Góp ý ${key}`,
        stance: 'suggestion',
        stakeholderCategory: 'parent',
        authorAccountId: participant.accountId,
        pseudonym: null,
        idempotencyKey: key,
      },
      participant,
    );
  const id = (key: string) => commentIdFor(participant.accountId, key);
  const filters = () => [
    { policyId: world.policyId },
    { policyId: world.policyId, wholeDraftOnly: true },
    { policyId: world.policyId, nodeId: world.articleId },
    { policyId: world.policyId, nodeId: randomUUID() },
  ];
  const counts = async (db = runtime.readDb) => Promise.all(filters().map((f) => commentQueries.count(db, f)));
  const scanned = async (db = runtime.readDb) => Promise.all(filters().map((f) => commentQueries.countByScan(db, f)));

  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-counts-'));
    runtime = await openEmbeddedRuntime(loadConfig({ GOPY_DATA_DIR: dataDir, GOPY_DEMO: '0' }), {
      clock,
      log: () => {},
    });
    runtime.projector.start();
    world = await aPolicyInConsultation(runtime);
  }, 60_000);

  afterAll(async () => {
    await runtime?.close();
  });

  it('counts new comments per policy, per node and on the whole draft', async () => {
    for (const k of ['a', 'b', 'c']) await submit(k, null);
    for (const k of ['d', 'e']) await submit(k, world.articleId);
    await settle();
    expect(await counts()).toEqual([5, 3, 2, 0]);
    expect(await scanned()).toEqual([5, 3, 2, 0]);
  });

  it('follows hiding, restoring, withdrawing and redacting, and equals a count of the rows', async () => {
    const staff = world.staff;
    await runtime.commands.comment(
      { type: 'HideComment', commentId: id('a'), reasonCode: 'spam', reason: 'Quảng cáo' },
      staff,
    );
    await runtime.commands.comment(
      { type: 'HideComment', commentId: id('d'), reasonCode: 'abuse', reason: 'Xúc phạm' },
      staff,
    );
    await settle();
    expect(await counts()).toEqual([3, 2, 1, 0]);
    await runtime.commands.comment({ type: 'RestoreComment', commentId: id('a'), reason: 'Ẩn nhầm' }, staff);
    await settle();
    expect(await counts()).toEqual([4, 3, 1, 0]);
    await runtime.commands.comment({ type: 'WithdrawComment', commentId: id('b'), reason: 'Tôi rút lại' }, participant);
    await runtime.commands.comment(
      { type: 'RedactComment', commentId: id('e'), reason: 'Lộ thông tin cá nhân' },
      staff,
    );
    // Redacting a comment that was already hidden must not count it out twice.
    await runtime.commands.comment(
      { type: 'RedactComment', commentId: id('d'), reason: 'Lộ thông tin cá nhân' },
      staff,
    );
    await settle();
    expect(await counts()).toEqual([2, 2, 0, 0]);
    expect(await counts()).toEqual(await scanned());
  });

  it('a rebuild from position 0 gives the same counters', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-counts-rebuild-')), 'read.sqlite');
    const read = openSqliteReadStore(file);
    try {
      const projector = new Projector({
        store: runtime.store,
        db: read.db,
        keys: runtime.keys,
        readModels: allReadModels,
      });
      await projector.init();
      await projector.catchUpOnce();
      expect(await counts(read.db)).toEqual(await counts());
      expect(await counts(read.db)).toEqual(await scanned(read.db));
    } finally {
      await read.close();
    }
  });
});
