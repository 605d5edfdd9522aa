import type { EventToAppend, ExpectedRevision } from '@gopy/application/eventStore';

/** Whether a stream at `current` satisfies the expected revision of an append (EventStoreDB semantics). */
export function revisionMatches(expected: ExpectedRevision, current: number | 'no_stream'): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return current === 'no_stream';
    case 'stream_exists':
      return current !== 'no_stream';
    default:
      return current === expected;
  }
}

const FIELDS = ['eventId', 'type', 'data', 'metadata', 'hash'] as const;

/**
 * The checks every adapter makes before an append: a stream id, a valid expected revision, and events whose fields are
 * strings (a non-string would be coerced by a driver and no longer round-trip). Each adapter adds what its engine
 * cannot store through `checkField` (every field) and `checkEvent` (each event, after its fields).
 */
export function validateAppend(
  streamId: string,
  events: EventToAppend[],
  expected: ExpectedRevision,
  engine: {
    checkStreamId?(streamId: string): void;
    checkField?(field: (typeof FIELDS)[number], value: string): void;
    checkEvent?(event: EventToAppend): void;
  } = {},
): void {
  if (typeof streamId !== 'string' || streamId.length === 0)
    throw new TypeError('A stream id must be a non-empty string');
  engine.checkStreamId?.(streamId);
  if (
    !(expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') &&
    !(Number.isSafeInteger(expected) && expected >= 0)
  ) {
    throw new TypeError(`Invalid expected revision: ${String(expected)}`);
  }
  if (!Array.isArray(events)) throw new TypeError('events must be an array');
  for (const event of events) {
    for (const field of FIELDS) {
      if (typeof event[field] !== 'string') throw new TypeError(`Event ${field} must be a string`);
      engine.checkField?.(field, event[field]);
    }
    engine.checkEvent?.(event);
  }
}
