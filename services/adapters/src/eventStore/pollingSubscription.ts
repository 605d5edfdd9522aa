/**
 * The paging and subscription loops of the adapters whose log is a table they read page by page (SQLite, PostgreSQL).
 * Each adapter supplies a `Scan`: one page of matching events after a cursor, looking at no more than `window` entries
 * of the log, and how far it looked (`scannedUpTo`, matches or not), which is what a checkpoint may claim. KurrentDB
 * is pushed events by its server and has its own loop (kurrentdb/kurrentDbSubscription.ts).
 */
import type { Position, RecordedEvent, Subscription, SubscriptionMessage } from '@gopy/application/eventStore';

export interface ScannedPage<Cursor> {
  events: RecordedEvent[];
  scannedUpTo: Cursor;
}

/** One page after `after`; undefined when nothing is readable after it (the cursor is at the head). */
export type Scan<Cursor> = (
  after: Cursor,
  window: number,
  limit: number,
) => ScannedPage<Cursor> | undefined | Promise<ScannedPage<Cursor> | undefined>;

/** readAll: pages of at most `pageSize` events, each scan looking at least `window` entries ahead. */
export async function* readPages<Cursor>(
  scan: Scan<Cursor>,
  from: Cursor,
  options: { window: number; pageSize: number; maxCount: number },
): AsyncGenerator<RecordedEvent> {
  let cursor = from;
  let remaining = options.maxCount;
  while (remaining > 0) {
    const limit = Math.min(options.pageSize, remaining);
    const page = await scan(cursor, Math.max(options.window, limit), limit);
    if (page === undefined) return;
    for (const event of page.events) yield event;
    remaining -= page.events.length;
    cursor = page.scannedUpTo;
  }
}

export interface PollingSubscriptionConfig<Cursor> {
  after: Cursor;
  /** The port's position of a cursor; undefined for the start of the log. */
  position(cursor: Cursor): Position | undefined;
  maxCount: number;
  /** Log entries scanned per page; a checkpoint follows every page. */
  window: number;
  pageSize: number;
  /** How long to sleep at the head before looking again without a notification (appends by other processes). */
  pollIntervalMs: number;
  scan: Scan<Cursor>;
  /** Called before sleeping at the head (PostgreSQL re-establishes a lost LISTEN connection at the polling pace). */
  idle?(): void;
  detach(subscription: PollingSubscription<Cursor>): void;
}

/**
 * Catch-up, then live, from one cursor: every page is followed by a checkpoint at how far it looked (so a sparse filter
 * still moves the subscriber's place), caught-up is said once, then the loop sleeps at the head until notified, the poll
 * interval passes, or it is closed.
 */
export class PollingSubscription<Cursor> implements Subscription {
  private closed = false;
  private started = false;
  /** Set by a notification; a scan clears it before it starts, so a notification during a scan is not lost. */
  private pending = false;
  private wake: (() => void) | undefined;

  constructor(private readonly config: PollingSubscriptionConfig<Cursor>) {}

  [Symbol.asyncIterator](): AsyncIterator<SubscriptionMessage> {
    if (this.started) throw new Error('A subscription can be iterated only once');
    this.started = true;
    return this.run();
  }

  /** Called by the store when events may have been stored (its own commits, or a notification from the database). */
  notify(): void {
    this.pending = true;
    this.wake?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.config.detach(this);
    this.wake?.();
  }

  private async *run(): AsyncGenerator<SubscriptionMessage> {
    const { scan, window, pageSize, maxCount, position } = this.config;
    let cursor = this.config.after;
    let delivered = 0;
    let caughtUp = false;
    try {
      while (!this.closed) {
        // The cursor is the only state carried across the catch-up/live boundary. Everything at or before it is
        // final when it is read (a gap-free prefix of the log), so reading "after the cursor" never skips nor repeats.
        this.pending = false;
        const page = await scan(cursor, window, Math.min(pageSize, window));
        if (this.closed) return;
        if (page !== undefined) {
          for (const event of page.events) {
            if (this.closed) return;
            yield { kind: 'event', event };
            delivered += 1;
            if (delivered >= maxCount) return;
          }
          cursor = page.scannedUpTo;
          if (this.closed) return;
          yield { kind: 'checkpoint', position: position(cursor)! };
          continue;
        }
        if (!caughtUp) {
          caughtUp = true;
          yield { kind: 'caughtUp', position: position(cursor) };
          // Look again before sleeping: the consumer may have appended while handling caughtUp.
          continue;
        }
        await this.sleep();
      }
    } finally {
      this.closed = true;
      this.config.detach(this);
      this.wake?.();
    }
  }

  /** Until a notification, the poll interval, or close. */
  private sleep(): Promise<void> {
    if (this.pending || this.closed) return Promise.resolve();
    this.config.idle?.();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), this.config.pollIntervalMs);
      this.wake = () => {
        this.wake = undefined;
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
