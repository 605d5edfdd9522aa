import { v7 as uuidv7 } from 'uuid';
import {
  eventCatalogue,
  EventMetadata,
  GENESIS_HASH,
  parseEvent,
  upcast,
  type Actor,
  type DomainEvent,
  type EventType,
} from '@gopy/schemas';
import { ConflictError } from '@gopy/domain/errors';
import { admitCommand } from '@gopy/domain/text';
import {
  WrongExpectedRevisionError,
  type EventStore,
  type EventToAppend,
  type Position,
  type RecordedEvent,
} from './eventStore';
import { canonicalJson, eventHash } from './integrity';
import type { Clock, KeyStore } from './ports';
import { sealEventData, unsealEventData } from './sealing';

/** What every command brings besides its own fields: who, when (business time), and how it is correlated. */
/** Streams whose folded state `loadCached` keeps (least recently loaded dropped first). */
const FOLD_CACHE_STREAMS = 1_000;

export interface CommandContext {
  actor: Actor;
  /** Business time of the command (ISO UTC), e.g. when a letter was received or when a deadline fell. */
  occurredAt: string;
  correlationId: string;
  causationId: string | null;
}

export interface LoadedStream<S> {
  state: S;
  /** Revision of the last event, or 'no_stream'. */
  revision: number | 'no_stream';
  lastHash: string;
  lastPosition: Position | undefined;
}

/** A stored event with its sealed fields decrypted and its data parsed (and upcast) by the catalogue. */
export interface ReadEvent {
  event: DomainEvent;
  metadata: EventMetadata;
  recorded: RecordedEvent;
}

export interface AppendOutcome {
  /** Revision of the stream's last event after the command (unchanged when nothing was appended). */
  revision: number | 'no_stream';
  /** Position of the last event written, or of the stream's last event when the command had already taken effect. */
  position: Position | undefined;
  appended: number;
  /** The server time stamped on the events written (`recordedAt`); absent when nothing was appended. */
  recordedAt?: string;
}

export interface Aggregate<S, C> {
  initialState: S;
  evolve(state: S, event: DomainEvent): S;
  decide(command: C, state: S): DomainEvent[];
}

export interface WritePathOptions {
  store: EventStore;
  keys: KeyStore;
  clock: Clock;
  /** How many times a command is decided again after a concurrent change before CONFLICT is answered. */
  maxAttempts?: number;
}

/**
 * The write path of DESIGN.md: load the stream with its revision, decide, stamp each event (id, metadata, sealed fields,
 * hash chained to the stream's previous event), append with that exact revision; on a conflict reload and decide again.
 */
export class WritePath {
  readonly store: EventStore;
  readonly keys: KeyStore;
  private readonly clock: Clock;
  private readonly maxAttempts: number;

