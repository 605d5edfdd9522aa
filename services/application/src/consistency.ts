import type { EventStore, Position } from './eventStore';
import type { Projector } from './projector';
import type { ReadDb } from './readModels/database';

/** Read-your-writes: resolves once the read models have applied everything up to a position. */
export interface ReadConsistency {
  waitFor(position: Position, timeoutMs?: number): Promise<boolean>;
  /** The position the read models have reached, if any. */
  current(): Promise<Position | undefined>;
}

/** In the embedded runtime the projector runs in this process: wait on its notifications. */
export function inProcessConsistency(projector: Projector): ReadConsistency {
  return {
    waitFor: (position, timeoutMs) => projector.waitFor(position, timeoutMs),
    current: async () => projector.position,
  };
}

/**
 * In the distributed runtime the projector is another process: poll its checkpoint row, which it writes in the same
 * transaction as the rows, so reaching the position means the rows are there.
 */
export function checkpointConsistency(
  db: ReadDb,
  store: EventStore,
  projectorName = 'main',
  pollMs = 20,
): ReadConsistency {
  const current = async () =>
    ((
      await db
        .selectFrom('projector_checkpoint')
        .select('position')
        .where('name', '=', projectorName)
        .executeTakeFirst()
    )?.position ?? undefined) as Position | undefined;
  return {
    current,
    async waitFor(position, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const at = await current();
        if (at !== undefined && store.comparePositions(at, position) >= 0) return true;
        if (Date.now() >= deadline) return false;
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
  };
}
