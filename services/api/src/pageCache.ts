import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { parse as parseCookie } from 'cookie';
import type express from 'express';
import type { ReadPositions } from './readPositions';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** The site's languages and the cookie that keeps a reader's choice (paraglide's, web/vite.config.ts). */
const LOCALES = ['vi', 'en'] as const;
const BASE_LOCALE = 'vi';
export const LOCALE_COOKIE = 'PARAGLIDE_LOCALE';

/**
 * The language the site answers in, chosen as paraglide does (strategy cookie, preferredLanguage, baseLocale): the
 * cookie when it names a language of the site, else the first of Accept-Language by weight that the site has (a
 * region is dropped: en-GB is en), else Vietnamese. A page is kept only if its <html lang> says the same.
 */
export function localeOf(cookie: string | undefined, acceptLanguage: string | undefined): string {
  if (cookie && (LOCALES as readonly string[]).includes(cookie)) return cookie;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((l) => l.tag && l.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const base = tag.split('-')[0]!;
    const hit = LOCALES.find((l) => l === tag || l === base);
    if (hit) return hit;
  }
  return BASE_LOCALE;
}

type Encoding = 'br' | 'gzip' | 'identity';

/** brotli when the client takes it, else gzip, else none (q=0 refuses a coding). */
export function encodingFor(acceptEncoding: string | undefined): Encoding {
  const accepted = new Set<string>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    if (params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p))) continue;
    accepted.add(name.trim());
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip') || accepted.has('*')) return 'gzip';
  return 'identity';
}

/** A page as it is kept: the three encodings of its body and the headers each is sent with. */
interface Page {
  /** The read-model positions it was rendered at (ReadPositions). */
  position: string;
  storedAt: number;
  etag: string;
  bytes: number;
  status: number;
  bodies: Record<Encoding, Buffer>;
  headers: Record<Encoding, Record<string, string>>;
}

/** What the site answered, captured instead of sent. */
interface Rendered {
  status: number;
  headers: Map<string, string | string[]>;
  body: Buffer;
}

/** Headers of a rendered page that are the cache's to set, or belong to one connection. */
const OWN_HEADERS = new Set([
  'cache-control',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'date',
  'etag',
  'vary',
  'set-cookie',
  'x-page-cache',
]);

/**
 * A stand-in for the node response the site writes a page into: adapter-node's handler sets headers, writes the status
 * and streams the body (build/handler.js setResponse); all of it is kept, and nothing goes to a socket.
 */
class CapturedResponse extends EventEmitter {
  statusCode = 200;
  statusMessage = '';
  headersSent = false;
  destroyed = false;
  writableEnded = false;
  private readonly headerMap = new Map<string, string | string[]>();
  private readonly chunks: Buffer[] = [];
  readonly done: Promise<Rendered>;
  private settle!: (rendered: Rendered) => void;
  private fail!: (error: Error) => void;

  constructor() {
    super();
    this.done = new Promise<Rendered>((resolve, reject) => {
      this.settle = resolve;
      this.fail = reject;
    });
  }
  setHeader(name: string, value: string | number | readonly string[]): this {
    this.headerMap.set(name.toLowerCase(), typeof value === 'number' ? String(value) : (value as string | string[]));
    return this;
  }
  appendHeader(name: string, value: string | readonly string[]): this {
    const old = this.headerMap.get(name.toLowerCase());
    const values = [...(old === undefined ? [] : [old].flat()), ...[value].flat()];
    this.headerMap.set(name.toLowerCase(), values);
    return this;
  }
  getHeader(name: string): string | string[] | undefined {
    return this.headerMap.get(name.toLowerCase());
  }
  getHeaders(): Record<string, string | string[]> {
    return Object.fromEntries(this.headerMap);
  }
  getHeaderNames(): string[] {
    return [...this.headerMap.keys()];
  }
  hasHeader(name: string): boolean {
    return this.headerMap.has(name.toLowerCase());
  }
  removeHeader(name: string): void {
    this.headerMap.delete(name.toLowerCase());
  }
  writeHead(status: number, reason?: string | Record<string, string | string[]>, headers?: Record<string, string>) {
    this.statusCode = status;
    const fields = typeof reason === 'object' ? reason : headers;
    for (const [name, value] of Object.entries(fields ?? {})) this.setHeader(name, value);
    this.headersSent = true;
    return this;
  }
  flushHeaders(): void {
    this.headersSent = true;
  }
  write(chunk: string | Uint8Array, encoding?: unknown, callback?: () => void): boolean {
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
    const cb = typeof encoding === 'function' ? encoding : callback;
    if (typeof cb === 'function') (cb as () => void)();
    return true;
  }
  end(chunk?: unknown, encoding?: unknown, callback?: () => void): this {
    if (this.writableEnded) return this;
    if (typeof chunk === 'string' || chunk instanceof Uint8Array) this.write(chunk);
    this.writableEnded = true;
    this.headersSent = true;
    this.settle({ status: this.statusCode, headers: this.headerMap, body: Buffer.concat(this.chunks) });
    const cb = [chunk, encoding, callback].find((c) => typeof c === 'function') as (() => void) | undefined;
    cb?.();
    this.emit('finish');
    this.emit('close');
    return this;
  }
  destroy(error?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.fail(error ?? new Error('the page render was cut off'));
    this.emit('close');
    return this;
  }
}

