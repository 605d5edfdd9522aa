import { z } from 'zod';

/** Every id in the log is a UUID; event ids are v7, comment ids v5 (see DESIGN.md). */
export const Uuid = z.uuid();
/** An instant in UTC, ISO 8601 with a trailing Z. Business time comes from the command, never the domain's clock. */
export const Instant = z.iso.datetime({ offset: false });
/** A calendar date (YYYY-MM-DD) such as an effective date; a deadline date means the end of that day in Asia/Ho_Chi_Minh. */
export const CalendarDate = z.iso.date();

/**
 * Ciphertext as it sits in the log: `enc:v1:<keyId>:<iv>:<ciphertext+tag>` (base64url), AES-256-GCM.
 * Free text written by participants and every piece of personal data is stored only in this form.
 */
export const Encrypted = z
  .string()
  .regex(/^enc:v1:[a-z]+:[0-9a-f-]{36}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/, 'encrypted value');
export type Encrypted = z.infer<typeof Encrypted>;

export const Roles = ['participant', 'staff', 'moderator', 'spokesperson', 'policymaker', 'auditor', 'admin'] as const;
export const Role = z.enum(Roles);
export type Role = z.infer<typeof Role>;

export const StakeholderCategories = [
  'student',
  'parent',
  'teacher',
  'school_manager',
  'press',
  'citizen',
  'organization',
] as const;
export const StakeholderCategory = z.enum(StakeholderCategories);
export type StakeholderCategory = z.infer<typeof StakeholderCategory>;

export const Stances = ['support', 'oppose', 'neutral', 'suggestion'] as const;
export const Stance = z.enum(Stances);
export type Stance = z.infer<typeof Stance>;

/** Where a piece of feedback came from. `web` is the portal; the rest are recorded by staff. */
export const Channels = ['web', 'email', 'letter', 'meeting', 'conference', 'phone', 'press', 'social_media'] as const;
export const Channel = z.enum(Channels);
export type Channel = z.infer<typeof Channel>;

/** Who did it: an account acting in a role (within an organisation where the role is per organisation), or the system. */
export const Actor = z.object({
  accountId: Uuid.nullable(),
  role: z.union([Role, z.literal('system')]),
  organizationId: Uuid.nullable(),
});
export type Actor = z.infer<typeof Actor>;

/** A file kept outside the log, encrypted, content-addressed by the SHA-256 of its plaintext. */
export const AttachmentRef = z.object({
  attachmentId: Uuid,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  mediaType: z.string().min(1).max(200),
  size: z.number().int().nonnegative(),
  fileName: z.string().min(1).max(300),
  kind: z.enum(['scan', 'memorandum', 'annex', 'other']),
});
export type AttachmentRef = z.infer<typeof AttachmentRef>;
