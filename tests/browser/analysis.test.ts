// Staff read the analysis of a round without JavaScript: the figures as pictures with their tables, a filter (a GET
// form), the heat strip along the draft, the campaign of near-identical comments proposed as a group, confirmed, and
// undone (first refused without a reason). A participant is refused the page. Every page is checked with axe.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { graphqlClient, startPlatform } from '../support/platform';
import {
  audit,
  clickAndAudit,
  expectAllAudited,
  launchBrowser,
  newReader,
  screenshots,
  signIn,
  visit,
} from './support';

type Platform = Awaited<ReturnType<typeof startPlatform>>;

let platform: Platform;
let browser: Browser;
let policyId: string;

const LETTER =
  'Chúng tôi là phụ huynh trường Tiểu học Kim Đồng, đề nghị không thu thêm khoản phí bán trú năm học này vì nhiều gia đình còn khó khăn.';

function account(role: string) {
  const found = platform.demoAccounts.find((a) => a.roles.includes(role));
  if (!found) throw new Error(`no demo account with role ${role}`);
  return found;
}

async function apiAs(email: string, password: string) {
  const { data } = await graphqlClient(platform.baseUrl)<{ signIn: { data?: { token: string } } }>(
    'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { ... on MutationSignInSuccess { data { token } } } }',
    { e: email, p: password },
  );
  return graphqlClient(platform.baseUrl, data.signIn.data!.token);
}

