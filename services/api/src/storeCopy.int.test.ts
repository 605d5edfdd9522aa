import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createThrowawayDatabase } from '@gopy/adapters/postgres/throwawayDatabase';
import type { RecordedEvent } from '@gopy/application/eventStore';
import { openPostgresEventStore } from '@gopy/adapters/eventStore/postgresEventStore';
import { openSqliteEventStore } from '@gopy/adapters/eventStore/sqliteEventStore';
import { loadConfig } from '@gopy/composition/config';
import { seedDemo } from '@gopy/composition/demo';
import { openEmbeddedRuntime } from '@gopy/composition/runtime';
import { copyStore, verifyChains } from './storeCopy';

let database: { url: string; drop(): Promise<void> };

async function all(store: { readAll(): AsyncIterable<RecordedEvent>; close(): Promise<void> }) {
  const out: Omit<RecordedEvent, 'position'>[] = [];
  for await (const { position: _p, ...e } of store.readAll()) out.push(e);
  await store.close();
  return out;
}

describe('gopy store copy', () => {
  const source = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-copy-src-'));
  const back = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-copy-back-'));
  const env = { GOPY_MASTER_KEY: 'c'.repeat(64), GOPY_LOOKUP_KEY: 'd'.repeat(64) };

  beforeAll(async () => {
    Object.assign(process.env, env, { GOPY_DATA_DIR: source });
    database = await createThrowawayDatabase('gopy_copy');
    const runtime = await openEmbeddedRuntime(loadConfig({ ...env, GOPY_DATA_DIR: source }), { log: () => {} });
    await seedDemo(runtime);
    await runtime.close();
  }, 60_000);

  afterAll(async () => {
    await database?.drop();
  });

  it('copies SQLite → PostgreSQL → SQLite with ids, streams, revisions, bytes and order preserved, and chains verified', async () => {
    const first = await copyStore(`sqlite:${source}`, `postgres:${database.url}`);
    expect(first.copied).toBe(first.total);
    expect(first.keys).toBeGreaterThan(10);
    const second = await copyStore(`postgres:${database.url}`, `sqlite:${back}`);
    expect(second.copied).toBe(second.total);

    const original = await all(openSqliteEventStore({ filename: path.join(source, 'events.sqlite') }));
    const onPg = await all(await openPostgresEventStore({ connectionString: database.url, schema: 'gopy_events' }));
    const roundTrip = await all(openSqliteEventStore({ filename: path.join(back, 'events.sqlite') }));
    expect(onPg).toEqual(original);
    expect(roundTrip).toEqual(original);
    // The keys came along: the copy decrypts.
    const copy = await openEmbeddedRuntime(loadConfig({ ...env, GOPY_DATA_DIR: back }), { log: () => {} });
    await copy.projector.catchUpOnce();
    const comments = await copy.readDb.selectFrom('comments').select('body').execute();
    expect(comments.map((c) => c.body)).toContain('Tôi ủng hộ dự thảo vì giúp các khoản thu minh bạch hơn.');
    await copy.close();
  });

  it('resumes an interrupted copy without storing anything twice', async () => {
    const target = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-copy-resume-'));
    await expect(
      copyStore(`sqlite:${source}`, `sqlite:${target}`, {
        onProgress: (done) => {
          if (done >= 10) throw new Error('interrupted');
        },
      }),
    ).rejects.toThrow('interrupted');
    const resumed = await copyStore(`sqlite:${source}`, `sqlite:${target}`);
    expect(resumed.resumedFrom).not.toBeNull();
    expect(resumed.copied).toBeLessThan(resumed.total);
    const check = openSqliteEventStore({ filename: path.join(target, 'events.sqlite') });
    expect((await verifyChains(check)).count).toBe(resumed.total);
    await check.close();
  });
});
