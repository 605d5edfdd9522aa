// Time to interactive on a cheap phone (issue 18): the home page and a policy page in consultation, anonymous, loaded
// in Chromium with the CPU slowed 4× (Emulation.setCPUThrottlingRate) and DevTools' "Slow 3G" network profile
// (Network.emulateNetworkConditions: 2,000 ms round trip, 400 kbit/s each way). For each page, several cold loads
// (a fresh profile each, nothing cached); prints the median and worst of:
//   fcp       first contentful paint (the paint timing entry)
//   hydrated  the site's scripts have run and the page answers (the root layout's performance mark 'gopy:hydrated',
//             set on mount with html[data-hydrated])
//   load      the load event
//   cls       cumulative layout shift up to hydration and the network going quiet (layout-shift entries without
//             recent input)
// and the page's JavaScript (tests/support/pageWeight.ts: gzip/brotli of every /_app/ script it requests).
// Numbers are printed and written to tests/bench/results/tti-latest.json, never asserted.
//
//   node --import tsx tests/bench/tti.ts                # 3 loads per page against a fresh demo platform
//   node --import tsx tests/bench/tti.ts --runs=5
//   node --import tsx tests/bench/tti.ts --url=http://127.0.0.1:3000   # a running site (demo data)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { repoRoot, startPlatform, type Platform } from '../support/platform';
import { kb, weighPage } from '../support/pageWeight';

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k!, v ?? 'true'] as const;
  }),
);
const RUNS = Number(args.get('runs') ?? 3);
const CPU_SLOWDOWN = 4;
/** Chrome DevTools' "Slow 3G" preset. */
const SLOW_3G = {
  offline: false,
  latency: 2000,
  downloadThroughput: (400 * 1000) / 8,
  uploadThroughput: (400 * 1000) / 8,
  connectionType: 'cellular3g' as const,
};

interface Sample {
  fcp: number;
  hydrated: number;
  load: number;
  cls: number;
}

/** Collects layout shifts from the very start of the document (before any script of the page runs). */
const OBSERVE = `
  window.__gopyCls = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) window.__gopyCls += e.value;
  }).observe({ type: 'layout-shift', buffered: true });
`;

async function measure(browser: Browser, baseUrl: string, url: string): Promise<Sample> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    locale: 'vi-VN',
    viewport: { width: 360, height: 740 },
  });
  try {
    const page = await context.newPage();
    await page.addInitScript(OBSERVE);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', SLOW_3G);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
    await page.goto(url, { waitUntil: 'load', timeout: 180_000 });
    await page.locator('html[data-hydrated]').waitFor({ state: 'attached', timeout: 180_000 });
    await page.waitForLoadState('networkidle', { timeout: 180_000 });
    return await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      const hydrated = performance.getEntriesByName('gopy:hydrated')[0];
      return {
        fcp: fcp?.startTime ?? NaN,
        hydrated: hydrated?.startTime ?? NaN,
        load: nav.loadEventStart,
        cls: (window as unknown as { __gopyCls: number }).__gopyCls,
      };
    });
  } finally {
    await context.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${(x / 1000).toFixed(2)} s`;

async function firstOpenPolicy(browser: Browser, baseUrl: string): Promise<string> {
  const page = await browser.newPage({ baseURL: baseUrl });
  await page.goto('/');
  const href = await page
    .locator('section[aria-labelledby="status-consultation"] .card h3 a')
    .first()
    .getAttribute('href');
  await page.close();
  if (!href) throw new Error('no policy in consultation on the home page');
  return href;
}

let platform: Platform | undefined;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  const baseUrl = args.get('url') ?? (platform = await startPlatform({ demo: true })).baseUrl;
  const pages = { home: '/', policy: await firstOpenPolicy(browser, baseUrl) };
  const loadBefore = os.loadavg();
  const results: Record<string, unknown> = {};
  console.log(`${RUNS} cold loads per page, CPU ${CPU_SLOWDOWN}× slower, Slow 3G (2,000 ms RTT, 400 kbit/s), 360 px`);
  for (const [name, url] of Object.entries(pages)) {
    const weighing = await browser.newContext({ baseURL: baseUrl });
    const weight = await weighPage(await weighing.newPage(), url);
    await weighing.close();
    const samples: Sample[] = [];
    for (let i = 0; i < RUNS; i++) samples.push(await measure(browser, baseUrl, url));
    const of = (k: keyof Sample) => samples.map((s) => s[k]);
    const summary = {
      url,
      fcpMs: { median: median(of('fcp')), max: Math.max(...of('fcp')) },
      hydratedMs: { median: median(of('hydrated')), max: Math.max(...of('hydrated')) },
      loadMs: { median: median(of('load')), max: Math.max(...of('load')) },
      cls: { median: median(of('cls')), max: Math.max(...of('cls')) },
      js: { scripts: weight.scripts.length, gzipBytes: weight.gzip, brotliBytes: weight.brotli, rawBytes: weight.raw },
      samples,
    };
    results[name] = summary;
    console.log(
      `${name.padEnd(7)} FCP ${ms(summary.fcpMs.median)} (worst ${ms(summary.fcpMs.max)}) · hydrated ${ms(summary.hydratedMs.median)} (worst ${ms(summary.hydratedMs.max)}) · load ${ms(summary.loadMs.median)} · CLS ${summary.cls.max.toFixed(3)} · JS ${weight.scripts.length} files, ${kb(weight.gzip)} KB gzip / ${kb(weight.brotli)} KB brotli / ${kb(weight.raw)} KB raw`,
    );
  }
  const run = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadBefore, loadAfter: os.loadavg() },
    profile: { cpuSlowdown: CPU_SLOWDOWN, network: SLOW_3G, viewport: '360x740', runs: RUNS },
    pages: results,
  };
  console.log(
    `load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} → ${run.machine.loadAfter.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const out = path.join(repoRoot, 'tests/bench/results/tti-latest.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(run, null, 2)}\n`);
  console.log(`written ${path.relative(repoRoot, out)}`);
} finally {
  await browser.close();
  await platform?.stop();
}
