import { z } from 'zod';
import { Encrypted, StakeholderCategory, Uuid } from '../common';

export const AccountRegistered = z.object({
  accountId: Uuid,
  /** HMAC-SHA256 of the normalised email under the server's lookup key: finds an account without storing the address. */
  emailLookup: z.string().regex(/^[0-9a-f]{64}$/),
  email: Encrypted,
  displayName: Encrypted,
  /** Shown instead of the name when the participant chooses; encrypted because the participant wrote it. */
  pseudonym: Encrypted.nullable(),
  stakeholderCategory: StakeholderCategory,
  /** The key store entry holding this person's data key; erasing the person deletes it. */
  personalDataKeyId: Uuid,
  /** `self` for sign-up; `issued` for accounts a school issues to its pupils. */
  origin: z.enum(['self', 'issued', 'admin']),
  issuedByOrganizationId: Uuid.nullable(),
  preferredLocale: z.enum(['vi', 'en']),
});
export const AccountEmailVerified = z.object({ accountId: Uuid });
export const AccountErased = z.object({
  accountId: Uuid,
  erasedBy: Uuid,
  /** Reference to the request (e.g. the letter asking for erasure); no personal data. */
  requestReference: z.string().max(200),
});
