/**
 * The contract every event store adapter passes: the semantics of the port (EventStoreDB/KurrentDB's), written once.
 * An adapter's test file calls `describeEventStoreContract(name, factory, options)`; see eventStore.int.test.ts.
 *
 * Only behaviour every engine can honour is asserted here: positions are compared through `comparePositions`, never
 * parsed, and gap-freedom (true of SQLite only) is left to `options.checkPositions`.
 */
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  WrongExpectedRevisionError,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type Position,
  type RecordedEvent,
  type Subscription,
  type SubscriptionMessage,
} from '@gopy/application/eventStore';
import {
  makeEvent,
  type RaceAttempt,
  type WorkerInput,
  type WorkerMessage,
  type WorkerOpener,
  type WorkerReport,
  type WorkerTask,
} from './contractSupport';
import { DuplicateEventIdError } from './errors';

export { makeEvent, type WorkerOpener } from './contractSupport';

export interface EventStoreFixture {
  /** A fresh, empty store, closed by the suite after the test. */
  store: EventStore;
  /** Another connection to the same database, as a second process would have; closed by the suite. */
  openSibling(): EventStore | Promise<EventStore>;
  /** How a worker thread opens yet another connection to the same database. */
  worker: WorkerOpener;
  /** Removes what the fixture created (files, schemas); called after every store is closed. */
  dispose(): Promise<void>;
}

export type EventStoreFactory = () => Promise<EventStoreFixture>;

export interface EventStoreContractOptions {
  /** Rows per page of the adapter as the fixture configures it, so that paging cases cross page boundaries. */
  pageSize: number;
  /** Extra checks on the positions of a log written by several processes at once, in read order. */
  checkPositions?(positions: Position[]): void;
}

const SUBSCRIPTION_TIMEOUT_MS = 5_000;

