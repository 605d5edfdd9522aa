// The public record through the site, without JavaScript (issue 17): after a published digest's listed comment is
// hidden, the digest page keeps its numbered row with the dated note and the reason, says in aggregate what is no
// longer shown, and the policy page links the digest and the comparison of the consulted text with the current one,
// counting only the comments it lists. Each page passes axe; screenshots at 360 and 1280 px.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startPlatform, type Platform } from '../support/platform';
import { ERROR_FIELDS, ok, signInAs, verifiedParticipant, type ResultUnion } from '../api/support';
import { publishedConsultation, type ConsultationIds } from '../api/publicRecordWorld';
import { expectAllAudited, launchBrowser, newReader, screenshots, visit, type Reader } from './support';

const HIDE = `mutation($id: ID!) { hideComment(commentId: $id, reasonCode: PERSONAL_DATA, reason: "Có số điện thoại") { ${ERROR_FIELDS} ... on MutationHideCommentSuccess { data { position } } } }`;

describe('the published digest as a public record, in the browser', () => {
  let platform: Platform;
  let browser: Browser;
  let reader: Reader;
  let policyId: string;
  let ids: ConsultationIds;

  beforeAll(async () => {
    platform = await startPlatform({ demo: true });
    browser = await launchBrowser();
    const parent = await verifiedParticipant(platform);
    ({ policyId, ids } = await publishedConsultation(platform, parent.api));
    const moderator = await signInAs(platform, 'moderator');
    ok((await moderator.gql<Record<string, ResultUnion>>(HIDE, { id: ids.teacher })).hideComment!);
    reader = await newReader(browser, platform.baseUrl, { javaScript: false });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('keeps the hidden comment’s row in the digest with a dated note and its reason, never its text', async () => {
    const page = await visit(reader, `/policies/${policyId}/digest/1`);
    const row = page.locator(`#comment-${ids.teacher}`);
    await expect(row.textContent()).resolves.toMatch(
      /^3\s*Ý kiến đã ẩn sau khi công bố ngày \d\d\/\d\d\/\d{4} \(lý do: lộ thông tin cá nhân\)\.$/,
    );
    expect(await page.content()).not.toContain('0912 345 678');
    await expect(page.locator('#removed-since-publication').textContent()).resolves.toContain(
      '1 ý kiến không còn hiển thị: 1 lộ thông tin cá nhân',
    );
    await expect(page.locator(`#comment-${ids.notAccepted}`).textContent()).resolves.toContain('Không tiếp thu');
    await screenshots(reader, 'digest-after-hide');
  });

  it('links the digest from the policy page and counts only the comments it lists', async () => {
    const page = await visit(reader, `/policies/${policyId}`);
    const record = page.locator('#record');
    await expect(
      record.getByRole('link', { name: 'Bản tổng hợp, tiếp thu, giải trình ý kiến đợt 1' }).getAttribute('href'),
    ).resolves.toBe(`/policies/${policyId}/digest/1`);
    await expect(page.locator('#comments-heading').textContent()).resolves.toContain('2');
    await expect(page.locator('#comments-removed').textContent()).resolves.toBe(
      '1 ý kiến không còn hiển thị: 1 lộ thông tin cá nhân.',
    );
    await screenshots(reader, 'policy-record');
    expectAllAudited(reader);
  });
});
