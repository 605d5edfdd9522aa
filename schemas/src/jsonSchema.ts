import { z } from 'zod';
import { eventCatalogue, type EventType } from './catalogue';
import { EventMetadata } from './metadata';

/** JSON Schema (draft 2020-12) of every event type's current version, for other languages and auditors' tools. */
export function exportJsonSchemas(): Record<string, unknown> {
  const out: Record<string, unknown> = { EventMetadata: z.toJSONSchema(EventMetadata) };
  for (const [type, entry] of Object.entries(eventCatalogue) as [EventType, (typeof eventCatalogue)[EventType]][]) {
    out[`${type}.v${entry.version}`] = z.toJSONSchema(entry.schema as z.ZodType, { cycles: 'ref' });
  }
  return out;
}
