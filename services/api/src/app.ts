import { AsyncResource } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse as parseCookie, serialize as serializeCookie } from 'cookie';
import express, { type Express, type Request, type Response } from 'express';
import { GraphQLError } from 'graphql';
import { createYoga, type Plugin as YogaPlugin } from 'graphql-yoga';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { accountQueries, organizationQueries } from '@gopy/application/readModels/index';
import type { Role } from '@gopy/schemas';
import { argumentPath, ScalarInputError } from './graphql/argumentErrors';
import type { GraphQLContext, Locale, Viewer } from './graphql/context';
import { describeInputError, isInputValidationError } from './graphql/types/errors';
import { schema } from './graphql/schema';
import { applyRateLimits } from './graphql/rateLimits';
import { applyAuditorReadOnly } from './auditorReadOnly';
import { corsPolicy } from './cors';
import { closedSchema, withoutSuggestions } from './graphql/closedSchema';
import { CLIENT_ADDRESS_HEADER, CLIENT_PROTOCOL_HEADER, clientAddressOf, siteKey } from './clientAddress';
import { SESSION_COOKIE } from './graphql/types/account';
import { draftDownloads } from './drafts/routes';
import { digestDownloads } from './exports/digest';
import { noticeDownloads } from './notices/routes';
import { feedRoutes } from './feeds/routes';
import { attachmentRoutes } from './attachments/routes';
import { commentExports } from './exports/comments';
import { semesterReportExports } from './exports/semesterReports';
import { auditWitnessDownload } from './auditWitnessDownload';
import type { Runtime } from '@gopy/composition/runtime';
import { logUnexpected } from '@gopy/application/logging';
import { graphqlTelemetry, noteInternal, noteRefusal, noteRejected } from './ops/graphqlTelemetry';
import { opsRoutes, requestTelemetry } from '@gopy/composition/ops/http';
import { currentRequest } from '@gopy/composition/ops/requestContext';
import { IN_PROCESS_GRAPHQL, inProcessGraphQL, type InProcessGraphQL } from './inProcessGraphQL';
import { admissionControl } from './admission';
import { PageCache } from './pageCache';
import { ReadPositions } from './readPositions';

function isTypedRefusal(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as { code?: unknown; messages?: { vi?: unknown; en?: unknown } };
  return typeof e.code === 'string' && typeof e.messages?.vi === 'string' && typeof e.messages?.en === 'string';
}

interface Refusal {
  code: string;
  messages: { vi: string; en: string };
  rule?: string;
  field?: string;
  retryAfterSeconds?: number;
}

/**
 * A refusal the client should see as such, wherever it was thrown: a typed domain or API error; an argument refused by
 * its schema (`validate`) on a field without a result union; a scalar that did not parse, named by the argument the
 * request put it in. Anything else is unexpected (INTERNAL).
 */
/** Errors met while the request is validated or its variables read come wrapped more than once. */
function rootCause(error: unknown): unknown {
  let original = error;
  while (original instanceof GraphQLError && original.originalError) original = original.originalError;
  return original;
}

/** The error a refusal is answered with, its code, rule or field and both languages in `extensions`. */
function refusalError(error: unknown): GraphQLError | undefined {
  const r = refusalOf(rootCause(error), error);
  if (!r) return undefined;
  return new GraphQLError(r.messages.vi, {
    ...(error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {}),
    extensions: {
      ...(error instanceof GraphQLError && error.extensions?.http ? { http: error.extensions.http } : {}),
      code: r.code,
      messageVi: r.messages.vi,
      messageEn: r.messages.en,
      ...(r.rule ? { rule: r.rule } : {}),
      ...(r.field ? { field: r.field } : {}),
      ...(r.retryAfterSeconds !== undefined ? { retryAfterSeconds: r.retryAfterSeconds } : {}),
    },
  });
}

/**
 * Errors of the validation phase are answered as they are, not through maskError: a literal that does not parse (a
 * DateTime argument written "yesterday") is a refusal like any other, so it is typed here the same way.
 */
const typedValidationErrors: YogaPlugin = {
  onValidate() {
    return ({ valid, result, setResult }) => {
      if (!valid) setResult(result.map((e) => refusalError(e) ?? e));
    };
  },
};

