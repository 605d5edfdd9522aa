import { z } from 'zod';
import { Actor, Instant, Uuid } from './common';

export const GENESIS_HASH = '0'.repeat(64);

/**
 * Metadata stored with every event. It is part of the hashed bytes, so what is here is proven untouched too.
 * `recordedAt` is stamped by the write path as it appends; `occurredAt` is business time from the command.
 */
export const EventMetadata = z.object({
  actor: Actor,
  correlationId: Uuid,
  causationId: Uuid.nullable(),
  occurredAt: Instant,
  recordedAt: Instant,
  schemaVersion: z.number().int().positive(),
  /** The hash of the previous event of the same stream (GENESIS_HASH for the first). */
  prevHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** Key store ids whose keys decrypt fields of this event (for audit and erasure reports). */
  keyIds: z.array(z.string()),
});
export type EventMetadata = z.infer<typeof EventMetadata>;
