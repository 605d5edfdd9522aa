import { describe, expect, it } from 'vitest';
import { sameOriginTarget } from './redirect';

const SITE = 'https://gopy.example.vn';

/** Where a browser goes when it receives this Location from the site. */
const followed = (location: string) => new URL(location, SITE);

describe('sameOriginTarget', () => {
  it('keeps a path of this site with its query and fragment', () => {
    expect(sameOriginTarget('/policies/1?after=abc#comments', SITE)).toBe('/policies/1?after=abc#comments');
    expect(sameOriginTarget('/', SITE)).toBe('/');
    expect(sameOriginTarget(`${SITE}/me/comments?x=1`, SITE)).toBe('/me/comments?x=1');
    expect(sameOriginTarget('/tìm kiếm?q=trường học', SITE)).toBe(
      '/t%C3%ACm%20ki%E1%BA%BFm?q=tr%C6%B0%E1%BB%9Dng%20h%E1%BB%8Dc',
    );
  });

  it('falls back for nothing, or for what is not text', () => {
    for (const target of [undefined, null, '', 42, {}]) expect(sameOriginTarget(target, SITE)).toBe('/');
    expect(sameOriginTarget(null, SITE, '/staff')).toBe('/staff');
  });

  it.each([
    ['tab inside the slashes (the report)', '/\t/evil.example'],
    ['tabs and slashes', '/\t\t//evil.example'],
    ['scheme-relative', '//evil.example'],
    ['three slashes', '///evil.example'],
    ['backslash', '/\\evil.example'],
    ['slash backslash slash', '/\\/evil.example'],
    ['two backslashes', '\\\\evil.example'],
    ['backslash slash', '\\/evil.example'],
    ['leading space', ' //evil.example'],
    ['leading tab', '\t//evil.example'],
    ['newline between the slashes', '/\n/evil.example'],
    ['carriage return between the slashes', '/\r/evil.example'],
    ['absolute URL', 'https://evil.example/'],
    ['upper-case scheme', 'HTTPS://evil.example'],
    ['another scheme', 'ftp://evil.example/'],
    ['same host, another scheme', 'http://gopy.example.vn/'],
    ['same host, another port', 'https://gopy.example.vn:8443/'],
    ['user info', 'https://gopy.example.vn@evil.example/'],
    ['javascript:', 'javascript:alert(document.cookie)'],
    ['javascript: in mixed case', 'JaVaScRiPt:alert(1)'],
    ['javascript: behind a tab', 'java\tscript:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['encoded host letter', '//%65vil.example'],
  ])('falls back for %s', (_what, target) => {
    expect(sameOriginTarget(target, SITE)).toBe('/');
  });

  it.each([
    ['a dot segment before two slashes', '/.//evil.example'],
    ['an encoded dot segment', '/%2e//evil.example'],
    ['a dot segment and a backslash', '/./\\evil.example'],
    ['a parent segment', '/a/..//evil.example'],
    ['encoded slashes', '/%2F%2Fevil.example'],
    ['encoded slashes, no leading slash', '%2F%2Fevil.example'],
    ['encoded backslash', '/%5C%5Cevil.example'],
    ['encoded tab', '/%09/evil.example'],
    ['a bare host name', 'evil.example'],
    ['the same scheme with no slashes', 'https:evil.example'],
    ['CR LF and a header', '/\r\nLocation: https://evil.example'],
    ['LF and a cookie', '/\nSet-Cookie: gopy_session=stolen'],
    ['encoded CR LF', '/%0d%0aSet-Cookie:%20a=b'],
    ['NUL', '/\u0000/evil.example'],
  ])('keeps %s on this site, as a plain path', (_what, target) => {
    const location = sameOriginTarget(target, SITE);
    expect(location).toMatch(/^\/(?![/\\])/);
    // No control character, space or backslash: nothing a browser would drop or read as a slash.
    expect([...location].filter((c) => c <= ' ' || c === '\x7f' || c === '\\')).toEqual([]);
    expect(followed(location).origin).toBe(SITE);
  });

  it('compares with the origin it is given, whatever path that URL has', () => {
    expect(sameOriginTarget('/x', new URL('http://127.0.0.1:3000/sign-in?redirectTo=/x'))).toBe('/x');
    expect(sameOriginTarget('http://127.0.0.1:3000/x', 'http://127.0.0.1:3000')).toBe('/x');
    expect(sameOriginTarget('http://127.0.0.1:3001/x', 'http://127.0.0.1:3000')).toBe('/');
  });
});
