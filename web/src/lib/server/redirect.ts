// Where the site may send a reader after a form or a link that names the way back (sign-in, the language switch).
// Pure, with no SvelteKit import, so its unit test runs without the framework.

/**
 * A redirect target taken from input, kept on this site: it is parsed as a URL against the site's origin, exactly as
 * a browser would read it (a browser drops tabs and newlines inside a URL and reads a backslash as a slash, so
 * "/\t/evil.example" means "//evil.example"), and only a URL of the same origin is followed, as its path, query and
 * fragment. Anything else, or anything that does not parse, gives `fallback`. The answer is the parser's own
 * serialisation, so it never holds a character that a Location header refuses (CR, LF) or a browser would drop.
 */
export function sameOriginTarget(target: unknown, siteOrigin: string | URL, fallback = '/'): string {
  if (typeof target !== 'string' || target === '') return fallback;
  let base: URL;
  let url: URL;
  try {
    base = new URL(siteOrigin);
    url = new URL(target, base.origin);
  } catch {
    return fallback;
  }
  if (url.origin !== base.origin || base.origin === 'null') return fallback;
  // A path that begins with two slashes ("/.//evil.example" resolves to "//evil.example") would be read as another
  // host when sent on its own: one slash is enough.
  const path = url.pathname.replace(/^\/{2,}/, '/');
  return `${path}${url.search}${url.hash}`;
}