export interface PageCacheOptions {
  positions: ReadPositions;
  /** Pages kept at most (least recently used go first); 0: no cache. */
  entries: number;
  /** The longest a page is served without a new render (relative dates in it age). */
  maxAgeSeconds: number;
  /** How long a shared cache in front (nginx, a CDN) may keep a page: s-maxage and stale-while-revalidate. */
  sharedMaxAgeSeconds: number;
  onLookup?: (result: 'hit' | 'miss') => void;
  now?: () => number;
}

const POLICY_PAGE = /^\/policies\/([0-9A-Za-z][0-9A-Za-z_-]{0,63})(?:\/diff|\/digest\/\d{1,4})?$/;

/** How a flight ended: a page kept for everyone who waited, or an answer only its own request may have. */
type Flight = { page: Page } | { page: undefined };

/**
 * The shared cache of rendered public pages (issue 18): for a visitor without a session, the home page and a policy's
 * pages (its page, diff, digests) are kept rendered, keyed by route and query string, language and the read-model
 * positions the page depends on (a policy's page: that policy's own position and that of what belongs to no policy;
 * the home page: the whole log's). A change the read models apply moves the position, so the next visitor gets a new
 * render: invalidation follows the projector, and a comment on one policy leaves the other policies' pages kept.
 *
 * One render per key and position at a time: whoever comes while it runs waits for it (a crowd makes one render).
 * Pages are kept in brotli, gzip and as they are, each with a weak ETag (If-None-Match: 304). Cache-Control lets a
 * proxy or CDN keep a page briefly (s-maxage), a browser always asks again (max-age=0), and Vary names what a page
 * depends on. A request with any cookie but the language's, or an Authorization header, is never answered from here
 * and its page never kept (the site marks such pages private, no-store).
 */
export class PageCache {
  private readonly pages = new Map<string, Page>();
  private readonly flights = new Map<string, Promise<Flight>>();
  private bytes = 0;
  private readonly now: () => number;
  private readonly cacheControl: string;
  /** Renders run since the start (a test counts them). */
  renders = 0;

  constructor(private readonly options: PageCacheOptions) {
    this.now = options.now ?? Date.now;
    const shared = options.sharedMaxAgeSeconds;
    this.cacheControl =
      shared > 0
        ? `public, max-age=0, must-revalidate, s-maxage=${shared}, stale-while-revalidate=${shared}`
        : 'public, no-cache';
  }

  /** The positions a page depends on, or undefined when the page is not one the cache keeps. */
  private positionOf(pathname: string): string | undefined {
    if (pathname === '/') return this.options.positions.ofAll();
    const policy = POLICY_PAGE.exec(pathname);
    return policy ? this.options.positions.ofPolicy(policy[1]!) : undefined;
  }

  /** The language the page will be in, or undefined when the request is not anonymous. */
  private anonymousLocale(req: IncomingMessage): string | undefined {
    if (req.headers.authorization) return undefined;
    const header = req.headers.cookie;
    let cookie: string | undefined;
    if (header) {
      const cookies = parseCookie(header);
      for (const name of Object.keys(cookies)) if (name !== LOCALE_COOKIE) return undefined;
      cookie = cookies[LOCALE_COOKIE];
    }
    return localeOf(cookie, req.headers['accept-language']);
  }

