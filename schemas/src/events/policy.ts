import { z } from 'zod';
import { AttachmentRef, CalendarDate, Instant, Uuid } from '../common';

/**
 * Vietnamese legal texts are trees: phần → chương → mục → điều → khoản → điểm.
 * A node's id is stable across versions; its number and heading are for display only.
 */
export const NodeKinds = ['part', 'chapter', 'section', 'article', 'clause', 'point'] as const;
export const NodeKind = z.enum(NodeKinds);
export type NodeKind = z.infer<typeof NodeKind>;

export interface DraftNode {
  nodeId: string;
  kind: NodeKind;
  number: string;
  heading: string;
  text: string;
  children: DraftNode[];
}
export const DraftNode: z.ZodType<DraftNode> = z.lazy(() =>
  z.object({
    nodeId: Uuid,
    kind: NodeKind,
    number: z.string().max(20),
    heading: z.string().max(500),
    text: z.string().max(20_000),
    children: z.array(DraftNode),
  }),
);

export const PolicyProposed = z.object({
  policyId: Uuid,
  owningOrganizationId: Uuid,
  title: z.string().min(1).max(300),
  summary: z.string().max(5_000),
  /** Free classification by the owning office (e.g. "học phí", "tuyển sinh"). */
  topics: z.array(z.string().max(100)).max(20),
  proposedBy: Uuid,
});
export const DraftingStarted = z.object({ policyId: Uuid, startedBy: Uuid });
export const DraftVersionPublished = z.object({
  policyId: Uuid,
  version: z.number().int().positive(),
  title: z.string().min(1).max(300),
  nodes: z.array(DraftNode),
  changeNote: z.string().max(5_000),
  attachments: z.array(AttachmentRef),
  publishedBy: Uuid,
  /**
   * v2. The round this version revises after consultation: published while the policy is in review with that round
   * answered, so the policy stays in review and this version is what enactment enacts. Null for a working draft.
   */
  revisesRound: z.number().int().positive().nullable(),
  /** v2. The enacted version this version amends: the first draft of a new cycle on an enacted policy. */
  amendsVersion: z.number().int().positive().nullable(),
});
/**
 * A document that accompanies a published version: the explanatory memorandum (tờ trình) or another paper. The file
 * is in the blob store, encrypted; the event names it by the SHA-256 of its bytes. Public, staff-written: nothing sealed.
 */
export const VersionDocumentAttached = z.object({
  policyId: Uuid,
  version: z.number().int().positive(),
  documentId: Uuid,
  kind: z.enum(['to_trinh', 'other']),
  title: z.string().min(1).max(300),
  fileName: z.string().min(1).max(300),
  mediaType: z.string().min(1).max(200),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  attachedBy: Uuid,
});
export const ConsultationOpened = z.object({
  policyId: Uuid,
  round: z.number().int().positive(),
  version: z.number().int().positive(),
  opensAt: Instant,
  closesAt: Instant,
  /** Who is asked; empty lists mean everyone. */
  audience: z.object({
    stakeholderCategories: z.array(z.string()),
    organizationIds: z.array(Uuid),
  }),
  note: z.string().max(5_000),
});
export const ConsultationExtended = z.object({
  policyId: Uuid,
  round: z.number().int().positive(),
  previousClosesAt: Instant,
  closesAt: Instant,
  reason: z.string().min(1).max(2_000),
});
export const ConsultationClosed = z.object({
  policyId: Uuid,
  round: z.number().int().positive(),
  closedAt: Instant,
  /** `deadline` when the scheduler closed it at closesAt; `staff` when closed early by hand. */
  closedBy: z.enum(['deadline', 'staff']),
  reason: z.string().max(2_000),
});
export const RoundAnswered = z.object({
  policyId: Uuid,
  round: z.number().int().positive(),
  digestId: Uuid,
  coveredCount: z.number().int().nonnegative(),
  visibleCount: z.number().int().nonnegative(),
  /** The read-model position the counts were taken at (opaque string), or null before digests exist. */
  countedAtPosition: z.string().nullable(),
});
export const PolicyEnacted = z.object({
  policyId: Uuid,
  version: z.number().int().positive(),
  decisionNumber: z.string().min(1).max(100),
  /** v2. The date the decision was signed; null for decisions recorded before v2 (the log never said). */
  decisionDate: CalendarDate.nullable(),
  effectiveDate: CalendarDate,
  signedBy: Uuid,
});
export const PolicyWithdrawn = z.object({
  policyId: Uuid,
  reason: z.string().min(1).max(2_000),
});