function refusalOf(original: unknown, error: unknown): Refusal | undefined {
  if (original instanceof ScalarInputError) {
    const field = (error instanceof GraphQLError && argumentPath(error)) || 'input';
    return { code: original.code, messages: original.messagesFor(field), field };
  }
  if (original instanceof Error && isInputValidationError(original)) return describeInputError(original);
  return isTypedRefusal(original) ? (original as unknown as Refusal) : undefined;
}

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function localeOf(req: Request): Locale {
  const header = req.headers['accept-language'] ?? '';
  return /^\s*en\b/i.test(header) ? 'en' : 'vi';
}

function sessionTokenOf(req: Request): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim() || undefined;
  const cookies = parseCookie(req.headers.cookie ?? '');
  return cookies[SESSION_COOKIE] || undefined;
}

async function viewerFor(runtime: Runtime, token: string | undefined): Promise<Viewer | null> {
  if (!token) return null;
  const accountId = await runtime.accounts.sessionAccount(token);
  if (!accountId) return null;
  // The request's log line names the account by its id (never an email or a name).
  const request = currentRequest();
  if (request) request.actor = accountId;
  const [account] = await accountQueries.byIds(runtime.readDb, [accountId]);
  if (!account || account.erased) return null;
  const memberships = new Map<string, Role[]>();
  for (const m of await organizationQueries.membershipsOf(runtime.readDb, accountId))
    memberships.set(m.organizationId, m.roles);
  return { accountId, emailVerified: account.emailVerified, memberships };
}

/**
 * The express app: /graphql (yoga, SSE subscriptions), /healthz, /readyz and /metrics (ops/http.ts), and in the
 * embedded runtime the SvelteKit site. Every request is logged and counted (requestTelemetry).
 * main.ts only composes adapters and listens; tests call this app.
 */
