// Feeds and notices through the site: the home page and a policy page announce their Atom feeds with
// <link rel="alternate"> and show them as links (read without JavaScript); the policy page links the open round's
// notice; staff download the notice PDF from the staff policy page, and its QR code, read from the rendered page with
// jsQR, opens the policy page. Every page visited passes axe.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jsQR from 'jsqr';
import type { Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform } from '../support/platform';
import { expectAllAudited, launchBrowser, newReader, openPolicyHref, screenshots, signIn, visit } from './support';

type Platform = Awaited<ReturnType<typeof startPlatform>>;

let platform: Platform;
let browser: Browser;
let work: string;

beforeAll(async () => {
  platform = await startPlatform({ demo: true });
  browser = await launchBrowser();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-notice-browser-'));
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** The feeds a page announces in its head: [href, title]. */
async function alternates(page: import('playwright-core').Page): Promise<[string, string][]> {
  return page
    .locator('head link[rel="alternate"][type="application/atom+xml"]')
    .evaluateAll((links) =>
      links.map((l) => [l.getAttribute('href') ?? '', l.getAttribute('title') ?? ''] as [string, string]),
    );
}

describe('feeds and notices on the site', () => {
  let policyHref = '';

  it('the home page and a policy page announce their feeds and link the open round notice', async () => {
    const reader = await newReader(browser, platform.baseUrl, { javaScript: false });
    const { page } = reader;
    const { href } = await openPolicyHref(reader);
    policyHref = href;
    expect(await alternates(page)).toEqual([['/feed.atom', 'Góp ý — các đợt lấy ý kiến (Atom)']]);
    expect(await page.getByRole('link', { name: 'Nguồn tin Atom các đợt lấy ý kiến' }).getAttribute('href')).toBe(
      '/feed.atom',
    );
    expect(await page.getByRole('link', { name: 'Lịch hạn góp ý (iCalendar)' }).getAttribute('href')).toBe(
      '/calendar.ics',
    );
    const home = await page.request.get('/feed.atom');
    expect(home.status()).toBe(200);
    expect(home.headers()['content-type']).toBe('application/atom+xml; charset=utf-8');

    await visit(reader, href);
    const policyId = href.split('/').pop()!;
    const feeds = await alternates(page);
    expect(feeds.map(([h]) => h)).toEqual([
      `/policies/${policyId}/feed.atom`,
      expect.stringMatching(/^\/organizations\/[0-9a-f-]{36}\/feed\.atom$/),
    ]);
    for (const [feed] of feeds) {
      const res = await page.request.get(feed);
      expect(res.status(), feed).toBe(200);
      expect(await res.text()).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    }
    await expect.poll(() => page.getByRole('link', { name: 'Nguồn tin Atom của dự thảo này' }).count()).toBe(1);
    const notice = page.locator('.notice-links');
    expect(await notice.getByRole('link', { name: 'Bản in A4 (PDF)' }).getAttribute('href')).toBe(
      `/export/policies/${policyId}/rounds/1/notice.pdf`,
    );
    expect(await notice.getByRole('link', { name: 'Ảnh vuông (PNG)' }).getAttribute('href')).toBe(
      `/export/policies/${policyId}/rounds/1/notice.png`,
    );
    await screenshots(reader, 'policy-feeds');
    expectAllAudited(reader);
    await reader.context.close();
  });

  it('staff download the notice PDF from the staff policy page; its QR code opens the policy page', async () => {
    const staff = platform.demoAccounts.find((a) => a.roles.includes('staff'))!;
    const reader = await newReader(browser, platform.baseUrl, { javaScript: true });
    const { page } = reader;
    await signIn(reader, staff.email, staff.password);
    const policyId = policyHref.split('/').pop()!;
    await visit(reader, `/staff/policies/${policyId}`);
    await expect.poll(() => page.getByRole('columnheader', { name: 'Thông báo lấy ý kiến' }).count()).toBe(1);
    await screenshots(reader, 'staff-policy-notice');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'PDF (đợt 1)', exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^thong-bao-lay-y-kien-[0-9a-f]{8}-dot-1\.pdf$/);
    const pdf = path.join(work, 'notice.pdf');
    await download.saveAs(pdf);
    execFileSync('pdftoppm', ['-png', '-r', '150', '-singlefile', pdf, path.join(work, 'notice')]);
    const image = PNG.sync.read(fs.readFileSync(path.join(work, 'notice.png')));
    const qr = jsQR(
      new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length),
      image.width,
      image.height,
    );
    expect(qr?.data).toBe(`${platform.baseUrl}${policyHref}`);
    expectAllAudited(reader);
    await reader.context.close();
  });
});
