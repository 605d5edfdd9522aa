import type { ConsentStatus, Standing } from './account';
import {
  Channels,
  FlagReasons,
  StakeholderCategories,
  Stances,
  type AttachmentRef,
  type Channel,
  type Stance,
  type StakeholderCategory,
} from '@gopy/schemas';
import { NotFoundError } from './errors';
import { initialCommentState, type CommentEvent, type CommentState } from './comment';
import { initialDigestState, type DigestState } from './digest';
import { isRoundOpen, isTerminal, roundEndedAt, type ConsultationRound, type PolicyState } from './policy';
import { conflict, forbidden, illegalState } from './rules';
import { sameText } from './text';
import {
  STAFF_ROLES,
  invalid,
  isBefore,
  optionalText,
  optionalUuid,
  requireAnyRole,
  requireAttachments,
  requireContext,
  requireInstant,
  requireOneOf,
  requirePositiveInt,
  requireText,
  requireUuid,
  unreachable,
  type CommandBase,
} from './shared';

export type FlagReason = (typeof FlagReasons)[number];
export type OfflineChannel = Exclude<Channel, 'web'>;

interface CommentCommandBase extends CommandBase {
  commentId: string;
}

/** A participant's comment on the portal. The comment id is derived by the caller from account and idempotency key. */
export interface SubmitComment extends CommentCommandBase {
  type: 'SubmitComment';
  policyId: string;
  version: number;
  anchorNodeId: string | null;
  parentCommentId: string | null;
  body: string;
  stance: Stance;
  stakeholderCategory: StakeholderCategory;
  authorAccountId: string;
  pseudonym: string | null;
  idempotencyKey: string;
  attachments?: AttachmentRef[];
  /**
   * Whether the author's account may take part (a pupil needs consent); the handler reads it from the account. A
   * confirmed email is checked where the request enters (the API), as it was before endorsing and flagging needed it.
   */
  authorConsent?: ConsentStatus;
}

/** Feedback that came by letter, email, meeting...; staff record it, and the recorder is the actor. */
export interface RecordOfflineFeedback extends CommentCommandBase {
  type: 'RecordOfflineFeedback';
  policyId: string;
  channel: OfflineChannel;
  receivedAt: string;
  offlineSender: { senderId: string; name: string | null; organization: string | null; contact: string | null } | null;
  stakeholderCategory: StakeholderCategory;
  body: string;
  stance: Stance;
  anchorNodeId: string | null;
  /** Set when the sender also has an account; null for someone known only from the letter or the minutes. */
  authorAccountId?: string | null;
  idempotencyKey: string;
  attachments?: AttachmentRef[];
}
export interface EditComment extends CommentCommandBase {
  type: 'EditComment';
  body: string;
  stance: Stance;
}
export interface WithdrawComment extends CommentCommandBase {
  type: 'WithdrawComment';
  reason: string;
}
export interface FlagComment extends CommentCommandBase {
  type: 'FlagComment';
  flagId: string;
  reason: FlagReason;
  note: string | null;
  /** The flagger's standing, read by the handler from the account's stream. */
  actorStanding: Standing;
}
export interface HideComment extends CommentCommandBase {
  type: 'HideComment';
  reasonCode: FlagReason;
  reason: string;
}
export interface RestoreComment extends CommentCommandBase {
  type: 'RestoreComment';
  reason: string;
}
export interface RedactComment extends CommentCommandBase {
  type: 'RedactComment';
  reason: string;
}
export interface TagComment extends CommentCommandBase {
  type: 'TagComment';
  added: string[];
  removed: string[];
}
export interface EndorseComment extends CommentCommandBase {
  type: 'EndorseComment';
  /** The endorser's standing, read by the handler from the account's stream. */
  actorStanding: Standing;
}
export interface PostOfficialReply extends CommentCommandBase {
  type: 'PostOfficialReply';
  replyId: string;
  body: string;
}

export type CommentCommand =
  | SubmitComment
  | RecordOfflineFeedback
  | EditComment
  | WithdrawComment
  | FlagComment
  | HideComment
  | RestoreComment
  | RedactComment
  | TagComment
  | EndorseComment
  | PostOfficialReply;

