// Shared helpers for the browser suite: Chromium from Debian (/usr/bin/chromium), an axe check after every page,
// screenshots at phone and desktop widths. Tests reach the platform only over HTTP, as a reader would.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCREENSHOT_DIR = path.join(repoRoot, 'test-output/screenshots');

export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 900 };

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface Reader {
  context: BrowserContext;
  page: Page;
  /** Every URL this reader has loaded, and whether axe has checked it. */
  visited: Map<string, boolean>;
  /**
   * axe is a script: in a profile with JavaScript off it cannot run (Chromium drops the page). Such a reader
   * gets a second, scripted page that loads exactly the HTML the reader has (scripts removed) from the same
   * address, so the same styles apply, and axe checks that.
   */
  auditPage: Page | null;
}

/** A fresh browser profile (no cookies), Vietnamese first like most readers, JavaScript on or off. */
export async function newReader(
  browser: Browser,
  baseUrl: string,
  options: { javaScript: boolean; locale?: string } = { javaScript: true },
): Promise<Reader> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    javaScriptEnabled: options.javaScript,
    locale: options.locale ?? 'vi-VN',
    viewport: DESKTOP,
    timezoneId: 'Asia/Ho_Chi_Minh',
  });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  let auditPage: Page | null = null;
  if (!options.javaScript) {
    const auditContext = await browser.newContext({ baseURL: baseUrl, javaScriptEnabled: true, viewport: DESKTOP });
    auditPage = await auditContext.newPage();
    // Closed with its reader; when the whole browser is closing too, it may already be gone: nothing to do then.
    context.on('close', () => void auditContext.close().catch(() => undefined));
  }
  const visited = new Map<string, boolean>();
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) {
      const url = stripHash(frame.url());
      if (!visited.has(url)) visited.set(url, false);
    }
  });
  return { context, page, visited, auditPage };
}

function stripHash(url: string): string {
  const u = new URL(url);
  u.hash = '';
  return u.toString();
}

/**
 * Runs axe on the page as it is now and fails on any serious or critical violation. Called after every page
 * load and after every enhanced form answer, so every page a test visits is checked.
 */
export async function audit(reader: Reader, what = ''): Promise<void> {
  const { page } = reader;
  await page.waitForLoadState('load');
  let target = page;
  if (reader.auditPage) {
    target = reader.auditPage;
    const html = (await page.content()).replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '');
    const url = stripHash(page.url());
    const matches = (u: URL) => stripHash(u.href) === url;
    await target.route(matches, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
    );
    await target.setViewportSize(page.viewportSize() ?? DESKTOP);
    await target.goto(url);
    await target.unroute(matches);
  }
  // Legacy mode runs axe inside the page itself: the same rules, without opening a helper page per check.
  const results = await new AxeBuilder({ page: target }).setLegacyMode(true).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help}\n${v.nodes
          .slice(0, 5)
          .map((n) => `    ${n.target.join(' ')} — ${n.failureSummary?.split('\n').join(' ')}`)
          .join('\n')}`,
    )
    .join('\n');
  expect(report, `axe on ${page.url()} ${what}`).toBe('');
  reader.visited.set(stripHash(page.url()), true);
}

/** Fails when a page was loaded but never checked by axe. */
export function expectAllAudited(reader: Reader): void {
  const missed = [...reader.visited].filter(([, audited]) => !audited).map(([url]) => url);
  expect(missed, 'pages visited without an axe check').toEqual([]);
}

export async function visit(reader: Reader, url: string): Promise<Page> {
  await reader.page.goto(url);
  await audit(reader);
  return reader.page;
}

/**
 * Clicks something that changes the page (a link; a form, posted in full without JavaScript or enhanced with it),
 * waits until `expected` shows (when given) and checks the page as it is then.
 */
export async function clickAndAudit(reader: Reader, target: Locator, expected?: Locator): Promise<void> {
  await target.click();
  await reader.page.waitForLoadState('load');
  if (expected) {
    try {
      await expected.first().waitFor({ state: 'visible' });
    } catch (error) {
      // Say what the page showed instead (a refusal, a field message), so a failure explains itself.
      const shown = await reader.page
        .locator('[role="alert"], .form-error, .field-error, .notice, h1')
        .allInnerTexts()
        .catch(() => [] as string[]);
      throw new Error(
        `${(error as Error).message}\npage ${reader.page.url()} showed: ${JSON.stringify(shown.map((t) => t.trim()).filter(Boolean))}`,
        { cause: error },
      );
    }
  }
  await audit(reader);
}

/** Full-page screenshots at 360 px and 1280 px; also checks that nothing overflows sideways on a phone. */
export async function screenshots(reader: Reader, name: string): Promise<void> {
  const { page } = reader;
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const size of [PHONE, DESKTOP]) {
    await page.setViewportSize(size);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${name} at ${size.width}px scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${size.width}.png`), fullPage: true });
  }
  await page.setViewportSize(DESKTOP);
}

export async function signIn(reader: Reader, email: string, password: string): Promise<void> {
  const { page } = reader;
  await visit(reader, '/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Mật khẩu', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
  // The next page may take a while on a busy machine: wait as long as for any element (expect.poll gives up after 1 s).
  await page
    .getByText(/^Xin chào, /)
    .first()
    .waitFor({ state: 'visible' });
  await audit(reader, 'after sign-in');
}

export async function signOut(reader: Reader): Promise<void> {
  const { page } = reader;
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await expect.poll(() => page.getByRole('link', { name: 'Đăng nhập' }).count()).toBeGreaterThan(0);
  await audit(reader, 'after sign-out');
}

/** The newest mail to an address whose text holds a link to `pathname`, and that link. */
export async function linkFromMail(
  readMails: () => Promise<{ to: string; subject: string; text: string }[]>,
  to: string,
  pathname: string,
): Promise<string> {
  const pattern = new RegExp(
    `https?://[^\\s"'<>]+${pathname.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\?token=[^\\s"'<>]+`,
  );
  let link: string | undefined;
  await expect
    .poll(
      async () => {
        const mails = (await readMails()).filter((m) => m.to.toLowerCase().includes(to.toLowerCase()));
        link = mails
          .map((m) => pattern.exec(m.text)?.[0])
          .filter(Boolean)
          .at(-1);
        return link !== undefined;
      },
      { timeout: 15_000 },
    )
    .toBe(true);
  return link!;
}

/** The link to the first policy in the "Đang lấy ý kiến" section of the home page. */
export async function openPolicyHref(reader: Reader): Promise<{ href: string; title: string }> {
  const { page } = reader;
  await visit(reader, '/');
  const link = page.locator('section[aria-labelledby="status-consultation"] .card h3 a').first();
  const href = await link.getAttribute('href');
  const title = (await link.textContent())?.trim() ?? '';
  expect(href).toMatch(/^\/policies\//);
  return { href: href!, title };
}

/** A fieldset of the draft editor, by the label in its legend ("Điều 2"). */
export function editorNode(page: Page, label: string): Locator {
  return page
    .locator('fieldset.edit-node')
    .filter({ has: page.locator(':scope > legend > .edit-label', { hasText: new RegExp(`^${label}$`) }) });
}

/** A button among a node's own tools (not those of its children). */
export function nodeTool(node: Locator, name: RegExp): Locator {
  return node.locator(':scope > .edit-tools').getByRole('button', { name });
}

export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
}
