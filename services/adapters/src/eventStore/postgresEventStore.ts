/**
 * The PostgreSQL adapter of the event store port (the distributed runtime's event store when KurrentDB is not used).
 *
 * One table per schema:
 *
 *   events(sequence bigserial PRIMARY KEY, transaction_id xid8 DEFAULT pg_current_xact_id(), stream_id text,
 *          revision bigint, event_id uuid UNIQUE, type text, data text, metadata text, hash text,
 *          UNIQUE (stream_id, revision))
 *
 * data and metadata are TEXT, never jsonb: they come back byte for byte as written, so the hash chains verify.
 *
 * Positions. A bigserial alone cannot be a subscription cursor: sequence values are taken when a row is inserted but
 * become visible when its transaction commits, so a slow transaction can commit a smaller sequence after a reader has
 * passed it, and that reader would skip the event forever. Each row therefore also records the id of the transaction
 * that wrote it (xid8, which never wraps around), and the global order is (transaction_id, sequence). `readAll`,
 * `subscribeAll` and `headPosition` only read rows whose transaction id is below
 * `pg_snapshot_xmin(pg_current_snapshot())`: every transaction below that horizon has ended, so no row can ever appear
 * before a position once a reader has seen it. The cost is latency, never loss: while any transaction of the cluster
 * that holds a transaction id stays open, later commits wait behind it (keep transactions short on this server, and
 * set idle_in_transaction_session_timeout). `readStream` and `streamRevision` read every committed row, as the write
 * path needs the true head of a stream.
 *
 * A position leaves the process as `TTTTTTTTTTTTTTTTTTTT-SSSSSSSSSSSSSSSSSSSS`: transaction id and sequence, each as a
 * 20-digit zero-padded decimal (wide enough for 2^64 - 1), so string order equals position order.
 *
 * Appends: one transaction each, READ COMMITTED, serialised per stream by a transaction-level advisory lock taken
 * before anything else (so before the transaction gets its id: a later append to a stream always has a larger
 * transaction id, and stream order agrees with position order). Inside: replay check by event id, expected revision
 * check, one INSERT of every event, and a NOTIFY that PostgreSQL delivers only if the transaction commits.
 * Subscriptions LISTEN on one connection per store and also poll, because an event can become readable without any
 * notification (an older transaction that blocked the horizon ends, a notification is lost while reconnecting).
 */
import { revisionMatches, validateAppend } from './appendChecks';
import { createHash } from 'node:crypto';
import pg from 'pg';
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
import { PollingSubscription, readPages, type ScannedPage } from './pollingSubscription';
import { isUuid } from '@gopy/application/ids';

// --- positions ------------------------------------------------------------------------------------------------

/** Digits of each half of a position: 2^64 - 1 (the largest xid8) has 20. */
export const POSTGRES_POSITION_DIGITS = 20;

const POSITION_PATTERN = /^(\d{20})-(\d{20})$/;
const MAX_XID8 = (1n << 64n) - 1n;
const MAX_BIGINT = (1n << 63n) - 1n;

/** "Before the first event": no row has transaction id 0 (it is InvalidTransactionId). */
export const POSTGRES_START_POSITION = postgresPosition(0n, 0n);

/** The position of the row written by transaction `transactionId` with sequence `sequence`. */
export function postgresPosition(
  transactionId: bigint | string | number,
  sequence: bigint | string | number,
): Position {
  const xid = toBigInt(transactionId, 'transaction id');
  const seq = toBigInt(sequence, 'sequence');
  if (xid < 0n || xid > MAX_XID8) throw new RangeError(`Not a PostgreSQL transaction id: ${xid}`);
  if (seq < 0n || seq > MAX_BIGINT) throw new RangeError(`Not a PostgreSQL event sequence: ${seq}`);
  const digits = POSTGRES_POSITION_DIGITS;
  return `${xid.toString().padStart(digits, '0')}-${seq.toString().padStart(digits, '0')}` as Position;
}

