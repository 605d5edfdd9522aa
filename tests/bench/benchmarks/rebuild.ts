/**
 * rebuild: every read model rebuilt from position 0 of a generated log into a fresh database, exactly as
 * `gopy rebuild` does (Projector.catchUpOnce, batches of 1,000, the SQLite read store), against bare better-sqlite3
 * reading the same log in order, parsing it (JSON, and the sealed fields decrypted with node:crypto from the same
 * key store), and writing the same comment and account rows in batches of the same size, into the same schema with the
 * same pragmas.
 *
 * The baseline projects the events that make up the log's bulk (AccountRegistered, AccountEmailVerified,
 * CommentSubmitted with the policy's comment counter and its full-text search row); the few organisation and policy events at its start are copied
 * from our rebuilt database before the clock starts. Its rows are compared with ours afterwards (detail.rowCheck).
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { Projector } from '@gopy/application/projector';
import { allReadModels } from '@gopy/application/readModels/index';
import { findNode, nodeLabel } from '@gopy/application/readModels/comments';
import { foldText } from '@gopy/application/readModels/search';
import { decryptField } from '@gopy/application/sealing';
import { openSqliteEventStore } from '@gopy/adapters/eventStore/sqliteEventStore';
import { SqliteKeyStore } from '@gopy/adapters/keyStore/sqliteKeyStore';
import { unwrapKey } from '@gopy/adapters/keyStore/wrapping';
import { openSqliteReadStore } from '@gopy/adapters/readStore/sqliteReadStore';
import { dataFiles } from '@gopy/composition/runtime';
import { loadSecrets } from '@gopy/composition/secrets';
import type { DraftNode } from '@gopy/schemas';
import { runtimeConfig } from '../lib/fixture';

export const REBUILD_BATCH = 1_000;

export interface RebuildResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  rssBeforeMb: number;
  rssAfterMb: number;
}

function rssMb(): number {
  return Math.round(process.memoryUsage().rss / 1e5) / 10;
}

/** Ours: the projector of `gopy rebuild`, from position 0 into `freshFile`. */
export async function rebuildOurs(
  dataDir: string,
  freshFile: string,
  onProgress?: (n: number) => void,
): Promise<RebuildResult> {
  for (const f of [freshFile, `${freshFile}-wal`, `${freshFile}-shm`]) fs.rmSync(f, { force: true });
  const files = dataFiles(dataDir);
  const secrets = loadSecrets(runtimeConfig(dataDir), () => {});
  const store = openSqliteEventStore({ filename: files.events });
  const keys = new SqliteKeyStore(files.keys, secrets.masterKey);
  const read = openSqliteReadStore(freshFile);
  const rssBeforeMb = rssMb();
  try {
    const projector = new Projector({ store, db: read.db, keys, readModels: allReadModels, batchSize: REBUILD_BATCH });
    await projector.init();
    const started = performance.now();
    const events = await projector.catchUpOnce(onProgress);
    const seconds = (performance.now() - started) / 1000;
    return { events, seconds, eventsPerSecond: events / seconds, rssBeforeMb, rssAfterMb: rssMb() };
  } finally {
    await read.close();
    await keys.close();
    await store.close();
  }
}

interface LogRow {
  position: number;
  type: string;
  data: string;
  metadata: string;
}

