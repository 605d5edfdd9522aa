import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventCatalogue, type EventType } from '@gopy/schemas';
import { commentIdFor, type Principal } from '@gopy/application/commands';
import { eventHash } from '@gopy/application/integrity';
import { Projector } from '@gopy/application/projector';
import { allReadModels } from '@gopy/application/readModels/index';
import { deadlineCloseEventId } from '@gopy/application/scheduler';
import { openSqliteReadStore } from '@gopy/adapters/readStore/sqliteReadStore';
import { ConflictError } from '@gopy/domain/errors';
import { GENESIS_HASH, type Role } from '@gopy/schemas';
import { loadConfig } from '@gopy/composition/config';
import { readDemoAccounts, seedDemo } from '@gopy/composition/demo';
import { dataFiles, openEmbeddedRuntime, type Runtime } from '@gopy/composition/runtime';

/** A clock the test moves by hand, so deadlines fall when the test says. */
class ManualClock {
  constructor(private t: number) {}
  now() {
    return new Date(this.t);
  }
  advance(ms: number) {
    this.t += ms;
  }
}

interface RawEvent {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  hash: string;
}

function rawEvents(dataDir: string): RawEvent[] {
  const db = new Database(dataFiles(dataDir).events, { readonly: true });
  try {
    return db.prepare('SELECT * FROM events ORDER BY position').all() as RawEvent[];
  } finally {
    db.close();
  }
}

async function dumpReadModels(file: string): Promise<Record<string, unknown[]>> {
  const read = openSqliteReadStore(file);
  const out: Record<string, unknown[]> = {};
  for (const table of [
    'organizations',
    'memberships',
    'accounts',
    'policies',
    'policy_versions',
    'rounds',
    'comments',
  ] as const) {
    const rows = await read.db.selectFrom(table).selectAll().execute();
    out[table] = rows.map((r) => JSON.stringify(r)).sort();
  }
  await read.close();
  return out;
}

