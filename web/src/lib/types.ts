// Shapes of what the API returns, shared by server code and components (no runtime dependencies).
import type { DraftNode } from '$lib/draft';

export type PolicyStatus = 'PROPOSED' | 'DRAFTING' | 'CONSULTATION' | 'REVIEW' | 'ENACTED' | 'WITHDRAWN';
export type Stance = 'SUPPORT' | 'OPPOSE' | 'NEUTRAL' | 'SUGGESTION';
export type StakeholderCategory =
  'STUDENT' | 'PARENT' | 'TEACHER' | 'SCHOOL_MANAGER' | 'PRESS' | 'CITIZEN' | 'ORGANIZATION';
export type Role = 'PARTICIPANT' | 'STAFF' | 'MODERATOR' | 'SPOKESPERSON' | 'POLICYMAKER' | 'AUDITOR' | 'ADMIN';
export type OrganizationKind = 'PROVINCE_DEPARTMENT' | 'DISTRICT_OFFICE' | 'SCHOOL' | 'OTHER';

export const POLICY_STATUSES: readonly PolicyStatus[] = [
  'CONSULTATION',
  'DRAFTING',
  'PROPOSED',
  'REVIEW',
  'ENACTED',
  'WITHDRAWN',
];
export const STANCES: readonly Stance[] = ['SUPPORT', 'OPPOSE', 'NEUTRAL', 'SUGGESTION'];
export const STAKEHOLDER_CATEGORIES: readonly StakeholderCategory[] = [
  'STUDENT',
  'PARENT',
  'TEACHER',
  'SCHOOL_MANAGER',
  'PRESS',
  'CITIZEN',
  'ORGANIZATION',
];
export const ROLES: readonly Role[] = [
  'PARTICIPANT',
  'STAFF',
  'MODERATOR',
  'SPOKESPERSON',
  'POLICYMAKER',
  'AUDITOR',
  'ADMIN',
];

export interface Organization {
  id: string;
  name: string;
  kind: OrganizationKind;
}
export interface Account {
  id: string;
  displayName: string;
  /** Shown instead of the name on comments when the participant asks for it. */
  pseudonym?: string | null;
  stakeholderCategory: StakeholderCategory;
  emailVerified: boolean;
}
export interface Membership {
  organization: Organization;
  roles: Role[];
}
export interface Viewer {
  account: Account;
  memberships: Membership[];
  staffOrganizations: Organization[];
}
/** Where a round stands now, as the API's domain says (SCHEDULED: opens later; OVER: deadline passed or closed). */
export type RoundPhase = 'SCHEDULED' | 'OPEN' | 'OVER';
export interface Round {
  round: number;
  version: number;
  opensAt: string;
  closesAt: string;
  closedAt: string | null;
  /** Closed by staff before its deadline (closesAt); closeReason says why. */
  closedEarly: boolean;
  closeReason: string | null;
  answered: boolean;
  isOpen: boolean;
  phase: RoundPhase;
}

/** Why an action is not possible now: the refusal its mutation would answer, `message` in the page's language. */
export interface ActionRefusal {
  code: string;
  rule: string | null;
  message: string;
}
/** One action of `availableActions`: what the site may offer, asked of the API (the rules live in its domain). */
export interface Availability<A extends string = string> {
  action: A;
  allowed: boolean;
  refusal: ActionRefusal | null;
}
export type PolicyAction =
  | 'START_DRAFTING'
  | 'PUBLISH_DRAFT_VERSION'
  | 'OPEN_CONSULTATION'
  | 'EXTEND_CONSULTATION'
  | 'CLOSE_CONSULTATION'
  | 'START_DIGEST'
  | 'PUBLISH_DIGEST'
  | 'ENACT_POLICY'
  | 'WITHDRAW_POLICY'
  | 'SUBMIT_COMMENT'
  | 'RECORD_OFFLINE_FEEDBACK';
export type CommentAction =
  | 'REPLY_TO_COMMENT'
  | 'EDIT_COMMENT'
  | 'WITHDRAW_COMMENT'
  | 'ENDORSE_COMMENT'
  | 'FLAG_COMMENT'
  | 'HIDE_COMMENT'
  | 'RESTORE_COMMENT'
  | 'REDACT_COMMENT'
  | 'POST_OFFICIAL_REPLY';
export type DigestAction =
  'DEFINE_THEME' | 'ASSIGN_COMMENTS_TO_THEME' | 'ANSWER_THEME' | 'APPROVE_DIGEST' | 'PUBLISH_DIGEST';
export interface Enactment {
  version: number;
  decisionNumber: string;
  effectiveDate: string;
  enactedAt: string;
}
export interface VersionSummary {
  number: number;
  title: string;
  changeNote: string;
  publishedAt: string;
  /** The round this version revises after consultation (the policy stayed in review). */
  revisesRound?: number | null;
}
export interface Version extends VersionSummary {
  nodes: DraftNode[];
}
export interface PolicyCard {
  id: string;
  title: string;
  summary: string;
  status: PolicyStatus;
  owningOrganization: { id: string; name: string };
  updatedAt: string;
  currentVersion: { number: number } | null;
  currentRound: Round | null;
  commentCount: number;
  enactment: Enactment | null;
}
export interface Comment {
  id: string;
  policyId: string;
  policyTitle: string;
  round: number;
  version: number;
  anchorNodeId: string | null;
  anchorLabel: string | null;
  parentCommentId: string | null;
  body: string;
  stance: Stance;
  stakeholderCategory: StakeholderCategory;
  authorName: string;
  submittedAt: string;
}
export interface Page<T> {
  items: T[];
  endCursor: string | null;
  hasNextPage: boolean;
  totalCount?: number;
}
export interface PolicyDetail {
  id: string;
  title: string;
  summary: string;
  status: PolicyStatus;
  owningOrganization: { id: string; name: string };
  proposedAt: string;
  updatedAt: string;
  currentVersion: Version | null;
  currentRound: Round | null;
  enactment: Enactment | null;
  withdrawalReason: string | null;
  commentCount: number;
  viewerRoles: Role[];
  availableActions: Availability<PolicyAction>[];
}
export interface StaffPolicy extends Omit<PolicyDetail, 'currentVersion'> {
  currentVersion: VersionSummary | null;
  versions: VersionSummary[];
  rounds: Round[];
}
export interface Member {
  account: { id: string; displayName: string };
  roles: Role[];
}

/** Longest comment body the forms accept (the API may enforce its own limit too). */
export const COMMENT_BODY_MAX = 10_000;

/** What every action returns, on success and on failure, so one type serves every form on a page. */
export interface FormState {
  /** Which form on the page this answers (a page may hold many, e.g. one comment form per draft node). */
  formId?: string;
  ok?: boolean;
  message?: string;
  fieldErrors?: Record<string, string>;
  /** What the reader typed, to put back into the form (never passwords). */
  values?: Record<string, string>;
  /** A short confirmation to show after success. */
  notice?: string;
}
