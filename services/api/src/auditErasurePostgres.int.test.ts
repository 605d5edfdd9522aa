import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createThrowawayDatabase } from '@gopy/adapters/postgres/throwawayDatabase';
import { commentIdFor, type Principal } from '@gopy/application/commands';
import { ERASED_NAME } from '@gopy/application/readModels/index';
import { eraseAccount } from './auditErasure';
import { loadConfig } from '@gopy/composition/config';
import { seedDemo } from '@gopy/composition/demo';
import { openEmbeddedRuntime, type Runtime } from '@gopy/composition/runtime';

/**
 * Erasure with every store on PostgreSQL: after it, no row of the platform's schemas holds the person's name or email,
 * and (where the test can read the server's data directory, as CI can) no table file keeps an old copy either.
 */
describe('erasure on PostgreSQL', () => {
  const marker = Math.random().toString(36).slice(2, 8);
  const email = `lan.${marker}@truong-kim-dong.edu.vn`;
  const displayName = `Trần Thị Lan Qz${marker}`;
  let database: { url: string; drop(): Promise<void> };
  let runtime: Runtime;
  let dataDir: string;
  let accountId: string;

  /** Rows of the platform's schemas whose text holds `needle`, as "schema.table". */
  async function rowsHolding(needle: string): Promise<string[]> {
    const tables = await sql<{ schemaname: string; tablename: string }>`
      SELECT schemaname, tablename FROM pg_tables WHERE schemaname LIKE 'gopy%' ORDER BY 1, 2`.execute(runtime.readDb);
    const found: string[] = [];
    for (const t of tables.rows) {
      const r = await sql<{
        n: string;
      }>`SELECT count(*) AS n FROM ${sql.table(`${t.schemaname}.${t.tablename}`)} AS x WHERE x::text LIKE ${`%${needle}%`}`.execute(
        runtime.readDb,
      );
      if (Number(r.rows[0]!.n) > 0) found.push(`${t.schemaname}.${t.tablename}`);
    }
    return found;
  }

  /** The files of every table, index and TOAST table of the platform's schemas, when the data directory is readable. */
  async function tableFiles(): Promise<string[] | undefined> {
    const dir = (await sql<{ data_directory: string }>`SHOW data_directory`.execute(runtime.readDb)).rows[0]!
      .data_directory;
    try {
      fs.accessSync(dir, fs.constants.R_OK);
      // Pages live in shared buffers until a checkpoint writes them: flush first, so the files show what is stored.
      await sql`CHECKPOINT`.execute(runtime.readDb);
    } catch {
      return undefined;
    }
    const rels = await sql<{ file: string | null }>`
      SELECT pg_relation_filepath(c.oid) AS file FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname LIKE 'gopy%' OR c.oid IN (SELECT reltoastrelid FROM pg_class c2 JOIN pg_namespace n2 ON n2.oid = c2.relnamespace WHERE n2.nspname LIKE 'gopy%')`.execute(
      runtime.readDb,
    );
    return rels.rows
      .filter((r) => r.file)
      .flatMap((r) => {
        const base = path.join(dir, r.file!);
        const parent = path.dirname(base);
        // A relation over 1 GB continues in base.1, base.2…; the free-space and visibility maps hold no tuples.
        return fs.existsSync(parent)
          ? fs
              .readdirSync(parent)
              .filter((f) => f === path.basename(base) || f.startsWith(`${path.basename(base)}.`))
              .map((f) => path.join(parent, f))
          : [];
      });
  }

  beforeAll(async () => {
    database = await createThrowawayDatabase('gopy_erase');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-erase-pg-'));
    runtime = await openEmbeddedRuntime(
      loadConfig({
        GOPY_DATA_DIR: dataDir,
        GOPY_DEMO: '0',
        GOPY_EVENT_STORE: 'postgres',
        GOPY_READ_STORE: 'postgres',
        DATABASE_URL: database.url,
        GOPY_SERVE_WEB: '0',
      }),
      { log: () => {} },
    );
    runtime.projector.start();
    await seedDemo(runtime);
    accountId = await runtime.accounts.signUp(
      {
        email,
        password: 'mat-khau-rat-dai-456',
        displayName,
        pseudonym: null,
        stakeholderCategory: 'parent',
        locale: 'vi',
      },
      { origin: 'admin', verified: true },
    );
    const open = await runtime.readDb
      .selectFrom('policies')
      .select('id')
      .where('status', '=', 'consultation')
      .executeTakeFirstOrThrow();
    const me: Principal = { accountId, rolesIn: async () => ['participant'] };
    await runtime.commands.comment(
      {
        type: 'SubmitComment',
        commentId: commentIdFor(accountId, 'erase-pg'),
        policyId: open.id,
        version: 1,
        anchorNodeId: null,
        parentCommentId: null,
        body: 'Đề nghị giữ nguyên mức thu.',
        stance: 'support',
        stakeholderCategory: 'parent',
        authorAccountId: accountId,
        pseudonym: null,
        idempotencyKey: 'erase-pg',
      },
      me,
    );
    await runtime.projector.waitFor((await runtime.store.headPosition())!, 30_000);
  }, 120_000);

  afterAll(async () => {
    await runtime?.close();
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves no row nor table file holding the name, and the comment authored by "erased participant"', async () => {
    // Before: the read models show the name (the scan can see it).
    expect(await rowsHolding(`Qz${marker}`)).toEqual(expect.arrayContaining(['gopy_read.accounts']));
    const before = await tableFiles();
    if (before) expect(before.some((f) => fs.readFileSync(f).includes(Buffer.from(`Qz${marker}`, 'utf8')))).toBe(true);

    const admin: Principal = { accountId: randomUUID(), rolesIn: async () => ['admin'] };
    const report = await eraseAccount(runtime, admin, ['admin'], accountId, 'Đơn yêu cầu số 7/2026', 'anonymous');
    expect(report.postgresTablesRewritten).toEqual(
      expect.arrayContaining(['gopy_read.accounts', 'gopy_read.comments']),
    );
    expect(report.keysDestroyed.length).toBeGreaterThan(0);

    const comment = await runtime.readDb
      .selectFrom('comments')
      .select('author_name')
      .where('id', '=', commentIdFor(accountId, 'erase-pg'))
      .executeTakeFirstOrThrow();
    expect(comment.author_name).toBe(ERASED_NAME);
    for (const needle of [`Qz${marker}`, email]) expect(await rowsHolding(needle), needle).toEqual([]);

    const after = await tableFiles();
    if (!after) {
      console.warn('the PostgreSQL data directory is not readable here: table files not scanned');
      return;
    }
    expect(after.length).toBeGreaterThan(0);
    for (const file of after) {
      const bytes = fs.readFileSync(file);
      for (const needle of [`Qz${marker}`, email])
        expect(bytes.includes(Buffer.from(needle, 'utf8')), `${file} holds ${needle}`).toBe(false);
    }
  });
});
