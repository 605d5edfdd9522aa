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
  notAList,
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
  type CommandActor,
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
      return edit(command, existing(command.commentId, state), policy);
    case 'WithdrawComment':
      return withdraw(command, existing(command.commentId, state), policy);
    case 'FlagComment':
      return flag(command, existing(command.commentId, state));
    case 'HideComment':
      return hide(command, existing(command.commentId, state));
    case 'RestoreComment':
      return restore(command, existing(command.commentId, state));
    case 'RedactComment':
      return redact(command, existing(command.commentId, state));
    case 'TagComment':
      return tag(command, existing(command.commentId, state));
    case 'EndorseComment':
      return endorse(command, existing(command.commentId, state));
    case 'PostOfficialReply':
      return reply(command, existing(command.commentId, state));
    default:
      return unreachable(command);
  }
}

function existing(commentId: string, state: CommentState): CommentState {
  commentGuards.exists(state, commentId);
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

function submit(
  command: SubmitComment,
  state: CommentState,
  policy: PolicyState,
  parent: CommentState,
): CommentEvent[] {
  if (command.authorAccountId !== command.actor.accountId) throw forbidden('AUTHOR_MUST_BE_ACTOR');
  commentGuards.mayTakePart(command.authorConsent);
  const commentId = requireUuid('commentId', command.commentId);
  const policyId = requireUuid('policyId', command.policyId);
  const version = requirePositiveInt('version', command.version);
  const parentCommentId = optionalUuid('parentCommentId', command.parentCommentId);
  const anchorNodeId = replyAnchor(optionalUuid('anchorNodeId', command.anchorNodeId), parentCommentId, parent);
  const body = requireText('body', command.body, { min: 1, max: 10_000 });
  const stance = requireOneOf('stance', command.stance, Stances);
  const stakeholderCategory = requireOneOf('stakeholderCategory', command.stakeholderCategory, StakeholderCategories);
  const pseudonym = optionalText('pseudonym', command.pseudonym, { min: 1, max: 100 });
  const idempotencyKey = requireText('idempotencyKey', command.idempotencyKey, { min: 1, max: 200 });
  const attachments = requireAttachments('attachments', command.attachments);

  if (isRetryOf(state, idempotencyKey, { body, stance, anchorNodeId })) return [];

  commentGuards.roundTakesComments(policy, policyId, command.now);
  const round = policy.currentRound as ConsultationRound;
  if (version !== round.version) throw illegalState('VERSION_NOT_UNDER_CONSULTATION');
  requireAnchorIn(policy, version, anchorNodeId);
  if (parentCommentId !== null) commentGuards.replyTo(parent, parentCommentId, policyId, round.round);
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

/**
 * A reply is about what its parent is about: it carries the parent's anchor (the article it discusses), not "the whole
 * draft". A reply naming another anchor is refused; naming none takes the parent's.
 */
function replyAnchor(anchorNodeId: string | null, parentCommentId: string | null, parent: CommentState): string | null {
  if (parentCommentId === null || !parent.exists || parent.commentId !== parentCommentId) return anchorNodeId;
  if (anchorNodeId !== null && anchorNodeId !== parent.anchorNodeId) {
    throw invalid(
      'anchorNodeId',
      'Trả lời phải gắn với cùng điều, khoản như góp ý được trả lời.',
      'A reply must be anchored where the comment it answers is.',
    );
  }
  return parent.anchorNodeId;
}

function recordOffline(
  command: RecordOfflineFeedback,
  state: CommentState,
  policy: PolicyState,
  digest: DigestState,
): CommentEvent[] {
  commentGuards.recordOffline(command.actor);
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

  const round = commentGuards.roundTakesOfflineFeedback(policy, policyId, digest, command.now);
  if (isBefore(receivedAt, round.opensAt)) throw illegalState('RECEIVED_BEFORE_OPEN');
  if (!isBefore(receivedAt, roundEndedAt(round))) throw illegalState('RECEIVED_AFTER_CLOSE');
  requireAnchorIn(policy, round.version, anchorNodeId);
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

function requireAuthor(actor: CommandActor, state: CommentState): void {
  if (state.authorAccountId === null || state.authorAccountId !== actor.accountId) throw forbidden('AUTHOR_ONLY');
}

/** An author changes their mind only while the round they wrote in is still taking comments. */
function requireOwnRoundOpen(state: CommentState, policy: PolicyState, now: string): void {
  if (policy.policyId !== state.policyId || policy.currentRound?.round !== state.round || !isRoundOpen(policy, now)) {
    throw illegalState('ROUND_NOT_OPEN');
  }
}

/** Others interact only with a comment that is still there for them to see. */
function requireVisible(state: CommentState): void {
  if (state.withdrawn) throw illegalState('COMMENT_WITHDRAWN');
  if (state.redacted) throw illegalState('COMMENT_REDACTED');
  if (state.hidden) throw illegalState('COMMENT_HIDDEN');
}

/**
 * What each comment command asks of the comment, its policy, the actor and the time, before its own input is looked
 * at. The deciders call them; `commentActions` and `policyActions` (actions.ts) call the same ones to tell a viewer
 * what is possible now, so a rule is written once. A guard throws the refusal; what depends on the input (the text,
 * the anchor, when a letter was received) stays in the decider.
 */
export const commentGuards = {
  /** Every command on a comment but its submission asks first that the comment is there. */
  exists(state: CommentState, commentId: string): void {
    if (!state.exists || state.commentId !== commentId) {
      throw new NotFoundError('comment', commentId, {
        vi: `Không tìm thấy góp ý ${commentId}.`,
        en: `Comment ${commentId} not found.`,
      });
    }
  },
  /** A pupil's account takes part only with consent; the handler reads it from the account. */
  mayTakePart(consent: ConsentStatus | undefined): void {
    if (consent === 'missing') throw forbidden('CONSENT_REQUIRED');
  },
  /** A participant's comment (or reply) is accepted while the round is open: opensAt ≤ now < closesAt, not closed. */
  roundTakesComments(policy: PolicyState, policyId: string, now: string): void {
    if (!isRoundOpen(policyOf(policyId, policy), now)) throw illegalState('ROUND_NOT_OPEN');
  },
  /**
   * A reply belongs to the thread it answers: the same policy and round, under a comment still shown. Anything else
   * would put text on another organisation's page, beyond its moderators' reach, or under a comment taken down.
   */
  replyTo(parent: CommentState, parentCommentId: string, policyId: string, round: number): void {
    if (!parent.exists || parent.commentId !== parentCommentId) throw illegalState('PARENT_NOT_FOUND');
    if (parent.policyId !== policyId) throw illegalState('PARENT_IN_OTHER_POLICY');
    if (parent.round !== round) throw illegalState('PARENT_IN_OTHER_ROUND');
    if (parent.hidden || parent.withdrawn || parent.redacted) throw illegalState('PARENT_NOT_VISIBLE');
  },
  recordOffline(actor: CommandActor): void {
    requireAnyRole(actor, STAFF_ROLES, 'STAFF_ONLY');
  },
  /**
   * Letters keep arriving after the deadline; they count if they were sent in time, until the digest is done. Before
   * the round opens (or when it closed before it opened) nothing received so far can fall inside it.
   */
  roundTakesOfflineFeedback(
    policy: PolicyState,
    policyId: string,
    digest: DigestState,
    now: string,
  ): ConsultationRound {
    const round = policyOf(policyId, policy).currentRound;
    if (!round) throw illegalState('NO_ROUND');
    if (round.answered) throw illegalState('ROUND_ANSWERED');
    if (digest.exists && digest.round === round.round && (digest.approved || digest.published))
      throw illegalState('DIGEST_APPROVED');
    if (isBefore(now, round.opensAt)) throw illegalState('RECEIVED_BEFORE_OPEN');
    if (!isBefore(round.opensAt, roundEndedAt(round))) throw illegalState('RECEIVED_AFTER_CLOSE');
    return round;
  },
  edit(state: CommentState, policy: PolicyState, actor: CommandActor, now: string): void {
    requireAuthor(actor, state);
    requireVisible(state);
    requireOwnRoundOpen(state, policy, now);
  },
  withdraw(state: CommentState, policy: PolicyState, actor: CommandActor, now: string): void {
    requireAuthor(actor, state);
    if (state.withdrawn) throw illegalState('COMMENT_WITHDRAWN');
    requireOwnRoundOpen(state, policy, now);
  },
  flag(state: CommentState, actor: CommandActor, standing: Standing | undefined): void {
    requireStanding(standing);
    requireVisible(state);
    if (state.flaggedBy.includes(actor.accountId)) throw illegalState('ALREADY_FLAGGED');
  },
  hide(state: CommentState, actor: CommandActor): void {
    requireAnyRole(actor, ['moderator'], 'MODERATOR_ONLY');
    if (state.hidden) throw illegalState('ALREADY_HIDDEN');
  },
  restore(state: CommentState, actor: CommandActor): void {
    requireAnyRole(actor, ['moderator'], 'MODERATOR_ONLY');
    if (!state.hidden) throw illegalState('NOT_HIDDEN');
  },
  redact(state: CommentState, actor: CommandActor): void {
    requireAnyRole(actor, ['moderator'], 'MODERATOR_ONLY');
    if (state.redacted) throw illegalState('ALREADY_REDACTED');
  },
  tag(actor: CommandActor): void {
    requireAnyRole(actor, STAFF_ROLES, 'STAFF_ONLY');
  },
  endorse(state: CommentState, actor: CommandActor, standing: Standing | undefined): void {
    requireStanding(standing);
    requireVisible(state);
    if (state.authorAccountId === actor.accountId) throw forbidden('OWN_COMMENT');
    if (state.endorsedBy.includes(actor.accountId)) throw illegalState('ALREADY_ENDORSED');
  },
  postOfficialReply(state: CommentState, actor: CommandActor): void {
    requireAnyRole(actor, ['spokesperson'], 'SPOKESPERSON_ONLY');
    requireVisible(state);
  },
};

function edit(command: EditComment, state: CommentState, policy: PolicyState): CommentEvent[] {
  commentGuards.edit(state, policy, command.actor, command.now);
  const body = requireText('body', command.body, { min: 1, max: 10_000 });
  const stance = requireOneOf('stance', command.stance, Stances);
  if (body === state.body && stance === state.stance) return [];
  return [
    { type: 'CommentEdited', data: { commentId: command.commentId, body, stance, editedBy: command.actor.accountId } },
  ];
}

function withdraw(command: WithdrawComment, state: CommentState, policy: PolicyState): CommentEvent[] {
  commentGuards.withdraw(state, policy, command.actor, command.now);
  const reason = requireText('reason', command.reason ?? '', { min: 0, max: 2_000 });
  return [
    { type: 'CommentWithdrawn', data: { commentId: command.commentId, withdrawnBy: command.actor.accountId, reason } },
  ];
}

function flag(command: FlagComment, state: CommentState): CommentEvent[] {
  commentGuards.flag(state, command.actor, command.actorStanding);
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
  commentGuards.hide(state, command.actor);
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
  commentGuards.restore(state, command.actor);
  const reason = requireText('reason', command.reason, { min: 1, max: 2_000 });
  return [
    { type: 'CommentRestored', data: { commentId: command.commentId, restoredBy: command.actor.accountId, reason } },
  ];
}

function redact(command: RedactComment, state: CommentState): CommentEvent[] {
  commentGuards.redact(state, command.actor);
  const reason = requireText('reason', command.reason, { min: 1, max: 2_000 });
  return [
    {
      type: 'CommentRedacted',
      data: { commentId: command.commentId, redactedBy: command.actor.accountId, reason, keyDestroyed: true },
    },
  ];
}

function tag(command: TagComment, state: CommentState): CommentEvent[] {
  commentGuards.tag(command.actor);
  const tags = (field: string, list: unknown): string[] => {
    if (!Array.isArray(list)) throw notAList(field);
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
  commentGuards.endorse(state, command.actor, command.actorStanding);
  return [{ type: 'CommentEndorsed', data: { commentId: command.commentId, endorsedBy: command.actor.accountId } }];
}

function reply(command: PostOfficialReply, state: CommentState): CommentEvent[] {
  commentGuards.postOfficialReply(state, command.actor);
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
