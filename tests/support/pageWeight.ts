// What a page costs a phone in JavaScript: the site's scripts (/_app/…/*.js) the page requests while it loads and
// hydrates, each measured compressed as a server or CDN would send it (gzip and brotli at their default levels), so the
// figure does not depend on whether the server in front compresses. Used by the budget test
// (tests/browser/jsBudget.test.ts) and printed by the time-to-interactive measurement (tests/bench/tti.ts).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Page, Response } from 'playwright-core';
import { repoRoot } from './platform';

export interface ScriptWeight {
  file: string;
  raw: number;
  gzip: number;
  brotli: number;
}

export interface PageWeight {
  url: string;
  scripts: ScriptWeight[];
  raw: number;
  gzip: number;
  brotli: number;
}

/** The budget file: the most compressed (gzip) JavaScript each public page may load, in KB (1,000 bytes). */
export interface JsBudget {
  /** Where the budget should get to, when it is not there yet. */
  aim?: string;
  pages: Record<string, { description: string; maxGzipKB: number }>;
}

export function readJsBudget(): JsBudget {
  return JSON.parse(fs.readFileSync(path.join(repoRoot, 'web/js-budget.json'), 'utf8')) as JsBudget;
}

const isSiteScript = (url: string) => {
  const { pathname } = new URL(url);
  return pathname.startsWith('/_app/') && pathname.endsWith('.js');
};

/**
 * Loads `url` in `page` (a fresh context: nothing cached) and waits until it is hydrated (html[data-hydrated]) and the
 * network is quiet, then weighs every script of the site it requested.
 */
export async function weighPage(page: Page, url: string): Promise<PageWeight> {
  const bodies: Promise<ScriptWeight>[] = [];
  const seen = new Set<string>();
  const onResponse = (response: Response) => {
    const address = response.url();
    if (!isSiteScript(address) || seen.has(address)) return;
    seen.add(address);
    bodies.push(
      response.body().then((body) => ({
        file: new URL(address).pathname,
        raw: body.length,
        gzip: zlib.gzipSync(body).length,
        brotli: zlib.brotliCompressSync(body).length,
      })),
    );
  };
  page.on('response', onResponse);
  try {
    await page.goto(url, { waitUntil: 'networkidle' });
    await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  } finally {
    page.off('response', onResponse);
  }
  const scripts = (await Promise.all(bodies)).sort((a, b) => b.gzip - a.gzip);
  const sum = (key: 'raw' | 'gzip' | 'brotli') => scripts.reduce((total, s) => total + s[key], 0);
  return { url, scripts, raw: sum('raw'), gzip: sum('gzip'), brotli: sum('brotli') };
}

export const kb = (bytes: number) => (bytes / 1000).toFixed(1);
