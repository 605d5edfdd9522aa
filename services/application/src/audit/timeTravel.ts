import type { DomainEvent } from '@gopy/schemas';
import { ValidationError } from '@gopy/domain/errors';
import { positionOf, type EventStore, type Position } from '../eventStore';
import type { ReadEvent, WritePath } from '../writePath';

/** "As of" a recorded time (ISO 8601, compared with recordedAt) or a log position (opaque, as the API hands it out). */
export type AsOf = { kind: 'time'; at: string } | { kind: 'position'; position: Position };

/** Refuses (VALIDATION naming `asOf`) what is neither an ISO 8601 time nor a position of this store. */
export function parseAsOf(text: string, store: Pick<EventStore, 'comparePositions'>): AsOf {
  const t = text.trim();
  if (/^\d{4}-\d{2}-\d{2}T/.test(t) && !Number.isNaN(Date.parse(t)))
    return { kind: 'time', at: new Date(t).toISOString() };
  const position = positionOf(store, t);
  if (position) return { kind: 'position', position };
  throw new ValidationError('asOf', {
    vi: 'Thời điểm xem lại phải là một thời điểm dạng ISO 8601 (ví dụ 2026-12-15T10:00:00Z) hoặc một vị trí trong nhật ký sự kiện do API trả về.',
    en: 'As of must be an ISO 8601 time (e.g. 2026-12-15T10:00:00Z) or a position of the event log, as the API returned it.',
  });
}

export interface HistoryEntry {
  eventId: string;
  streamId: string;
  type: string;
  recordedAt: string;
  occurredAt: string;
  position: string;
  actorAccountId: string | null;
  actorRole: string;
  /** The reason the actor gave, when the event carries one (extension, closing, hiding, withdrawal…). */
  reason: string | null;
}

export interface CommentSnapshot {
  commentId: string;
  round: number;
  version: number;
  anchorNodeId: string | null;
  parentCommentId: string | null;
  authorAccountId: string | null;
  channel: string;
  stakeholderCategory: string;
  stance: string;
  /** The text as it stood then; null when its key has since been destroyed (redacted). */
  body: string | null;
  status: 'visible' | 'hidden' | 'withdrawn' | 'redacted';
  hiddenReason: string | null;
  hiddenReasonCode: string | null;
  submittedAt: string;
  edits: number;
  flags: number;
  endorsements: number;
  tags: string[];
  officialReplies: { replyId: string; body: string; recordedAt: string }[];
  history: HistoryEntry[];
}

export interface RoundSnapshot {
  round: number;
  version: number;
  opensAt: string;
  closesAt: string;
  closedAt: string | null;
  closedBy: string | null;
  answered: boolean;
}

export interface PolicySnapshot {
  policyId: string;
  asOf: string;
  owningOrganizationId: string;
  title: string;
  summary: string;
  status: 'proposed' | 'drafting' | 'consultation' | 'review' | 'enacted' | 'withdrawn';
  currentVersion: { version: number; title: string; nodes: unknown; changeNote: string } | null;
  rounds: RoundSnapshot[];
  enactment: { version: number; decisionNumber: string; effectiveDate: string } | null;
  withdrawalReason: string | null;
  comments: CommentSnapshot[];
  stats: {
    total: number;
    visible: number;
    hidden: number;
    withdrawn: number;
    redacted: number;
    byStance: Record<string, number>;
  };
  history: HistoryEntry[];
}

function within(store: EventStore, asOf: AsOf, e: ReadEvent): boolean {
  return asOf.kind === 'time'
    ? e.metadata.recordedAt <= asOf.at
    : store.comparePositions(e.recorded.position, asOf.position) <= 0;
}

function historyOf(e: ReadEvent): HistoryEntry {
  const data = e.event.data as { reason?: unknown };
  return {
    eventId: e.recorded.eventId,
    streamId: e.recorded.streamId,
    type: e.event.type,
    recordedAt: e.metadata.recordedAt,
    occurredAt: e.metadata.occurredAt,
    position: e.recorded.position,
    actorAccountId: e.metadata.actor.accountId,
    actorRole: e.metadata.actor.role,
    reason: typeof data.reason === 'string' ? data.reason : null,
  };
}

/** Folds one policy's stream as it stood at `asOf`; null when the policy did not exist yet. */
function foldPolicy(
  events: ReadEvent[],
  policyId: string,
  asOf: string,
): Omit<PolicySnapshot, 'comments' | 'stats'> | null {
  let s: Omit<PolicySnapshot, 'comments' | 'stats'> | null = null;
  for (const e of events) {
    const ev = e.event as DomainEvent;
    if (ev.type === 'PolicyProposed') {
      s = {
        policyId,
        asOf,
        owningOrganizationId: ev.data.owningOrganizationId,
        title: ev.data.title,
        summary: ev.data.summary,
        status: 'proposed',
        currentVersion: null,
        rounds: [],
        enactment: null,
        withdrawalReason: null,
        history: [],
      };
    }
    if (!s) continue;
    s.history.push(historyOf(e));
    switch (ev.type) {
      case 'DraftingStarted':
        s.status = 'drafting';
        break;
      case 'DraftVersionPublished':
        s.currentVersion = {
          version: ev.data.version,
          title: ev.data.title,
          nodes: ev.data.nodes,
          changeNote: ev.data.changeNote,
        };
        s.title = ev.data.title;
        // A revision after consultation keeps the policy in review (DraftVersionPublished v2).
        s.status = ev.data.revisesRound !== null ? 'review' : 'drafting';
        break;
      case 'ConsultationOpened':
        s.rounds.push({
          round: ev.data.round,
          version: ev.data.version,
          opensAt: ev.data.opensAt,
          closesAt: ev.data.closesAt,
          closedAt: null,
          closedBy: null,
          answered: false,
        });
        s.status = 'consultation';
        break;
      case 'ConsultationExtended': {
        const r = s.rounds.find((x) => x.round === ev.data.round);
        if (r) r.closesAt = ev.data.closesAt;
        break;
      }
      case 'ConsultationClosed': {
        const r = s.rounds.find((x) => x.round === ev.data.round);
        if (r) Object.assign(r, { closedAt: ev.data.closedAt, closedBy: ev.data.closedBy });
        s.status = 'review';
        break;
      }
      case 'RoundAnswered': {
        const r = s.rounds.find((x) => x.round === ev.data.round);
        if (r) r.answered = true;
        break;
      }
      case 'PolicyEnacted':
        s.enactment = {
          version: ev.data.version,
          decisionNumber: ev.data.decisionNumber,
          effectiveDate: ev.data.effectiveDate,
        };
        s.status = 'enacted';
        break;
      case 'PolicyWithdrawn':
        s.withdrawalReason = ev.data.reason;
        s.status = 'withdrawn';
        break;
      default:
        break;
    }
  }
  return s;
}

