/**
 * The distributed pairing of the design against the KurrentDB TEST DOUBLE (tests/kurrentdb-double, not KurrentDB):
 * the log moved from SQLite to "KurrentDB" with `gopy store copy`, read models on PostgreSQL fed from it, and the log
 * copied back out. With KURRENTDB_URL set, the same test runs against that server instead.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KurrentDbTestDouble } from '../kurrentdb-double/kurrentDbTestDouble';
import { graphqlClient, repoRoot, startPlatform, type Platform } from '../support/platform';
import { createThrowawayDatabase } from '../support/postgres';

const query = `{ policies(first: 20) { totalCount edges { node { id title status commentCount
  comments(first: 20) { totalCount edges { node { id body stance authorName anchorLabel } } } } } } }`;

describe('KurrentDB (test double) for events, PostgreSQL for read models', () => {
  const secrets = { GOPY_MASTER_KEY: '1'.repeat(64), GOPY_LOOKUP_KEY: '2'.repeat(64) };
  let double: KurrentDbTestDouble | undefined;
  let database: { url: string; drop(): Promise<void> } | undefined;
  let platforms: Platform[] = [];

  afterAll(async () => {
    for (const p of platforms) await p.stop();
    await double?.stop();
    await database?.drop();
  });

  it('serves the same pages after the log moved to KurrentDB, and copies back out byte for byte', async () => {
    const kurrentUrl = process.env.KURRENTDB_URL ?? (double = await KurrentDbTestDouble.start()).connectionString;
    database = await createThrowawayDatabase('gopy_kdb');
    const onSqlite = await startPlatform({ env: secrets });
    platforms.push(onSqlite);
    const before = await graphqlClient(onSqlite.baseUrl)(query);
    await onSqlite.stop();
    const gopy = (args: string[]) =>
      execFileSync(process.execPath, [path.join(repoRoot, 'services/api/bin/gopy.js'), ...args], {
        cwd: repoRoot,
        env: { ...process.env, ...secrets, GOPY_DATA_DIR: onSqlite.dataDir },
        encoding: 'utf8',
      });
    // KurrentDB keeps no keys: they go to PostgreSQL (schema gopy_keys), where the platform on it will look.
    expect(gopy(['store', 'copy', '--from', `sqlite:${onSqlite.dataDir}`, '--to', `kurrentdb:${kurrentUrl}`, '--keys-to', `postgres:${database.url}`])).toMatch(/verified on the target/);

    const dataDir = fs.mkdtempSync(path.join(path.dirname(onSqlite.dataDir), 'gopy-kdb-'));
    const onKurrent = await startPlatform({
      dataDir,
      env: { ...secrets, GOPY_EVENT_STORE: 'kurrentdb', KURRENTDB_URL: kurrentUrl, GOPY_READ_STORE: 'postgres', DATABASE_URL: database.url, GOPY_DEMO: '0' },
    });
    platforms.push(onKurrent);
    const after = await graphqlClient(onKurrent.baseUrl)(query);
    expect(after.errors).toBeUndefined();
    expect(after.data).toEqual(before.data);
    await onKurrent.stop();

    const back = fs.mkdtempSync(path.join(path.dirname(onSqlite.dataDir), 'gopy-kdb-back-'));
    expect(gopy(['store', 'copy', '--from', `kurrentdb:${kurrentUrl}`, '--to', `sqlite:${back}`])).toMatch(/verified on the target/);
    const Database = (await import('better-sqlite3')).default;
    const rows = (dir: string) => new Database(path.join(dir, 'events.sqlite'), { readonly: true }).prepare('SELECT stream_id, revision, event_id, type, data, metadata, hash FROM events ORDER BY position').all();
    expect(rows(back)).toEqual(rows(onSqlite.dataDir));
  });
});
