// On a cheap phone the page shows long before its JavaScript has run. Whatever a reader types in that time must
// survive hydration and be what the form sends: the comment form (whole draft and a node's), the reply form,
// sign-up, sign-in, the offline feedback form and the draft editor. Each case holds every script of the site
// (/_app/) until the typing is done, checks the page is not hydrated yet, lets the scripts run, waits for the
// layout's hydration mark (html[data-hydrated]) and checks the text is still there and is what gets submitted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, Route } from 'playwright-core';
import { startPlatform } from '../support/platform';
import {
  draftedPolicy,
  ok,
  openPolicy,
  signIn as apiSignIn,
  signInAs,
  staffOrganizationId,
  submitComment,
} from '../api/support';
import {
  audit,
  clickAndAudit,
  editorNode,
  expectAllAudited,
  launchBrowser,
  newReader,
  screenshots,
  signIn,
  uniqueSuffix,
  type Reader,
} from './support';

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

const account = (email: string) => platform.demoAccounts.find((a) => a.email === email)!;
/** The site's scripts (its styles are let through: the page is meant to show, only not to run yet). */
const SCRIPTS = (url: URL) => url.pathname.startsWith('/_app/') && url.pathname.endsWith('.js');

/**
 * Loads `url` with the site's scripts held back, runs `type` on the server-rendered page, then lets the scripts
 * run and waits until the page is hydrated.
 */
async function typeBeforeHydration(reader: Reader, url: string, type: (page: Page) => Promise<void>): Promise<void> {
  const { page } = reader;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const hold = async (route: Route) => {
    await held;
    await route.continue();
  };
  await page.route(SCRIPTS, hold);
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  expect(await page.locator('html[data-hydrated]').count(), 'hydrated before the scripts were let through').toBe(0);
  await type(page);
  expect(await page.locator('html[data-hydrated]').count(), 'hydrated while typing').toBe(0);
  release();
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  await page.unroute(SCRIPTS, hold);
  await audit(reader, 'after hydration');
}