beforeAll(async () => {
  platform = await startPlatform({ demo: true });
  browser = await launchBrowser();
  const anonymous = graphqlClient(platform.baseUrl);
  const list = await anonymous<{ policies: { edges: { node: { id: string } }[] } }>(
    '{ policies(status: CONSULTATION) { edges { node { id } } } }',
  );
  policyId = list.data.policies.edges[0]!.node.id;
  // A small campaign: the same letter three times, once without diacritics and once in capitals.
  const parent = platform.demoAccounts.find((a) => a.email === 'parent@demo.gopy.vn')!;
  const teacher = platform.demoAccounts.find((a) => a.email === 'teacher@demo.gopy.vn')!;
  const bodies: [typeof parent, string][] = [
    [parent, LETTER],
    [teacher, LETTER.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D')],
    [parent, LETTER.toUpperCase()],
  ];
  for (const [who, body] of bodies) {
    const gql = await apiAs(who.email, who.password);
    const r = await gql<{ submitComment: { __typename: string } }>(
      'mutation($input: SubmitCommentInput!) { submitComment(input: $input) { __typename } }',
      { input: { policyId, body, stance: 'OPPOSE', idempotencyKey: randomUUID() } },
    );
    expect(r.data.submitComment.__typename).toBe('MutationSubmitCommentSuccess');
  }
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

describe('analysis of a round, without JavaScript', () => {
  it('shows the figures with their tables, filters them, and confirms and undoes a near-duplicate group', async () => {
    const staff = account('staff');
    const reader = await newReader(browser, platform.baseUrl, { javaScript: false });
    const { page } = reader;
    await signIn(reader, staff.email, staff.password);
    await visit(reader, `/staff/policies/${policyId}`);
    await clickAndAudit(
      reader,
      page.getByRole('link', { name: 'Phân tích ý kiến' }),
      page.getByRole('heading', { name: 'Phân tích ý kiến', level: 1 }),
    );
    expect(page.url()).toContain(`/staff/policies/${policyId}/analysis`);

    const figure = (name: string) => page.locator(`[data-figure="${name}"]`);
    const total = Number(await figure('comments').textContent());
    const distinct = Number(await figure('distinct').textContent());
    expect(total).toBeGreaterThanOrEqual(3);
    // Every picture has its table, and the table's numbers add up to the total.
    for (const title of ['Theo quan điểm', 'Theo đối tượng', 'Theo kênh tiếp nhận', 'Theo ngày nhận']) {
      const table = page.getByRole('table', { name: `Bảng số liệu: ${title}` });
      await expect.poll(() => table.count()).toBe(1);
      const cells = await table.locator('tbody tr td:nth-of-type(1)').allTextContents();
      expect(
        cells.map(Number).reduce((s, n) => s + n, 0),
        title,
      ).toBe(total);
      await expect.poll(() => page.getByRole('img', { name: `Biểu đồ cột: ${title}` }).count()).toBe(1);
    }
    await expect.poll(() => page.getByRole('heading', { name: 'Ý kiến theo điều khoản của dự thảo' }).count()).toBe(1);
    await screenshots(reader, 'staff-analysis');

    // The filter is a GET form: the figures follow it.
    await page.getByLabel('Kênh tiếp nhận', { exact: true }).selectOption('WEB');
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Lọc', exact: true }),
      page.getByRole('heading', { name: 'Phân tích ý kiến', level: 1 }),
    );
    expect(new URL(page.url()).searchParams.get('channel')).toBe('WEB');
    const webTotal = Number(await figure('comments').textContent());
    expect(webTotal).toBeGreaterThanOrEqual(3);
    expect(webTotal).toBeLessThanOrEqual(total);
    expect(await page.getByLabel('Kênh tiếp nhận', { exact: true }).inputValue()).toBe('WEB');
    await clickAndAudit(
      reader,
      page.getByRole('link', { name: 'Bỏ lọc' }),
      page.getByRole('heading', { name: 'Phân tích ý kiến', level: 1 }),
    );

    // The campaign is proposed as one group; staff confirm it.
    const candidate = page.locator('form.candidate').filter({ hasText: 'Kim Đồng' }).first();
    await expect.poll(() => candidate.locator('input[name="commentIds"]').count()).toBe(3);
    await clickAndAudit(
      reader,
      candidate.getByRole('button', { name: 'Xác nhận là trùng lặp' }),
      page.getByText('Đã xác nhận nhóm ý kiến trùng lặp.'),
    );
    expect(Number(await figure('distinct').textContent())).toBe(distinct - 2);
    expect(Number(await figure('comments').textContent())).toBe(total);
    const group = page.locator('article.group').filter({ hasText: 'Kim Đồng' }).first();
    await expect.poll(() => group.count()).toBe(1);
    await expect.poll(() => page.locator('form.candidate').filter({ hasText: 'Kim Đồng' }).count()).toBe(0);

    // Undo needs a reason: refused with the message on the field, then done.
    await clickAndAudit(reader, group.getByRole('button', { name: 'Bỏ nhóm' }), page.locator('.field-error'));
    const refusedGroup = page.locator('article.group').filter({ hasText: 'Kim Đồng' }).first();
    await expect.poll(() => refusedGroup.locator('.field-error').textContent()).toMatch(/\S/);
    expect(await refusedGroup.getByLabel('Lý do bỏ nhóm').getAttribute('aria-invalid')).toBe('true');
    await refusedGroup.getByLabel('Lý do bỏ nhóm').fill('Nhầm: các thư nêu những việc khác nhau.');
    await clickAndAudit(
      reader,
      refusedGroup.getByRole('button', { name: 'Bỏ nhóm' }),
      page.getByText('Đã bỏ nhóm; các ý kiến lại được tính riêng.'),
    );
    expect(Number(await figure('distinct').textContent())).toBe(distinct);
    await expect.poll(() => page.locator('article.group').filter({ hasText: 'Kim Đồng' }).count()).toBe(0);

    // The export links name the round's files.
    const csv = await page.getByRole('link', { name: 'Tải tệp CSV' }).getAttribute('href');
    expect(csv).toMatch(new RegExp(`/export/policies/${policyId}/rounds/\\d+/comments\\.csv$`));
    const download = await reader.context.request.get(csv!);
    expect(download.status()).toBe(200);
    expect(download.headers()['x-gopy-position']).toMatch(/\S/);
    expect((await download.text()).split('\r\n')[0]).toContain('Vị trí nhật ký');
    expectAllAudited(reader);
    await reader.context.close();
  });

  it('follows new comments live with JavaScript', async () => {
    const staff = account('staff');
    const reader = await newReader(browser, platform.baseUrl, { javaScript: true });
    const { page } = reader;
    await signIn(reader, staff.email, staff.password);
    await visit(reader, `/staff/policies/${policyId}/analysis`);
    const figure = page.locator('[data-figure="comments"]');
    const before = Number(await figure.textContent());
    const teacher = platform.demoAccounts.find((a) => a.email === 'teacher@demo.gopy.vn')!;
    const gql = await apiAs(teacher.email, teacher.password);
    await gql('mutation($input: SubmitCommentInput!) { submitComment(input: $input) { __typename } }', {
      input: {
        policyId,
        body: 'Một ý kiến mới đến khi trang đang mở.',
        stance: 'NEUTRAL',
        idempotencyKey: randomUUID(),
      },
    });
    await expect.poll(async () => Number(await figure.textContent()), { timeout: 20_000 }).toBe(before + 1);
    await audit(reader, 'after a live update');
    await reader.context.close();
  });

  it('refuses the page to a participant', async () => {
    const parent = platform.demoAccounts.find((a) => a.email === 'parent@demo.gopy.vn')!;
    const reader = await newReader(browser, platform.baseUrl, { javaScript: false });
    await signIn(reader, parent.email, parent.password);
    const response = await reader.page.goto(`/staff/policies/${policyId}/analysis`);
    expect(response?.status()).toBe(403);
    await reader.context.close();
  });

  it('opens the page to an auditor from the audit area, read-only', async () => {
    const auditor = account('auditor');
    const reader = await newReader(browser, platform.baseUrl, { javaScript: false });
    const { page } = reader;
    await signIn(reader, auditor.email, auditor.password);
    await visit(reader, '/audit/policies');
    const link = page.locator(`a[href="/staff/policies/${policyId}/analysis"]`);
    expect(await link.count()).toBe(1);
    await clickAndAudit(reader, link, page.getByRole('heading', { level: 1 }));
    expect(new URL(page.url()).pathname).toBe(`/staff/policies/${policyId}/analysis`);
    // The figures and their tables are there; the grouping tools are not, and the page says why.
    expect(await page.locator('table').count()).toBeGreaterThan(0);
    expect(await page.getByText('Bạn đang xem với quyền kiểm toán: chỉ đọc.', { exact: false }).count()).toBe(1);
    expect(await page.locator('main form[method="POST"]').count()).toBe(0);
    // A post to the grouping action is refused to an auditor all the same.
    const refused = await page.request.post(`/staff/policies/${policyId}/analysis?/undo`, {
      form: { groupId: '00000000-0000-4000-8000-000000000000', reason: 'thử' },
      headers: { origin: platform.baseUrl },
    });
    expect(refused.status()).toBe(403);
    expectAllAudited(reader);
    await reader.context.close();
  });

  it('speaks English to a reader who chose it', async () => {
    const policymaker = account('policymaker');
    const reader = await newReader(browser, platform.baseUrl, { javaScript: false });
    await signIn(reader, policymaker.email, policymaker.password);
    await reader.context.addCookies([{ name: 'PARAGLIDE_LOCALE', value: 'en', url: platform.baseUrl }]);
    const response = await reader.page.goto(`/staff/policies/${policyId}/analysis`);
    expect(response?.status()).toBe(200);
    await audit(reader, 'in English');
    expect((await reader.page.getByRole('heading', { level: 1 }).textContent())?.trim()).toBe('Feedback analysis');
    expect(await reader.page.getByRole('table', { name: 'Data table: By stance' }).count()).toBe(1);
    await reader.context.close();
  });
});
