/**
 * The KurrentDB (EventStoreDB) adapter of the event store port, on `@eventstore/db-client`. Everything that knows the
 * client lives in this folder, so moving to its successor `@kurrent/kurrentdb-client` is a change of this folder only.
 *
 * Mapping of the port:
 * - Expected revisions map one to one (any / no_stream / stream_exists / exact revision as a BigInt); the client's
 *   WrongExpectedVersionError becomes the port's WrongExpectedRevisionError with the actual revision.
 * - Stored bytes. `data` is stored as a binary event (application/octet-stream) holding the UTF-8 bytes of the text
 *   exactly as given: the Node client re-serialises JSON events, which would change key order and whitespace and break
 *   the hash chain. The event's custom metadata is the JSON `{"m": <metadata text>, "h": <hash>}`; JSON string escaping
 *   is lossless for any JavaScript string, so both texts come back code unit for code unit (Vietnamese NFC and NFD
 *   included).
 * - Idempotency. KurrentDB itself answers an append whose ids already sit at the revisions it would take as a success
 *   without writing (with an exact expected revision or no_stream, even after the stream has moved on; with `any` or
 *   `stream_exists` only while the first id is in the server's cache of recent ids), and a replay that matches only in
 *   part as a conflict. The adapter adds a bounded LRU cache of the ids it appended: retries are answered from it
 *   without a round trip, and an id already stored in another stream, or an append repeating stored ids only in part,
 *   is refused with DuplicateEventIdError before anything is sent.
 *   LIMITATION: KurrentDB has no index by event id, so an id stored in another stream is detected only when this
 *   process appended it (and it is still in the cache); otherwise the server stores the event a second time.
 * - Positions are KurrentDB's native (commit, prepare) pairs, encoded as an order-preserving opaque string
 *   (kurrentDbPosition.ts). An append of several events answers with the position of its last event, read back from
 *   the stream, since the server answers with the position of the transaction.
 * - System streams and event types (`$…`) are invisible to the port; appending to a `$` stream is refused.
 * - readAll without a filter pages through $all; with a filter (or a namespace) it runs a server-side filtered
 *   subscription until the server says it has caught up. subscribeAll: see kurrentDbSubscription.ts (checkpoints, caught-up, reconnection).
 * - `namespace` prefixes every stream id on the server and hides every other stream: it lets several stores (the
 *   contract suite's fresh store per test) share one server. Production leaves it empty.
 */
import { revisionMatches, validateAppend } from '../appendChecks';
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  binaryEvent,
  eventTypeFilter,
  excludeSystemEvents,
  streamNameFilter,
  type AllStreamRecordedEvent,
  type AppendExpectedRevision,
  type Filter,
  type RecordedEvent as ClientRecordedEvent,
} from '@eventstore/db-client';
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
import { DuplicateEventIdError } from '../errors';
import {
  compareKurrentDbPositions,
  compareNativePositions,
  KURRENTDB_ZERO_POSITION,
  kurrentDbPosition,
  parseKurrentDbPosition,
  type NativePosition,
} from './kurrentDbPosition';
import {
  KurrentDbSubscription,
  isTransient,
  type ReconnectOptions,
  type SubscriptionSource,
} from './kurrentDbSubscription';

export { type ReconnectOptions } from './kurrentDbSubscription';
export {
  compareKurrentDbPositions,
  kurrentDbPosition,
  parseKurrentDbPosition,
  KURRENTDB_ZERO_POSITION,
  type NativePosition,
} from './kurrentDbPosition';
import { isLowerCaseUuid } from '@gopy/application/ids';

