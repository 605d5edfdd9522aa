// The session: a token in an httpOnly cookie, read once per request, turned into the viewer on demand.
import { error, redirect, type RequestEvent } from '@sveltejs/kit';
import { env } from '$env/dynamic/private';
import { m } from '$lib/paraglide/messages';
import { SESSION_COOKIE, fetchViewer, type Viewer } from './api';
import type { Role } from '$lib/types';

const SESSION_DAYS = 14;

type CookieEvent = Pick<RequestEvent, 'cookies' | 'url' | 'platform' | 'request'>;

/**
 * Whether the reader's connection is https, for the Secure flag of the cookies. TLS on this socket says so. A proxy's
 * word (X-Forwarded-Proto) counts only where whoever runs the site said which proxy to believe: adapter-node's
 * PROTOCOL_HEADER (in the embedded runtime the API's express app sets it and hands over its verdict, which follows
 * GOPY_TRUST_PROXY) or its ORIGIN, and then `event.url` carries the scheme. Otherwise a header the visitor can write
 * is not believed.
 */
export function isHttps(event: Pick<RequestEvent, 'url' | 'platform' | 'request'>): boolean {
  const req = event.platform?.req;
  if (!req) return event.url.protocol === 'https:';
  if ((req.socket as { encrypted?: boolean }).encrypted === true) return true;
  return env.PROTOCOL_HEADER || env.ORIGIN ? event.url.protocol === 'https:' : false;
}

export function setSession(event: CookieEvent, token: string): void {
  event.cookies.set(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: isHttps(event),
    maxAge: SESSION_DAYS * 24 * 60 * 60,
  });
}

export function clearSession(event: CookieEvent): void {
  event.cookies.delete(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: isHttps(event) });
}

type ViewerEvent = Pick<
  RequestEvent,
  'fetch' | 'locals' | 'getClientAddress' | 'platform' | 'cookies' | 'url' | 'request'
>;

/** The signed-in account, or null; the API is asked at most once per request. */
export function getViewer(event: ViewerEvent): Promise<Viewer | null> {
  event.locals.viewer ??= fetchViewer(event).then((viewer) => {
    if (!viewer && event.locals.token) {
      // The API no longer knows this token: forget it so the header stops saying "signed in".
      clearSession(event);
      event.locals.token = null;
    }
    return viewer;
  });
  return event.locals.viewer;
}

export function signInUrl(url: URL): string {
  return `/sign-in?redirectTo=${encodeURIComponent(url.pathname + url.search)}`;
}

/** The viewer, or a redirect to sign-in that comes back here afterwards. */
export async function requireViewer(event: ViewerEvent): Promise<Viewer> {
  const viewer = await getViewer(event);
  if (!viewer) redirect(303, signInUrl(event.url));
  return viewer;
}

export function rolesIn(viewer: Viewer, organizationId: string): Role[] {
  return viewer.memberships.filter((mb) => mb.organization.id === organizationId).flatMap((mb) => mb.roles);
}

export function hasRoleAnywhere(viewer: Viewer, roles: readonly Role[]): boolean {
  return viewer.memberships.some((mb) => mb.roles.some((r) => roles.includes(r)));
}

/** Staff area: drafters, policymakers and admins. */
export const STAFF_AREA_ROLES: readonly Role[] = ['STAFF', 'POLICYMAKER', 'ADMIN'];

export async function requireRole(event: ViewerEvent, roles: readonly Role[]): Promise<Viewer> {
  const viewer = await requireViewer(event);
  if (!hasRoleAnywhere(viewer, roles)) error(403, { message: m.error_forbidden() });
  return viewer;
}
