import { text, type Handle, type HandleFetch, type HandleServerError } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { paraglideMiddleware } from '$lib/paraglide/server';
import { m } from '$lib/paraglide/messages';
import { SESSION_COOKIE, isApiRequest } from '$lib/server/api';
import { requestIdOf, serverErrorLine } from '$lib/server/log';

// Paraglide 2's SvelteKit set-up: the middleware picks the locale (cookie, then Accept-Language, then vi) and
// keeps it in AsyncLocalStorage for this request, so getLocale() and every m.*() work in loads and actions.
const i18n: Handle = ({ event, resolve }) =>
  paraglideMiddleware(event.request, ({ request, locale }) => {
    event.request = request;
    return resolve(event, {
      transformPageChunk: ({ html }) => html.replace('%lang%', locale),
    });
  });

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/**
 * CSRF: a form post must come from a page of this host. Compares the Origin header's host with the Host header
 * (the scheme is left out: behind the API's express app the site cannot tell http from https) and refuses
 * what the browser itself marks as cross-site.
 */
const sameOrigin: Handle = ({ event, resolve }) => {
  const { request } = event;
  const type = request.headers.get('content-type')?.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(request.method) && FORM_TYPES.includes(type)) {
    const origin = request.headers.get('origin');
    const host = request.headers.get('host');
    const site = request.headers.get('sec-fetch-site');
    let ok: boolean;
    try {
      ok = origin !== null && host !== null && new URL(origin).host === host;
    } catch {
      ok = false;
    }
    if (!ok || (site !== null && site !== 'same-origin' && site !== 'none')) {
      return text('Cross-site form submissions are forbidden', { status: 403 });
    }
  }
  return resolve(event);
};

const session: Handle = async ({ event, resolve }) => {
  event.locals.token = event.cookies.get(SESSION_COOKIE) ?? null;
  // Passed on to /graphql, so the API's log lines of this page share its request id.
  event.locals.requestId = requestIdOf(event.request.headers);
  const response = await resolve(event);
  // Pages differ per reader (session, language): never let a shared cache keep them.
  if (!response.headers.has('cache-control') && response.headers.get('content-type')?.includes('text/html')) {
    response.headers.set('cache-control', 'private, no-store');
  }
  response.headers.set('x-content-type-options', 'nosniff');
  response.headers.set('referrer-policy', 'same-origin');
  return response;
};

export const handle = sequence(sameOrigin, i18n, session);

// In production the API and the site share one origin. SvelteKit's event.fetch would answer a same-origin URL
// itself (and 404 on /graphql, which express serves), so API calls always leave through the real fetch.
export const handleFetch: HandleFetch = ({ event, request, fetch: kitFetch }) =>
  isApiRequest(event, request.url) ? fetch(request) : kitFetch(request);

export const handleError: HandleServerError = ({ error, event, status }) => {
  if (status === 404) return { message: m.error_page_not_found() };
  const correlationId = crypto.randomUUID();
  console.error(
    serverErrorLine({
      correlationId,
      requestId: requestIdOf(event.request.headers),
      method: event.request.method,
      route: event.route.id,
      status,
      error,
    }),
  );
  return { message: m.error_unexpected(), correlationId };
};