export interface KurrentDbEventStoreOptions {
  /** e.g. `esdb://127.0.0.1:2113?tls=false`, or `esdb+discover://…` for a cluster. */
  connectionString: string;
  /** Prefix of every stream of this store on the server; other streams are invisible. Empty in production. */
  namespace?: string;
  /** Events per read request (stream reads, $all pages). */
  pageSize?: number;
  /** Default for subscribeAll: about how many events the server considers between two checkpoints. */
  checkpointInterval?: number;
  /** How a subscription reconnects after a dropped connection. */
  reconnect?: ReconnectOptions;
  /**
   * Retries of a read, or of an append with no_stream or an exact revision, that failed because the connection
   * dropped or the server was unavailable (default 3), waiting as `reconnect` says. Such an append is safe to repeat:
   * if the first attempt was stored, KurrentDB recognises the ids at their revisions and answers success. Appends with
   * `any` or `stream_exists` are not retried, since KurrentDB recognises their replays only from a cache of recent ids.
   */
  transientRetries?: number;
  /** Event ids remembered to answer retries and refuse ids stored in another stream. */
  eventIdCacheSize?: number;
  /**
   * How long checkConnection waits for an answer (default 10 000 ms). The client's first call on a new connection
   * asks for the server's features without a deadline: a server that accepts the connection but never answers (a
   * frozen node, or a server in a process whose event loop is blocked) would otherwise hold the caller forever.
   */
  connectTimeoutMs?: number;
}

export interface KurrentDbEventStore extends EventStore {
  readonly namespace: string;
  /** Reads the head of $all; fails with a message naming the server when it cannot be reached. */
  checkConnection(): Promise<void>;
}

/** The largest search window asked of the server (KurrentDB's default read batch is 32). */
const MAX_SEARCH_WINDOW = 32;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function openKurrentDbEventStore(options: KurrentDbEventStoreOptions): KurrentDbEventStore {
  return new KurrentDbEventStoreImpl(options);
}

interface CachedId {
  streamId: string;
  revision: number;
  position: NativePosition | undefined;
}

class KurrentDbEventStoreImpl implements KurrentDbEventStore {
  readonly namespace: string;
  private readonly client: EventStoreDBClient;
  private readonly pageSize: number;
  private readonly checkpointInterval: number;
  private readonly reconnect: Required<ReconnectOptions>;
  private readonly transientRetries: number;
  private readonly ids: LruCache<string, CachedId>;
  private readonly subscriptions = new Set<KurrentDbSubscription>();
  private readonly target: string;
  private readonly subscriptionSource: SubscriptionSource;
  private readonly connectTimeoutMs: number;
  private closed = false;

  constructor(options: KurrentDbEventStoreOptions) {
    this.namespace = options.namespace ?? '';
    if (this.namespace.startsWith('$')) throw new TypeError('A KurrentDB namespace must not start with $');
    this.pageSize = positiveInteger(options.pageSize ?? 500, 'pageSize');
    this.checkpointInterval = positiveInteger(options.checkpointInterval ?? 1_000, 'checkpointInterval');
    this.reconnect = {
      initialDelayMs: options.reconnect?.initialDelayMs ?? 100,
      maxDelayMs: options.reconnect?.maxDelayMs ?? 5_000,
      maxAttempts: options.reconnect?.maxAttempts ?? Number.POSITIVE_INFINITY,
    };
    this.transientRetries = options.transientRetries ?? 3;
    if (!Number.isSafeInteger(this.transientRetries) || this.transientRetries < 0)
      throw new RangeError('transientRetries must be >= 0');
    this.ids = new LruCache(positiveInteger(options.eventIdCacheSize ?? 100_000, 'eventIdCacheSize'));
    this.connectTimeoutMs = positiveInteger(options.connectTimeoutMs ?? 10_000, 'connectTimeoutMs');
    this.target = redact(options.connectionString);
    this.client = EventStoreDBClient.connectionString(options.connectionString);
    this.subscriptionSource = {
      subscribeToAll: (from, filter) => this.client.subscribeToAll({ fromPosition: from ?? START, filter }),
      serverFilter: (filter, interval, reached) => this.serverFilter(filter, interval, reached),
      decode: (event) => this.decode(event),
      accepts: (filter, event) => accepts(filter, event),
      head: () => this.head(),
      reconnect: this.reconnect,
      detach: (subscription) => this.subscriptions.delete(subscription),
    };
  }

