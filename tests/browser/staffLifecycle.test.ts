// Staff take a policy from proposal to an open round through the site: propose, start drafting, build the draft
// as a tree (a chapter, two articles, a clause and a point; reordered and renumbered on the way), publish
// version 1 and open a round. Run once without JavaScript (every tree edit is a form round trip) and once with it.
// An admin grants a role on the roles page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startPlatform } from '../support/platform';
import {
  clickAndAudit,
  editorNode,
  expectAllAudited,
  launchBrowser,
  newReader,
  nodeTool,
  screenshots,
  signIn,
  uniqueSuffix,
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

function account(role: string) {
  const found = platform.demoAccounts.find((a) => a.roles.includes(role));
  if (!found) throw new Error(`no demo account with role ${role}`);
  return found;
}

describe.each([
  { javaScript: false, label: 'without JavaScript' },
  { javaScript: true, label: 'with JavaScript' },
])('staff: from proposal to an open round $label', ({ javaScript }) => {
  it('proposes, drafts a tree, publishes version 1 and opens a round', async () => {
    const suffix = uniqueSuffix();
    const title = `Quy định về đồng phục học sinh (${suffix})`;
    const staff = account('staff');
    const reader = await newReader(browser, platform.baseUrl, { javaScript });
    const { page } = reader;
    const shots = javaScript ? '' : 'staff-';
    await signIn(reader, staff.email, staff.password);

    // Propose.
    await visit(reader, '/staff');
    if (shots) await screenshots(reader, `${shots}home`);
    await clickAndAudit(
      reader,
      page.getByRole('link', { name: 'Đề xuất chính sách' }).first(),
      page.getByRole('heading', { level: 1, name: 'Đề xuất chính sách' }),
    );
    if (shots) await screenshots(reader, `${shots}propose`);
    await page.getByLabel('Tên chính sách').fill(title);
    await page
      .getByLabel('Tóm tắt')
      .fill('Quy định kiểu dáng, màu sắc và việc mặc đồng phục ở các trường mầm non, tiểu học và THCS.');
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Gửi đề xuất' }),
      page.getByText('Đã ghi nhận đề xuất chính sách.'),
    );
    expect(await page.getByRole('heading', { level: 1, name: title }).count()).toBe(1);
    if (shots) await screenshots(reader, `${shots}policy-proposed`);

    // Start drafting: the editor opens.
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Bắt đầu soạn thảo' }),
      page.getByRole('heading', { level: 1, name: 'Soạn dự thảo' }),
    );

    // A chapter with a heading.
    const chapter = editorNode(page, 'Chương I');
    await clickAndAudit(reader, page.getByRole('button', { name: 'Thêm Chương', exact: true }), chapter);
    await chapter.getByLabel('Tiêu đề').first().fill('Quy định chung');

    // Article 1 inside the chapter, then article 2 after it.
    const article1 = editorNode(page, 'Điều 1');
    await clickAndAudit(reader, nodeTool(chapter, /^Thêm Điều bên trong/), article1);
    await article1.getByLabel('Tiêu đề').first().fill('Phạm vi áp dụng');
    await article1
      .getByLabel('Nội dung')
      .first()
      .fill('Quy định này áp dụng cho học sinh các trường công lập trên địa bàn huyện.');
    const article2 = editorNode(page, 'Điều 2');
    await clickAndAudit(reader, nodeTool(article1, /^Thêm Điều phía sau/), article2);
    await article2.getByLabel('Tiêu đề').first().fill('Kiểu dáng đồng phục');
    await article2
      .getByLabel('Nội dung')
      .first()
      .fill('Đồng phục do nhà trường thống nhất với ban đại diện cha mẹ học sinh.');

    // A clause in article 2 and a point in that clause.
    const clause = editorNode(page, 'Khoản 1');
    await clickAndAudit(reader, nodeTool(article2, /^Thêm Khoản bên trong/), clause);
    await clause.getByLabel('Nội dung').first().fill('Không bắt buộc mua đồng phục mới mỗi năm học.');
    const point = editorNode(page, 'Điểm a');
    await clickAndAudit(reader, nodeTool(clause, /^Thêm Điểm bên trong/), point);
    await point.getByLabel('Nội dung').first().fill('Học sinh có hoàn cảnh khó khăn được hỗ trợ đồng phục;');

    // Reorder: article 2 moves up (and is renumbered Điều 1), then back down.
    await clickAndAudit(
      reader,
      nodeTool(article2, /^Lên/),
      article1.locator(':scope > legend', { hasText: 'Kiểu dáng đồng phục' }),
    );
    await clickAndAudit(
      reader,
      nodeTool(article1, /^Xuống/),
      article2.locator(':scope > legend', { hasText: 'Kiểu dáng đồng phục' }),
    );
    expect(await article1.locator(':scope > legend').textContent()).toContain('Phạm vi áp dụng');
    expect(await editorNode(page, 'Điểm a').getByLabel('Nội dung').first().inputValue()).toBe(
      'Học sinh có hoàn cảnh khó khăn được hỗ trợ đồng phục;',
    );
    if (shots) await screenshots(reader, `${shots}draft-editor`);

    // Publish version 1.
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Công bố phiên bản' }),
      page.getByText('Đã công bố phiên bản dự thảo mới.'),
    );
    expect(await page.getByText('Phiên bản 1').count()).toBeGreaterThan(0);

    // Open a round (the closing time is filled in: two weeks from now, 17:00 Vietnam time).
    const closesAt = page.getByLabel('Hạn góp ý', { exact: true });
    expect(await closesAt.inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}T17:00$/);
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Mở lấy ý kiến' }),
      page.getByText('Đã mở đợt lấy ý kiến.'),
    );
    expect(await page.locator('.policy-header .badge').textContent()).toBe('Đang lấy ý kiến');
    if (shots) await screenshots(reader, `${shots}policy-open`);

    // The public page shows the tree and the open round.
    await clickAndAudit(reader, page.getByRole('link', { name: 'Xem trang công khai' }), page.locator('.draft-tree'));
    expect(await page.locator('.banner-open').count()).toBe(1);
    for (const label of ['Chương I', 'Điều 1', 'Điều 2']) {
      expect(await page.locator('.node-label', { hasText: new RegExp(`^${label}$`) }).count()).toBe(1);
    }
    expect(await page.getByText('Không bắt buộc mua đồng phục mới mỗi năm học.').count()).toBe(1);
    expect(await page.getByText('Học sinh có hoàn cảnh khó khăn được hỗ trợ đồng phục;').count()).toBe(1);
    expect(await page.locator('summary', { hasText: /^Góp ý về Điểm a, Khoản 1, Điều 2$/ }).count()).toBe(1);

    expectAllAudited(reader);
    await reader.context.close();
  }, 600_000);
});