/** `policy` is the state of the comment's policy stream, folded by the caller; only the first two commands and
 *  the author's edits read it, moderation does not depend on the consultation's lifecycle. */
export function decideComment(
  command: CommentCommand,
  state: CommentState,
  policy: PolicyState,
  /** The digest of the policy's current round, for offline feedback (accepted until the digest is approved). */
  digest: DigestState = initialDigestState,
  /** The state of the comment a reply answers (its `parentCommentId` stream), folded by the caller. */
  parent: CommentState = initialCommentState,
): CommentEvent[] {
  requireContext(command);
  switch (command.type) {
    case 'SubmitComment':
      return submit(command, state, policy, parent);
    case 'RecordOfflineFeedback':
      return recordOffline(command, state, policy, digest);
    case 'EditComment':
      return edit(command, existing(command, state), policy);
    case 'WithdrawComment':
      return withdraw(command, existing(command, state), policy);
    case 'FlagComment':
      return flag(command, existing(command, state));
    case 'HideComment':
      return hide(command, existing(command, state));
    case 'RestoreComment':
      return restore(command, existing(command, state));
    case 'RedactComment':
      return redact(command, existing(command, state));
    case 'TagComment':
      return tag(command, existing(command, state));
    case 'EndorseComment':
      return endorse(command, existing(command, state));
    case 'PostOfficialReply':
      return reply(command, existing(command, state));
    default:
      return unreachable(command);
  }
}

function existing(command: CommentCommandBase, state: CommentState): CommentState {
  if (!state.exists || state.commentId !== command.commentId) {
    throw new NotFoundError('comment', command.commentId, {
      vi: `Không tìm thấy góp ý ${command.commentId}.`,
      en: `Comment ${command.commentId} not found.`,
    });
  }
  return state;
}

function policyOf(policyId: string, policy: PolicyState): PolicyState {
  if (policy.status === 'none' || policy.policyId !== policyId) {
    throw new NotFoundError('policy', policyId, {
      vi: `Không tìm thấy chính sách ${policyId}.`,
      en: `Policy ${policyId} not found.`,
    });
  }
  if (isTerminal(policy)) throw illegalState('TERMINAL_STATE');
  return policy;
}

interface SubmittedContent {
  body: string;
  stance: Stance;
  anchorNodeId: string | null;
}

/**
 * The comment id comes from (account, idempotency key), so a retry lands on the same stream. The same content means
 * the first attempt took effect and there is nothing left to do; other content under the same key is a client bug.
 */
function isRetryOf(state: CommentState, idempotencyKey: string, content: SubmittedContent): boolean {
  if (!state.exists) return false;
  if (state.redacted) throw illegalState('COMMENT_REDACTED');
  if (state.idempotencyKey !== idempotencyKey) throw illegalState('COMMENT_ALREADY_EXISTS');
  const first = state.submitted;
  if (
    first &&
    sameText(first.body, content.body) &&
    first.stance === content.stance &&
    first.anchorNodeId === content.anchorNodeId
  ) {
    return true;
  }
  throw conflict('IDEMPOTENCY_KEY_REUSED');
}

function requireAnchorIn(policy: PolicyState, version: number, anchorNodeId: string | null): void {
  if (anchorNodeId !== null && !policy.versions[version]?.nodeIds.includes(anchorNodeId)) {
    throw invalid(
      'anchorNodeId',
      `Mục được góp ý không có trong dự thảo phiên bản ${version}.`,
      `The node commented on is not part of draft version ${version}.`,
    );
  }
}

/**
 * A reply belongs to the thread it answers: the same policy and round, under a comment still shown. Anything else
 * would put text on another organisation's page, beyond its moderators' reach, or under a comment taken down.
 */
function requireParent(parent: CommentState, parentCommentId: string, policyId: string, round: number): void {
  if (!parent.exists || parent.commentId !== parentCommentId) throw illegalState('PARENT_NOT_FOUND');
  if (parent.policyId !== policyId) throw illegalState('PARENT_IN_OTHER_POLICY');
  if (parent.round !== round) throw illegalState('PARENT_IN_OTHER_ROUND');
  if (parent.hidden || parent.withdrawn || parent.redacted) throw illegalState('PARENT_NOT_VISIBLE');
}

