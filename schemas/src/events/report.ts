import { z } from 'zod';
import { Instant, Uuid } from '../common';

export const SemesterReportCompiled = z.object({
  reportId: Uuid,
  organizationId: Uuid,
  period: z.string().regex(/^\d{4}-\d{4}-S[12]$/),
  compiledBy: Uuid,
  /** The figures as compiled, from the read models at `countedAtPosition`. */
  figures: z.record(z.string(), z.unknown()),
  remarks: z.string().max(20_000),
  countedAtPosition: z.string().nullable(),
});
export const SemesterReportSubmitted = z.object({
  reportId: Uuid,
  organizationId: Uuid,
  period: z.string(),
  submittedBy: Uuid,
  submittedTo: Uuid.nullable(),
});
export const IncidentReported = z.object({
  incidentId: Uuid,
  organizationId: Uuid,
  policyId: Uuid.nullable(),
  alertId: Uuid.nullable(),
  summary: z.string().min(1).max(20_000),
  reportedBy: Uuid,
  submittedTo: Uuid.nullable(),
});
export const FeedbackSurgeDetected = z.object({
  alertId: Uuid,
  organizationId: Uuid,
  policyId: Uuid,
  round: z.number().int().positive(),
  windowStart: Instant,
  windowEnd: Instant,
  signal: z.enum(['comments_per_hour', 'oppose_share', 'flags_per_hour']),
  observed: z.number(),
  baseline: z.number(),
  evidenceCommentIds: z.array(Uuid),
});
/** Staff or a spokesperson saw an alert and say so; the alert stays in the log and on the dashboard as acknowledged. */
export const AlertAcknowledged = z.object({
  alertId: Uuid,
  organizationId: Uuid,
  acknowledgedBy: Uuid,
  note: z.string().max(5_000),
});
