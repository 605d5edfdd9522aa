import type { Request as ExpressRequest, Response as ExpressResponse } from 'express';

/**
 * The name under which the embedded runtime hands the site its /graphql as a function: the express request of every
 * page carries it (adapter-node passes that request to the site as `platform.req`). A registered symbol, so the site's
 * separately bundled code finds it without importing the API. The site reads it in
 * web/src/lib/server/graphql/transport.ts.
 */
export const IN_PROCESS_GRAPHQL = Symbol.for('gopy.graphql.inProcess');

export type InProcessGraphQL = (request: Request) => Promise<Response>;

interface YogaLike {
  fetch(request: Request, ctx: { req: ExpressRequest; res: ExpressResponse }): Response | Promise<Response>;
}

/**
 * /graphql without a socket: the site's request goes to yoga's fetch handler as it is, with the same schema, plugins
 * (limits, telemetry) and context (the session token, the language and the visitor's address are read from the
 * request's own headers, exactly as over HTTP). The context reads the express request and response: stand-ins carry
 * the GraphQL request's headers, the loopback address (the site's own, as when it called over loopback), and collect
 * the cookies a resolver sets into the answer.
 */
export function inProcessGraphQL(yoga: YogaLike): InProcessGraphQL {
  return async (request) => {
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const cookies: string[] = [];
    const req = {
      method: request.method,
      headers,
      ip: '127.0.0.1',
      socket: { remoteAddress: '127.0.0.1' },
    } as unknown as ExpressRequest;
    const res = {
      append(name: string, value: string | string[]) {
        if (name.toLowerCase() === 'set-cookie') cookies.push(...(Array.isArray(value) ? value : [value]));
        return res;
      },
    } as unknown as ExpressResponse;
    const response = await yoga.fetch(request, { req, res });
    if (cookies.length === 0) return response;
    const answer = new Response(response.body, { status: response.status, headers: response.headers });
    for (const cookie of cookies) answer.headers.append('set-cookie', cookie);
    return answer;
  };
}