function submit(
  command: SubmitComment,
  state: CommentState,
  policy: PolicyState,
  parent: CommentState,
): CommentEvent[] {
  if (command.authorAccountId !== command.actor.accountId) throw forbidden('AUTHOR_MUST_BE_ACTOR');
  if (command.authorConsent === 'missing') throw forbidden('CONSENT_REQUIRED');
  const commentId = requireUuid('commentId', command.commentId);
  const policyId = requireUuid('policyId', command.policyId);
  const version = requirePositiveInt('version', command.version);
  const anchorNodeId = optionalUuid('anchorNodeId', command.anchorNodeId);
  const parentCommentId = optionalUuid('parentCommentId', command.parentCommentId);
  const body = requireText('body', command.body, { min: 1, max: 10_000 });
  const stance = requireOneOf('stance', command.stance, Stances);
  const stakeholderCategory = requireOneOf('stakeholderCategory', command.stakeholderCategory, StakeholderCategories);
  const pseudonym = optionalText('pseudonym', command.pseudonym, { min: 1, max: 100 });
  const idempotencyKey = requireText('idempotencyKey', command.idempotencyKey, { min: 1, max: 200 });
  const attachments = requireAttachments('attachments', command.attachments);

  if (isRetryOf(state, idempotencyKey, { body, stance, anchorNodeId })) return [];

  const open = policyOf(policyId, policy);
  if (!isRoundOpen(open, command.now)) throw illegalState('ROUND_NOT_OPEN');
  const round = open.currentRound as ConsultationRound;
  if (version !== round.version) throw illegalState('VERSION_NOT_UNDER_CONSULTATION');
  requireAnchorIn(open, version, anchorNodeId);
  if (parentCommentId !== null) requireParent(parent, parentCommentId, policyId, round.round);
  return [
    {
      type: 'CommentSubmitted',
      data: {
        commentId,
        policyId,
        round: round.round,
        version,
        anchorNodeId,
        parentCommentId,
        body,
        stance,
        stakeholderCategory,
        channel: 'web',
        authorAccountId: command.actor.accountId,
        pseudonym,
        offlineSender: null,
        recordedBy: null,
        idempotencyKey,
        receivedAt: command.now,
        attachments,
      },
    },
  ];
}

function recordOffline(
  command: RecordOfflineFeedback,
  state: CommentState,
  policy: PolicyState,
  digest: DigestState,
): CommentEvent[] {
  requireAnyRole(command.actor, STAFF_ROLES, 'STAFF_ONLY');
  const commentId = requireUuid('commentId', command.commentId);
  const policyId = requireUuid('policyId', command.policyId);
  const channel = requireOneOf(
    'channel',
    command.channel,
    Channels.filter((c): c is OfflineChannel => c !== 'web'),
  );
  const receivedAt = requireInstant('receivedAt', command.receivedAt);
  if (isBefore(command.now, receivedAt)) {
    throw invalid('receivedAt', 'Thời điểm nhận không được ở tương lai.', 'receivedAt cannot be in the future.');
  }
  const sender = command.offlineSender;
  const offlineSender =
    sender === null || sender === undefined
      ? null
      : {
          senderId: requireUuid('offlineSender.senderId', sender.senderId),
          name: optionalText('offlineSender.name', sender.name, { min: 1, max: 200 }),
          organization: optionalText('offlineSender.organization', sender.organization, { min: 1, max: 300 }),
          contact: optionalText('offlineSender.contact', sender.contact, { min: 1, max: 300 }),
        };
  const stakeholderCategory = requireOneOf('stakeholderCategory', command.stakeholderCategory, StakeholderCategories);
  const body = requireText('body', command.body, { min: 1, max: 10_000 });
  const stance = requireOneOf('stance', command.stance, Stances);
  const anchorNodeId = optionalUuid('anchorNodeId', command.anchorNodeId);
  const authorAccountId = optionalUuid('authorAccountId', command.authorAccountId);
  const idempotencyKey = requireText('idempotencyKey', command.idempotencyKey, { min: 1, max: 200 });
  const attachments = requireAttachments('attachments', command.attachments);

  if (isRetryOf(state, idempotencyKey, { body, stance, anchorNodeId })) return [];

  const known = policyOf(policyId, policy);
  const round = known.currentRound;
  if (!round) throw illegalState('NO_ROUND');
  // Letters keep arriving after the deadline; they count if they were sent in time, until the digest is done.
  if (round.answered) throw illegalState('ROUND_ANSWERED');
  if (digest.exists && digest.round === round.round && (digest.approved || digest.published))
    throw illegalState('DIGEST_APPROVED');
  if (isBefore(receivedAt, round.opensAt)) throw illegalState('RECEIVED_BEFORE_OPEN');
  if (!isBefore(receivedAt, roundEndedAt(round))) throw illegalState('RECEIVED_AFTER_CLOSE');
  requireAnchorIn(known, round.version, anchorNodeId);
  return [
    {
      type: 'CommentSubmitted',
      data: {
        commentId,
        policyId,
        round: round.round,
        version: round.version,
        anchorNodeId,
        parentCommentId: null,
        body,
        stance,
        stakeholderCategory,
        channel,
        authorAccountId,
        pseudonym: null,
        offlineSender,
        recordedBy: command.actor.accountId,
        idempotencyKey,
        receivedAt,
        attachments,
      },
    },
  ];
}

