import { ThemeDecisions, type Role } from '@gopy/schemas';
import {
  evolveDigest,
  findTheme,
  initialDigestState,
  type DigestEvent,
  type DigestState,
  type DigestTheme,
  type ThemeDecision,
} from './digest';
import { NotFoundError } from './errors';
import { isTerminal, type PolicyState } from './policy';
import { illegalState } from './rules';
import {
  STAFF_ROLES,
  invalid,
  notAList,
  requireAnyRole,
  requireContext,
  requireNonNegativeInt,
  requireOneOf,
  requirePositiveInt,
  requireText,
  requireUuid,
  unreachable,
  type CommandActor,
  type CommandBase,
} from './shared';

interface DigestCommandBase extends CommandBase {
  policyId: string;
  round: number;
}

export interface StartDigest extends DigestCommandBase {
  type: 'StartDigest';
  digestId: string;
}
/** Defines a theme; defining an existing theme again renames it. */
export interface DefineTheme extends DigestCommandBase {
  type: 'DefineTheme';
  themeId: string;
  title: string;
  description: string;
}
/** Bulk: every listed comment goes into (or out of) every listed theme. */
export interface AssignCommentsToTheme extends DigestCommandBase {
  type: 'AssignCommentsToTheme';
  themeIds: string[];
  commentIds: string[];
  unassignedCommentIds: string[];
}
export interface AnswerTheme extends DigestCommandBase {
  type: 'AnswerTheme';
  themeId: string;
  decision: ThemeDecision;
  explanation: string;
  sectionsChanged: string[];
}
export interface ApproveDigest extends DigestCommandBase {
  type: 'ApproveDigest';
}
/** The counts come from the read models at `countedAtPosition`; the handler takes them, the decider holds them to the rule. */
export interface PublishDigest extends DigestCommandBase {
  type: 'PublishDigest';
  coveredCount: number;
  visibleCount: number;
  /** Every comment the round received, hidden and withdrawn ones too. */
  receivedCount: number;
  countedAtPosition: string | null;
}

export type DigestCommand =
  StartDigest | DefineTheme | AssignCommentsToTheme | AnswerTheme | ApproveDigest | PublishDigest;

/** Most comment ids one assignment may carry: a filtered page of the comment list, not the whole log. */
export const MAX_ASSIGNED_COMMENTS = 5_000;

/**
 * `policy` is the state of the digest's policy stream, folded by the caller: the digest answers that policy's
 * current round, and the roles in `actor` are the actor's roles in the policy's owning organisation.
 */
export function decideDigest(command: DigestCommand, state: DigestState, policy: PolicyState): DigestEvent[] {
  requireContext(command);
  switch (command.type) {
    case 'StartDigest':
      return start(command, state, policy);
    case 'DefineTheme':
      digestGuards.draft(state, policy, command.actor, command);
      return defineTheme(command, state);
    case 'AssignCommentsToTheme':
      digestGuards.draft(state, policy, command.actor, command);
      return assign(command, state);
    case 'AnswerTheme':
      digestGuards.draft(state, policy, command.actor, command);
      return answer(command, state, policy);
    case 'ApproveDigest':
      digestGuards.approve(state, policy, command.actor, command);
      return approve(command, state);
    case 'PublishDigest':
      digestGuards.publish(state, policy, command.actor, command);
      return publish(command, state);
    default:
      return unreachable(command);
  }
}

type Drafter = 'staff' | 'spokesperson';

/** Every role that may act on a digest: staff (or an admin) draft it, a spokesperson approves and publishes it. */
export const DIGEST_ROLES: readonly Role[] = ['spokesperson', ...STAFF_ROLES];

/** Which digest a command is about: its policy and round, as the command names them. */
export interface DigestTarget {
  policyId: string;
  round: number;
}

/** Staff draft the digest (an admin may stand in); only a spokesperson speaks for the office: approves and publishes. */
function requireRoles(actor: CommandActor, who: Drafter): void {
  if (who === 'staff') requireAnyRole(actor, STAFF_ROLES, 'STAFF_ONLY');
  else requireAnyRole(actor, ['spokesperson'], 'SPOKESPERSON_ONLY');
}

/** The policy exists, is not enacted or withdrawn, and `round` is its current round. */
function currentRoundOf(command: DigestTarget, policy: PolicyState): void {
  const policyId = requireUuid('policyId', command.policyId);
  if (policy.status === 'none' || policy.policyId !== policyId) {
    throw new NotFoundError('policy', policyId, {
      vi: `Không tìm thấy chính sách ${policyId}.`,
      en: `Policy ${policyId} not found.`,
    });
  }
  const round = requirePositiveInt('round', command.round);
  if (!policy.currentRound) throw illegalState('NO_ROUND');
  if (round !== policy.currentRound.round) throw illegalState('ROUND_MISMATCH');
}

