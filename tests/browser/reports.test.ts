// Semester reports, without JavaScript: a school submits its report for the last period; the district office sees it
// arrive, and sees the one school that did not report in time.
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
  // Surge floors low enough that the demo's few comments of this hour raise an alert on the district's dashboard.
  platform = await startPlatform({
    demo: true,
    env: { GOPY_SURGE_INTERVAL_MS: '300', GOPY_SURGE_MIN_BASELINE_HOURS: '0', GOPY_SURGE_MIN_COMMENTS: '3' },
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

/** The reporting period before this one: 2026-2027-S1 → 2025-2026-S2 → 2025-2026-S1. */
function previousPeriod(period: string): string {
  const [first, second, semester] = period.split('-') as [string, string, string];
  return semester === 'S2' ? `${first}-${second}-S1` : `${Number(first) - 1}-${Number(second) - 1}-S2`;
}

function account(predicate: (a: Platform['demoAccounts'][number] & { organization?: string }) => boolean) {
  const found = platform.demoAccounts.find(predicate);
  if (!found) throw new Error('no such demo account');
  return found;
}

describe('semester reports', () => {
  it('a school submits its report; the district sees it and the one school that is late', async () => {
    const reader = await newReader(browser, platform.baseUrl, { javaScript: false });
    const { page } = reader;

    // The demo's third school compiled its report for the last period but never sent it.
    const school = account((a) => a.organization === 'Trường THCS Nguyễn Du');
    await signIn(reader, school.email, school.password);
    await visit(reader, '/staff');
    const current = await page.getByRole('link', { name: 'Mở báo cáo' }).first().getAttribute('href');
    expect(current).toMatch(/^\/staff\/reports\/[^/]+\/\d{4}-\d{4}-S[12]$/);
    const [, , , schoolId, period] = current!.split('/') as [string, string, string, string, string];
    const last = previousPeriod(period);
    await visit(reader, `/staff/reports/${schoolId}/${last}`);
    await expect.poll(() => page.getByTestId('report-status').textContent()).toMatch(/chưa nộp/);
    await screenshots(reader, 'school-semester-report');
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Nộp báo cáo cho Phòng Giáo dục và Đào tạo huyện Hoà Bình' }),
      page.getByText('Đã nộp báo cáo lên cấp trên.'),
    );
    await expect
      .poll(() => page.getByTestId('report-status').textContent())
      .toMatch(/^Đã nộp lúc .* cho Phòng Giáo dục và Đào tạo huyện Hoà Bình\.$/);
    // Submitted is final: no form to compile or submit again.
    expect(await page.getByRole('button', { name: /Nộp báo cáo|Tổng hợp/ }).count()).toBe(0);
    await signOut(reader);

    // The district office opens its own report page for that period and reads its schools' rows.
    const district = account((a) => a.roles.includes('staff') && a.organization === undefined);
    await signIn(reader, district.email, district.password);
    await visit(reader, '/staff');
    const districtHref = await page.getByRole('link', { name: 'Mở báo cáo' }).first().getAttribute('href');
    const districtId = districtHref!.split('/')[3]!;
    await visit(reader, `/staff/reports/${districtId}/${last}`);
    await screenshots(reader, 'district-semester-reports');
    const rows = page.getByTestId('member-row');
    await expect.poll(() => rows.count()).toBe(4);
    const statusOf = async (name: string) =>
      (await rows.filter({ hasText: name }).locator('td').first().textContent())?.trim();
    expect(await statusOf('Trường THCS Nguyễn Du')).toBe('Đã nộp');
    expect(await statusOf('Trường Mầm non Hoa Sen')).toBe('Đã nộp');
    expect(await statusOf('Trường Tiểu học Kim Đồng')).toBe('Đã nộp');
    expect(await statusOf('Trường Phổ thông Dân tộc bán trú TH&THCS Sơn Thủy')).toBe('Trễ hạn');
    expect((await page.getByTestId('late-list').textContent())?.replace(/\s+/g, ' ').trim()).toBe(
      'Trễ hạn (1): Trường Phổ thông Dân tộc bán trú TH&THCS Sơn Thủy',
    );

    // The district's dashboard shows the alert the surge detector raised; staff file an incident about it, sent up to
    // the province, and see it listed.
    await expect
      .poll(
        async () => {
          await visit(reader, '/staff');
          return page.getByText(/^Số góp ý tăng đột biến/).count();
        },
        { timeout: 30_000 },
      )
      .toBeGreaterThan(0);
    await page.getByText('Báo cáo sự việc lên cấp trên').first().click();
    await page
      .getByLabel('Diễn biến và cách xử lý')
      .first()
      .fill('Nhiều phụ huynh góp ý cùng lúc về mức thu; phòng đã trả lời trên cổng thông tin.');
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Gửi báo cáo sự việc' }).first(),
      page.getByText('Đã gửi báo cáo sự việc.'),
    );
    await expect
      .poll(() => page.getByText('Đơn vị báo cáo lên Sở Giáo dục và Đào tạo tỉnh Minh Hải', { exact: false }).count())
      .toBe(1);

    // The district keeps its communication channels.
    await visit(reader, '/staff');
    await clickAndAudit(
      reader,
      page.getByRole('link', { name: 'Kênh thông tin' }).first(),
      page.getByRole('heading', { name: 'Kênh thông tin của đơn vị' }),
    );
    await page.getByLabel('Loại kênh').selectOption('ZALO_PAGE');
    await page.getByLabel('Tên kênh').fill('Zalo OA Phòng GDĐT Hoà Bình');
    await clickAndAudit(reader, page.getByRole('button', { name: 'Thêm kênh' }), page.getByText('Đã thêm kênh.'));
    const row = page.locator('tbody tr').filter({ hasText: 'Zalo OA Phòng GDĐT Hoà Bình' });
    await expect.poll(() => row.locator('td').nth(2).textContent()).toBe('Mạng xã hội');

    // Feedback that came through that channel is recorded under it, and counted as social media.
    const { href } = await openPolicyHref(reader);
    const policyId = href.split('/').pop()!;
    await visit(reader, `/staff/policies/${policyId}/offline`);
    await page.getByLabel('Kênh tiếp nhận').selectOption({ label: 'Zalo OA Phòng GDĐT Hoà Bình (Mạng xã hội)' });
    await page.getByLabel('Người gửi là').selectOption({ label: 'Cha mẹ học sinh' });
    const note = 'Phụ huynh nhắn qua Zalo: đề nghị công khai các khoản thu trên bảng tin của trường.';
    await page.getByLabel('Nội dung ý kiến').fill(note);
    await page.getByLabel('Đề xuất', { exact: true }).check();
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Ghi nhận ý kiến' }),
      page.getByText('Đã ghi nhận ý kiến.'),
    );
    await visit(reader, href);
    await expect
      .poll(() => page.locator('.comment').filter({ hasText: note }).locator('.c7-channel').textContent())
      .toBe('Kênh: Mạng xã hội');
    await visit(reader, `/staff/channels/${districtId}`);
    const zalo = page.locator('tbody tr').filter({ hasText: 'Zalo OA Phòng GDĐT Hoà Bình' });
    await clickAndAudit(
      reader,
      zalo.getByRole('button', { name: 'Ngừng dùng kênh Zalo OA Phòng GDĐT Hoà Bình' }),
      page.getByText('Đã ngừng dùng kênh.'),
    );
    await expect
      .poll(() => page.locator('tbody tr').filter({ hasText: 'Zalo OA Phòng GDĐT Hoà Bình' }).count())
      .toBe(0);
    expectAllAudited(reader);
    await reader.context.close();
  });
});