/**
 * Endorsing and flagging count for something (endorsements are shown and tallied, flags raise alerts), so they need
 * an account that stands for one reachable person (see Standing: a confirmed email, or a pupil's account the school
 * issued) and, for a pupil, the consent the law asks. A standing the caller did not provide is no standing.
 */
function requireStanding(standing: Standing | undefined): void {
  if (!standing?.verified) throw forbidden('EMAIL_NOT_VERIFIED');
  if (standing.consent === 'missing') throw forbidden('CONSENT_REQUIRED');
}

function requireAuthor(command: CommentCommandBase, state: CommentState): void {
  if (state.authorAccountId === null || state.authorAccountId !== command.actor.accountId)
    throw forbidden('AUTHOR_ONLY');
}

/** An author changes their mind only while the round they wrote in is still taking comments. */
function requireOwnRoundOpen(command: CommentCommandBase, state: CommentState, policy: PolicyState): void {
  if (
    policy.policyId !== state.policyId ||
    policy.currentRound?.round !== state.round ||
    !isRoundOpen(policy, command.now)
  ) {
    throw illegalState('ROUND_NOT_OPEN');
  }
}

/** Others interact only with a comment that is still there for them to see. */
function requireVisible(state: CommentState): void {
  if (state.withdrawn) throw illegalState('COMMENT_WITHDRAWN');
  if (state.redacted) throw illegalState('COMMENT_REDACTED');
  if (state.hidden) throw illegalState('COMMENT_HIDDEN');
}

function edit(command: EditComment, state: CommentState, policy: PolicyState): CommentEvent[] {
  requireAuthor(command, state);
  requireVisible(state);
  requireOwnRoundOpen(command, state, policy);
  const body = requireText('body', command.body, { min: 1, max: 10_000 });
  const stance = requireOneOf('stance', command.stance, Stances);
  if (body === state.body && stance === state.stance) return [];
  return [
    { type: 'CommentEdited', data: { commentId: command.commentId, body, stance, editedBy: command.actor.accountId } },
  ];
}

function withdraw(command: WithdrawComment, state: CommentState, policy: PolicyState): CommentEvent[] {
  requireAuthor(command, state);
  if (state.withdrawn) throw illegalState('COMMENT_WITHDRAWN');
  requireOwnRoundOpen(command, state, policy);
  const reason = requireText('reason', command.reason ?? '', { min: 0, max: 2_000 });
  return [
    { type: 'CommentWithdrawn', data: { commentId: command.commentId, withdrawnBy: command.actor.accountId, reason } },
  ];
}

