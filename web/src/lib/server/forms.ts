// Turning form posts into API calls and API refusals into `fail()` answers a form can show next to its fields.
import { fail, type ActionFailure } from '@sveltejs/kit';
import { getLocale } from '$lib/paraglide/runtime';
import { m } from '$lib/paraglide/messages';
import type { ApiFailure } from './api';
import type { FormState } from '$lib/types';

export type { FormState };

export function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value.normalize('NFC').trim() : '';
}

/** For passwords: not trimmed, not normalised (the API decides what a password is). */
export function raw(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}

export function values(form: FormData, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, text(form, name)]));
}

export function required(
  form: FormData,
  names: readonly string[],
  errors: Record<string, string> = {},
): Record<string, string> {
  for (const name of names) {
    if (!text(form, name) && !errors[name]) errors[name] = m.error_required();
  }
  return errors;
}

export function invalid(state: FormState): ActionFailure<FormState> {
  return fail(400, state);
}

const STATUS: Record<string, 400 | 401 | 403 | 404 | 409 | 413 | 429> = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ILLEGAL_STATE: 409,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
};

/** The API's message in the reader's language, or our own words when it sent none. */
export function refusalMessage(error: ApiFailure): string {
  const own = getLocale() === 'en' ? error.messageEn : error.messageVi;
  if (own) return own;
  switch (error.code) {
    case 'UNAUTHENTICATED':
      return m.error_unauthenticated();
    case 'FORBIDDEN':
      return m.error_forbidden();
    case 'NOT_FOUND':
      return m.error_not_found();
    case 'CONFLICT':
      return m.error_conflict();
    case 'RATE_LIMITED':
      return m.error_rate_limited({ seconds: String(error.retryAfterSeconds ?? 60) });
    case 'PAYLOAD_TOO_LARGE':
      return m.error_too_large();
    default:
      return error.message || m.error_unexpected();
  }
}

/**
 * Which form field an API error names. The API may say `title`, `input.title`, `input.closesAt` or
 * `nodes[2].heading`; a field the form does not have becomes a message for the whole form.
 */
export function formField(apiField: string | undefined, fields: Record<string, string> | readonly string[]) {
  if (!apiField) return undefined;
  const map: Record<string, string> = Array.isArray(fields)
    ? Object.fromEntries((fields as readonly string[]).map((f) => [f, f]))
    : (fields as Record<string, string>);
  const path = apiField.replace(/^input\./, '');
  if (map[path]) return map[path];
  const last = path
    .split(/[.[\]]+/)
    .filter(Boolean)
    .pop();
  return last && map[last] ? map[last] : undefined;
}

/** An API refusal as a `fail()` with the message on the right field (or on the form). */
export function refused(
  error: ApiFailure,
  fields: Record<string, string> | readonly string[],
  state: FormState = {},
): ActionFailure<FormState> {
  const message = refusalMessage(error);
  const field = error.code === 'VALIDATION' ? formField(error.field, fields) : undefined;
  const status = STATUS[error.code] ?? 400;
  if (field) return fail(status, { ...state, fieldErrors: { ...state.fieldErrors, [field]: message } });
  return fail(status, { ...state, message });
}

/** A successful answer, typed as FormState so every action of a page has one answer type. */
export function done(notice: string, state: FormState = {}): FormState {
  return { ...state, ok: true, notice, values: {} };
}
