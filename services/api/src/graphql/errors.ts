import { DomainError, ForbiddenError } from '@gopy/domain/errors';
import { UnauthenticatedError } from '@gopy/application/accounts';

/** Over a rate limit: when to retry. */
export class RateLimitedError extends Error {
  readonly code = 'RATE_LIMITED' as const;
  readonly messages;
  constructor(readonly retryAfterSeconds: number) {
    super('Rate limited');
    this.messages = {
      vi: `Bạn thao tác quá nhanh. Vui lòng thử lại sau ${retryAfterSeconds} giây.`,
      en: `Too many requests. Please try again in ${retryAfterSeconds} seconds.`,
    };
  }
}

export function notSignedIn(): UnauthenticatedError {
  const e = new UnauthenticatedError();
  (e as { messages: { vi: string; en: string } }).messages = {
    vi: 'Bạn cần đăng nhập để làm việc này.',
    en: 'You need to sign in to do this.',
  };
  return e;
}

export function forbiddenRole(): ForbiddenError {
  return new ForbiddenError('ROLE_REQUIRED', {
    vi: 'Bạn không có quyền thực hiện thao tác này.',
    en: 'You do not have the role needed for this.',
  });
}

export function emailNotVerified(): ForbiddenError {
  return new ForbiddenError('EMAIL_NOT_VERIFIED', {
    vi: 'Bạn cần xác nhận địa chỉ email trước khi góp ý.',
    en: 'Please confirm your email address before commenting.',
  });
}

export type TypedError = DomainError | UnauthenticatedError | RateLimitedError;
export { DomainError, UnauthenticatedError };
