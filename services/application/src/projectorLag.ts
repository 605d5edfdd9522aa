import type { EventStore, Position } from './eventStore';

export interface ProjectorLag {
  /** Events stored after the read models' position, counted up to `limit`. */
  events: number;
  /** True when counting stopped at `limit`: at least that many are behind. */
  atLimit: boolean;
  /** Age of the oldest event not applied yet (its recordedAt against `now`), 0 when caught up. */
  seconds: number;
}

/**
 * How far the read models are behind the store's head. Positions are opaque (PostgreSQL's and KurrentDB's have gaps),
 * so the events behind are counted by reading them, at most `limit`: a probe of a caught-up projector reads nothing.
 */
export async function projectorLag(
  store: EventStore,
  appliedUpTo: Position | undefined,
  now: Date,
  limit: number,
): Promise<ProjectorLag> {
  let events = 0;
  let oldest: string | undefined;
  for await (const event of store.readAll({ ...(appliedUpTo ? { after: appliedUpTo } : {}), maxCount: limit })) {
    if (events === 0) oldest = recordedAtOf(event.metadata);
    events += 1;
  }
  const seconds = oldest ? Math.max(0, (now.getTime() - Date.parse(oldest)) / 1000) : 0;
  return { events, atLimit: events >= limit, seconds };
}

function recordedAtOf(metadata: string): string | undefined {
  try {
    const at = (JSON.parse(metadata) as { recordedAt?: unknown }).recordedAt;
    return typeof at === 'string' ? at : undefined;
  } catch {
    return undefined;
  }
}
