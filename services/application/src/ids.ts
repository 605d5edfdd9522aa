import { v5 as uuidv5 } from 'uuid';

/**
 * Ids, the one place they are recognised and derived. Streams and events are named by UUIDs: random ones (UUIDv7,
 * made by the write path) and name-based ones (UUIDv5), derived from what identifies a thing so that a retried
 * command lands on the same stream or appends the same event at most once. Each kind of derived id has its own
 * namespace below; a namespace never changes, or ids already in logs would stop matching.
 */

/** Any UUID in its canonical 8-4-4-4-12 hexadecimal form, either case. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a value is a UUID in canonical form (either case). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

/** Whether a value is a UUID in canonical lower-case form, as stores that keep ids as UUIDs give them back. */
export function isLowerCaseUuid(value: unknown): value is string {
  return isUuid(value) && value === value.toLowerCase();
}

/** The namespaces of name-based ids, one per kind. */
export const ID_NAMESPACES = {
  /** Comment streams: account ‖ idempotency key. */
  comment: '6f1c2a57-3c1e-4b8e-9a55-5f0b1d8e2c44',
  /** Checkpoint events: "checkpoint:<count>". */
  checkpoint: '5b0f6a52-3f51-4d0c-9a55-7f3c4b1f2e61',
  /** Closing a round at its deadline. */
  deadline: 'b3a0f7c2-8d4e-4f61-9c1a-2e7d5b6a9f10',
  /** Digest streams and the RoundAnswered a published digest leads to. */
  digest: '5b0c9e4a-71d2-4c3f-8a6e-0f2d7c9b1e35',
  /** Feedback surge alerts. */
  surge: 'd7c4e1a2-5b3f-4c8d-9e6a-0f1b2c3d4e5f',
  /** Notification rows in the read model. */
  notification: '0d6f3f0e-3b7e-4f1e-9d1a-2b8c4e5a7f10',
  /** Semester reports. */
  report: '0c9f7e26-3a41-4d5b-8e7f-6a1b2c3d4e5f',
} as const;

/**
 * UUIDv5 of a name, hashed as its UTF-8 bytes. Given a string, the uuid library converts it with
 * encodeURIComponent, which throws on a lone surrogate: a client's idempotency key or period would then fail as
 * INTERNAL before the write path's text step could refuse it as VALIDATION naming the field. For every well-formed
 * string the bytes, and so the id, are the same as the library's own conversion gives.
 */
export function nameBasedId(name: string, namespace: string): string {
  return uuidv5(new TextEncoder().encode(name), namespace);
}

/** A comment's id: UUIDv5(account ‖ idempotency key), so a retried submission lands on the same stream. */
export function commentIdFor(accountId: string, idempotencyKey: string): string {
  return nameBasedId(`${accountId}:${idempotencyKey}`, ID_NAMESPACES.comment);
}

/** A checkpoint's event id: sealing the same count twice stores one event. */
export function checkpointEventId(count: number): string {
  return nameBasedId(`checkpoint:${count}`, ID_NAMESPACES.checkpoint);
}

/** The event id of the close of a round by its deadline: the same on every run, so it is appended at most once. */
export function deadlineCloseEventId(policyId: string, round: number): string {
  return nameBasedId(`ConsultationClosed:${policyId}:${round}`, ID_NAMESPACES.deadline);
}

/** One digest per policy and round: its id is derived from them, so a retried start lands on the same digest. */
export function digestIdFor(policyId: string, round: number): string {
  return nameBasedId(`digest:${policyId}:${round}`, ID_NAMESPACES.digest);
}

/** The event id of the RoundAnswered a published digest leads to: the same on every retry, so it is appended once. */
export function roundAnsweredEventId(digestId: string): string {
  return nameBasedId(`RoundAnswered:${digestId}`, ID_NAMESPACES.digest);
}

/** The id of the alert for one round, signal and clock hour: a second pass over the same hour raises nothing new. */
export function surgeAlertId(policyId: string, round: number, signal: string, hourStart: string): string {
  return nameBasedId(`FeedbackSurgeDetected:${policyId}:${round}:${signal}:${hourStart}`, ID_NAMESPACES.surge);
}

/** A notification's id, stable across rebuilds and store copies: the source stream, the kind and the recipient. */
export function notificationIdFor(streamId: string, kind: string, key: string, accountId: string): string {
  return nameBasedId(`${streamId}|${kind}|${key}|${accountId}`, ID_NAMESPACES.notification);
}

/** One semester report per organisation and period: recompiling keeps its id. */
export function semesterReportId(organizationId: string, period: string): string {
  return nameBasedId(`SemesterReport:${organizationId}:${period}`, ID_NAMESPACES.report);
}
