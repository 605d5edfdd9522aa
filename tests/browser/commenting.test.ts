// Commenting through the site: a parent comments on article 2 of version 1 and edits it; a teacher replies, agrees
// and flags it; the spokesperson answers officially; a moderator hides it (its author sees why) and restores it;
// staff record a letter, which shows with its channel; version 2 changes article 2, and the comment shows what the
// article said then, that it changed, and the change word by word. Then a .docx round trip through the import page.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { startPlatform } from '../support/platform';
import {
  CLOSE_CONSULTATION,
  OPEN_CONSULTATION,
  PROPOSE_POLICY,
  PUBLISH_DRAFT_VERSION,
  START_DRAFTING,
  inDays,
  ok,
  signInAs,
  staffOrganizationId,
  type Client,
  type NodeView,
  type ResultUnion,
} from '../api/support';
import { answerRound } from '../support/digest';
import {
  audit,
  clickAndAudit,
  expectAllAudited,
  launchBrowser,
  newReader,
  screenshots,
  signIn,
  uniqueSuffix,
  visit,
  type Reader,
} from './support';

type Platform = Awaited<ReturnType<typeof startPlatform>>;

let platform: Platform;
let browser: Browser;
let staffApi: Client;

beforeAll(async () => {
  platform = await startPlatform({ demo: true });
  browser = await launchBrowser();
  staffApi = await signInAs(platform, 'staff');
}, 180_000);

afterAll(async () => {
  // A reader without JavaScript closes its helper context for axe in the background: let those finish first, or
  // closing the browser under them rejects a promise no one awaits.
  for (let i = 0; i < 50 && (browser?.contexts().length ?? 0) > 0; i++) await new Promise((r) => setTimeout(r, 100));
  await browser?.close();
  await platform?.stop();
});

function account(role: string) {
  const found = platform.demoAccounts.find((a) => a.roles.includes(role));
  if (!found) throw new Error(`no demo account with role ${role}`);
  return found;
}
const parentAccount = () => platform.demoAccounts.find((a) => a.email === 'parent@demo.gopy.vn')!;
const teacherAccount = () => platform.demoAccounts.find((a) => a.email === 'teacher@demo.gopy.vn')!;

const ARTICLE_2_V1 = 'Mỗi học sinh được mượn tối đa ba cuốn sách trong một tuần.';
const ARTICLE_2_V2 = 'Mỗi học sinh được mượn tối đa năm cuốn sách trong hai tuần.';

function tree(
  article2Text: string,
  ids?: { chapter: string; a1: string; a2: string; clause: string; point: string },
): unknown[] {
  const id = (key: keyof NonNullable<typeof ids>) => (ids ? { id: ids[key] } : {});
  return [
    {
      ...id('chapter'),
      kind: 'CHAPTER',
      number: 'I',
      heading: 'Quy định chung',
      text: '',
      children: [
        {
          ...id('a1'),
          kind: 'ARTICLE',
          number: '1',
          heading: 'Phạm vi áp dụng',
          text: 'Quy định này áp dụng cho thư viện các trường tiểu học và trung học cơ sở trên địa bàn huyện.',
          children: [],
        },
        {
          ...id('a2'),
          kind: 'ARTICLE',
          number: '2',
          heading: 'Mượn sách',
          text: article2Text,
          children: [
            {
              ...id('clause'),
              kind: 'CLAUSE',
              number: '1',
              heading: '',
              text: 'Học sinh trả sách đúng hạn và giữ gìn sách cẩn thận.',
              children: [
                {
                  ...id('point'),
                  kind: 'POINT',
                  number: 'a',
                  heading: '',
                  text: 'Sách hỏng phải báo cho thủ thư;',
                  children: [],
                },
              ],
            },
          ],
        },
      ],
    },
  ];
}