function flag(command: FlagComment, state: CommentState): CommentEvent[] {
  requireStanding(command.actorStanding);
  requireVisible(state);
  if (state.flaggedBy.includes(command.actor.accountId)) throw illegalState('ALREADY_FLAGGED');
  const flagId = requireUuid('flagId', command.flagId);
  const reason = requireOneOf('reason', command.reason, FlagReasons);
  const note = optionalText('note', command.note, { min: 0, max: 2_000 }) || null;
  return [
    {
      type: 'CommentFlagged',
      data: { commentId: command.commentId, flagId, flaggedBy: command.actor.accountId, reason, note },
    },
  ];
}

function hide(command: HideComment, state: CommentState): CommentEvent[] {
  requireAnyRole(command.actor, ['moderator'], 'MODERATOR_ONLY');
  if (state.hidden) throw illegalState('ALREADY_HIDDEN');
  const reasonCode = requireOneOf('reasonCode', command.reasonCode, FlagReasons);
  const reason = requireText('reason', command.reason, { min: 1, max: 2_000 });
  return [
    {
      type: 'CommentHidden',
      data: { commentId: command.commentId, hiddenBy: command.actor.accountId, reasonCode, reason },
    },
  ];
}

function restore(command: RestoreComment, state: CommentState): CommentEvent[] {
  requireAnyRole(command.actor, ['moderator'], 'MODERATOR_ONLY');
  if (!state.hidden) throw illegalState('NOT_HIDDEN');
  const reason = requireText('reason', command.reason, { min: 1, max: 2_000 });
  return [
    { type: 'CommentRestored', data: { commentId: command.commentId, restoredBy: command.actor.accountId, reason } },
  ];
}

function redact(command: RedactComment, state: CommentState): CommentEvent[] {
  requireAnyRole(command.actor, ['moderator'], 'MODERATOR_ONLY');
  if (state.redacted) throw illegalState('ALREADY_REDACTED');
  const reason = requireText('reason', command.reason, { min: 1, max: 2_000 });
  return [
    {
      type: 'CommentRedacted',
      data: { commentId: command.commentId, redactedBy: command.actor.accountId, reason, keyDestroyed: true },
    },
  ];
}

function tag(command: TagComment, state: CommentState): CommentEvent[] {
  requireAnyRole(command.actor, STAFF_ROLES, 'STAFF_ONLY');
  const tags = (field: string, list: unknown): string[] => {
    if (!Array.isArray(list))
      throw invalid(field, `Trường ${field} phải là một danh sách.`, `${field} must be a list.`);
    return [...new Set(list.map((t, i) => requireText(`${field}[${i}]`, t, { min: 1, max: 100 })))];
  };
  const requestedAdd = tags('added', command.added);
  const requestedRemove = tags('removed', command.removed);
  if (requestedAdd.some((t) => requestedRemove.includes(t))) {
    throw invalid('removed', 'Một nhãn không thể vừa thêm vừa bỏ.', 'A tag cannot be both added and removed.');
  }
  // Only real changes are recorded, so re-applying a tagging is harmless.
  const added = requestedAdd.filter((t) => !state.tags.includes(t));
  const removed = requestedRemove.filter((t) => state.tags.includes(t));
  if (added.length === 0 && removed.length === 0) return [];
  return [
    {
      type: 'CommentTagged',
      data: { commentId: command.commentId, taggedBy: command.actor.accountId, added, removed },
    },
  ];
}

function endorse(command: EndorseComment, state: CommentState): CommentEvent[] {
  requireStanding(command.actorStanding);
  requireVisible(state);
  if (state.authorAccountId === command.actor.accountId) throw forbidden('OWN_COMMENT');
  if (state.endorsedBy.includes(command.actor.accountId)) throw illegalState('ALREADY_ENDORSED');
  return [{ type: 'CommentEndorsed', data: { commentId: command.commentId, endorsedBy: command.actor.accountId } }];
}

function reply(command: PostOfficialReply, state: CommentState): CommentEvent[] {
  requireAnyRole(command.actor, ['spokesperson'], 'SPOKESPERSON_ONLY');
  requireVisible(state);
  const replyId = requireUuid('replyId', command.replyId);
  const body = requireText('body', command.body, { min: 1, max: 20_000 });
  if (state.officialReplyIds.includes(replyId)) return [];
  return [
    {
      type: 'OfficialReplyPosted',
      data: { commentId: command.commentId, replyId, postedBy: command.actor.accountId, body },
    },
  ];
}
