import { type z } from 'zod';
import * as account from './events/account';
import * as analysis from './events/analysis';
import * as audit from './events/audit';
import * as comment from './events/comment';
import * as digest from './events/digest';
import * as follow from './events/follow';
import * as organization from './events/organization';
import * as policy from './events/policy';
import * as report from './events/report';

/**
 * The event catalogue: every type that may appear in the log, its current schema version and its schema.
 * A version, once written, is never changed: a new shape is a new version with an upcaster in `upcasters`.
 */
export const eventCatalogue = {
  PolicyProposed: { version: 1, schema: policy.PolicyProposed, stream: 'policy' },
  DraftingStarted: { version: 1, schema: policy.DraftingStarted, stream: 'policy' },
  DraftVersionPublished: { version: 2, schema: policy.DraftVersionPublished, stream: 'policy' },
  VersionDocumentAttached: { version: 1, schema: policy.VersionDocumentAttached, stream: 'policy' },
  ConsultationOpened: { version: 1, schema: policy.ConsultationOpened, stream: 'policy' },
  ConsultationExtended: { version: 1, schema: policy.ConsultationExtended, stream: 'policy' },
  ConsultationClosed: { version: 1, schema: policy.ConsultationClosed, stream: 'policy' },
  RoundAnswered: { version: 1, schema: policy.RoundAnswered, stream: 'policy' },
  PolicyEnacted: { version: 2, schema: policy.PolicyEnacted, stream: 'policy' },
  PolicyWithdrawn: { version: 1, schema: policy.PolicyWithdrawn, stream: 'policy' },

  CommentSubmitted: { version: 1, schema: comment.CommentSubmitted, stream: 'comment' },
  CommentEdited: { version: 1, schema: comment.CommentEdited, stream: 'comment' },
  CommentWithdrawn: { version: 1, schema: comment.CommentWithdrawn, stream: 'comment' },
  CommentFlagged: { version: 1, schema: comment.CommentFlagged, stream: 'comment' },
  CommentHidden: { version: 1, schema: comment.CommentHidden, stream: 'comment' },
  CommentRestored: { version: 1, schema: comment.CommentRestored, stream: 'comment' },
  CommentRedacted: { version: 1, schema: comment.CommentRedacted, stream: 'comment' },
  CommentTagged: { version: 1, schema: comment.CommentTagged, stream: 'comment' },
  CommentEndorsed: { version: 1, schema: comment.CommentEndorsed, stream: 'comment' },
  OfficialReplyPosted: { version: 1, schema: comment.OfficialReplyPosted, stream: 'comment' },

  DigestStarted: { version: 1, schema: digest.DigestStarted, stream: 'digest' },
  ThemeDefined: { version: 1, schema: digest.ThemeDefined, stream: 'digest' },
  CommentsAssignedToTheme: { version: 1, schema: digest.CommentsAssignedToTheme, stream: 'digest' },
  ThemeAnswered: { version: 1, schema: digest.ThemeAnswered, stream: 'digest' },
  DigestApproved: { version: 1, schema: digest.DigestApproved, stream: 'digest' },
  DigestPublished: { version: 1, schema: digest.DigestPublished, stream: 'digest' },

  DuplicateGroupConfirmed: { version: 1, schema: analysis.DuplicateGroupConfirmed, stream: 'analysis' },
  DuplicateGroupUndone: { version: 1, schema: analysis.DuplicateGroupUndone, stream: 'analysis' },

  OrganizationRegistered: { version: 1, schema: organization.OrganizationRegistered, stream: 'org' },
  MemberAdded: { version: 1, schema: organization.MemberAdded, stream: 'org' },
  MemberRolesChanged: { version: 1, schema: organization.MemberRolesChanged, stream: 'org' },
  MemberRemoved: { version: 1, schema: organization.MemberRemoved, stream: 'org' },
  CommunicationChannelAdded: { version: 1, schema: organization.CommunicationChannelAdded, stream: 'org' },
  CommunicationChannelRetired: { version: 1, schema: organization.CommunicationChannelRetired, stream: 'org' },

  AccountRegistered: { version: 2, schema: account.AccountRegistered, stream: 'account' },
  AccountEmailVerified: { version: 1, schema: account.AccountEmailVerified, stream: 'account' },
  AccountErased: { version: 2, schema: account.AccountErased, stream: 'account' },
  PupilEnrolled: { version: 1, schema: account.PupilEnrolled, stream: 'account' },
  ConsentRecorded: { version: 1, schema: account.ConsentRecorded, stream: 'account' },
  ConsentWithdrawn: { version: 1, schema: account.ConsentWithdrawn, stream: 'account' },

  SemesterReportCompiled: { version: 1, schema: report.SemesterReportCompiled, stream: 'report' },
  SemesterReportSubmitted: { version: 1, schema: report.SemesterReportSubmitted, stream: 'report' },
  IncidentReported: { version: 1, schema: report.IncidentReported, stream: 'report' },
  FeedbackSurgeDetected: { version: 1, schema: report.FeedbackSurgeDetected, stream: 'report' },
  AlertAcknowledged: { version: 1, schema: report.AlertAcknowledged, stream: 'report' },

  PolicyFollowed: { version: 1, schema: follow.PolicyFollowed, stream: 'follow' },
  PolicyUnfollowed: { version: 1, schema: follow.PolicyUnfollowed, stream: 'follow' },
  NotificationMailSent: { version: 1, schema: follow.NotificationMailSent, stream: 'follow' },
  NotificationsRead: { version: 1, schema: follow.NotificationsRead, stream: 'follow' },

  CheckpointSealed: { version: 1, schema: audit.CheckpointSealed, stream: 'audit' },
  SensitiveDataRead: { version: 1, schema: audit.SensitiveDataRead, stream: 'audit' },
} as const;