async function newPolicy(title: string, nodes: unknown[]): Promise<string> {
  const organizationId = await staffOrganizationId(staffApi);
  const proposed = await staffApi.gql<{ proposePolicy: ResultUnion }>(PROPOSE_POLICY, {
    input: {
      organizationId,
      title,
      summary: 'Dự thảo quy định về việc mượn sách ở thư viện trường.',
      topics: ['thư viện'],
    },
  });
  const policyId = ok<{ policy: { id: string } }>(proposed.proposePolicy).policy.id;
  ok((await staffApi.gql<{ startDrafting: ResultUnion }>(START_DRAFTING, { policyId })).startDrafting);
  ok(
    (
      await staffApi.gql<{ publishDraftVersion: ResultUnion }>(PUBLISH_DRAFT_VERSION, {
        input: { policyId, title, changeNote: 'Bản dự thảo lần 1', nodes },
      })
    ).publishDraftVersion,
  );
  return policyId;
}

const VERSIONS_QUERY = `query($id: ID!) { policy(id: $id) { versions { number nodes { ...N children { ...N children { ...N children { ...N } } } } } } }
	fragment N on DraftNode { id kind number heading text }`;

async function versions(policyId: string): Promise<{ number: number; nodes: NodeView[] }[]> {
  return (
    await staffApi.gql<{ policy: { versions: { number: number; nodes: NodeView[] }[] } }>(VERSIONS_QUERY, {
      id: policyId,
    })
  ).policy.versions;
}

const shape = (nodes: NodeView[]): unknown =>
  nodes.map((n) => ({
    kind: n.kind,
    number: n.number,
    heading: n.heading,
    text: n.text,
    children: shape(n.children ?? []),
  }));
const ids = (nodes: NodeView[]): string[] => nodes.flatMap((n) => [n.id, ...ids(n.children ?? [])]);

/** A top-level comment of the public list by its text (its replies are inside it, so match its own body only). */
function commentWith(page: Page, body: string): Locator {
  return page
    .locator('#comments .comment-list > li > article.comment')
    .filter({ has: page.locator(':scope > p.comment-body', { hasText: body }) });
}

/** One of a comment's own forms (not those of its replies), by the words that open it. */
function ownForm(comment: Locator, summary: string | RegExp): Locator {
  return comment
    .locator(':scope > details.c7-form')
    .filter({ has: comment.page().locator(':scope > summary', { hasText: summary }) });
}

async function commentOnArticle2(reader: Reader, policyHref: string, body: string): Promise<void> {
  const { page } = reader;
  await visit(reader, policyHref);
  const details = page
    .locator('details.node-comment')
    .filter({ has: page.locator('summary', { hasText: /^Góp ý về Điều 2$/ }) });
  await details.locator('summary').click();
  await details.getByLabel('Nội dung góp ý').fill(body);
  await details.getByLabel('Đề xuất', { exact: true }).check();
  await clickAndAudit(reader, details.getByRole('button', { name: 'Gửi góp ý' }), commentWith(page, body));
}

