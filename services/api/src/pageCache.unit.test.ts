import { describe, expect, it } from 'vitest';
import { encodingFor, localeOf } from './pageCache';

describe('the language a kept page is keyed by (as paraglide chooses it)', () => {
  it('takes the cookie when it names a language of the site', () => {
    expect(localeOf('en', 'vi')).toBe('en');
    expect(localeOf('vi', 'en-US')).toBe('vi');
  });
  it('else the first Accept-Language by weight the site has, regions dropped, else Vietnamese', () => {
    expect(localeOf('fr', 'en-GB,en;q=0.9')).toBe('en');
    expect(localeOf(undefined, 'fr;q=1, vi;q=0.5, en;q=0.8')).toBe('en');
    expect(localeOf(undefined, 'de, en;q=0')).toBe('vi');
    expect(localeOf(undefined, undefined)).toBe('vi');
  });
});

describe('the encoding a kept page is sent in', () => {
  it('prefers brotli, then gzip, and honours q=0', () => {
    expect(encodingFor('gzip, deflate, br')).toBe('br');
    expect(encodingFor('gzip, br;q=0')).toBe('gzip');
    expect(encodingFor('*')).toBe('gzip');
    expect(encodingFor(undefined)).toBe('identity');
    expect(encodingFor('identity')).toBe('identity');
  });
});
