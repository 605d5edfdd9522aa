import { EventEmitter } from 'node:events';
import type { ReadConsistency } from './consistency';
import type { EventStore, Subscription } from './eventStore';
import { logUnexpected, silentLogger, type Logger } from './logging';
import type { AppliedBatch, Projector } from './projector';
import type { KeyStore } from './ports';
import { decodeRecorded } from './writePath';

/**
 * What the read models have just applied, for live updates (GraphQL subscriptions). In-process it relays the
 * projector; in an API process of the distributed runtime it follows the log and emits each event once the read
 * models (written by the projector process) show it.
 *
 * `failed` is emitted once when following the log stops on an error (logged with its correlation id): live updates
 * are over for this process, and its composition root decides what follows. `closed` ends every listener's
 * iteration (subscriptions end, so they do not hold a stopping server open).
 */
export class ChangeFeed extends EventEmitter<{
  applied: [AppliedBatch];
  failed: [{ error: Error; correlationId: string }];
  closed: [];
}> {
  private subscription: Subscription | undefined;
  private loop: Promise<void> | undefined;
  private ended = false;

  static fromProjector(projector: Projector): ChangeFeed {
    const feed = new ChangeFeed();
    projector.on('applied', (batch) => feed.emit('applied', batch));
    return feed;
  }

  static async following(
    store: EventStore,
    keys: KeyStore,
    consistency: ReadConsistency,
    logger: Logger = silentLogger,
  ): Promise<ChangeFeed> {
    const feed = new ChangeFeed();
    const head = await store.headPosition();
    const subscription = store.subscribeAll(head ? { after: head } : {});
    feed.subscription = subscription;
    feed.loop = (async () => {
      for await (const message of subscription) {
        if (message.kind !== 'event') continue;
        await consistency.waitFor(message.event.position, 30_000);
        const decoded = await decodeRecorded(keys, message.event);
        feed.emit('applied', { events: [decoded], position: message.event.position });
      }
    })().catch((err: unknown) => {
      if (feed.ended) return;
      const error = err instanceof Error ? err : new Error(String(err));
      const correlationId = logUnexpected(logger, error, 'live updates stopped: following the log failed');
      feed.emit('failed', { error, correlationId });
      feed.end();
    });
    return feed;
  }

  /** Whether close() was called or following the log failed: no further batch will be emitted. */
  get isEnded(): boolean {
    return this.ended;
  }

  /** Ends every subscription listening now; batches are no longer relayed. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.emit('closed');
  }

  async close(): Promise<void> {
    this.end();
    await this.subscription?.close();
    await this.loop;
  }
}
