import { ConflictError, ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from '@gopy/domain/errors';
import { InputValidationError } from '@pothos/plugin-validation';
import { fieldNames } from '@gopy/schemas';
import { builder } from '../builder';
import { RateLimitedError, UnauthenticatedError } from '../errors';

interface Localised {
  code: string;
  messages: { vi: string; en: string };
}

export function describeInputError(err: InputValidationError): Localised & { field: string } {
  const issue = err.issues[0];
  const field = (issue?.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.') || 'input';
  return {
    code: 'VALIDATION',
    field,
    messages: issueMessages(fieldNames(field), issue),
  };
}

/** The first issue in both languages, naming the field in words; the limits a form can act on said as such. */
function issueMessages(name: { vi: string; en: string }, issue: InputValidationError['issues'][number] | undefined) {
  const i = (issue ?? {}) as { code?: string; origin?: string; maximum?: unknown; minimum?: unknown; message?: string };
  const limit = String(i.code === 'too_big' ? i.maximum : i.minimum);
  if ((i.code === 'too_big' || i.code === 'too_small') && (i.origin === 'string' || i.origin === 'array')) {
    const big = i.code === 'too_big';
    const [vi, en] = i.origin === 'string' ? ['ký tự', 'characters'] : ['mục', 'items'];
    return {
      vi: `${name.vi} ${big ? 'không được quá' : 'cần ít nhất'} ${limit} ${vi}.`,
      en: `${name.en} must have ${big ? 'at most' : 'at least'} ${limit} ${en}.`,
    };
  }
  return { vi: `${name.vi} không hợp lệ.`, en: `${name.en} is not valid: ${i.message ?? ''}`.trim() };
}

/**
 * The errors plugin hands resolvers a proxy of the thrown error whose prototype chain is proxied too, so `instanceof`
 * cannot tell an input validation error; its `issues` can.
 */
export function isInputValidationError(err: object): err is InputValidationError {
  return 'issues' in err && Array.isArray((err as { issues: unknown }).issues);
}

export function localised(err: object): Localised {
  if (isInputValidationError(err)) return describeInputError(err);
  return err as unknown as Localised;
}

/** Every refusal: a stable code and messages in Vietnamese and English; `message` follows the request's language. */
export const ErrorInterface = builder.interfaceRef<object>('Error').implement({
  fields: (t) => ({
    code: t.string({ resolve: (e) => localised(e).code }),
    message: t.string({ resolve: (e, _a, ctx) => localised(e).messages[ctx.locale] }),
    messageVi: t.string({ resolve: (e) => localised(e).messages.vi }),
    messageEn: t.string({ resolve: (e) => localised(e).messages.en }),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.exposeString('field') }),
});
builder.objectType(InputValidationError, {
  name: 'InputValidationError',
  description: 'The input did not match its schema (code VALIDATION); `field` is the path of the first problem.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.string({ resolve: (e) => describeInputError(e).field }) }),
});
builder.objectType(IllegalStateError, {
  name: 'IllegalStateError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ rule: t.exposeString('rule') }),
});
builder.objectType(ForbiddenError, {
  name: 'ForbiddenError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ rule: t.exposeString('rule') }),
});
builder.objectType(NotFoundError, { name: 'NotFoundError', interfaces: [ErrorInterface] });
builder.objectType(ConflictError, {
  name: 'ConflictError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ rule: t.exposeString('rule') }),
});
builder.objectType(UnauthenticatedError, { name: 'UnauthenticatedError', interfaces: [ErrorInterface] });
builder.objectType(RateLimitedError, {
  name: 'RateLimitedError',
  interfaces: [ErrorInterface],
  fields: (t) => ({ retryAfterSeconds: t.exposeInt('retryAfterSeconds') }),
});
