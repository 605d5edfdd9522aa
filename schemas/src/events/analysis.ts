import { z } from 'zod';
import { Uuid } from '../common';

/**
 * Stream `analysis-<policy>-<round>`: what analysts decided about the comments of one round. Grouping near-duplicates
 * (a campaign of letters, the same text sent twice) is a judgement, not a fact of the comments: it is an event that
 * can be undone by another event, and the comments themselves stay as they were.
 */
export const DuplicateGroupConfirmed = z.object({
  groupId: Uuid,
  policyId: Uuid,
  round: z.number().int().positive(),
  /** Two or more comments of the round that make the same argument; each is in at most one confirmed group. */
  commentIds: z.array(Uuid).min(2).max(5_000),
  /** The comment that stands for the group (one of commentIds). */
  representativeCommentId: Uuid,
  confirmedBy: Uuid,
});
export const DuplicateGroupUndone = z.object({
  groupId: Uuid,
  undoneBy: Uuid,
  reason: z.string().min(1).max(2_000),
});
