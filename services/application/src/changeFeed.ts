import { EventEmitter } from 'node:events';
import type { ReadConsistency } from './consistency';
import type { EventStore, Subscription } from './eventStore';
import type { AppliedBatch, Projector } from './projector';
import type { KeyStore } from './ports';
import { decodeRecorded } from './writePath';

/**
 * What the read models have just applied, for live updates (GraphQL subscriptions). In-process it relays the
 * projector; in an API process of the distributed runtime it follows the log and emits each event once the read
 * models (written by the projector process) show it.
 */
export class ChangeFeed extends EventEmitter<{ applied: [AppliedBatch] }> {
  private subscription: Subscription | undefined;
  private loop: Promise<void> | undefined;

  static fromProjector(projector: Projector): ChangeFeed {
    const feed = new ChangeFeed();
    projector.on('applied', (batch) => feed.emit('applied', batch));
    return feed;
  }

  static async following(store: EventStore, keys: KeyStore, consistency: ReadConsistency): Promise<ChangeFeed> {
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
    })().catch(() => undefined);
    return feed;
  }

  async close(): Promise<void> {
    await this.subscription?.close();
    await this.loop;
  }
}
