import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * The canonical text of event data and metadata: RFC 8785 (JSON Canonicalization Scheme), so any implementation,
 * in any language, reproduces the same bytes. This text is what the store keeps and what the hash covers.
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('Value cannot be canonicalised');
  return text;
}

export interface HashedFields {
  streamId: string;
  revision: number;
  eventId: string;
  type: string;
  /** The stored texts, exactly as kept by the store. */
  data: string;
  metadata: string;
}

/**
 * hash = SHA-256(prevHash ‖ "\n" ‖ canonical bytes), where the canonical bytes are the UTF-8 of the JSON array
 * [streamId, revision, eventId, type, data, metadata] with data and metadata as their stored text.
 * The global position is not covered (it changes when a log is copied to another store); the stream revision is.
 */
export function eventHash(prevHash: string, fields: HashedFields): string {
  const body = JSON.stringify([
    fields.streamId,
    fields.revision,
    fields.eventId,
    fields.type,
    fields.data,
    fields.metadata,
  ]);
  return createHash('sha256').update(prevHash, 'utf8').update('\n', 'utf8').update(body, 'utf8').digest('hex');
}
