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

/**
 * A school enrols one of the pupils it issued an account to: which school, the class (personal data, sealed) and the
 * year of birth, which decides whose consent the child needs (a parent's or guardian's, and the child's own from 7).
 */
export const PupilEnrolled = z.object({
  accountId: Uuid,
  organizationId: Uuid,
  personalDataKeyId: Uuid,
  className: Encrypted,
  birthYear: z.number().int().min(1990).max(2100),
  enrolledBy: Uuid,
});
export const ConsentGivers = ['guardian', 'pupil'] as const;
export const GuardianRelationships = ['mother', 'father', 'guardian', 'other'] as const;
export const ConsentMethods = ['paper_form', 'in_person', 'electronic'] as const;
/** Consent to a child's account taking part, recorded by the school: the guardian's, or the child's own. */
export const ConsentRecorded = z.object({
  accountId: Uuid,
  consentId: Uuid,
  givenBy: z.enum(ConsentGivers),
  /** The guardian's name (sealed with the child's key); null for the child's own consent. */
  guardianName: Encrypted.nullable(),
  relationship: z.enum(GuardianRelationships).nullable(),
  method: z.enum(ConsentMethods),
  recordedBy: Uuid,
  personalDataKeyId: Uuid,
});
export const ConsentWithdrawn = z.object({
  accountId: Uuid,
  consentId: Uuid,
  withdrawnBy: Uuid,
  reason: z.string().max(2_000),
});