function foldComment(events: ReadEvent[]): CommentSnapshot | null {
  let c: CommentSnapshot | null = null;
  for (const e of events) {
    const ev = e.event as DomainEvent;
    if (ev.type === 'CommentSubmitted') {
      c = {
        commentId: ev.data.commentId,
        round: ev.data.round,
        version: ev.data.version,
        anchorNodeId: ev.data.anchorNodeId,
        parentCommentId: ev.data.parentCommentId,
        authorAccountId: ev.data.authorAccountId,
        channel: ev.data.channel,
        stakeholderCategory: ev.data.stakeholderCategory,
        stance: ev.data.stance,
        body: typeof ev.data.body === 'string' ? ev.data.body : null,
        status: 'visible',
        hiddenReason: null,
        hiddenReasonCode: null,
        submittedAt: e.metadata.recordedAt,
        edits: 0,
        flags: 0,
        endorsements: 0,
        tags: [],
        officialReplies: [],
        history: [],
      };
    }
    if (!c) continue;
    c.history.push(historyOf(e));
    switch (ev.type) {
      case 'CommentEdited':
        c.body = typeof ev.data.body === 'string' ? ev.data.body : null;
        c.stance = ev.data.stance;
        c.edits += 1;
        break;
      case 'CommentWithdrawn':
        c.status = 'withdrawn';
        break;
      case 'CommentFlagged':
        c.flags += 1;
        break;
      case 'CommentHidden':
        c.status = 'hidden';
        c.hiddenReason = ev.data.reason;
        c.hiddenReasonCode = ev.data.reasonCode;
        break;
      case 'CommentRestored':
        c.status = 'visible';
        c.hiddenReason = null;
        c.hiddenReasonCode = null;
        break;
      case 'CommentRedacted':
        c.status = 'redacted';
        c.body = null;
        break;
      case 'CommentTagged':
        c.tags = [...new Set([...c.tags.filter((t) => !ev.data.removed.includes(t)), ...ev.data.added])];
        break;
      case 'CommentEndorsed':
        c.endorsements += 1;
        break;
      case 'OfficialReplyPosted':
        c.officialReplies.push({ replyId: ev.data.replyId, body: ev.data.body, recordedAt: e.metadata.recordedAt });
        break;
      default:
        break;
    }
  }
  // A comment redacted later has no readable text today, even for a moment when it was visible.
  return c;
}

/**
 * A policy, its comments (with their moderation state) and their statistics exactly as they stood at `asOf`, folded
 * in memory from the policy's and the comments' streams (the read models hold only the present).
 */
export async function policyAsOf(
  writePath: WritePath,
  store: EventStore,
  policyId: string,
  asOfText: string,
): Promise<PolicySnapshot | null> {
  const asOf = parseAsOf(asOfText, store);
  const upTo = async (streamId: string) => {
    const out: ReadEvent[] = [];
    for await (const e of writePath.readStream(streamId)) {
      if (!within(store, asOf, e)) break;
      out.push(e);
    }
    return out;
  };
  const label = asOf.kind === 'time' ? asOf.at : asOf.position;
  const policy = foldPolicy(await upTo(`policy-${policyId}`), policyId, label);
  if (!policy) return null;
  const commentStreams: string[] = [];
  for await (const r of store.readAll({ filter: { eventTypes: ['CommentSubmitted'] } })) {
    if (asOf.kind === 'position' && store.comparePositions(r.position, asOf.position) > 0) break;
    if ((JSON.parse(r.data) as { policyId?: string }).policyId === policyId) commentStreams.push(r.streamId);
  }
  const comments: CommentSnapshot[] = [];
  for (const stream of commentStreams) {
    const c = foldComment(await upTo(stream));
    if (c) comments.push(c);
  }
  // A reply shows under its parent only within the policy (older logs may hold a reply to another policy's comment).
  const ofThisPolicy = new Set(comments.map((c) => c.commentId));
  for (const c of comments) if (c.parentCommentId && !ofThisPolicy.has(c.parentCommentId)) c.parentCommentId = null;
  const byStance: Record<string, number> = {};
  for (const c of comments) if (c.status === 'visible') byStance[c.stance] = (byStance[c.stance] ?? 0) + 1;
  const count = (s: CommentSnapshot['status']) => comments.filter((c) => c.status === s).length;
  return {
    ...policy,
    comments,
    stats: {
      total: comments.length,
      visible: count('visible'),
      hidden: count('hidden'),
      withdrawn: count('withdrawn'),
      redacted: count('redacted'),
      byStance,
    },
  };
}