/** The (transaction id, sequence) behind a position; refuses positions of other stores rather than misreading them. */
export function parsePostgresPosition(position: string): { transactionId: bigint; sequence: bigint } {
  const match = typeof position === 'string' ? POSITION_PATTERN.exec(position) : null;
  if (match === null) throw new TypeError(`Not a PostgreSQL event position: ${JSON.stringify(position)}`);
  const transactionId = BigInt(match[1]!);
  const sequence = BigInt(match[2]!);
  if (transactionId > MAX_XID8 || sequence > MAX_BIGINT)
    throw new RangeError(`PostgreSQL event position out of range: ${position}`);
  return { transactionId, sequence };
}

export function comparePostgresPositions(a: Position, b: Position): number {
  parsePostgresPosition(a);
  parsePostgresPosition(b);
  // Both halves have a fixed width, so the strings compare as the numbers do.
  return a < b ? -1 : a > b ? 1 : 0;
}

function toBigInt(value: bigint | string | number, what: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  throw new TypeError(`Not a PostgreSQL ${what}: ${String(value)}`);
}

// --- options and the store ------------------------------------------------------------------------------------

export interface PostgresEventStoreOptions {
  /** e.g. postgres://user@host:5432/database */
  connectionString: string;
  /** Schema holding the events table, created with it if missing. Default 'public'. */
  schema?: string;
  /** Rows per query when reading; also the default number of positions a subscription scans between checkpoints. */
  pageSize?: number;
  /** How often a live subscription looks for events without having been notified. */
  pollIntervalMs?: number;
  /** Connections in the pool (the LISTEN connection of subscriptions comes on top). Default 10. */
  maxConnections?: number;
}

export interface PostgresEventStore extends EventStore {
  readonly schema: string;
}

