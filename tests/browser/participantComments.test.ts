// A participant signs up, confirms the email from the mail, signs in and comments on article 2 with JavaScript off;
// another does the same with JavaScript on (enhanced forms, no full reload); both comments show on the policy page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startPlatform } from '../support/platform';
import {
  audit,
  clickAndAudit,
  expectAllAudited,
  launchBrowser,
  linkFromMail,
  newReader,
  openPolicyHref,
  screenshots,
  uniqueSuffix,
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

async function signUpAndVerify(
  reader: Reader,
  person: { email: string; password: string; name: string; category: string },
) {
  const { page } = reader;
  await visit(reader, '/sign-up');
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Mật khẩu', { exact: true }).fill(person.password);
  await page.getByLabel('Họ và tên').fill(person.name);
  await page.getByLabel('Bạn là').selectOption({ label: person.category });
  await clickAndAudit(
    reader,
    page.getByRole('button', { name: 'Đăng ký', exact: true }),
    page.getByText(`Hãy kiểm tra hộp thư ${person.email}: chúng tôi đã gửi một thư tới địa chỉ này.`),
  );

  const link = await linkFromMail(platform.readMails, person.email, '/verify-email');
  const url = new URL(link);
  await visit(reader, url.pathname + url.search);
  await clickAndAudit(
    reader,
    page.getByRole('button', { name: 'Xác nhận email' }),
    page.getByText('Email đã được xác nhận. Bạn có thể đăng nhập.'),
  );

  await visit(reader, '/sign-in');
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Mật khẩu', { exact: true }).fill(person.password);
  await clickAndAudit(
    reader,
    page.getByRole('button', { name: 'Đăng nhập', exact: true }),
    page.getByText(`Xin chào, ${person.name}`),
  );
}

async function commentOnArticle2(reader: Reader, policyHref: string, body: string, stance: string) {
  const { page } = reader;
  await visit(reader, policyHref);
  const details = page
    .locator('details.node-comment')
    .filter({ has: page.locator('summary', { hasText: /^Góp ý về Điều 2$/ }) });
  await expect.poll(() => details.count()).toBe(1);
  await details.locator('summary').click();
  await details.getByLabel('Nội dung góp ý').fill(body);
  await details.getByLabel(stance, { exact: true }).check();
  const comment = page.locator('#comments .comment').filter({ hasText: body });
  await clickAndAudit(reader, details.getByRole('button', { name: 'Gửi góp ý' }), comment);
  await expect.poll(() => page.getByText('Cảm ơn bạn. Góp ý đã được ghi nhận.').count()).toBe(1);
  await expect.poll(() => comment.count()).toBe(1);
  await expect.poll(() => comment.getByRole('link', { name: 'Điều 2' }).count()).toBe(1);
}

describe('participants comment on article 2', () => {
  it('works with JavaScript off and on, and both comments show', async () => {
    const suffix = uniqueSuffix();
    const noJsBody = `Đề nghị nêu rõ thời hạn công khai kết quả thu, chi (không JavaScript ${suffix}).`;
    const jsBody = `Tôi ủng hộ nguyên tắc thỏa thuận công khai trước khi thu (có JavaScript ${suffix}).`;

    // Anonymous reader: the main public pages, checked and photographed.
    const anonymous = await newReader(browser, platform.baseUrl, { javaScript: false });
    const { href: policyHref } = await openPolicyHref(anonymous);
    await screenshots(anonymous, 'home');
    await visit(anonymous, policyHref);
    expect(await anonymous.page.locator('.banner-open').count()).toBe(1);
    await visit(anonymous, '/sign-in');
    await screenshots(anonymous, 'sign-in');
    await visit(anonymous, '/sign-up');
    await screenshots(anonymous, 'sign-up');

    // 1. JavaScript off: every step is a plain form post.
    const offline = await newReader(browser, platform.baseUrl, { javaScript: false });
    await signUpAndVerify(offline, {
      email: `phu-huynh-${suffix}@example.vn`,
      password: `Mật-khẩu-dài-${suffix}!`,
      name: 'Nguyễn Thị Hồng',
      category: 'Cha mẹ học sinh',
    });
    await commentOnArticle2(offline, policyHref, noJsBody, 'Đề xuất');
    await visit(offline, '/me/comments');
    expect(await offline.page.getByText(noJsBody).count()).toBe(1);

    // The language switch is a plain form too: English, then back to Vietnamese, on the same page.
    await visit(offline, policyHref);
    await clickAndAudit(
      offline,
      offline.page.getByRole('button', { name: 'English' }),
      offline.page.locator('html[lang="en"]'),
    );
    expect(await offline.page.locator('html').getAttribute('lang')).toBe('en');
    expect(new URL(offline.page.url()).pathname).toBe(policyHref);
    expect(await offline.page.getByRole('heading', { name: /^Comments \(/ }).count()).toBe(1);
    await clickAndAudit(
      offline,
      offline.page.getByRole('button', { name: 'Tiếng Việt' }),
      offline.page.locator('html[lang="vi"]'),
    );
    expect(await offline.page.locator('html').getAttribute('lang')).toBe('vi');

    // 2. JavaScript on: the same forms, enhanced: the comment appears without a full page load.
    const online = await newReader(browser, platform.baseUrl, { javaScript: true });
    await signUpAndVerify(online, {
      email: `giao-vien-${suffix}@example.vn`,
      password: `Mật-khẩu-khác-${suffix}!`,
      name: 'Trần Văn Bình',
      category: 'Giáo viên',
    });
    // Someone else has the policy page open: the live stream brings the new comment in without a reload.
    const watcher = await newReader(browser, platform.baseUrl, { javaScript: true });
    await visit(watcher, policyHref);
    await watcher.page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    await commentOnArticle2(online, policyHref, jsBody, 'Đồng ý');
    await expect
      .poll(() => watcher.page.locator('#comments .comment').filter({ hasText: jsBody }).count(), { timeout: 20_000 })
      .toBe(1);
    expect(await watcher.page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(
      true,
    );
    await audit(watcher, 'after a live update');
    // Mark this document, comment once more on the whole draft, and check the mark survived (no page load).
    await online.page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    const again = `Bổ sung: cần công khai cả trên bảng tin của lớp (${suffix}).`;
    const whole = online.page.locator('#comment-whole');
    await whole.getByLabel('Nội dung góp ý').fill(again);
    await whole.getByLabel('Trung lập', { exact: true }).check();
    await clickAndAudit(
      online,
      whole.getByRole('button', { name: 'Gửi góp ý' }),
      online.page.locator('#comments .comment').filter({ hasText: again }),
    );
    expect(await online.page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(
      true,
    );

    // 3. Both comments on article 2 show to anyone, also when filtered to that article.
    await visit(anonymous, policyHref);
    for (const body of [noJsBody, jsBody]) {
      expect(await anonymous.page.locator('#comments .comment').filter({ hasText: body }).count()).toBe(1);
    }
    await screenshots(anonymous, 'policy');
    await anonymous.page.getByLabel('Xem góp ý về').selectOption({ label: 'Điều 2: Nguyên tắc thu, chi' });
    await clickAndAudit(anonymous, anonymous.page.getByRole('button', { name: 'Lọc' }));
    for (const body of [noJsBody, jsBody]) {
      expect(await anonymous.page.locator('#comments .comment').filter({ hasText: body }).count()).toBe(1);
    }
    expect(await anonymous.page.locator('#comments .comment').filter({ hasText: again }).count()).toBe(0);

    for (const reader of [anonymous, offline, online, watcher]) {
      expectAllAudited(reader);
      await reader.context.close();
    }
  }, 600_000);
});
