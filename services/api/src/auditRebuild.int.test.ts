import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareReadModels, readModelChecksums, readModelTables } from '@gopy/application/audit/readModelChecksum';
import { Projector } from '@gopy/application/projector';
import { allReadModels } from '@gopy/application/readModels/index';
import { createThrowawayDatabase } from '@gopy/adapters/postgres/throwawayDatabase';
import { openPostgresReadStore } from '@gopy/adapters/readStore/postgresReadStore';
import { openSqliteReadStore } from '@gopy/adapters/readStore/sqliteReadStore';
import { loadConfig } from '@gopy/composition/config';
import { seedDemo } from '@gopy/composition/demo';
import { dataFiles, openEmbeddedRuntime, type Runtime } from '@gopy/composition/runtime';

const env = { GOPY_MASTER_KEY: '3'.repeat(64), GOPY_LOOKUP_KEY: '4'.repeat(64), GOPY_DEMO: '0' };

describe('replay proof: read-model checksums and gopy rebuild --verify', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-replay-'));
  let runtime: Runtime;
  let database: { url: string; drop(): Promise<void> };

  beforeAll(async () => {
    database = await createThrowawayDatabase('gopy_replay');
    runtime = await openEmbeddedRuntime(loadConfig({ ...env, GOPY_DATA_DIR: dataDir }), { log: () => {} });
    runtime.projector.start();
    await seedDemo(runtime);
    await runtime.projector.waitFor((await runtime.store.headPosition())!, 20_000);
  }, 90_000);

  afterAll(async () => {
    await runtime?.close();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a rebuild from position 0 (SQLite and PostgreSQL) has the same checksum as the live read models, table by table', async () => {
    const freshFile = path.join(dataDir, 'fresh.sqlite');
    const fresh = openSqliteReadStore(freshFile);
    const onPg = await openPostgresReadStore(database.url, 'gopy_read_replay');
    try {
      for (const db of [fresh.db, onPg.db]) {
        const projector = new Projector({ store: runtime.store, db, keys: runtime.keys, readModels: allReadModels });
        await projector.init();
        await projector.catchUpOnce();
      }
      const live = await readModelChecksums(runtime.readDb);
      expect(live.map((t) => t.table)).toEqual(readModelTables());
      expect(live.find((t) => t.table === 'comments')!.rows).toBeGreaterThan(2);
      expect(await readModelChecksums(fresh.db)).toEqual(live);
      // The normalisation makes PostgreSQL (bigint as text, booleans) agree with SQLite.
      expect(await readModelChecksums(onPg.db)).toEqual(live);
      expect((await compareReadModels(runtime.readDb, onPg.db)).equal).toBe(true);

      // A row changed behind the projector's back is the first difference, named with its table.
      const victim = await fresh.db.selectFrom('comments').select(['id']).executeTakeFirstOrThrow();
      await fresh.db
        .updateTable('comments')
        .set({ stance: 'oppose', status: 'hidden' })
        .where('id', '=', victim.id)
        .execute();
      const diff = await compareReadModels(runtime.readDb, fresh.db);
      expect(diff.equal).toBe(false);
      const comments = diff.tables.find((t) => !t.equal)!;
      expect(comments.table).toBe('comments');
      expect(comments.firstDifference!.row).toContain(victim.id);
      expect(diff.tables.filter((t) => !t.equal)).toHaveLength(1);
    } finally {
      await fresh.close();
      await onPg.close();
    }
  });

  it('checksums stream a table of many pages (rows read in any order) and name the one changed row among 12,000', async () => {
    const sqliteA = openSqliteReadStore(path.join(dataDir, 'pages-a.sqlite'));
    const sqliteB = openSqliteReadStore(path.join(dataDir, 'pages-b.sqlite'));
    const onPg = await openPostgresReadStore(database.url, 'gopy_read_pages');
    const rows = Array.from({ length: 12_000 }, (_, i) => ({
      id: `row-${String(i).padStart(5, '0')}`,
      n: i,
      note: i % 7 === 0 ? null : `ghi chú ${i}`,
      pad: 'đ'.repeat(150),
    }));
    // 12,000 rows of ~350 bytes: three SQLite pages of 5,000 rows, and about 550 PostgreSQL heap blocks (three TID ranges).
    try {
      for (const db of [sqliteA.db, sqliteB.db, onPg.db]) {
        await sql`CREATE TABLE scan_probe (id text PRIMARY KEY, n bigint NOT NULL, note text, pad text NOT NULL)`.execute(
          db,
        );
      }
      const insert = async (db: typeof onPg.db, ordered: typeof rows) => {
        for (let i = 0; i < ordered.length; i += 500)
          await (db as any)
            .insertInto('scan_probe')
            .values(ordered.slice(i, i + 500))
            .execute();
      };
      await insert(sqliteA.db, rows);
      await insert(sqliteB.db, [...rows].reverse());
      await insert(onPg.db, [...rows.slice(6_000), ...rows.slice(0, 6_000)]);
      const [a] = await readModelChecksums(sqliteA.db, ['scan_probe']);
      expect(a!.rows).toBe(12_000);
      expect(await readModelChecksums(sqliteB.db, ['scan_probe'])).toEqual([a]);
      expect(await readModelChecksums(onPg.db, ['scan_probe'])).toEqual([a]);

      await sql`UPDATE scan_probe SET note = 'đã sửa' WHERE id = 'row-09876'`.execute(onPg.db);
      await sql`DELETE FROM scan_probe WHERE id = 'row-00042'`.execute(sqliteB.db);
      const changed = await compareReadModels(sqliteA.db, onPg.db, ['scan_probe']);
      expect(changed.equal).toBe(false);
      expect(changed.tables[0]!.rebuilt.rows).toBe(12_000);
      const named = changed.tables[0]!.firstDifference!;
      expect(named.row).toContain('row-09876');
      expect(named.row).toContain(named.onlyIn === 'live' ? 'ghi chú 9876' : 'đã sửa');
      const missing = await compareReadModels(sqliteA.db, sqliteB.db, ['scan_probe']);
      expect(missing.tables[0]!.rebuilt.rows).toBe(11_999);
      expect(missing.tables[0]!.firstDifference).toEqual({ onlyIn: 'live', row: expect.stringContaining('row-00042') });
    } finally {
      await sqliteA.close();
      await sqliteB.close();
      await onPg.close();
    }
  });

  it('`gopy rebuild --verify` reports every table equal on the demo data and does not swap the rebuild in', async () => {
    const live = dataFiles(dataDir).read;
    const before = fs.statSync(live).ino;
    const { stdout } = await promisify(execFile)(
      'node',
      [path.resolve(import.meta.dirname, '../bin/gopy.js'), 'rebuild', '--verify'],
      {
        env: { ...process.env, ...env, GOPY_DATA_DIR: dataDir },
      },
    );
    for (const table of readModelTables()) expect(stdout).toMatch(new RegExp(`${table}: equal`));
    expect(stdout).toContain('Replay proof: every read model is equal');
    expect(fs.statSync(live).ino).toBe(before);
    expect(fs.existsSync(`${live}.rebuild`)).toBe(false);
  });
});
