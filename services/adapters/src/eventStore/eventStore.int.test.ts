/**
 * Every event store adapter runs the same contract from here. To add one, append an entry to `adapters` (PostgreSQL
 * and KurrentDB need a server; skip their entry when its connection string is absent).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  WrongExpectedRevisionError,
  type Position,
  type RecordedEvent,
  type SubscriptionMessage,
} from '@gopy/application/eventStore';
import {
  describeEventStoreContract,
  makeEvent,
  type EventStoreContractOptions,
  type EventStoreFactory,
} from './contract';
import {
  openSqliteEventStore,
  parseSqlitePosition,
  sqlitePosition,
  type SqliteEventStore,
  type SqliteEventStoreOptions,
} from './sqliteEventStore';
import {
  openPostgresEventStore,
  parsePostgresPosition,
  postgresPosition,
  POSTGRES_START_POSITION,
  type PostgresEventStore,
  type PostgresEventStoreOptions,
} from './postgresEventStore';
import {
  kurrentDbContractName,
  kurrentDbContractOptions,
  kurrentDbFactory,
} from './kurrentdb/kurrentDbContractFixture';
import { KurrentDbTestDouble } from '../../../../tests/kurrentdb-double/kurrentDbTestDouble';

const SQLITE_PAGE_SIZE = 50;

function sqliteFiles(): { dir: string; options: SqliteEventStoreOptions } {
  const dir = mkdtempSync(join(tmpdir(), 'gopy-events-'));
  // A small page makes the paging cases cross many page boundaries; a short poll keeps cross-connection cases fast.
  return {
    dir,
    options: { filename: join(dir, 'data', 'events.sqlite'), pageSize: SQLITE_PAGE_SIZE, pollIntervalMs: 40 },
  };
}

const sqliteFactory: EventStoreFactory = async () => {
  const { dir, options } = sqliteFiles();
  return {
    store: openSqliteEventStore(options),
    openSibling: () => openSqliteEventStore(options),
    worker: {
      module: new URL('./sqliteEventStore.ts', import.meta.url).href,
      exportName: 'openSqliteEventStore',
      args: options,
    },
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
};

const POSTGRES_PAGE_SIZE = 50;

/** The PostgreSQL server; each run of this file creates its own database there (dropped after) and each test its own
 *  schema in it. */
const POSTGRES_SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let postgresDatabase: Promise<{ name: string; url: string }> | undefined;

function contractDatabase(): Promise<{ name: string; url: string }> {
  postgresDatabase ??= (async () => {
    const name = `gopy_contract_${randomBytes(6).toString('hex')}`;
    await withPostgres(POSTGRES_SERVER_URL, (client) => client.query(`CREATE DATABASE ${name}`));
    const url = new URL(POSTGRES_SERVER_URL);
    url.pathname = `/${name}`;
    return { name, url: url.toString() };
  })();
  return postgresDatabase;
}

