/**
 * subscribeAll on KurrentDB: one server-side catch-up subscription to $all (filtered on the server), turned into the
 * port's message sequence, and resumed after a dropped connection from the last position the server vouched for.
 *
 * Ordering. The client hands events to a Readable ('data') but reports checkpoints and caught-up through callbacks that
 * run while earlier events may still sit in the Readable's buffer. Each such marker is therefore queued behind exactly
 * the `readableLength` events already pushed before it, and released once those have been handled, so the port sees
 * events, checkpoints and caught-up in the order the server sent them.
 *
 * Resuming. `resumeFrom` is the greatest position the server has either sent an event for or checkpointed (a
 * checkpoint at P means every matching event at or before P was sent before it). A new server subscription starts
 * strictly after it, and any event at or before it is dropped, so a reconnection neither skips nor repeats an event.
 *
 * Caught-up. The server says when it has caught up (KurrentDB >= 23.10); the adapter reads the head of the log (as the
 * port sees it) before subscribing, so that caught-up can carry that position and, with a sparse filter, a checkpoint
 * up to it (the server's own checkpoints lag by up to one search window). Checkpoints beyond that head are held back
 * until caught-up, so that a subscription to an empty store starts with caught-up, as the contract wants.
 */
import {
  isCommandError,
  type AllStreamRecordedEvent,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type Filter,
} from '@eventstore/db-client';
import type { AllFilter, RecordedEvent, Subscription, SubscriptionMessage } from '@gopy/application/eventStore';
import { compareNativePositions, kurrentDbPosition, maxNativePosition, type NativePosition } from './kurrentDbPosition';

export interface ReconnectOptions {
  /** First wait after a dropped subscription; doubles up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Reconnection attempts in a row that may fail (no subscription confirmed by the server) before the iteration
   *  fails with the last error; unlimited by default. */
  maxAttempts?: number;
}

/** What a subscription needs from its store; keeps the client's API behind the adapter's folder. */
export interface SubscriptionSource {
  subscribeToAll(from: NativePosition | undefined, filter: Filter): AllStreamSubscription;
  /** The server-side filter for a port filter, with the given checkpoint callback. */
  serverFilter(
    filter: AllFilter | undefined,
    checkpointInterval: number,
    checkpointReached: (position: NativePosition) => void,
  ): Filter;
  /** The port's view of a recorded event, or undefined for system events and other namespaces. */
  decode(event: AllStreamRecordedEvent): RecordedEvent | undefined;
  /** The port's filter, applied again locally (the server filter can be broader, never narrower). */
  accepts(filter: AllFilter | undefined, event: RecordedEvent): boolean;
  /** The position of the last event the port can see, or undefined. */
  head(): Promise<NativePosition | undefined>;
  reconnect: Required<ReconnectOptions>;
  detach(subscription: KurrentDbSubscription): void;
}

export interface KurrentDbSubscriptionOptions {
  after: NativePosition | undefined;
  filter: AllFilter | undefined;
  checkpointInterval: number;
  maxCount: number;
}

/** Messages buffered ahead of the consumer before the server is asked to pause (flow control). */
const HIGH_WATER = 1_000;
const LOW_WATER = 100;

interface Marker {
  remaining: number;
  apply(): void;
}

export class KurrentDbSubscription implements Subscription {
  private readonly queue: SubscriptionMessage[] = [];
  private wake: (() => void) | undefined;
  private sleeping: { timer: NodeJS.Timeout; resolve(): void } | undefined;
  private closed = false;
  private failure: { error: unknown } | undefined;
  private started = false;
  private current: AllStreamSubscription | undefined;
  private paused = false;

  /** Greatest position the server has sent an event for or checkpointed; the next server subscription starts after. */
  private resumeFrom: NativePosition | undefined;
  private lastEvent: NativePosition | undefined;
  private lastCheckpoint: NativePosition | undefined;
  private caughtUp = false;
  private head: { position: NativePosition | undefined } | undefined;
  private delivered = 0;
  private confirmed = false;