export function describeEventStoreContract(
  name: string,
  factory: EventStoreFactory,
  options: EventStoreContractOptions,
): void {
  describe(`${name} event store contract`, () => {
    let fixture: EventStoreFixture;
    let store: EventStore;
    let opened: EventStore[];
    let subscriptions: Subscription[];
    const { pageSize } = options;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
      opened = [store];
      subscriptions = [];
    });

    afterEach(async () => {
      await Promise.all(subscriptions.map((s) => s.close()));
      await Promise.all(opened.map((s) => s.close()));
      await fixture.dispose();
    });

    async function sibling(): Promise<EventStore> {
      const other = await fixture.openSibling();
      opened.push(other);
      return other;
    }

    function subscribe(...args: Parameters<EventStore['subscribeAll']>): {
      subscription: Subscription;
      messages: AsyncIterator<SubscriptionMessage>;
    } {
      const subscription = store.subscribeAll(...args);
      subscriptions.push(subscription);
      return { subscription, messages: subscription[Symbol.asyncIterator]() };
    }

    async function appendMany(streamId: string, count: number, type = 'Tested'): Promise<EventToAppend[]> {
      const events = Array.from({ length: count }, (_, i) => makeEvent(type, JSON.stringify({ i })));
      await store.append(streamId, events, 'any');
      return events;
    }

    async function expectConflict(
      promise: Promise<unknown>,
      streamId: string,
      expected: ExpectedRevision,
      actual: number | 'no_stream',
    ): Promise<void> {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WrongExpectedRevisionError);
      expect(error).toMatchObject({ streamId, expected, actual });
    }

    describe('append and expected revisions', () => {
      it('no_stream creates a stream and is refused once the stream exists', async () => {
        const first = await store.append('order-1', [makeEvent()], 'no_stream');
        expect(first.nextRevision).toBe(0);
        await expectConflict(store.append('order-1', [makeEvent()], 'no_stream'), 'order-1', 'no_stream', 0);
        expect(await store.streamRevision('order-1')).toBe(0);
      });

      it('stream_exists is refused on an absent stream and appends to an existing one', async () => {
        await expectConflict(
          store.append('order-2', [makeEvent()], 'stream_exists'),
          'order-2',
          'stream_exists',
          'no_stream',
        );
        expect(await store.streamRevision('order-2')).toBe('no_stream');
        await store.append('order-2', [makeEvent()], 'no_stream');
        const result = await store.append('order-2', [makeEvent()], 'stream_exists');
        expect(result.nextRevision).toBe(1);
      });

      it('an exact revision appends only when it is the revision of the last event', async () => {
        await expectConflict(store.append('order-3', [makeEvent()], 0), 'order-3', 0, 'no_stream');
        await store.append('order-3', [makeEvent(), makeEvent()], 'no_stream');
        await expectConflict(store.append('order-3', [makeEvent()], 0), 'order-3', 0, 1);
        await expectConflict(store.append('order-3', [makeEvent()], 2), 'order-3', 2, 1);
        const result = await store.append('order-3', [makeEvent()], 1);
        expect(result.nextRevision).toBe(2);
        expect(await store.streamRevision('order-3')).toBe(2);
      });

      it('any appends whatever the state of the stream', async () => {
        expect((await store.append('order-4', [makeEvent()], 'any')).nextRevision).toBe(0);
        expect((await store.append('order-4', [makeEvent(), makeEvent()], 'any')).nextRevision).toBe(2);
      });

      it('a multi-event append takes consecutive revisions and answers with the position of its last event', async () => {
        await store.append('order-5', [makeEvent()], 'no_stream');
        const events = [makeEvent('A'), makeEvent('B'), makeEvent('C')];
        const result = await store.append('order-5', events, 0);
        expect(result.nextRevision).toBe(3);
        const stored = await collect(store.readStream('order-5'));
        expect(stored.map((e) => [e.revision, e.eventId])).toEqual([
          [0, stored[0]!.eventId],
          [1, events[0]!.eventId],
          [2, events[1]!.eventId],
          [3, events[2]!.eventId],
        ]);
        expect(result.position).toBe(stored[3]!.position);
        expectIncreasing(
          store,
          stored.map((e) => e.position),
        );
        expect(await store.headPosition()).toBe(result.position);
      });

      it('a multi-event append that fails part-way stores none of its events', async () => {
        const taken = makeEvent();
        await store.append('elsewhere', [taken], 'no_stream');
        const repeated = makeEvent();
        await expect(store.append('atomic-1', [makeEvent(), repeated, repeated], 'no_stream')).rejects.toBeInstanceOf(
          DuplicateEventIdError,
        );
        await expect(store.append('atomic-2', [makeEvent(), makeEvent(), taken], 'no_stream')).rejects.toBeInstanceOf(
          DuplicateEventIdError,
        );
        expect(await store.streamRevision('atomic-1')).toBe('no_stream');
        expect(await store.streamRevision('atomic-2')).toBe('no_stream');
        expect(await collect(store.readAll())).toHaveLength(1);
      });

      it('an empty append writes nothing, answers the current revision and still checks the expected one', async () => {
        const written = await store.append('order-6', [makeEvent(), makeEvent()], 'no_stream');
        const empty = await store.append('order-6', [], 1);
        expect(empty).toEqual(written);
        await expectConflict(store.append('order-6', [], 'no_stream'), 'order-6', 'no_stream', 1);
        expect(await store.streamRevision('order-6')).toBe(1);
        expect(await collect(store.readAll())).toHaveLength(2);
      });

      it('refuses an invalid expected revision without storing anything', async () => {
        await expect(store.append('order-7', [makeEvent()], -1)).rejects.toThrow();
        await expect(store.append('order-7', [makeEvent()], 1.5)).rejects.toThrow();
        expect(await store.streamRevision('order-7')).toBe('no_stream');
      });
    });

    describe('idempotency by event id', () => {
      it('retrying a committed append stores nothing and answers as the first time', async () => {
        const events = [makeEvent(), makeEvent()];
        const first = await store.append('comment-1', events, 'no_stream');
        expect(await store.append('comment-1', events, 'no_stream')).toEqual(first);
        expect(await store.append('comment-1', events, 'any')).toEqual(first);

        const next = [makeEvent()];
        const second = await store.append('comment-1', next, 1);
        expect(await store.append('comment-1', next, 1)).toEqual(second);
        expect(await collect(store.readAll())).toHaveLength(3);
      });

      it('a retry succeeds even after the stream has moved on', async () => {
        const events = [makeEvent(), makeEvent()];
        const first = await store.append('comment-2', events, 'no_stream');
        await store.append('comment-2', [makeEvent()], 1);
        expect(await store.append('comment-2', events, 'no_stream')).toEqual(first);
        expect(await store.streamRevision('comment-2')).toBe(2);
      });

      it('identical appends made concurrently store the events once and answer alike', async () => {
        const events = [makeEvent(), makeEvent()];
        const results = await Promise.all([
          store.append('comment-3', events, 'no_stream'),
          store.append('comment-3', events, 'no_stream'),
          store.append('comment-3', events, 'no_stream'),
        ]);
        expect(results[1]).toEqual(results[0]);
        expect(results[2]).toEqual(results[0]);
        expect((await collect(store.readStream('comment-3'))).map((e) => e.eventId)).toEqual(
          events.map((e) => e.eventId),
        );
      });

      it('an event id stored in another stream is refused with a typed error', async () => {
        const event = makeEvent();
        await store.append('comment-4', [event], 'no_stream');
        const error = await store.append('comment-5', [event], 'no_stream').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(error).toMatchObject({ eventId: event.eventId, streamId: 'comment-5' });
        expect(await store.streamRevision('comment-5')).toBe('no_stream');
        expect(await store.streamRevision('comment-4')).toBe(0);
      });

      it('an append overlapping stored ids only in part is refused and stores nothing', async () => {
        const stored = [makeEvent(), makeEvent()];
        await store.append('comment-6', stored, 'no_stream');
        const overlapping = [stored[1]!, makeEvent()];
        const error = await store.append('comment-6', overlapping, 'any').catch((e: unknown) => e);
        expect(error instanceof DuplicateEventIdError || error instanceof WrongExpectedRevisionError).toBe(true);
        const withNewTail = [stored[0]!, stored[1]!, makeEvent()];
        await expect(store.append('comment-6', withNewTail, 'no_stream')).rejects.toBeInstanceOf(Error);
        expect(await store.streamRevision('comment-6')).toBe(1);
      });
    });

    describe('readStream', () => {
      it('reads forwards in revision order with every field as appended', async () => {
        const events = [makeEvent('A'), makeEvent('B'), makeEvent('C')];
        const result = await store.append('policy-1', events, 'no_stream');
        const read = await collect(store.readStream('policy-1'));
        expect(
          read.map(({ eventId, type, data, metadata, hash }) => ({ eventId, type, data, metadata, hash })),
        ).toEqual(events);
        expect(read.map((e) => e.revision)).toEqual([0, 1, 2]);
        expect(read.every((e) => e.streamId === 'policy-1')).toBe(true);
        expectIncreasing(
          store,
          read.map((e) => e.position),
        );
        expect(read[2]!.position).toBe(result.position);
      });

      it('reads backwards from the end', async () => {
        const events = await appendMany('policy-2', 4);
        const read = await collect(store.readStream('policy-2', { direction: 'backwards' }));
        expect(read.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId).reverse());
        expect(read.map((e) => e.revision)).toEqual([3, 2, 1, 0]);
      });

      it('starts at fromRevision inclusive, in either direction, and stops at maxCount', async () => {
        await appendMany('policy-3', 6);
        const revisions = async (o: Parameters<EventStore['readStream']>[1]): Promise<number[]> =>
          (await collect(store.readStream('policy-3', o))).map((e) => e.revision);
        expect(await revisions({ fromRevision: 2 })).toEqual([2, 3, 4, 5]);
        expect(await revisions({ fromRevision: 2, direction: 'backwards' })).toEqual([2, 1, 0]);
        expect(await revisions({ maxCount: 2 })).toEqual([0, 1]);
        expect(await revisions({ maxCount: 2, direction: 'backwards' })).toEqual([5, 4]);
        expect(await revisions({ fromRevision: 1, maxCount: 3 })).toEqual([1, 2, 3]);
        expect(await revisions({ fromRevision: 4, direction: 'backwards', maxCount: 2 })).toEqual([4, 3]);
        expect(await revisions({ fromRevision: 6 })).toEqual([]);
        expect(await revisions({ maxCount: 0 })).toEqual([]);
      });

      it('pages through streams longer than a page, in both directions', async () => {
        const count = pageSize * 2 + 7;
        const events = await appendMany('policy-4', count);
        const ids = events.map((e) => e.eventId);
        expect((await collect(store.readStream('policy-4'))).map((e) => e.eventId)).toEqual(ids);
        expect((await collect(store.readStream('policy-4', { direction: 'backwards' }))).map((e) => e.eventId)).toEqual(
          [...ids].reverse(),
        );
        const middle = await collect(
          store.readStream('policy-4', { fromRevision: pageSize - 1, maxCount: pageSize + 2 }),
        );
        expect(middle.map((e) => e.revision)).toEqual(range(pageSize - 1, pageSize + 2));
        expect(await collect(store.readStream('policy-4', { maxCount: pageSize }))).toHaveLength(pageSize);
      });

      it('yields nothing for an absent stream and never mixes streams that share a prefix', async () => {
        expect(await collect(store.readStream('absent'))).toEqual([]);
        expect(await collect(store.readStream('absent', { direction: 'backwards' }))).toEqual([]);
        expect(await store.streamRevision('absent')).toBe('no_stream');
        await appendMany('policy-1', 2);
        await appendMany('policy-10', 3);
        expect(await collect(store.readStream('policy-1'))).toHaveLength(2);
        expect(await collect(store.readStream('policy-1', { direction: 'backwards' }))).toHaveLength(2);
        expect(await store.streamRevision('policy-1')).toBe(1);
        expect(await collect(store.readStream('policy'))).toEqual([]);
      });
    });

    describe('readAll', () => {
      it('reads every stream in position order, with the positions append answered', async () => {
        expect(await store.headPosition()).toBeUndefined();
        expect(await collect(store.readAll())).toEqual([]);
        const a = await store.append('a-1', [makeEvent()], 'no_stream');
        const b = await store.append('b-1', [makeEvent(), makeEvent()], 'no_stream');
        const c = await store.append('a-1', [makeEvent()], 0);
        const all = await collect(store.readAll());
        expect(all.map((e) => [e.streamId, e.revision])).toEqual([
          ['a-1', 0],
          ['b-1', 0],
          ['b-1', 1],
          ['a-1', 1],
        ]);
        expect([all[0]!.position, all[2]!.position, all[3]!.position]).toEqual([a.position, b.position, c.position]);
        expectIncreasing(
          store,
          all.map((e) => e.position),
        );
        expect(await store.headPosition()).toBe(c.position);
        expect(store.comparePositions(a.position, a.position)).toBe(0);
        expect(store.comparePositions(a.position, c.position)).toBeLessThan(0);
        expect(store.comparePositions(c.position, b.position)).toBeGreaterThan(0);
      });

      it('reads strictly after a position', async () => {
        await appendMany('s-1', 5);
        const all = await collect(store.readAll());
        const after = await collect(store.readAll({ after: all[1]!.position }));
        expect(after.map((e) => e.eventId)).toEqual(all.slice(2).map((e) => e.eventId));
        expect(await collect(store.readAll({ after: all[4]!.position }))).toEqual([]);
        expect(await collect(store.readAll({ after: all[0]!.position, maxCount: 2 }))).toEqual(all.slice(1, 3));
      });

      it('filters by stream prefix, by event type, and by both at once', async () => {
        await store.append('policy-1', [makeEvent('PolicyProposed'), makeEvent('DraftingStarted')], 'no_stream');
        await store.append('comment-1', [makeEvent('CommentSubmitted')], 'no_stream');
        await store.append('org-1', [makeEvent('OrganizationRegistered')], 'no_stream');
        await store.append('policy-2', [makeEvent('PolicyProposed')], 'no_stream');
        const streams = async (
          filter: NonNullable<Parameters<EventStore['readAll']>[0]>['filter'],
        ): Promise<string[]> => (await collect(store.readAll({ filter }))).map((e) => `${e.streamId}:${e.type}`);
        expect(await streams({ streamPrefixes: ['policy-'] })).toEqual([
          'policy-1:PolicyProposed',
          'policy-1:DraftingStarted',
          'policy-2:PolicyProposed',
        ]);
        expect(await streams({ streamPrefixes: ['org-', 'comment-'] })).toEqual([
          'comment-1:CommentSubmitted',
          'org-1:OrganizationRegistered',
        ]);
        expect(await streams({ eventTypes: ['PolicyProposed', 'CommentSubmitted'] })).toEqual([
          'policy-1:PolicyProposed',
          'comment-1:CommentSubmitted',
          'policy-2:PolicyProposed',
        ]);
        expect(await streams({ streamPrefixes: ['policy-'], eventTypes: ['DraftingStarted'] })).toEqual([
          'policy-1:DraftingStarted',
        ]);
        expect(await streams({ streamPrefixes: ['digest-'] })).toEqual([]);
      });

      it('pages through a log longer than a page, with and without a filter', async () => {
        const total = pageSize * 3 + 11;
        const written: EventToAppend[] = [];
        for (let i = 0; i < total; i += 25) {
          // Every seventh event is rare, so filtered pages span many unfiltered ones.
          const events = Array.from({ length: Math.min(25, total - i) }, (_, j) =>
            makeEvent((i + j) % 7 === 0 ? 'Rare' : 'Common'),
          );
          await store.append(`bulk-${i % 3}`, events, 'any');
          written.push(...events);
        }
        const all = await collect(store.readAll());
        expect(all.map((e) => e.eventId)).toEqual(written.map((e) => e.eventId));
        expectIncreasing(
          store,
          all.map((e) => e.position),
        );
        const rare = await collect(store.readAll({ filter: { eventTypes: ['Rare'] } }));
        expect(rare.map((e) => e.eventId)).toEqual(written.filter((e) => e.type === 'Rare').map((e) => e.eventId));
        const limited = await collect(store.readAll({ after: all[3]!.position, maxCount: pageSize + 5 }));
        expect(limited.map((e) => e.eventId)).toEqual(all.slice(4, 4 + pageSize + 5).map((e) => e.eventId));
      });
    });

    describe('stored bytes', () => {
      it('keeps data and metadata byte for byte: Vietnamese in NFC and NFD, odd whitespace, key order', async () => {
        const nfc = 'Nghị định về góp ý: hoà, hòa, Thủ tướng, Đắk Lắk, người dân tộc'.normalize('NFC');
        const nfd = nfc.normalize('NFD');
        expect(nfd).not.toBe(nfc);
        const data = `{ "z":1,"a" :  "${nfc}",\t"b":"${nfd}" ,"ws":"\u00a0\u2028\u2029\u200b\u3000\ufeff",\r\n "emoji":"🇻🇳", "esc":"\\u00e0\\n" }  \n`;
        const metadata = `{"actor":{"role":"citizen"},"note":"${nfd}  ",  "x":1.50}`;
        const event = makeEvent('CommentSubmitted', data, metadata);
        await store.append('comment-bytes', [event], 'no_stream');
        const [fromStream] = await collect(store.readStream('comment-bytes'));
        const [fromAll] = await collect(store.readAll());
        for (const read of [fromStream!, fromAll!]) {
          expect(Buffer.from(read.data, 'utf8').equals(Buffer.from(data, 'utf8'))).toBe(true);
          expect(Buffer.from(read.metadata, 'utf8').equals(Buffer.from(metadata, 'utf8'))).toBe(true);
          expect(read.data).toBe(data);
          expect(read.data.includes(nfd)).toBe(true);
          expect(read.hash).toBe(event.hash);
        }
      });
    });

    describe('subscribeAll', () => {
      it('catches up, says so once, then delivers live appends', async () => {
        const { messages } = subscribe();
        expect(await next(messages)).toEqual({ kind: 'caughtUp', position: undefined });

        const before = await appendMany('live-1', 3);
        const { messages: late } = subscribe();
        const caughtUp = await takeUntil(late, (m) => m.kind === 'caughtUp');
        expect(eventIds(caughtUp)).toEqual(before.map((e) => e.eventId));
        expect(caughtUp.filter((m) => m.kind === 'caughtUp')).toEqual([
          { kind: 'caughtUp', position: await store.headPosition() },
        ]);

        const live = makeEvent('Live');
        const result = await store.append('live-2', [live], 'no_stream');
        const [message] = await takeEvents(late, 1);
        expect(message).toMatchObject({ eventId: live.eventId, streamId: 'live-2', position: result.position });
        // The first subscription saw the same events live.
        expect(
          eventIds(await takeUntil(messages, (m) => m.kind === 'event' && m.event.eventId === live.eventId)),
        ).toEqual([...before.map((e) => e.eventId), live.eventId]);
      });

      it('starts strictly after a given position and applies its filter live too', async () => {
        const events = await appendMany('from-1', 4);
        const all = await collect(store.readAll());
        const { messages } = subscribe({ after: all[1]!.position, filter: { streamPrefixes: ['from-'] } });
        const catchUp = await takeUntil(messages, (m) => m.kind === 'caughtUp');
        expect(eventIds(catchUp)).toEqual(events.slice(2).map((e) => e.eventId));
        const skipped = makeEvent();
        const wanted = makeEvent();
        await store.append('other-1', [skipped], 'no_stream');
        await store.append('from-2', [wanted], 'no_stream');
        const [live] = await takeEvents(messages, 1);
        expect(live!.eventId).toBe(wanted.eventId);
      });

      it('emits checkpoints up to the head when the filter skips every event', async () => {
        await appendMany('quiet-1', pageSize * 2 + 3);
        const head = (await store.headPosition())!;
        const { messages } = subscribe({ filter: { eventTypes: ['NeverWritten'] }, checkpointInterval: pageSize });
        const received = await takeUntil(messages, (m) => m.kind === 'caughtUp');
        expect(received.filter((m) => m.kind === 'event')).toEqual([]);
        const checkpoints = received.flatMap((m) => (m.kind === 'checkpoint' ? [m.position] : []));
        expect(checkpoints.length).toBeGreaterThan(0);
        expectIncreasing(store, checkpoints);
        expect(store.comparePositions(checkpoints.at(-1)!, head)).toBeGreaterThanOrEqual(0);
        expect(received.at(-1)!.kind).toBe('caughtUp');

        await appendMany('quiet-2', 2);
        const later = await takeUntil(messages, (m) => m.kind === 'checkpoint', 5_000);
        expect(later.filter((m) => m.kind !== 'checkpoint')).toEqual([]);
        expect(store.comparePositions(checkpointOf(later.at(-1)!), head)).toBeGreaterThan(0);
      });

      it('neither skips nor repeats events appended while it catches up', async () => {
        await appendMany('boundary-seed', pageSize * 2 + 5);
        const { messages } = subscribe({ checkpointInterval: Math.max(1, Math.floor(pageSize / 2)) });
        const delivered: RecordedEvent[] = [];
        let appended = 0;
        let caughtUp = false;
        const other = await sibling();
        // Appends land at every stage: mid-page, between pages, at the catch-up/live boundary, live, and from
        // another connection; the delivered sequence must still equal the log.
        while (!caughtUp || appended < 30) {
          const message = await next(messages);
          if (message.kind === 'event') {
            delivered.push(message.event);
            if (delivered.length % 17 === 0 && appended < 30) {
              await (appended % 2 === 0 ? store : other).append('boundary-live', [makeEvent()], 'any');
              appended += 1;
            }
          } else if (message.kind === 'caughtUp') {
            caughtUp = true;
            await store.append('boundary-live', [makeEvent()], 'any');
            appended += 1;
          } else if (caughtUp && appended < 30) {
            await other.append('boundary-live', [makeEvent()], 'any');
            appended += 1;
          }
        }
        const total = pageSize * 2 + 5 + appended;
        if (delivered.length < total) delivered.push(...(await takeEvents(messages, total - delivered.length)));
        const log = await collect(store.readAll());
        expect(log).toHaveLength(total);
        expect(delivered.map((e) => e.eventId)).toEqual(log.map((e) => e.eventId));

        const last = makeEvent();
        await store.append('boundary-end', [last], 'no_stream');
        expect((await takeEvents(messages, 1))[0]!.eventId).toBe(last.eventId);
      });

      it('sees appends made through another connection to the same store', async () => {
        const { messages } = subscribe();
        await takeUntil(messages, (m) => m.kind === 'caughtUp');
        const other = await sibling();
        const event = makeEvent();
        await other.append('elsewhere-1', [event], 'no_stream');
        expect((await takeEvents(messages, 1))[0]!.eventId).toBe(event.eventId);
      });

      it('close ends a waiting iteration promptly, and for-await loops end too', async () => {
        await appendMany('closing-1', 2);
        const { subscription, messages } = subscribe();
        await takeUntil(messages, (m) => m.kind === 'caughtUp');
        const pending = messages.next();
        const started = Date.now();
        await subscription.close();
        expect(await withTimeout(pending, 1_000)).toEqual({ done: true, value: undefined });
        expect(Date.now() - started).toBeLessThan(1_000);

        const second = store.subscribeAll();
        subscriptions.push(second);
        const seen: SubscriptionMessage[] = [];
        const loop = (async () => {
          for await (const message of second) {
            seen.push(message);
            if (message.kind === 'caughtUp') setTimeout(() => void second.close(), 20);
          }
        })();
        await withTimeout(loop, 2_000);
        expect(seen.filter((m) => m.kind === 'event')).toHaveLength(2);
      });
    });

    describe('concurrency', () => {
      it('writers in other threads racing on one stream: one wins each revision, the rest get the conflict', async () => {
        const writers = 4;
        const revisions = 40;
        const reports = await runWorkers(
          fixture.worker,
          Array.from(
            { length: writers },
            () => ({ kind: 'race', streamId: 'raced-1', revisions }) satisfies WorkerTask,
          ),
        );
        const attempts = reports.flatMap((r) => (r.kind === 'race' ? r.attempts : []));
        const winners = attempts.filter((a): a is Extract<RaceAttempt, { ok: true }> => a.ok);
        expect(winners.map((w) => w.revision).sort((x, y) => x - y)).toEqual(range(0, revisions));
        for (const winner of winners) expect(winner.nextRevision).toBe(winner.revision);
        const losers = attempts.filter((a): a is Extract<RaceAttempt, { ok: false }> => !a.ok);
        for (const loser of losers) {
          expect(loser.errorName, loser.message).toBe('WrongExpectedRevisionError');
          // Someone else took this revision first, so the stream was at least there.
          expect(typeof loser.actual === 'number' && loser.actual >= loser.revision, loser.message).toBe(true);
        }
        // Every writer starts by contending for revision 0 at the same moment; only one can get it.
        expect(attempts.filter((a) => a.revision === 0)).toHaveLength(writers);
        expect(losers.length).toBeGreaterThanOrEqual(writers - 1);
        const stream = await collect(store.readStream('raced-1'));
        const byRevision = new Map(winners.map((w) => [w.revision, w]));
        expect(stream.map((e) => e.eventId)).toEqual(range(0, revisions).map((r) => byRevision.get(r)!.eventId));
        expect(stream.map((e) => e.position)).toEqual(range(0, revisions).map((r) => byRevision.get(r)!.position));
      });

      it('writers in other threads on distinct streams: every event stored once, in one total order', async () => {
        const writers = 4;
        const streamsPerWriter = 10;
        const appendsPerStream = 5;
        const eventsPerAppend = 2;
        const reports = await runWorkers(
          fixture.worker,
          Array.from(
            { length: writers },
            (_, w) =>
              ({
                kind: 'distinct',
                streamIds: range(0, streamsPerWriter).map((s) => `spread-${w}-${s}`),
                appendsPerStream,
                eventsPerAppend,
              }) satisfies WorkerTask,
          ),
        );
        const appends = reports.flatMap((r) => (r.kind === 'distinct' ? r.appends : []));
        expect(appends).toHaveLength(writers * streamsPerWriter * appendsPerStream);
        const log = await collect(store.readAll());
        const total = writers * streamsPerWriter * appendsPerStream * eventsPerAppend;
        expect(log).toHaveLength(total);
        expect(new Set(log.map((e) => e.eventId)).size).toBe(total);
        expect(new Set(log.map((e) => e.eventId))).toEqual(new Set(appends.flatMap((a) => a.eventIds)));
        const positions = log.map((e) => e.position);
        expectIncreasing(store, positions);
        options.checkPositions?.(positions);
        const positionOf = new Map(log.map((e) => [e.eventId, e.position]));
        for (const append of appends) expect(positionOf.get(append.eventIds.at(-1)!)).toBe(append.position);
        for (const streamId of new Set(log.map((e) => e.streamId))) {
          const revisions = (await collect(store.readStream(streamId))).map((e) => e.revision);
          expect(revisions).toEqual(range(0, appendsPerStream * eventsPerAppend));
        }
      });

      it('200 concurrent appends in one process: the one with a wrong expected revision fails alone', async () => {
        const wrong = 137;
        const settled = await Promise.allSettled(
          range(0, 200).map((i) =>
            store.append(`surge-${i}`, [makeEvent()], i === wrong ? 'stream_exists' : 'no_stream'),
          ),
        );
        settled.forEach((outcome, i) =>
          expect(outcome.status, `append ${i}`).toBe(i === wrong ? 'rejected' : 'fulfilled'),
        );
        const failure = settled[wrong];
        expect(failure?.status === 'rejected' && failure.reason).toBeInstanceOf(WrongExpectedRevisionError);
        expect(failure?.status === 'rejected' && failure.reason).toMatchObject({ actual: 'no_stream' });
        const log = await collect(store.readAll());
        expect(log).toHaveLength(199);
        expect(log.some((e) => e.streamId === `surge-${wrong}`)).toBe(false);
        const positions = settled.flatMap((o) => (o.status === 'fulfilled' ? [o.value.position] : []));
        expect(new Set(positions).size).toBe(199);
      });
    });
  });
}

