/**
 * Helpers of the load and fault suites. Data folders are prepared in-process through the real command handlers
 * (tests/bench/lib/fixture.ts: accounts with sessions, a policy with an open round); then the real server is started on
 * them as its own process and everything else goes over HTTP. Afterwards the SQLite files are inspected directly: the
 * event log (every acknowledged comment exactly once) and the read models (equal to a rebuild from position 0).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Projector } from '@gopy/application/projector';
import { allReadModels } from '@gopy/application/readModels/index';
import { openSqliteEventStore } from '@gopy/adapters/eventStore/sqliteEventStore';
import { SqliteKeyStore } from '@gopy/adapters/keyStore/sqliteKeyStore';
import { openSqliteReadStore } from '@gopy/adapters/readStore/sqliteReadStore';
import { dataFiles } from '@gopy/composition/runtime';
import { loadSecrets } from '@gopy/composition/secrets';
import { createWorld, openRuntime, runtimeConfig, type World } from '../bench/lib/fixture';
import { SUBMIT_COMMENT } from '../bench/lib/http';

export const FULL = process.env.GOPY_LOAD_FULL === '1';

/** The server's environment in these suites: no site, and the per-account comment rate limit off (0 = unlimited),
 *  since every simulated participant shares one address. */
export const SERVER_ENV = { GOPY_SERVE_WEB: '0', GOPY_RATE_COMMENTS_PER_MINUTE: '0' };

export function say(msg: string): void {
  console.log(`[load] ${msg}`);
}

