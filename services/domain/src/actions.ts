import type { Standing } from './account';
import type { CommentState } from './comment';
import { commentGuards } from './commentDecider';
import type { DigestState } from './digest';
import { digestGuards, type DigestTarget } from './digestDecider';
import { DomainError, ValidationError, type ErrorCode, type LocalisedMessage } from './errors';
import type { PolicyState } from './policy';
import { policyGuards, requireLivePolicy } from './policyDecider';
import type { CommandActor } from './shared';

/**
 * What a viewer may do now, asked of the deciders' own guards: each action is the command a button or form of the
 * site would send, and it is possible exactly when the guard that command's decider calls first passes (the input the
 * person types is checked when they send it). A refused action carries the decider's refusal: its code, its rule and
 * its message in Vietnamese and English (rules.ts). Nothing here decides anything the deciders do not.
 */

export interface ActionRefusal {
  code: ErrorCode;
  /** The rule that refused (rules.ts); null for NOT_FOUND, which names no rule. */
  rule: string | null;
  messages: LocalisedMessage;
}

export interface ActionAvailability<A extends string> {
  action: A;
  /** Null when the action is possible now. */
  refusal: ActionRefusal | null;
}

/** Who looks: the actor the handler would decide with (roles in the owning organisation) and what it reads of them. */
export interface ActionViewer {
  actor: CommandActor;
  /** What the viewer's own account says about taking part (confirmed, a pupil's consent), as the comment handler reads it. */
  standing?: Standing;
}

export function refusalOf(error: DomainError): ActionRefusal {
  const rule = 'rule' in error && typeof error.rule === 'string' ? error.rule : null;
  return { code: error.code, rule, messages: error.messages };
}

function check<A extends string>(action: A, guard: () => void): ActionAvailability<A> {
  try {
    guard();
    return { action, refusal: null };
  } catch (error) {
    // A guard never reads input; a ValidationError would mean the list asked about something that does not exist.
    if (error instanceof DomainError && !(error instanceof ValidationError))
      return { action, refusal: refusalOf(error) };
    throw error;
  }
}

export const policyActionTypes = [
  'StartDrafting',
  'PublishDraftVersion',
  'OpenConsultation',
  'ExtendConsultation',
  'CloseConsultation',
  'StartDigest',
  'PublishDigest',
  'EnactPolicy',
  'WithdrawPolicy',
  'SubmitComment',
  'RecordOfflineFeedback',
] as const;
export type PolicyActionType = (typeof policyActionTypes)[number];

/**
 * Visible comments of the round and how many an answered theme covers, as publishing counts them, and how many the
 * round received in all (hidden and withdrawn ones too).
 */
export interface DigestCoverage {
  coveredCount: number;
  visibleCount: number;
  receivedCount: number;
}

/**
 * The lifecycle of a policy and what participants and staff can add to it now. `digest` is the digest of the
 * current round (the initial state when there is none), `coverage` the publication count when it was taken.
 */
export function policyActions(
  policy: PolicyState,
  digest: DigestState,
  viewer: ActionViewer,
  now: string,
  coverage: DigestCoverage | null = null,
): ActionAvailability<PolicyActionType>[] {
  const { actor } = viewer;
  const policyId = policy.policyId;
  if (policyId === null) {
    return policyActionTypes.map((action) => check(action, () => requireLivePolicy(policy, '')));
  }
  const live =
    (guard: () => void, amending = false) =>
    () => {
      requireLivePolicy(policy, policyId, amending);
      guard();
    };
  // Digest commands name the current round; before any, the first round is the only one a digest could answer.
  const target: DigestTarget = { policyId, round: policy.currentRound?.round ?? 1 };
  const guards: Record<PolicyActionType, () => void> = {
    StartDrafting: live(() => policyGuards.startDrafting(policy, actor)),
    PublishDraftVersion: live(() => policyGuards.publishDraftVersion(policy, actor), true),
    OpenConsultation: live(() => policyGuards.openConsultation(policy, actor)),
    ExtendConsultation: live(() => policyGuards.extendConsultation(policy, actor, now)),
    CloseConsultation: live(() => policyGuards.closeConsultation(policy, actor)),
    StartDigest: () => {
      digestGuards.start(digest, policy, actor, target);
      digestGuards.notYetStarted(digest);
    },
    PublishDigest: () => {
      digestGuards.publish(digest, policy, actor, target);
      if (coverage) digestGuards.covers(digest, coverage);
    },
    EnactPolicy: live(() => policyGuards.enact(policy, actor)),
    WithdrawPolicy: live(() => policyGuards.withdraw(actor)),
    SubmitComment: () => {
      commentGuards.mayTakePart(viewer.standing?.consent);
      commentGuards.roundTakesComments(policy, policyId, now);
    },
    RecordOfflineFeedback: () => {
      commentGuards.recordOffline(actor);
      commentGuards.roundTakesOfflineFeedback(policy, policyId, digest, now);
    },
  };
  return policyActionTypes.map((action) => check(action, guards[action]));
}

