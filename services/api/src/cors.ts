/**
 * Cross-origin access to /graphql, decided in one place: yoga's CORS plugin asks this policy for every request. Only
 * the origins listed in GOPY_CORS_ORIGINS get CORS headers (with credentials, the site's CSRF header allowed); any
 * other origin gets none, so a browser neither lets its page read the answer nor passes its preflight. The site itself
 * needs none: it calls /graphql from its server, and a reader's browser only ever talks to the site's own origin.
 */
type CorsAnswer =
  | {
      origin: string;
      credentials: boolean;
      methods: string[];
      allowedHeaders: string[];
      maxAge: number;
    }
  | false;

export function corsPolicy(allowedOrigins: readonly string[]): (request: Request) => CorsAnswer {
  const allowed = new Set(allowedOrigins);
  return (request) => {
    const origin = request.headers.get('origin');
    if (origin === null || !allowed.has(origin)) return false;
    return {
      origin,
      credentials: true,
      methods: ['GET', 'POST'],
      allowedHeaders: ['accept', 'accept-language', 'authorization', 'content-type', 'x-gopy-csrf'],
      maxAge: 600,
    };
  };
}