  constructor(private readonly options: WritePathOptions) {
    this.store = options.store;
    this.keys = options.keys;
    this.clock = options.clock;
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  async *readStream(streamId: string): AsyncIterable<ReadEvent> {
    for await (const recorded of this.store.readStream(streamId)) {
      yield await this.decode(recorded);
    }
  }

  decode(recorded: RecordedEvent): Promise<ReadEvent> {
    return decodeRecorded(this.keys, recorded);
  }

  async load<S>(streamId: string, initial: S, evolve: (state: S, event: DomainEvent) => S): Promise<LoadedStream<S>> {
    let state = initial;
    let revision: number | 'no_stream' = 'no_stream';
    let lastHash = GENESIS_HASH;
    let lastPosition: Position | undefined;
    for await (const { event, recorded } of this.readStream(streamId)) {
      state = evolve(state, event);
      revision = recorded.revision;
      lastHash = recorded.hash;
      lastPosition = recorded.position;
    }
    return { state, revision, lastHash, lastPosition };
  }

  /**
   * Like `load`, but keeps the folded state of the stream in memory and, on the next call, reads only the events
   * appended since: a policy consulted by every comment is not reloaded and parsed in full for each one. The cache is
   * keyed by stream and checked against the store each time (one read from the cached revision on), so a change made
   * by another process is seen; it only suits streams without sealed fields (what was folded cannot be shredded).
   * `aggregate` must be the same object on every call for a stream (the cache is per aggregate).
   */
  async loadCached<S>(
    streamId: string,
    aggregate: { initialState: S; evolve(state: S, event: DomainEvent): S },
  ): Promise<LoadedStream<S>> {
    const cache = this.foldCache(aggregate);
    const cached = cache.get(streamId) as LoadedStream<S> | undefined;
    let { state, revision, lastHash, lastPosition } = cached ?? {
      state: aggregate.initialState,
      revision: 'no_stream' as const,
      lastHash: GENESIS_HASH,
      lastPosition: undefined,
    };
    const from = revision === 'no_stream' ? 0 : revision + 1;
    for await (const recorded of this.store.readStream(streamId, { fromRevision: from })) {
      const { event } = await this.decode(recorded);
      state = aggregate.evolve(state, event);
      revision = recorded.revision;
      lastHash = recorded.hash;
      lastPosition = recorded.position;
    }
    const loaded: LoadedStream<S> = { state, revision, lastHash, lastPosition };
    // Concurrent loads may finish out of order: keep the furthest (re-inserted, so the least recently used goes first).
    const current = cache.get(streamId);
    if (
      revision !== 'no_stream' &&
      (current === undefined || current.revision === 'no_stream' || current.revision <= revision)
    ) {
      cache.delete(streamId);
      cache.set(streamId, loaded);
      if (cache.size > FOLD_CACHE_STREAMS) cache.delete(cache.keys().next().value as string);
    }
    return loaded;
  }

  private readonly foldCaches = new WeakMap<object, Map<string, LoadedStream<unknown>>>();

  private foldCache(aggregate: object): Map<string, LoadedStream<unknown>> {
    let cache = this.foldCaches.get(aggregate);
    if (!cache) {
      cache = new Map();
      this.foldCaches.set(aggregate, cache);
    }
    return cache;
  }

  /**
   * Runs one command against one stream. `command` is what was asked, as it came in: it first passes the boundary
   * step (`admitCommand`: every string NFC with LF line breaks, control characters refused with the field's path), and
   * `decide` gets only the admitted copy, so nothing reaches a decider or the log that the step has not seen. (Writes
   * of the system's own making, with nothing from outside, pass null.) `decide` gets the folded state too and returns
   * the events to append; an empty list means the command has already taken effect (idempotent retry) and is
   * acknowledged without writing.
   */
  async execute<S, C>(
    streamId: string,
    aggregate: { initialState: S; evolve(state: S, event: DomainEvent): S },
    command: C,
    /** Returns the events and the context to stamp them with (the actor's roles can depend on the loaded state). */
    decide: (
      command: C,
      state: S,
      loaded: LoadedStream<S>,
    ) => Promise<{ events: DomainEvent[]; context: CommandContext }>,
    options: { eventIds?: (index: number, event: DomainEvent) => string } = {},
  ): Promise<AppendOutcome & { events: DomainEvent[]; state: S }> {
    const admitted = admitCommand(command);
    for (let attempt = 1; ; attempt++) {
      const loaded = await this.load(streamId, aggregate.initialState, aggregate.evolve);
      const { events, context } = await decide(admitted, loaded.state, loaded);
      if (events.length === 0) {
        return { revision: loaded.revision, position: loaded.lastPosition, appended: 0, events, state: loaded.state };
      }
      const { events: toAppend, recordedAt } = await this.stamp(streamId, loaded, events, context, options.eventIds);
      try {
        const result = await this.store.append(
          streamId,
          toAppend,
          loaded.revision === 'no_stream' ? 'no_stream' : loaded.revision,
        );
        const state = events.reduce(aggregate.evolve, loaded.state);
        return {
          revision: result.nextRevision,
          position: result.position,
          appended: events.length,
          recordedAt,
          events,
          state,
        };
      } catch (err) {
        if (err instanceof WrongExpectedRevisionError && attempt < this.maxAttempts) continue;
        if (err instanceof WrongExpectedRevisionError) {
          throw new ConflictError('CONCURRENT_CHANGE', {
            vi: 'Dữ liệu vừa được người khác thay đổi. Vui lòng thử lại.',
            en: 'Someone else changed this at the same time. Please try again.',
          });
        }
        throw err;
      }
    }
  }

  private async stamp(
    streamId: string,
    loaded: LoadedStream<unknown>,
    events: DomainEvent[],
    context: CommandContext,
    eventIds?: (index: number, event: DomainEvent) => string,
  ): Promise<{ events: EventToAppend[]; recordedAt: string }> {
    const recordedAt = this.clock.now().toISOString();
    let prevHash = loaded.lastHash;
    let revision = loaded.revision === 'no_stream' ? -1 : loaded.revision;
    const out: EventToAppend[] = [];
    for (const [index, event] of events.entries()) {
      revision += 1;
      const entry = eventCatalogue[event.type as EventType];
      const { data: sealed, keyIds } = await sealEventData(
        this.keys,
        event.type,
        event.data as Record<string, unknown>,
      );
      // The stored form is validated: a decider bug or an unsealed field never reaches the immutable log.
      const data = canonicalJson(entry.schema.parse(sealed));
      const metadata = canonicalJson(
        EventMetadata.parse({
          actor: context.actor,
          correlationId: context.correlationId,
          causationId: context.causationId,
          occurredAt: context.occurredAt,
          recordedAt,
          schemaVersion: entry.version,
          prevHash,
          keyIds,
        }),
      );
      const eventId = eventIds ? eventIds(index, event) : uuidv7();
      const hash = eventHash(prevHash, { streamId, revision, eventId, type: event.type, data, metadata });
      out.push({ eventId, type: event.type, data, metadata, hash });
      prevHash = hash;
    }
    return { events: out, recordedAt };
  }
}

/** Parses a stored event: metadata, sealed fields decrypted with the key store, data upcast to the current version. */
export async function decodeRecorded(keys: KeyStore, recorded: RecordedEvent): Promise<ReadEvent> {
  const stored = JSON.parse(recorded.metadata) as EventMetadata;
  // What the write path stored was validated by these very schemas before it was hashed and appended (stamp), so an
  // event at its type's current version is taken as stored; older versions are upcast and parsed. Replaying a long
  // log spent a large share of its time validating again what was validated when written.
  const current = (eventCatalogue as Record<string, { version: number } | undefined>)[recorded.type]?.version;
  const trusted =
    typeof stored.schemaVersion === 'number' && stored.schemaVersion === current && Array.isArray(stored.keyIds);
  const metadata = trusted ? stored : EventMetadata.parse(stored);
  const raw = JSON.parse(recorded.data) as Record<string, unknown>;
  const plain = await unsealEventData(keys, recorded.type, raw);
  // Data whose key was destroyed holds nulls where the schema wants ciphertext; the event is still what it was.
  const event = trusted
    ? ({ type: recorded.type, data: plain } as DomainEvent)
    : await parseEventLenient(keys, recorded, metadata, plain);
  return { event, metadata, recorded };
}

/** A stored event that its catalogue entry cannot read, for a reason other than a destroyed key. */
export class UndecodableEventError extends Error {
  override readonly name = 'UndecodableEventError';
  constructor(recorded: RecordedEvent, schemaVersion: number, cause: unknown) {
    super(
      `event ${recorded.eventId} (${recorded.type} v${schemaVersion}, stream ${recorded.streamId} revision ` +
        `${recorded.revision}, position ${recorded.position}) does not parse: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/**
 * Parses stored data; where a destroyed (or absent) key left nulls in sealed fields, keeps the data as it is rather
 * than failing. Any other failure (an upcaster or a schema that no longer reads what was stored) is thrown, naming the
 * event: read as something it is not, it would be projected wrong without anyone knowing.
 */
async function parseEventLenient(
  keys: KeyStore,
  recorded: RecordedEvent,
  metadata: EventMetadata,
  data: Record<string, unknown>,
): Promise<DomainEvent> {
  try {
    return parseEvent(recorded.type, metadata.schemaVersion, data);
  } catch (err) {
    for (const keyId of metadata.keyIds ?? []) {
      if (!(await keys.getKey(keyId)))
        return { type: recorded.type, data: upcast(recorded.type, metadata.schemaVersion, data) } as DomainEvent;
    }
    throw new UndecodableEventError(recorded, metadata.schemaVersion, err);
  }
}
