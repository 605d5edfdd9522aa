import { z } from 'zod';
import { Uuid } from '../common';

/** Stream `follow-<accountId>`: what one participant follows, and the daily notification mails sent to them. */
export const PolicyFollowed = z.object({ accountId: Uuid, policyId: Uuid });
export const PolicyUnfollowed = z.object({ accountId: Uuid, policyId: Uuid });
/**
 * One notification mail (at most one a day per person), recorded before it is sent. Kept in the log, not in a read
 * model, so a rebuild never sends a mail twice; appended at the stream's exact revision, so two processes cannot both.
 */
export const NotificationMailSent = z.object({
  accountId: Uuid,
  /** The calendar day in Asia/Ho_Chi_Minh, YYYY-MM-DD. */
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  notificationIds: z.array(Uuid).max(1_000),
});
/** The participant has seen these notifications (kept in the log so a rebuild does not mark them unread again). */
export const NotificationsRead = z.object({ accountId: Uuid, notificationIds: z.array(Uuid).max(1_000) });
