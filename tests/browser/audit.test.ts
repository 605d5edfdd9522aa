// An auditor, with JavaScript off, browses the event log and its filters, verifies the log, opens a policy's
// history and views the policy "as of" a moment before a moderator hid a comment (visible, no trace of the later
// hiding), then as of now (hidden, with the moderator's reason); the read of hidden content is in the read log.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startPlatform } from '../support/platform';
import { ERROR_FIELDS, signInAs, sleep, type Client, type ResultUnion } from '../api/support';
import {
  clickAndAudit,
  expectAllAudited,
  launchBrowser,
  newReader,
  screenshots,
  signIn,
  uniqueSuffix,
  visit,
} from './support';

type Platform = Awaited<ReturnType<typeof startPlatform>>;

let platform: Platform;
let browser: Browser;

beforeAll(async () => {
  // Checkpoints sealed every two seconds, so the verification page has signed checkpoints to list.
  platform = await startPlatform({ demo: true, env: { GOPY_SEAL_INTERVAL_MS: '2000' } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

const HIDE = `mutation Hide($id: ID!, $reason: String!) {
	hideComment(commentId: $id, reasonCode: OFF_TOPIC, reason: $reason) {
		${ERROR_FIELDS}
		... on MutationHideCommentSuccess { data { comment { id status } } }
	}
}`;

/** The open demo policy and its comment that says it supports the draft. */
async function supportComment(
  api: Client,
): Promise<{ policyId: string; title: string; commentId: string; body: string }> {
  const { policies } = await api.gql<{
    policies: {
      edges: {
        node: {
          id: string;
          title: string;
          comments: { edges: { node: { id: string; body: string; stance: string } }[] };
        };
      }[];
    };
  }>(
    `{ policies(status: CONSULTATION, first: 3) { edges { node { id title comments(first: 10) { edges { node { id body stance } } } } } } }`,
  );
  for (const { node } of policies.edges) {
    const comment = node.comments.edges.map((e) => e.node).find((c) => c.stance === 'SUPPORT');
    if (comment) return { policyId: node.id, title: node.title, commentId: comment.id, body: comment.body };
  }
  throw new Error('the demo data has no supporting comment on an open policy');
}

/** An instant as <input type="datetime-local" step="1"> wants it, in Vietnam time (UTC+7, no daylight saving). */
function vietnamLocal(at: Date): string {
  return new Date(at.getTime() + 7 * 3_600_000).toISOString().slice(0, 19);
}

describe('the auditor area', () => {
  it('shows the log, the verification, a policy history and the policy as of a moment before a comment was hidden', async () => {
    const moderator = await signInAs(platform, 'moderator');
    const target = await supportComment(moderator);
    // A moment strictly between the comment and its hiding, to the second (the as-of form's precision).
    await sleep(1_100);
    const beforeHiding = new Date();
    await sleep(1_100);
    const reason = `Góp ý lạc đề, đã chuyển sang kênh hỏi đáp (${uniqueSuffix()})`;
    const { hideComment } = await moderator.gql<{ hideComment: ResultUnion }>(HIDE, { id: target.commentId, reason });
    expect(hideComment.__typename, JSON.stringify(hideComment)).toBe('MutationHideCommentSuccess');

    const auditorAccount = platform.demoAccounts.find((a) => a.roles.includes('auditor'))!;
    const reader = await newReader(browser, platform.baseUrl, { javaScript: false });
    const { page } = reader;
    await signIn(reader, auditorAccount.email, auditorAccount.password);

    // The global log: every event with its hashes and whether they check.
    await clickAndAudit(
      reader,
      page.getByRole('link', { name: 'Kiểm toán', exact: true }),
      page.getByRole('heading', { name: 'Nhật ký sự kiện', level: 1 }),
    );
    const rows = page.locator('tr.audit-event');
    expect(await rows.count()).toBeGreaterThan(10);
    expect(await page.locator('.hash-check', { hasText: /^Khớp$/ }).count()).toBe(await rows.count());
    expect(await page.getByText('Không khớp').count()).toBe(0);
    await screenshots(reader, 'audit-log');

    // Filters: by event type (the moderator's hiding), then by its actor.
    await page.getByLabel('Loại sự kiện').selectOption('CommentHidden');
    await clickAndAudit(reader, page.getByRole('button', { name: 'Lọc', exact: true }), page.locator('tr.audit-event'));
    expect(await page.locator('tr.audit-event').count()).toBe(1);
    expect(await page.locator('tr.audit-event[data-event-type="CommentHidden"]').count()).toBe(1);
    expect(await page.locator('tr.audit-event').getByText('Người kiểm duyệt').count()).toBe(1);
    await clickAndAudit(reader, page.locator('tr.audit-event td a').first(), page.locator('tr.audit-event'));
    expect(new URL(page.url()).searchParams.get('actor')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await page.locator('tr.audit-event[data-event-type="CommentHidden"]').count()).toBe(1);
    // A time range that ends before the log began finds nothing, and a nonsense type is a field message.
    await visit(reader, '/audit?to=2020-01-01T00:00:00');
    expect(await page.getByText('Không có sự kiện nào khớp bộ lọc.').count()).toBe(1);
    await visit(reader, '/audit?type=KhongCo');
    expect(await page.getByText('Chọn một loại sự kiện trong danh sách.').count()).toBe(1);

    // Verification: chains, checkpoints and signatures, and the public key.
    await clickAndAudit(
      reader,
      page.getByRole('link', { name: 'Kiểm tra toàn vẹn' }),
      page.getByRole('heading', { name: /^Toàn vẹn/ }),
    );
    expect(await page.getByRole('link', { name: 'Khóa công khai để tự kiểm tra chữ ký' }).getAttribute('href')).toBe(
      '/.well-known/gopy-audit-key',
    );
    expect(await page.locator('section[aria-labelledby="checkpoints-heading"] tbody tr').count()).toBeGreaterThan(0);
    expect(await page.getByText('Chưa có điểm niêm phong nào.').count()).toBe(0);
    const key = await fetch(`${platform.baseUrl}/.well-known/gopy-audit-key`);
    expect(await key.text()).toContain('PUBLIC KEY');
    // What no checkpoint covers yet, and the witness an auditor keeps away from the server.
    expect(await page.getByRole('heading', { name: 'Phần cuối chưa niêm phong', level: 2 }).count()).toBe(1);
    expect(await page.locator('p.unsealed-tail').textContent()).toMatch(
      /^\s*(Không có: điểm niêm phong mới nhất bao trùm mọi sự kiện\.|[\d.]+ sự kiện chưa được điểm niêm phong có chữ ký nào bao trùm: từ vị trí \S+ đến \S+, ghi nhận từ .+ đến .+\.)\s*$/,
    );
    const witnessLink = page.getByRole('link', { name: 'Tải bản chứng thực (JSON)' });
    expect(await witnessLink.getAttribute('href')).toBe('/export/audit/witness.json');
    const witness = await reader.context.request.get(`${platform.baseUrl}/export/audit/witness.json`);
    expect(witness.status()).toBe(200);
    expect(((await witness.json()) as { format: string }).format).toBe('gopy-audit-witness-1');
    await screenshots(reader, 'audit-verify');

    // The policy's history: who did what, when, with which reason.
    await clickAndAudit(
      reader,
      page.getByRole('link', { name: 'Lịch sử dự thảo' }),
      page.getByRole('heading', { name: 'Lịch sử các dự thảo' }),
    );
    await clickAndAudit(
      reader,
      page.getByRole('link', { name: target.title, exact: true }),
      page.locator('tr.history-row'),
    );
    const hidden = page.locator('tr.history-row[data-event-type="CommentHidden"]');
    expect(await hidden.count()).toBe(1);
    expect(await hidden.locator('th').textContent()).toMatch(/^\s*Ẩn góp ý/);
    expect(await hidden.getByText(reason).count()).toBe(1);
    expect(await page.locator('tr.history-row[data-event-type="PolicyProposed"]').count()).toBe(1);
    expect(await page.locator('tr.history-row[data-event-type="ConsultationOpened"]').count()).toBe(1);
    await screenshots(reader, 'audit-history');

    // As of the moment the comment was submitted (a log position): visible, no trace of the later hiding.
    const submitted = page
      .locator('tr.history-row[data-event-type="CommentSubmitted"]')
      .filter({ hasText: target.body.slice(0, 40) });
    expect(await submitted.count()).toBe(1);
    const author = platform.demoAccounts.find((a) => a.email.startsWith('parent@'))!.displayName;
    expect(await submitted.locator('td strong').textContent()).toBe(author);
    await clickAndAudit(
      reader,
      submitted.getByRole('link', { name: /^Xem lúc đó/ }),
      page.getByRole('heading', { name: /^Như lúc vị trí/ }),
    );
    const comment = page.locator(`article[data-comment-id="${target.commentId}"]`);
    expect(await comment.getByText(target.body).count()).toBe(1);
    expect(await comment.locator('.state').textContent()).toBe('Đang hiển thị');
    expect(await comment.getByText(/Lý do ẩn/).count()).toBe(0);
    expect(await page.getByText('Đang lấy ý kiến').count()).toBeGreaterThan(0);

    // As of a date and time between the comment and its hiding: the same.
    await page.getByLabel('Ngày giờ (giờ Việt Nam, đến từng giây)').fill(vietnamLocal(beforeHiding));
    await clickAndAudit(
      reader,
      page.getByRole('form', { name: 'Theo ngày giờ' }).getByRole('button', { name: 'Xem' }),
      comment,
    );
    // Chromium's datetime-local field drops ":00" seconds from its value: both spellings are the same moment.
    const sent = vietnamLocal(beforeHiding);
    expect([sent, sent.replace(/:00$/, '')]).toContain(new URL(page.url()).searchParams.get('at'));
    expect(await comment.locator('.state').textContent()).toBe('Đang hiển thị');
    expect(await comment.getByText(target.body).count()).toBe(1);
    expect(await comment.getByText(/Lý do ẩn/).count()).toBe(0);
    await screenshots(reader, 'audit-as-of');

    // Now: hidden, with the moderator's reason, and the text still there for the auditor.
    await clickAndAudit(reader, page.getByRole('link', { name: 'Hiện tại' }), comment);
    expect(await comment.locator('.state').textContent()).toBe('Bị ẩn');
    expect(await comment.getByText(`Lý do ẩn: ${reason}`).count()).toBe(1);
    expect(await comment.getByText(target.body).count()).toBe(1);

    // A nonsense moment is a message next to the field, not an error page.
    await visit(reader, `/audit/policies/${target.policyId}/as-of?at=31-12-2026`);
    expect(await page.getByText('Nhập ngày giờ hợp lệ.').count()).toBeGreaterThan(0);

    // Reading hidden content was itself recorded, and auditors see that record.
    await clickAndAudit(
      reader,
      page.getByRole('link', { name: 'Nhật ký đọc dữ liệu nhạy cảm' }),
      page.getByRole('heading', { name: 'Nhật ký đọc dữ liệu nhạy cảm', level: 1 }),
    );
    expect(await page.locator('tbody tr').filter({ hasText: target.policyId }).count()).toBeGreaterThan(0);

    // In English too.
    await clickAndAudit(reader, page.getByRole('button', { name: 'English' }), page.locator('html[lang="en"]'));
    expect(await page.getByRole('heading', { name: 'Reads of sensitive data', level: 1 }).count()).toBe(1);
    await clickAndAudit(reader, page.getByRole('button', { name: 'Tiếng Việt' }), page.locator('html[lang="vi"]'));

    expectAllAudited(reader);
    await reader.context.close();
  });

  it('is closed to anyone who is not an auditor', async () => {
    const participant = platform.demoAccounts.find((a) => a.roles.includes('participant'))!;
    const reader = await newReader(browser, platform.baseUrl, { javaScript: false });
    const response = await reader.page.goto('/audit');
    expect(new URL(reader.page.url()).pathname).toBe('/sign-in');
    expect(response?.ok()).toBe(true);
    await signIn(reader, participant.email, participant.password);
    const refused = await reader.page.goto('/audit');
    expect(refused?.status()).toBe(403);
    expect(await reader.page.getByRole('link', { name: 'Kiểm toán', exact: true }).count()).toBe(0);
    await reader.context.close();
  });

  // Last: it breaks the log of this platform on purpose.
  it('names the first event that does not match once a stored byte is changed', async () => {
    // Someone with access to the database file edits one stored comment, as the tamper tests of the command line do.
    const db = new Database(path.join(platform.dataDir, 'events.sqlite'));
    const target = db
      .prepare(`SELECT event_id, stream_id, data FROM events WHERE type = 'CommentSubmitted' ORDER BY position LIMIT 1`)
      .get() as { event_id: string; stream_id: string; data: string };
    const index = target.data.indexOf('"stance":"') + '"stance":"'.length;
    const changed = `${target.data.slice(0, index)}${target.data[index] === 'o' ? 's' : 'o'}${target.data.slice(index + 1)}`;
    db.prepare('UPDATE events SET data = ? WHERE event_id = ?').run(changed, target.event_id);
    db.close();

    const auditorAccount = platform.demoAccounts.find((a) => a.roles.includes('auditor'))!;
    const reader = await newReader(browser, platform.baseUrl, { javaScript: false });
    const { page } = reader;
    await signIn(reader, auditorAccount.email, auditorAccount.password);
    await visit(reader, '/audit/verify');
    expect(await page.getByRole('heading', { name: 'Phát hiện sai lệch trong nhật ký.' }).count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'Sự kiện đầu tiên không khớp' }).count()).toBe(1);
    expect(await page.getByText(target.event_id).count()).toBe(1);
    expect(await page.getByText(target.stream_id).count()).toBe(1);
    expect(await page.getByText('Các byte đã lưu không khớp mã băm đã lưu (đã bị sửa sau khi ghi).').count()).toBe(1);
    // Verification stopped there, so nothing is said of the tail.
    expect(await page.getByRole('heading', { name: 'Phần cuối chưa niêm phong' }).count()).toBe(0);
    await screenshots(reader, 'audit-verify-tampered');

    // The log shows the same event as not matching its hash.
    await visit(reader, `/audit?stream=${encodeURIComponent(target.stream_id)}`);
    const row = page.locator('tr.audit-event[data-event-type="CommentSubmitted"]');
    expect(await row.locator('.hash-check').textContent()).toBe('Không khớp');
    expectAllAudited(reader);
    await reader.context.close();
  });
});