export const commentActionTypes = [
  'ReplyToComment',
  'EditComment',
  'WithdrawComment',
  'EndorseComment',
  'FlagComment',
  'HideComment',
  'RestoreComment',
  'RedactComment',
  'PostOfficialReply',
] as const;
export type CommentActionType = (typeof commentActionTypes)[number];

/** What the viewer may do with one comment now; `policy` is the state of the comment's policy. */
export function commentActions(
  comment: CommentState,
  policy: PolicyState,
  viewer: ActionViewer,
  now: string,
): ActionAvailability<CommentActionType>[] {
  const { actor } = viewer;
  const commentId = comment.commentId ?? '';
  const onComment = (guard: () => void) => () => {
    commentGuards.exists(comment, commentId);
    guard();
  };
  const guards: Record<CommentActionType, () => void> = {
    // A reply is a comment submitted under this one, in its policy and the round open now.
    ReplyToComment: onComment(() => {
      commentGuards.mayTakePart(viewer.standing?.consent);
      const policyId = comment.policyId ?? '';
      commentGuards.roundTakesComments(policy, policyId, now);
      commentGuards.replyTo(comment, commentId, policyId, policy.currentRound?.round ?? 0);
    }),
    EditComment: onComment(() => commentGuards.edit(comment, policy, actor, now)),
    WithdrawComment: onComment(() => commentGuards.withdraw(comment, policy, actor, now)),
    EndorseComment: onComment(() => commentGuards.endorse(comment, actor, viewer.standing)),
    FlagComment: onComment(() => commentGuards.flag(comment, actor, viewer.standing)),
    HideComment: onComment(() => commentGuards.hide(comment, actor)),
    RestoreComment: onComment(() => commentGuards.restore(comment, actor)),
    RedactComment: onComment(() => commentGuards.redact(comment, actor)),
    PostOfficialReply: onComment(() => commentGuards.postOfficialReply(comment, actor)),
  };
  return commentActionTypes.map((action) => check(action, guards[action]));
}

export const digestActionTypes = [
  'DefineTheme',
  'AssignCommentsToTheme',
  'AnswerTheme',
  'ApproveDigest',
  'PublishDigest',
] as const;
export type DigestActionType = (typeof digestActionTypes)[number];

/** What the viewer may do with a round's digest now; `policy` is the state of its policy. */
export function digestActions(
  digest: DigestState,
  policy: PolicyState,
  viewer: ActionViewer,
  coverage: DigestCoverage | null = null,
): ActionAvailability<DigestActionType>[] {
  const { actor } = viewer;
  const target: DigestTarget = { policyId: digest.policyId ?? policy.policyId ?? '', round: digest.round || 1 };
  const guards: Record<DigestActionType, () => void> = {
    DefineTheme: () => digestGuards.draft(digest, policy, actor, target),
    AssignCommentsToTheme: () => digestGuards.draft(digest, policy, actor, target),
    AnswerTheme: () => digestGuards.draft(digest, policy, actor, target),
    ApproveDigest: () => digestGuards.approve(digest, policy, actor, target),
    PublishDigest: () => {
      digestGuards.publish(digest, policy, actor, target);
      if (coverage) digestGuards.covers(digest, coverage);
    },
  };
  return digestActionTypes.map((action) => check(action, guards[action]));
}
