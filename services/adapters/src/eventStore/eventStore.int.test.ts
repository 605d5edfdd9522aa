/**
 * Every event store adapter runs the same contract from here. To add one, append an entry to `adapters` (PostgreSQL
 * and KurrentDB need a server; skip their entry when its connection string is absent).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WrongExpectedRevisionError, type Position } from '@gopy/application/eventStore';
import { describeEventStoreContract, makeEvent, type EventStoreContractOptions, type EventStoreFactory } from './contract';
import {
  openSqliteEventStore,
  parseSqlitePosition,
  sqlitePosition,
  type SqliteEventStore,
  type SqliteEventStoreOptions,
} from './sqliteEventStore';

const SQLITE_PAGE_SIZE = 50;

function sqliteFiles(): { dir: string; options: SqliteEventStoreOptions } {
  const dir = mkdtempSync(join(tmpdir(), 'gopy-events-'));
  // A small page makes the paging cases cross many page boundaries; a short poll keeps cross-connection cases fast.
  return { dir, options: { filename: join(dir, 'data', 'events.sqlite'), pageSize: SQLITE_PAGE_SIZE, pollIntervalMs: 40 } };
}

const sqliteFactory: EventStoreFactory = async () => {
  const { dir, options } = sqliteFiles();
  return {
    store: openSqliteEventStore(options),
    openSibling: () => openSqliteEventStore(options),
    worker: { module: new URL('./sqliteEventStore.ts', import.meta.url).href, exportName: 'openSqliteEventStore', args: options },
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
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
    const first = await pendingMessage;
    if (!first.done) expect((await messages.next()).done).toBe(true);
    await expect(store.append('closing-1', [makeEvent()], 0)).rejects.toThrow(/closed/);

    store = openSqliteEventStore(options);
    expect(await store.streamRevision('closing-1')).toBe(0);
  });
});

async function collectAll<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
