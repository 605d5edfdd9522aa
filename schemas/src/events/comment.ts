import { z } from 'zod';
import { AttachmentRef, Channel, Encrypted, Instant, Stance, StakeholderCategory, Uuid } from '../common';

export const FlagReasons = ['spam', 'abuse', 'personal_data', 'off_topic', 'misinformation', 'other'] as const;
export const FlagReason = z.enum(FlagReasons);

export const CommentSubmitted = z.object({
  commentId: Uuid,
  policyId: Uuid,
  round: z.number().int().positive(),
  version: z.number().int().positive(),
  /** The node commented on (stable across versions); null for the whole draft. */
  anchorNodeId: Uuid.nullable(),
  parentCommentId: Uuid.nullable(),
  /** Encrypted with the comment's own key. */
  body: Encrypted,
  stance: Stance,
  stakeholderCategory: StakeholderCategory,
  channel: Channel,
  /** The participant who wrote it, or null for feedback staff recorded from someone without an account. */
  authorAccountId: Uuid.nullable(),
  /** Shown instead of the author's name when set; encrypted with the comment's key. */
  pseudonym: Encrypted.nullable(),
  /** For offline feedback: the sender as written on the letter or in the minutes, encrypted with the sender's key. */
  offlineSender: z
    .object({
      senderId: Uuid,
      name: Encrypted.nullable(),
      organization: Encrypted.nullable(),
      contact: Encrypted.nullable(),
    })
    .nullable(),
  /** The staff member who recorded offline feedback; null when the author submitted it on the portal. */
  recordedBy: Uuid.nullable(),
  idempotencyKey: z.string().min(1).max(200),
  /** When the feedback reached the office (for the portal, the moment of submission). */
  receivedAt: Instant,
  /** Scans of letters and the like; their file names can carry personal data, so they are encrypted too. */
  attachments: z.array(AttachmentRef.extend({ fileName: Encrypted })),
});
export const CommentEdited = z.object({
  commentId: Uuid,
  body: Encrypted,
  stance: Stance,
  editedBy: Uuid,
});
export const CommentWithdrawn = z.object({ commentId: Uuid, withdrawnBy: Uuid, reason: z.string().max(2_000) });
export const CommentFlagged = z.object({
  commentId: Uuid,
  flagId: Uuid,
  flaggedBy: Uuid,
  reason: FlagReason,
  /** The flagger's own words, encrypted with the comment's key. */
  note: Encrypted.nullable(),
});
export const CommentHidden = z.object({
  commentId: Uuid,
  hiddenBy: Uuid,
  reasonCode: FlagReason,
  reason: z.string().min(1).max(2_000),
});
export const CommentRestored = z.object({ commentId: Uuid, restoredBy: Uuid, reason: z.string().min(1).max(2_000) });
export const CommentRedacted = z.object({
  commentId: Uuid,
  redactedBy: Uuid,
  reason: z.string().min(1).max(2_000),
  /** The comment key was destroyed: every body, edit and note of this comment is unreadable from now on. */
  keyDestroyed: z.literal(true),
});
export const CommentTagged = z.object({
  commentId: Uuid,
  taggedBy: Uuid,
  added: z.array(z.string().min(1).max(100)),
  removed: z.array(z.string().min(1).max(100)),
});
export const CommentEndorsed = z.object({ commentId: Uuid, endorsedBy: Uuid });
export const OfficialReplyPosted = z.object({
  commentId: Uuid,
  replyId: Uuid,
  postedBy: Uuid,
  /** An official statement by a spokesperson: public by nature, stored in the clear. */
  body: z.string().min(1).max(20_000),
});