export async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    say(`${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

/**
 * Waits for `promise` at most `ms`; past that it fails saying what it waited for and, from `state`, where things stood.
 * The work itself is not cancelled: the test fails and its afterAll stops the server.
 */
export async function within<T>(ms: number, what: string, promise: Promise<T>, state?: () => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(`timed out after ${(ms / 1000).toFixed(0)} s waiting for ${what}${state ? ` (${state()})` : ''}`),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A fresh data folder with an organisation, a staff member, a policy open for comment and `participants` sessions. */
export async function prepareDataDir(participants: number): Promise<{ dataDir: string; world: World }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-load-'));
  const runtime = await openRuntime(dataDir);
  try {
    const world = await createWorld(runtime, { participants });
    await runtime.projector.catchUpOnce();
    return { dataDir, world };
  } finally {
    await runtime.close();
  }
}

export interface Outcome {
  /** HTTP status, or 0 when no response came (connection refused or reset). */
  status: number;
  typename?: string;
  code?: string;
  commentId?: string;
  position?: string;
  error?: string;
  ms: number;
}

const TIMEOUT_MS = 60_000;

export async function graphql(
  baseUrl: string,
  token: string | undefined,
  query: string,
  variables: Record<string, unknown>,
): Promise<{ status: number; body?: any; error?: string; ms: number }> {
  const started = performance.now();
  try {
    const res = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await res.text();
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      return { status: res.status, error: `not JSON: ${text.slice(0, 200)}`, ms: performance.now() - started };
    }
    return { status: res.status, body, ms: performance.now() - started };
  } catch (err) {
    const cause =
      err instanceof Error && err.cause instanceof Error
        ? ` (${(err.cause as Error & { code?: string }).code ?? ''} ${err.cause.message})`
        : '';
    return {
      status: 0,
      error: err instanceof Error ? `${err.name}: ${err.message}${cause}` : String(err),
      ms: performance.now() - started,
    };
  }
}

export function commentInput(policyId: string, key: string, n: number) {
  // Every tenth body arrives decomposed (NFD), as some keyboards send Vietnamese.
  const body = `Ý kiến số ${n}: đề nghị công khai các khoản thu và hoà giải khi phụ huynh chưa đồng thuận.`;
  return {
    policyId,
    body: n % 10 === 0 ? body.normalize('NFD') : body,
    stance: (['SUPPORT', 'OPPOSE', 'NEUTRAL', 'SUGGESTION'] as const)[n % 4],
    idempotencyKey: key,
  };
}

/** Submits one comment; success only for HTTP 200, no `errors`, and MutationSubmitCommentSuccess. */
export async function submitComment(
  baseUrl: string,
  token: string,
  input: ReturnType<typeof commentInput>,
): Promise<Outcome> {
  const r = await graphql(baseUrl, token, SUBMIT_COMMENT, { input });
  const result = r.body?.data?.submitComment;
  const outcome: Outcome = {
    status: r.status,
    ms: r.ms,
    typename: result?.__typename,
    code: result?.code ?? r.body?.errors?.[0]?.extensions?.code,
  };
  if (r.error) outcome.error = r.error;
  else if (r.body?.errors) outcome.error = JSON.stringify(r.body.errors).slice(0, 300);
  if (result?.__typename === 'MutationSubmitCommentSuccess') {
    outcome.commentId = result.data.comment.id;
    outcome.position = result.data.position;
  }
  return outcome;
}

export const succeeded = (o: Outcome) => o.status === 200 && !o.error && o.typename === 'MutationSubmitCommentSuccess';

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!);
}

/** How many CommentSubmitted events each comment stream holds, straight from the event table. */
export function commentEventsPerStream(dataDir: string): Map<string, number> {
  const db = new Database(dataFiles(dataDir).events, { readonly: true });
  try {
    const rows = db
      .prepare("SELECT stream_id, count(*) AS n FROM events WHERE type = 'CommentSubmitted' GROUP BY stream_id")
      .all() as { stream_id: string; n: number }[];
    return new Map(rows.map((r) => [r.stream_id.replace(/^comment-/, ''), r.n]));
  } finally {
    db.close();
  }
}

export function eventHead(dataDir: string): number {
  const db = new Database(dataFiles(dataDir).events, { readonly: true });
  try {
    return (db.prepare('SELECT max(position) AS p FROM events').get() as { p: number | null }).p ?? 0;
  } finally {
    db.close();
  }
}

export function projectorCheckpoint(readFile: string): { position: number; seq: number } | undefined {
  const db = new Database(readFile, { readonly: true });
  try {
    const row = db.prepare("SELECT position, seq FROM projector_checkpoint WHERE name = 'main'").get() as
      { position: string | null; seq: number } | undefined;
    return row ? { position: row.position === null ? 0 : Number(row.position), seq: Number(row.seq) } : undefined;
  } finally {
    db.close();
  }
}

export function readModelCommentIds(dataDir: string, policyId: string): { ids: Set<string>; commentCount: number } {
  const db = new Database(dataFiles(dataDir).read, { readonly: true });
  try {
    const ids = new Set(
      (db.prepare('SELECT id FROM comments WHERE policy_id = ?').all(policyId) as { id: string }[]).map((r) => r.id),
    );
    const commentCount = (
      db.prepare('SELECT comment_count AS n FROM policies WHERE id = ?').get(policyId) as { n: number }
    ).n;
    return { ids, commentCount };
  } finally {
    db.close();
  }
}

/** Every read-model table, rows as sorted JSON lines. */
export function dumpReadModels(file: string): Record<string, string[]> {
  const db = new Database(file, { readonly: true });
  try {
    const out: Record<string, string[]> = {};
    for (const table of allReadModels.flatMap((m) => m.tables)) {
      out[table] = (db.prepare(`SELECT * FROM ${table}`).all() as unknown[]).map((r) => JSON.stringify(r)).sort();
    }
    return out;
  } finally {
    db.close();
  }
}

/**
 * Rebuilds every read model from position 0 into a fresh file (as services/api/src/embedded.int.test.ts does) and
 * returns both dumps, live and rebuilt. The server must be stopped.
 */
export async function rebuildAndDump(
  dataDir: string,
): Promise<{ live: Record<string, string[]>; rebuilt: Record<string, string[]>; applied: number }> {
  const files = dataFiles(dataDir);
  const fresh = path.join(dataDir, `rebuild-check-${Date.now()}.sqlite`);
  const secrets = loadSecrets(runtimeConfig(dataDir), () => {});
  const store = openSqliteEventStore({ filename: files.events });
  const keys = new SqliteKeyStore(files.keys, secrets.masterKey);
  const read = openSqliteReadStore(fresh);
  let applied: number;
  try {
    const projector = new Projector({ store, db: read.db, keys, readModels: allReadModels, batchSize: 500 });
    await projector.init();
    applied = await projector.catchUpOnce();
  } finally {
    await read.close();
    await keys.close();
    await store.close();
  }
  return { live: dumpReadModels(files.read), rebuilt: dumpReadModels(fresh), applied };
}

/** Table names whose rows differ, with counts, for a readable assertion message. */
export function differences(a: Record<string, string[]>, b: Record<string, string[]>): string[] {
  const out: string[] = [];
  for (const table of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[table] ?? [];
    const y = b[table] ?? [];
    if (JSON.stringify(x) !== JSON.stringify(y)) {
      const xs = new Set(x);
      const ys = new Set(y);
      const onlyA = x.filter((r) => !ys.has(r)).slice(0, 2);
      const onlyB = y.filter((r) => !xs.has(r)).slice(0, 2);
      out.push(
        `${table}: live ${x.length} rows, rebuilt ${y.length}; live only ${JSON.stringify(onlyA)}; rebuilt only ${JSON.stringify(onlyB)}`,
      );
    }
  }
  return out;
}
