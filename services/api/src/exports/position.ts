import type express from 'express';
import type { EventStore, Position } from '@gopy/application/eventStore';

/**
 * The log position an export is made at: `?position=` when it is one the log has reached (to make the same file
 * again), otherwise the head. `invalid` when the asked position is not one; `empty` when the log has nothing yet.
 */
export async function exportPosition(store: EventStore, req: express.Request): Promise<Position | 'invalid' | 'empty'> {
  const head = await store.headPosition();
  const asked = req.query.position;
  if (typeof asked !== 'string' || asked === '') return head ?? 'empty';
  try {
    return head !== undefined && store.comparePositions(asked as Position, head) <= 0 ? (asked as Position) : 'invalid';
  } catch {
    return 'invalid';
  }
}