/** Opens (and on first use creates) the event store in `schema`. */
export async function openPostgresEventStore(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
  const store = new PostgresEventStoreImpl(options);
  try {
    await store.init();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

interface EventRow {
  xid: string;
  seq: string;
  stream_id: string;
  revision: string;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  hash: string;
}

/** A scanned row: the event's columns are null unless it matched the filter. */
interface ScanRow extends EventRow {
  matched: boolean;
}

type Scan = (after: Position, window: number, limit: number) => Promise<ScannedPage<Position> | undefined>;

/** Every column as text (bigint and xid8 exceed JS numbers). Beware: the aliases shadow the columns in ORDER BY,
 *  so queries using it qualify the columns they sort on. */
const COLUMNS = [
  'transaction_id::text AS xid',
  'sequence::text AS seq',
  'stream_id',
  'revision::text AS revision',
  'event_id::text AS event_id',
  'type',
  'data',
  'metadata',
  'hash',
].join(', ');

/** Horizon below which every transaction has ended: the only rows readAll and subscriptions may see. */
const HORIZON = 'pg_snapshot_xmin(pg_current_snapshot())';

/** First key of every advisory lock this adapter takes (the two-key form, apart from one-key leases). */
const LOCK_CLASS = 0x67707931; // 'gpy1'

class PostgresEventStoreImpl implements PostgresEventStore {
  readonly schema: string;
  private readonly table: string;
  private readonly channel: string;
  private readonly schemaKey: number;
  private readonly connectionString: string;
  private readonly pool: pg.Pool;
  private readonly pageSize: number;
  private readonly pollIntervalMs: number;
  private closed = false;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly subscriptions = new Set<PollingSubscription<Position | undefined>>();
  private listener: pg.Client | undefined;
  private listenerStarting: Promise<void> | undefined;
  private listenerRetryAt = 0;

  constructor(options: PostgresEventStoreOptions) {
    if (typeof options.connectionString !== 'string' || options.connectionString.length === 0) {
      throw new TypeError('openPostgresEventStore needs a connectionString');
    }
    this.schema = options.schema ?? 'public';
    const schemaBytes = typeof this.schema === 'string' ? Buffer.byteLength(this.schema) : 0;
    if (schemaBytes === 0 || schemaBytes > 63 || this.schema.includes('\0')) {
      throw new TypeError(`Invalid PostgreSQL schema name: ${JSON.stringify(this.schema)}`);
    }
    this.connectionString = options.connectionString;
    this.table = `${quoteIdent(this.schema)}.events`;
    const short = `gopy_events.${this.schema}`;
    this.channel = Buffer.byteLength(short) <= 63 ? short : `gopy_events.${sha256(this.schema).slice(0, 32)}`;
    this.schemaKey = int32Of(`schema:${this.schema}`);
    this.pageSize = positiveInteger(options.pageSize ?? 500, 'pageSize');
    this.pollIntervalMs = positiveInteger(options.pollIntervalMs ?? 500, 'pollIntervalMs');
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: positiveInteger(options.maxConnections ?? 10, 'maxConnections'),
      application_name: 'gopy-event-store',
    });
    // An idle connection that dies (server restart) is dropped by the pool; unhandled, the event would crash the process.
    this.pool.on('error', () => undefined);
  }

  /** Creates the schema, table and index when missing, serialised against other processes opening the same schema. */
  async init(): Promise<void> {
    const client = await this.pool.connect();
    try {
      const exists = await client.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [this.table]);
      if (exists.rows[0]?.ok) return;
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_CLASS, this.schemaKey]);
        // CREATE SCHEMA IF NOT EXISTS would still demand CREATE on the database, which an application role may lack.
        const schema = await client.query<{ missing: boolean }>('SELECT to_regnamespace($1) IS NULL AS missing', [
          quoteIdent(this.schema),
        ]);
        if (schema.rows[0]?.missing) await client.query(`CREATE SCHEMA ${quoteIdent(this.schema)}`);
        await client.query(`
          CREATE TABLE IF NOT EXISTS ${this.table} (
            sequence bigserial PRIMARY KEY,
            transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
            stream_id text NOT NULL,
            revision bigint NOT NULL CHECK (revision >= 0),
            event_id uuid NOT NULL,
            type text NOT NULL,
            data text NOT NULL,
            metadata text NOT NULL,
            hash text NOT NULL,
            CONSTRAINT events_event_id_unique UNIQUE (event_id),
            CONSTRAINT events_stream_revision_unique UNIQUE (stream_id, revision)
          )`);
        await client.query(`CREATE INDEX IF NOT EXISTS events_position ON ${this.table} (transaction_id, sequence)`);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      client.release();
    }
  }

  // --- append ---------------------------------------------------------------------------------------------------

  append(streamId: string, events: EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    try {
      if (this.closed) throw new Error('The PostgreSQL event store is closed');
      validatePostgresAppend(streamId, events, expectedRevision);
    } catch (error) {
      return Promise.reject(error);
    }
    // The caller may reuse its array after this call returns; the append must see what was passed now.
    const promise = this.appendOnce(streamId, events.slice(), expectedRevision);
    const tracked = promise.then(
      () => undefined,
      () => undefined,
    );
    this.inflight.add(tracked);
    void tracked.then(() => this.inflight.delete(tracked));
    return promise;
  }

  private async appendOnce(
    streamId: string,
    events: EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      // The lock comes first, before anything gives this transaction an id (see the header). Its keys are inlined
      // (integers computed here) so that BEGIN and the lock take one round trip.
      await client.query(
        `BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(${this.schemaKey}, ${int32Of(streamId)})`,
      );
      const outcome = await this.appendInTransaction(client, streamId, events, expected);
      await client.query('COMMIT');
      if (outcome.inserted) this.wakeSubscriptions();
      return outcome.result;
    } catch (error) {
      try {
        // Harmless (a warning) when BEGIN or COMMIT already ended the transaction.
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        throw error;
      }
      throw await this.refine(client, error, streamId, events, expected);
    } finally {
      // A connection in an unknown state is destroyed rather than handed to the next caller.
      client.release(broken);
    }
  }

  private async appendInTransaction(
    client: pg.PoolClient,
    streamId: string,
    events: EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<{ result: AppendResult; inserted: boolean }> {
    const ids = events.map((e) => e.eventId.toLowerCase());
    // One round trip: the stream's revision and where any of these ids is already stored.
    const lookup = await client.query<{
      current: string | null;
      event_id: string | null;
      stream_id: string | null;
      revision: string | null;
    }>(
      `SELECT (SELECT max(revision)::text FROM ${this.table} WHERE stream_id = $1) AS current,
              e.event_id::text AS event_id, e.stream_id, e.revision::text AS revision
         FROM (VALUES (1)) AS one (x)
         LEFT JOIN ${this.table} e ON e.event_id = ANY ($2::uuid[])`,
      [streamId, ids],
    );
    const currentText = lookup.rows[0]?.current ?? null;
    const current: number | 'no_stream' = currentText === null ? 'no_stream' : Number(currentText);
    const stored = new Map<string, { streamId: string; revision: number }>();
    for (const row of lookup.rows) {
      if (row.event_id !== null) stored.set(row.event_id, { streamId: row.stream_id!, revision: Number(row.revision) });
    }

    // The replay check comes before the revision check: a retry of an append that did commit carries the revision
    // the stream had before it, which no longer matches, and must still succeed. As in the SQLite adapter: the first
    // id stored in this stream and the following ids at the following revisions mean the append happened before.
    const first = stored.get(ids[0] ?? '');
    if (first !== undefined) {
      if (first.streamId !== streamId) throw new DuplicateEventIdError(events[0]!.eventId, streamId, first.streamId);
      const rows = await client.query<{ event_id: string; xid: string; seq: string }>(
        `SELECT event_id::text AS event_id, transaction_id::text AS xid, sequence::text AS seq
           FROM ${this.table} e WHERE e.stream_id = $1 AND e.revision >= $2 AND e.revision < $3 ORDER BY e.revision`,
        [streamId, first.revision, first.revision + ids.length],
      );
      const matches = rows.rows.length === ids.length && rows.rows.every((row, i) => row.event_id === ids[i]);
      if (!matches) throw new DuplicateEventIdError(events[0]!.eventId, streamId, streamId);
      const last = rows.rows.at(-1)!;
      return {
        result: { nextRevision: first.revision + ids.length - 1, position: postgresPosition(last.xid, last.seq) },
        inserted: false,
      };
    }

    if (!revisionMatches(expected, current)) throw new WrongExpectedRevisionError(streamId, expected, current);

    if (events.length === 0) {
      // The result type has no "nothing" case: an absent stream answers revision -1 at the position before the log.
      if (current === 'no_stream')
        return { result: { nextRevision: -1, position: POSTGRES_START_POSITION }, inserted: false };
      const row = await client.query<{ xid: string; seq: string }>(
        `SELECT transaction_id::text AS xid, sequence::text AS seq FROM ${this.table} WHERE stream_id = $1 AND revision = $2`,
        [streamId, current],
      );
      const head = row.rows[0]!;
      return { result: { nextRevision: current, position: postgresPosition(head.xid, head.seq) }, inserted: false };
    }

    // In call order, as the SQLite adapter meets them: an id stored anywhere, or repeated within this append.
    const seen = new Set<string>();
    ids.forEach((id, i) => {
      const elsewhere = stored.get(id);
      if (elsewhere !== undefined) throw new DuplicateEventIdError(events[i]!.eventId, streamId, elsewhere.streamId);
      if (seen.has(id)) throw new DuplicateEventIdError(events[i]!.eventId, streamId, streamId);
      seen.add(id);
    });

    const firstRevision = current === 'no_stream' ? 0 : current + 1;
    // ORDER BY makes the sequence follow the revisions: PostgreSQL evaluates the volatile nextval() default after
    // the sort. pg_notify is delivered at commit, and not at all on rollback.
    const inserted = await client.query<{ revision: string; xid: string; seq: string }>(
      `WITH inserted AS (
         INSERT INTO ${this.table} (stream_id, revision, event_id, type, data, metadata, hash)
         SELECT $1, $2::bigint + u.ord - 1, u.event_id, u.type, u.data, u.metadata, u.hash
           FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[])
                WITH ORDINALITY AS u (event_id, type, data, metadata, hash, ord)
          ORDER BY u.ord
         RETURNING revision, transaction_id, sequence
       )
       SELECT i.revision::text AS revision, i.transaction_id::text AS xid, i.sequence::text AS seq
         FROM inserted i CROSS JOIN (SELECT pg_notify($8, '')) AS notified
        ORDER BY i.revision`,
      [
        streamId,
        firstRevision,
        ids,
        events.map((e) => e.type),
        events.map((e) => e.data),
        events.map((e) => e.metadata),
        events.map((e) => e.hash),
        this.channel,
      ],
    );
    const rows = inserted.rows;
    for (let i = 1; i < rows.length; i++) {
      // Guards the ORDER BY reasoning above; the transaction rolls back rather than store an inconsistent order.
      if (BigInt(rows[i]!.seq) <= BigInt(rows[i - 1]!.seq))
        throw new Error('Sequences were not assigned in revision order');
    }
    const last = rows.at(-1)!;
    return {
      result: { nextRevision: Number(last.revision), position: postgresPosition(last.xid, last.seq) },
      inserted: true,
    };
  }

  /** Turns a unique violation raised by a concurrent writer into the port's typed errors. */
  private async refine(
    client: pg.PoolClient,
    error: unknown,
    streamId: string,
    events: EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<unknown> {
    if (!(error instanceof pg.DatabaseError) || error.code !== '23505') return error;
    try {
      if (error.constraint === 'events_event_id_unique') {
        // Another stream stored one of these ids between our lookup and our insert (it committed while we waited).
        const ids = events.map((e) => e.eventId.toLowerCase());
        const found = await client.query<{ event_id: string; stream_id: string }>(
          `SELECT event_id::text AS event_id, stream_id FROM ${this.table} WHERE event_id = ANY ($1::uuid[])`,
          [ids],
        );
        const hit = events.find((e) => found.rows.some((r) => r.event_id === e.eventId.toLowerCase()));
        const where = found.rows.find((r) => r.event_id === hit?.eventId.toLowerCase())?.stream_id;
        return new DuplicateEventIdError(hit?.eventId ?? events[0]?.eventId ?? '', streamId, where);
      }
      if (error.constraint === 'events_stream_revision_unique') {
        // Only a writer bypassing the stream lock can cause this; it is a conflict all the same.
        const { rows } = await client.query<{ revision: string | null }>(
          `SELECT max(revision)::text AS revision FROM ${this.table} WHERE stream_id = $1`,
          [streamId],
        );
        const actual = rows[0]?.revision ?? null;
        return new WrongExpectedRevisionError(streamId, expected, actual === null ? 'no_stream' : Number(actual));
      }
    } catch {
      return error;
    }
    return error;
  }

  // --- reads ----------------------------------------------------------------------------------------------------

  async *readStream(streamId: string, options: ReadStreamOptions = {}): AsyncGenerator<RecordedEvent> {
    this.assertOpen();
    const forwards = (options.direction ?? 'forwards') === 'forwards';
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    let next = options.fromRevision ?? (forwards ? 0 : Number.MAX_SAFE_INTEGER);
    const sql = forwards
      ? `SELECT ${COLUMNS} FROM ${this.table} e WHERE e.stream_id = $1 AND e.revision >= $2 ORDER BY e.revision ASC LIMIT $3`
      : `SELECT ${COLUMNS} FROM ${this.table} e WHERE e.stream_id = $1 AND e.revision <= $2 ORDER BY e.revision DESC LIMIT $3`;
    while (remaining > 0 && next >= 0) {
      this.assertOpen();
      const limit = Math.min(this.pageSize, remaining);
      const { rows } = await this.pool.query<EventRow>(sql, [streamId, next, limit]);
      for (const row of rows) yield toRecorded(row);
      const last = rows.at(-1);
      if (rows.length < limit || last === undefined) return;
      remaining -= rows.length;
      const revision = Number(last.revision);
      next = forwards ? revision + 1 : revision - 1;
    }
  }

  async streamRevision(streamId: string): Promise<number | 'no_stream'> {
    this.assertOpen();
    const { rows } = await this.pool.query<{ revision: string | null }>(
      `SELECT max(revision)::text AS revision FROM ${this.table} WHERE stream_id = $1`,
      [streamId],
    );
    const revision = rows[0]?.revision ?? null;
    return revision === null ? 'no_stream' : Number(revision);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncGenerator<RecordedEvent> {
    this.assertOpen();
    // A filtered read scans bounded windows, so a rare event type in a long log costs many short queries.
    const window = options.filter === undefined ? this.pageSize : this.pageSize * 20;
    yield* readPages(
      this.scanner(options.filter),
      options.after === undefined ? POSTGRES_START_POSITION : validPosition(options.after),
      {
        window,
        pageSize: this.pageSize,
        maxCount: options.maxCount ?? Number.POSITIVE_INFINITY,
      },
    );
  }

  subscribeAll(options: ReadAllOptions & { checkpointInterval?: number } = {}): Subscription {
    if (this.closed) throw new Error('The PostgreSQL event store is closed');
    const scan = this.scanner(options.filter);
    const subscription = new PollingSubscription<Position | undefined>({
      after: options.after === undefined ? undefined : validPosition(options.after),
      position: (cursor) => cursor,
      maxCount: options.maxCount ?? Number.POSITIVE_INFINITY,
      window: positiveInteger(options.checkpointInterval ?? this.pageSize, 'checkpointInterval'),
      pageSize: this.pageSize,
      pollIntervalMs: this.pollIntervalMs,
      scan: (cursor, window, limit) => scan(cursor ?? POSTGRES_START_POSITION, window, limit),
      idle: () => this.ensureListener(),
      detach: (s) => this.subscriptions.delete(s),
    });
    this.subscriptions.add(subscription);
    this.ensureListener();
    return subscription;
  }

  async headPosition(): Promise<Position | undefined> {
    this.assertOpen();
    const { rows } = await this.pool.query<{ xid: string; seq: string }>(
      `SELECT transaction_id::text AS xid, sequence::text AS seq FROM ${this.table}
        WHERE transaction_id < ${HORIZON} ORDER BY transaction_id DESC, sequence DESC LIMIT 1`,
    );
    const head = rows[0];
    return head === undefined ? undefined : postgresPosition(head.xid, head.seq);
  }

  comparePositions(a: Position, b: Position): number {
    return comparePostgresPositions(a, b);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Appends already accepted finish (commit or fail): their callers were promised an answer.
    await Promise.all([...this.inflight]);
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.listenerStarting?.catch(() => undefined);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.pool.end();
  }

  /**
   * Returns a function reading one page after a position, looking at no more than `window` rows (matching or not)
   * below the horizon. `scannedUpTo` is the last row looked at, which is what a checkpoint may claim; undefined means
   * nothing is readable after the cursor. One statement, so one snapshot: rows, horizon and scan end agree.
   */
  private scanner(filter: AllFilter | undefined): Scan {
    const params: unknown[] = [];
    const conditions: string[] = [];
    if (filter?.streamPrefixes !== undefined) {
      // An empty list is an allow-list naming nothing, so it matches nothing (it is not "no filter"). starts_with
      // compares exactly; LIKE would treat '_' and '%' in stream ids as wildcards.
      params.push(filter.streamPrefixes);
      conditions.push(
        `EXISTS (SELECT 1 FROM unnest($${4 + params.length}::text[]) AS p (prefix) WHERE starts_with(stream_id, p.prefix))`,
      );
    }
    if (filter?.eventTypes !== undefined) {
      params.push(filter.eventTypes);
      conditions.push(`type = ANY ($${4 + params.length}::text[])`);
    }
    const matched = conditions.length === 0 ? 'true' : conditions.join(' AND ');
    const sql = `
      WITH scanned AS (
        SELECT transaction_id, sequence, (${matched}) AS matched
          FROM ${this.table}
         WHERE (transaction_id, sequence) > ($1::xid8, $2::bigint) AND transaction_id < ${HORIZON}
         ORDER BY transaction_id, sequence
         LIMIT $3
      ), kept AS (
        SELECT * FROM (
          SELECT s.*, count(*) FILTER (WHERE s.matched) OVER (ORDER BY s.transaction_id, s.sequence) AS taken
            FROM scanned s
        ) ranked
         WHERE taken <= $4
      ), last AS (
        SELECT transaction_id, sequence FROM kept ORDER BY transaction_id DESC, sequence DESC LIMIT 1
      )
      SELECT k.transaction_id::text AS xid, k.sequence::text AS seq, k.matched,
             e.stream_id, e.revision::text AS revision, e.event_id::text AS event_id, e.type, e.data, e.metadata, e.hash
        FROM kept k
        LEFT JOIN ${this.table} e ON k.matched AND e.sequence = k.sequence
       WHERE k.matched OR (k.transaction_id, k.sequence) = (SELECT transaction_id, sequence FROM last)
       ORDER BY k.transaction_id, k.sequence`;
    return async (after, window, limit) => {
      this.assertOpen();
      const { transactionId, sequence } = parsePostgresPosition(after);
      const { rows } = await this.pool.query<ScanRow>(sql, [
        transactionId.toString(),
        sequence.toString(),
        window,
        limit,
        ...params,
      ]);
      const last = rows.at(-1);
      if (last === undefined) return undefined;
      const events = rows.filter((row) => row.matched).map(toRecorded);
      return { events, scannedUpTo: postgresPosition(last.xid, last.seq) };
    };
  }

  // --- notifications --------------------------------------------------------------------------------------------

  private wakeSubscriptions(): void {
    for (const subscription of this.subscriptions) subscription.notify();
  }

  /** Keeps one LISTEN connection while subscriptions exist; on failure, polling carries on and this retries later. */
  private ensureListener(): void {
    if (this.closed || this.listener !== undefined || this.listenerStarting !== undefined) return;
    if (this.subscriptions.size === 0 || Date.now() < this.listenerRetryAt) return;
    const client = new pg.Client({
      connectionString: this.connectionString,
      application_name: 'gopy-event-store-listen',
      keepAlive: true,
    });
    const drop = (): void => {
      if (this.listener === client) this.listener = undefined;
      this.listenerRetryAt = Date.now() + 1_000;
      // Notifications may have been missed while the connection was down: look now.
      this.wakeSubscriptions();
    };
    client.on('notification', () => this.wakeSubscriptions());
    client.on('error', () => {
      drop();
      void client.end().catch(() => undefined);
    });
    client.on('end', drop);
    this.listenerStarting = (async () => {
      try {
        await client.connect();
        await client.query(`LISTEN ${quoteIdent(this.channel)}`);
        if (this.closed) {
          await client.end().catch(() => undefined);
          return;
        }
        this.listener = client;
        // Anything committed before LISTEN took effect was not notified.
        this.wakeSubscriptions();
      } catch {
        this.listenerRetryAt = Date.now() + 1_000;
        await client.end().catch(() => undefined);
      } finally {
        this.listenerStarting = undefined;
      }
    })();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The PostgreSQL event store is closed');
  }
}

// --- helpers --------------------------------------------------------------------------------------------------

function toRecorded(row: EventRow): RecordedEvent {
  return {
    streamId: row.stream_id,
    revision: Number(row.revision),
    position: postgresPosition(row.xid, row.seq),
    eventId: row.event_id,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    hash: row.hash,
  };
}

function validPosition(position: Position): Position {
  parsePostgresPosition(position);
  return position;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A signed 32-bit key for the two-key advisory lock functions. Collisions only serialise two streams' appends. */
function int32Of(text: string): number {
  return createHash('sha256').update(text, 'utf8').digest().readInt32BE(0);
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

function validatePostgresAppend(streamId: string, events: EventToAppend[], expected: ExpectedRevision): void {
  validateAppend(streamId, events, expected, {
    checkStreamId(id) {
      if (id.includes('\0')) throw new TypeError('A stream id cannot contain U+0000 (PostgreSQL text cannot store it)');
    },
    // PostgreSQL text cannot hold U+0000; refuse it here rather than fail inside the transaction.
    checkField(field, value) {
      if (value.includes('\0')) throw new TypeError(`Event ${field} cannot contain U+0000`);
    },
    // The column is uuid (KurrentDB demands UUIDs too). It is read back in PostgreSQL's lower-case form.
    checkEvent(event) {
      if (!isUuid(event.eventId)) throw new TypeError(`An event id must be a UUID: ${JSON.stringify(event.eventId)}`);
    },
  });
}