  // --- append ---------------------------------------------------------------------------------------------------

  async append(streamId: string, events: EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    validateKurrentAppend(streamId, events, expectedRevision);
    const name = this.serverStream(streamId);
    if (events.length === 0) return this.emptyAppend(streamId, name, expectedRevision);
    const unique = new Set<string>();
    for (const event of events) {
      if (unique.has(event.eventId)) throw new DuplicateEventIdError(event.eventId, streamId, streamId);
      unique.add(event.eventId);
    }
    const remembered = await this.replayFromCache(streamId, name, events);
    if (remembered) return remembered;

    let result: Awaited<ReturnType<EventStoreDBClient['appendToStream']>>;
    try {
      const encoded = events.map(encode);
      const send = () =>
        this.client.appendToStream(name, encoded, { expectedRevision: clientExpected(expectedRevision) });
      result = await (expectedRevision === 'any' || expectedRevision === 'stream_exists'
        ? send()
        : this.retrying(send));
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      // A retry of an append that did commit, carrying the revision the stream had before it, is not a conflict:
      // KurrentDB recognises it (the ids at the following revisions match) and answers success, so a conflict here
      // is a real one (or a replay that matches only in part, which KurrentDB also answers as a conflict).
      const actual = error.actualVersion;
      throw new WrongExpectedRevisionError(
        streamId,
        expectedRevision,
        actual === 'no_stream' ? 'no_stream' : Number(actual),
      );
    }
    const nextRevision = Number(result.nextExpectedRevision);
    // The server answers with the transaction's position: that of the last event only for a single event written as
    // one committed record (commit = prepare). Anything else is read back from the stream.
    const answered = result.position;
    const native =
      events.length === 1 && answered !== undefined && answered.commit === answered.prepare && answered.commit >= 0n
        ? answered
        : await this.positionAt(name, nextRevision);
    this.remember(streamId, events, nextRevision, native);
    return { nextRevision, position: kurrentDbPosition(native) };
  }

  private async emptyAppend(streamId: string, name: string, expected: ExpectedRevision): Promise<AppendResult> {
    const last = await this.lastEvent(name);
    const current = last === undefined ? 'no_stream' : last.revision;
    if (!revisionMatches(expected, current)) throw new WrongExpectedRevisionError(streamId, expected, current);
    return last === undefined
      ? { nextRevision: -1, position: KURRENTDB_ZERO_POSITION }
      : { nextRevision: last.revision, position: kurrentDbPosition(last.position) };
  }

  /** Answers a retry of an append this process made from memory, and refuses ids it knows to be elsewhere. */
  private async replayFromCache(
    streamId: string,
    name: string,
    events: EventToAppend[],
  ): Promise<AppendResult | undefined> {
    const known = events.map((event) => this.ids.get(event.eventId));
    known.forEach((entry, i) => {
      if (entry !== undefined && entry.streamId !== streamId) {
        throw new DuplicateEventIdError(events[i]!.eventId, streamId, entry.streamId);
      }
    });
    if (known.every((entry) => entry === undefined)) return undefined;
    const first = known[0];
    const exact =
      first !== undefined && known.every((entry, i) => entry !== undefined && entry.revision === first.revision + i);
    if (!exact) {
      const overlapping = events[known.findIndex((entry) => entry !== undefined)]!;
      throw new DuplicateEventIdError(overlapping.eventId, streamId, streamId);
    }
    const last = known.at(-1)!;
    return {
      nextRevision: last.revision,
      position: kurrentDbPosition(last.position ?? (await this.positionAt(name, last.revision))),
    };
  }

  private remember(
    streamId: string,
    events: EventToAppend[],
    lastRevision: number,
    lastPosition: NativePosition | undefined,
  ): void {
    events.forEach((event, i) => {
      const last = i === events.length - 1;
      this.ids.set(event.eventId, {
        streamId,
        revision: lastRevision - (events.length - 1 - i),
        position: last ? lastPosition : undefined,
      });
    });
  }