export type EventType = keyof typeof eventCatalogue;
export const eventTypes = Object.keys(eventCatalogue) as EventType[];
export type EventData<T extends EventType> = z.infer<(typeof eventCatalogue)[T]['schema']>;

/** A domain event: its type and its data, as the deciders produce and the projections consume it. */
export type DomainEvent = { [T in EventType]: { type: T; data: EventData<T> } }[EventType];
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

/** Upcasters turn an older stored version into the current one on read. */
export const upcasters: Partial<Record<EventType, Record<number, (data: unknown) => unknown>>> = {
  // v1 had no cycle fields: every version then was a working draft (a revision in review went back to drafting).
  DraftVersionPublished: {
    1: (data) => ({ ...(data as Record<string, unknown>), revisesRound: null, amendsVersion: null }),
  },
  // v1 did not record the decision's date; it stays unknown rather than guessed.
  PolicyEnacted: { 1: (data) => ({ ...(data as Record<string, unknown>), decisionDate: null }) },
  /** v1 → v2: the email lookup is dropped (it lives in the auth store only; the stored v1 event keeps it). */
  AccountRegistered: {
    1: (data) => {
      const { emailLookup: _dropped, ...rest } = data as Record<string, unknown>;
      return rest;
    },
  },
  /** v1 → v2: erasures before the choice existed kept the comments as anonymous contributions. */
  AccountErased: { 1: (data) => ({ ...(data as Record<string, unknown>), comments: 'anonymous' }) },
};

export function parseEvent(type: string, schemaVersion: number, data: unknown): DomainEvent {
  const entry = (eventCatalogue as Record<string, { version: number; schema: z.ZodType }>)[type];
  if (!entry) throw new Error(`Unknown event type ${type}`);
  return { type, data: entry.schema.parse(upcast(type, schemaVersion, data)) } as DomainEvent;
}

/** Stored data of an older version brought to the type's current version, not yet validated. */
export function upcast(type: string, schemaVersion: number, data: unknown): unknown {
  const entry = (eventCatalogue as Record<string, { version: number; schema: z.ZodType }>)[type];
  if (!entry) throw new Error(`Unknown event type ${type}`);
  let current = data;
  for (let v = schemaVersion; v < entry.version; v++) {
    const up = upcasters[type as EventType]?.[v];
    if (!up) throw new Error(`No upcaster for ${type} v${v}`);
    current = up(current);
  }
  return current;
}
