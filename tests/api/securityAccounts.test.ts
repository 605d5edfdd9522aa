/**
 * Accounts, as a security review of a running demo found them (issue 15), kept closed:
 * - finding 8: a reset link mailed earlier still worked after the password was reset with a later one;
 * - finding 11: `signUp` answered CONFLICT for a registered email and success for a new one (account enumeration).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../support/platform';
import {
  ERROR_FIELDS,
  SIGN_IN,
  SIGN_UP,
  client,
  expectRefusal,
  mailsTo,
  ok,
  signIn,
  stopPlatform,
  uniqueEmail,
  verifiedParticipant,
  waitForMail,
  type Client,
  type ResultUnion,
} from './support';

const REQUEST_RESET = `mutation($email: String!) { requestPasswordReset(email: $email) }`;
const RESET_PASSWORD = `mutation($token: String!, $password: String!) {
  resetPassword(token: $token, password: $password) { ${ERROR_FIELDS} ... on MutationResetPasswordSuccess { data } }
}`;

let platform: Platform;
let anonymous: Client;

beforeAll(async () => {
  platform = await startPlatform();
  anonymous = client(platform.baseUrl);
});

afterAll(async () => {
  await stopPlatform(platform);
});

/** The test's mail reader joins a subject's encoded words with spaces of its own: compare subjects without them. */
const noSpaces = (s: string) => s.replace(/\s+/g, '');
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Asks for a reset link and returns its token once the new mail is written (each request mails a new link). */
async function resetToken(email: string): Promise<string> {
  const before = new Set((await mailsTo(platform, email)).map((m) => m.text));
  expect((await anonymous.gql<{ requestPasswordReset: boolean }>(REQUEST_RESET, { email })).requestPasswordReset).toBe(
    true,
  );
  const link = new RegExp(`${escapeRe(platform.baseUrl)}/reset-password\\?token=([A-Za-z0-9_-]+)`);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const fresh = (await mailsTo(platform, email)).find((m) => !before.has(m.text) && link.test(m.text));
    if (fresh) return link.exec(fresh.text)![1]!;
    if (Date.now() > deadline) throw new Error(`no new reset mail to ${email}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const reset = async (token: string, password: string) =>
  (await anonymous.gql<{ resetPassword: ResultUnion }>(RESET_PASSWORD, { token, password })).resetPassword;
const signInResult = async (email: string, password: string) =>
  (await anonymous.gql<{ signIn: ResultUnion }>(SIGN_IN, { email, password })).signIn;

describe('finding 8: reset links are invalidated together', () => {
  it('a reset with any one link ends every other outstanding link of the account, earlier and later', async () => {
    const person = await verifiedParticipant(platform);
    const first = await resetToken(person.email);
    const second = await resetToken(person.email);
    const third = await resetToken(person.email);
    expect(new Set([first, second, third]).size).toBe(3);

    ok(await reset(second, 'mật-khẩu-mới-thứ-hai-222'));
    for (const token of [first, third]) {
      expectRefusal(await reset(token, 'kẻ-gian-đổi-mật-khẩu-999'), {
        typename: 'ValidationError',
        code: 'VALIDATION',
        field: 'token',
      });
    }
    // The password is the one the used link set; the refused links changed nothing.
    ok(await signInResult(person.email, 'mật-khẩu-mới-thứ-hai-222'));
    expectRefusal(await signInResult(person.email, 'kẻ-gian-đổi-mật-khẩu-999'), {
      typename: 'UnauthenticatedError',
      code: 'UNAUTHENTICATED',
    });
  });

  it('ends every session of the account, and a link asked for after the reset works', async () => {
    const person = await verifiedParticipant(platform);
    const other = await signIn(platform, person.email, person.password);
    const token = await resetToken(person.email);
    ok(await reset(token, 'mật-khẩu-sau-khi-đặt-lại-333'));
    for (const api of [person.api, other]) {
      expect((await api.gql<{ viewer: unknown }>(`{ viewer { account { id } } }`)).viewer).toBeNull();
    }
    const later = await resetToken(person.email);
    ok(await reset(later, 'mật-khẩu-lần-sau-nữa-444'));
    ok(await signInResult(person.email, 'mật-khẩu-lần-sau-nữa-444'));
  });
});

describe('finding 11: signUp answers alike for a new and a registered email', () => {
  const input = (email: string, displayName: string) => ({
    email,
    password: 'mật-khẩu-người-thử-789',
    displayName,
    stakeholderCategory: 'PARENT',
  });
  /** The answer with what differs by nature (the id, random in both cases) replaced by its shape. */
  const shape = (answer: ResultUnion) => ({
    ...answer,
    data: { ...answer.data, id: /^[0-9a-f-]{36}$/.test(answer.data?.id ?? '') ? 'uuid' : answer.data?.id },
  });

  it('answers the same success for both, and the mails say which', async () => {
    const registered = await verifiedParticipant(platform, { displayName: 'Ngô Thị Mai' });
    const fresh = uniqueEmail('moi-dang-ky');

    const forNew = await anonymous.raw<{ signUp: ResultUnion }>(SIGN_UP, { input: input(fresh, 'Lý Văn Tú') });
    const forRegistered = await anonymous.raw<{ signUp: ResultUnion }>(SIGN_UP, {
      input: input(registered.email, 'Lý Văn Tú'),
    });
    expect(forNew.status).toBe(200);
    expect(forRegistered.status).toBe(forNew.status);
    expect(forNew.errors).toBeUndefined();
    expect(forRegistered.errors).toBeUndefined();
    expect(forNew.data.signUp.__typename).toBe('MutationSignUpSuccess');
    expect(shape(forRegistered.data.signUp)).toEqual(shape(forNew.data.signUp));
    // The answer for the registered address tells nothing of the account: not its id, not its name.
    expect(forRegistered.data.signUp.data.id).not.toBe(registered.id);
    expect(JSON.stringify(forRegistered.data)).not.toContain('Ngô Thị Mai');

    // The new address gets the confirmation link; the registered one a note that someone tried, and no link.
    const { mail: confirm } = await waitForMail(platform, fresh, /\/verify-email\?token=/);
    expect(confirm.subject).toMatch(/xác nhận/);
    const { mail: note } = await waitForMail(platform, registered.email, /đã có tài khoản/);
    expect(noSpaces(note.subject)).toBe(noSpaces('Góp ý: có người muốn đăng ký bằng email của bạn'));
    expect(note.text).toContain(`${platform.baseUrl}/sign-in`);
    expect(note.text).toContain(`${platform.baseUrl}/forgot-password`);
    expect(note.text).toMatch(/Nếu không phải bạn/);
    expect(note.text).not.toMatch(/verify-email|reset-password\?token/);

    // The registered account is untouched: its password still signs in, the attempt's password does not.
    ok(await signInResult(registered.email, registered.password));
    expectRefusal(await signInResult(registered.email, 'mật-khẩu-người-thử-789'), {
      typename: 'UnauthenticatedError',
      code: 'UNAUTHENTICATED',
    });
  });

  it('writes the note in English when the sign-up asked for English', async () => {
    const registered = await verifiedParticipant(platform);
    ok(
      (
        await anonymous.gql<{ signUp: ResultUnion }>(SIGN_UP, {
          input: { ...input(registered.email, 'Someone'), locale: 'EN' },
        })
      ).signUp,
    );
    const { mail } = await waitForMail(platform, registered.email, /already has an account/);
    expect(noSpaces(mail.subject)).toBe(noSpaces('Góp ý: someone tried to sign up with your email'));
    expect(mail.text).toMatch(/If this was not you/);
  });

  it('the site shows the same "check your mail" page for both (Vietnamese, and English)', async () => {
    const registered = await verifiedParticipant(platform);
    /** The sign-up form posted without JavaScript; the page's main content with the address and nonces taken out. */
    async function postForm(email: string, lang: 'vi' | 'en') {
      const res = await fetch(`${platform.baseUrl}/sign-up`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'text/html',
          origin: platform.baseUrl,
          cookie: `PARAGLIDE_LOCALE=${lang}`,
        },
        body: new URLSearchParams({
          email,
          password: 'mật-khẩu-đủ-dài-123',
          displayName: 'Phan Văn Khải',
          stakeholderCategory: 'PARENT',
        }).toString(),
      });
      const html = await res.text();
      expect(res.status, html.slice(0, 2_000)).toBe(200);
      const main = /<main[\s\S]*<\/main>/.exec(html)?.[0] ?? '';
      return { main: main.replaceAll(email, 'EMAIL').replace(/ nonce="[^"]*"/g, '') };
    }
    for (const [lang, expected] of [
      ['vi', 'Hãy kiểm tra hộp thư EMAIL: chúng tôi đã gửi một thư tới địa chỉ này.'],
      ['en', 'Check your mailbox at EMAIL: we have sent a mail to this address.'],
    ] as const) {
      const forNew = await postForm(uniqueEmail('trang-moi'), lang);
      const forRegistered = await postForm(registered.email, lang);
      expect(forNew.main).toContain(expected);
      expect(forRegistered.main).toBe(forNew.main);
    }
  });
});