export async function buildApp(
  runtime: Runtime,
  options: { webHandler?: express.RequestHandler } = {},
): Promise<Express> {
  applyRateLimits(schema);
  applyAuditorReadOnly(schema);
  const limits = runtime.limits;
  // The site in this process needs the key before it is loaded; an API process without a site knows it only if set.
  const serving = options.webHandler !== undefined || runtime.config.serveWeb;
  const keyOfSite = serving ? siteKey() : process.env.GOPY_SITE_KEY || undefined;
  const yoga = createYoga<{ req: Request; res: Response }, GraphQLContext>({
    schema,
    // Depth, cost and alias limits: refused before execution as request errors (code VALIDATION), never a 500.
    plugins: [
      graphqlTelemetry(),
      typedValidationErrors,
      EnvelopArmorPlugin({
        maxDepth: { n: limits.maxDepth, ignoreIntrospection: true },
        costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true },
        maxAliases: { n: limits.maxAliases },
        maxTokens: { n: 10_000 },
        maxDirectives: { n: 50 },
        blockFieldSuggestion: { enabled: false },
      }),
      ...(runtime.config.graphqlIntrospection ? [] : [closedSchema()]),
    ],
    graphqlEndpoint: '/graphql',
    // Without this yoga echoes any Origin with Access-Control-Allow-Credentials: a page anywhere could read myData.
    cors: corsPolicy(runtime.config.corsOrigins),
    landingPage: false,
    graphiql: runtime.config.demo,
    logging: false,
    maskedErrors: {
      maskError(error) {
        // A refusal thrown where no result union can carry it (a connection's arguments, a query behind a scope, a
        // value refused while the request's variables were read): still typed, with its code, rule or field and both
        // languages.
        const refused = refusalError(error);
        if (refused) {
          noteRefusal({ code: refused.extensions.code });
          return refused;
        }
        const original = rootCause(error);
        // Errors of the request itself (syntax, unknown fields, variables of the wrong type) are the client's to see.
        if (error instanceof GraphQLError && !error.path) {
          const code = (error.extensions?.code as string | undefined) ?? 'VALIDATION';
          noteRejected(code === 'INTERNAL_SERVER_ERROR' ? 'VALIDATION' : code);
          const message = runtime.config.graphqlIntrospection ? error.message : withoutSuggestions(error.message);
          return new GraphQLError(message, {
            nodes: error.nodes,
            extensions: { ...error.extensions, code: code === 'INTERNAL_SERVER_ERROR' ? 'VALIDATION' : code },
          });
        }
        const correlationId = logUnexpected(
          currentRequest()?.logger ?? runtime.logger,
          original,
          'unexpected failure answered as INTERNAL',
          error instanceof GraphQLError && error.path ? { path: error.path.join('.') } : {},
        );
        noteInternal(correlationId);
        return new GraphQLError(`Lỗi hệ thống (mã ${correlationId}). / Internal error (id ${correlationId}).`, {
          extensions: { code: 'INTERNAL', correlationId },
        });
      },
    },
    context: async ({ req, res }) => {
      const sessionToken = sessionTokenOf(req);
      return {
        // For the per-address rate limits (limits.ts): see clientAddress.ts.
        clientAddress: clientAddressOf(req, keyOfSite),
        runtime,
        viewer: await viewerFor(runtime, sessionToken),
        locale: localeOf(req),
        sessionToken,
        setCookie(name, value, { maxAgeSeconds }) {
          res.append(
            'Set-Cookie',
            serializeCookie(name, value, {
              httpOnly: true,
              sameSite: 'lax',
              path: '/',
              maxAge: maxAgeSeconds,
              secure: runtime.config.publicUrl.startsWith('https:'),
            }),
          );
        },
      };
    },
  });

  const app = express();
  app.disable('x-powered-by');
  // The site's server calls /graphql for its visitors and names them in X-Forwarded-For; only trusted hops may.
  app.set('trust proxy', limits.trustProxy);
  const trustsProxy = app.get('trust proxy fn') as (address: string, hop: number) => boolean;
  app.use(
    requestTelemetry({
      logger: runtime.logger,
      metrics: runtime.metrics,
      trusted: (address) => trustsProxy(address, 0),
      stopping: () => runtime.health.isStopping,
    }),
  );
  app.use(
    opsRoutes({
      health: runtime.health,
      metrics: runtime.metrics,
      metricsToken: runtime.config.metricsToken,
      alive: () => ({
        role: runtime.role,
        position: runtime.projector.position ?? null,
        caughtUp: runtime.projector.isCaughtUp,
      }),
    }),
  );
  // Under overload: a bounded queue, then 503 with Retry-After (admission.ts).
  app.use(admissionControl(runtime.config.admission));
  const web = options.webHandler ?? (runtime.config.serveWeb ? await loadWebHandler(runtime.log) : undefined);
  const site = web ? siteHandler(web, inProcessGraphQL(yoga as never)) : undefined;
  if (site) {
    // Public pages kept rendered for visitors without a session (pageCache.ts), answered before anything else runs;
    // it handles only GET and HEAD of the home page and a policy's pages, which nothing below serves.
    const pages = new PageCache({
      ...runtime.config.pageCache,
      positions: new ReadPositions(runtime.changes),
      onLookup: (result) => runtime.metrics.pageCache.inc({ result }),
    });
    app.use(pages.middleware(site));
  }
  // The sealer's public key, so anyone can check the signed checkpoints of an exported log (gopy audit verify --key).
  app.get('/.well-known/gopy-audit-key', (_req, res) => {
    res.type('application/x-pem-file').send(runtime.auditPublicKeyPem);
  });
  if (runtime.config.corsOrigins.length > 0) {
    // With an allow-list the CORS headers depend on the request's Origin (a listed one gets them, any other none), so
    // a shared cache must not answer one origin with what it kept for another.
    app.use('/graphql', (_req, res, next) => {
      res.vary('Origin');
      next();
    });
  }
  app.use('/graphql', (req, res, next) => {
    // The body limit, before yoga reads anything: over it, a GraphQL error with code PAYLOAD_TOO_LARGE and HTTP 413.
    const tooLarge = () =>
      res.status(413).json({
        errors: [
          {
            message: `Nội dung yêu cầu quá lớn (tối đa ${limits.bodyLimitBytes} byte).`,
            extensions: {
              code: 'PAYLOAD_TOO_LARGE',
              limitBytes: limits.bodyLimitBytes,
              messageVi: `Nội dung yêu cầu quá lớn (tối đa ${limits.bodyLimitBytes} byte).`,
              messageEn: `The request body is too large (at most ${limits.bodyLimitBytes} bytes).`,
            },
          },
        ],
      });
    const declared = req.headers['content-length'];
    if (declared !== undefined) {
      if (Number(declared) > limits.bodyLimitBytes) {
        tooLarge();
        req.resume();
        return;
      }
      next();
      return;
    }
    if (req.method !== 'POST') {
      next();
      return;
    }
    // A chunked body declares no length: count it as it arrives, and hand yoga the buffer (it uses a parsed body).
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limits.bodyLimitBytes) {
        refused = true;
        tooLarge();
        return;
      }
      chunks.push(chunk);
    });
    // Bound to this request's context: 'end' comes from the socket, and what runs after it must still log and count
    // under this request.
    req.on(
      'end',
      AsyncResource.bind(() => {
        if (refused) return;
        if (size > 0) (req as { body?: unknown }).body = Buffer.concat(chunks);
        next();
      }),
    );
    req.on('error', next);
  });
  app.use('/graphql', (req, res, next) => {
    // A cross-site form can post only "simple" content types; JSON needs a preflight, so cookie-authenticated
    // requests in other types are refused unless they carry the site's header.
    if (req.method === 'POST' && req.headers.cookie && !req.headers['x-gopy-csrf']) {
      const type = req.headers['content-type'] ?? '';
      if (!/^application\/(graphql-response\+)?json/i.test(type)) {
        res.status(403).json({ errors: [{ message: 'CSRF check failed', extensions: { code: 'FORBIDDEN' } }] });
        return;
      }
    }
    next();
  });
  app.use(yoga.graphqlEndpoint, yoga as unknown as express.RequestHandler);
  app.use(draftDownloads(runtime));
  app.use(attachmentRoutes(runtime, (req) => viewerFor(runtime, sessionTokenOf(req))));
  // Before the comment exports: both answer under /export/policies/<id>/rounds/<n>/.
  app.use(digestDownloads(runtime));
  app.use(noticeDownloads(runtime));
  app.use(commentExports(runtime, (req) => viewerFor(runtime, sessionTokenOf(req))));
  app.use(semesterReportExports(runtime, (req) => viewerFor(runtime, sessionTokenOf(req))));
  app.use(auditWitnessDownload(runtime, (req) => viewerFor(runtime, sessionTokenOf(req))));
  app.use(feedRoutes(runtime));
  // The site, after /graphql and the downloads: whatever they do not answer.
  if (site) app.use(site);
  return app;
}

