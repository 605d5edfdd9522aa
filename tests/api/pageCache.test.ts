/**
 * The shared cache of public pages (issue 18), over HTTP against the built site in the embedded runtime: a visitor
 * without a session gets a kept page (ETag, 304, Cache-Control for a proxy, Vary); a new comment shows on the cached
 * page right after it was accepted, and leaves other policies' pages kept; a crowd on a page not kept yet makes one
 * render; a signed-in visitor never gets a kept page.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../support/platform';
import {
  ok,
  openPolicy,
  signInAs,
  staffOrganizationId,
  stopPlatform,
  submitComment,
  verifiedParticipant,
  type Client,
  type NewAccount,
  type PolicyView,
} from './support';

let platform: Platform;
let staff: Client;
let participant: NewAccount & { api: Client };
let first: PolicyView;
let second: PolicyView;

beforeAll(async () => {
  platform = await startPlatform();
  staff = await signInAs(platform, 'staff');
  const organizationId = await staffOrganizationId(staff);
  first = await openPolicy(staff, organizationId);
  second = await openPolicy(staff, organizationId);
  participant = await verifiedParticipant(platform);
}, 180_000);

afterAll(async () => {
  await stopPlatform(platform);
});

async function page(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${platform.baseUrl}${path}`, { headers, redirect: 'manual' });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

describe('the public page cache', () => {
  it('keeps an anonymous policy page: a hit with ETag, Cache-Control for a proxy, Vary, and 304 when unchanged', async () => {
    const path = `/policies/${first.id}`;
    const miss = await page(path);
    expect(miss.status).toBe(200);
    expect(miss.headers.get('x-page-cache')).toBe('miss');
    const hit = await page(path);
    expect(hit.status).toBe(200);
    expect(hit.headers.get('x-page-cache')).toBe('hit');
    expect(hit.body).toBe(miss.body);
    const etag = hit.headers.get('etag');
    expect(etag).toMatch(/^W\/".+"$/);
    expect(hit.headers.get('etag')).toBe(miss.headers.get('etag'));
    expect(hit.headers.get('cache-control')).toMatch(/^public, max-age=0, must-revalidate, s-maxage=\d+/);
    expect(hit.headers.get('vary')).toBe('Accept-Encoding, Accept-Language, Cookie');
    const notModified = await page(path, { 'if-none-match': etag! });
    expect(notModified.status).toBe(304);
    expect(notModified.body).toBe('');
    expect(notModified.headers.get('etag')).toBe(etag);
    // Another language is another page.
    const english = await page(path, { 'accept-language': 'en-GB,en;q=0.9' });
    expect(english.headers.get('x-page-cache')).toBe('miss');
    expect(english.body).toContain('<html lang="en"');
    expect(hit.body).toContain('<html lang="vi"');
  });

  it('sends the kept page in brotli or gzip as the client accepts', async () => {
    const path = `/policies/${first.id}`;
    await page(path);
    for (const encoding of ['br', 'gzip']) {
      const res = await fetch(`${platform.baseUrl}${path}`, { headers: { 'accept-encoding': encoding } });
      expect(res.headers.get('content-encoding')).toBe(encoding);
      // fetch decodes it: the page itself arrives.
      expect(await res.text()).toContain(first.id);
    }
  });

  it("shows a new comment on the cached page right after it is accepted, and keeps the other policy's page", async () => {
    const firstPath = `/policies/${first.id}`;
    const secondPath = `/policies/${second.id}`;
    await page(firstPath);
    await page(secondPath);
    expect((await page(firstPath)).headers.get('x-page-cache')).toBe('hit');
    expect((await page(secondPath)).headers.get('x-page-cache')).toBe('hit');
    const body = `Góp ý mới ${randomUUID()}: lịch học thêm cần công khai`;
    ok(await submitComment(participant.api, { policyId: first.id, body, stance: 'SUPPORT' }));
    const after = await page(firstPath);
    expect(after.status).toBe(200);
    expect(after.headers.get('x-page-cache')).toBe('miss');
    expect(after.body).toContain(body);
    expect((await page(firstPath)).headers.get('x-page-cache')).toBe('hit');
    const other = await page(secondPath);
    expect(other.headers.get('x-page-cache')).toBe('hit');
    expect(other.body).not.toContain(body);
  });

  it('renders a page once for a crowd that asks for it at the same time', async () => {
    const path = `/policies/${first.id}?node=whole`;
    const answers = await Promise.all(Array.from({ length: 24 }, () => page(path)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const how = answers.map((a) => a.headers.get('x-page-cache'));
    expect(how.filter((h) => h === 'miss')).toHaveLength(1);
    expect(how.every((h) => h === 'miss' || h === 'shared' || h === 'hit')).toBe(true);
    expect(new Set(answers.map((a) => a.headers.get('etag'))).size).toBe(1);
  });

  it('never answers a signed-in visitor from the cache, nor keeps their page', async () => {
    // The policy they have not commented on: their name shows there only in the header of a page made for them.
    const path = `/policies/${second.id}`;
    await page(path);
    const cookie = `gopy_session=${participant.api.token}`;
    const signedIn = await page(path, { cookie });
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get('x-page-cache')).toBeNull();
    expect(signedIn.headers.get('cache-control')).toBe('private, no-store');
    // Their own name shows (the page was rendered for them), and the anonymous page still does not carry it.
    expect(signedIn.body).toContain(participant.displayName);
    const anonymous = await page(path);
    expect(anonymous.headers.get('x-page-cache')).toBe('hit');
    expect(anonymous.body).not.toContain(participant.displayName);
  });

  it('counts hits and misses in gopy_page_cache_requests_total', async () => {
    const metrics = await (await fetch(`${platform.baseUrl}/metrics`)).text();
    const value = (result: string) =>
      Number(new RegExp(`^gopy_page_cache_requests_total\\{result="${result}"\\} (\\d+)`, 'm').exec(metrics)?.[1]);
    expect(value('hit')).toBeGreaterThan(0);
    expect(value('miss')).toBeGreaterThan(0);
  });
});