describe('commenting on a draft through the site', () => {
  it('anchors, threads, endorsements, flags, moderation, official replies, offline letters and version changes', async () => {
    const suffix = uniqueSuffix();
    const title = `Quy định mượn sách thư viện trường học (${suffix})`;
    const policyId = await newPolicy(title, tree(ARTICLE_2_V1));
    ok(
      (
        await staffApi.gql<{ openConsultation: ResultUnion }>(OPEN_CONSULTATION, {
          input: { policyId, closesAt: inDays(14), note: 'Lấy ý kiến cha mẹ học sinh và giáo viên.' },
        })
      ).openConsultation,
    );
    const policyHref = `/policies/${policyId}`;
    const first = `Nên cho mượn nhiều sách hơn vào dịp nghỉ hè (${suffix}).`;
    const edited = `Nên cho mượn nhiều sách hơn vào dịp nghỉ hè và nghỉ Tết (${suffix}).`;

    // 1. A parent, without JavaScript, comments on article 2 of version 1 and edits the comment.
    const parent = await newReader(browser, platform.baseUrl, { javaScript: false });
    await signIn(parent, parentAccount().email, parentAccount().password);
    await commentOnArticle2(parent, policyHref, first);
    let mine = commentWith(parent.page, first);
    expect(await mine.locator('.comment-meta').textContent()).toContain('phiên bản 1');
    expect(await mine.locator('.c7-anchor').textContent()).toContain('Góp ý về Điều 2, phiên bản 1, khi đó ghi:');
    expect(await mine.locator('.c7-anchor blockquote').first().textContent()).toBe(ARTICLE_2_V1);

    const editForm = ownForm(mine, 'Sửa góp ý');
    await editForm.locator('summary').click();
    await editForm.getByLabel('Nội dung mới').fill(edited);
    await clickAndAudit(
      parent,
      editForm.getByRole('button', { name: 'Lưu bản sửa' }),
      parent.page.getByText('Đã lưu bản sửa. Các bản trước vẫn được lưu lại.'),
    );
    mine = commentWith(parent.page, edited);
    expect(await mine.locator('.comment-meta').textContent()).toContain('đã sửa');
    const history = mine.locator('details.c7-history');
    expect(await history.locator('summary').textContent()).toBe('Xem các bản trước (1)');
    await history.locator('summary').click();
    expect(await history.locator('.comment-body').textContent()).toBe(first);

    // 2. A teacher, with JavaScript, replies, agrees and flags.
    const teacher = await newReader(browser, platform.baseUrl, { javaScript: true });
    await signIn(teacher, teacherAccount().email, teacherAccount().password);
    await visit(teacher, policyHref);
    let theirs = commentWith(teacher.page, edited);
    const reply = `Tôi đồng ý, nhưng cần thêm sách cho thư viện trước đã (${suffix}).`;
    const replyForm = ownForm(theirs, /^Trả lời$/);
    await replyForm.locator('summary').click();
    await replyForm.getByLabel('Nội dung trả lời').fill(reply);
    await replyForm.getByLabel('Đồng ý', { exact: true }).check();
    await clickAndAudit(
      teacher,
      replyForm.getByRole('button', { name: 'Gửi trả lời' }),
      theirs.locator('.c7-replies .comment-body', { hasText: reply }),
    );
    expect(await theirs.locator('.c7-replies article.comment').count()).toBe(1);

    await clickAndAudit(
      teacher,
      theirs.locator(':scope > .c7-actions').getByRole('button', { name: /^Tôi đồng tình/ }),
      theirs.locator(':scope > .c7-actions').getByText('1 người đồng tình', { exact: false }),
    );
    theirs = commentWith(teacher.page, edited);
    await expect
      .poll(() => theirs.locator(':scope > .c7-actions .c7-endorsements').textContent())
      .toContain('bạn đã đồng tình');
    expect(
      await theirs
        .locator(':scope > .c7-actions')
        .getByRole('button', { name: /^Tôi đồng tình/ })
        .count(),
    ).toBe(0);

    const flagForm = ownForm(theirs, 'Báo cáo vi phạm');
    await flagForm.locator('summary').click();
    await flagForm.getByLabel('Lý do báo cáo').selectOption({ label: 'Lăng mạ, xúc phạm' });
    await flagForm.getByLabel('Ghi chú (không bắt buộc)').fill('Lời lẽ chưa phù hợp với học sinh');
    await clickAndAudit(
      teacher,
      flagForm.getByRole('button', { name: 'Gửi báo cáo' }),
      teacher.page.getByText('Cảm ơn bạn. Người kiểm duyệt sẽ xem xét.'),
    );

    // The author may not agree with their own comment; others see the count.
    await visit(parent, policyHref);
    mine = commentWith(parent.page, edited);
    expect(
      await mine
        .locator(':scope > .c7-actions')
        .getByRole('button', { name: /^Tôi đồng tình/ })
        .count(),
    ).toBe(0);
    // The teacher's reply, though, they may agree with.
    expect(
      await mine
        .locator('.c7-replies')
        .getByRole('button', { name: /^Tôi đồng tình/ })
        .count(),
    ).toBe(1);
    expect(await mine.locator(':scope > .c7-actions .c7-endorsements').textContent()).toContain('1 người đồng tình');

    // 3. The spokesperson answers officially.
    const spokesperson = await newReader(browser, platform.baseUrl, { javaScript: true });
    await signIn(spokesperson, account('spokesperson').email, account('spokesperson').password);
    await visit(spokesperson, policyHref);
    const official = `Ban soạn thảo tiếp thu và sẽ xem xét mở rộng thời hạn mượn trong kỳ nghỉ (${suffix}).`;
    const answered = commentWith(spokesperson.page, edited);
    const officialForm = ownForm(answered, 'Viết trả lời chính thức');
    await officialForm.locator('summary').click();
    await officialForm.getByLabel('Nội dung trả lời chính thức').fill(official);
    await clickAndAudit(
      spokesperson,
      officialForm.getByRole('button', { name: 'Đăng trả lời chính thức' }),
      answered.locator(':scope > .c7-official', { hasText: official }),
    );
    expect(await answered.locator(':scope > .c7-official .tag').textContent()).toBe('Trả lời chính thức');

    // 4. A moderator, without JavaScript, hides the flagged comment with a reason.
    const moderator = await newReader(browser, platform.baseUrl, { javaScript: false });
    await signIn(moderator, account('moderator').email, account('moderator').password);
    await clickAndAudit(
      moderator,
      moderator.page.getByRole('link', { name: 'Kiểm duyệt', exact: true }),
      moderator.page.getByRole('heading', { level: 1, name: 'Kiểm duyệt góp ý' }),
    );
    await screenshots(moderator, 'moderation');
    const flagged = moderator.page.locator('li.c7-flag').filter({ hasText: edited });
    expect(await flagged.textContent()).toContain('Bị báo cáo: Lăng mạ, xúc phạm');
    expect(await flagged.textContent()).toContain('Ghi chú của người báo cáo: Lời lẽ chưa phù hợp với học sinh');
    const hideReason = 'Ngôn từ chưa phù hợp; mời tác giả viết lại nhẹ nhàng hơn';
    // The reason is required: an empty one is refused with a message on the field.
    await flagged.getByLabel('Lý do ẩn (tác giả sẽ đọc được)').evaluate((input) => input.removeAttribute('required'));
    await clickAndAudit(
      moderator,
      flagged.getByRole('button', { name: 'Ẩn góp ý' }),
      moderator.page.getByText('Vui lòng ghi lý do.'),
    );
    const flaggedAgain = moderator.page.locator('li.c7-flag').filter({ hasText: edited });
    await flaggedAgain.getByLabel('Lý do ẩn (tác giả sẽ đọc được)').fill(hideReason);
    await clickAndAudit(
      moderator,
      flaggedAgain.getByRole('button', { name: 'Ẩn góp ý' }),
      moderator.page.getByText('Đã ẩn góp ý. Tác giả sẽ thấy lý do.'),
    );
    expect(await moderator.page.locator('li.c7-flag').filter({ hasText: edited }).count()).toBe(0);

    // Hidden: gone from the public page; its author sees it, and why.
    const anonymous = await newReader(browser, platform.baseUrl, { javaScript: false });
    await visit(anonymous, policyHref);
    expect(await anonymous.page.getByText(edited).count()).toBe(0);
    await visit(parent, policyHref);
    const hiddenMine = parent.page.locator('#my-hidden');
    expect(await hiddenMine.getByRole('heading', { name: 'Góp ý của bạn đã bị ẩn' }).count()).toBe(1);
    expect(await hiddenMine.getByText(edited).count()).toBe(1);
    expect(await hiddenMine.locator('.c7-hidden-notice').textContent()).toContain(`Lý do: ${hideReason}`);
    await screenshots(parent, 'policy-own-hidden');

    // 5. The moderator restores it with a reason; everyone sees it again.
    const hiddenItem = moderator.page
      .locator('section[aria-labelledby="hidden-heading"] li')
      .filter({ hasText: edited });
    await hiddenItem.getByLabel('Lý do khôi phục').fill('Tác giả đã được nhắc nhở; nội dung có ích cho dự thảo');
    await clickAndAudit(
      moderator,
      hiddenItem.getByRole('button', { name: 'Khôi phục' }),
      moderator.page.getByText('Đã khôi phục góp ý.'),
    );
    await visit(anonymous, policyHref);
    expect(await commentWith(anonymous.page, edited).count()).toBe(1);
    expect(await commentWith(anonymous.page, edited).locator('.c7-replies').getByText(reply).count()).toBe(1);

    // 6. Staff record a letter, without JavaScript; it shows with its channel.
    const staff = await newReader(browser, platform.baseUrl, { javaScript: false });
    await signIn(staff, account('staff').email, account('staff').password);
    await visit(staff, `/staff/policies/${policyId}`);
    await clickAndAudit(
      staff,
      staff.page.getByRole('link', { name: 'Ghi nhận ý kiến ngoài cổng' }),
      staff.page.getByRole('heading', { level: 1, name: 'Ghi nhận ý kiến ngoài cổng' }),
    );
    const letter = `Hội cha mẹ học sinh lớp 5A đề nghị thư viện mở cửa cả sáng thứ Bảy (${suffix}).`;
    // Nothing filled in: every required field says what is missing.
    for (const label of ['Kênh tiếp nhận', 'Người gửi là', 'Nội dung ý kiến']) {
      await staff.page.getByLabel(label).evaluate((el) => el.removeAttribute('required'));
    }
    for (const radio of await staff.page.locator('input[name="stance"]').all())
      await radio.evaluate((el) => el.removeAttribute('required'));
    await clickAndAudit(
      staff,
      staff.page.getByRole('button', { name: 'Ghi nhận ý kiến' }),
      staff.page.getByText('Vui lòng chọn kênh tiếp nhận.'),
    );
    expect(await staff.page.getByText('Vui lòng chọn nhóm người gửi.').count()).toBe(1);
    await staff.page.getByLabel('Kênh tiếp nhận').selectOption({ label: 'Thư, công văn' });
    await staff.page.getByLabel('Người gửi là').selectOption({ label: 'Cha mẹ học sinh' });
    await staff.page.getByLabel('Họ và tên').fill('Lê Văn Phúc');
    await staff.page.getByLabel('Cơ quan, tổ chức').fill('Ban đại diện cha mẹ học sinh lớp 5A');
    await staff.page.getByLabel('Góp ý về').selectOption({ label: 'Điều 2: Mượn sách' });
    await staff.page.getByLabel('Nội dung ý kiến').fill(letter);
    await staff.page.getByLabel('Đề xuất', { exact: true }).check();
    const scan = Buffer.from(
      `%PDF-1.4\n% Bản quét thư của ban đại diện cha mẹ học sinh lớp 5A (${suffix})\n%%EOF\n`,
      'utf8',
    );
    await staff.page
      .getByLabel('Bản quét thư hoặc biên bản (không bắt buộc)')
      .setInputFiles({ name: 'thu-lop-5A.pdf', mimeType: 'application/pdf', buffer: scan });
    await clickAndAudit(
      staff,
      staff.page.getByRole('button', { name: 'Ghi nhận ý kiến' }),
      staff.page.getByText('Đã ghi nhận ý kiến.'),
    );
    await screenshots(staff, 'staff-offline');
    await visit(anonymous, policyHref);
    const recorded = commentWith(anonymous.page, letter);
    expect(await recorded.locator('.c7-channel').textContent()).toBe('Kênh: Thư, công văn');
    expect(await recorded.locator('.comment-meta').textContent()).toContain('Điều 2');
    // The scan is for staff (and moderators, auditors) only: listed and downloadable for them, not for the public.
    expect(await recorded.locator('.c7-attachments').count()).toBe(0);
    await visit(staff, policyHref);
    const scanLink = commentWith(staff.page, letter)
      .locator('.c7-attachments')
      .getByRole('link', { name: 'thu-lop-5A.pdf' });
    const scanHref = (await scanLink.getAttribute('href'))!;
    const fetched = await staff.page.request.get(scanHref);
    expect(fetched.status()).toBe(200);
    expect((await fetched.body()).equals(scan)).toBe(true);
    // Answered as a file that does not exist.
    expect((await anonymous.page.request.get(scanHref)).status()).toBe(404);

    // 7. The round closes and is answered; version 2 changes article 2.
    ok(
      (await staffApi.gql<{ closeConsultation: ResultUnion }>(CLOSE_CONSULTATION, { policyId, reason: 'Đã đủ ý kiến' }))
        .closeConsultation,
    );
    await answerRound(platform, staffApi, policyId, 1);
    const [v1] = await versions(policyId);
    const chapter = v1!.nodes[0]!;
    const [a1, a2] = chapter.children!;
    const clause = a2!.children![0]!;
    const point = clause.children![0]!;
    ok(
      (
        await staffApi.gql<{ publishDraftVersion: ResultUnion }>(PUBLISH_DRAFT_VERSION, {
          input: {
            policyId,
            title,
            changeNote: 'Tiếp thu ý kiến về thời hạn mượn sách',
            nodes: tree(ARTICLE_2_V2, {
              chapter: chapter.id,
              a1: a1!.id,
              a2: a2!.id,
              clause: clause.id,
              point: point.id,
            }),
          },
        })
      ).publishDraftVersion,
    );

    await visit(anonymous, policyHref);
    const anchored = commentWith(anonymous.page, edited);
    const anchor = anchored.locator('.c7-anchor');
    expect(await anchor.locator('blockquote').first().textContent()).toBe(ARTICLE_2_V1);
    expect(await anchor.locator('.c7-changed').textContent()).toContain('Đã thay đổi từ khi góp ý');
    expect(await anchor.locator('.c7-changed').textContent()).toContain('sửa lời');
    expect(await anchor.textContent()).toContain('Nội dung hiện nay (phiên bản 2):');
    expect(await anchor.locator('blockquote.c7-now').textContent()).toBe(ARTICLE_2_V2);
    await screenshots(anonymous, 'policy-comment-changed');

    // The change, word by word, on the diff page.
    await clickAndAudit(
      anonymous,
      anchor.getByRole('link', { name: 'Xem thay đổi' }),
      anonymous.page.getByRole('heading', { level: 1, name: 'So sánh các phiên bản' }),
    );
    const changed = anonymous.page.locator(`#diff-${a2!.id}`);
    expect(await changed.locator('.tag').allTextContents()).toContain('sửa lời');
    expect(await changed.locator('del').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('ba'), expect.stringContaining('một')]),
    );
    expect(await changed.locator('ins').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('năm'), expect.stringContaining('hai')]),
    );
    expect(await anonymous.page.locator(`#diff-${a1!.id}`).count()).toBe(0);
    await screenshots(anonymous, 'policy-diff');
    // A version that does not exist is said so next to the field, not a server error.
    await visit(anonymous, `${policyHref}/diff?from=1&to=9`);
    expect(await anonymous.page.getByText('Không có phiên bản 9.').count()).toBe(1);

    // Downloads of each version, linked from the policy page.
    await visit(anonymous, policyHref);
    const docxLink = anonymous.page.getByRole('link', { name: 'Tải về .docx Phiên bản 2' });
    const pdfLink = anonymous.page.getByRole('link', { name: 'Tải về .pdf Phiên bản 1' });
    for (const [link, type, magic] of [
      [docxLink, 'wordprocessingml', 'PK'],
      [pdfLink, 'application/pdf', '%PDF'],
    ] as const) {
      const res = await fetch(new URL((await link.getAttribute('href'))!, platform.baseUrl));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(
        Buffer.from(await res.arrayBuffer())
          .subarray(0, magic.length)
          .toString('latin1'),
      ).toBe(magic);
    }

    for (const reader of [parent, teacher, spokesperson, moderator, anonymous, staff]) {
      expectAllAudited(reader);
      await reader.context.close();
    }
  }, 600_000);

  it('round-trips a .docx: download version 1, import it, publish it as version 2, same tree and same node ids; attaches the tờ trình', async () => {
    const suffix = uniqueSuffix();
    const title = `Quy định mượn sách (nhập từ Word, ${suffix})`;
    const policyId = await newPolicy(title, tree(ARTICLE_2_V1));
    const res = await fetch(`${platform.baseUrl}/export/policies/${policyId}/versions/1.docx`);
    expect(res.status).toBe(200);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-docx-')), 'du-thao-v1.docx');
    fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));

    const staff = await newReader(browser, platform.baseUrl, { javaScript: false });
    await signIn(staff, account('staff').email, account('staff').password);
    await visit(staff, `/staff/policies/${policyId}`);
    await clickAndAudit(
      staff,
      staff.page.getByRole('link', { name: 'Nhập dự thảo từ tệp .docx' }),
      staff.page.getByRole('heading', { level: 1, name: 'Nhập dự thảo từ tệp .docx' }),
    );
    // No file: a message on the field.
    await staff.page.getByLabel('Tệp dự thảo (.docx)').evaluate((el) => el.removeAttribute('required'));
    await clickAndAudit(
      staff,
      staff.page.getByRole('button', { name: 'Đọc tệp' }),
      staff.page.getByText('Vui lòng chọn một tệp .docx.'),
    );
    await staff.page.getByLabel('Tệp dự thảo (.docx)').setInputFiles(file);
    await clickAndAudit(
      staff,
      staff.page.getByRole('button', { name: 'Đọc tệp' }),
      staff.page.getByRole('heading', { name: 'Cây dự thảo đọc được (5 mục)' }),
    );
    expect(
      await staff.page.getByText('5 mục trùng vị trí và số với phiên bản 1 giữ nguyên mã', { exact: false }).count(),
    ).toBe(1);
    expect(await staff.page.locator('.c7-tree').first().textContent()).toContain(ARTICLE_2_V1);
    await screenshots(staff, 'staff-import');
    await clickAndAudit(
      staff,
      staff.page.getByRole('button', { name: 'Công bố phiên bản này' }),
      staff.page.getByText('Đã công bố phiên bản dự thảo mới.'),
    );

    const [v1, v2] = await versions(policyId);
    expect(v2?.number).toBe(2);
    expect(shape(v2!.nodes)).toEqual(shape(v1!.nodes));
    expect(ids(v2!.nodes)).toEqual(ids(v1!.nodes));

    // And version 2 downloaded and read again is still the same tree.
    const again = await fetch(`${platform.baseUrl}/export/policies/${policyId}/versions/2.docx`);
    const fileBase64 = Buffer.from(await again.arrayBuffer()).toString('base64');
    const read = await staffApi.gql<{ importDraftDocx: ResultUnion }>(
      `mutation($id: ID!, $f: String!) { importDraftDocx(policyId: $id, fileBase64: $f) { __typename ... on MutationImportDraftDocxSuccess { data { warnings nodes { ...N children { ...N children { ...N children { ...N } } } } } } ... on Error { code message } } }
			fragment N on DraftNode { id kind number heading text }`,
      { id: policyId, f: fileBase64 },
    );
    const preview = ok<{ warnings: string[]; nodes: NodeView[] }>(read.importDraftDocx);
    expect(preview.warnings).toEqual([]);
    expect(shape(preview.nodes)).toEqual(shape(v1!.nodes));

    // The explanatory memorandum (tờ trình) attached to version 2, public on the policy page.
    await visit(staff, `/staff/policies/${policyId}`);
    await clickAndAudit(
      staff,
      staff.page.getByRole('link', { name: 'Tài liệu kèm theo phiên bản' }),
      staff.page.getByRole('heading', { level: 1, name: 'Tài liệu kèm theo phiên bản' }),
    );
    const memo = Buffer.from(`%PDF-1.4\n% Tờ trình số 12/TTr-PGDĐT (${suffix})\n%%EOF\n`, 'utf8');
    await staff.page.getByLabel('Phiên bản', { exact: true }).selectOption('2');
    await staff.page.getByLabel('Loại tài liệu').selectOption({ label: 'Tờ trình' });
    await staff.page.getByLabel('Tên tài liệu').fill('Tờ trình số 12/TTr-PGDĐT về dự thảo quy định mượn sách');
    await staff.page
      .getByLabel('Tệp (PDF hoặc Word)')
      .setInputFiles({ name: 'to-trinh-12.pdf', mimeType: 'application/pdf', buffer: memo });
    await clickAndAudit(
      staff,
      staff.page.getByRole('button', { name: 'Đính kèm' }),
      staff.page.getByText('Đã đính kèm tài liệu.'),
    );
    expect(await staff.page.locator('section[aria-labelledby="docs-heading"]').textContent()).toContain(
      'Tờ trình số 12/TTr-PGDĐT về dự thảo quy định mượn sách',
    );
    const reader = await newReader(browser, platform.baseUrl, { javaScript: false });
    await visit(reader, `/policies/${policyId}`);
    const memoLink = reader.page
      .locator('#versions')
      .getByRole('link', { name: 'Tờ trình: Tờ trình số 12/TTr-PGDĐT về dự thảo quy định mượn sách' });
    const memoRes = await reader.page.request.get((await memoLink.getAttribute('href'))!);
    expect(memoRes.status()).toBe(200);
    expect((await memoRes.body()).equals(memo)).toBe(true);
    expectAllAudited(reader);
    await reader.context.close();

    await audit(staff, 'after publishing');
    expectAllAudited(staff);
    await staff.context.close();
  }, 300_000);
});
