// How the site talks to the API: where /graphql is, the headers every request carries, sending a document, and
// reading an answer as data or as a typed refusal. Server-only: the browser never sees the token, the URL or a document.
import { env } from '$env/dynamic/private';
import { getLocale } from '$lib/paraglide/runtime';
import type { RequestEvent } from '@sveltejs/kit';
import type { GraphQLDocument } from './document';

/** An expected refusal from the API (a member of a mutation's error union), already in a neutral shape. */
export interface ApiFailure {
  code: string;
  message: string;
  messageVi: string;
  messageEn: string;
  field?: string;
  rule?: string;
  retryAfterSeconds?: number;
}
export type Result<T> = { ok: true; data: T } | { ok: false; error: ApiFailure };

/** The API could not be reached or answered something that is not GraphQL. */
export class ApiUnavailableError extends Error {
  override name = 'ApiUnavailableError';
}
/** The API answered with top-level GraphQL errors to a query (a bug or a schema mismatch, not a refusal). */
export class GraphQLRequestError extends Error {
  override name = 'GraphQLRequestError';
  constructor(
    message: string,
    readonly codes: string[],
  ) {
    super(message);
  }
}

export type ApiEvent = Pick<RequestEvent, 'fetch' | 'locals' | 'getClientAddress' | 'platform'>;

/**
 * Where /graphql is: GOPY_API_URL when set (the distributed runtime); otherwise the very server this request came
 * in on (the embedded runtime mounts the site in the API's express app, whatever port or address it listens on);
 * otherwise http://127.0.0.1:$PORT/graphql.
 */
export function apiUrl(event?: Pick<RequestEvent, 'platform'>): string {
  if (env.GOPY_API_URL) return env.GOPY_API_URL;
  const socket = event?.platform?.req?.socket;
  if (socket?.localPort && socket.localAddress) {
    const address = socket.localAddress.replace(/^::ffff:/, '');
    const host = address.includes(':') ? `[${address}]` : address;
    return `http://${host}:${socket.localPort}/graphql`;
  }
  return `http://127.0.0.1:${env.PORT || '3000'}/graphql`;
}

export function isApiRequest(event: Pick<RequestEvent, 'platform'>, url: string): boolean {
  const api = apiUrl(event);
  return url === api || url.startsWith(`${api}?`);
}

export function apiHeaders(event: ApiEvent, accept: string): Record<string, string> {
  const headers: Record<string, string> = {
    accept,
    'content-type': 'application/json',
    // yoga's CSRF prevention: a header a browser form cannot send.
    'x-gopy-csrf': '1',
    'accept-language': getLocale(),
  };
  if (event.locals.token) headers.authorization = `Bearer ${event.locals.token}`;
  // The API keeps it only from a peer it trusts as a proxy (GOPY_TRUST_PROXY); in the embedded runtime, loopback.
  if (event.locals.requestId) headers['x-request-id'] = event.locals.requestId;
  try {
    // The visitor's address, for the API's per-address limits. adapter-node finds it: in the embedded runtime from
    // the header the API's express app sets (GOPY_TRUST_PROXY decides), run on its own from ADDRESS_HEADER and
    // XFF_DEPTH. With the site key the API takes it as given; without, only if it trusts this server as a proxy.
    const address = event.getClientAddress();
    headers['x-forwarded-for'] = address;
    if (env.GOPY_SITE_KEY) {
      headers['x-gopy-client-address'] = address;
      headers['x-gopy-site-key'] = env.GOPY_SITE_KEY;
    }
  } catch {
    // not available in every context (e.g. while prerendering); the API then sees the site's address
  }
  return headers;
}

/** /graphql as a function, handed over by the embedded runtime (services/api/src/inProcessGraphQL.ts). */
type InProcessGraphQL = (request: Request) => Promise<Response>;
const IN_PROCESS_GRAPHQL = Symbol.for('gopy.graphql.inProcess');

/**
 * In the embedded runtime the API's express app puts its GraphQL handler on the request it passes to the site: the
 * document then runs in this process without a socket (still GraphQL: the same schema, limits and authorisation,
 * the same headers). Run on its own (GOPY_API_URL), the site sends it over HTTP; Node's fetch keeps the connections
 * to the API alive between requests.
 */
function inProcessGraphQL(event: Pick<RequestEvent, 'platform'>): InProcessGraphQL | undefined {
  if (env.GOPY_API_URL) return undefined;
  const req = event.platform?.req as unknown as Record<symbol, unknown> | undefined;
  const handler = req?.[IN_PROCESS_GRAPHQL];
  return typeof handler === 'function' ? (handler as InProcessGraphQL) : undefined;
}

interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

async function send(
  event: ApiEvent,
  query: GraphQLDocument,
  variables: Record<string, unknown>,
): Promise<GraphQLResponse> {
  let response: Response;
  const init = {
    method: 'POST',
    headers: apiHeaders(event, 'application/graphql-response+json, application/json'),
    body: JSON.stringify({ query, variables }),
  };
  const inProcess = inProcessGraphQL(event);
  try {
    response = inProcess ? await inProcess(new Request(apiUrl(event), init)) : await event.fetch(apiUrl(event), init);
  } catch (cause) {
    throw new ApiUnavailableError(`GraphQL API at ${apiUrl(event)} unreachable`, { cause });
  }
  const text = await response.text();
  try {
    return JSON.parse(text) as GraphQLResponse;
  } catch {
    throw new ApiUnavailableError(`GraphQL API answered ${response.status} with a body that is not JSON`);
  }
}

function errorCodes(errors: NonNullable<GraphQLResponse['errors']>): string[] {
  return errors.map((e) => String(e.extensions?.code ?? 'INTERNAL'));
}

/** Sends a query; returns its data or throws (top-level errors are bugs or outages, not refusals). */
export async function gql<T>(
  event: ApiEvent,
  query: GraphQLDocument,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const body = await send(event, query, variables);
  if (body.errors?.length) {
    throw new GraphQLRequestError(body.errors.map((e) => e.message).join('; '), errorCodes(body.errors));
  }
  if (!body.data) throw new ApiUnavailableError('GraphQL answer without data');
  return body.data as T;
}

const KNOWN_CODES = new Set([
  'VALIDATION',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'ILLEGAL_STATE',
  'CONFLICT',
  'RATE_LIMITED',
  'PAYLOAD_TOO_LARGE',
  'INTERNAL',
]);

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Sends a mutation whose result is the union `Mutation<Name>Result` and returns success or the typed refusal. */
export async function mutate<T>(
  event: ApiEvent,
  field: string,
  query: GraphQLDocument,
  variables: Record<string, unknown>,
): Promise<Result<T>> {
  const body = await send(event, query, variables);
  const result = body.data?.[field] as Record<string, unknown> | null | undefined;
  if (result && typeof result === 'object') {
    if (typeof result.code === 'string') {
      return {
        ok: false,
        error: {
          code: result.code,
          message: str(result.message) ?? result.code,
          messageVi: str(result.messageVi) ?? str(result.message) ?? result.code,
          messageEn: str(result.messageEn) ?? str(result.message) ?? result.code,
          field: str(result.field),
          rule: str(result.rule),
          retryAfterSeconds: typeof result.retryAfterSeconds === 'number' ? result.retryAfterSeconds : undefined,
        },
      };
    }
    if ('data' in result) return { ok: true, data: result.data as T };
  }
  // Refusals thrown instead of returned (e.g. scope-auth) arrive as top-level errors with a code.
  const first = body.errors?.[0];
  if (first) {
    const ext = first.extensions ?? {};
    const code = str(ext.code);
    if (code && KNOWN_CODES.has(code)) {
      return {
        ok: false,
        error: {
          code,
          message: first.message,
          messageVi: str(ext.messageVi) ?? '',
          messageEn: str(ext.messageEn) ?? '',
          field: str(ext.field),
          rule: str(ext.rule),
          retryAfterSeconds: typeof ext.retryAfterSeconds === 'number' ? ext.retryAfterSeconds : undefined,
        },
      };
    }
    throw new GraphQLRequestError(body.errors!.map((e) => e.message).join('; '), errorCodes(body.errors!));
  }
  throw new ApiUnavailableError(`GraphQL answer without ${field}`);
}

/** Same as mutate, for mutations that return a plain Boolean. */
export async function mutateBoolean(
  event: ApiEvent,
  field: string,
  query: GraphQLDocument,
  variables: Record<string, unknown>,
): Promise<Result<boolean>> {
  const body = await send(event, query, variables);
  const value = body.data?.[field];
  if (typeof value === 'boolean') return { ok: true, data: value };
  const first = body.errors?.[0];
  const ext = first?.extensions ?? {};
  return {
    ok: false,
    error: {
      code: str(ext.code) ?? 'INTERNAL',
      message: first?.message ?? 'INTERNAL',
      messageVi: str(ext.messageVi) ?? '',
      messageEn: str(ext.messageEn) ?? '',
      field: str(ext.field),
    },
  };
}