describe('what a reader types before the page is hydrated', () => {
  it('survives hydration in sign-up and sign-in, and signing in with both fields filled works', async () => {
    const suffix = uniqueSuffix();
    const reader = await newReader(browser, platform.baseUrl);
    const email = `phuhuynh.${suffix}@example.vn`;
    await typeBeforeHydration(reader, '/sign-up', async (page) => {
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Mật khẩu', { exact: true }).fill('mat-khau-rat-dai-2026');
      await page.getByLabel('Họ và tên').fill('Nguyễn Thị Hương');
      await page.getByLabel('Bạn là').selectOption({ label: 'Cha mẹ học sinh' });
    });
    const { page } = reader;
    expect(await page.getByLabel('Email').inputValue()).toBe(email);
    expect(await page.getByLabel('Mật khẩu', { exact: true }).inputValue()).toBe('mat-khau-rat-dai-2026');
    expect(await page.getByLabel('Họ và tên').inputValue()).toBe('Nguyễn Thị Hương');
    expect(await page.getByLabel('Bạn là').inputValue()).toBe('PARENT');
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Đăng ký', exact: true }),
      page.getByText(`Hãy kiểm tra hộp thư ${email}: chúng tôi đã gửi một thư tới địa chỉ này.`),
    );

    const parent = account('parent@demo.gopy.vn');
    const signingIn = await newReader(browser, platform.baseUrl);
    await typeBeforeHydration(signingIn, '/sign-in', async (p) => {
      await p.getByLabel('Email').fill(parent.email);
      await p.getByLabel('Mật khẩu', { exact: true }).fill(parent.password);
    });
    expect(await signingIn.page.getByLabel('Email').inputValue()).toBe(parent.email);
    expect(await signingIn.page.getByLabel('Mật khẩu', { exact: true }).inputValue()).toBe(parent.password);
    await clickAndAudit(
      signingIn,
      signingIn.page.getByRole('button', { name: 'Đăng nhập', exact: true }),
      signingIn.page.getByText(/^Xin chào, /),
    );
    expectAllAudited(reader);
    expectAllAudited(signingIn);
  });

  it('survives hydration in the comment forms (whole draft, a node, a reply) and is what they send', async () => {
    const suffix = uniqueSuffix();
    const staffApi = await signInAs(platform, 'staff');
    const policy = await openPolicy(staffApi, await staffOrganizationId(staffApi));
    const parentAccount = account('parent@demo.gopy.vn');
    const parentApi = await apiSignIn(platform, parentAccount.email, parentAccount.password);
    const earlier = `Thư viện nên mở cửa cả giờ ra chơi (${suffix}).`;
    ok(await submitComment(parentApi, { policyId: policy.id, body: earlier, stance: 'SUPPORT' }));

    const teacher = account('teacher@demo.gopy.vn');
    const reader = await newReader(browser, platform.baseUrl);
    await signIn(reader, teacher.email, teacher.password);
    const { page } = reader;
    const whole = `Cần thêm sách tham khảo cho học sinh lớp 9 (${suffix}).`;
    const onNode = `Ba cuốn mỗi tuần là quá ít với học sinh lớp 5 (${suffix}).`;
    const reply = `Đồng ý, và nên mở cả buổi chiều thứ Bảy (${suffix}).`;
    const nodeForm = page
      .locator('details.node-comment')
      .filter({ has: page.locator('summary', { hasText: /^Góp ý về Điểm a, Khoản 1, Điều 1$/ }) });
    const earlierComment = page
      .locator('#comments article.comment')
      .filter({ has: page.locator(':scope > p.comment-body', { hasText: earlier }) });
    const replyForm = earlierComment
      .locator(':scope > details.c7-form')
      .filter({ has: page.locator(':scope > summary', { hasText: /^Trả lời$/ }) });

    await typeBeforeHydration(reader, `/policies/${policy.id}`, async (p) => {
      const form = p.locator('#comment-whole');
      await form.getByLabel('Nội dung góp ý').fill(whole);
      await form.getByLabel('Đề xuất', { exact: true }).check();
      await nodeForm.locator('summary').click();
      await nodeForm.getByLabel('Nội dung góp ý').fill(onNode);
      await nodeForm.getByLabel('Không đồng ý', { exact: true }).check();
      await replyForm.locator('summary').click();
      await replyForm.getByLabel('Nội dung trả lời').fill(reply);
      await replyForm.getByLabel('Đồng ý', { exact: true }).check();
    });

    const wholeForm = page.locator('#comment-whole');
    expect(await wholeForm.getByLabel('Nội dung góp ý').inputValue()).toBe(whole);
    expect(await wholeForm.getByLabel('Đề xuất', { exact: true }).isChecked()).toBe(true);
    expect(await nodeForm.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    expect(await nodeForm.getByLabel('Nội dung góp ý').inputValue()).toBe(onNode);
    expect(await nodeForm.getByLabel('Không đồng ý', { exact: true }).isChecked()).toBe(true);
    expect(await replyForm.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    expect(await replyForm.getByLabel('Nội dung trả lời').inputValue()).toBe(reply);
    expect(await replyForm.getByLabel('Đồng ý', { exact: true }).isChecked()).toBe(true);

    // The status box leads to the whole-draft form; each node's one control opened its form in place.
    expect(
      await page.locator('.banner-open').getByRole('link', { name: 'Góp ý cho dự thảo' }).getAttribute('href'),
    ).toBe('#comment-whole');
    await screenshots(reader, 'policy-typed-before-hydration');

    const listed = (body: string) =>
      page
        .locator('#comments article.comment')
        .filter({ has: page.locator(':scope > p.comment-body', { hasText: body }) });
    await clickAndAudit(reader, wholeForm.getByRole('button', { name: 'Gửi góp ý' }), listed(whole));
    expect(await listed(whole).locator('.stance').first().textContent()).toBe('Đề xuất');
    // Sent: the box is empty again for the next comment.
    await expect.poll(() => wholeForm.getByLabel('Nội dung góp ý').inputValue()).toBe('');
    await clickAndAudit(reader, nodeForm.getByRole('button', { name: 'Gửi góp ý' }), listed(onNode));
    expect(await listed(onNode).locator('.stance').first().textContent()).toBe('Không đồng ý');
    await clickAndAudit(reader, replyForm.getByRole('button', { name: 'Gửi trả lời' }), listed(reply));
    expect(await listed(reply).locator('.stance').first().textContent()).toBe('Đồng ý');
    expectAllAudited(reader);
  });

  it('survives hydration in the offline feedback form and the draft editor', async () => {
    const suffix = uniqueSuffix();
    const staffApi = await signInAs(platform, 'staff');
    const organizationId = await staffOrganizationId(staffApi);
    const policy = await openPolicy(staffApi, organizationId);
    const staffAccount = platform.demoAccounts.find((a) => a.roles.includes('staff'))!;
    const reader = await newReader(browser, platform.baseUrl);
    await signIn(reader, staffAccount.email, staffAccount.password);
    const { page } = reader;

    const letter = `Ban đại diện cha mẹ học sinh đề nghị thêm giờ mở cửa thư viện (${suffix}).`;
    await typeBeforeHydration(reader, `/staff/policies/${policy.id}/offline`, async (p) => {
      await p.getByLabel('Kênh tiếp nhận').selectOption({ label: 'Thư, công văn' });
      await p.getByLabel('Người gửi là').selectOption({ label: 'Cha mẹ học sinh' });
      await p.getByLabel('Họ và tên').fill('Lê Văn Phúc');
      await p.getByLabel('Nội dung ý kiến').fill(letter);
      await p.getByLabel('Đề xuất', { exact: true }).check();
    });
    expect(await page.getByLabel('Họ và tên').inputValue()).toBe('Lê Văn Phúc');
    expect(await page.getByLabel('Nội dung ý kiến').inputValue()).toBe(letter);
    expect(await page.getByLabel('Đề xuất', { exact: true }).isChecked()).toBe(true);
    expect(await page.getByLabel('Người gửi là').inputValue()).toBe('PARENT');
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Ghi nhận ý kiến' }),
      page.getByText('Đã ghi nhận ý kiến.'),
    );

    const drafting = await draftedPolicy(staffApi, organizationId);
    const versionTitle = `Dự thảo lần 2 (${suffix})`;
    const heading = `Phạm vi điều chỉnh và đối tượng áp dụng (${suffix})`;
    await typeBeforeHydration(reader, `/staff/policies/${drafting}/draft`, async (p) => {
      await p.getByLabel('Tên phiên bản').fill(versionTitle);
      await editorNode(p, 'Điều 1').getByLabel('Tiêu đề').first().fill(heading);
    });
    expect(await page.getByLabel('Tên phiên bản').inputValue()).toBe(versionTitle);
    expect(await editorNode(page, 'Điều 1').getByLabel('Tiêu đề').first().inputValue()).toBe(heading);
    // "Update the working copy" sends the whole tree and renders it again from what was sent.
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Cập nhật bản nháp' }),
      editorNode(page, 'Điều 1').locator(':scope > legend', { hasText: heading }),
    );
    expect(await page.getByLabel('Tên phiên bản').inputValue()).toBe(versionTitle);
    expectAllAudited(reader);
  });
});
