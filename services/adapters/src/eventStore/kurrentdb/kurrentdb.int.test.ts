/**
 * KurrentDB adapter specifics and fault tests. They run against the gRPC TEST DOUBLE of tests/kurrentdb-double (not a
 * KurrentDB server): the fault tests need to stop and restart the server, which a shared KURRENTDB_URL cannot offer.
 * The shared contract runs in ../eventStore.int.test.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKWARDS, END, EventStoreDBClient, StreamDeletedError, jsonEvent } from '@eventstore/db-client';
import type { Position, RecordedEvent, SubscriptionMessage } from '@gopy/application/eventStore';
import { CommandHandlers } from '@gopy/application/commands';
import { Projector } from '@gopy/application/projector';
import { allReadModels } from '@gopy/application/readModels/index';
import { WritePath } from '@gopy/application/writePath';
import { KurrentDbTestDouble } from '../../../../../tests/kurrentdb-double/kurrentDbTestDouble';
import { SqliteKeyStore } from '../../keyStore/sqliteKeyStore';
import { openSqliteReadStore } from '../../readStore/sqliteReadStore';
import { makeEvent } from '../contractSupport';
import { DuplicateEventIdError } from '../errors';
import {
  compareKurrentDbPositions,
  kurrentDbPosition,
  openKurrentDbEventStore,
  parseKurrentDbPosition,
  type KurrentDbEventStore,
  type KurrentDbEventStoreOptions,
} from './kurrentDbEventStore';
import { isTransient, type KurrentDbSubscription } from './kurrentDbSubscription';

let double: KurrentDbTestDouble;
let dir: string;
const cleanups: Array<() => Promise<unknown> | unknown> = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gopy-kurrentdb-'));
  double = await KurrentDbTestDouble.start();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await double.stop();
  rmSync(dir, { recursive: true, force: true });
});

function open(extra: Partial<KurrentDbEventStoreOptions> = {}): KurrentDbEventStore {
  const store = openKurrentDbEventStore({
    connectionString: double.connectionString,
    pageSize: 50,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    ...extra,
  });
  cleanups.push(() => store.close());
  return store;
}

function rawClient(connectionString = double.connectionString): EventStoreDBClient {
  const client = EventStoreDBClient.connectionString(connectionString);
  cleanups.push(() => client.dispose());
  return client;
}

describe('KurrentDB adapter (on the gRPC test double)', () => {
  it('encodes native positions as fixed-width strings whose order is (commit, prepare) order', () => {
    const a = kurrentDbPosition({ commit: 9n, prepare: 9n });
    const b = kurrentDbPosition({ commit: 10n, prepare: 2n });
    const c = kurrentDbPosition({ commit: 10n, prepare: 11n });
    expect(a).toBe('00000000000000000009-00000000000000000009');
    expect([c, a, b].sort()).toEqual([a, b, c]);
    expect(compareKurrentDbPositions(a, b)).toBeLessThan(0);
    expect(compareKurrentDbPositions(c, b)).toBeGreaterThan(0);
    const max = (1n << 64n) - 1n;
    expect(parseKurrentDbPosition(kurrentDbPosition({ commit: max, prepare: max }))).toEqual({
      commit: max,
      prepare: max,
    });
    expect(() => kurrentDbPosition({ commit: -1n, prepare: 0n })).toThrow(RangeError);
    expect(() => parseKurrentDbPosition('0000000000000042')).toThrow(TypeError);
    expect(() => parseKurrentDbPosition('99999999999999999999-00000000000000000000')).toThrow(RangeError);
  });

  it('stores data as the exact bytes of a binary event and metadata with the hash as {"m","h"} custom metadata', async () => {
    const store = open();
    const data = `{ "b":"${'hoà'.normalize('NFD')}",\t"a":1 }\n`;
    const metadata = '{"actor":{"role":"citizen"},  "x":1.50}';
    const event = makeEvent('CommentSubmitted', data, metadata);
    await store.append('comment-raw', [event], 'no_stream');
    const [raw] = await collect(rawClient().readStream('comment-raw'));
    expect(raw!.event).toMatchObject({ id: event.eventId, type: 'CommentSubmitted', isJson: false, revision: 0n });
    expect(Buffer.from(raw!.event!.data as Uint8Array).equals(Buffer.from(data, 'utf8'))).toBe(true);
    expect(raw!.event!.metadata).toEqual({ m: metadata, h: event.hash });
  });

  it('writes an append of several events as one transaction: one commit position, increasing prepare positions', async () => {
    const store = open();
    const result = await store.append('tx-1', [makeEvent(), makeEvent(), makeEvent()], 'no_stream');
    const positions = (await collect(store.readStream('tx-1'))).map((e) => parseKurrentDbPosition(e.position));
    expect(new Set(positions.map((p) => p.commit)).size).toBe(1);
    expect(positions.map((p) => p.prepare)).toEqual(
      [...positions.map((p) => p.prepare)].sort((x, y) => (x < y ? -1 : 1)),
    );
    // The server answers with the transaction's position; the adapter answers with its last event's.
    expect(parseKurrentDbPosition(result.position)).toEqual(positions[2]);
    expect(positions[0]!.commit).toBe(positions[0]!.prepare);
  });

  it('hides system streams and events, and refuses $ streams, ids other than lower-case UUIDs and ill-formed text', async () => {
    const store = open();
    // A new double's log starts with a $settings system event, and deleting a stream writes $metadata.
    expect(await store.headPosition()).toBeUndefined();
    await store.append('visible-1', [makeEvent()], 'no_stream');
    await rawClient().deleteStream('visible-1');
    expect(await store.streamRevision('visible-1')).toBe('no_stream');
    expect((await collect(store.readAll())).map((e) => e.streamId)).toEqual(['visible-1']);
    await expect(store.append('$settings', [makeEvent()], 'any')).rejects.toThrow(TypeError);
    await expect(store.append('s', [{ ...makeEvent(), eventId: randomUUID().toUpperCase() }], 'any')).rejects.toThrow(
      TypeError,
    );
    await expect(store.append('s', [{ ...makeEvent(), eventId: 'not-a-uuid' }], 'any')).rejects.toThrow(TypeError);
    await expect(store.append('s', [makeEvent('T', '{"a":"\ud800"}')], 'any')).rejects.toThrow(TypeError);
    await expect(store.append('s', [makeEvent('$metadata')], 'any')).rejects.toThrow(TypeError);
    expect(await store.streamRevision('s')).toBe('no_stream');
  });

  it('appends through the Append call when the server offers no BatchAppend', async () => {
    await double.stop();
    double = await KurrentDbTestDouble.start({ batchAppend: false });
    const store = open();
    const events = [makeEvent(), makeEvent()];
    const first = await store.append('legacy-1', events, 'no_stream');
    await expect(store.append('legacy-1', [makeEvent()], 'no_stream')).rejects.toMatchObject({ actual: 1 });
    const other = open();
    expect(await other.append('legacy-1', events, 'no_stream')).toEqual(first);
    expect(double.stats()).toMatchObject({ batchAppends: 0 });
    expect(double.stats().appends).toBeGreaterThanOrEqual(3);
  });

  it('isolates stores sharing a server by namespace', async () => {
    const a = open({ namespace: 'tenant-a/' });
    const b = open({ namespace: 'tenant-b/' });
    await a.append('policy-1', [makeEvent()], 'no_stream');
    await b.append('policy-1', [makeEvent(), makeEvent()], 'no_stream');
    expect(await a.streamRevision('policy-1')).toBe(0);
    expect(await b.streamRevision('policy-1')).toBe(1);
    expect((await collect(a.readAll())).map((e) => e.streamId)).toEqual(['policy-1']);
    expect(await collect(b.readAll({ filter: { eventTypes: ['Tested'] } }))).toHaveLength(2);
    expect(await a.headPosition()).not.toBe(await b.headPosition());
    expect(() => openKurrentDbEventStore({ connectionString: double.connectionString, namespace: '$x' })).toThrow(
      TypeError,
    );
  });

  it('refuses an id stored in another stream only when this process appended it (KurrentDB has no id index)', async () => {
    const event = makeEvent();
    const writer = open();
    await writer.append('first-home', [event], 'no_stream');
    // The process that stored it remembers where, and refuses it elsewhere.
    const refused = await writer.append('elsewhere', [event], 'no_stream').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DuplicateEventIdError);
    expect(refused).toMatchObject({ eventId: event.eventId, streamId: 'elsewhere', storedInStream: 'first-home' });
    // Another process that never saw the id cannot know: the server stores it a second time (documented limitation).
    const stranger = open();
    await stranger.append('second-home', [event], 'no_stream');
    const homes = (await collect(stranger.readAll())).filter((e) => e.eventId === event.eventId).map((e) => e.streamId);
    expect(homes).toEqual(['first-home', 'second-home']);
  });

  it('the test double serves soft delete and tombstone as KurrentDB does', async () => {
    const store = open();
    const client = rawClient();
    await store.append('soft-1', [makeEvent(), makeEvent()], 'no_stream');
    await client.deleteStream('soft-1');
    expect(await collect(store.readStream('soft-1'))).toEqual([]);
    // A soft-deleted stream can be written again; revisions continue.
    expect((await store.append('soft-1', [makeEvent()], 'no_stream')).nextRevision).toBe(2);
    expect((await collect(store.readStream('soft-1'))).map((e) => e.revision)).toEqual([2]);
    await store.append('hard-1', [makeEvent()], 'no_stream');
    await client.tombstoneStream('hard-1');
    await expect(collect(store.readStream('hard-1'))).rejects.toBeInstanceOf(StreamDeletedError);
    await expect(store.append('hard-1', [makeEvent()], 'any')).rejects.toBeInstanceOf(StreamDeletedError);
    // JSON events written by other tools come back parsed by the client, so only re-serialised.
    await client.appendToStream('foreign-1', jsonEvent({ type: 'Foreign', data: { b: 1, a: 2 } }));
    expect((await collect(store.readStream('foreign-1')))[0]).toMatchObject({ data: '{"b":1,"a":2}', hash: '' });
  });

  it('connects through gossip discovery (esdb+discover) and keeps its log in a file across a new instance', async () => {
    await double.stop();
    const file = join(dir, 'double', 'log.jsonl');
    double = await KurrentDbTestDouble.start({ file });
    const store = open({ connectionString: `esdb+discover://127.0.0.1:${double.port}?tls=false` });
    const written = await store.append('kept-1', [makeEvent(), makeEvent()], 'no_stream');
    await store.close();
    const port = double.port;
    await double.stop();
    double = await KurrentDbTestDouble.start({ file, port });
    const reopened = open();
    expect(await reopened.headPosition()).toBe(written.position);
    expect((await reopened.append('kept-1', [makeEvent()], 1)).nextRevision).toBe(2);
    const [last] = await collect(rawClient().readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }));
    expect(last!.event!.streamId).toBe('kept-1');
  });
});

describe('server-side filters and checkpoints (on the gRPC test double)', () => {
  /** Six wanted events, each behind a hundred others: a filter that ran here instead of on the server would show. */
  async function sparseLog(store: KurrentDbEventStore): Promise<string[]> {
    const wanted: string[] = [];
    for (let i = 0; i < 6; i++) {
      await store.append(
        `noise-${i}`,
        Array.from({ length: 100 }, () => makeEvent('NoiseRecorded', '{}')),
        'no_stream',
      );
      const event = makeEvent('PolicyProposed', '{}');
      wanted.push(event.eventId);
      await store.append(`policy-${i}`, [event], 'no_stream');
    }
    return wanted;
  }

  async function untilCaughtUp(
    messages: AsyncIterator<SubscriptionMessage>,
  ): Promise<{ events: RecordedEvent[]; checkpoints: Position[] }> {
    const events: RecordedEvent[] = [];
    const checkpoints: Position[] = [];
    for (;;) {
      const message = await next(messages, 10_000);
      if (message.kind === 'caughtUp') return { events, checkpoints };
      if (message.kind === 'event') events.push(message.event);
      else checkpoints.push(message.position);
    }
  }

  it('a stream-prefix or event-type subscription is sent only what matches, with checkpoints across what it skips', async () => {
    const store = open();
    const wanted = await sparseLog(store);
    for (const filter of [{ streamPrefixes: ['policy-'] }, { eventTypes: ['PolicyProposed'] }]) {
      const head = (await store.headPosition())!;
      const sentBefore = double.stats().subscriptionEventsSent;
      const subscription = store.subscribeAll({ filter, checkpointInterval: 64 });
      cleanups.push(() => subscription.close());
      const messages = subscription[Symbol.asyncIterator]();
      const { events, checkpoints } = await untilCaughtUp(messages);
      expect(
        events.map((e) => e.eventId),
        JSON.stringify(filter),
      ).toEqual(wanted);
      // The server sent the six, not the 606 events it considered.
      expect(double.stats().subscriptionEventsSent - sentBefore, JSON.stringify(filter)).toBe(wanted.length);
      // 606 or more events considered, a checkpoint about every 64: a subscriber can save its place between rare
      // events, and the last one, at caught-up, is the head of the log even though no event there matched.
      expect(checkpoints.length, JSON.stringify(filter)).toBeGreaterThanOrEqual(5);
      expectIncreasing(store, checkpoints);
      expect(store.comparePositions(checkpoints.at(-1)!, head), JSON.stringify(filter)).toBe(0);

      // Live: a burst that matches nothing still moves the subscriber's place forward, by checkpoints alone.
      await store.append(
        `noise-live-${randomUUID()}`,
        Array.from({ length: 200 }, () => makeEvent('NoiseRecorded', '{}')),
        'no_stream',
      );
      const liveHead = (await store.headPosition())!;
      let live: SubscriptionMessage;
      do live = await next(messages, 10_000);
      while (live.kind === 'checkpoint' && store.comparePositions(live.position, head) <= 0);
      expect(live.kind).toBe('checkpoint');
      expect(store.comparePositions((live as { position: Position }).position, head)).toBeGreaterThan(0);
      expect(store.comparePositions((live as { position: Position }).position, liveHead)).toBeLessThanOrEqual(0);
      expect(double.stats().subscriptionEventsSent - sentBefore).toBe(wanted.length);
      await subscription.close();
    }
  });

  it('a filtered readAll is filtered on the server; with both filters the stream prefix runs there and the type here', async () => {
    const store = open();
    const wanted = await sparseLog(store);
    let sentBefore = double.stats().subscriptionEventsSent;
    expect(
      (await collect(store.readAll({ filter: { eventTypes: ['PolicyProposed'] } }))).map((e) => e.eventId),
    ).toEqual(wanted);
    expect(double.stats().subscriptionEventsSent - sentBefore).toBe(wanted.length);

    sentBefore = double.stats().subscriptionEventsSent;
    const both = await collect(
      store.readAll({ filter: { streamPrefixes: ['noise-0', 'policy-1'], eventTypes: ['PolicyProposed'] } }),
    );
    expect(both.map((e) => e.eventId)).toEqual([wanted[1]]);
    // KurrentDB filters on stream names or on event types, not both: the 100 events of noise-0 and the one of policy-1
    // travelled, the 505 others did not.
    expect(double.stats().subscriptionEventsSent - sentBefore).toBe(101);
  });

  it('gives up within connectTimeoutMs on a server that accepts connections but never answers, and closes', async () => {
    // The client's first call on a connection (the server's features) has no deadline: without the adapter's own
    // limit, a frozen node would hold the caller, and a process starting against it, forever.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          silent.close(() => resolve());
        }),
    );
    const port = (silent.address() as AddressInfo).port;
    const store = open({ connectionString: `esdb://127.0.0.1:${port}?tls=false`, connectTimeoutMs: 500 });
    const started = Date.now();
    await expect(store.checkConnection()).rejects.toThrow(
      new RegExp(`KurrentDB at esdb://127\\.0\\.0\\.1:${port}\\?tls=false cannot be reached`),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(sockets.size).toBeGreaterThan(0);
    await store.close();
    expect(() => openKurrentDbEventStore({ connectionString: double.connectionString, connectTimeoutMs: 0 })).toThrow(
      RangeError,
    );
  });
});