const camel = (column: string) => column.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/** Bare better-sqlite3 and node:crypto, same schema (copied from ours) and pragmas (sqliteReadStore.ts). */
export function rebuildBaseline(
  dataDir: string,
  oursFile: string,
  baselineFile: string,
): RebuildResult & { rowCheck: Record<string, unknown> } {
  for (const f of [baselineFile, `${baselineFile}-wal`, `${baselineFile}-shm`]) fs.rmSync(f, { force: true });
  const files = dataFiles(dataDir);
  const { masterKey } = loadSecrets(runtimeConfig(dataDir), () => {});
  const log = new Database(files.events, { readonly: true });
  const keysDb = new Database(files.keys, { readonly: true });
  const ours = new Database(oursFile, { readonly: true });
  const out = new Database(baselineFile);
  out.pragma('journal_mode = WAL');
  out.pragma('synchronous = NORMAL');
  out.pragma('busy_timeout = 5000');
  out.pragma('cache_size = -65536');
  const rssBeforeMb = rssMb();
  let notInBaseline: string[];
  try {
    // Same tables and indexes as ours (a virtual table's shadow tables come with it).
    const ddl = ours
      .prepare(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type = 'index'",
      )
      .all() as { name: string; sql: string }[];
    const virtual = ddl.filter((d) => /^CREATE VIRTUAL TABLE/i.test(d.sql)).map((d) => d.name);
    for (const { name, sql } of ddl) if (!virtual.some((v) => name.startsWith(`${v}_`))) out.exec(sql);
    const search = virtual.includes('comment_search')
      ? out.prepare('INSERT INTO comment_search (rowid, folded, comment_id, policy_id) VALUES (?, ?, ?, ?)')
      : undefined;
    // The handful of organisation and policy rows, copied before the clock starts.
    const copied = ['organizations', 'memberships', 'policies', 'policy_versions', 'rounds', 'projector_checkpoint'];
    for (const table of copied) {
      const rows = ours.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[];
      for (const row of rows) {
        const cols = Object.keys(row);
        out
          .prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`)
          .run(...cols.map((c) => row[c]));
      }
    }
    out.prepare('UPDATE policies SET comment_count = 0').run();
    // Ours' other tables with rows the baseline does not write (read models the baseline does not reproduce).
    const tablesOf = (db: Database.Database) =>
      (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as {
          name: string;
        }[]
      ).map((r) => r.name);
    notInBaseline = tablesOf(ours).filter(
      (t) =>
        ![
          'organizations',
          'memberships',
          'policies',
          'policy_versions',
          'rounds',
          'projector_checkpoint',
          'comments',
          'accounts',
          'comment_revisions',
          'comment_counts',
        ].includes(t) &&
        !t.startsWith('comment_search') &&
        (ours.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n > 0,
    );
    const versions = new Map<string, DraftNode[]>();
    for (const v of ours.prepare('SELECT policy_id, number, nodes FROM policy_versions').all() as {
      policy_id: string;
      number: number;
      nodes: string;
    }[]) {
      versions.set(`${v.policy_id}:${v.number}`, JSON.parse(v.nodes) as DraftNode[]);
    }
    const columns = (table: string) =>
      (ours.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
    const commentCols = columns('comments');
    const accountCols = columns('accounts');
    const insertComment = out.prepare(
      `INSERT INTO comments (${commentCols.join(', ')}) VALUES (${commentCols.map(() => '?').join(', ')})`,
    );
    const insertAccount = out.prepare(
      `INSERT INTO accounts (${accountCols.join(', ')}) VALUES (${accountCols.map(() => '?').join(', ')})`,
    );
    const verify = out.prepare('UPDATE accounts SET email_verified = 1 WHERE id = ?');
    const bump = out.prepare('UPDATE policies SET comment_count = comment_count + 1 WHERE id = ?');
    const hasRevisions = ddl.some((d) => d.name === 'comment_revisions');
    const insertRevision = hasRevisions
      ? out.prepare('INSERT INTO comment_revisions (comment_id, revision, body, stance, at) VALUES (?, 1, ?, ?, ?)')
      : undefined;
    const hasCounts = ddl.some((d) => d.name === 'comment_counts');
    const addCount = hasCounts
      ? out.prepare(
          'INSERT INTO comment_counts (policy_id, scope, visible) VALUES (?, ?, ?) ON CONFLICT (policy_id, scope) DO UPDATE SET visible = visible + excluded.visible',
        )
      : undefined;
    // Visible-comment counters per policy, node and whole draft, summed over the batch as ours does.
    let counts = new Map<string, [string, string, number]>();
    const count = (policyId: string, scope: string) => {
      const k = `${policyId}\u0000${scope}`;
      const hit = counts.get(k);
      if (hit) hit[2] += 1;
      else counts.set(k, [policyId, scope, 1]);
    };
    const checkpoint = out.prepare('UPDATE projector_checkpoint SET position = ?, seq = ?');
    const page = log.prepare(
      'SELECT position, type, data, metadata FROM events WHERE position > ? ORDER BY position LIMIT 500',
    );
    const keyRow = keysDb.prepare('SELECT wrapped, destroyed FROM data_keys WHERE key_id = ?');
    const names = new Map<string, string>();
    const key = (keyId: string): Buffer | undefined => {
      const row = keyRow.get(keyId) as { wrapped: Buffer | null; destroyed: number } | undefined;
      return row && !row.destroyed && row.wrapped ? unwrapKey(masterKey, keyId, row.wrapped) : undefined;
    };
    const open = (keyId: string, path: string, value: unknown): string | null => {
      if (typeof value !== 'string') return null;
      const k = key(keyId);
      return k ? decryptField(k, keyId, path, value) : null;
    };

    type Write = () => void;
    let batch: Write[] = [];
    const flush = (position: number, seq: number) => {
      const writes = batch;
      batch = [];
      const batchCounts = counts;
      counts = new Map();
      out.transaction(() => {
        for (const w of writes) w();
        if (addCount) for (const [policyId, scope, n] of batchCounts.values()) addCount.run(policyId, scope, n);
        checkpoint.run(String(position).padStart(16, '0'), seq);
      })();
    };
    const started = performance.now();
    let after = 0;
    let seq = 0;
    let events = 0;
    for (;;) {
      const rows = page.all(after) as LogRow[];
      if (rows.length === 0) break;
      for (const row of rows) {
        seq += 1;
        events += 1;
        after = row.position;
        const d = JSON.parse(row.data) as Record<string, unknown>;
        const m = JSON.parse(row.metadata) as { recordedAt: string; occurredAt: string };
        const s = seq;
        if (row.type === 'CommentSubmitted') {
          const commentId = d.commentId as string;
          const body = open(`comment:${commentId}`, 'body', d.body);
          const pseudonym = d.pseudonym === null ? null : open(`comment:${commentId}`, 'pseudonym', d.pseudonym);
          const nodes = d.anchorNodeId ? versions.get(`${d.policyId}:${d.version}`) : undefined;
          const node = nodes ? findNode(nodes, d.anchorNodeId as string) : undefined;
          const author = pseudonym ?? (d.authorAccountId ? (names.get(d.authorAccountId as string) ?? '') : '');
          const values: Record<string, unknown> = {
            id: commentId,
            anchor_label: node ? nodeLabel(node) : null,
            parent_id: d.parentCommentId,
            author_name: author,
            body,
            status: 'visible',
            submitted_at: m.recordedAt,
            edited: 0,
            seq: s,
            hidden_reason: null,
            hidden_reason_code: null,
          };
          const params = commentCols.map((c) =>
            c in values ? values[c] : c.endsWith('_count') ? 0 : (d[camel(c)] ?? null),
          );
          const folded = search && body !== null ? foldText(body) : undefined;
          if (addCount) {
            count(d.policyId as string, '');
            count(d.policyId as string, d.anchorNodeId ? `node:${d.anchorNodeId as string}` : 'whole');
          }
          batch.push(() => {
            insertComment.run(...params);
            insertRevision?.run(commentId, body, d.stance, m.recordedAt);
            bump.run(d.policyId);
            if (folded !== undefined) search!.run(s, folded, commentId, d.policyId);
          });
        } else if (row.type === 'AccountRegistered') {
          const keyId = `person:${d.personalDataKeyId as string}`;
          const displayName = open(keyId, 'displayName', d.displayName) ?? '';
          const pseudonym = d.pseudonym === null ? null : open(keyId, 'pseudonym', d.pseudonym);
          names.set(d.accountId as string, pseudonym ?? displayName);
          const values: Record<string, unknown> = {
            id: d.accountId,
            display_name: displayName,
            pseudonym,
            email_verified: 0,
            erased: 0,
            registered_at: m.occurredAt,
          };
          const params = accountCols.map((c) => (c in values ? values[c] : (d[camel(c)] ?? null)));
          batch.push(() => insertAccount.run(...params));
        } else if (row.type === 'AccountEmailVerified') {
          batch.push(() => verify.run(d.accountId));
        }
        if (events % REBUILD_BATCH === 0) flush(after, seq);
      }
    }
    if (batch.length > 0 || events % REBUILD_BATCH !== 0) flush(after, seq);
    const seconds = (performance.now() - started) / 1000;
    const rowCheck = { ...compareRows(ours, out), tablesWithRowsOnlyOurs: notInBaseline };
    return { events, seconds, eventsPerSecond: events / seconds, rssBeforeMb, rssAfterMb: rssMb(), rowCheck };
  } finally {
    out.close();
    ours.close();
    keysDb.close();
    log.close();
  }
}

/** Counts, and 2,000 comments plus every account compared column by column (so a drifting baseline shows). */
function compareRows(ours: Database.Database, baseline: Database.Database): Record<string, unknown> {
  const count = (db: Database.Database, table: string) =>
    (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  const sample = ours.prepare('SELECT * FROM comments ORDER BY random() LIMIT 2000').all() as Record<string, unknown>[];
  const byId = baseline.prepare('SELECT * FROM comments WHERE id = ?');
  const differing = new Set<string>();
  for (const row of sample) {
    const other = byId.get(row.id) as Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(row)) if (!other || other[k] !== v) differing.add(k);
  }
  const accounts = ours.prepare('SELECT * FROM accounts ORDER BY id').all();
  const accountsBaseline = baseline.prepare('SELECT * FROM accounts ORDER BY id').all();
  const policyCount = (db: Database.Database) =>
    (db.prepare('SELECT sum(comment_count) AS n FROM policies').get() as { n: number }).n;
  const hasSearch =
    (ours.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'comment_search'").get() as { n: number }).n >
    0;
  return {
    ...(hasSearch
      ? { searchRows: { ours: count(ours, 'comment_search'), baseline: count(baseline, 'comment_search') } }
      : {}),
    comments: { ours: count(ours, 'comments'), baseline: count(baseline, 'comments') },
    sampledComments: sample.length,
    differingCommentColumns: [...differing],
    accountsEqual: JSON.stringify(accounts) === JSON.stringify(accountsBaseline),
    policyCommentCount: { ours: policyCount(ours), baseline: policyCount(baseline) },
    ...(hasTable(ours, 'comment_counts') && hasTable(baseline, 'comment_counts')
      ? { commentCountsEqual: JSON.stringify(countRows(ours)) === JSON.stringify(countRows(baseline)) }
      : {}),
    ...(hasTable(ours, 'comment_revisions')
      ? { revisions: { ours: count(ours, 'comment_revisions'), baseline: count(baseline, 'comment_revisions') } }
      : {}),
  };
}

function hasTable(db: Database.Database, name: string): boolean {
  return (
    (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) as { n: number })
      .n > 0
  );
}

function countRows(db: Database.Database): unknown[] {
  return db
    .prepare('SELECT policy_id, scope, visible FROM comment_counts WHERE visible <> 0 ORDER BY policy_id, scope')
    .all();
}
