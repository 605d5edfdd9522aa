import { z } from 'zod';
import { Uuid } from '../common';

export const ThemeDecisions = ['accepted', 'partly_accepted', 'not_accepted', 'noted'] as const;
export const ThemeDecision = z.enum(ThemeDecisions);

export const DigestStarted = z.object({
  digestId: Uuid,
  policyId: Uuid,
  round: z.number().int().positive(),
  startedBy: Uuid,
});
export const ThemeDefined = z.object({
  digestId: Uuid,
  themeId: Uuid,
  title: z.string().min(1).max(300),
  description: z.string().max(5_000),
});
export const CommentsAssignedToTheme = z.object({
  digestId: Uuid,
  themeId: Uuid,
  commentIds: z.array(Uuid),
  unassignedCommentIds: z.array(Uuid),
});
export const ThemeAnswered = z.object({
  digestId: Uuid,
  themeId: Uuid,
  decision: ThemeDecision,
  explanation: z.string().max(20_000),
  sectionsChanged: z.array(Uuid),
});
export const DigestApproved = z.object({ digestId: Uuid, approvedBy: Uuid });
export const DigestPublished = z.object({
  digestId: Uuid,
  publishedBy: Uuid,
  coveredCount: z.number().int().nonnegative(),
  visibleCount: z.number().int().nonnegative(),
  countedAtPosition: z.string().nullable(),
});