  /** Reconnections made after a dropped server subscription (for tests and logs). */
  reconnections = 0;

  constructor(
    private readonly source: SubscriptionSource,
    private readonly options: KurrentDbSubscriptionOptions,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<SubscriptionMessage> {
    if (this.started) throw new Error('A subscription can be iterated only once');
    this.started = true;
    return this.iterate();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.source.detach(this);
    const current = this.current;
    this.current = undefined;
    if (this.sleeping) {
      clearTimeout(this.sleeping.timer);
      this.sleeping.resolve();
    }
    this.notify();
    if (current) await current.unsubscribe().catch(() => undefined);
  }

  private async *iterate(): AsyncGenerator<SubscriptionMessage> {
    void this.pump();
    try {
      for (;;) {
        // Closed by the consumer: end at once. Failed: deliver what arrived before the failure, then throw it.
        if (this.closed && !this.failure) return;
        const message = this.queue.shift();
        if (message !== undefined) {
          if (this.paused && this.queue.length <= LOW_WATER) {
            this.paused = false;
            this.current?.resume();
          }
          yield message;
          if (message.kind === 'event' && ++this.delivered >= this.options.maxCount) return;
          continue;
        }
        if (this.failure) throw this.failure.error;
        if (this.closed) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      await this.close();
    }
  }

  /** Keeps one server subscription open until close(), reconnecting with backoff when it drops. */
  private async pump(): Promise<void> {
    const { initialDelayMs, maxDelayMs, maxAttempts } = this.source.reconnect;
    let attempts = 0;
    let delay = initialDelayMs;
    while (!this.closed) {
      this.confirmed = false;
      let failure: unknown;
      try {
        if (this.head === undefined) this.head = { position: await this.source.head() };
        await this.runOnce();
        // The server ended the subscription without an error: resubscribe as after a drop.
        failure = new SubscriptionEnded();
      } catch (error) {
        failure = error;
      }
      if (this.closed) return;
      if (this.confirmed) {
        attempts = 0;
        delay = initialDelayMs;
      }
      attempts += 1;
      const retryable = isTransient(failure) || (failure instanceof SubscriptionEnded && this.confirmed);
      if (!retryable || attempts > maxAttempts) {
        this.failure = { error: failure };
        this.notify();
        return;
      }
      this.reconnections += 1;
      await this.sleep(delay);
      delay = Math.min(delay * 2, maxDelayMs);
    }
  }

  /** One server subscription, from just after `resumeFrom`; settles when it ends. */
  private runOnce(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const markers: Marker[] = [];
      let subscription: AllStreamSubscription | undefined; // eslint-disable-line prefer-const -- assigned after `mark`, which reads it, is defined
      // Queues a checkpoint or caught-up behind the events the client has pushed but not yet emitted.
      const mark = (apply: () => void): void => {
        const pending = subscription?.readableLength ?? 0;
        if (pending === 0) apply();
        else markers.push({ remaining: pending, apply });
      };
      const filter = this.source.serverFilter(this.options.filter, this.options.checkpointInterval, (position) =>
        mark(() => this.onCheckpoint(position)),
      );
      const from = maxNativePosition(this.options.after, this.resumeFrom);
      subscription = this.source.subscribeToAll(from, filter);
      this.current = subscription;
      if (this.paused) subscription.pause();
      let settled = false;
      const settle = (error?: unknown): void => {
        if (settled) return;
        settled = true;
        if (this.current === subscription) this.current = undefined;
        subscription?.removeAllListeners('data');
        if (error === undefined) resolve();
        else reject(error);
      };
      subscription.on('confirmation', () => (this.confirmed = true));
      subscription.on('caughtUp', () => mark(() => this.onCaughtUp()));
      subscription.on('data', (resolved: AllStreamResolvedEvent) => {
        try {
          if (resolved.event) this.onEvent(resolved.event);
          for (const marker of markers) marker.remaining -= 1;
          while (markers.length > 0 && markers[0]!.remaining <= 0) markers.shift()!.apply();
        } catch (error) {
          // An event the adapter cannot read: end the iteration with the error rather than skip it.
          this.failure = { error };
          this.notify();
          void this.close();
        }
      });
      subscription.on('error', (error: unknown) => settle(error));
      subscription.on('close', () => settle());
      subscription.on('end', () => settle());
      if (this.closed) void subscription.unsubscribe();
    });
  }

