// A school issues accounts from a class list without JavaScript, records a guardian's consent, and the pupil signs in
// for the first time with the printed code; the pupil can then comment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startPlatform } from '../support/platform';
import {
  clickAndAudit,
  expectAllAudited,
  launchBrowser,
  newReader,
  openPolicyHref,
  screenshots,
  signIn,
  signOut,
  visit,
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

describe("pupils' accounts", () => {
  it('a school issues a class list, records consent, and the pupil signs in with the code', async () => {
    const reader = await newReader(browser, platform.baseUrl, { javaScript: false });
    const { page } = reader;
    const staff = platform.demoAccounts.find(
      (a) => (a as { organization?: string }).organization === 'Trường Tiểu học Kim Đồng',
    )!;
    await signIn(reader, staff.email, staff.password);
    await visit(reader, '/staff');
    await clickAndAudit(
      reader,
      page.getByRole('link', { name: 'Tài khoản học sinh' }),
      page.getByRole('heading', { name: 'Tài khoản học sinh', level: 1 }),
    );
    const year = new Date().getFullYear();
    await page.getByLabel('Lớp', { exact: true }).fill('3B');
    await page.getByLabel('Danh sách học sinh').fill(`Phạm Gia Hân, ${year - 6}\nĐỗ Quốc Việt; ${year - 8}`);
    await clickAndAudit(reader, page.getByRole('button', { name: 'Cấp tài khoản' }), page.getByTestId('issued-codes'));
    await screenshots(reader, 'pupils-issued');
    const rows = page.getByTestId('issued-codes').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const first = rows.filter({ hasText: 'Phạm Gia Hân' });
    const signInName = (await first.locator('td').nth(0).textContent())!.trim();
    const code = (await first.locator('td').nth(1).textContent())!.trim();
    expect(signInName).toMatch(/^hs\.3b\.01[0-9a-f]{6}$/);

    // The six-year-old needs only a guardian's consent.
    const han = page.getByTestId('pupil').filter({ hasText: 'Phạm Gia Hân' });
    expect(await han.textContent()).toContain('Chưa đủ sự đồng ý');
    await han.getByLabel('Họ tên cha mẹ hoặc người giám hộ').fill('Phạm Văn Long');
    await han.getByLabel('Quan hệ với học sinh').selectOption('FATHER');
    await clickAndAudit(
      reader,
      han.getByRole('button', { name: 'Ghi nhận sự đồng ý của cha mẹ/người giám hộ' }),
      page.getByText('Đã ghi nhận sự đồng ý.'),
    );
    await expect
      .poll(async () => page.getByTestId('pupil').filter({ hasText: 'Phạm Gia Hân' }).textContent())
      .toContain('Đã có đủ sự đồng ý');
    await signOut(reader);

    // The pupil's first sign-in, then a comment.
    await visit(reader, '/sign-in');
    await clickAndAudit(
      reader,
      page.getByRole('link', { name: 'Học sinh đăng nhập lần đầu bằng mã' }),
      page.getByRole('heading', { name: 'Đăng nhập lần đầu bằng mã' }),
    );
    await page.getByLabel('Tên đăng nhập').fill(signInName);
    await page.getByLabel('Mã dùng một lần').fill(code);
    await page.getByLabel('Mật khẩu mới').fill('mật khẩu của Hân 2026');
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Đăng nhập' }),
      page.getByText('Xin chào, Phạm Gia Hân'),
    );
    const { href } = await openPolicyHref(reader);
    await visit(reader, href);
    const details = page
      .locator('details.node-comment')
      .filter({ has: page.locator('summary', { hasText: /^Góp ý về Điều 2$/ }) });
    await details.locator('summary').click();
    const body = 'Em mong trường có thêm sân chơi có mái che.';
    await details.getByLabel('Nội dung góp ý').fill(body);
    await details.getByLabel('Đề xuất', { exact: true }).check();
    const comment = page.locator('#comments .comment').filter({ hasText: body });
    await clickAndAudit(reader, details.getByRole('button', { name: 'Gửi góp ý' }), comment);
    await expect.poll(() => comment.count()).toBe(1);
    await screenshots(reader, 'pupil-policy');
    expectAllAudited(reader);
    await reader.context.close();
  });
});
