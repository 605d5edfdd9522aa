import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';

/**
 * The read-model database, shared by SQLite (embedded) and PostgreSQL (distributed) through Kysely.
 * Read models hold account ids and display names, never emails; comment bodies are plaintext of public comments
 * (rebuildable from the log while their keys live). Booleans are stored as 0/1 integers so both engines agree.
 */
export interface ProjectorCheckpointTable {
  name: string;
  position: string | null;
  seq: number;
  version: number;
}

export interface OrganizationsTable {
  id: string;
  name: string;
  kind: string;
  levels: string; // JSON array
  school_type: string;
  parent_id: string | null;
}

export interface MembershipsTable {
  organization_id: string;
  account_id: string;
  roles: string; // JSON array
}

export interface AccountsTable {
  id: string;
  display_name: string;
  pseudonym: string | null;
  stakeholder_category: string;
  email_verified: number;
  erased: number;
  preferred_locale: string;
  registered_at: string;
}

export interface PoliciesTable {
  id: string;
  organization_id: string;
  title: string;
  summary: string;
  status: string;
  current_version: number | null;
  current_round: number | null;
  proposed_at: string;
  updated_at: string;
  enactment: string | null; // JSON
  withdrawal_reason: string | null;
  comment_count: number;
  seq: number;
}

export interface PolicyVersionsTable {
  policy_id: string;
  number: number;
  title: string;
  change_note: string;
  published_at: string;
  nodes: string; // JSON tree
  /** The round this version revises after consultation (the policy stayed in review), or null. */
  revises_round: number | null;
  /** The enacted version this version amends (a new cycle on an enacted policy), or null. */
  amends_version: number | null;
}

export interface RoundsTable {
  policy_id: string;
  round: number;
  version: number;
  opens_at: string;
  closes_at: string;
  closed_at: string | null;
  closed_by: string | null;
  /** Why staff closed the round (early); '' for a deadline close. */
  close_reason: string | null;
  answered: number;
}

export interface CommentsTable {
  id: string;
  policy_id: string;
  round: number;
  version: number;
  anchor_node_id: string | null;
  anchor_label: string | null;
  parent_id: string | null;
  author_account_id: string | null;
  author_name: string;
  /** Null when the comment's key was destroyed (redacted) or the author erased. */
  body: string | null;
  stance: string;
  stakeholder_category: string;
  channel: string;
  status: string; // visible | hidden | withdrawn | redacted
  submitted_at: string;
  received_at: string;
  edited: number;
  seq: number;
  endorsement_count: number;
  flag_count: number;
  reply_count: number;
  /** Why a moderator hid it: shown to its author and to auditors, never on public pages. */
  hidden_reason: string | null;
  hidden_reason_code: string | null;
  /** Offline feedback: the staff member who recorded it. */
  recorded_by: string | null;
  /** 1 when the comment's body was destroyed with its author's erasure while it was visible: digests still count it. */
  destroyed_with_author: Generated<number>;
}

/** Every text a comment has had, oldest first; shown on demand ("edited"). */
export interface CommentRevisionsTable {
  comment_id: string;
  revision: number;
  body: string | null;
  stance: string;
  at: string;
}

export interface CommentFlagsTable {
  flag_id: string;
  comment_id: string;
  policy_id: string;
  flagged_by: string;
  reason: string;
  note: string | null;
  at: string;
  /** open until a moderator hides or restores the comment */
  status: string;
}

export interface OfficialRepliesTable {
  reply_id: string;
  comment_id: string;
  policy_id: string;
  body: string;
  posted_by: string;
  at: string;
  seq: number;
}

export interface CommentEndorsementsTable {
  comment_id: string;
  account_id: string;
}

export interface ReadModelDatabase {
  projector_checkpoint: ProjectorCheckpointTable;
  organizations: OrganizationsTable;
  memberships: MembershipsTable;
  accounts: AccountsTable;
  policies: PoliciesTable;
  policy_versions: PolicyVersionsTable;
  rounds: RoundsTable;
  comments: CommentsTable;
  comment_revisions: CommentRevisionsTable;
  comment_flags: CommentFlagsTable;
  official_replies: OfficialRepliesTable;
  comment_endorsements: CommentEndorsementsTable;
}

export type ReadDb = Kysely<ReadModelDatabase>;
export type ReadTx = Transaction<ReadModelDatabase>;
// Re-exported so read-model files can declare generated columns consistently if they need them.
export type { ColumnType, Generated };
