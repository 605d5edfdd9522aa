import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '@gopy/application/logging';

/**
 * What one HTTP request has learned about itself, for its log line and its metrics: filled in where it becomes known
 * (the viewer in app.ts, the GraphQL operation and its outcome in graphqlTelemetry.ts) and read when the response ends.
 */
export interface RequestContext {
  requestId: string;
  /** The request's logger: the process's, with `requestId` bound. */
  logger: Logger;
  /** The signed-in account (an id: never an email or a name). */
  actor?: string;
  graphql?: {
    operation: string;
    /** The operationName parameter as sent, to pick the operation out of a document with several. */
    requestedName?: string;
    type: string;
    /** Typed refusal codes answered (members of result unions, or errors thrown where no union carries them). */
    refusals: string[];
    /** Correlation id of an INTERNAL error, when one was answered. */
    internal?: string;
    /** The request itself was refused before execution (syntax, validation, limits). */
    rejected?: string;
  };
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runInRequest<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}