  private async positionAt(name: string, revision: number): Promise<NativePosition> {
    const [event] = (await this.readStreamPage(name, { fromRevision: BigInt(revision), maxCount: 1 })) ?? [];
    if (event === undefined)
      throw new Error(`KurrentDB: event ${revision} of ${name} was just written but cannot be read`);
    return requirePosition(event);
  }

  /**
   * One bounded read request, drained to its end before anything is yielded: a client read abandoned half-way is
   * never ended, and the client's dispose() then waits for it forever. Undefined when the stream does not exist.
   */
  private async readStreamPage(
    name: string,
    options: { fromRevision: bigint | typeof END; direction?: typeof FORWARDS | typeof BACKWARDS; maxCount: number },
  ): Promise<ClientRecordedEvent[] | undefined> {
    return this.retrying(async () => {
      const events: ClientRecordedEvent[] = [];
      try {
        for await (const resolved of this.client.readStream(name, options))
          if (resolved.event) events.push(resolved.event);
      } catch (error) {
        if (error instanceof StreamNotFoundError) return undefined;
        throw error;
      }
      return events;
    });
  }

  /** One bounded page of $all, drained (see readStreamPage). */
  private async readAllPage(options: {
    fromPosition: NativePosition | typeof START | typeof END;
    direction: typeof FORWARDS | typeof BACKWARDS;
    maxCount: number;
  }): Promise<AllStreamRecordedEvent[]> {
    return this.retrying(async () => {
      const events: AllStreamRecordedEvent[] = [];
      for await (const resolved of this.client.readAll(options)) if (resolved.event) events.push(resolved.event);
      return events;
    });
  }

