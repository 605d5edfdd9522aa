import { randomUUID, timingSafeEqual } from 'node:crypto';
import express, { type Request } from 'express';
import type { Logger } from '@gopy/application/logging';
import type { Health } from './health';
import type { Metrics } from './metrics';
import { runInRequest, type RequestContext } from './requestContext';
import { isUuid } from '@gopy/application/ids';

/** What an incoming X-Request-Id may look like to be kept (from a trusted proxy): short, no spaces or quotes. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Paths an orchestrator or a scraper calls every few seconds: logged at debug level only. */
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * The route a request is counted under: the express route pattern where one matched, `/graphql` for the API, and for
 * the site's pages their path with ids and numbers replaced (`/policies/:id/digest/:n`), never a query string (which
 * may hold a token). Anything answered 404 is `unmatched`, so that made-up paths cannot grow the metrics.
 */
export function routeOf(req: Request, status: number): string {
  const route = (req as { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') return `${req.baseUrl}${route.path}`;
  const path = req.originalUrl.split('?', 1)[0] ?? '/';
  if (path === '/graphql' || path.startsWith('/graphql/')) return '/graphql';
  if (status === 404) return 'unmatched';
  if (path.startsWith('/_app/')) return '/_app/*';
  const segments = path.split('/').filter(Boolean);
  if (segments.length > 8) return 'unmatched';
  return `/${segments.map((s) => (isUuid(s) ? ':id' : /\d/.test(s) ? ':n' : s)).join('/')}`;
}

/**
 * One line per request (request id, actor id, method, route, status, duration; the GraphQL operation and its
 * outcome), the request-duration histogram, and the request id: taken from X-Request-Id when the peer is a trusted
 * proxy (GOPY_TRUST_PROXY), generated otherwise, returned in X-Request-Id and handed on in the request's headers to
 * the site served in this process.
 */
export function requestTelemetry(deps: {
  logger: Logger;
  metrics: Metrics;
  trusted: (address: string) => boolean;
  /** Once shutdown has begun, responses close their connection, so clients reconnect to another process. */
  stopping?: () => boolean;
}): express.RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const incoming = req.headers['x-request-id'];
    const requestId =
      typeof incoming === 'string' && REQUEST_ID.test(incoming) && deps.trusted(req.socket.remoteAddress ?? '')
        ? incoming
        : randomUUID();
    req.headers['x-request-id'] = requestId;
    res.setHeader('X-Request-Id', requestId);
    if (deps.stopping?.()) res.setHeader('Connection', 'close');
    const context: RequestContext = { requestId, logger: deps.logger.child({ requestId }) };
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const seconds = (performance.now() - started) / 1000;
      // A response cut before it was sent (the client went away) is logged with the status it was going to have.
      const status = res.statusCode;
      const route = routeOf(req, status);
      deps.metrics.observeRequest(req.method, route, status, seconds);
      const graphql = context.graphql;
      const outcome = graphql
        ? graphql.internal
          ? 'INTERNAL'
          : (graphql.rejected ?? graphql.refusals[0] ?? 'success')
        : undefined;
      if (graphql) deps.metrics.observeOperation(graphql.operation, graphql.type, outcome!, seconds);
      const line = {
        method: req.method,
        route,
        status,
        durationMs: Math.round(seconds * 10_000) / 10,
        ...(context.actor ? { actor: context.actor } : {}),
        ...(graphql ? { operation: graphql.operation, operationType: graphql.type, outcome } : {}),
        ...(graphql?.internal ? { correlationId: graphql.internal } : {}),
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      // A probe's 503 is its answer (what failed is logged by the check itself), not a failed request.
      if (PROBES.has(route)) context.logger.debug(line, 'request');
      else if (status >= 500 || graphql?.internal) context.logger.error(line, 'request');
      else context.logger.info(line, 'request');
    };
    res.once('finish', finish);
    res.once('close', finish);
    runInRequest(context, next);
  };
}

/** Whether the TCP peer is this machine, and no proxy says it forwards someone else's request. */
function isLocal(req: Request): boolean {
  const peer = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const loopback = peer === '::1' || peer.startsWith('127.');
  return loopback && req.headers['x-forwarded-for'] === undefined && req.headers.forwarded === undefined;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * /healthz (alive: the process answers), /readyz (200 or 503 with the checks, by name) and /metrics (Prometheus text).
 * /metrics answers a local peer (loopback, not forwarded by a proxy); anyone else needs `Authorization: Bearer
 * <GOPY_METRICS_TOKEN>`: without a configured token it is 404 from elsewhere, with a missing or wrong token 401.
 */
export function opsRoutes(deps: {
  health: Health;
  metrics: Metrics;
  metricsToken: string | undefined;
  /** Extra fields of /healthz. */
  alive?: () => Record<string, unknown>;
}): express.Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.set('cache-control', 'no-store').json({ status: 'ok', ok: true, ...deps.alive?.() });
  });
  router.get('/readyz', async (_req, res) => {
    const readiness = await deps.health.readiness();
    res
      .status(readiness.ready ? 200 : 503)
      .set('cache-control', 'no-store')
      .json({ status: readiness.ready ? 'ready' : 'not ready', ...readiness });
  });
  router.get('/metrics', async (req, res) => {
    if (!isLocal(req)) {
      const token = deps.metricsToken;
      if (!token) {
        res.status(404).type('text/plain').send('Not Found');
        return;
      }
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith('Bearer ') || !sameSecret(auth.slice(7).trim(), token)) {
        res.status(401).set('WWW-Authenticate', 'Bearer realm="metrics"').type('text/plain').send('Unauthorized');
        return;
      }
    }
    const { contentType, body } = await deps.metrics.text();
    res.set('cache-control', 'no-store').type(contentType).send(body);
  });
  return router;
}
