// Searching comments without diacritics (JavaScript off), a second browser seeing a new comment arrive live, and a
// participant who follows a policy and is notified when someone replies to them and when the round closes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startPlatform } from '../support/platform';
import { CLOSE_CONSULTATION, ok, signIn as apiSignIn, signInAs, submitComment, type ResultUnion } from '../api/support';
import {
  audit,
  clickAndAudit,
  expectAllAudited,
  launchBrowser,
  newReader,
  openPolicyHref,
  screenshots,
  signIn,
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

function demo(key: 'parent' | 'teacher') {
  const account = platform.demoAccounts.find((a) => a.email.startsWith(`${key}@`));
  if (!account) throw new Error(`no demo account ${key}`);
  return account;
}

/** The marked words of the results, in order. */
async function marks(reader: Reader): Promise<string[]> {
  return reader.page.locator('#results mark').allTextContents();
}

describe('search, live updates and following', () => {
  it('finds “trường học” from “truong hoc”, with filters and highlights, without JavaScript', async () => {
    const parent = await signInAs(platform, 'participant');
    const reader = await newReader(browser, platform.baseUrl, { javaScript: false });
    const { href } = await openPolicyHref(reader);
    const policyId = href.split('/').pop()!;
    const suffix = uniqueSuffix();
    const body = `Nhà trường học tập kinh nghiệm của Trường học Kim Đồng về đường đi an toàn (${suffix}).`;
    ok(await submitComment(parent, { policyId, body, stance: 'SUGGESTION' }));

    // The small search box of the policy page.
    await visit(reader, href);
    const { page } = reader;
    await page.getByRole('searchbox', { name: 'Tìm trong góp ý' }).fill('truong hoc');
    await clickAndAudit(reader, page.getByRole('button', { name: 'Tìm', exact: true }), page.locator('#results'));
    expect(new URL(page.url()).pathname).toBe(`${href}/search`);
    const hit = page.locator('#results .search-hit').filter({ hasText: suffix });
    expect(await hit.count()).toBe(1);
    expect(await hit.locator('mark').allTextContents()).toEqual(['trường', 'học', 'Trường', 'học']);
    expect(await marks(reader)).toContain('trường');
    await screenshots(reader, 'search');

    // "duong" finds "đường" (đ does not decompose); with the stance filter that matches, then one that does not.
    await page.getByLabel('Từ cần tìm', { exact: true }).fill('duong');
    await page.getByLabel('Ý kiến', { exact: true }).selectOption({ label: 'Đề xuất' });
    await clickAndAudit(reader, page.getByRole('button', { name: 'Tìm', exact: true }), page.locator('#results'));
    expect(await page.locator('#results .search-hit').filter({ hasText: suffix }).count()).toBe(1);
    expect(await page.locator('#results mark').filter({ hasText: 'đường' }).count()).toBeGreaterThan(0);
    await page.getByLabel('Ý kiến', { exact: true }).selectOption({ label: 'Không đồng ý' });
    await clickAndAudit(reader, page.getByRole('button', { name: 'Tìm', exact: true }), page.locator('#results'));
    expect(await page.getByText('Không tìm thấy góp ý nào.').count()).toBe(1);

    // Channel and dates: recorded on the web today, not by letter, not before yesterday... and not in 2020.
    const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
    await visit(reader, `${href}/search?q=truong+hoc&channel=WEB&from=${today}&to=${today}`);
    expect(await page.locator('#results .search-hit').filter({ hasText: suffix }).count()).toBe(1);
    await visit(reader, `${href}/search?q=truong+hoc&channel=LETTER`);
    expect(await page.locator('#results .search-hit').count()).toBe(0);
    await visit(reader, `${href}/search?q=truong+hoc&to=2020-01-01`);
    expect(await page.locator('#results .search-hit').count()).toBe(0);

    // Bad input is a message beside its field.
    await visit(reader, `${href}/search?q=+&from=2026-13-45`);
    expect(await page.getByText('Nhập ít nhất một từ cần tìm.').count()).toBe(1);
    expect(await page.getByText('Nhập ngày hợp lệ.').count()).toBe(1);
    expect(await page.locator('#search-from[aria-invalid="true"]').count()).toBe(1);

    expectAllAudited(reader);
    await reader.context.close();
  });

  it('shows a new comment to a second browser without a reload', async () => {
    const parent = await signInAs(platform, 'participant');
    const watcher = await newReader(browser, platform.baseUrl, { javaScript: true });
    const { href } = await openPolicyHref(watcher);
    const policyId = href.split('/').pop()!;
    // The page's event stream is live once /live answers: the site answers it only after the API has answered the
    // `policyChanged` subscription, which it does once the subscription listens (see tests/api/support.ts subscribe).
    const live = watcher.page.waitForResponse((r) => new URL(r.url()).pathname === `${href}/live`, {
      timeout: 20_000,
    });
    await visit(watcher, href);
    const heading = watcher.page.locator('#comments-heading');
    const countBefore = await heading.textContent();
    await watcher.page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    const stream = await live;
    expect(stream.status(), 'the live updates stream of the policy page').toBe(200);
    expect(await stream.headerValue('content-type')).toMatch(/^text\/event-stream/);

    const body = `Góp ý mới xuất hiện ngay, không cần tải lại trang (${uniqueSuffix()}).`;
    ok(await submitComment(parent, { policyId, body, stance: 'NEUTRAL' }));
    await expect
      .poll(() => watcher.page.locator('#comments .comment').filter({ hasText: body }).count(), { timeout: 20_000 })
      .toBe(1);
    expect(await watcher.page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(
      true,
    );
    expect(await heading.textContent()).not.toBe(countBefore);
    await audit(watcher, 'after a live update');
    await watcher.context.close();
  });

  it('notifies a follower when someone replies and when the round closes', async () => {
    const teacherAccount = demo('teacher');
    const follower = await newReader(browser, platform.baseUrl, { javaScript: false });
    await signIn(follower, teacherAccount.email, teacherAccount.password);
    const { href } = await openPolicyHref(follower);
    const policyId = href.split('/').pop()!;
    await visit(follower, href);
    const { page } = follower;

    await clickAndAudit(
      follower,
      page.getByRole('button', { name: 'Theo dõi dự thảo' }),
      page.getByText('Đã theo dõi. Bạn sẽ nhận thông báo về dự thảo này.'),
    );
    expect(await page.getByRole('button', { name: 'Bỏ theo dõi' }).count()).toBe(1);
    expect(await page.getByText('Bạn đang theo dõi dự thảo này.').count()).toBe(1);
    await visit(follower, '/me/notifications');
    expect(await page.getByText('Bạn đã đọc hết thông báo.').count()).toBe(1);

    // Someone replies to the teacher's comment; then the staff close the round.
    const teacherClient = await apiSignIn(platform, teacherAccount.email, teacherAccount.password);
    const own = await submitComment(teacherClient, {
      policyId,
      body: `Đề nghị tổ chức họp phụ huynh trước khi thu (${uniqueSuffix()}).`,
      stance: 'SUGGESTION',
    });
    const ownId = ok<{ comment: { id: string } }>(own).comment.id;
    const parentAccount = demo('parent');
    const parentClient = await apiSignIn(platform, parentAccount.email, parentAccount.password);
    ok(
      await submitComment(parentClient, {
        policyId,
        parentCommentId: ownId,
        body: 'Tôi đồng ý, nên họp trước khi thu.',
        stance: 'SUPPORT',
      }),
    );
    const staff = await signInAs(platform, 'staff');
    const { closeConsultation } = await staff.gql<{ closeConsultation: ResultUnion }>(CLOSE_CONSULTATION, {
      policyId,
      reason: 'Đã đủ ý kiến để tổng hợp.',
    });
    ok(closeConsultation);

    // The unread count shows in the navigation; the notifications page lists both, in Vietnamese.
    await expect
      .poll(
        async () => {
          await page.goto('/me/notifications');
          return page.locator('li.notification.unread').count();
        },
        { timeout: 20_000 },
      )
      .toBe(2);
    await audit(follower);
    expect(await page.getByRole('link', { name: /^Thông báo\s*\(2 chưa đọc\)$/ }).count()).toBe(1);
    expect(await page.locator('.notification-text').allTextContents()).toEqual(
      expect.arrayContaining(['Có người trả lời góp ý của bạn', 'Đợt lấy ý kiến đã kết thúc']),
    );
    await screenshots(follower, 'notifications');

    // Mark one read, then all.
    await clickAndAudit(
      follower,
      page
        .locator('li.notification')
        .filter({ hasText: 'Có người trả lời góp ý của bạn' })
        .getByRole('button', { name: /^Đánh dấu đã đọc/ }),
      page.getByText('Đã đánh dấu 1 thông báo là đã đọc.'),
    );
    expect(await page.locator('li.notification.unread').count()).toBe(1);
    expect(await page.getByRole('link', { name: /^Thông báo\s*\(1 chưa đọc\)$/ }).count()).toBe(1);
    await clickAndAudit(
      follower,
      page.getByRole('button', { name: 'Đánh dấu tất cả là đã đọc' }),
      page.getByText('Bạn đã đọc hết thông báo.'),
    );
    expect(await page.locator('li.notification.unread').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Thông báo', exact: true }).count()).toBe(1);

    // And unfollow.
    await visit(follower, href);
    await clickAndAudit(
      follower,
      page.getByRole('button', { name: 'Bỏ theo dõi' }),
      page.getByText('Đã bỏ theo dõi dự thảo này.'),
    );
    expect(await page.getByRole('button', { name: 'Theo dõi dự thảo' }).count()).toBe(1);

    expectAllAudited(follower);
    await follower.context.close();
  });
});
