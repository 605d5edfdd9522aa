import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createThrowawayDatabase } from '@gopy/adapters/postgres/throwawayDatabase';
import type { KeyStore } from '@gopy/application/ports';
import { Projector } from '@gopy/application/projector';
import { allReadModels, type ReadDb } from '@gopy/application/readModels/index';
import { PostgresAuthStore } from '@gopy/adapters/authStore/postgresAuthStore';
import { SqliteAuthStore } from '@gopy/adapters/authStore/sqliteAuthStore';
import { PostgresKeyStore } from '@gopy/adapters/keyStore/postgresKeyStore';
import { SqliteKeyStore } from '@gopy/adapters/keyStore/sqliteKeyStore';
import { openPostgresReadStore } from '@gopy/adapters/readStore/postgresReadStore';
import { loadConfig } from '@gopy/composition/config';
import { seedDemo } from '@gopy/composition/demo';
import { openEmbeddedRuntime, type Runtime } from '@gopy/composition/runtime';

let database: { url: string; drop(): Promise<void> };

const tables = [
  'organizations',
  'memberships',
  'accounts',
  'policies',
  'policy_versions',
  'rounds',
  'comments',
] as const;

async function dump(db: ReadDb): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of tables) {
    const rows = await db.selectFrom(table).selectAll().execute();
    // Both engines return the same values; PostgreSQL returns integers of bigint columns as strings.
    out[table] = rows
      .map((r) =>
        JSON.stringify(
          Object.fromEntries(
            Object.entries(r).map(([k, v]) => [
              k,
              typeof v === 'string' && /^\d+$/.test(v) && k !== 'number' ? Number(v) : v,
            ]),
          ),
        ),
      )
      .sort();
  }
  return out;
}

describe('PostgreSQL read store, key store and auth store', () => {
  let runtime: Runtime;
  let dataDir: string;

  beforeAll(async () => {
    database = await createThrowawayDatabase('gopy_stores');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-pgstores-'));
    runtime = await openEmbeddedRuntime(loadConfig({ GOPY_DATA_DIR: dataDir }), { log: () => {} });
    runtime.projector.start();
    await seedDemo(runtime);
    await runtime.projector.waitFor((await runtime.store.headPosition())!, 20_000);
  }, 60_000);

  afterAll(async () => {
    await runtime?.close();
    await database?.drop();
  });

  it('projects the same log into the same read-model rows on PostgreSQL as on SQLite', async () => {
    const read = await openPostgresReadStore(database.url, 'gopy_read');
    try {
      const projector = new Projector({
        store: runtime.store,
        db: read.db,
        keys: runtime.keys,
        readModels: allReadModels,
      });
      await projector.init();
      await projector.catchUpOnce();
      const onPg = await dump(read.db);
      const onSqlite = await dump(runtime.readDb);
      expect(onPg.comments!.length).toBeGreaterThan(2);
      expect(onPg).toEqual(onSqlite);
    } finally {
      await read.close();
    }
  });

  async function keyStoreContract(store: KeyStore) {
    const id = `comment:${randomUUID()}`;
    const key = await store.getOrCreateKey(id);
    expect(key).toHaveLength(32);
    expect(await store.getOrCreateKey(id)).toEqual(key);
    expect(await store.getKey(`comment:${randomUUID()}`)).toBeUndefined();
    await store.destroyKey(id);
    expect(await store.getKey(id)).toBeUndefined();
    expect(await store.isDestroyed(id)).toBe(true);
    await expect(store.getOrCreateKey(id)).rejects.toThrow(/destroyed/);
  }

  it('keeps, returns and destroys data keys the same way on both engines', async () => {
    const master = Buffer.alloc(32, 7);
    const pgKeys = await PostgresKeyStore.open(database.url, master, 'gopy_keys');
    const sqliteKeys = new SqliteKeyStore(path.join(dataDir, 'contract-keys.sqlite'), master);
    try {
      await keyStoreContract(pgKeys);
      await keyStoreContract(sqliteKeys);
    } finally {
      await pgKeys.close();
      await sqliteKeys.close();
    }
  });

  it('keeps credentials, sessions and one-time tokens the same way on both engines', async () => {
    for (const auth of [
      await PostgresAuthStore.open(database.url, 'gopy_auth'),
      new SqliteAuthStore(path.join(dataDir, 'contract-auth.sqlite')),
    ]) {
      try {
        const a = randomUUID();
        expect(await auth.putCredential(a, 'lookup-1', 'hash-1')).toBe(true);
        expect(await auth.putCredential(randomUUID(), 'lookup-1', 'hash-2')).toBe(false);
        expect(await auth.findCredential('lookup-1')).toEqual({ accountId: a, passwordHash: 'hash-1' });
        await auth.createSession('s1', a, '2030-01-01T00:00:00.000Z');
        expect((await auth.findSession('s1', '2029-01-01T00:00:00.000Z'))?.accountId).toBe(a);
        expect(await auth.findSession('s1', '2031-01-01T00:00:00.000Z')).toBeUndefined();
        await auth.createToken('verify', 't1', a, '2030-01-01T00:00:00.000Z');
        expect(await auth.consumeToken('reset', 't1', '2029-01-01T00:00:00.000Z')).toBeUndefined();
        expect(await auth.consumeToken('verify', 't1', '2029-01-01T00:00:00.000Z')).toBe(a);
        expect(await auth.consumeToken('verify', 't1', '2029-01-01T00:00:00.000Z')).toBeUndefined();
        // A new password ends every outstanding reset token and every session of the account, not another's.
        const b = randomUUID();
        await auth.createToken('reset', 'r1', a, '2030-01-01T00:00:00.000Z');
        await auth.createToken('reset', 'r2', a, '2030-01-01T00:00:00.000Z');
        await auth.createToken('reset', 'rb', b, '2030-01-01T00:00:00.000Z');
        await auth.createSession('sb', b, '2030-01-01T00:00:00.000Z');
        await auth.setPassword(a, 'hash-new');
        expect(await auth.findCredential('lookup-1')).toEqual({ accountId: a, passwordHash: 'hash-new' });
        expect(await auth.consumeToken('reset', 'r1', '2029-01-01T00:00:00.000Z')).toBeUndefined();
        expect(await auth.consumeToken('reset', 'r2', '2029-01-01T00:00:00.000Z')).toBeUndefined();
        expect(await auth.findSession('s1', '2029-01-01T00:00:00.000Z')).toBeUndefined();
        expect(await auth.consumeToken('reset', 'rb', '2029-01-01T00:00:00.000Z')).toBe(b);
        expect((await auth.findSession('sb', '2029-01-01T00:00:00.000Z'))?.accountId).toBe(b);
        await auth.createSession('s1', a, '2030-01-01T00:00:00.000Z');
        await auth.forgetAccount(a);
        expect(await auth.findCredential('lookup-1')).toBeUndefined();
        expect(await auth.findSession('s1', '2029-01-01T00:00:00.000Z')).toBeUndefined();
      } finally {
        await auth.close();
      }
    }
  });
});
