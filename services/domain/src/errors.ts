/**
 * Typed refusals. The domain throws these; only the edge maps them to GraphQL error codes or form messages.
 * Every refusal carries a stable code, a rule name where a lifecycle rule refused, and messages in Vietnamese and English.
 */
export type ErrorCode =
  | 'VALIDATION'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'ILLEGAL_STATE'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE';

export interface LocalisedMessage {
  vi: string;
  en: string;
}

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  constructor(readonly messages: LocalisedMessage) {
    super(messages.en);
  }
}

export class ValidationError extends DomainError {
  readonly code = 'VALIDATION' as const;
  constructor(
    /** The field at fault, as the API names it (e.g. `closesAt`, `nodes[2].number`). */
    readonly field: string,
    messages: LocalisedMessage,
  ) {
    super(messages);
  }
}

export class IllegalStateError extends DomainError {
  readonly code = 'ILLEGAL_STATE' as const;
  constructor(
    /** The lifecycle rule that refused, stable for clients (e.g. `ROUND_NOT_OPEN`). */
    readonly rule: string,
    messages: LocalisedMessage,
  ) {
    super(messages);
  }
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN' as const;
  constructor(
    readonly rule: string,
    messages: LocalisedMessage,
  ) {
    super(messages);
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND' as const;
  constructor(
    readonly entity: string,
    readonly id: string,
    messages: LocalisedMessage = { vi: `Không tìm thấy ${entity} ${id}.`, en: `${entity} ${id} not found.` },
  ) {
    super(messages);
  }
}

/** A concurrent change or an idempotency key reused with other content; retrying with fresh state is safe. */
export class ConflictError extends DomainError {
  readonly code = 'CONFLICT' as const;
  constructor(
    readonly rule: string,
    messages: LocalisedMessage,
  ) {
    super(messages);
  }
}