afterAll(async () => {
  const database = await postgresDatabase?.catch(() => undefined);
  if (database === undefined) return;
  await withPostgres(POSTGRES_SERVER_URL, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${database.name} WITH (FORCE)`),
  );
});

let schemas = 0;

async function postgresSchema(): Promise<{ options: PostgresEventStoreOptions; drop(): Promise<void> }> {
  const { url } = await contractDatabase();
  const schema = `contract_${++schemas}_${randomBytes(3).toString('hex')}`;
  return {
    // A small page makes the paging cases cross many page boundaries; a short poll keeps cross-connection cases fast.
    options: { connectionString: url, schema, pageSize: POSTGRES_PAGE_SIZE, pollIntervalMs: 40 },
    drop: async () => {
      await withPostgres(url, (client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
    },
  };
}

async function withPostgres<T>(connectionString: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

const postgresFactory: EventStoreFactory = async () => {
  const { options, drop } = await postgresSchema();
  return {
    store: await openPostgresEventStore(options),
    openSibling: () => openPostgresEventStore(options),
    worker: {
      module: new URL('./postgresEventStore.ts', import.meta.url).href,
      exportName: 'openPostgresEventStore',
      args: options,
    },
    dispose: drop,
  };
};

const adapters: Array<{ name: string; factory: EventStoreFactory; options: EventStoreContractOptions }> = [
  {
    name: 'SQLite',
    factory: sqliteFactory,
    options: {
      pageSize: SQLITE_PAGE_SIZE,
      // Writers are serialised and a rolled-back savepoint gives its rowids back, so positions have no gaps.
      checkPositions: (positions: Position[]) =>
        expect(positions.map(parseSqlitePosition)).toEqual(positions.map((_, i) => i + 1)),
    },
  },
  {
    name: 'PostgreSQL',
    factory: postgresFactory,
    options: {
      pageSize: POSTGRES_PAGE_SIZE,
      // (transaction id, sequence): sequences have gaps (a rolled-back append keeps its values), so only the
      // encoding is checked here; the order is checked by the contract.
      checkPositions: (positions: Position[]) => {
        for (const position of positions) expect(() => parsePostgresPosition(position)).not.toThrow();
      },
    },
  },
  {
    // Against KURRENTDB_URL when it is set, otherwise against the gRPC test double of tests/kurrentdb-double (a fresh
    // one per test); see kurrentdb/kurrentDbContractFixture.ts.
    name: kurrentDbContractName(),
    factory: kurrentDbFactory(() => KurrentDbTestDouble.start()),
    options: kurrentDbContractOptions,
  },
];

for (const adapter of adapters) describeEventStoreContract(adapter.name, adapter.factory, adapter.options);

describe('SQLite event store specifics', () => {
  let dir: string;
  let options: SqliteEventStoreOptions;
  let store: SqliteEventStore;

  beforeEach(() => {
    ({ dir, options } = sqliteFiles());
    store = openSqliteEventStore(options);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('encodes positions as fixed-width decimals whose string order is numeric order', async () => {
    expect(sqlitePosition(0)).toBe('0000000000000000');
    expect(sqlitePosition(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991');
    expect(parseSqlitePosition(sqlitePosition(123_456))).toBe(123_456);
    expect(() => sqlitePosition(-1)).toThrow(RangeError);
    expect(() => parseSqlitePosition('42')).toThrow(TypeError);
    expect(() => parseSqlitePosition('0000000000000042:7')).toThrow(TypeError);
    const a = sqlitePosition(9);
    const b = sqlitePosition(10);
    expect(a < b).toBe(true);
    expect(store.comparePositions(a, b)).toBeLessThan(0);
    const written = await store.append('s-1', [makeEvent(), makeEvent()], 'no_stream');
    expect(written.position).toBe(sqlitePosition(2));
    await expect(collectAll(store.readAll({ after: 'not-a-position' as Position }))).rejects.toThrow(TypeError);
  });

  it('keeps one table in a WAL-mode file that survives reopening, with data and metadata as TEXT', async () => {
    const event = makeEvent('Kept', '{"b":1, "a":"hoà"}', '{ }');
    await store.append('kept-1', [event], 'no_stream');
    await store.close();

    const raw = new Database(options.filename, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      const columns = raw.prepare('SELECT name, type, pk FROM pragma_table_info(?)').all('events');
      expect(columns).toEqual([
        { name: 'position', type: 'INTEGER', pk: 1 },
        { name: 'stream_id', type: 'TEXT', pk: 0 },
        { name: 'revision', type: 'INTEGER', pk: 0 },
        { name: 'event_id', type: 'TEXT', pk: 0 },
        { name: 'type', type: 'TEXT', pk: 0 },
        { name: 'data', type: 'TEXT', pk: 0 },
        { name: 'metadata', type: 'TEXT', pk: 0 },
        { name: 'hash', type: 'TEXT', pk: 0 },
      ]);
      expect(raw.prepare('SELECT typeof(data) AS d, typeof(metadata) AS m, data FROM events').get()).toEqual({
        d: 'text',
        m: 'text',
        data: event.data,
      });
    } finally {
      raw.close();
    }

    store = openSqliteEventStore(options);
    expect(await store.streamRevision('kept-1')).toBe(0);
    expect((await store.append('kept-1', [makeEvent()], 0)).position).toBe(sqlitePosition(2));
  });

  it('commits a surge of concurrent appends in far fewer transactions than appends', async () => {
    const before = store.stats();
    const settled = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => store.append(`surge-${i}`, [makeEvent()], i === 42 ? 3 : 'no_stream')),
    );
    expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(1);
    const after = store.stats();
    expect(after.appends - before.appends).toBe(200);
    expect(after.batches - before.batches).toBeLessThan(5);
    expect(after.largestBatch).toBeGreaterThan(40);
  });

  it('never puts more than maxBatchSize appends in one transaction', async () => {
    const small = openSqliteEventStore({ ...options, filename: join(dir, 'small.sqlite'), maxBatchSize: 16 });
    try {
      await Promise.all(Array.from({ length: 100 }, (_, i) => small.append(`s-${i}`, [makeEvent()], 'no_stream')));
      expect(small.stats()).toMatchObject({ appends: 100, largestBatch: 16 });
      expect(small.stats().batches).toBeGreaterThanOrEqual(7);
    } finally {
      await small.close();
    }
  });

  it('within one batch, appends to one stream see each other in call order and a conflict fails alone', async () => {
    const results = await Promise.allSettled([
      store.append('batched-1', [makeEvent()], 'no_stream'),
      store.append('batched-1', [makeEvent()], 0),
      store.append('batched-1', [makeEvent()], 0),
      store.append('batched-1', [makeEvent()], 1),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const conflict = results[2];
    expect(conflict?.status === 'rejected' && conflict.reason).toBeInstanceOf(WrongExpectedRevisionError);
    expect(conflict?.status === 'rejected' && conflict.reason).toMatchObject({ expected: 0, actual: 1 });
    expect(await store.streamRevision('batched-1')).toBe(2);
    // The rolled-back savepoint gave its rowid back: positions stay gap-free.
    expect((await collectAll(store.readAll())).map((e) => e.position)).toEqual([1, 2, 3].map(sqlitePosition));
  });

  it('wakes a waiting subscription on an append through the same store, and on close, without waiting for the poll', async () => {
    const slow = openSqliteEventStore({ ...options, pollIntervalMs: 60_000 });
    try {
      const subscription = slow.subscribeAll();
      const messages = subscription[Symbol.asyncIterator]();
      expect((await messages.next()).value).toMatchObject({ kind: 'caughtUp' });
      const pending = messages.next();
      const event = makeEvent();
      await slow.append('woken-1', [event], 'no_stream');
      const woken = await Promise.race([pending, new Promise((resolve) => setTimeout(() => resolve('poll'), 1_000))]);
      expect(woken).toMatchObject({ value: { kind: 'event', event: { eventId: event.eventId } } });
      // Likewise close must not wait for the poll to end a waiting iteration.
      await messages.next(); // the checkpoint after that page
      const waiting = messages.next();
      await subscription.close();
      const ended = await Promise.race([waiting, new Promise((resolve) => setTimeout(() => resolve('poll'), 1_000))]);
      expect(ended).toEqual({ done: true, value: undefined });
    } finally {
      await slow.close();
    }
  });

  it('close commits the appends already accepted, then refuses new ones and ends live subscriptions', async () => {
    const subscription = store.subscribeAll();
    const messages = subscription[Symbol.asyncIterator]();
    expect((await messages.next()).value).toEqual({ kind: 'caughtUp', position: undefined });
    const pendingMessage = messages.next();
    const accepted = store.append('closing-1', [makeEvent()], 'no_stream');
    await store.close();
    expect((await accepted).nextRevision).toBe(0);
    // The append committed before the subscription was closed, so it may or may not be delivered; the iteration ends.
    const rest: string[] = [];
    for (let next = await pendingMessage; !next.done; next = await messages.next()) {
      rest.push(
        next.value.kind === 'event' ? `${next.value.event.streamId}@${next.value.event.revision}` : next.value.kind,
      );
    }
    expect(rest.length, JSON.stringify(rest)).toBeLessThanOrEqual(1);
    expect(rest.filter((m) => m !== 'closing-1@0')).toEqual([]);
    await expect(store.append('closing-1', [makeEvent()], 0)).rejects.toThrow(/closed/);

    store = openSqliteEventStore(options);
    expect(await store.streamRevision('closing-1')).toBe(0);
  });
});

describe('PostgreSQL event store specifics', () => {
  let options: PostgresEventStoreOptions;
  let drop: () => Promise<void>;
  let store: PostgresEventStore;
  let raw: pg.Client;

  beforeEach(async () => {
    ({ options, drop } = await postgresSchema());
    store = await openPostgresEventStore(options);
    raw = new pg.Client({ connectionString: options.connectionString });
    await raw.connect();
  });

  afterEach(async () => {
    await raw.end();
    await store.close();
    await drop();
  });

  it('encodes positions as two fixed-width decimals, keeps one table with data and metadata as TEXT', async () => {
    expect(POSTGRES_START_POSITION).toBe('00000000000000000000-00000000000000000000');
    expect(postgresPosition(18_446_744_073_709_551_615n, 9_223_372_036_854_775_807n)).toBe(
      '18446744073709551615-09223372036854775807',
    );
    expect(parsePostgresPosition(postgresPosition(123_456, 7))).toEqual({ transactionId: 123_456n, sequence: 7n });
    expect(() => postgresPosition(-1, 0)).toThrow(RangeError);
    expect(() => postgresPosition(1n << 64n, 0)).toThrow(RangeError);
    expect(() => parsePostgresPosition('42')).toThrow(TypeError);
    expect(() => parsePostgresPosition(sqlitePosition(42))).toThrow(TypeError);
    const a = postgresPosition(9, 100);
    const b = postgresPosition(10, 1);
    expect(a < b).toBe(true);
    expect(store.comparePositions(a, b)).toBeLessThan(0);
    await expect(collectAll(store.readAll({ after: 'not-a-position' as Position }))).rejects.toThrow(TypeError);

    const event = makeEvent('Kept', '{"b":1, "a":"hoà"}', '{ }');
    await store.append('kept-1', [event], 'no_stream');
    const columns = await raw.query(
      `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
        WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
      [`${options.schema}.events`],
    );
    expect(columns.rows).toEqual([
      { name: 'sequence', type: 'bigint' },
      { name: 'transaction_id', type: 'xid8' },
      { name: 'stream_id', type: 'text' },
      { name: 'revision', type: 'bigint' },
      { name: 'event_id', type: 'uuid' },
      { name: 'type', type: 'text' },
      { name: 'data', type: 'text' },
      { name: 'metadata', type: 'text' },
      { name: 'hash', type: 'text' },
    ]);
    const stored = await raw.query(`SELECT data, metadata FROM ${options.schema}.events`);
    expect(stored.rows).toEqual([{ data: event.data, metadata: event.metadata }]);
    // Reopening an existing schema leaves it as it is.
    const again = await openPostgresEventStore(options);
    expect(await again.streamRevision('kept-1')).toBe(0);
    await again.close();
  });

  it('a subscriber never passes an append transaction still open, then delivers every event once, in (transaction id, sequence) order', async () => {
    const subscription = store.subscribeAll();
    const messages = subscription[Symbol.asyncIterator]();
    try {
      expect(await nextMessage(messages)).toEqual({ kind: 'caughtUp', position: undefined });
      const first = makeEvent('First');
      const firstWritten = await store.append('first-1', [first], 'no_stream');
      expect(await nextEvent(messages)).toMatchObject({ eventId: first.eventId, position: firstWritten.position });
      expect(await nextMessage(messages)).toEqual({ kind: 'checkpoint', position: firstWritten.position });

      // The slow append takes its transaction id now and inserts only after two later appends have committed: its
      // transaction id is the smallest of the three, its sequence the largest, and it commits last.
      await raw.query('BEGIN');
      const slowXid = (await raw.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid')).rows[0]!.xid;
      const fast1 = [makeEvent('Fast')];
      const fast2 = [makeEvent('Fast'), makeEvent('Fast')];
      const fast1Written = await store.append('fast-1', fast1, 'no_stream');
      const fast2Written = await store.append('fast-2', fast2, 'no_stream');
      const slow = makeEvent('Slow');
      await raw.query(
        `INSERT INTO ${options.schema}.events (stream_id, revision, event_id, type, data, metadata, hash)
         VALUES ('slow-1', 0, $1, $2, $3, $4, $5)`,
        [slow.eventId, slow.type, slow.data, slow.metadata, slow.hash],
      );

      // The later appends are committed (the write path sees them) but lie beyond the open transaction's id, so
      // neither the subscriber (woken by their notifications and by polling) nor readAll may pass it yet.
      expect(await store.streamRevision('fast-2')).toBe(1);
      const pending = messages.next();
      const quiet = await Promise.race([pending, sleep(800).then(() => 'quiet' as const)]);
      expect(quiet).toBe('quiet');
      expect((await collectAll(store.readAll())).map((e) => e.eventId)).toEqual([first.eventId]);
      expect(await store.headPosition()).toBe(firstWritten.position);

      await raw.query('COMMIT'); // no NOTIFY: the polling fallback must find it
      const delivered: RecordedEvent[] = [];
      let result = await withTimeout(pending, 5_000);
      for (;;) {
        if (result.done) throw new Error('The subscription ended unexpectedly');
        // Between the events only checkpoints may come (each page ends with one).
        expect(['event', 'checkpoint']).toContain(result.value.kind);
        if (result.value.kind === 'event') delivered.push(result.value.event);
        if (delivered.length === 4) break;
        result = await withTimeout(messages.next(), 5_000);
      }
      // The slow event first (smallest transaction id), although it has the largest sequence and committed last.
      expect(delivered.map((e) => e.eventId)).toEqual([
        slow.eventId,
        fast1[0]!.eventId,
        fast2[0]!.eventId,
        fast2[1]!.eventId,
      ]);
      const slowPosition = parsePostgresPosition(delivered[0]!.position);
      expect(slowPosition.transactionId).toBe(BigInt(slowXid));
      expect(slowPosition.sequence).toBeGreaterThan(parsePostgresPosition(fast2Written.position).sequence);
      expect(delivered.slice(1).map((e) => e.position)).toEqual([
        fast1Written.position,
        expect.any(String),
        fast2Written.position,
      ]);
      for (let i = 1; i < delivered.length; i++) {
        expect(store.comparePositions(delivered[i - 1]!.position, delivered[i]!.position)).toBeLessThan(0);
      }

      // Exactly once: nothing more arrives (checkpoints aside), and every reader agrees on one order.
      const more = messages.next();
      const extra = await Promise.race([more, sleep(300).then(() => 'quiet' as const)]);
      expect(extra === 'quiet' || (!extra.done && extra.value.kind === 'checkpoint')).toBe(true);
      const log = await collectAll(store.readAll());
      expect(log.map((e) => e.eventId)).toEqual([first.eventId, ...delivered.map((e) => e.eventId)]);
      expect(log.slice(1)).toEqual(delivered);
      const byRows = await raw.query<{ event_id: string }>(
        `SELECT event_id::text AS event_id FROM ${options.schema}.events ORDER BY transaction_id, sequence`,
      );
      expect(byRows.rows.map((r) => r.event_id)).toEqual(log.map((e) => e.eventId));
      expect(await store.headPosition()).toBe(fast2Written.position);
      const replay = store.subscribeAll();
      const replayed: string[] = [];
      for await (const message of replay) {
        if (message.kind === 'event') replayed.push(message.event.eventId);
        if (message.kind === 'caughtUp') break;
      }
      await replay.close();
      expect(replayed).toEqual(log.map((e) => e.eventId));

      // And the subscription carries on live after it.
      const last = makeEvent('Last');
      await store.append('last-1', [last], 'no_stream');
      let tail = await withTimeout(extra === 'quiet' ? more : messages.next(), 5_000);
      while (!tail.done && tail.value.kind === 'checkpoint') tail = await withTimeout(messages.next(), 5_000);
      expect(tail).toMatchObject({ done: false, value: { kind: 'event', event: { eventId: last.eventId } } });
    } finally {
      await raw.query('ROLLBACK').catch(() => undefined);
      await subscription.close();
    }
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function nextMessage(messages: AsyncIterator<SubscriptionMessage>): Promise<SubscriptionMessage> {
  const result = await withTimeout(messages.next(), 5_000);
  if (result.done) throw new Error('The subscription ended unexpectedly');
  return result.value;
}

/** The next event, skipping checkpoints. */
async function nextEvent(messages: AsyncIterator<SubscriptionMessage>): Promise<RecordedEvent> {
  for (;;) {
    const message = await nextMessage(messages);
    if (message.kind === 'event') return message.event;
    if (message.kind === 'caughtUp') throw new Error('caughtUp emitted twice');
  }
}

async function collectAll<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
