// The site's server log: one JSON object a line, in the shape the API's logger (pino) writes, so one collector reads
// both. The site logs only its unexpected failures; requests are logged by the API's express app (embedded runtime)
// or by the proxy in front of a site run as its own process.

/** What an incoming X-Request-Id may look like to be logged and passed on to /graphql. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request id this request came with: in the embedded runtime the API's express app set it (the proxy's, if
 * trusted, or a new one); a site run as its own process takes what its proxy sent.
 */
export function requestIdOf(headers: Headers): string | undefined {
  const id = headers.get('x-request-id');
  return id !== null && REQUEST_ID.test(id) ? id : undefined;
}

function errorFields(error: unknown): { type: string; message: string; stack?: string } {
  if (error instanceof Error)
    return { type: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { type: typeof error, message: String(error) };
}

/**
 * One error line: the correlation id shown to the reader, the request id, the method and the route's pattern
 * (`/(public)/policies/[id=id]`: never the URL, whose query may hold a token), the status and the error with its stack.
 */
export function serverErrorLine(fields: {
  correlationId: string;
  requestId: string | undefined;
  method: string;
  route: string | null;
  status: number;
  error: unknown;
  now?: Date;
}): string {
  return JSON.stringify({
    level: 'error',
    time: (fields.now ?? new Date()).toISOString(),
    service: 'gopy',
    role: 'site',
    pid: process.pid,
    ...(fields.requestId ? { requestId: fields.requestId } : {}),
    correlationId: fields.correlationId,
    method: fields.method,
    route: fields.route ?? 'unmatched',
    status: fields.status,
    err: errorFields(fields.error),
    msg: 'unexpected failure in the site',
  });
}
