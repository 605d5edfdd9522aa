import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import { ConflictError, ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from '@gopy/domain/errors';
import { InputValidationError } from '@pothos/plugin-validation';
import { RateLimitedError, UnauthenticatedError, forbiddenRole, notSignedIn } from './errors';
import { ScalarInputError } from './argumentErrors';
import { hasRoleAnywhere, type GraphQLContext } from './context';
import { noteRefusal } from '../ops/graphqlTelemetry';

/**
 * Plugins and context only; no types here (STYLE.md). Scope auth comes first; scopes are computed once per request
 * from the session. A refused scope becomes a typed UNAUTHENTICATED or FORBIDDEN result, never a bare error.
 */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  AuthScopes: { signedIn: boolean; verified: boolean; admin: boolean; auditor: boolean };
  Scalars: {
    DateTime: { Input: string; Output: string };
    Date: { Input: string; Output: string };
  };
  DefaultFieldNullability: false;
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin, ValidationPlugin, RelayPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({
      signedIn: ctx.viewer !== null,
      verified: ctx.viewer?.emailVerified ?? false,
      admin: hasRoleAnywhere(ctx.viewer, 'admin'),
      auditor: hasRoleAnywhere(ctx.viewer, 'auditor'),
    }),
    unauthorizedError: (_parent, ctx) => (ctx.viewer ? forbiddenRole() : notSignedIn()),
  },
  errors: {
    // Every field that declares `errors` answers each refusal as a typed member of its result union.
    defaultTypes: [
      ValidationError,
      InputValidationError,
      IllegalStateError,
      ForbiddenError,
      NotFoundError,
      ConflictError,
      UnauthenticatedError,
      RateLimitedError,
    ],
    // Input shape errors (zod) are not secret, so they may be answered before authorisation runs.
    unsafelyHandleInputErrors: true,
    // Counted by code in the request's metrics and log line (ops/graphqlTelemetry.ts).
    onResolvedError: noteRefusal,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
});

builder.scalarType('DateTime', {
  description: 'An instant in UTC, ISO 8601 (2026-12-15T10:00:00.000Z).',
  serialize: (v) => v,
  parseValue: (v) => {
    if (typeof v !== 'string' || Number.isNaN(Date.parse(v)) || !/^\d{4}-\d{2}-\d{2}T/.test(v))
      throw new ScalarInputError({
        vi: 'một thời điểm dạng ISO 8601 (ví dụ 2026-12-15T10:00:00Z)',
        en: 'an ISO 8601 instant (e.g. 2026-12-15T10:00:00Z)',
      });
    return new Date(v).toISOString();
  },
});
builder.scalarType('Date', {
  description: 'A calendar date, YYYY-MM-DD.',
  serialize: (v) => v,
  parseValue: (v) => {
    if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v))
      throw new ScalarInputError({
        vi: 'một ngày dạng YYYY-MM-DD (ví dụ 2026-12-15)',
        en: 'a date as YYYY-MM-DD (e.g. 2026-12-15)',
      });
    return v;
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
