// The JavaScript budget of the public pages (issue 18): the compressed size of the site's scripts the home page and a
// policy page load, anonymous, against web/js-budget.json. A size, not a timing: the same build gives the same bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startPlatform } from '../support/platform';
import { kb, readJsBudget, weighPage } from '../support/pageWeight';
import { audit, expectAllAudited, launchBrowser, newReader, openPolicyHref } from './support';

type Platform = Awaited<ReturnType<typeof startPlatform>>;

let platform: Platform;
let browser: Browser;

beforeAll(async () => {
  platform = await startPlatform({ demo: true });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

describe('JavaScript budget of the public pages', () => {
  it('keeps the home page and a policy page within web/js-budget.json (gzip)', async () => {
    const budget = readJsBudget();
    const finder = await newReader(browser, platform.baseUrl);
    const { href } = await openPolicyHref(finder);
    const pages = { home: '/', policy: href };
    expect(Object.keys(budget.pages).sort()).toEqual(Object.keys(pages).sort());

    for (const [name, url] of Object.entries(pages)) {
      // A fresh profile each time: nothing cached, every script the page needs is requested.
      const reader = await newReader(browser, platform.baseUrl);
      const weight = await weighPage(reader.page, url);
      await audit(reader);
      const limit = budget.pages[name]!.maxGzipKB * 1000;
      const list = weight.scripts.map((s) => `  ${kb(s.gzip).padStart(6)} KB  ${s.file}`).join('\n');
      console.log(
        `${name} ${url}: ${kb(weight.gzip)} KB gzip, ${kb(weight.brotli)} KB brotli, ${kb(weight.raw)} KB raw`,
      );
      expect(weight.scripts.length, `${name}: no script weighed`).toBeGreaterThan(0);
      expect(weight.gzip, `${name} loads ${kb(weight.gzip)} KB of JavaScript (gzip):\n${list}`).toBeLessThanOrEqual(
        limit,
      );
      expectAllAudited(reader);
    }
    expectAllAudited(finder);
  });
});
