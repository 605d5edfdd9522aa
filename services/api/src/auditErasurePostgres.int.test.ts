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
 * Erasure with every store on PostgreSQL, the person choosing to destroy their comments: after it, no row of the
 * platform's schemas holds their name, email, email lookup or comment text, nor does any file of the data folder, and
 * no table file of the server keeps an old copy either. Reading those files needs the server's data directory on this
 * machine (CI runs the server here, as root or as its user); where it cannot be read, that one test is skipped and says
 * why (set GOPY_REQUIRE_PG_FILES=1 to make that a failure instead).
 */
describe('erasure on PostgreSQL', () => {
  const marker = Math.random().toString(36).slice(2, 8);
  const email = `lan.${marker}@truong-kim-dong.edu.vn`;
  const displayName = `Trần Thị Lan Qz${marker}`;
  const body = `Đề nghị giữ nguyên mức thu Zq${marker}.`;
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

  /** Why the server's table files cannot be read here, or undefined when they can. */
  async function tableFilesUnreadable(): Promise<string | undefined> {
    const dir = (await sql<{ data_directory: string }>`SHOW data_directory`.execute(runtime.readDb)).rows[0]!
      .data_directory;
    try {
      fs.accessSync(dir, fs.constants.R_OK);
      // Pages live in shared buffers until a checkpoint writes them: flush first, so the files show what is stored.
      await sql`CHECKPOINT`.execute(runtime.readDb);
      return undefined;
    } catch (err) {
      return `the PostgreSQL data directory ${dir} cannot be read here (${(err as Error).message}), so its table files cannot be scanned`;
    }
  }

  /** The files of every table, index and TOAST table of the platform's schemas. */
  async function tableFiles(): Promise<string[]> {
    const dir = (await sql<{ data_directory: string }>`SHOW data_directory`.execute(runtime.readDb)).rows[0]!
      .data_directory;
    await sql`CHECKPOINT`.execute(runtime.readDb);
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
        body,
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

  /** Every file under the data folder (mails, secrets, anything an adapter writes there) holding `needle`. */
  function dataFilesHolding(needle: string): string[] {
    const walk = (dir: string): string[] =>
      fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]));
    return walk(dataDir).filter((f) => fs.readFileSync(f).includes(Buffer.from(needle, 'utf8')));
  }

  let needles: string[];
  let report: Awaited<ReturnType<typeof eraseAccount>>;

  it('leaves no row of any table, nor file of the data folder, holding the name, email, lookup or comment text', async () => {
    needles = [`Qz${marker}`, email, runtime.accounts.emailLookup(email), body, `Zq${marker}`, `zq${marker}`];
    // Before: the read models show the name and the text (the scan can see them).
    expect(await rowsHolding(`Qz${marker}`)).toEqual(expect.arrayContaining(['gopy_read.accounts']));
    expect(await rowsHolding(body)).toEqual(expect.arrayContaining(['gopy_read.comments']));

    const admin: Principal = { accountId: randomUUID(), rolesIn: async () => ['admin'] };
    report = await eraseAccount(runtime, admin, ['admin'], accountId, 'Đơn yêu cầu số 7/2026', 'destroyed');
    expect(report.postgresTablesRewritten).toEqual(
      expect.arrayContaining(['gopy_read.accounts', 'gopy_read.comments', 'gopy_auth.credentials']),
    );
    expect(report.keysDestroyed).toEqual(
      expect.arrayContaining([`person:${accountId}`, `comment:${commentIdFor(accountId, 'erase-pg')}`]),
    );
    expect(report.commentCount).toBe(1);

    const comment = await runtime.readDb
      .selectFrom('comments')
      .select(['author_name', 'body', 'status'])
      .where('id', '=', commentIdFor(accountId, 'erase-pg'))
      .executeTakeFirstOrThrow();
    expect(comment).toEqual({ author_name: ERASED_NAME, body: null, status: 'withdrawn' });
    for (const needle of needles) {
      expect(await rowsHolding(needle), needle).toEqual([]);
      expect(dataFilesHolding(needle), needle).toEqual([]);
    }
  });

  it('leaves no table file of the server holding them either', async (ctx) => {
    expect(report, 'the erasure above ran').toBeDefined();
    const unreadable = await tableFilesUnreadable();
    if (unreadable && process.env.GOPY_REQUIRE_PG_FILES === '1') throw new Error(unreadable);
    ctx.skip(unreadable !== undefined, unreadable);
    const files = await tableFiles();
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const bytes = fs.readFileSync(file);
      for (const needle of needles)
        expect(bytes.includes(Buffer.from(needle, 'utf8')), `${file} holds ${needle}`).toBe(false);
    }
  });
});