describe('fault: the test double is stopped mid-subscription and restarted', () => {
  it('subscribeAll resumes where it was: nothing skipped, nothing twice, in catch-up and live', async () => {
    const store = open({ pageSize: 200 });
    const backlog = 2_000;
    for (let i = 0; i < backlog; i += 100) {
      await store.append(
        `backlog-${i % 7}`,
        Array.from({ length: 100 }, () => makeEvent('Common', '{}')),
        'any',
      );
    }
    const subscription = store.subscribeAll({ checkpointInterval: 64 });
    cleanups.push(() => subscription.close());
    const messages = subscription[Symbol.asyncIterator]();
    const delivered: RecordedEvent[] = [];
    const checkpoints: Position[] = [];
    const take = async (until: () => boolean): Promise<void> => {
      while (!until()) {
        const message = await next(messages, 10_000);
        if (message.kind === 'event') delivered.push(message.event);
        else if (message.kind === 'checkpoint') checkpoints.push(message.position);
      }
    };

    await take(() => delivered.length >= 100);
    await double.stop();
    // The server was cut off in the middle of the catch-up: it had not sent the whole backlog.
    expect(double.stats().subscriptionEventsSent).toBeLessThan(backlog);
    await sleep(300);
    await double.start();
    let caughtUp = false;
    while (!caughtUp) {
      const message = await next(messages, 10_000);
      if (message.kind === 'event') delivered.push(message.event);
      else if (message.kind === 'checkpoint') checkpoints.push(message.position);
      else caughtUp = true;
    }
    expect(delivered).toHaveLength(backlog);

    // Live: cut the connection between two appends, twice. The append right after a restart may meet the dropped
    // connection first; with an exact expected revision the adapter retries it safely.
    for (let round = 0; round < 2; round++) {
      await store.append('live-a', [makeEvent('Live'), makeEvent('Live')], round === 0 ? 'no_stream' : 1);
      await take(() => delivered.length >= backlog + 2 + round * 5);
      await double.restart();
      await store.append(
        'live-b',
        [makeEvent('Live'), makeEvent('Live'), makeEvent('Live')],
        round === 0 ? 'no_stream' : 2,
      );
      await take(() => delivered.length >= backlog + 5 + round * 5);
    }

    const log = await collect(store.readAll());
    expect(delivered.map((e) => e.eventId)).toEqual(log.map((e) => e.eventId));
    expect(new Set(delivered.map((e) => e.eventId)).size).toBe(delivered.length);
    expectIncreasing(
      store,
      delivered.map((e) => e.position),
    );
    expectIncreasing(store, checkpoints);
    expect((subscription as KurrentDbSubscription).reconnections).toBeGreaterThanOrEqual(3);
    // Each new server subscription started strictly after what had been delivered or checkpointed.
    const starts = double.stats().allSubscriptionStarts;
    expect(starts[0]).toBe('start');
    expect(starts.slice(1).every((s) => typeof s === 'object')).toBe(true);
  });

  it('a sparse filtered subscription resumes from its last checkpoint, not from its last event', async () => {
    const store = open({ pageSize: 200 });
    const rare: string[] = [];
    for (let i = 0; i < 2_000; i += 100) {
      const events = Array.from({ length: 100 }, (_, j) => makeEvent((i + j) % 400 === 399 ? 'Rare' : 'Common', '{}'));
      rare.push(...events.filter((e) => e.type === 'Rare').map((e) => e.eventId));
      await store.append(`sparse-${i % 3}`, events, 'any');
    }
    const subscription = store.subscribeAll({ filter: { eventTypes: ['Rare'] }, checkpointInterval: 50 });
    cleanups.push(() => subscription.close());
    const messages = subscription[Symbol.asyncIterator]();
    const delivered: RecordedEvent[] = [];
    const checkpoints: Position[] = [];
    let caughtUp = false;
    let cut = false;
    while (!caughtUp) {
      const message = await next(messages, 10_000);
      if (message.kind === 'event') delivered.push(message.event);
      else if (message.kind === 'checkpoint') checkpoints.push(message.position);
      else caughtUp = true;
      if (!cut && delivered.length === 2 && message.kind === 'checkpoint') {
        cut = true;
        await double.stop();
        await sleep(200);
        await double.start();
      }
    }
    expect(cut).toBe(true);
    expect(delivered.map((e) => e.eventId)).toEqual(rare);
    expectIncreasing(store, checkpoints);
    const resumedAfter = double.stats().allSubscriptionStarts[1];
    expect(typeof resumedAfter).toBe('object');
    // It resumed after a checkpoint beyond the second rare event, not after the event itself.
    const native = resumedAfter as { commit: bigint; prepare: bigint };
    expect(compareKurrentDbPositions(kurrentDbPosition(native), delivered[1]!.position)).toBeGreaterThan(0);
  });

  it('the projector resumes into the SQLite read models: nothing skipped, nothing applied twice', async () => {
    const clock = { now: () => new Date() };
    const keys = new SqliteKeyStore(join(dir, 'keys.sqlite'), randomBytes(32));
    cleanups.push(() => keys.close());
    const writer = open();
    const commands = new CommandHandlers(new WritePath({ store: writer, keys, clock }), clock);
    const register = (count: number): Promise<unknown> =>
      Promise.all(
        Array.from({ length: count }, (_, i) =>
          commands.organization(
            {
              type: 'RegisterOrganization',
              organizationId: randomUUID(),
              name: `Trường Tiểu học số ${i} xã Hoà Bình`,
              kind: 'school',
              levels: ['TH'],
              schoolType: '',
              parentOrganizationId: null,
            },
            null,
            { systemActor: true },
          ),
        ),
      );
    await register(200);

    const read = openSqliteReadStore(join(dir, 'read.sqlite'));
    cleanups.push(() => read.close());
    const projector = new Projector({ store: open(), db: read.db, keys, readModels: allReadModels, batchSize: 10 });
    const errors: Error[] = [];
    projector.on('error', (error) => errors.push(error));
    await projector.init();
    cleanups.push(() => projector.stop());
    let batches = 0;
    const firstBatch = new Promise<void>((resolve) =>
      projector.on('applied', () => {
        batches += 1;
        if (batches === 1) {
          // Cut the server at the first batch applied, in the middle of the catch-up.
          void double.stop();
          resolve();
        }
      }),
    );
    projector.start();
    await firstBatch;
    await sleep(300);
    await double.start();
    await register(50);
    await double.restart();
    await register(50);

    const head = (await writer.headPosition())!;
    expect(await projector.waitFor(head, 20_000)).toBe(true);
    expect(errors).toEqual([]);
    const organizations = await read.db
      .selectFrom('organizations')
      .select(({ fn }) => fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(organizations.n)).toBe(300);
    const checkpoint = await read.db.selectFrom('projector_checkpoint').selectAll().executeTakeFirstOrThrow();
    // seq counts applied events: each of the 300 events exactly once.
    expect(Number(checkpoint.seq)).toBe(300);
    expect(checkpoint.position).toBe(head);
    expect(double.stats().allSubscriptionStarts.length).toBeGreaterThanOrEqual(3);
  });

  it('a subscription that cannot reconnect within its attempts ends with the error, after what it had received', async () => {
    const store = open({ reconnect: { initialDelayMs: 10, maxDelayMs: 20, maxAttempts: 2 } });
    const event = makeEvent();
    await store.append('last-words', [event], 'no_stream');
    const subscription = store.subscribeAll();
    cleanups.push(() => subscription.close());
    const messages = subscription[Symbol.asyncIterator]();
    const first = await next(messages, 5_000);
    expect(first).toMatchObject({ kind: 'event', event: { eventId: event.eventId } });
    await double.stop();
    const rest: SubscriptionMessage[] = [];
    const error = await (async () => {
      for (;;) rest.push(await next(messages, 5_000));
    })().catch((e: unknown) => e);
    expect(isTransient(error)).toBe(true);
    expect(rest.map((m) => m.kind).filter((k) => k === 'event')).toEqual([]);
  });

  it('appends fail while the server is down; an append whose answer was lost is stored once when retried', async () => {
    const store = open();
    await store.append('outage-1', [makeEvent()], 'no_stream');
    await double.stop();
    const refused = await store.append('outage-1', [makeEvent()], 0).catch((e: unknown) => e);
    expect(isTransient(refused)).toBe(true);
    await double.start();

    // The server stores the next append and dies before answering.
    const uncertain = [makeEvent(), makeEvent()];
    double.crashAfterNextCommit();
    await expect(store.append('outage-1', uncertain, 0)).rejects.toThrow();
    await double.start();
    // A retry from a process that never heard back (no cache), with the revision it had loaded: a replay.
    const retrying = open();
    const retried = await retrying.append('outage-1', uncertain, 0);
    expect(retried.nextRevision).toBe(2);
    expect((await collect(retrying.readStream('outage-1'))).map((e) => e.eventId).slice(1)).toEqual(
      uncertain.map((e) => e.eventId),
    );
    expect(await retrying.streamRevision('outage-1')).toBe(2);
  });
});

// --- helpers ------------------------------------------------------------------------------------------------------

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function next(messages: AsyncIterator<SubscriptionMessage>, timeoutMs: number): Promise<SubscriptionMessage> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    messages.next(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`No subscription message within ${timeoutMs} ms`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
  if (result.done) throw new Error('The subscription ended unexpectedly');
  return result.value;
}

function expectIncreasing(store: { comparePositions(a: Position, b: Position): number }, positions: Position[]): void {
  for (let i = 1; i < positions.length; i++)
    expect(store.comparePositions(positions[i - 1]!, positions[i]!), `position ${i}`).toBeLessThan(0);
}
