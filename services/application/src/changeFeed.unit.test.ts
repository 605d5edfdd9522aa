import { on } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ChangeFeed } from './changeFeed';
import type { EventStore, Subscription, SubscriptionMessage } from './eventStore';
import { lineLogger } from './logging';
import type { KeyStore } from './ports';

/** A store whose subscription fails once `drop` resolves, as a dropped database connection would. */
function storeWhoseSubscriptionFails(error: Error, drop: Promise<void>): EventStore {
  const subscription: Subscription = {
    [Symbol.asyncIterator](): AsyncIterator<SubscriptionMessage> {
      return { next: () => drop.then(() => Promise.reject(error)) };
    },
    close: async () => undefined,
  };
  return {
    headPosition: async () => undefined,
    subscribeAll: () => subscription,
  } as unknown as EventStore;
}

const noKeys = {} as KeyStore;
const consistency = { waitFor: async () => true, current: async () => undefined };

describe('the change feed of an API process', () => {
  it('logs a failure to follow the log with a correlation id, says it failed, and ends its subscribers', async () => {
    const lines: string[] = [];
    let dropConnection!: () => void;
    const dropped = new Promise<void>((resolve) => (dropConnection = resolve));
    const feed = await ChangeFeed.following(
      storeWhoseSubscriptionFails(new Error('connection to the event store lost'), dropped),
      noKeys,
      consistency,
      lineLogger((line) => lines.push(line)),
    );
    const failed = new Promise<{ error: Error; correlationId: string }>((resolve) => feed.once('failed', resolve));
    // A live subscription, as the GraphQL subscription resolver holds one: it must end, not wait forever.
    const subscriber = (async () => {
      let batches = 0;
      for await (const _ of on(feed, 'applied', { close: ['closed'] })) batches += 1;
      return batches;
    })();
    dropConnection();
    const { error, correlationId } = await failed;
    expect(error.message).toBe('connection to the event store lost');
    expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await subscriber).toBe(0);
    expect(feed.isEnded).toBe(true);
    const logged = lines.find((l) => l.includes(correlationId));
    expect(logged).toMatch(/^error: live updates stopped: following the log failed/);
    expect(logged).toContain('connection to the event store lost');
    await feed.close();
  });
});
