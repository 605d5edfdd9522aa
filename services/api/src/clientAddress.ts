import { randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { Request } from 'express';

/**
 * Who the client is, for the per-address rate limits, decided once: by express's `trust proxy` (GOPY_TRUST_PROXY),
 * which reads X-Forwarded-For only from trusted hops.
 *
 * The SvelteKit site adds a hop of its own: it answers the visitor, then calls /graphql for them. Two headers carry the
 * address across it:
 * - into the site (embedded runtime): express overwrites CLIENT_ADDRESS_HEADER with the address it computed, and the
 *   site's adapter-node reads it as its ADDRESS_HEADER, so `getClientAddress()` is express's answer, not the proxy's
 *   address nor a header the visitor wrote;
 * - back to /graphql: the site sends that address in CLIENT_ADDRESS_HEADER with the site key (SITE_KEY_HEADER). Only a
 *   request with the key is believed; without it the API takes its own view (req.ip). The key is what lets the site's
 *   hop through whatever GOPY_TRUST_PROXY says (it comes from the server's own address, which an operator who names
 *   only the load balancer does not trust).
 */
export const CLIENT_ADDRESS_HEADER = 'x-gopy-client-address';
/**
 * The scheme the visitor used, handed to the embedded site the same way (its adapter-node PROTOCOL_HEADER): express's
 * `req.protocol`, which believes X-Forwarded-Proto only from a proxy GOPY_TRUST_PROXY trusts. The site marks its
 * cookies Secure by it.
 */
export const CLIENT_PROTOCOL_HEADER = 'x-gopy-client-protocol';
export const SITE_KEY_HEADER = 'x-gopy-site-key';

/**
 * The key the site proves itself with: GOPY_SITE_KEY when set (a site run as its own process and the API processes
 * share it), otherwise one made for this process and left in its environment for the embedded site, which reads its
 * environment once, when it is loaded.
 */
export function siteKey(env: NodeJS.ProcessEnv = process.env): string {
  env.GOPY_SITE_KEY ||= randomBytes(32).toString('base64url');
  return env.GOPY_SITE_KEY;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The client's address: the site's word for it when the site sent it with its key, else express's. */
export function clientAddressOf(req: Request, key: string | undefined): string | undefined {
  const own = req.ip ?? req.socket.remoteAddress;
  const claimed = req.headers[CLIENT_ADDRESS_HEADER];
  const proof = req.headers[SITE_KEY_HEADER];
  if (key && typeof proof === 'string' && typeof claimed === 'string' && sameSecret(proof, key)) {
    const address = claimed.trim();
    if (isIP(address)) return address;
  }
  return own;
}
