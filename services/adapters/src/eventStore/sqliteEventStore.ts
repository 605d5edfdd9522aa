/**
 * The SQLite adapter of the event store port: the embedded default (one file, zero set-up).
 *
 * One table; its rowid is the global position. SQLite serialises writers and a commit becomes visible all at once, so
 * every reader sees a gap-free prefix of positions: a subscription that remembers the last position it delivered can
 * never skip an event committed later with a smaller position (the hazard the PostgreSQL adapter has to work around).
 *
 * Writes go through group commit: appends arriving while a flush is pending share one transaction, each inside its own
 * savepoint, so a surge costs one commit per batch while a conflicting append still fails alone.
 */
import { revisionMatches, validateAppend } from './appendChecks';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { openPrivateDatabase, privateFolder } from '../privateFiles';
import {
  WrongExpectedRevisionError,
  type AllFilter,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type Subscription,
} from '@gopy/application/eventStore';
import { DuplicateEventIdError } from './errors';
import { PollingSubscription, readPages, type Scan } from './pollingSubscription';

/** Wide enough for every safe integer (2^53 has 16 digits), so string order equals numeric order. */
export const SQLITE_POSITION_DIGITS = 16;

const POSITION_PATTERN = /^\d{16}$/;

/** The position of the event stored at this rowid. 0 means "before the first event". */
export function sqlitePosition(rowid: number): Position {
  if (!Number.isSafeInteger(rowid) || rowid < 0) throw new RangeError(`Not a SQLite event position: ${rowid}`);
  return String(rowid).padStart(SQLITE_POSITION_DIGITS, '0') as Position;
}

/** The rowid behind a position of this adapter; refuses positions of other stores rather than misreading them. */
export function parseSqlitePosition(position: string): number {
  if (!POSITION_PATTERN.test(position)) throw new TypeError(`Not a SQLite event position: ${JSON.stringify(position)}`);
  const rowid = Number(position);
  if (!Number.isSafeInteger(rowid)) throw new RangeError(`SQLite event position out of range: ${position}`);
  return rowid;
}

export function compareSqlitePositions(a: Position, b: Position): number {
  return parseSqlitePosition(a) - parseSqlitePosition(b);
}

export interface SqliteEventStoreOptions {
  /** A file path (its directory is created), or ':memory:' for a private, throw-away store. */
  filename: string;
  /** How often a live subscription looks for appends made by other connections to the same file. */
  pollIntervalMs?: number;
  /** Rows per query when reading; also the default number of positions a subscription scans between checkpoints. */
  pageSize?: number;
  /** Most appends committed in one transaction; the rest wait for the next flush. */
  maxBatchSize?: number;
  /** How long a writer waits for another process holding the write lock before failing with SQLITE_BUSY. */
  busyTimeoutMs?: number;
  /** NORMAL (the default) does not fsync on commit in WAL mode: a power cut may lose the last batches, never
   *  corrupt the file. FULL syncs the WAL on every commit, which group commit makes one sync per batch. */
  synchronous?: 'NORMAL' | 'FULL';
}

export interface SqliteEventStoreStats {
  /** Appends settled (resolved or rejected). */
  appends: number;
  /** Transactions committed by group commit; under load far fewer than appends. */
  batches: number;
  largestBatch: number;
}

export interface SqliteEventStore extends EventStore {
  readonly filename: string;
  stats(): SqliteEventStoreStats;
}

interface EventRow {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  hash: string;
}

