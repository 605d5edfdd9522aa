import { v5 as uuidv5 } from 'uuid';

/**
 * UUIDv5 of a name, hashed as its UTF-8 bytes. Given a string, the uuid library converts it with
 * encodeURIComponent, which throws on a lone surrogate: a client's idempotency key or period would then fail as
 * INTERNAL before the write path's text step could refuse it as VALIDATION naming the field. For every well-formed
 * string the bytes, and so the id, are the same as the library's own conversion gives.
 */
export function nameBasedId(name: string, namespace: string): string {
  return uuidv5(new TextEncoder().encode(name), namespace);
}
