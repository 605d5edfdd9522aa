import { AttachmentRef, CalendarDate, Instant, Uuid, fieldNames, type Role } from '@gopy/schemas';
import { ValidationError } from './errors';
import { forbidden, type ForbiddenRule } from './rules';
import { admitText } from './text';

/** Who issues a command: the account and its effective roles in the organisation that owns the subject. */
export interface CommandActor {
  accountId: string;
  roles: Role[];
}

/** What every command carries besides its own fields. `now` is the caller's clock; the domain never reads one. */
export interface CommandBase {
  now: string;
  actor: CommandActor;
}

export { normalizeText } from './text';

export function invalid(field: string, vi: string, en: string): ValidationError {
  return new ValidationError(field, { vi, en });
}

/**
 * A refusal about a field, its message naming the field in words ("Ngày có hiệu lực …", never "effectiveDate"):
 * `say` completes the sentence in each language from the field's name.
 */
export function invalidField(field: string, say: { vi: (name: string) => string; en: (name: string) => string }) {
  const name = fieldNames(field);
  return invalid(field, say.vi(name.vi), say.en(name.en));
}

/**
 * Admits the text as the write path does (NFC, LF line breaks, no control characters), trims what forms pad around
 * it, and checks its length in UTF-16 units, the measure the event schemas use.
 */
export function requireText(field: string, value: unknown, limits: { min: number; max: number }): string {
  if (typeof value !== 'string')
    throw invalidField(field, { vi: (f) => `${f} phải là văn bản.`, en: (f) => `${f} must be text.` });
  const text = admitText(field, value).trim();
  if (text.length < limits.min || text.length > limits.max) {
    throw limits.min > 0
      ? invalidField(field, {
          vi: (f) => `${f} phải có từ ${limits.min} đến ${limits.max} ký tự.`,
          en: (f) => `${f} must be ${limits.min} to ${limits.max} characters long.`,
        })
      : invalidField(field, {
          vi: (f) => `${f} không được dài quá ${limits.max} ký tự.`,
          en: (f) => `${f} must be at most ${limits.max} characters long.`,
        });
  }
  return text;
}

export function optionalText(field: string, value: unknown, limits: { min: number; max: number }): string | null {
  return value === null || value === undefined ? null : requireText(field, value, limits);
}

export function requireUuid(field: string, value: unknown): string {
  if (!Uuid.safeParse(value).success)
    throw invalidField(field, { vi: (f) => `${f}: mã không hợp lệ.`, en: (f) => `${f}: not a valid id.` });
  return value as string;
}

export function optionalUuid(field: string, value: unknown): string | null {
  return value === null || value === undefined ? null : requireUuid(field, value);
}

/** An instant in UTC (ISO 8601 with Z), as the log stores it. */
export function requireInstant(field: string, value: unknown): string {
  if (!Instant.safeParse(value).success) {
    throw invalidField(field, {
      vi: (f) => `${f} phải là một thời điểm hợp lệ (ISO 8601, giờ UTC).`,
      en: (f) => `${f} must be a valid time (ISO 8601, UTC).`,
    });
  }
  return value as string;
}

export function requireCalendarDate(field: string, value: unknown): string {
  if (!CalendarDate.safeParse(value).success) {
    throw invalidField(field, {
      vi: (f) => `${f} phải là ngày hợp lệ (dd/mm/yyyy).`,
      en: (f) => `${f} must be a valid date (dd/mm/yyyy).`,
    });
  }
  return value as string;
}

export function requireOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidField(field, {
      vi: (f) => `${f} không hợp lệ.`,
      en: (f) => `${f} must be one of: ${allowed.join(', ')}.`,
    });
  }
  return value as T;
}

export function requirePositiveInt(field: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    throw invalidField(field, {
      vi: (f) => `${f} phải là số nguyên dương.`,
      en: (f) => `${f} must be a positive integer.`,
    });
  }
  return value as number;
}

export function requireNonNegativeInt(field: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw invalidField(field, {
      vi: (f) => `${f} phải là số nguyên không âm.`,
      en: (f) => `${f} must be a non-negative integer.`,
    });
  }
  return value as number;
}

/** Instants compare as time, not as strings: `...00Z` and `...00.000Z` are the same moment. */
export function toMillis(instant: string): number {
  return Date.parse(instant);
}

export function isBefore(a: string, b: string): boolean {
  return toMillis(a) < toMillis(b);
}

/** Every command's clock and actor are checked before anything else looks at them. */
export function requireContext(command: CommandBase): void {
  requireInstant('now', command.now);
  requireUuid('actor.accountId', command.actor?.accountId);
}

export function hasAnyRole(actor: CommandActor, roles: readonly Role[]): boolean {
  return actor.roles.some((r) => roles.includes(r));
}

export function requireAnyRole(actor: CommandActor, roles: readonly Role[], rule: ForbiddenRule): void {
  if (!hasAnyRole(actor, roles)) throw forbidden(rule);
}

/** Staff run the drafting steps; an admin of the organisation may stand in for them. */
export const STAFF_ROLES: readonly Role[] = ['staff', 'admin'];

/** Roles from the most specific to the most general: the order in which an actor's role is chosen for the record. */
export const ROLE_PRECEDENCE: readonly Role[] = [
  'policymaker',
  'spokesperson',
  'moderator',
  'staff',
  'admin',
  'auditor',
  'participant',
];

/**
 * The role an actor acted in, written into the (hashed) metadata of the events a command leads to: the most specific
 * of the actor's roles among those competent for the command (all roles when `competent` is not given), or
 * `participant` when none is held. Every command handler asks this one function.
 */
export function actingRole(roles: readonly Role[], competent: readonly Role[] = ROLE_PRECEDENCE): Role {
  return ROLE_PRECEDENCE.find((r) => competent.includes(r) && roles.includes(r)) ?? 'participant';
}

export function unreachable(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}

export function notAList(field: string): ValidationError {
  return invalidField(field, { vi: (f) => `${f} phải là một danh sách.`, en: (f) => `${f} must be a list.` });
}

/** Attachments are stored outside the log; the event carries only their references, checked against the schema. */
export function requireAttachments(field: string, value: unknown): AttachmentRef[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw notAList(field);
  return value.map((item: unknown, i) => {
    const withNormalName =
      item && typeof item === 'object' && typeof (item as { fileName?: unknown }).fileName === 'string'
        ? { ...item, fileName: admitText(`${field}[${i}].fileName`, (item as { fileName: string }).fileName).trim() }
        : item;
    const parsed = AttachmentRef.safeParse(withNormalName);
    if (!parsed.success) {
      throw invalid(`${field}[${i}]`, `Tệp đính kèm thứ ${i + 1} không hợp lệ.`, `Attachment ${i + 1} is invalid.`);
    }
    return parsed.data;
  });
}

/** The shape of a decider whose decision needs only its own stream (policy, account, organisation). */
export interface Decider<Command, State, Event> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState: State;
}
