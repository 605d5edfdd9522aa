// Tables on a phone (issue 21): at 360 px every table sits in its own scroll container that stays inside the page,
// the page itself never scrolls sideways, and no word in a cell is split across lines (Vietnamese syllables such as
// "Cơ quan" used to come out as "Cơ qua n"). The pages are found by following links from each role's home, so a
// table added later is checked too. Every page visited passes axe.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type DemoAccount } from '../support/platform';
import { audit, expectAllAudited, launchBrowser, newReader, PHONE, signIn, visit, type Reader } from './support';

type Platform = Awaited<ReturnType<typeof startPlatform>>;

let platform: Platform;
let browser: Browser;

beforeAll(async () => {
  platform = await startPlatform({ demo: true });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

interface TableReport {
  tables: number;
  unwrapped: number;
  /** Wrappers whose right edge passes the viewport. */
  overflowing: number;
  /** The page's own sideways scroll, in px. */
  pageOverflow: number;
  /** Runs of letters (a syllable or word) whose text lies on more than one line. */
  split: string[];
}

/** Measures every table of the page as laid out now. */
function measureTables(page: Page): Promise<TableReport> {
  return page.evaluate(() => {
    const tables = [...document.querySelectorAll('main table')];
    const split: string[] = [];
    for (const cell of document.querySelectorAll('main th, main td')) {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
        // Hashes and ids are allowed to break anywhere; they are not words.
        if (node.parentElement?.closest('code, pre, .break, svg, .visually-hidden')) continue;
        for (const match of node.data.matchAll(/[\p{L}\p{M}\p{N}]+/gu)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          const lines = new Set(
            [...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top + r.height / 2)),
          );
          if (lines.size > 1) split.push(match[0]);
        }
      }
    }
    const width = document.documentElement.clientWidth;
    return {
      tables: tables.length,
      unwrapped: tables.filter((t) => !t.closest('.table-wrap')).length,
      overflowing: tables
        .map((t) => t.closest('.table-wrap'))
        .filter((w): w is Element => w !== null && w.getBoundingClientRect().right > width + 1).length,
      pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
      split: split.slice(0, 12),
    };
  });
}

/** Same-site pages linked from the current page under the given prefixes (no exports, feeds or files). */
async function linksUnder(page: Page, prefixes: string[]): Promise<string[]> {
  const hrefs = await page.locator('main a[href^="/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
  return hrefs
    .map((h) => h.split('#')[0] ?? h)
    .filter((h) => prefixes.some((p) => h.startsWith(p)))
    .filter(
      (h) =>
        !/\/export\/|\.(atom|ics|csv|xlsx|docx|pdf|png|json)(\?|$)|\/attachments\/|[?&](page|after|cursor)=/.test(h),
    );
}

/** Visits pages breadth-first from `start` at phone width and checks every table met on the way. */
async function crawlTables(reader: Reader, start: string, prefixes: string[], limit: number): Promise<number> {
  const { page } = reader;
  await page.setViewportSize(PHONE);
  const queue = [start];
  const seen = new Set(queue);
  let pages = 0;
  let tables = 0;
  while (queue.length > 0 && pages < limit) {
    const url = queue.shift()!;
    const response = await page.goto(url);
    pages += 1;
    if (!response || response.status() >= 400) continue;
    await audit(reader, 'at 360 px');
    const report = await measureTables(page);
    tables += report.tables;
    expect(report, `tables on ${url} at 360 px`).toEqual({
      tables: report.tables,
      unwrapped: 0,
      overflowing: 0,
      pageOverflow: report.pageOverflow <= 0 ? report.pageOverflow : 0,
      split: [],
    });
    for (const link of await linksUnder(page, prefixes)) {
      if (!seen.has(link)) {
        seen.add(link);
        queue.push(link);
      }
    }
  }
  return tables;
}

describe('tables at 360 px', () => {
  it('scroll inside their container and never split a word, for every role', async () => {
    const roles: [string, string, string[]][] = [
      ['auditor', '/audit', ['/audit']],
      ['admin', '/admin/roles', ['/admin']],
      ['staff', '/staff', ['/staff', '/policies']],
    ];
    let total = 0;
    for (const [role, start, prefixes] of roles) {
      // The district's own staff (no school named) see the most tables: their schools' reports among them.
      const account = (platform.demoAccounts as (DemoAccount & { organization?: string })[]).find(
        (a) => a.roles.includes(role) && (role !== 'staff' || a.organization === undefined),
      );
      expect(account, `a demo ${role}`).toBeDefined();
      const reader = await newReader(browser, platform.baseUrl, { javaScript: false });
      await signIn(reader, account!.email, account!.password);
      total += await crawlTables(reader, start, prefixes, 18);
      expectAllAudited(reader);
      await reader.context.close();
    }
    // The walk met the audit log, the role table, the staff tables, the analysis and the reports at least.
    expect(total).toBeGreaterThanOrEqual(8);
  });

  it('the public digest table scrolls on a phone and keeps its words whole', async () => {
    const reader = await newReader(browser, platform.baseUrl, { javaScript: false });
    await visit(reader, '/');
    const enacted = reader.page.locator('section[aria-labelledby="status-enacted"] .card h3 a').first();
    const href = await enacted.getAttribute('href');
    expect(href).toMatch(/^\/policies\//);
    const tables = await crawlTables(reader, `${href}/digest/1`, ['/policies'], 1);
    expect(tables).toBe(1);
    expectAllAudited(reader);
    await reader.context.close();
  });
});
