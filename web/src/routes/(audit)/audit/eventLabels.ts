// Words for the auditor pages: what an event means, who an actor is, and the filters' time fields.
import { m } from '$lib/paraglide/messages';
import { roleLabel } from '$lib/labels';
import { ROLES, type Role } from '$lib/types';

/** Every event type the log may hold (the event catalogue), for the type filter. */
export const EVENT_TYPES = [
  'PolicyProposed',
  'DraftingStarted',
  'DraftVersionPublished',
  'ConsultationOpened',
  'ConsultationExtended',
  'ConsultationClosed',
  'RoundAnswered',
  'PolicyEnacted',
  'PolicyWithdrawn',
  'CommentSubmitted',
  'CommentEdited',
  'CommentWithdrawn',
  'CommentFlagged',
  'CommentHidden',
  'CommentRestored',
  'CommentRedacted',
  'CommentTagged',
  'CommentEndorsed',
  'OfficialReplyPosted',
  'DigestStarted',
  'ThemeDefined',
  'CommentsAssignedToTheme',
  'ThemeAnswered',
  'DigestApproved',
  'DigestPublished',
  'OrganizationRegistered',
  'MemberAdded',
  'MemberRolesChanged',
  'MemberRemoved',
  'AccountRegistered',
  'AccountEmailVerified',
  'AccountErased',
  'SemesterReportCompiled',
  'SemesterReportSubmitted',
  'IncidentReported',
  'FeedbackSurgeDetected',
  'AlertAcknowledged',
  'PolicyFollowed',
  'PolicyUnfollowed',
  'NotificationsRead',
  'NotificationMailSent',
  'CheckpointSealed',
  'SensitiveDataRead',
] as const;

/** What an event of a policy's or a comment's stream means, in the reader's language; null for the others. */
export function eventLabel(type: string): string | null {
  switch (type) {
    case 'PolicyProposed':
      return m.audit_ev_policy_proposed();
    case 'DraftingStarted':
      return m.audit_ev_drafting_started();
    case 'DraftVersionPublished':
      return m.audit_ev_version_published();
    case 'ConsultationOpened':
      return m.audit_ev_consultation_opened();
    case 'ConsultationExtended':
      return m.audit_ev_consultation_extended();
    case 'ConsultationClosed':
      return m.audit_ev_consultation_closed();
    case 'RoundAnswered':
      return m.audit_ev_round_answered();
    case 'PolicyEnacted':
      return m.audit_ev_policy_enacted();
    case 'PolicyWithdrawn':
      return m.audit_ev_policy_withdrawn();
    case 'CommentSubmitted':
      return m.audit_ev_comment_submitted();
    case 'CommentEdited':
      return m.audit_ev_comment_edited();
    case 'CommentWithdrawn':
      return m.audit_ev_comment_withdrawn();
    case 'CommentFlagged':
      return m.audit_ev_comment_flagged();
    case 'CommentHidden':
      return m.audit_ev_comment_hidden();
    case 'CommentRestored':
      return m.audit_ev_comment_restored();
    case 'CommentRedacted':
      return m.audit_ev_comment_redacted();
    case 'CommentTagged':
      return m.audit_ev_comment_tagged();
    case 'CommentEndorsed':
      return m.audit_ev_comment_endorsed();
    case 'OfficialReplyPosted':
      return m.audit_ev_official_reply();
    default:
      return null;
  }
}

/** An actor's role as written in the log (lower case, or "system") in the reader's language. */
export function actorRoleLabel(role: string): string {
  const upper = role.toUpperCase() as Role;
  if (ROLES.includes(upper)) return roleLabel(upper);
  if (role === 'system') return m.audit_actor_system();
  return role;
}

/** The first characters of a hash, enough to tell two apart on screen (the whole one is in the details). */
export function shortHash(hash: string): string {
  return hash.length > 16 ? `${hash.slice(0, 12)}…` : hash;
}