// --- helpers --------------------------------------------------------------------------------------------------

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

function expectIncreasing(store: EventStore, positions: Position[]): void {
  for (let i = 1; i < positions.length; i++) {
    expect(store.comparePositions(positions[i - 1]!, positions[i]!), `position ${i}`).toBeLessThan(0);
  }
}

function eventIds(messages: SubscriptionMessage[]): string[] {
  return messages.flatMap((m) => (m.kind === 'event' ? [m.event.eventId] : []));
}

function checkpointOf(message: SubscriptionMessage): Position {
  if (message.kind !== 'checkpoint') throw new Error(`Expected a checkpoint, got ${message.kind}`);
  return message.position;
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

async function next(messages: AsyncIterator<SubscriptionMessage>): Promise<SubscriptionMessage> {
  const result = await withTimeout(messages.next(), SUBSCRIPTION_TIMEOUT_MS);
  if (result.done) throw new Error('The subscription ended unexpectedly');
  return result.value;
}

async function takeUntil(
  messages: AsyncIterator<SubscriptionMessage>,
  stop: (message: SubscriptionMessage) => boolean,
  timeoutMs = SUBSCRIPTION_TIMEOUT_MS,
): Promise<SubscriptionMessage[]> {
  const received: SubscriptionMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await withTimeout(messages.next(), Math.max(1, deadline - Date.now()));
    if (result.done) throw new Error('The subscription ended unexpectedly');
    received.push(result.value);
    if (stop(result.value)) return received;
  }
}

/** The next `count` events, ignoring checkpoints. */
async function takeEvents(messages: AsyncIterator<SubscriptionMessage>, count: number): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  while (events.length < count) {
    const message = await next(messages);
    if (message.kind === 'event') events.push(message.event);
    else if (message.kind === 'caughtUp') throw new Error('caughtUp emitted twice');
  }
  return events;
}

async function runWorkers(opener: WorkerOpener, tasks: WorkerTask[]): Promise<WorkerReport[]> {
  const barrier = new SharedArrayBuffer(4);
  const entry = new URL('./contractWorker.ts', import.meta.url).href;
  return Promise.all(
    tasks.map(
      (task) =>
        new Promise<WorkerReport>((resolve, reject) => {
          const input: WorkerInput = { opener, task, barrier, parties: tasks.length };
          const worker = new Worker(new URL('./tsWorker.mjs', import.meta.url), { workerData: { entry, input } });
          let message: WorkerMessage | undefined;
          worker.on('message', (m: WorkerMessage) => (message = m));
          worker.on('error', reject);
          worker.on('exit', (code) => {
            if (message?.ok) resolve(message.report);
            else reject(new Error(message ? message.error : `Worker exited with code ${code} without a report`));
          });
        }),
    ),
  );
}