/**
 * The site's handler as this process mounts it: its GraphQL documents run in-process, without a socket
 * (inProcessGraphQL.ts), and it learns the visitor's address and scheme as express computed them.
 */
function siteHandler(web: express.RequestHandler, graphql: InProcessGraphQL): express.RequestHandler {
  return (req, res, next) => {
    (req as unknown as Record<symbol, unknown>)[IN_PROCESS_GRAPHQL] = graphql;
    // Overwritten, never passed on: what the visitor sent under these names means nothing.
    req.headers[CLIENT_ADDRESS_HEADER] = req.ip ?? req.socket.remoteAddress ?? '';
    req.headers[CLIENT_PROTOCOL_HEADER] = req.protocol;
    return web(req, res, next);
  };
}

/** The SvelteKit site built by adapter-node (web/build/handler.js), mounted after /graphql in the embedded runtime. */
export async function loadWebHandler(log: (msg: string) => void): Promise<express.RequestHandler | undefined> {
  const file = path.join(repoRoot, 'web/build/handler.js');
  if (!fs.existsSync(file)) {
    log('web/build/handler.js not found: serving /graphql only (run `npm run build` to build the site).');
    return undefined;
  }
  // adapter-node refuses bodies over 512 kB by default; staff forms upload scans and .docx drafts through the site.
  process.env.BODY_SIZE_LIMIT ??= '25M';
  // The visitor's address is the one express computed with GOPY_TRUST_PROXY (buildApp sets the header), whatever
  // ADDRESS_HEADER and XFF_DEPTH say: those configure a site run as its own process.
  if (process.env.ADDRESS_HEADER && process.env.ADDRESS_HEADER.toLowerCase() !== CLIENT_ADDRESS_HEADER) {
    log(`ADDRESS_HEADER=${process.env.ADDRESS_HEADER} ignored in the embedded runtime: GOPY_TRUST_PROXY decides.`);
  }
  process.env.ADDRESS_HEADER = CLIENT_ADDRESS_HEADER;
  // The same for the scheme: https only when express saw TLS or a trusted proxy said so (the Secure cookie flag).
  if (process.env.PROTOCOL_HEADER && process.env.PROTOCOL_HEADER.toLowerCase() !== CLIENT_PROTOCOL_HEADER) {
    log(`PROTOCOL_HEADER=${process.env.PROTOCOL_HEADER} ignored in the embedded runtime: GOPY_TRUST_PROXY decides.`);
  }
  process.env.PROTOCOL_HEADER = CLIENT_PROTOCOL_HEADER;
  siteKey();
  const mod = (await import(pathToFileURL(file).href)) as { handler: express.RequestHandler };
  return mod.handler;
}
