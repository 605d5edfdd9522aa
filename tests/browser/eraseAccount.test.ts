// A participant erases their own account from the site with JavaScript off (issue 15, finding 6): from "my comments"
// to the erase page, the choice for their comments, a confirmation step that asks the password again, and the
// erasure report; their comment shows as withdrawn by its author, without its text. Then in English, keeping the
// comments as anonymous contributions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startPlatform } from '../support/platform';
import {
  COMMENTS_QUERY,
  client,
  ok,
  signInAs,
  staffOrganizationId,
  openPolicy,
  submitComment,
  verifiedParticipant,
} from '../api/support';
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
} from './support';

type Platform = Awaited<ReturnType<typeof startPlatform>>;

let platform: Platform;
let browser: Browser;
let policyId: string;

beforeAll(async () => {
  platform = await startPlatform({ demo: true });
  browser = await launchBrowser();
  const staff = await signInAs(platform, 'staff');
  policyId = (await openPolicy(staff, await staffOrganizationId(staff))).id;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

/** A confirmed participant with one comment on the open policy; its id and text. */
async function participantWithComment(text: string) {
  const person = await verifiedParticipant(platform, { displayName: `Đỗ Thị Thu ${uniqueSuffix()}` });
  const comment = ok<{ comment: { id: string } }>(
    await submitComment(person.api, { policyId, body: text, stance: 'SUGGESTION' }),
  ).comment;
  return { ...person, commentId: comment.id };
}

/** The comment as the public sees it on its policy. */
async function publicComment(commentId: string) {
  const { policy } = await client(platform.baseUrl).gql<{
    policy: {
      comments: { edges: { node: { id: string; body: string | null; status: string; authorName: string } }[] };
    };
  }>(COMMENTS_QUERY, { id: policyId, first: 100 });
  return policy.comments.edges.find((e) => e.node.id === commentId)?.node;
}

describe('erasing one’s own account on the site', () => {
  it('without JavaScript, destroying the comments: choose, confirm with the password, read the report', async () => {
    const text = `Đề nghị lắp thêm mái che sân trường ${uniqueSuffix()}.`;
    const person = await participantWithComment(text);
    const reader = await newReader(browser, platform.baseUrl, { javaScript: false });
    const { page } = reader;
    await signIn(reader, person.email, person.password);
    await visit(reader, '/me/comments');
    await clickAndAudit(
      reader,
      page.getByRole('link', { name: 'Xoá tài khoản' }),
      page.getByRole('heading', { name: 'Xoá tài khoản của tôi' }),
    );
    await screenshots(reader, 'erase-account-choice');
    await page.getByLabel(/Huỷ nội dung/).check();
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Tiếp tục' }),
      page.getByText('Bạn chắc chắn muốn xoá tài khoản? Việc này không thể hoàn tác.'),
    );
    await screenshots(reader, 'erase-account-confirm');

    // A wrong password erases nothing and says so.
    await page.getByLabel('Mật khẩu', { exact: true }).fill('khong-phai-mat-khau-nay');
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Xoá vĩnh viễn tài khoản của tôi' }),
      page.getByText('Mật khẩu không đúng.', { exact: false }),
    );
    expect((await publicComment(person.commentId))?.body).toBe(text);

    await page.getByLabel('Mật khẩu', { exact: true }).fill(person.password);
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Xoá vĩnh viễn tài khoản của tôi' }),
      page.getByText('Tài khoản của bạn đã được xoá và bạn đã được đăng xuất.'),
    );
    await expect.poll(() => page.getByText('Nội dung 1 góp ý của bạn đã bị huỷ.').count()).toBe(1);
    await screenshots(reader, 'erase-account-done');
    expect(await page.getByRole('button', { name: 'Đăng xuất' }).count()).toBe(0);
    // The session ended with the account: the next page is a signed-out reader's.
    await visit(reader, '/me/comments');
    expect(new URL(page.url()).pathname).toBe('/sign-in');

    // Withdrawn by its author: off the policy's public list, and its text nowhere on the page.
    expect(await publicComment(person.commentId)).toBeUndefined();
    await visit(reader, `/policies/${policyId}`);
    expect(await page.content()).not.toContain(text);
    expectAllAudited(reader);
    await reader.context.close();
  });

  it('in English, keeping the comments as anonymous contributions', async () => {
    const text = `Nên có thêm ghế đá ở sân sau ${uniqueSuffix()}.`;
    const person = await participantWithComment(text);
    const reader = await newReader(browser, platform.baseUrl, { javaScript: true, locale: 'en-US' });
    const { page } = reader;
    await reader.context.addCookies([{ name: 'PARAGLIDE_LOCALE', value: 'en', url: platform.baseUrl }]);
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password', { exact: true }).fill(person.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.getByRole('button', { name: /Sign out/ }).count()).toBeGreaterThan(0);
    await visit(reader, '/me/erase');
    expect(await page.getByRole('heading', { name: 'Erase my account' }).count()).toBe(1);
    await page.getByLabel(/Keep them as anonymous contributions/).check();
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Continue' }),
      page.getByText('Are you sure you want to erase your account? This cannot be undone.'),
    );
    await page.getByLabel('Password', { exact: true }).fill(person.password);
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Erase my account for good' }),
      page.getByText('Your account has been erased and you are signed out.'),
    );
    await screenshots(reader, 'erase-account-done-en');
    expect(await publicComment(person.commentId)).toMatchObject({ body: text, status: 'visible' });
    await audit(reader, 'after erasure');
    await reader.context.close();
  });
});