  /** Express middleware in front of the site's handler `render`. */
  middleware(render: express.RequestHandler): express.RequestHandler {
    return (req, res, next) => {
      if (this.options.entries === 0 || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
      const url = req.originalUrl;
      const query = url.indexOf('?');
      const position = this.positionOf(query === -1 ? url : url.slice(0, query));
      if (position === undefined) return next();
      const locale = this.anonymousLocale(req);
      if (locale === undefined) return next();
      const key = `${locale} ${url}`;
      const kept = this.pages.get(key);
      if (kept && kept.position === position && this.now() - kept.storedAt < this.options.maxAgeSeconds * 1000) {
        this.options.onLookup?.('hit');
        // Most recently used last: the first key of the map is the one to drop.
        this.pages.delete(key);
        this.pages.set(key, kept);
        this.send(req, res, kept, 'hit');
        return;
      }
      this.options.onLookup?.('miss');
      if (req.method === 'HEAD') return next();
      const flightKey = `${key}\n${position}`;
      let flight = this.flights.get(flightKey);
      const leader = flight === undefined;
      if (!flight) {
        flight = this.render(req, render, key, locale, position).finally(() => this.flights.delete(flightKey));
        this.flights.set(flightKey, flight);
      }
      flight.then(
        (outcome) => {
          if (outcome.page) this.send(req, res, outcome.page, leader ? 'miss' : 'shared');
          else render(req, res, next);
        },
        () => render(req, res, next),
      );
    };
  }

  private async render(
    req: express.Request,
    render: express.RequestHandler,
    key: string,
    locale: string,
    position: string,
  ): Promise<Flight> {
    this.renders += 1;
    const captured = new CapturedResponse();
    let passed = false;
    await render(req, captured as unknown as express.Response, () => {
      passed = true;
      captured.end();
    });
    const rendered = await captured.done;
    if (passed || !this.keepable(rendered, locale)) return { page: undefined };
    const page = await this.page(rendered, position);
    this.keep(key, page);
    return { page };
  }

  private keepable(rendered: Rendered, locale: string): boolean {
    if (rendered.status !== 200 || rendered.headers.has('set-cookie')) return false;
    const type = rendered.headers.get('content-type');
    if (typeof type !== 'string' || !type.startsWith('text/html')) return false;
    // The site chose the language the key says (see localeOf), or the page is not kept.
    return rendered.body.subarray(0, 512).toString('utf8').includes(`<html lang="${locale}"`);
  }

  private async page(rendered: Rendered, position: string): Promise<Page> {
    const identity = rendered.body;
    const [br, gz] = await Promise.all([
      brotli(identity, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: 6,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: identity.length,
          [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
        },
      }),
      gzip(identity, { level: 6 }),
    ]);
    const etag = `W/"${createHash('sha256').update(identity).digest('base64url').slice(0, 27)}"`;
    const base: Record<string, string> = {};
    for (const [name, value] of rendered.headers) {
      if (OWN_HEADERS.has(name)) continue;
      base[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    base['cache-control'] = this.cacheControl;
    base.vary = 'Accept-Encoding, Accept-Language, Cookie';
    base.etag = etag;
    const bodies = { br, gzip: gz, identity };
    const headers = {} as Page['headers'];
    for (const encoding of ['br', 'gzip', 'identity'] as const) {
      headers[encoding] = {
        ...base,
        ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }),
        'content-length': String(bodies[encoding].length),
      };
    }
    return {
      position,
      storedAt: this.now(),
      etag,
      bytes: br.length + gz.length + identity.length,
      status: rendered.status,
      bodies,
      headers,
    };
  }

  private keep(key: string, page: Page): void {
    const old = this.pages.get(key);
    if (old) {
      this.bytes -= old.bytes;
      this.pages.delete(key);
    }
    this.pages.set(key, page);
    this.bytes += page.bytes;
    while (this.pages.size > this.options.entries) {
      const [oldest, dropped] = this.pages.entries().next().value as [string, Page];
      this.pages.delete(oldest);
      this.bytes -= dropped.bytes;
    }
  }

  private send(req: IncomingMessage, res: ServerResponse, page: Page, how: 'hit' | 'miss' | 'shared'): void {
    const match = req.headers['if-none-match'];
    if (match && match.split(',').some((tag) => tag.trim() === page.etag)) {
      res.writeHead(304, {
        etag: page.etag,
        'cache-control': this.cacheControl,
        vary: 'Accept-Encoding, Accept-Language, Cookie',
        'x-page-cache': how,
      });
      res.end();
      return;
    }
    const encoding = encodingFor(req.headers['accept-encoding'] as string | undefined);
    res.writeHead(page.status, { ...page.headers[encoding], 'x-page-cache': how });
    res.end(req.method === 'HEAD' ? undefined : page.bodies[encoding]);
  }

  /** Pages kept and their bytes (all three encodings). */
  get size(): { pages: number; bytes: number } {
    return { pages: this.pages.size, bytes: this.bytes };
  }
}
