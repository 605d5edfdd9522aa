import { z } from 'zod';
import { Encrypted, StakeholderCategory, Uuid } from '../common';

/**
 * Version 2: no email lookup. The HMAC of the email that version 1 carried bound the address to the account id in
 * the log for good, where erasure cannot reach it; the lookup now lives only in the auth store (credentials), which
 * erasure empties. Version 1 events already written keep theirs (a stored event is never changed); the upcaster
 * drops it on read, and the erasure report says they remain.
 */
export const AccountRegistered = z.object({
  accountId: Uuid,
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
/** Version 1 of AccountRegistered, as it is stored in logs written before version 2. */
export const AccountRegisteredV1 = AccountRegistered.extend({
  /** HMAC-SHA256 of the normalised email under the server's lookup key. */
  emailLookup: z.string().regex(/^[0-9a-f]{64}$/),
});
export const AccountEmailVerified = z.object({ accountId: Uuid });
/** What becomes of an erased person's comments: kept as anonymous contributions, or their bodies destroyed. */
export const ErasureCommentChoices = ['anonymous', 'destroyed'] as const;
/**
 * Version 2 says what the person chose for their comments. `destroyed`: every comment they wrote had its data key
 * shredded with this event (its text, every revision, flag notes on it are unreadable for good); it shows as withdrawn
 * by its author, and stays counted in the themes of digests. Version 1 events were all `anonymous`.
 */
export const AccountErased = z.object({
  accountId: Uuid,
  erasedBy: Uuid,
  /** Reference to the request (e.g. the letter asking for erasure); no personal data. */
  requestReference: z.string().max(200),
  comments: z.enum(ErasureCommentChoices),
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