function editable(state: DigestState, policy: PolicyState, actor: CommandActor, target: DigestTarget, who: Drafter) {
  requireRoles(actor, who);
  currentRoundOf(target, policy);
  if (!state.exists) throw illegalState('DIGEST_NOT_STARTED');
  if (state.published) throw illegalState('DIGEST_PUBLISHED');
  if (isTerminal(policy)) throw illegalState('TERMINAL_STATE');
}

/**
 * What each digest command asks of the digest, its policy and the actor, before its own input is looked at. The
 * decider calls them; `digestActions` and `policyActions` (actions.ts) call the same ones to tell a viewer what is
 * possible now, so a rule is written once.
 */
export const digestGuards = {
  /** Starting the digest of the policy's current round; a digest already there is the only one of its round. */
  start(state: DigestState, policy: PolicyState, actor: CommandActor, target: DigestTarget): void {
    requireRoles(actor, 'staff');
    currentRoundOf(target, policy);
    if (isTerminal(policy)) throw illegalState('TERMINAL_STATE');
  },
  notYetStarted(state: DigestState): void {
    if (state.exists) throw illegalState('DIGEST_ALREADY_STARTED');
  },
  /** Defining, assigning and answering themes: staff, until the digest is published. */
  draft(state: DigestState, policy: PolicyState, actor: CommandActor, target: DigestTarget): void {
    editable(state, policy, actor, target, 'staff');
  },
  approve(state: DigestState, policy: PolicyState, actor: CommandActor, target: DigestTarget): void {
    editable(state, policy, actor, target, 'spokesperson');
    // More feedback can still arrive while the round is open: approving then would approve an unfinished digest.
    if (!policy.currentRound?.closed) throw illegalState('ROUND_STILL_OPEN');
    if (state.approved) throw illegalState('DIGEST_ALREADY_APPROVED');
    if (state.themes.some((t) => t.answer === null)) throw illegalState('THEMES_UNANSWERED');
  },
  publish(state: DigestState, policy: PolicyState, actor: CommandActor, target: DigestTarget): void {
    editable(state, policy, actor, target, 'spokesperson');
    if (!state.approved) throw illegalState('DIGEST_NOT_APPROVED');
  },
  /**
   * What is published answers every visible comment of the round, counted from the read models when publishing; and
   * a round that received comments is answered with at least one answered theme, even when none of them is still
   * visible (all hidden or withdrawn): an empty digest says nothing to the people who wrote.
   */
  covers(state: DigestState, count: { coveredCount: number; visibleCount: number; receivedCount: number }): void {
    if (count.coveredCount !== count.visibleCount) throw illegalState('DIGEST_INCOMPLETE');
    if (count.receivedCount > 0 && !state.themes.some((t) => t.answer !== null))
      throw illegalState('NO_ANSWERED_THEME');
  },
};

function start(command: StartDigest, state: DigestState, policy: PolicyState): DigestEvent[] {
  digestGuards.start(state, policy, command.actor, command);
  const digestId = requireUuid('digestId', command.digestId);
  // The same start retried is acknowledged; a second digest for the round is not.
  if (state.exists && state.digestId === digestId) return [];
  digestGuards.notYetStarted(state);
  return [
    {
      type: 'DigestStarted',
      data: { digestId, policyId: command.policyId, round: command.round, startedBy: command.actor.accountId },
    },
  ];
}

function existingTheme(state: DigestState, themeId: string, field: string): DigestTheme {
  const id = requireUuid(field, themeId);
  const theme = findTheme(state, id);
  if (!theme)
    throw new NotFoundError('theme', id, { vi: `Không tìm thấy nhóm ý kiến ${id}.`, en: `Theme ${id} not found.` });
  return theme;
}

function defineTheme(command: DefineTheme, state: DigestState): DigestEvent[] {
  const themeId = requireUuid('themeId', command.themeId);
  const title = requireText('title', command.title, { min: 1, max: 300 });
  const description = requireText('description', command.description ?? '', { min: 0, max: 5_000 });
  const existing = findTheme(state, themeId);
  if (existing && existing.title === title && existing.description === description) return [];
  return [{ type: 'ThemeDefined', data: { digestId: state.digestId!, themeId, title, description } }];
}