  private onEvent(event: AllStreamRecordedEvent): void {
    const position = event.position;
    const floor = maxNativePosition(this.options.after, this.resumeFrom);
    // Already delivered before a reconnection (or before `after`): never twice.
    if (floor !== undefined && compareNativePositions(position, floor) <= 0) return;
    this.resumeFrom = position;
    const recorded = this.source.decode(event);
    if (recorded === undefined || !this.source.accepts(this.options.filter, recorded)) return;
    this.lastEvent = position;
    this.push({ kind: 'event', event: recorded });
  }

  private onCheckpoint(position: NativePosition): void {
    this.resumeFrom = maxNativePosition(this.resumeFrom, position);
    if (this.lastCheckpoint !== undefined && compareNativePositions(position, this.lastCheckpoint) <= 0) return;
    if (this.lastEvent !== undefined && compareNativePositions(position, this.lastEvent) < 0) return;
    if (this.options.after !== undefined && compareNativePositions(position, this.options.after) <= 0) return;
    const head = this.head?.position;
    if (!this.caughtUp && (head === undefined || compareNativePositions(position, head) > 0)) return;
    this.lastCheckpoint = position;
    this.push({ kind: 'checkpoint', position: kurrentDbPosition(position) });
  }

  private onCaughtUp(): void {
    // The server says caught-up again after every reconnection; the port says it once.
    if (this.caughtUp) return;
    this.caughtUp = true;
    const head = this.head?.position;
    // Everything up to the head read before subscribing has been considered: a sparse filter may say so.
    if (
      head !== undefined &&
      (this.lastEvent === undefined || compareNativePositions(head, this.lastEvent) >= 0) &&
      (this.lastCheckpoint === undefined || compareNativePositions(head, this.lastCheckpoint) > 0) &&
      (this.options.after === undefined || compareNativePositions(head, this.options.after) > 0)
    ) {
      this.lastCheckpoint = head;
      this.resumeFrom = maxNativePosition(this.resumeFrom, head);
      this.push({ kind: 'checkpoint', position: kurrentDbPosition(head) });
    }
    const position = maxNativePosition(this.options.after, head, this.lastEvent);
    this.push({ kind: 'caughtUp', position: position === undefined ? undefined : kurrentDbPosition(position) });
  }

  private push(message: SubscriptionMessage): void {
    if (this.closed) return;
    this.queue.push(message);
    if (!this.paused && this.queue.length >= HIGH_WATER) {
      this.paused = true;
      this.current?.pause();
    }
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeping = undefined;
        resolve();
      }, ms);
      this.sleeping = { timer, resolve };
    });
  }
}

/** The server completed a subscription call, which it does not do while it serves it. */
class SubscriptionEnded extends Error {
  constructor() {
    super('The server ended the subscription');
  }
}

/** Failures that a new connection may cure: the server away, restarting, not the leader, or the call cut. */
export function isTransient(error: unknown): boolean {
  if (error instanceof Error && isCommandError(error)) {
    return ['unavailable', 'cancelled', 'deadline-exceeded', 'timeout', 'not-leader', 'unknown'].includes(error.type);
  }
  if (error instanceof Error && /Failed to discover/.test(error.message)) return true;
  const code = (error as { code?: unknown } | null)?.code;
  // gRPC status codes: CANCELLED 1, UNKNOWN 2, DEADLINE_EXCEEDED 4, INTERNAL 13, UNAVAILABLE 14.
  return typeof code === 'number' && [1, 2, 4, 13, 14].includes(code);
}
