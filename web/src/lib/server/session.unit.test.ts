import type { RequestEvent } from '@sveltejs/kit';
import { afterEach, describe, expect, it } from 'vitest';
import { env } from '$env/dynamic/private';
import { isHttps } from './session';

type HttpsEvent = Parameters<typeof isHttps>[0];

/** A request as adapter-node hands it over: the URL it built, the Node request (its socket) and the headers. */
function event(o: { url: string; encrypted?: boolean; headers?: Record<string, string>; node?: boolean }): HttpsEvent {
  return {
    url: new URL(o.url),
    request: new Request(o.url, { headers: o.headers ?? {} }),
    platform: o.node === false ? undefined : { req: { socket: { encrypted: o.encrypted ?? false } } },
  } as unknown as Pick<RequestEvent, 'url' | 'platform' | 'request'>;
}

afterEach(() => {
  delete env.PROTOCOL_HEADER;
  delete env.ORIGIN;
});

describe('isHttps (the Secure flag of the session and language cookies)', () => {
  it('believes TLS on the socket', () => {
    expect(isHttps(event({ url: 'https://gopy.example/', encrypted: true }))).toBe(true);
  });

  it('does not believe an X-Forwarded-Proto nobody said to trust (adapter-node guesses https without ORIGIN)', () => {
    const spoofed = event({ url: 'https://gopy.example/', headers: { 'x-forwarded-proto': 'https' } });
    expect(isHttps(spoofed)).toBe(false);
  });

  it('follows the scheme adapter-node took from PROTOCOL_HEADER (the embedded runtime: express decides)', () => {
    env.PROTOCOL_HEADER = 'x-gopy-client-protocol';
    expect(isHttps(event({ url: 'https://gopy.example/' }))).toBe(true);
    expect(isHttps(event({ url: 'http://gopy.example/', headers: { 'x-forwarded-proto': 'https' } }))).toBe(false);
  });

  it('follows ORIGIN, the site’s one public address', () => {
    env.ORIGIN = 'https://gopy.example';
    expect(isHttps(event({ url: 'https://gopy.example/' }))).toBe(true);
    env.ORIGIN = 'http://gopy.example';
    expect(isHttps(event({ url: 'http://gopy.example/' }))).toBe(false);
  });

  it('outside Node (no platform request), the URL says', () => {
    expect(isHttps(event({ url: 'https://gopy.example/', node: false }))).toBe(true);
    expect(isHttps(event({ url: 'http://gopy.example/', node: false }))).toBe(false);
  });
});