describe('admin: roles', () => {
  it('grants a role by email and shows the member', async () => {
    const admin = account('admin');
    const participant = platform.demoAccounts.find((a) => a.roles.length === 1 && a.roles[0] === 'participant');
    if (!participant) throw new Error('no demo participant');
    const reader = await newReader(browser, platform.baseUrl, { javaScript: false });
    const { page } = reader;
    await signIn(reader, admin.email, admin.password);
    await visit(reader, '/admin/roles');
    await screenshots(reader, 'staff-admin-roles');
    await page.getByLabel('Email').fill(participant.email);
    await page.getByLabel('Người kiểm duyệt').check();
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Lưu vai trò' }),
      page.getByText(`Đã cập nhật vai trò của ${participant.email}.`),
    );
    const row = page.locator('tbody tr').filter({ hasText: participant.displayName });
    expect(await row.textContent()).toContain('Người kiểm duyệt');
    // The admin registers a new school under the district, with its levels and type.
    await page.getByLabel('Tên đơn vị').fill('Trường PTDTBT TH&THCS Nậm Khòa');
    await page.getByLabel('Loại đơn vị').selectOption('SCHOOL');
    await page.getByLabel('Tiểu học', { exact: true }).check();
    await page.getByLabel('Trung học cơ sở').check();
    await page.getByLabel('Loại hình trường').fill('phổ thông dân tộc bán trú');
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Đăng ký đơn vị' }),
      page.getByText('Đã đăng ký Trường PTDTBT TH&THCS Nậm Khòa.'),
    );
    expect(await page.getByRole('option', { name: 'Trường PTDTBT TH&THCS Nậm Khòa' }).count()).toBe(1);
    expectAllAudited(reader);
    await reader.context.close();
  }, 300_000);
});
