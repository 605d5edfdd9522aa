/**
 * Two things a review of the hardening found at the HTTP edge, kept closed:
 * - the site marked its session cookie Secure whenever a request said `X-Forwarded-Proto: https`, from whoever sent
 *   it; now the scheme counts only from a proxy GOPY_TRUST_PROXY trusts (express decides and hands its verdict to the
 *   embedded site);
 * - /graphql answered a listed origin's CORS request without `Vary: Origin`, so a shared cache could hand one origin
 *   the headers it kept for another.
 * The server trusts 127.0.0.2 as its proxy; 127.0.0.3 plays a visitor who reaches it directly.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../support/platform';
import { demoAccount, stopPlatform } from './support';

const PROXY = '127.0.0.2';
const VISITOR = '127.0.0.3';
const LISTED_ORIGIN = 'https://app.gopy.example';

interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
}

function request(
  baseUrl: string,
  o: { method: string; path: string; headers: Record<string, string>; body?: string; localAddress: string },
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(o.path, baseUrl),
      {
        method: o.method,
        localAddress: o.localAddress,
        headers: {
          ...(o.body !== undefined ? { 'content-length': String(Buffer.byteLength(o.body)) } : {}),
          ...o.headers,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform({ env: { GOPY_TRUST_PROXY: PROXY, GOPY_CORS_ORIGINS: LISTED_ORIGIN } });
}, 180_000);

afterAll(async () => {
  await stopPlatform(platform);
});

describe('the session cookie is Secure only when the connection was https', () => {
  /** Signs in through the site's form (no JavaScript) and returns the session cookie it set. */
  async function signInThroughTheSite(from: string, headers: Record<string, string>): Promise<string> {
    const account = demoAccount(platform, 'participant');
    const answer = await request(platform.baseUrl, {
      method: 'POST',
      path: '/sign-in',
      localAddress: from,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'text/html',
        origin: platform.baseUrl,
        ...headers,
      },
      body: new URLSearchParams({ email: account.email, password: account.password, redirectTo: '/' }).toString(),
    });
    expect(answer.status, JSON.stringify(answer.headers)).toBe(303);
    const cookie = (answer.headers['set-cookie'] ?? []).find((c) => c.startsWith('gopy_session='));
    expect(cookie, JSON.stringify(answer.headers['set-cookie'])).toBeDefined();
    return cookie!;
  }
  const secure = (cookie: string) => cookie.split(';').some((part) => part.trim().toLowerCase() === 'secure');

  it('ignores X-Forwarded-Proto from a visitor the server does not trust as a proxy', async () => {
    expect(secure(await signInThroughTheSite(VISITOR, { 'x-forwarded-proto': 'https' }))).toBe(false);
    // Nor can the visitor name the scheme in the header express hands to the site: it is overwritten.
    expect(secure(await signInThroughTheSite(VISITOR, { 'x-gopy-client-protocol': 'https' }))).toBe(false);
  });

  it('believes the trusted proxy that terminated TLS, and a plain connection through it is not https', async () => {
    expect(secure(await signInThroughTheSite(PROXY, { 'x-forwarded-proto': 'https' }))).toBe(true);
    expect(secure(await signInThroughTheSite(PROXY, { 'x-forwarded-proto': 'http' }))).toBe(false);
    expect(secure(await signInThroughTheSite(PROXY, {}))).toBe(false);
  });
});

describe('CORS answers vary by Origin', () => {
  const body = JSON.stringify({ query: '{ viewer { account { id } } }' });
  const varies = (a: HttpAnswer) =>
    String(a.headers.vary ?? '')
      .split(',')
      .map((v) => v.trim().toLowerCase())
      .includes('origin');

  it('says Vary: Origin with the headers it gives a listed origin, on the request and on its preflight', async () => {
    const post = await request(platform.baseUrl, {
      method: 'POST',
      path: '/graphql',
      localAddress: VISITOR,
      headers: { origin: LISTED_ORIGIN, 'content-type': 'application/json' },
      body,
    });
    expect(post.status).toBe(200);
    expect(post.headers['access-control-allow-origin']).toBe(LISTED_ORIGIN);
    expect(varies(post), JSON.stringify(post.headers)).toBe(true);

    const preflight = await request(platform.baseUrl, {
      method: 'OPTIONS',
      path: '/graphql',
      localAddress: VISITOR,
      headers: {
        origin: LISTED_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-gopy-csrf',
      },
    });
    expect(preflight.headers['access-control-allow-origin']).toBe(LISTED_ORIGIN);
    expect(varies(preflight), JSON.stringify(preflight.headers)).toBe(true);
  });

  it('says it too where it gives another origin no CORS headers, so a cache keeps the two apart', async () => {
    for (const headers of [{ origin: 'https://evil.example' }, {}] as Record<string, string>[]) {
      const post = await request(platform.baseUrl, {
        method: 'POST',
        path: '/graphql',
        localAddress: VISITOR,
        headers: { ...headers, 'content-type': 'application/json' },
        body,
      });
      expect(post.status).toBe(200);
      expect(post.headers['access-control-allow-origin']).toBeUndefined();
      expect(varies(post), JSON.stringify(post.headers)).toBe(true);
    }
  });
});
