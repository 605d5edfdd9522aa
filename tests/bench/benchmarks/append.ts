/**
 * append_single, append_concurrent, append_vs_peer: comments appended through our command handlers (write path with
 * sealing and hash chain, SQLite store with group commit), against bare better-sqlite3 inserting the very rows ours
 * stored, and against Emmett's SQLite appendToStream appending the same events.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteEventStore } from '@gopy/adapters/eventStore/sqliteEventStore';
import { dataFiles, type Runtime } from '@gopy/composition/runtime';
import { createWorld, openRuntime, submitViaCommands, type World } from '../lib/fixture';
import { round } from '../lib/http';
import type { Entry } from '../lib/report';

interface Row {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  hash: string;
}

/** The event store's pragmas (sqliteEventStore.ts), applied to every baseline file. */
function storePragmas(db: Database.Database): void {
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
}

function head(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT max(position) AS p FROM events').get() as { p: number | null }).p ?? 0;
  } finally {
    db.close();
  }
}

function rowsAfter(file: string, after: number): { rows: Row[]; ddl: string[] } {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position').all(after) as Row[];
    const ddl = (
      db.prepare("SELECT sql FROM sqlite_master WHERE tbl_name = 'events' AND sql IS NOT NULL").all() as {
        sql: string;
      }[]
    ).map((r) => r.sql);
    return { rows, ddl };
  } finally {
    db.close();
  }
}

/** Bare better-sqlite3: the same rows, same schema and pragmas, `perTransaction` rows per transaction. */
function bareInsert(dir: string, rows: Row[], ddl: string[], perTransaction: number): number {
  const file = path.join(dir, `bare-${perTransaction}-${Date.now()}-${Math.random().toString(36).slice(2)}.sqlite`);
  const db = new Database(file);
  storePragmas(db);
  for (const sql of ddl) db.exec(sql);
  const insert = db.prepare(
    'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const many = db.transaction((slice: Row[]) => {
    for (const r of slice) insert.run(r.stream_id, r.revision, r.event_id, r.type, r.data, r.metadata, r.hash);
  });
  const started = performance.now();
  if (perTransaction === 1) {
    for (const r of rows) insert.run(r.stream_id, r.revision, r.event_id, r.type, r.data, r.metadata, r.hash);
  } else {
    for (let i = 0; i < rows.length; i += perTransaction) many(rows.slice(i, i + perTransaction));
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return rows.length / seconds;
}

/** Our store alone (group commit, revision checks, savepoints), appending the already stamped rows. */
async function storeOnly(dir: string, rows: Row[], concurrency: number): Promise<number> {
  const store = openSqliteEventStore({ filename: path.join(dir, `store-${concurrency}-${Date.now()}.sqlite`) });
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const r = rows[next++];
        if (!r) return;
        await store.append(
          r.stream_id,
          [{ eventId: r.event_id, type: r.type, data: r.data, metadata: r.metadata, hash: r.hash }],
          'no_stream',
        );
      }
    }),
  );
  const rate = rows.length / ((performance.now() - started) / 1000);
  await store.close();
  return rate;
}