  /**
   * Runs a request again after a transient failure (connection dropped, server unavailable or restarting): the client
   * notices a dropped connection only when a call fails on it, and opens a new channel for the next call.
   */
  private async retrying<T>(request: () => Promise<T>): Promise<T> {
    let delay = this.reconnect.initialDelayMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await request();
      } catch (error) {
        if (attempt >= this.transientRetries || this.closed || !isTransient(error)) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, this.reconnect.maxDelayMs);
    }
  }

  // --- reads ----------------------------------------------------------------------------------------------------

  async *readStream(streamId: string, options: ReadStreamOptions = {}): AsyncGenerator<RecordedEvent> {
    this.assertOpen();
    const name = this.serverStream(streamId);
    const forwards = (options.direction ?? 'forwards') === 'forwards';
    if (
      options.fromRevision !== undefined &&
      !(Number.isSafeInteger(options.fromRevision) && options.fromRevision >= 0)
    ) {
      throw new TypeError(`Invalid fromRevision: ${String(options.fromRevision)}`);
    }
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    let next: bigint | typeof END =
      options.fromRevision !== undefined ? BigInt(options.fromRevision) : forwards ? 0n : END;
    while (remaining > 0) {
      this.assertOpen();
      const limit = Math.min(this.pageSize, remaining);
      const page = await this.readStreamPage(name, {
        fromRevision: next,
        direction: forwards ? FORWARDS : BACKWARDS,
        maxCount: limit,
      });
      if (page === undefined) return;
      for (const event of page) {
        const recorded = this.decode(event);
        if (recorded) yield recorded;
      }
      const lastRevision = page.at(-1)?.revision;
      if (page.length < limit || lastRevision === undefined) return;
      remaining -= page.length;
      next = forwards ? lastRevision + 1n : lastRevision - 1n;
      if (next < 0n) return;
    }
  }

  async streamRevision(streamId: string): Promise<number | 'no_stream'> {
    this.assertOpen();
    return (await this.lastEvent(this.serverStream(streamId)))?.revision ?? 'no_stream';
  }

  async *readAll(options: ReadAllOptions = {}): AsyncGenerator<RecordedEvent> {
    this.assertOpen();
    const after = options.after === undefined ? undefined : parseKurrentDbPosition(options.after);
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (remaining <= 0) return;
    if (options.filter !== undefined || this.namespace !== '') {
      // Filtered on the server (by the filter, or by the namespace): a subscription read until the server has
      // caught up with the log.
      const subscription = this.subscribe({
        after,
        filter: options.filter,
        checkpointInterval: this.checkpointInterval,
        maxCount: remaining,
      });
      try {
        for await (const message of subscription) {
          if (message.kind === 'caughtUp') return;
          if (message.kind === 'event') yield message.event;
        }
      } finally {
        await subscription.close();
      }
      return;
    }
    // Unfiltered: pages of $all. Reading forwards from a position includes the event there, so each page after the
    // first asks for one more and the overlap is dropped by position.
    let from = after;
    let seen = after;
    for (;;) {
      this.assertOpen();
      const limit = this.pageSize + (from === undefined ? 0 : 1);
      const page = await this.readAllPage({ fromPosition: from ?? START, direction: FORWARDS, maxCount: limit });
      const count = page.length;
      for (const event of page) {
        if (seen !== undefined && compareNativePositions(event.position, seen) <= 0) continue;
        seen = event.position;
        const recorded = this.decode(event);
        if (!recorded) continue;
        yield recorded;
        if (--remaining <= 0) return;
      }
      if (count < limit || seen === undefined || (from !== undefined && compareNativePositions(seen, from) <= 0))
        return;
      from = seen;
    }
  }

  subscribeAll(options: ReadAllOptions & { checkpointInterval?: number } = {}): Subscription {
    this.assertOpen();
    return this.subscribe({
      after: options.after === undefined ? undefined : parseKurrentDbPosition(options.after),
      filter: options.filter,
      checkpointInterval: positiveInteger(options.checkpointInterval ?? this.checkpointInterval, 'checkpointInterval'),
      maxCount: options.maxCount ?? Number.POSITIVE_INFINITY,
    });
  }

  private subscribe(options: ConstructorParameters<typeof KurrentDbSubscription>[1]): KurrentDbSubscription {
    const subscription = new KurrentDbSubscription(this.subscriptionSource, options);
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<Position | undefined> {
    this.assertOpen();
    const head = await this.head();
    return head === undefined ? undefined : kurrentDbPosition(head);
  }

  comparePositions(a: Position, b: Position): number {
    return compareKurrentDbPositions(a, b);
  }

  async checkConnection(): Promise<void> {
    const probe = (async () => {
      for await (const _ of this.client.readAll({
        direction: BACKWARDS,
        fromPosition: END,
        maxCount: 1,
        deadline: this.connectTimeoutMs,
      }))
        void _;
    })();
    let timer: NodeJS.Timeout | undefined;
    const silence = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.connectTimeoutMs} ms`)),
        this.connectTimeoutMs,
      );
    });
    try {
      await Promise.race([probe, silence]);
    } catch (error) {
      // The probe may still be pending on a server that never answers; close() ends it.
      probe.catch(() => undefined);
      throw new Error(
        `KurrentDB at ${this.target} cannot be reached (KURRENTDB_URL): ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    // dispose() cancels the calls still open (the BatchAppend stream, subscriptions) and waits for them to end; a call
    // the server never ends must not hold close() forever.
    await Promise.race([this.client.dispose(), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    // dispose() ends the calls but leaves the channel open; close it so that the process (or worker) can exit.
    const internal = this.client as unknown as { getChannel?: () => Promise<{ close(): void }> };
    try {
      (await internal.getChannel?.())?.close();
    } catch {
      // never connected
    }
  }

  // --- helpers --------------------------------------------------------------------------------------------------

  /** The last event the port can see in $all (system events and other namespaces are skipped). */
  private async head(): Promise<NativePosition | undefined> {
    if (this.namespace !== '') return this.retrying(() => this.namespaceHead());
    // The tail of $all holds few system events: read it backwards until an event the port can see.
    let from: NativePosition | undefined;
    for (;;) {
      let fresh = 0;
      let oldest: NativePosition | undefined;
      for (const event of await this.readAllPage({
        fromPosition: from ?? END,
        direction: BACKWARDS,
        maxCount: this.pageSize,
      })) {
        if (from !== undefined && compareNativePositions(event.position, from) >= 0) continue;
        fresh += 1;
        oldest = event.position;
        if (this.ownStream(event.streamId) !== undefined && !event.type.startsWith('$')) return event.position;
      }
      if (fresh === 0 || oldest === undefined) return undefined;
      from = oldest;
    }
  }

  /**
   * The last event of the namespace: other namespaces may fill the tail of a shared server, so the server scans $all
   * with the namespace as a stream filter, and only this namespace's events travel, up to caught-up.
   */
  private namespaceHead(): Promise<NativePosition | undefined> {
    return new Promise<NativePosition | undefined>((resolve, reject) => {
      let last: NativePosition | undefined;
      let remaining: number | undefined;
      const subscription = this.client.subscribeToAll({
        fromPosition: START,
        filter: streamNameFilter({
          prefixes: [this.namespace],
          maxSearchWindow: MAX_SEARCH_WINDOW,
          checkpointInterval: 1_000,
        }),
      });
      const done = (error?: unknown): void => {
        subscription.removeAllListeners('data');
        void subscription.unsubscribe().catch(() => undefined);
        if (error === undefined) resolve(last);
        else reject(error);
      };
      subscription.on('data', (resolved: { event?: AllStreamRecordedEvent }) => {
        const event = resolved.event;
        if (event && this.ownStream(event.streamId) !== undefined && !event.type.startsWith('$')) last = event.position;
        // Caught-up is reported while events before it may still wait in the client's buffer: count them out.
        if (remaining !== undefined && --remaining <= 0) done();
      });
      subscription.on('caughtUp', () => {
        remaining = subscription.readableLength;
        if (remaining === 0) done();
      });
      subscription.on('error', (error: unknown) => done(error));
    });
  }

  private async lastEvent(name: string): Promise<{ revision: number; position: NativePosition } | undefined> {
    const [event] = (await this.readStreamPage(name, { fromRevision: END, direction: BACKWARDS, maxCount: 1 })) ?? [];
    return event === undefined ? undefined : { revision: Number(event.revision), position: requirePosition(event) };
  }

  private serverStream(streamId: string): string {
    if (typeof streamId !== 'string' || streamId.length === 0)
      throw new TypeError('A stream id must be a non-empty string');
    if (streamId.startsWith('$'))
      throw new TypeError(`Stream ids starting with $ are KurrentDB system streams: ${streamId}`);
    return this.namespace + streamId;
  }

  /** The port's stream id for a server stream name, or undefined for system streams and other namespaces. */
  private ownStream(name: string): string | undefined {
    if (name.startsWith('$') || !name.startsWith(this.namespace)) return undefined;
    return name.slice(this.namespace.length);
  }

  private decode(event: ClientRecordedEvent | AllStreamRecordedEvent): RecordedEvent | undefined {
    const streamId = this.ownStream(event.streamId);
    if (streamId === undefined || event.type.startsWith('$')) return undefined;
    const { metadata, hash } = decodeMetadata(event.metadata);
    return {
      streamId,
      revision: Number(event.revision),
      position: kurrentDbPosition(requirePosition(event)),
      eventId: event.id,
      type: event.type,
      // Events of this adapter are binary: the bytes as written. A JSON event written by another tool arrives parsed
      // by the client and can only be re-serialised (its hash will not verify).
      data: event.isJson ? JSON.stringify(event.data) : Buffer.from(event.data as Uint8Array).toString('utf8'),
      metadata,
      hash,
    };
  }

  private serverFilter(
    filter: AllFilter | undefined,
    checkpointInterval: number,
    checkpointReached: (position: NativePosition) => void,
  ): Filter {
    const window = Math.min(MAX_SEARCH_WINDOW, checkpointInterval);
    const common = {
      maxSearchWindow: window,
      checkpointInterval: Math.ceil(checkpointInterval / window),
      checkpointReached: (_: unknown, position: NativePosition) => checkpointReached(position),
    };
    const prefixes = filter?.streamPrefixes;
    const types = filter?.eventTypes;
    // KurrentDB filters on stream names or on event types, not both: with both, the stream filter runs on the server
    // and the type filter here (accepts()). An empty list is an allow-list naming nothing.
    if (prefixes?.length === 0 || types?.length === 0) return streamNameFilter({ regex: '(?!)', ...common });
    if (prefixes !== undefined)
      return streamNameFilter({ prefixes: prefixes.map((p) => this.namespace + p), ...common });
    if (types !== undefined) return eventTypeFilter({ regex: `^(?:${types.map(escapeRegex).join('|')})$`, ...common });
    if (this.namespace !== '') return streamNameFilter({ prefixes: [this.namespace], ...common });
    return excludeSystemEvents(common);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The KurrentDB event store is closed');
  }
}

// --- codecs -----------------------------------------------------------------------------------------------------

function encode(event: EventToAppend): ReturnType<typeof binaryEvent> {
  // A plain Uint8Array (not a Buffer): the client sends custom metadata as raw bytes only when its constructor is
  // exactly Uint8Array, and JSON-serialises anything else.
  const metadata = new Uint8Array(Buffer.from(JSON.stringify({ m: event.metadata, h: event.hash }), 'utf8'));
  return binaryEvent({
    id: event.eventId,
    type: event.type,
    data: new Uint8Array(Buffer.from(event.data, 'utf8')),
    metadata,
  });
}

function decodeMetadata(stored: unknown): { metadata: string; hash: string } {
  // The client parses custom metadata that is JSON; our envelope is {"m": text, "h": hash}.
  if (typeof stored === 'object' && stored !== null && !(stored instanceof Uint8Array)) {
    const { m, h } = stored as { m?: unknown; h?: unknown };
    if (typeof m === 'string' && typeof h === 'string') return { metadata: m, hash: h };
    return { metadata: JSON.stringify(stored), hash: '' };
  }
  if (stored instanceof Uint8Array) return { metadata: Buffer.from(stored).toString('utf8'), hash: '' };
  return { metadata: stored === undefined ? '' : JSON.stringify(stored), hash: '' };
}

function requirePosition(event: { position?: NativePosition | undefined; id: string }): NativePosition {
  if (!event.position) throw new Error(`KurrentDB returned event ${event.id} without a position`);
  return event.position;
}

function clientExpected(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}

function accepts(filter: AllFilter | undefined, event: RecordedEvent): boolean {
  if (filter?.streamPrefixes !== undefined && !filter.streamPrefixes.some((p) => event.streamId.startsWith(p)))
    return false;
  if (filter?.eventTypes !== undefined && !filter.eventTypes.includes(event.type)) return false;
  return true;
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

/** The connection string without credentials, for error messages. */
function redact(connectionString: string): string {
  return connectionString.replace(/\/\/[^@/]*@/, '//***@');
}

/** A map that forgets its least recently used entries beyond `capacity`. */
class LruCache<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }
}

function validateKurrentAppend(streamId: string, events: EventToAppend[], expected: ExpectedRevision): void {
  validateAppend(streamId, events, expected, {
    // UTF-8 cannot carry a lone surrogate: the stored bytes would not give the text back, nor its hash.
    checkField(field, value) {
      if (LONE_SURROGATE.test(value)) throw new TypeError(`Event ${field} is not well-formed Unicode`);
    },
    checkEvent(event) {
      // KurrentDB stores ids as UUIDs and returns them in lower case: anything else would not come back as given.
      if (!isLowerCaseUuid(event.eventId))
        throw new TypeError(`An event id must be a lower-case UUID: ${event.eventId}`);
      if (event.type.length === 0 || event.type.startsWith('$'))
        throw new TypeError(`Invalid event type: ${event.type}`);
    },
  });
}
