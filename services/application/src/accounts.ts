import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Role, StakeholderCategory } from '@gopy/schemas';
import { ConflictError, ValidationError } from '@gopy/domain/errors';
import { normalizeText } from '@gopy/domain/shared';
import type { CommandHandlers } from './commands';
import type { AuthStore, Clock, Mailer, PasswordHasher } from './ports';

export class UnauthenticatedError extends Error {
  readonly code = 'UNAUTHENTICATED' as const;
  readonly messages = {
    vi: 'Email hoặc mật khẩu không đúng, hoặc phiên đăng nhập đã hết hạn.',
    en: 'Wrong email or password, or the session has expired.',
  };
  constructor() {
    super('Unauthenticated');
  }
}

const SESSION_DAYS = 14;
const VERIFY_HOURS = 48;
const RESET_HOURS = 2;

/** Emails are compared case-insensitively after NFC; the lookup is an HMAC so the address itself is never stored. */
export function normalizeEmail(email: string): string {
  return normalizeText(email).toLowerCase();
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface SignUpInput {
  email: string;
  password: string;
  displayName: string;
  pseudonym: string | null;
  stakeholderCategory: StakeholderCategory;
  locale: 'vi' | 'en';
}

/**
 * Sign-up, verification, sign-in and password reset. Personal data goes into the log only sealed (AccountRegistered);
 * the password hash, sessions and one-time tokens live in the auth store.
 */
export class AccountService {
  constructor(
    private readonly deps: {
      commands: CommandHandlers;
      auth: AuthStore;
      hasher: PasswordHasher;
      mailer: Mailer;
      clock: Clock;
      lookupKey: Buffer;
      publicUrl: string;
    },
  ) {}

  emailLookup(email: string): string {
    return createHmac('sha256', this.deps.lookupKey).update(normalizeEmail(email)).digest('hex');
  }

  private validatePassword(password: string): void {
    if (password.length < 10 || password.length > 200) {
      throw new ValidationError('password', {
        vi: 'Mật khẩu cần từ 10 đến 200 ký tự.',
        en: 'The password needs 10 to 200 characters.',
      });
    }
  }

  private validateEmail(email: string): string {
    const e = normalizeEmail(email);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e) || e.length > 254) {
      throw new ValidationError('email', { vi: 'Địa chỉ email không hợp lệ.', en: 'The email address is not valid.' });
    }
    return e;
  }

  /** Registers an account; `verified` (admin-created or demo accounts) skips the mail. Returns the account id. */
  async signUp(
    input: SignUpInput,
    options: { origin?: 'self' | 'admin'; verified?: boolean; sendMail?: boolean } = {},
  ): Promise<string> {
    const email = this.validateEmail(input.email);
    this.validatePassword(input.password);
    const accountId = randomUUID();
    const lookup = this.emailLookup(email);
    const hash = await this.deps.hasher.hash(input.password);
    // Reserve the address first: two sign-ups racing for one email cannot both succeed.
    if (!(await this.deps.auth.putCredential(accountId, lookup, hash))) {
      throw new ConflictError('EMAIL_TAKEN', {
        vi: 'Email này đã được dùng để đăng ký.',
        en: 'This email is already registered.',
      });
    }
    try {
      await this.deps.commands.account(
        {
          type: 'RegisterAccount',
          accountId,
          email,
          displayName: input.displayName,
          pseudonym: input.pseudonym,
          stakeholderCategory: input.stakeholderCategory,
          personalDataKeyId: accountId,
          origin: options.origin ?? 'self',
          issuedByOrganizationId: null,
          preferredLocale: input.locale,
        },
        null,
        // An account made by an administrator (or `gopy admin create`, or demo data) is the system's act.
        options.origin === 'admin' ? ['admin'] : ['participant'],
        options.origin === 'admin' ? { systemActor: true } : {},
      );
    } catch (err) {
      await this.deps.auth.forgetAccount(accountId);
      throw err;
    }
    if (options.verified) {
      await this.deps.commands.account({ type: 'VerifyEmail', accountId }, null, ['participant']);
    } else if (options.sendMail !== false) {
      await this.sendVerification(accountId, email, input.locale);
    }
    return accountId;
  }

  /**
   * Sign-up by the person themselves (the site, the API): it answers alike whether or not the address is registered,
   * so nobody learns who has an account by trying addresses. Both paths hash the password (signUp does it before it
   * reserves the address) and send one mail to the address: a confirmation link for a new account, and for a
   * registered one a note that someone tried to sign up with it, how to sign in or reset the password, and what to do
   * if it was not them. `accountId` is the new account's, or for a registered address a fresh id that names nothing.
   */
  async selfSignUp(input: SignUpInput): Promise<{ accountId: string; created: boolean }> {
    try {
      return { accountId: await this.signUp(input, { origin: 'self' }), created: true };
    } catch (err) {
      if (!(err instanceof ConflictError && err.rule === 'EMAIL_TAKEN')) throw err;
      await this.sendAlreadyRegistered(normalizeEmail(input.email), input.locale);
      return { accountId: randomUUID(), created: false };
    }
  }

  private async sendAlreadyRegistered(email: string, locale: 'vi' | 'en'): Promise<void> {
    const signIn = `${this.deps.publicUrl}/sign-in`;
    const reset = `${this.deps.publicUrl}/forgot-password`;
    await this.deps.mailer.send(
      locale === 'en'
        ? {
            to: email,
            subject: 'Góp ý: someone tried to sign up with your email',
            text:
              `Someone tried to create a Góp ý account with this email address, but it already has an account.\n\n` +
              `To sign in: ${signIn}\nForgot your password? Choose a new one: ${reset}\n\n` +
              `If this was not you, you can ignore this mail: nothing was changed and no new account was made.`,
          }
        : {
            to: email,
            subject: 'Góp ý: có người muốn đăng ký bằng email của bạn',
            text:
              `Có người vừa đăng ký tài khoản Góp ý bằng địa chỉ email này, nhưng email đã có tài khoản.\n\n` +
              `Đăng nhập: ${signIn}\nQuên mật khẩu? Đặt mật khẩu mới: ${reset}\n\n` +
              `Nếu không phải bạn, hãy bỏ qua thư này: tài khoản của bạn không thay đổi và không có tài khoản mới nào được tạo.`,
          },
    );
  }

  private async issueToken(kind: 'verify' | 'reset', accountId: string, hours: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const expires = new Date(this.deps.clock.now().getTime() + hours * 3_600_000).toISOString();
    await this.deps.auth.createToken(kind, sha256(token), accountId, expires);
    return token;
  }

  private async sendVerification(accountId: string, email: string, locale: 'vi' | 'en'): Promise<void> {
    const token = await this.issueToken('verify', accountId, VERIFY_HOURS);
    const link = `${this.deps.publicUrl}/verify-email?token=${token}`;
    await this.deps.mailer.send(
      locale === 'en'
        ? {
            to: email,
            subject: 'Góp ý: confirm your email',
            text: `Open this link to confirm your email address:\n\n${link}\n\nThe link is valid for ${VERIFY_HOURS} hours.`,
          }
        : {
            to: email,
            subject: 'Góp ý: xác nhận địa chỉ email',
            text: `Mở liên kết sau để xác nhận địa chỉ email của bạn:\n\n${link}\n\nLiên kết có hiệu lực trong ${VERIFY_HOURS} giờ.`,
          },
    );
  }

  async verifyEmail(token: string): Promise<string> {
    const accountId = await this.deps.auth.consumeToken('verify', sha256(token), this.deps.clock.now().toISOString());
    if (!accountId) {
      throw new ValidationError('token', {
        vi: 'Liên kết xác nhận không hợp lệ hoặc đã hết hạn.',
        en: 'The confirmation link is invalid or has expired.',
      });
    }
    await this.deps.commands.account({ type: 'VerifyEmail', accountId }, null, ['participant']);
    return accountId;
  }

  /** Returns a new session token. The same answer for an unknown email and a wrong password. */
  async signIn(email: string, password: string): Promise<{ token: string; accountId: string; expiresAt: string }> {
    const cred = await this.deps.auth.findCredential(this.emailLookup(email));
    // Hash anyway when the account is unknown, so timing does not tell which emails exist.
    const ok = cred
      ? await this.deps.hasher.verify(cred.passwordHash, password)
      : (await this.deps.hasher.hash(password), false);
    if (!cred || !ok) throw new UnauthenticatedError();
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.deps.clock.now().getTime() + SESSION_DAYS * 86_400_000).toISOString();
    await this.deps.auth.createSession(sha256(token), cred.accountId, expiresAt);
    return { token, accountId: cred.accountId, expiresAt };
  }

  async sessionAccount(token: string): Promise<string | undefined> {
    return (await this.deps.auth.findSession(sha256(token), this.deps.clock.now().toISOString()))?.accountId;
  }

  async signOut(token: string): Promise<void> {
    await this.deps.auth.deleteSession(sha256(token));
  }

  /** Always succeeds, whether or not the email is known (no account enumeration). */
  async requestPasswordReset(email: string, locale: 'vi' | 'en'): Promise<void> {
    const cred = await this.deps.auth.findCredential(this.emailLookup(email));
    if (!cred) return;
    const token = await this.issueToken('reset', cred.accountId, RESET_HOURS);
    const link = `${this.deps.publicUrl}/reset-password?token=${token}`;
    await this.deps.mailer.send(
      locale === 'en'
        ? {
            to: normalizeEmail(email),
            subject: 'Góp ý: reset your password',
            text: `Open this link to choose a new password:\n\n${link}\n\nIf you did not ask for this, ignore this mail.`,
          }
        : {
            to: normalizeEmail(email),
            subject: 'Góp ý: đặt lại mật khẩu',
            text: `Mở liên kết sau để đặt mật khẩu mới:\n\n${link}\n\nNếu bạn không yêu cầu, hãy bỏ qua thư này.`,
          },
    );
  }

  async resetPassword(token: string, password: string): Promise<void> {
    this.validatePassword(password);
    const accountId = await this.deps.auth.consumeToken('reset', sha256(token), this.deps.clock.now().toISOString());
    if (!accountId) {
      throw new ValidationError('token', {
        vi: 'Liên kết đặt lại mật khẩu không hợp lệ hoặc đã hết hạn.',
        en: 'The reset link is invalid or has expired.',
      });
    }
    // Every other reset link mailed to the account stops working with this one, and every session ends: whoever knew
    // the old password, or held another link, is out.
    await this.deps.auth.setPassword(accountId, await this.deps.hasher.hash(password));
  }

  /**
   * A one-time sign-in code for an account a school issued: short enough to print on a class list, from an alphabet
   * without look-alikes (no 0/O, 1/I/L), valid for `days`. Only its hash is kept; using it sets the first password.
   */
  async issueSignInCode(accountId: string, signInName: string, days = 30): Promise<string> {
    const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
    const bytes = randomBytes(12);
    const code = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
    const expires = new Date(this.deps.clock.now().getTime() + days * 86_400_000).toISOString();
    // Bound to the sign-in name: a code typed with another pupil's name matches nothing, and so burns nothing.
    await this.deps.auth.createToken('reset', sha256(`${this.emailLookup(signInName)}:${code}`), accountId, expires);
    return code;
  }

  /** First sign-in of an issued account: the printed code sets the password, then the account signs in with it. */
  async signInWithCode(
    signInName: string,
    code: string,
    password: string,
  ): Promise<{ token: string; accountId: string; expiresAt: string }> {
    this.validatePassword(password);
    const lookup = this.emailLookup(signInName);
    const cred = await this.deps.auth.findCredential(lookup);
    const accountId = await this.deps.auth.consumeToken(
      'reset',
      sha256(`${lookup}:${code.trim().toUpperCase()}`),
      this.deps.clock.now().toISOString(),
    );
    if (!cred || !accountId || accountId !== cred.accountId) throw new UnauthenticatedError();
    await this.deps.auth.setPassword(accountId, await this.deps.hasher.hash(password));
    return this.signIn(signInName, password);
  }

  /** Registers the credential of an issued account: its sign-in name, and no usable password until the code is used. */
  async reserveSignInName(accountId: string, signInName: string): Promise<{ lookup: string; reserved: boolean }> {
    const lookup = this.emailLookup(signInName);
    const unusable = await this.deps.hasher.hash(randomBytes(32).toString('base64url'));
    return { lookup, reserved: await this.deps.auth.putCredential(accountId, lookup, unusable) };
  }

  async forgetCredential(accountId: string): Promise<void> {
    await this.deps.auth.forgetAccount(accountId);
  }

  /** Whether `password` is the account's, the account being the one `email` signs in (re-checked before erasure). */
  async passwordMatches(accountId: string, email: string, password: string): Promise<boolean> {
    const cred = await this.deps.auth.findCredential(this.emailLookup(email));
    const ok = cred
      ? await this.deps.hasher.verify(cred.passwordHash, password)
      : (await this.deps.hasher.hash(password), false);
    return ok && cred?.accountId === accountId;
  }

  async accountIdForEmail(email: string): Promise<string | undefined> {
    return (await this.deps.auth.findCredential(this.emailLookup(email)))?.accountId;
  }
}

export type { Role };
