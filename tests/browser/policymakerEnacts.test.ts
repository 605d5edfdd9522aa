// Staff close the open round of the demo policy; a policymaker cannot enact it until the round's digest is published,
// then enacts it with a decision number and a date.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { signInAs } from '../api/support';
import { answerRound } from '../support/digest';
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

describe('policymaker', () => {
  it('enacts a policy once its closed round is answered by a published digest', async () => {
    const reader = await newReader(browser, platform.baseUrl, { javaScript: true });
    const { page } = reader;
    const { href, title } = await openPolicyHref(reader);
    const policyId = href.split('/').pop()!;

    // Staff close the round early, with a reason.
    const staff = account('staff');
    await signIn(reader, staff.email, staff.password);
    await visit(reader, `/staff/policies/${policyId}`);
    await screenshots(reader, 'staff-policy-consultation');
    const closeForm = page.locator('form', { has: page.getByRole('heading', { name: 'Kết thúc lấy ý kiến' }) });
    await closeForm.getByLabel('Lý do').fill('Đã nhận đủ ý kiến của cha mẹ học sinh và giáo viên.');
    await clickAndAudit(
      reader,
      closeForm.getByRole('button', { name: 'Kết thúc lấy ý kiến' }),
      page.getByText('Đã kết thúc đợt lấy ý kiến.'),
    );
    await expect.poll(() => page.locator('.policy-header .badge').textContent()).toBe('Đang tổng hợp ý kiến');
    // Staff cannot enact.
    expect(await page.getByRole('link', { name: 'Ban hành chính sách' }).count()).toBe(0);
    await signOut(reader);

    // The policymaker finds it in the staff area. While the round's digest is unpublished the page offers no
    // enactment and says why (the API's refusal); the enactment page, reached directly, says the same and has no form.
    const policymaker = account('policymaker');
    const notAnswered = 'Đợt lấy ý kiến gần nhất chưa được tổng hợp, tiếp thu, giải trình.';
    await signIn(reader, policymaker.email, policymaker.password);
    await visit(reader, '/staff');
    await clickAndAudit(
      reader,
      page.getByRole('link', { name: title }),
      page.getByRole('heading', { level: 1, name: title }),
    );
    await expect.poll(() => page.locator('.why-not').getByText(notAnswered).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Ban hành chính sách' }).count()).toBe(0);
    await screenshots(reader, 'staff-policy-review');
    await visit(reader, `/staff/policies/${policyId}/enact`);
    expect(await page.getByRole('alert').filter({ hasText: notAnswered }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Ban hành', exact: true }).count()).toBe(0);

    // The round is answered: its digest is published (the digest pages have a test of their own).
    await answerRound(platform, await signInAs(platform, 'staff'), policyId, 1);

    await visit(reader, `/staff/policies/${policyId}`);
    expect(await page.locator('.why-not').getByText(notAnswered).count()).toBe(0);
    await clickAndAudit(
      reader,
      page.getByRole('link', { name: 'Ban hành chính sách' }),
      page.getByRole('heading', { level: 1, name: 'Ban hành chính sách' }),
    );
    await screenshots(reader, 'staff-enact');
    await page.getByLabel('Số quyết định').fill('15/QĐ-PGDĐT');
    await page.getByLabel('Ngày có hiệu lực').fill('2027-01-01');
    await clickAndAudit(
      reader,
      page.getByRole('button', { name: 'Ban hành', exact: true }),
      page.getByText('Chính sách đã được ban hành.'),
    );
    await expect.poll(() => page.locator('.policy-header .badge').textContent()).toBe('Đã ban hành');

    // Everyone sees the decision, with the date in Vietnamese form.
    await visit(reader, href);
    const banner = page.locator('.banner-enacted');
    expect(await banner.textContent()).toContain('15/QĐ-PGDĐT');
    expect(await banner.textContent()).toContain('01/01/2027');
    expect(await page.locator('details.node-comment').count()).toBe(0);

    expectAllAudited(reader);
    await reader.context.close();
  }, 600_000);
});
