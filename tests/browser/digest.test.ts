// The response digest through the site: comments have arrived on the demo policy, among them a campaign of three
// near-identical letters; staff (without JavaScript) start the digest, define themes, confirm the campaign as a group of
// near-duplicates, put comments into themes in bulk from the filtered list and answer each theme; the round
// is closed; enactment is refused; a spokesperson approves and publishes; the public page shows the table; a
// commenter follows "Đã được giải trình" from their comment to its answer; the policymaker then enacts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { randomUUID } from 'node:crypto';
import { graphqlClient, startPlatform } from '../support/platform';
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

/** A small campaign: one letter sent three times, once without diacritics and once in capitals. */
const LETTER =
  'Chúng tôi là phụ huynh trường Tiểu học Kim Đồng, đề nghị không thu thêm khoản phí bán trú năm học này vì nhiều gia đình còn khó khăn.';

beforeAll(async () => {
  platform = await startPlatform({ demo: true });
  browser = await launchBrowser();
  const anonymous = graphqlClient(platform.baseUrl);
  const list = await anonymous<{ policies: { edges: { node: { id: string } }[] } }>(
    '{ policies(status: CONSULTATION) { edges { node { id } } } }',
  );
  const policyId = list.data.policies.edges[0]!.node.id;
  const bodies: [string, string][] = [
    ['parent@demo.gopy.vn', LETTER],
    ['teacher@demo.gopy.vn', LETTER.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D')],
    ['parent@demo.gopy.vn', LETTER.toUpperCase()],
  ];
  for (const [email, body] of bodies) {
    const who = platform.demoAccounts.find((a) => a.email === email)!;
    const { data } = await anonymous<{ signIn: { data?: { token: string } } }>(
      'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { ... on MutationSignInSuccess { data { token } } } }',
      { e: who.email, p: who.password },
    );
    const r = await graphqlClient(platform.baseUrl, data.signIn.data!.token)<{ submitComment: { __typename: string } }>(
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

function account(role: string) {
  const found = platform.demoAccounts.find((a) => a.roles.includes(role));
  if (!found) throw new Error(`no demo account with role ${role}`);
  return found;
}
function demo(email: string) {
  const found = platform.demoAccounts.find((a) => a.email === email);
  if (!found) throw new Error(`no demo account ${email}`);
  return found;
}

// The demo policy's comments (services/composition/src/demo.ts).
const PARENT_DISCLOSURE = 'Đề nghị bổ sung quy định công khai danh sách học sinh được miễn, giảm';
const TEACHER_RATE = 'Mức 30.000 đồng/ngày là hợp lý ở thị trấn';
const PARENT_SUPPORT = 'Tôi ủng hộ dự thảo vì giúp các khoản thu minh bạch hơn.';

const themeItem = (page: Page, heading: string) =>
  page.locator('li', { has: page.getByRole('heading', { level: 3, name: heading }) });

describe('the response digest', () => {
  it('is drafted by staff, published by a spokesperson, shown to everyone, and lets the policy be enacted', async () => {
    const reader = await newReader(browser, platform.baseUrl, { javaScript: false });
    const { page } = reader;
    const { href } = await openPolicyHref(reader);
    const policyId = href.split('/').pop()!;

    // Staff start the digest and define two themes.
    const staff = account('staff');
    await signIn(reader, staff.email, staff.password);
    await visit(reader, `/staff/policies/${policyId}`);
    await clickAndAudit(
      reader,
      page.getByRole('link', { name: 'Tổng hợp, tiếp thu, giải trình ý kiến' }),
      page.getByRole('heading', { level: 1, name: 'Tổng hợp, tiếp thu, giải trình ý kiến' }),
    );
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Bắt đầu lập bản tổng hợp' }),
      page.getByText('Trạng thái: đang soạn'),
    );
    for (const [title, description] of [
      ['Công khai và miễn giảm', 'Ý kiến về công khai danh sách miễn, giảm.'],
      ['Mức thu', 'Ý kiến về mức thu tối đa.'],
    ]) {
      const form = page.locator('form', { has: page.getByRole('heading', { name: 'Thêm nhóm ý kiến' }) });
      await form.getByLabel('Tên nhóm').fill(title!);
      await form.getByLabel('Mô tả').fill(description!);
      await clickAndAudit(
        reader,
        form.getByRole('button', { name: 'Thêm nhóm' }),
        page.getByRole('heading', { level: 3, name: `Nhóm ${title === 'Mức thu' ? 2 : 1}: ${title}` }),
      );
    }

    // Bulk assignment from the list filtered to comments in no theme: two comments into the first theme at once.
    await page.getByLabel('Chỉ ý kiến chưa xếp nhóm').check();
    await clickAndAudit(reader, page.getByRole('button', { name: 'Lọc', exact: true }));
    expect(page.url()).toContain('unassigned=1');
    // Nothing chosen: the form says so.
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Xếp các ý kiến đã chọn vào nhóm' }),
      page.getByText('Hãy chọn ít nhất một ý kiến.'),
    );
    await page.getByLabel(new RegExp(PARENT_DISCLOSURE)).check();
    await page.getByLabel(new RegExp(PARENT_SUPPORT)).check();
    await page.getByRole('checkbox', { name: '1. Công khai và miễn giảm' }).check();
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Xếp các ý kiến đã chọn vào nhóm' }),
      page.getByText('Đã xếp ý kiến vào nhóm.'),
    );
    // The filtered list now holds the teacher's comment and the campaign's three letters.
    expect(await page.getByLabel(new RegExp(PARENT_DISCLOSURE)).count()).toBe(0);
    const campaign = /Kim Đồng|Kim Dong|KIM ĐỒNG/;
    await expect.poll(() => page.getByLabel(campaign).count()).toBe(3);

    // The analysis page proposes the campaign as one group of near-duplicates; staff confirm it.
    await visit(reader, `/staff/policies/${policyId}/analysis`);
    const candidate = page.locator('form.candidate').filter({ hasText: 'Kim Đồng' }).first();
    await expect.poll(() => candidate.locator('input[name="commentIds"]').count()).toBe(3);
    await clickAndAudit(
      reader,
      candidate.getByRole('button', { name: 'Xác nhận là trùng lặp' }),
      page.getByText('Đã xác nhận nhóm ý kiến trùng lặp.'),
    );

    // Back in the digest, the teacher's comment and the whole campaign go into the second theme at once.
    await visit(reader, `/staff/policies/${policyId}/digest?unassigned=1`);
    await page.getByLabel(new RegExp(TEACHER_RATE)).check();
    for (const box of await page.getByLabel(campaign).all()) await box.check();
    await page.getByRole('checkbox', { name: '2. Mức thu' }).check();
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Xếp các ý kiến đã chọn vào nhóm' }),
      page.getByText('Đã xếp ý kiến vào nhóm.'),
    );
    await expect.poll(() => page.getByText('Không có ý kiến nào phù hợp.').count()).toBe(1);

    // Each theme is answered; refusing in part needs a reason.
    const first = themeItem(page, 'Nhóm 1: Công khai và miễn giảm');
    await first.getByLabel('Tiếp thu một phần').check();
    await clickAndAudit(
      reader,
      first.getByRole('button', { name: 'Lưu tiếp thu, giải trình' }),
      page.getByText('Bắt buộc khi không tiếp thu hoặc chỉ tiếp thu một phần.').first(),
    );
    await themeItem(page, 'Nhóm 1: Công khai và miễn giảm').getByLabel('Tiếp thu một phần').check();
    await themeItem(page, 'Nhóm 1: Công khai và miễn giảm')
      .getByLabel('Nội dung tiếp thu, giải trình')
      .fill(
        'Bổ sung việc niêm yết danh sách miễn, giảm tại Điều 2; không nêu tên học sinh để bảo vệ thông tin cá nhân.',
      );
    await clickAndAudit(
      reader,
      themeItem(page, 'Nhóm 1: Công khai và miễn giảm').getByRole('button', { name: 'Lưu tiếp thu, giải trình' }),
      page.getByText('Đã lưu tiếp thu, giải trình.'),
    );
    const second = themeItem(page, 'Nhóm 2: Mức thu');
    await second.getByLabel('Không tiếp thu').check();
    await second
      .getByLabel('Nội dung tiếp thu, giải trình')
      .fill('Mức trần 30.000 đồng/ngày do Hội đồng nhân dân tỉnh quy định; các xã được thu thấp hơn.');
    await clickAndAudit(
      reader,
      second.getByRole('button', { name: 'Lưu tiếp thu, giải trình' }),
      page.getByText('Đã lưu tiếp thu, giải trình.'),
    );
    await screenshots(reader, 'staff-digest');

    // Staff close the round.
    await visit(reader, `/staff/policies/${policyId}`);
    const closeForm = page.locator('form', { has: page.getByRole('heading', { name: 'Kết thúc lấy ý kiến' }) });
    await closeForm.getByLabel('Lý do').fill('Đã nhận đủ ý kiến.');
    await clickAndAudit(
      reader,
      closeForm.getByRole('button', { name: 'Kết thúc lấy ý kiến' }),
      page.getByText('Đã kết thúc đợt lấy ý kiến.'),
    );
    await signOut(reader);

    // The policymaker cannot enact yet: the round's digest is not published, and the page says so instead of a form.
    const policymaker = account('policymaker');
    await signIn(reader, policymaker.email, policymaker.password);
    await visit(reader, `/staff/policies/${policyId}/enact`);
    expect(
      await page
        .getByRole('alert')
        .filter({ hasText: 'Đợt lấy ý kiến gần nhất chưa được tổng hợp, tiếp thu, giải trình.' })
        .count(),
    ).toBe(1);
    expect(await page.getByRole('button', { name: 'Ban hành', exact: true }).count()).toBe(0);
    await signOut(reader);

    // A spokesperson approves and publishes, with JavaScript: each step's button comes with the page's answer from
    // the API, so publishing is offered only once the approval is in. Drafting themes is not theirs.
    const spokesperson = account('spokesperson');
    const speaker = await newReader(browser, platform.baseUrl, { javaScript: true });
    await signIn(speaker, spokesperson.email, spokesperson.password);
    await visit(speaker, `/staff/policies/${policyId}/digest`);
    expect(await speaker.page.getByRole('button', { name: 'Thêm nhóm' }).count()).toBe(0);
    expect(await speaker.page.getByRole('button', { name: 'Công bố bản tổng hợp' }).count()).toBe(0);
    expect(
      await speaker.page
        .getByText('Bản tổng hợp, tiếp thu, giải trình phải được người phát ngôn duyệt trước khi công bố.')
        .count(),
    ).toBe(1);
    await clickAndAudit(
      speaker,
      speaker.page.getByRole('button', { name: 'Duyệt bản tổng hợp' }),
      speaker.page.getByText('Bản tổng hợp đã được duyệt.'),
    );
    await clickAndAudit(
      speaker,
      speaker.page.getByRole('button', { name: 'Công bố bản tổng hợp' }),
      speaker.page.getByText('Bản tổng hợp đã được công bố.'),
    );
    await expect
      .poll(() => speaker.page.getByText('6/6 ý kiến đang hiển thị của đợt được tổng hợp', { exact: false }).count())
      .toBe(1);
    expectAllAudited(speaker);
    await speaker.context.close();

    // Everyone sees the digest in its table.
    await visit(reader, `/policies/${policyId}/digest/1`);
    await screenshots(reader, 'digest-public');
    const table = page.getByRole('table');
    for (const header of [
      'STT',
      'Nội dung góp ý',
      'Cơ quan, tổ chức, cá nhân góp ý (đối tượng)',
      'Ý kiến tiếp thu, giải trình',
    ]) {
      await expect.poll(() => table.getByRole('columnheader', { name: header }).count()).toBe(1);
    }
    expect(await table.getByText('Nhóm 1: Công khai và miễn giảm').count()).toBe(1);
    expect(await table.getByText('Tiếp thu một phần').count()).toBe(1);
    expect(await table.getByText('Không tiếp thu').count()).toBe(1);
    expect(await table.getByText(TEACHER_RATE, { exact: false }).count()).toBe(1);
    // The teacher wrote the comment on the rate and one of the campaign's letters; all three letters are answered.
    expect(await table.getByText('Vũ Đức Anh').count()).toBe(2);
    expect(await table.getByText(/Kim Đồng|Kim Dong|KIM ĐỒNG/).count()).toBe(3);

    // The commenter follows the link from their comment to the answer it got.
    const parent = demo('parent@demo.gopy.vn');
    await signIn(reader, parent.email, parent.password);
    await visit(reader, href);
    const answered = page.getByRole('link', { name: 'Đã được giải trình' });
    await expect.poll(() => answered.count()).toBe(6);
    await clickAndAudit(
      reader,
      answered.first(),
      page.getByRole('heading', { level: 1, name: 'Bản tổng hợp, tiếp thu, giải trình ý kiến' }),
    );
    const target = new URL(page.url()).hash.slice(1);
    expect(target).toMatch(/^comment-/);
    await expect.poll(() => page.locator(`tr#${target}`).count()).toBe(1);
    await signOut(reader);

    // Now the policymaker enacts.
    await signIn(reader, policymaker.email, policymaker.password);
    await visit(reader, `/staff/policies/${policyId}/enact`);
    await page.getByLabel('Số quyết định').fill('15/QĐ-PGDĐT');
    await page.getByLabel('Ngày có hiệu lực').fill('2027-01-01');
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Ban hành', exact: true }),
      page.getByText('Chính sách đã được ban hành.'),
    );

    expectAllAudited(reader);
    await reader.context.close();
  }, 600_000);
});
