// Screenshots for the README and docs/: the pages people use most, at 360 px (a cheap phone) and 1280 px, taken from
// the demo platform as its users see them (Vietnamese, JavaScript on). Run with `npm run docs:screenshots` after a
// build; the PNGs land in docs/screenshots/ and are committed, so the README shows the site as it is.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { repoRoot, startPlatform } from '../support/platform';

const OUT = path.join(repoRoot, 'docs/screenshots');
const SIZES = [
  { width: 360, height: 740 },
  { width: 1280, height: 900 },
];

async function shoot(page: Page, name: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.waitForLoadState('networkidle');
    const file = path.join(OUT, `${name}-${size.width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(path.relative(repoRoot, file));
  }
}

async function main(): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  const platform = await startPlatform({ demo: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const context = await browser.newContext({
      baseURL: platform.baseUrl,
      locale: 'vi-VN',
      timezoneId: 'Asia/Ho_Chi_Minh',
    });
    const page = await context.newPage();
    await page.goto('/');
    await shoot(page, 'home');

    const open = page.locator('section[aria-labelledby="status-consultation"] .card h3 a').first();
    const policyHref = (await open.getAttribute('href')) ?? '';
    await page.goto(policyHref);
    await shoot(page, 'policy');

    await page.goto('/');
    const enactedHref =
      (await page.locator('section[aria-labelledby="status-enacted"] .card h3 a').first().getAttribute('href')) ?? '';
    await page.goto(`${enactedHref}/digest/1`);
    await shoot(page, 'digest');

    // Staff of the district: the semester report of their office, and the draft editor of the policy in drafting.
    const staff = platform.demoAccounts.find((a) => a.email === 'staff@demo.gopy.vn');
    if (!staff) throw new Error('the demo has no staff@demo.gopy.vn account');
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(staff.email);
    await page.getByLabel('Mật khẩu', { exact: true }).fill(staff.password);
    await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
    await page.goto('/staff');
    const report = page.locator('main a[href^="/staff/reports/"]').first();
    await page.goto((await report.getAttribute('href')) ?? '/staff');
    await shoot(page, 'report');

    await page.goto('/');
    const drafting = page.locator('section[aria-labelledby="status-drafting"] .card h3 a').first();
    const draftingHref = (await drafting.getAttribute('href')) ?? '';
    await page.goto(`/staff${draftingHref}/draft`);
    await shoot(page, 'editor');
  } finally {
    await browser.close();
    await platform.stop();
  }
}

await main();