describe('embedded runtime: write path, integrity, privacy, rebuild, deadlines', () => {
  let dataDir: string;
  let runtime: Runtime;
  const clock = new ManualClock(Date.parse('2026-11-20T03:00:00.000Z'));

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-embedded-'));
    runtime = await openEmbeddedRuntime(loadConfig({ GOPY_DATA_DIR: dataDir, GOPY_DEMO: '1' }), {
      clock,
      log: () => {},
    });
    runtime.projector.start();
    await seedDemo(runtime);
    await runtime.projector.waitFor((await runtime.store.headPosition())!, 20_000);
  }, 60_000);

  afterAll(async () => {
    await runtime?.close();
  });

  it('chains every stored event to the previous one of its stream over exactly the stored bytes', () => {
    const events = rawEvents(dataDir);
    expect(events.length).toBeGreaterThan(40);
    const last = new Map<string, string>();
    for (const e of events) {
      const prev = last.get(e.stream_id) ?? GENESIS_HASH;
      expect(JSON.parse(e.metadata).prevHash).toBe(prev);
      expect(e.hash).toBe(
        eventHash(prev, {
          streamId: e.stream_id,
          revision: e.revision,
          eventId: e.event_id,
          type: e.type,
          data: e.data,
          metadata: e.metadata,
        }),
      );
      last.set(e.stream_id, e.hash);
    }
    // One changed byte anywhere in the data breaks the chain.
    const e = events.find((x) => x.type === 'DraftVersionPublished')!;
    const tampered = e.data.replace('"title":"', '"title":"X');
    expect(tampered).not.toBe(e.data);
    expect(
      eventHash(JSON.parse(e.metadata).prevHash, {
        streamId: e.stream_id,
        revision: e.revision,
        eventId: e.event_id,
        type: e.type,
        data: tampered,
        metadata: e.metadata,
      }),
    ).not.toBe(e.hash);
  });

  it('stamps metadata: actor, UTC occurredAt and recordedAt, schema version, UUIDv7 event ids', () => {
    for (const e of rawEvents(dataDir)) {
      const m = JSON.parse(e.metadata);
      expect(m.recordedAt).toMatch(/Z$/);
      expect(m.occurredAt).toMatch(/Z$/);
      // Written at the current version of its type (AccountRegistered is at 2: it no longer carries an email lookup).
      expect(m.schemaVersion).toBe(eventCatalogue[e.type as EventType].version);
      expect(m.actor).toHaveProperty('role');
      expect(e.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[57][0-9a-f]{3}-/);
    }
  });

  it('keeps no email, name or comment body in clear text in the event log (table and raw file bytes)', () => {
    const demo = readDemoAccounts(dataDir)!;
    const secrets = [
      ...demo.map((a) => a.email),
      ...demo.map((a) => a.displayName),
      'Đề nghị bổ sung quy định công khai danh sách học sinh',
      'Mức 30.000 đồng/ngày là hợp lý',
      'Tôi ủng hộ dự thảo',
    ];
    const events = rawEvents(dataDir);
    const table = events.map((e) => `${e.data}\n${e.metadata}`).join('\n');
    const db = new Database(dataFiles(dataDir).events);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = fs.readFileSync(dataFiles(dataDir).events).toString('utf8');
    for (const secret of secrets) {
      expect(table.includes(secret), secret).toBe(false);
      expect(bytes.includes(secret), secret).toBe(false);
    }
    // ...while the read model has the public comment text (rebuildable while the key lives).
    const comments = events.filter((e) => e.type === 'CommentSubmitted');
    expect(comments.length).toBeGreaterThan(0);
    for (const c of comments) expect(JSON.parse(c.data).body).toMatch(/^enc:v1:comment:/);
  });

  it('stores one comment for a retried submission, and refuses the same key with another body', async () => {
    const demo = readDemoAccounts(dataDir)!;
    const parentId = (await runtime.accounts.accountIdForEmail(demo.find((a) => a.email.startsWith('parent'))!.email))!;
    const who: Principal = { accountId: parentId, rolesIn: async () => ['participant'] as Role[] };
    const policy = await runtime.readDb
      .selectFrom('policies')
      .selectAll()
      .where('status', '=', 'consultation')
      .executeTakeFirstOrThrow();
    const submit = (body: string) =>
      runtime.commands.comment(
        {
          type: 'SubmitComment',
          commentId: commentIdFor(parentId, 'retry-key'),
          policyId: policy.id,
          version: 1,
          anchorNodeId: null,
          parentCommentId: null,
          body,
          stance: 'neutral',
          stakeholderCategory: 'parent',
          authorAccountId: parentId,
          pseudonym: null,
          idempotencyKey: 'retry-key',
        },
        who,
      );
    const first = await submit('Ý kiến gửi lại sau khi mất kết nối.');
    // The same text in NFD is the same comment.
    const again = await submit('Ý kiến gửi lại sau khi mất kết nối.'.normalize('NFD'));
    expect(first.appended).toBe(1);
    expect(again.appended).toBe(0);
    expect(again.position).toBe(first.position);
    await expect(submit('Một nội dung khác.')).rejects.toBeInstanceOf(ConflictError);
    const stored = rawEvents(dataDir).filter((e) => e.stream_id === `comment-${commentIdFor(parentId, 'retry-key')}`);
    expect(stored).toHaveLength(1);
  });

  it('rebuilds every read model from position 0 into a fresh database with the same rows', async () => {
    await runtime.projector.waitFor((await runtime.store.headPosition())!, 10_000);
    const fresh = path.join(dataDir, 'rebuild-check.sqlite');
    const read = openSqliteReadStore(fresh);
    const projector = new Projector({
      store: runtime.store,
      db: read.db,
      keys: runtime.keys,
      readModels: allReadModels,
      batchSize: 7,
    });
    await projector.init();
    const applied = await projector.catchUpOnce();
    await read.close();
    expect(applied).toBe(rawEvents(dataDir).length);
    const live = await dumpReadModels(dataFiles(dataDir).read);
    const rebuilt = await dumpReadModels(fresh);
    expect(live.comments!.length).toBeGreaterThan(3);
    expect(rebuilt).toEqual(live);
  });

  it('closes a round at its deadline exactly once, dated at the deadline, and not before the projector caught up', async () => {
    const demo = readDemoAccounts(dataDir)!;
    const staffId = (await runtime.accounts.accountIdForEmail(demo.find((a) => a.roles.includes('staff'))!.email))!;
    const staff: Principal = { accountId: staffId, rolesIn: async () => ['staff'] };
    const drafting = await runtime.readDb
      .selectFrom('policies')
      .selectAll()
      .where('status', '=', 'drafting')
      .executeTakeFirstOrThrow();
    const closesAt = new Date(clock.now().getTime() + 2 * 86_400_000).toISOString();
    const opened = await runtime.commands.policy(
      { type: 'OpenConsultation', policyId: drafting.id, opensAt: clock.now().toISOString(), closesAt, note: '' },
      staff,
    );
    await runtime.projector.waitFor(opened.position!);
    expect(await runtime.scheduler.tick()).toBe(0);

    clock.advance(2 * 86_400_000 + 1);
    expect(await runtime.scheduler.tick()).toBe(1);
    expect(await runtime.scheduler.tick()).toBe(0);
    await runtime.projector.waitFor((await runtime.store.headPosition())!);
    expect(await runtime.scheduler.tick()).toBe(0);
    const closes = rawEvents(dataDir).filter(
      (e) => e.stream_id === `policy-${drafting.id}` && e.type === 'ConsultationClosed',
    );
    expect(closes).toHaveLength(1);
    expect(closes[0]!.event_id).toBe(deadlineCloseEventId(drafting.id, 1));
    expect(JSON.parse(closes[0]!.data).closedAt).toBe(closesAt);
    expect(JSON.parse(closes[0]!.metadata).occurredAt).toBe(closesAt);
    expect(JSON.parse(closes[0]!.metadata).actor.role).toBe('system');
  });

  it('closes a deadline that passed while the server was down, once it is back and caught up', async () => {
    const demo = readDemoAccounts(dataDir)!;
    const staffId = (await runtime.accounts.accountIdForEmail(demo.find((a) => a.roles.includes('staff'))!.email))!;
    const staff: Principal = { accountId: staffId, rolesIn: async () => ['staff'] };
    const fees = await runtime.readDb
      .selectFrom('policies')
      .selectAll()
      .where('status', '=', 'consultation')
      .executeTakeFirstOrThrow();
    const round = await runtime.readDb
      .selectFrom('rounds')
      .selectAll()
      .where('policy_id', '=', fees.id)
      .executeTakeFirstOrThrow();
    void staff;
    await runtime.close();

    clock.advance(30 * 86_400_000);
    runtime = await openEmbeddedRuntime(loadConfig({ GOPY_DATA_DIR: dataDir, GOPY_DEMO: '1' }), {
      clock,
      log: () => {},
    });
    // Before the projector has caught up (as during a rebuild), the scheduler does nothing.
    expect(runtime.projector.isCaughtUp).toBe(false);
    expect(await runtime.scheduler.tick()).toBe(0);
    runtime.projector.start();
    const deadline = Date.now() + 10_000;
    while (!runtime.projector.isCaughtUp && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await runtime.scheduler.tick()).toBe(1);
    const closes = rawEvents(dataDir).filter(
      (e) => e.stream_id === `policy-${fees.id}` && e.type === 'ConsultationClosed',
    );
    expect(closes).toHaveLength(1);
    expect(JSON.parse(closes[0]!.data).closedAt).toBe(round.closes_at);
  });
});
