// Trust signals on every page (issue 21): the header names the agency that runs the portal, the footer gives its
// contact and address and links the privacy notice written for Nghị định 13/2023/NĐ-CP, the terms, the comment and
// moderation rules and the accessibility statement. Checked without JavaScript, signed out and signed in as staff
// and as an auditor, in Vietnamese and English; every page visited passes axe.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform } from '../support/platform';
import {
  expectAllAudited,
  launchBrowser,
  newReader,
  openPolicyHref,
  screenshots,
  signIn,
  visit,
  type Reader,
} from './support';

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

const AGENCY = 'Phòng Giáo dục và Đào tạo huyện Hoà Bình';

/** The footer of the page as it is now: the agency, its contact, and the links every page must carry. */
async function expectTrustFooter(reader: Reader, where: string): Promise<void> {
  const footer = reader.page.locator('footer.site-footer');
  expect(await footer.getByText(AGENCY, { exact: true }).count(), `agency in the footer of ${where}`).toBe(1);
  expect(await footer.getByRole('link', { name: 'lienhe@pgd-hoabinh.example' }).getAttribute('href')).toBe(
    'mailto:lienhe@pgd-hoabinh.example',
  );
  const links = footer.getByRole('navigation', { name: 'Thông tin về cổng' }).getByRole('link');
  expect(await links.evaluateAll((as) => as.map((a) => [a.textContent?.trim(), a.getAttribute('href')]))).toEqual([
    ['Thông báo xử lý dữ liệu cá nhân', '/privacy'],
    ['Điều khoản sử dụng', '/terms'],
    ['Quy tắc góp ý và kiểm duyệt', '/moderation-rules'],
    ['Tuyên bố về khả năng tiếp cận', '/accessibility'],
    ['Theo dõi qua Atom', '/feed.atom'],
  ]);
  expect(await reader.page.locator('header .brand-operator').textContent(), `agency in the header of ${where}`).toBe(
    AGENCY,
  );
}

describe('trust signals', () => {
  it('every page names the agency and links the privacy notice, which says what ND 13/2023 asks', async () => {
    const reader = await newReader(browser, platform.baseUrl, { javaScript: false });
    const { page } = reader;
    const { href } = await openPolicyHref(reader);
    await expectTrustFooter(reader, 'the home page');
    for (const path of [href, '/sign-in', '/sign-up', '/forgot-password']) {
      await visit(reader, path);
      await expectTrustFooter(reader, path);
    }

    await page.locator('footer').getByRole('link', { name: 'Thông báo xử lý dữ liệu cá nhân' }).click();
    await visit(reader, page.url());
    expect(new URL(page.url()).pathname).toBe('/privacy');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Thông báo xử lý dữ liệu cá nhân');
    const headings = await page.getByRole('heading', { level: 2 }).allTextContents();
    expect(headings).toEqual([
      '1. Ai xử lý dữ liệu của bạn',
      '2. Dữ liệu nào được thu thập',
      '3. Mục đích xử lý',
      '4. Cách xử lý và bảo vệ',
      '5. Thời gian xử lý',
      '6. Rủi ro có thể xảy ra',
      '7. Quyền của bạn và cách thực hiện',
      '8. Dữ liệu của trẻ em',
    ]);
    expect(await page.getByText('Nghị định 13/2023/NĐ-CP').count()).toBeGreaterThan(0);
    // Each right says where to use it: the data download and the erasure both on "my data".
    expect(await page.getByRole('link', { name: 'Dữ liệu của tôi' }).evaluateAll((as) => as.length)).toBe(2);
    expect(await page.getByRole('link', { name: 'dulieucanhan@pgd-hoabinh.example' }).count()).toBe(1);
    await screenshots(reader, 'privacy-notice');

    for (const [path, title] of [
      ['/terms', 'Điều khoản sử dụng'],
      ['/moderation-rules', 'Quy tắc góp ý và kiểm duyệt'],
      ['/accessibility', 'Tuyên bố về khả năng tiếp cận'],
    ] as const) {
      await visit(reader, path);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(title);
      await expectTrustFooter(reader, path);
    }
    expectAllAudited(reader);
    await reader.context.close();
  });

  it('staff and auditors see the same footer in their areas, and the notice reads in English', async () => {
    for (const role of ['staff', 'auditor']) {
      const account = platform.demoAccounts.find((a) => a.roles.includes(role));
      expect(account, `a demo ${role}`).toBeDefined();
      const reader = await newReader(browser, platform.baseUrl, { javaScript: true });
      await signIn(reader, account!.email, account!.password);
      await visit(reader, role === 'staff' ? '/staff' : '/audit');
      await expectTrustFooter(reader, `the ${role} area`);
      expectAllAudited(reader);
      await reader.context.close();
    }

    const english = await newReader(browser, platform.baseUrl, { javaScript: false, locale: 'en-GB' });
    await visit(english, '/');
    await english.page.getByRole('button', { name: 'English' }).click();
    await visit(english, '/privacy');
    expect(await english.page.getByRole('heading', { level: 1 }).textContent()).toBe('Privacy notice');
    expect(await english.page.getByText('Decree 13/2023/NĐ-CP').count()).toBeGreaterThan(0);
    expect(await english.page.locator('footer .footer-operator-name').textContent()).toBe(
      'Hoà Bình District Office of Education and Training',
    );
    expectAllAudited(english);
    await english.context.close();
  });
});