interface PendingAppend {
  streamId: string;
  events: EventToAppend[];
  expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

const COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata, hash';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position INTEGER PRIMARY KEY,
  stream_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  event_id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  metadata TEXT NOT NULL,
  hash TEXT NOT NULL,
  UNIQUE (stream_id, revision)
)`;

export function openSqliteEventStore(options: SqliteEventStoreOptions): SqliteEventStore {
  return new SqliteEventStoreImpl(options);
}

class SqliteEventStoreImpl implements SqliteEventStore {
  readonly filename: string;
  private readonly db: Database.Database;
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly maxBatchSize: number;
  private readonly queue: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly subscriptions = new Set<PollingSubscription<number>>();
  private readonly statements = new Map<string, Database.Statement>();
  private readonly counters: SqliteEventStoreStats = { appends: 0, batches: 0, largestBatch: 0 };

  constructor(options: SqliteEventStoreOptions) {
    this.filename = options.filename;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.pageSize = positiveInteger(options.pageSize ?? 500, 'pageSize');
    this.maxBatchSize = positiveInteger(options.maxBatchSize ?? 500, 'maxBatchSize');
    if (options.filename !== ':memory:' && !options.filename.startsWith('file:')) {
      privateFolder(dirname(options.filename));
    }
    this.db = openPrivateDatabase(options.filename);
    try {
      // The busy timeout comes first: switching to WAL and creating the table need the write lock, which another
      // process opening the same file at the same moment may hold.
      this.db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
      this.db.exec(SCHEMA);
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  stats(): SqliteEventStoreStats {
    return { ...this.counters };
  }

  append(streamId: string, events: EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    try {
      if (this.closed) throw new Error('The SQLite event store is closed');
      validateSqliteAppend(streamId, events, expectedRevision);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<AppendResult>((resolve, reject) => {
      // The caller may reuse its array after this call returns; the batch must see what was passed now.
      this.queue.push({ streamId, events: events.slice(), expected: expectedRevision, resolve, reject });
      this.scheduleFlush();
    });
  }

  async *readStream(streamId: string, options: ReadStreamOptions = {}): AsyncGenerator<RecordedEvent> {
    this.assertOpen();
    const forwards = (options.direction ?? 'forwards') === 'forwards';
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    let next = options.fromRevision ?? (forwards ? 0 : Number.MAX_SAFE_INTEGER);
    const statement = this.statement<EventRow>(
      forwards
        ? `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`
        : `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
    );
    while (remaining > 0 && next >= 0) {
      this.assertOpen();
      const limit = Math.min(this.pageSize, remaining);
      const rows = statement.all(streamId, next, limit);
      for (const row of rows) yield toRecorded(row);
      const last = rows.at(-1);
      if (rows.length < limit || last === undefined) return;
      remaining -= rows.length;
      next = forwards ? last.revision + 1 : last.revision - 1;
    }
  }

  async streamRevision(streamId: string): Promise<number | 'no_stream'> {
    this.assertOpen();
    return this.currentRevision(streamId);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncGenerator<RecordedEvent> {
    this.assertOpen();
    // A filtered read walks bounded windows of positions so that a rare event type in a long log costs many short
    // queries, each yielding the event loop, instead of one query that blocks it until the end of the log.
    const window = options.filter === undefined ? Number.POSITIVE_INFINITY : this.pageSize * 20;
    yield* readPages(
      this.scanner(options.filter),
      options.after === undefined ? 0 : parseSqlitePosition(options.after),
      {
        window,
        pageSize: this.pageSize,
        maxCount: options.maxCount ?? Number.POSITIVE_INFINITY,
      },
    );
  }

  subscribeAll(options: ReadAllOptions & { checkpointInterval?: number } = {}): Subscription {
    if (this.closed) throw new Error('The SQLite event store is closed');
    const subscription = new PollingSubscription<number>({
      after: options.after === undefined ? 0 : parseSqlitePosition(options.after),
      position: (rowid) => (rowid === 0 ? undefined : sqlitePosition(rowid)),
      maxCount: options.maxCount ?? Number.POSITIVE_INFINITY,
      window: positiveInteger(options.checkpointInterval ?? this.pageSize, 'checkpointInterval'),
      pageSize: this.pageSize,
      pollIntervalMs: this.pollIntervalMs,
      scan: this.scanner(options.filter),
      detach: (s) => this.subscriptions.delete(s),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<Position | undefined> {
    this.assertOpen();
    const head = this.head();
    return head === 0 ? undefined : sqlitePosition(head);
  }

  comparePositions(a: Position, b: Position): number {
    return compareSqlitePositions(a, b);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Appends already accepted are committed, not dropped: their callers were promised an answer.
    while (this.queue.length > 0) this.flush();
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.db.close();
  }

  // --- group commit -------------------------------------------------------------------------------------------

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // setImmediate rather than a microtask: it runs after pending I/O callbacks, so the appends of every request
    // that arrived in the same turn of the event loop join the batch.
    setImmediate(() => {
      this.flushScheduled = false;
      if (this.db.open) this.flush();
    });
  }

  private flush(): void {
    const batch = this.queue.splice(0, this.maxBatchSize);
    if (this.queue.length > 0) this.scheduleFlush();
    if (batch.length === 0) return;
    const outcomes: Outcome[] = [];
    let wrote = false;
    // A lone append needs no savepoint: when it fails, the whole transaction, which holds nothing else, is rolled back.
    const alone = batch.length === 1;
    try {
      this.statement('BEGIN IMMEDIATE').run();
      try {
        for (const item of batch) {
          if (!alone) this.statement('SAVEPOINT append').run();
          try {
            const { result, inserted } = this.applyAppend(item);
            if (!alone) this.statement('RELEASE append').run();
            outcomes.push({ ok: true, result });
            wrote ||= inserted;
          } catch (error) {
            // Some failures (I/O error, full disk) make SQLite abandon the whole transaction; then appends that
            // already succeeded in this batch are gone too and must not be reported as stored.
            if (!this.db.inTransaction) throw error;
            if (alone) {
              this.statement('ROLLBACK').run();
            } else {
              this.statement('ROLLBACK TO append').run();
              this.statement('RELEASE append').run();
            }
            outcomes.push({ ok: false, error });
          }
        }
        if (this.db.inTransaction) this.statement('COMMIT').run();
      } catch (error) {
        if (this.db.inTransaction) this.statement('ROLLBACK').run();
        throw error;
      }
    } catch (error) {
      this.counters.appends += batch.length;
      for (const item of batch) item.reject(error);
      return;
    }
    this.counters.appends += batch.length;
    this.counters.batches += 1;
    this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.length);
    // Settled only after COMMIT, so no caller ever hears "stored" for something a rollback could still undo.
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.result);
      else item.reject(outcome.error);
    });
    if (wrote) for (const subscription of this.subscriptions) subscription.notify();
  }

  /** Runs inside the batch transaction and its own savepoint; throwing rolls back this append only. */
  private applyAppend({ streamId, events, expected }: PendingAppend): { result: AppendResult; inserted: boolean } {
    // The replay check comes before the revision check: a retry of an append that did commit carries the revision
    // the stream had before it, which no longer matches, and must still succeed.
    const replay = this.findReplay(streamId, events);
    if (replay !== undefined) return { result: replay, inserted: false };

    const current = this.currentRevision(streamId);
    if (!revisionMatches(expected, current)) throw new WrongExpectedRevisionError(streamId, expected, current);

    if (events.length === 0) {
      // The result type has no "nothing" case: an absent stream answers revision -1 at the position before the log.
      if (current === 'no_stream')
        return { result: { nextRevision: -1, position: sqlitePosition(0) }, inserted: false };
      const row = this.statement<{ position: number }>(
        'SELECT position FROM events WHERE stream_id = ? AND revision = ?',
      ).get(streamId, current);
      return { result: { nextRevision: current, position: sqlitePosition(row!.position) }, inserted: false };
    }

    const insert = this.statement(
      'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    let revision = current === 'no_stream' ? 0 : current + 1;
    let position = 0;
    for (const event of events) {
      try {
        const info = insert.run(streamId, revision, event.eventId, event.type, event.data, event.metadata, event.hash);
        position = Number(info.lastInsertRowid);
      } catch (error) {
        if (isUniqueViolation(error, 'events.event_id')) {
          const stored = this.findEvent(event.eventId);
          throw new DuplicateEventIdError(event.eventId, streamId, stored?.stream_id ?? streamId);
        }
        throw error;
      }
      revision += 1;
    }
    return { result: { nextRevision: revision - 1, position: sqlitePosition(position) }, inserted: true };
  }

  /**
   * When the first id is already stored in this stream and the following ids sit at the following revisions, the
   * append has happened before: answer with what was stored. An id stored elsewhere, or only part of the append
   * stored, is refused, since storing the rest would either duplicate an id or split what was meant to be atomic.
   */
  private findReplay(streamId: string, events: EventToAppend[]): AppendResult | undefined {
    const first = events[0];
    if (first === undefined) return undefined;
    const stored = this.findEvent(first.eventId);
    if (stored === undefined) return undefined;
    if (stored.stream_id !== streamId) throw new DuplicateEventIdError(first.eventId, streamId, stored.stream_id);
    const rows = this.statement<{ event_id: string; position: number }>(
      'SELECT event_id, position FROM events WHERE stream_id = ? AND revision >= ? AND revision < ? ORDER BY revision',
    ).all(streamId, stored.revision, stored.revision + events.length);
    const matches = rows.length === events.length && rows.every((row, i) => row.event_id === events[i]!.eventId);
    if (!matches) throw new DuplicateEventIdError(first.eventId, streamId, streamId);
    return { nextRevision: stored.revision + events.length - 1, position: sqlitePosition(rows.at(-1)!.position) };
  }

  // --- reads --------------------------------------------------------------------------------------------------

  private findEvent(eventId: string): { stream_id: string; revision: number } | undefined {
    return this.statement<{ stream_id: string; revision: number }>(
      'SELECT stream_id, revision FROM events WHERE event_id = ?',
    ).get(eventId);
  }

  private currentRevision(streamId: string): number | 'no_stream' {
    const row = this.statement<{ revision: number | null }>(
      'SELECT max(revision) AS revision FROM events WHERE stream_id = ?',
    ).get(streamId);
    return row?.revision ?? 'no_stream';
  }

  private head(): number {
    return this.statement<{ head: number | null }>('SELECT max(position) AS head FROM events').get()?.head ?? 0;
  }

  /**
   * Returns a function reading one page of events after a position, looking no further than `window` positions
   * ahead. `scannedUpTo` is how far the page looked, matches or not, which is what a checkpoint may safely claim;
   * undefined means the cursor is at the head.
   */
  private scanner(filter: AllFilter | undefined): Scan<number> {
    const where = filterClause(filter);
    const statement = this.statement<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE position > ? AND position <= ?${where.sql} ORDER BY position LIMIT ?`,
    );
    return (after, window, limit) => {
      this.assertOpen();
      const head = this.head();
      if (after >= head) return undefined;
      const upTo = Math.min(head, after + window);
      const rows = statement.all(after, upTo, ...where.params, limit);
      const last = rows.at(-1);
      return {
        events: rows.map(toRecorded),
        scannedUpTo: rows.length === limit && last !== undefined ? last.position : upTo,
      };
    };
  }

  private statement<Row = unknown>(sql: string): Database.Statement<unknown[], Row> {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement as Database.Statement<unknown[], Row>;
  }

  private assertOpen(): void {
    if (!this.db.open) throw new Error('The SQLite event store is closed');
  }
}

function filterClause(filter: AllFilter | undefined): { sql: string; params: string[] } {
  let sql = '';
  const params: string[] = [];
  // An empty list is an allow-list naming nothing, so it matches nothing (it is not "no filter").
  if (filter?.streamPrefixes !== undefined) {
    if (filter.streamPrefixes.length === 0) sql += ' AND 0';
    else {
      // substr/length count characters on both sides, so multi-byte prefixes compare correctly; LIKE would not
      // do (case-insensitive for ASCII, and '_' and '%' in stream ids).
      sql += ` AND (${filter.streamPrefixes.map(() => 'substr(stream_id, 1, length(?)) = ?').join(' OR ')})`;
      for (const prefix of filter.streamPrefixes) params.push(prefix, prefix);
    }
  }
  if (filter?.eventTypes !== undefined) {
    if (filter.eventTypes.length === 0) sql += ' AND 0';
    else {
      sql += ` AND type IN (${filter.eventTypes.map(() => '?').join(', ')})`;
      params.push(...filter.eventTypes);
    }
  }
  return { sql, params };
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    streamId: row.stream_id,
    revision: row.revision,
    position: sqlitePosition(row.position),
    eventId: row.event_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    hash: row.hash,
  };
}

function isUniqueViolation(error: unknown, column: string): boolean {
  return (
    error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_UNIQUE' && error.message.includes(column)
  );
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

function validateSqliteAppend(streamId: string, events: EventToAppend[], expected: ExpectedRevision): void {
  validateAppend(streamId, events, expected, {
    checkEvent(event) {
      if (event.eventId.length === 0) throw new TypeError('An event id must be a non-empty string');
    },
  });
}