/** Emmett's appendToStream on one persistent connection, the same events (data and metadata as objects). */
async function emmettAppend(dir: string, rows: Row[]): Promise<number> {
  const { sqliteConnection, createEventStoreSchema, appendToStream } = await import('@event-driven-io/emmett-sqlite');
  const { STREAM_DOES_NOT_EXIST } = await import('@event-driven-io/emmett');
  const connection = sqliteConnection({ fileName: path.join(dir, `emmett-${Date.now()}.sqlite`) });
  try {
    await connection.command('PRAGMA busy_timeout = 5000');
    await connection.command('PRAGMA synchronous = NORMAL');
    await createEventStoreSchema(connection);
    const started = performance.now();
    for (const r of rows) {
      const result = await appendToStream(
        connection,
        r.stream_id,
        'comment',
        [
          {
            type: r.type,
            data: JSON.parse(r.data) as Record<string, unknown>,
            metadata: JSON.parse(r.metadata) as Record<string, unknown>,
          },
        ],
        { expectedStreamVersion: STREAM_DOES_NOT_EXIST },
      );
      if (!result.success) throw new Error(`emmett refused an append to ${r.stream_id}`);
    }
    return rows.length / ((performance.now() - started) / 1000);
  } finally {
    connection.close();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface AppendSizes {
  single: number;
  concurrent: number;
  rounds: number;
}

export async function appendBenchmarks(sizes: AppendSizes, log: (m: string) => void): Promise<Record<string, Entry>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-bench-append-'));
  const runtime: Runtime = await openRuntime(dir);
  const eventsFile = dataFiles(dir).events;
  try {
    const world: World = await createWorld(runtime, { participants: 200 });
    // Warm-up: JIT, statement caches, key store.
    await submitViaCommands(runtime, world, 300, { concurrency: 8 });

    const single = { ours: [] as number[], bare: [] as number[], store: [] as number[], peer: [] as number[] };
    let peerError: string | undefined;
    const concurrent = { ours: [] as number[], bare: [] as number[], store: [] as number[], batches: [] as number[] };
    for (let r = 0; r < sizes.rounds; r++) {
      const before = head(eventsFile);
      const ours = await submitViaCommands(runtime, world, sizes.single, { concurrency: 1 });
      single.ours.push(ours.appended / ours.seconds);
      const { rows, ddl } = rowsAfter(eventsFile, before);
      single.bare.push(bareInsert(dir, rows, ddl, 1));
      single.store.push(await storeOnly(dir, rows, 1));
      if (!peerError) {
        try {
          single.peer.push(await emmettAppend(dir, rows));
        } catch (err) {
          peerError = err instanceof Error ? err.message : String(err);
        }
      }
      log(
        `append round ${r + 1}: single ours ${round(single.ours.at(-1)!)} /s, bare ${round(single.bare.at(-1)!)} /s, emmett ${peerError ? peerError : round(single.peer.at(-1)!)}`,
      );

      const beforeC = head(eventsFile);
      const statsBefore = (
        runtime.store as unknown as { stats?: () => { appends: number; batches: number } }
      ).stats?.();
      const oursC = await submitViaCommands(runtime, world, sizes.concurrent, { concurrency: 64 });
      const statsAfter = (runtime.store as unknown as { stats?: () => { appends: number; batches: number } }).stats?.();
      concurrent.ours.push(oursC.appended / oursC.seconds);
      if (statsBefore && statsAfter)
        concurrent.batches.push(
          (statsAfter.appends - statsBefore.appends) / Math.max(1, statsAfter.batches - statsBefore.batches),
        );
      const c = rowsAfter(eventsFile, beforeC);
      concurrent.bare.push(bareInsert(dir, c.rows, c.ddl, 100));
      concurrent.store.push(await storeOnly(dir, c.rows, 64));
      log(
        `append round ${r + 1}: concurrent ours ${round(concurrent.ours.at(-1)!)} /s, bare(100/tx) ${round(concurrent.bare.at(-1)!)} /s`,
      );
    }
    const entry = (ours: number[], base: number[], detail: Record<string, unknown>): Entry => {
      const o = median(ours);
      const b = median(base);
      return { ours: round(o), baseline: round(b), ratio: round(o / b, 3), unit: 'events/s', detail };
    };
    const res: Record<string, Entry> = {};
    res.append_single = entry(single.ours, single.bare, {
      target: 'ratio >= 0.7',
      events: sizes.single,
      rounds: sizes.rounds,
      ours: "CommandHandlers.comment (the API mutation's write path: load comment + policy streams, decide, seal with a new per-comment key, hash chain, append), one at a time",
      baseline:
        'bare better-sqlite3, the same stored rows, one INSERT per transaction, same schema and pragmas (WAL, synchronous=NORMAL)',
      oursPerRound: single.ours.map((x) => round(x)),
      baselinePerRound: single.bare.map((x) => round(x)),
      storeOnlyEventsPerSecond: round(median(single.store)),
      storeOnlyRatio: round(median(single.store) / median(single.bare), 3),
    });
    res.append_concurrent = entry(concurrent.ours, concurrent.bare, {
      target: 'ratio >= 0.4',
      events: sizes.concurrent,
      inFlight: 64,
      rounds: sizes.rounds,
      baseline: 'bare better-sqlite3, the same stored rows, 100 per transaction',
      oursPerRound: concurrent.ours.map((x) => round(x)),
      baselinePerRound: concurrent.bare.map((x) => round(x)),
      meanAppendsPerGroupCommit: concurrent.batches.length ? round(median(concurrent.batches)) : null,
      storeOnlyEventsPerSecond: round(median(concurrent.store)),
      storeOnlyRatio: round(median(concurrent.store) / median(concurrent.bare), 3),
    });
    res.append_vs_peer = peerError
      ? {
          ours: round(median(single.ours)),
          baseline: null,
          ratio: null,
          unit: 'events/s',
          detail: { target: 'ratio >= 5', skipped: `@event-driven-io/emmett-sqlite could not run: ${peerError}` },
        }
      : entry(single.ours, single.peer, {
          target: 'ratio >= 5',
          peer: '@event-driven-io/emmett-sqlite 0.38.5 appendToStream on one persistent sqlite3 connection (WAL, synchronous=NORMAL), one event per append, the same events as ours (data and metadata objects)',
          events: sizes.single,
          oursPerRound: single.ours.map((x) => round(x)),
          peerPerRound: single.peer.map((x) => round(x)),
          storeOnlyVsPeer: round(median(single.store) / median(single.peer), 3),
        });
    return res;
  } finally {
    await runtime.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
