import { DomainError, ForbiddenError } from '@gopy/domain/errors';
import { forbidden } from '@gopy/domain/rules';
import { UnauthenticatedError } from '@gopy/application/accounts';

import { RateLimitedError } from '@gopy/composition/limits';

export { RateLimitedError };

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

/** The same rule the comment decider applies to endorsing and flagging, with its messages (domain rules.ts). */
export function emailNotVerified(): ForbiddenError {
  return forbidden('EMAIL_NOT_VERIFIED');
}

export type TypedError = DomainError | UnauthenticatedError | RateLimitedError;
export { DomainError, UnauthenticatedError };
