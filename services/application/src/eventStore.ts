/**
 * The event store port: the semantics of EventStoreDB/KurrentDB, implemented by the SQLite, PostgreSQL and
 * KurrentDB adapters, which all pass one contract suite (services/adapters/src/eventStore/contract.ts).
 */

/** `any` skips the check; `no_stream` requires that the stream does not exist; `stream_exists` that it does;
 *  a number is the exact revision (0-based) of the stream's last event. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

/** Opaque and totally ordered. Leaves the process only as a string (see `Position` helpers of each adapter). */
export type Position = string & { readonly __position: unique symbol };

/** An event as the write path hands it to the store: every byte already final (hashed, encrypted). */
export interface EventToAppend {
  eventId: string;
  type: string;
  /** The exact JSON text stored and hashed. Adapters keep it byte for byte (TEXT / bytea, never jsonb). */
  data: string;
  metadata: string;
  /** SHA-256 over the stored bytes, chained to the previous event of the stream (hex). */
  hash: string;
}

export interface RecordedEvent extends EventToAppend {
  streamId: string;
  /** 0-based revision within the stream. */
  revision: number;
  position: Position;
}

export interface AppendResult {
  /** Revision of the last event of the stream after the append. */
  nextRevision: number;
  /** Position of the last event written (or of the already stored one when the append was a replay). */
  position: Position;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  /** First revision to read (inclusive); defaults to the start (forwards) or the end (backwards). */
  fromRevision?: number;
  direction?: Direction;
  maxCount?: number;
}

export interface AllFilter {
  streamPrefixes?: string[];
  eventTypes?: string[];
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Undefined reads from the start. */
  after?: Position;
  filter?: AllFilter;
  maxCount?: number;
}

export type SubscriptionMessage =
  | { kind: 'event'; event: RecordedEvent }
  /** Emitted after a page even when the filter skipped every event in it, so a subscriber can save its place. */
  | { kind: 'checkpoint'; position: Position }
  /** Everything stored when the subscription started has been delivered; from here on, events are live. */
  | { kind: 'caughtUp'; position: Position | undefined };

export interface Subscription extends AsyncIterable<SubscriptionMessage> {
  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  override readonly name = 'WrongExpectedRevisionError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's actual last revision, or 'no_stream' when it does not exist. */
    readonly actual: number | 'no_stream',
  ) {
    super(`Stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
  }
}

export interface EventStore {
  /**
   * Appends atomically: all events or none. Idempotent on event id: when every event id is already stored in this
   * stream at the positions the append would give them, the append succeeds without storing anything again.
   * @throws WrongExpectedRevisionError carrying the actual revision
   */
  append(streamId: string, events: EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  /** Paged async iterable; an absent stream yields nothing. */
  readStream(streamId: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  /** The revision of the stream's last event, or 'no_stream'. */
  streamRevision(streamId: string): Promise<number | 'no_stream'>;
  /** Every event in position order, paged (never the whole log in memory). */
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  /** Catch-up from `after`, then live. Emits checkpoints even when the filter skips events. */
  subscribeAll(options?: ReadAllOptions & { checkpointInterval?: number }): Subscription;
  /** The position of the last stored event, or undefined for an empty store. */
  headPosition(): Promise<Position | undefined>;
  /** Compares two positions of this store: negative, zero or positive. */
  comparePositions(a: Position, b: Position): number;
  close(): Promise<void>;
}

/**
 * A position handed back by a client (a page's `after`, an "as of"), checked before the store reads with it: each
 * adapter refuses, by throwing, a string that is not one of its positions, which for a client's input is a mistake to
 * name, not a failure. Well-formed only: whether the log has reached it is the caller's question.
 */
export function positionOf(store: Pick<EventStore, 'comparePositions'>, value: string): Position | undefined {
  try {
    store.comparePositions(value as Position, value as Position);
    return value as Position;
  } catch {
    return undefined;
  }
}
