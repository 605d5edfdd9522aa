// Shapes of comments with their thread, history and moderation state, as the policy page and the staff pages read
// them (no runtime dependencies).
import type { DraftNode, NodeKind } from '$lib/draft';
import type { Availability, Comment, CommentAction, Stance, StakeholderCategory } from '$lib/types';

export type Channel = 'WEB' | 'LETTER' | 'EMAIL' | 'MEETING' | 'CONFERENCE' | 'PHONE' | 'PRESS' | 'SOCIAL_MEDIA';
export const OFFLINE_CHANNELS: readonly Channel[] = [
  'LETTER',
  'EMAIL',
  'MEETING',
  'CONFERENCE',
  'PHONE',
  'PRESS',
  'SOCIAL_MEDIA',
];

export type NodeChange = 'ADDED' | 'REMOVED' | 'MOVED' | 'REWORDED' | 'RENUMBERED' | 'UNCHANGED';

export type FlagReason = 'ABUSE' | 'SPAM' | 'OFF_TOPIC' | 'PERSONAL_DATA' | 'MISINFORMATION' | 'OTHER';
export const FLAG_REASONS: readonly FlagReason[] = [
  'ABUSE',
  'SPAM',
  'OFF_TOPIC',
  'PERSONAL_DATA',
  'MISINFORMATION',
  'OTHER',
];

/** visible | hidden | withdrawn | redacted */
export type CommentStatus = 'visible' | 'hidden' | 'withdrawn' | 'redacted';

export interface CommentRevision {
  revision: number;
  body: string;
  stance: Stance;
  at: string;
}

export interface OfficialReply {
  id: string;
  body: string;
  at: string;
}

/** A comment with everything the policy page shows about it. */
export interface ThreadComment extends Comment {
  channel: Channel;
  status: CommentStatus | string;
  edited: boolean;
  receivedAt: string;
  endorsementCount: number;
  viewerHasEndorsed: boolean;
  replyCount: number;
  hiddenReason: string | null;
  anchorText: string | null;
  anchorChangesSince: NodeChange[];
  revisions: CommentRevision[];
  officialReplies: OfficialReply[];
  replies: ThreadComment[];
  /** Scans of offline feedback: only staff, moderators and auditors get any. */
  attachments?: Attachment[];
  /** What the viewer may do with it now (asked on the policy page only). */
  availableActions?: Availability<CommentAction>[];
}

export interface NodeSnapshot {
  id: string;
  kind: NodeKind;
  number: string;
  heading: string;
  text: string;
  parentId: string | null;
}

/** A run of words kept, removed or added, as the API compares two texts. */
export interface TextPart {
  kind: 'SAME' | 'ADDED' | 'REMOVED';
  text: string;
}

export interface NodeDiff {
  nodeId: string;
  changes: NodeChange[];
  before: NodeSnapshot | null;
  after: NodeSnapshot | null;
  textDiff: TextPart[];
  headingDiff: TextPart[];
}

export interface CommentFlag {
  id: string;
  reason: FlagReason;
  note: string | null;
  at: string;
  comment: ThreadComment;
}

export interface DraftImportPreview {
  title: string;
  nodes: DraftNode[];
  warnings: string[];
}

export interface Attachment {
  id: string;
  fileName: string;
  mediaType: string;
  size: number;
  /** Path of the download on the API's origin (/attachments/<id>). */
  url: string;
}

/** A document that accompanies a version: the explanatory memorandum (tờ trình) or another paper. */
export interface VersionDocument extends Attachment {
  kind: 'to_trinh' | 'other' | string;
  title: string | null;
  version: number | null;
}

export interface OfflineFeedbackInput {
  policyId: string;
  channel: Channel;
  receivedAt: string;
  senderName: string | null;
  senderOrganization: string | null;
  senderContact: string | null;
  stakeholderCategory: StakeholderCategory;
  body: string;
  stance: Stance;
  nodeId: string | null;
  idempotencyKey: string;
  attachments: { sha256: string; fileName: string; mediaType: string }[];
}

/**
 * What a comment needs to offer its actions on the policy page (absent elsewhere: the comment is shown only). Which
 * actions it offers comes from the comment's own `availableActions`.
 */
export interface CommentActions {
  currentVersion: number | null;
  /** What each node says in the latest version, by node id. */
  currentTexts: Record<string, string>;
  keyBase: string;
  form: import('$lib/types').FormState | null | undefined;
  pseudonym: string | null;
}
