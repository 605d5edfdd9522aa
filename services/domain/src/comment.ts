import type { Channel, DomainEvent, EventOf, Stance, StakeholderCategory } from '@gopy/schemas';
import { unreachable } from './shared';

export const commentEventTypes = [
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
] as const;
export type CommentEventType = (typeof commentEventTypes)[number];
export type CommentEvent = EventOf<CommentEventType>;

export function isCommentEvent(event: DomainEvent): event is CommentEvent {
  return (commentEventTypes as readonly string[]).includes(event.type);
}

/** Plaintext throughout: the write path seals bodies and names on the way to the log and the loader unseals them. */
export interface CommentState {
  exists: boolean;
  commentId: string | null;
  policyId: string | null;
  round: number;
  version: number;
  anchorNodeId: string | null;
  parentCommentId: string | null;
  /** The current text; null once redacted (its key is destroyed). */
  body: string | null;
  stance: Stance | null;
  stakeholderCategory: StakeholderCategory | null;
  channel: Channel | null;
  authorAccountId: string | null;
  recordedBy: string | null;
  idempotencyKey: string | null;
  /** What was first submitted, so that a retry with the same idempotency key can be recognised after an edit. */
  submitted: { body: string; stance: Stance; anchorNodeId: string | null } | null;
  receivedAt: string | null;
  withdrawn: boolean;
  hidden: boolean;
  redacted: boolean;
  flaggedBy: string[];
  tags: string[];
  endorsedBy: string[];
  officialReplyIds: string[];
}

export const initialCommentState: CommentState = {
  exists: false,
  commentId: null,
  policyId: null,
  round: 0,
  version: 0,
  anchorNodeId: null,
  parentCommentId: null,
  body: null,
  stance: null,
  stakeholderCategory: null,
  channel: null,
  authorAccountId: null,
  recordedBy: null,
  idempotencyKey: null,
  submitted: null,
  receivedAt: null,
  withdrawn: false,
  hidden: false,
  redacted: false,
  flaggedBy: [],
  tags: [],
  endorsedBy: [],
  officialReplyIds: [],
};

export function evolveComment(state: CommentState, event: CommentEvent): CommentState {
  switch (event.type) {
    case 'CommentSubmitted': {
      const d = event.data;
      return {
        ...state,
        exists: true,
        commentId: d.commentId,
        policyId: d.policyId,
        round: d.round,
        version: d.version,
        anchorNodeId: d.anchorNodeId,
        parentCommentId: d.parentCommentId,
        body: d.body,
        stance: d.stance,
        stakeholderCategory: d.stakeholderCategory,
        channel: d.channel,
        authorAccountId: d.authorAccountId,
        recordedBy: d.recordedBy,
        idempotencyKey: d.idempotencyKey,
        submitted: { body: d.body, stance: d.stance, anchorNodeId: d.anchorNodeId },
        receivedAt: d.receivedAt,
      };
    }
    case 'CommentEdited':
      return { ...state, body: event.data.body, stance: event.data.stance };
    case 'CommentWithdrawn':
      return { ...state, withdrawn: true };
    case 'CommentFlagged':
      return { ...state, flaggedBy: [...state.flaggedBy, event.data.flaggedBy] };
    case 'CommentHidden':
      return { ...state, hidden: true };
    case 'CommentRestored':
      return { ...state, hidden: false };
    case 'CommentRedacted':
      return { ...state, redacted: true, body: null, submitted: null };
    case 'CommentTagged': {
      const removed = new Set(event.data.removed);
      const kept = state.tags.filter((t) => !removed.has(t));
      return { ...state, tags: [...kept, ...event.data.added.filter((t) => !kept.includes(t))] };
    }
    case 'CommentEndorsed':
      return { ...state, endorsedBy: [...state.endorsedBy, event.data.endorsedBy] };
    case 'OfficialReplyPosted':
      return { ...state, officialReplyIds: [...state.officialReplyIds, event.data.replyId] };
    default:
      return unreachable(event);
  }
}

export function foldComment(events: readonly CommentEvent[], state: CommentState = initialCommentState): CommentState {
  return events.reduce(evolveComment, state);
}