function uuidList(field: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw notAList(field);
  if (value.length > MAX_ASSIGNED_COMMENTS) {
    throw invalid(
      field,
      `Mỗi lần chỉ xếp tối đa ${MAX_ASSIGNED_COMMENTS} mục.`,
      `At most ${MAX_ASSIGNED_COMMENTS} items at a time.`,
    );
  }
  return [...new Set(value.map((id, i) => requireUuid(`${field}[${i}]`, id)))];
}

function assign(command: AssignCommentsToTheme, state: DigestState): DigestEvent[] {
  const themeIds = uuidList('themeIds', command.themeIds);
  if (themeIds.length === 0)
    throw invalid('themeIds', 'Hãy chọn ít nhất một nhóm ý kiến.', 'Choose at least one theme.');
  const commentIds = uuidList('commentIds', command.commentIds);
  const unassigned = uuidList('unassignedCommentIds', command.unassignedCommentIds ?? []);
  if (commentIds.length === 0 && unassigned.length === 0) {
    throw invalid('commentIds', 'Hãy chọn ít nhất một góp ý.', 'Choose at least one comment.');
  }
  const both = commentIds.find((id) => unassigned.includes(id));
  if (both) {
    throw invalid(
      'unassignedCommentIds',
      'Một góp ý không thể vừa được xếp vào vừa được gỡ khỏi nhóm.',
      'A comment cannot be both assigned and unassigned.',
    );
  }
  const events: DigestEvent[] = [];
  for (const [i, id] of themeIds.entries()) {
    const theme = existingTheme(state, id, `themeIds[${i}]`);
    const added = commentIds.filter((c) => !theme.commentIds.includes(c));
    const removed = unassigned.filter((c) => theme.commentIds.includes(c));
    // Only what changes is recorded, so a repeated submission of the same form records nothing.
    if (added.length === 0 && removed.length === 0) continue;
    events.push({
      type: 'CommentsAssignedToTheme',
      data: { digestId: state.digestId!, themeId: theme.themeId, commentIds: added, unassignedCommentIds: removed },
    });
  }
  return events;
}

function answer(command: AnswerTheme, state: DigestState, policy: PolicyState): DigestEvent[] {
  const theme = existingTheme(state, command.themeId, 'themeId');
  const decision = requireOneOf('decision', command.decision, ThemeDecisions);
  const explanation = requireText('explanation', command.explanation ?? '', { min: 0, max: 20_000 });
  // "Tiếp thu" needs no reason; anything short of it must say why.
  if ((decision === 'not_accepted' || decision === 'partly_accepted') && explanation.length === 0) {
    throw invalid(
      'explanation',
      'Cần giải trình lý do không tiếp thu hoặc chỉ tiếp thu một phần.',
      'Explain why it was not (fully) accepted.',
    );
  }
  const sectionsChanged = uuidList('sectionsChanged', command.sectionsChanged ?? []);
  for (const [i, nodeId] of sectionsChanged.entries()) {
    if (!policy.nodeKinds[nodeId]) {
      throw invalid(
        `sectionsChanged[${i}]`,
        'Mục được sửa không thuộc dự thảo này.',
        'The changed section is not part of this draft.',
      );
    }
  }
  const previous = theme.answer;
  if (
    previous &&
    previous.decision === decision &&
    previous.explanation === explanation &&
    previous.sectionsChanged.join() === sectionsChanged.join()
  ) {
    return [];
  }
  return [
    {
      type: 'ThemeAnswered',
      data: { digestId: state.digestId!, themeId: theme.themeId, decision, explanation, sectionsChanged },
    },
  ];
}

function approve(command: ApproveDigest, state: DigestState): DigestEvent[] {
  return [{ type: 'DigestApproved', data: { digestId: state.digestId!, approvedBy: command.actor.accountId } }];
}

function publish(command: PublishDigest, state: DigestState): DigestEvent[] {
  const coveredCount = requireNonNegativeInt('coveredCount', command.coveredCount);
  const visibleCount = requireNonNegativeInt('visibleCount', command.visibleCount);
  const receivedCount = requireNonNegativeInt('receivedCount', command.receivedCount);
  const countedAtPosition =
    command.countedAtPosition === null
      ? null
      : requireText('countedAtPosition', command.countedAtPosition, { min: 1, max: 200 });
  digestGuards.covers(state, { coveredCount, visibleCount, receivedCount });
  return [
    {
      type: 'DigestPublished',
      data: {
        digestId: state.digestId!,
        publishedBy: command.actor.accountId,
        coveredCount,
        visibleCount,
        countedAtPosition,
      },
    },
  ];
}

export const digestDecider = {
  decide: decideDigest,
  evolve: evolveDigest,
  initialState: initialDigestState,
};
