import { getOperationAST, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { currentRequest } from '@gopy/composition/ops/requestContext';

/** A client chooses its operation names: only a plain identifier is kept, for the log and the metrics' labels. */
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function operationName(name: unknown): string {
  return typeof name === 'string' && OPERATION_NAME.test(name) ? name : 'anonymous';
}

function noteOperation(args: { document: DocumentNode; operationName?: string | null }): void {
  const graphql = currentRequest()?.graphql;
  if (!graphql) return;
  const operation = getOperationAST(args.document, args.operationName);
  graphql.operation = operationName(operation?.name?.value ?? args.operationName);
  graphql.type = operation?.operation ?? graphql.type;
}

/**
 * Names the GraphQL operation of the request being served (requestTelemetry logs and counts it when the response
 * ends): first from the request's parameters, then from the document executed.
 */
export function graphqlTelemetry(): Plugin {
  return {
    onParams({ params }) {
      const request = currentRequest();
      if (request && !request.graphql)
        request.graphql = {
          operation: operationName(params.operationName),
          requestedName: params.operationName ?? undefined,
          type: 'unknown',
          refusals: [],
        };
    },
    onParse() {
      return ({ result }) => {
        if (result instanceof Error) noteRejected('VALIDATION');
      };
    },
    onValidate({ params }) {
      const request = currentRequest();
      if (request?.graphql)
        noteOperation({ document: params.documentAST, operationName: request.graphql.requestedName });
      return ({ valid, result }) => {
        if (valid) return;
        const code = result[0]?.extensions?.code;
        noteRejected(typeof code === 'string' && !code.startsWith('GRAPHQL_') ? code : 'VALIDATION');
      };
    },
    onExecute({ args }) {
      noteOperation(args);
    },
    onSubscribe({ args }) {
      noteOperation(args);
    },
  };
}

/** A typed refusal answered for the current request (a member of a result union, or an error with its code). */
export function noteRefusal(error: unknown): void {
  const graphql = currentRequest()?.graphql;
  if (!graphql) return;
  const code = (error as { code?: unknown }).code;
  graphql.refusals.push(typeof code === 'string' ? code : 'VALIDATION');
}

/** The request was refused before execution (syntax, unknown fields, limits): its code. */
export function noteRejected(code: string): void {
  const graphql = currentRequest()?.graphql;
  if (graphql) graphql.rejected ??= code;
}

/** An unexpected failure answered as INTERNAL, by its correlation id. */
export function noteInternal(correlationId: string): void {
  const graphql = currentRequest()?.graphql;
  if (graphql) graphql.internal ??= correlationId;
}
