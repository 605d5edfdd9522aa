import type { Role } from '@gopy/schemas';
import { describe, expect, it } from 'vitest';
import type { Standing } from './account';
import {
  commentActions,
  commentActionTypes,
  digestActions,
  digestActionTypes,
  policyActions,
  policyActionTypes,
  type ActionAvailability,
  type ActionViewer,
  type CommentActionType,
  type DigestActionType,
  type DigestCoverage,
  type PolicyActionType,
} from './actions';
import { foldComment, initialCommentState, type CommentEvent } from './comment';
import { decideComment, type CommentCommand } from './commentDecider';
import { foldDigest, initialDigestState, type DigestEvent, type DigestState } from './digest';
import { decideDigest, type DigestCommand } from './digestDecider';
import { DomainError, ValidationError } from './errors';
import { foldPolicy, type PolicyEvent, type PolicyState } from './policy';
import { decidePolicy, type PolicyCommand } from './policyDecider';
import {
  T,
  aDraftTree,
  aHiddenComment,
  aPolicyDraftingWithoutVersion,
  aPolicyInConsultation,
  aPolicyInDrafting,
  aPolicyInReview,
  aPolicyWithAnsweredRound,
  aProposedPolicy,
  aRedactedComment,
  aRedraftedPolicy,
  aRevisedPolicy,
  anAmendedPolicy,
  aSubmittedComment,
  aWithdrawnComment,
  aWithdrawnPolicy,
  accounts,
  anEnactedPolicy,
  commentEvent,
  ids,
  policyEvent,
} from './testkit/builders';
import {
  aDigestWithTheme,
  aPublishedDigest,
  anAnsweredDigest,
  anApprovedDigest,
  digestEvent,
} from './testkit/digestBuilders';

// The action lists against the deciders: for every lifecycle state and every viewer, an action is listed as possible
// exactly when its decider accepts the command a form would send (with valid input), and a refused action carries the
// decider's own refusal (code, rule, messages). The commands below are this test's own, built from the state as a
// person filling in the form would; the lists never see them.

/* ------------------------------------------------------------------ viewers */

interface NamedViewer extends ActionViewer {
  name: string;
}

/**
 * Roles are those in the policy's owning organisation, as the handlers compute them: a member's roles there, and
 * `participant` for every account with a confirmed email. Someone with a role in another organisation holds none
 * here. Who is signed out, and the email and auditor checks made where a request enters, are the API's (its test).
 */
const confirmed: Standing = { verified: true, consent: 'not_required' };
const viewer = (name: string, accountId: string, roles: Role[], standing: Standing = confirmed): NamedViewer => ({
  name,
  actor: { accountId, roles },
  standing,
});
const other = 'b0000000-0000-4000-8000-0000000000';
const viewers: NamedViewer[] = [
  viewer('the author (a verified participant)', accounts.participant, ['participant']),
  viewer('another verified participant', accounts.otherParticipant, ['participant']),
  viewer('a participant whose email is not confirmed', `${other}01`, [], { verified: false, consent: 'not_required' }),
  viewer('a pupil without consent', `${other}02`, ['participant'], { verified: true, consent: 'missing' }),
  viewer('staff of the organisation', accounts.staff, ['staff', 'participant']),
  viewer('staff of another organisation', `${other}03`, ['participant']),
  viewer('a moderator of the organisation', accounts.moderator, ['moderator', 'participant']),
  viewer('a moderator of another organisation', `${other}04`, ['participant']),
  viewer('a spokesperson of the organisation', accounts.spokesperson, ['spokesperson', 'participant']),
  viewer('a spokesperson of another organisation', `${other}05`, ['participant']),
  viewer('a policymaker of the organisation', accounts.policymaker, ['policymaker', 'participant']),
  viewer('a policymaker of another organisation', `${other}06`, ['participant']),
  viewer('an admin of the organisation', accounts.admin, ['admin', 'participant']),
  viewer('an admin of another organisation', `${other}07`, ['participant']),
  viewer('an auditor', accounts.auditor, ['auditor', 'participant']),
];

/* ------------------------------------------------------------------ states */

interface World {
  name: string;
  policy: PolicyEvent[];
  /** The digest of round 1; the lists get it only when round 1 is the current round. */
  digest: DigestEvent[];
  now: string;
  coverage: DigestCoverage | null;
}

const scenario = (
  name: string,
  policy: PolicyEvent[],
  now: string,
  digest: DigestEvent[] = [],
  coverage: DigestCoverage | null = null,
): World => ({ name, policy, digest, now, coverage });

const aRoundClosedEarly = () => [
  ...aPolicyInConsultation(),
  policyEvent.consultationClosed({ closedAt: T.during, closedBy: 'staff' }),
];
const complete = { coveredCount: 3, visibleCount: 3, receivedCount: 3 };
const incomplete = { coveredCount: 2, visibleCount: 3, receivedCount: 3 };

const digestStages: [string, () => DigestEvent[]][] = [
  ['no digest', () => []],
  ['a digest with an unanswered theme', aDigestWithTheme],
  ['a digest with every theme answered', anAnsweredDigest],
  ['an approved digest', anApprovedDigest],
  ['a published digest', aPublishedDigest],
];

const worlds: World[] = [
  scenario('proposed', aProposedPolicy(), T.drafting),
  scenario('drafting, no version yet', aPolicyDraftingWithoutVersion(), T.drafting),
  scenario('drafting, version 1 published', aPolicyInDrafting(), T.drafting),
  scenario('a round scheduled, not open yet', aPolicyInConsultation(), T.beforeOpen),
  ...digestStages
    .slice(0, 3)
    .map(([d, events]) => scenario(`a round open, ${d}`, aPolicyInConsultation(), T.during, events())),
  scenario('a round past its deadline, not closed yet', aPolicyInConsultation(), T.afterClose),
  scenario('a round closed early by staff', aRoundClosedEarly(), T.afterClose),
  ...digestStages.map(([d, events]) => scenario(`review, ${d}`, aPolicyInReview(), T.later, events())),
  scenario('review, an approved digest, counts complete', aPolicyInReview(), T.later, anApprovedDigest(), complete),
  scenario('review, an approved digest, counts short', aPolicyInReview(), T.later, anApprovedDigest(), incomplete),
  scenario('review, the round answered', aPolicyWithAnsweredRound(), T.later, aPublishedDigest()),
  scenario('revised after the answered round', aRevisedPolicy(), T.later, aPublishedDigest()),
  scenario('redrafted after the answered round (pre-v2 history)', aRedraftedPolicy(), T.later, aPublishedDigest()),
  scenario(
    'review, an approved digest with no theme, the round received comments all hidden since',
    aPolicyInReview(),
    T.later,
    [digestEvent.started(), digestEvent.approved()],
    { coveredCount: 0, visibleCount: 0, receivedCount: 2 },
  ),
  scenario(
    'review, an approved digest with no theme, the round received no comment',
    aPolicyInReview(),
    T.later,
    [digestEvent.started(), digestEvent.approved()],
    { coveredCount: 0, visibleCount: 0, receivedCount: 0 },
  ),
  scenario('enacted', anEnactedPolicy(), T.later, aPublishedDigest()),
  scenario('enacted, an amendment being drafted', anAmendedPolicy(), T.later, aPublishedDigest()),
  scenario('withdrawn during the round', aWithdrawnPolicy(), T.later, anAnsweredDigest()),
];

function statesOf(world: World): { policy: PolicyState; digest: DigestState } {
  const policy = foldPolicy(world.policy);
  const digest = policy.currentRound?.round === 1 ? foldDigest(world.digest) : initialDigestState;
  return { policy, digest };
}

/* ------------------------------------------------------------------ the commands a form would send */

const base = (v: ActionViewer, now: string) => ({ now, actor: v.actor });
const plus30Days = (instant: string) => new Date(Date.parse(instant) + 30 * 86_400_000).toISOString();
const newComment = 'e9000001-0000-4000-8000-000000000001';
const newDigest = 'd9000001-0000-4000-8000-000000000001';
const newTheme = 'd9000002-0000-4000-8000-000000000002';
const anotherComment = commentEvent.submitted({ commentId: 'e9000003-0000-4000-8000-000000000003' });

type Decision = () => unknown[];

function policyCommand(
  action: PolicyActionType,
  policy: PolicyState,
  digest: DigestState,
  v: ActionViewer,
  now: string,
  coverage: DigestCoverage | null,
): Decision {
  const on = { ...base(v, now), policyId: ids.policy };
  const round = policy.currentRound;
  const byPolicy = (command: PolicyCommand) => () => decidePolicy(command, policy);
  const byDigest = (command: DigestCommand) => () => decideDigest(command, digest, policy);
  const byComment = (command: CommentCommand) => () => decideComment(command, initialCommentState, policy, digest);
  switch (action) {
    case 'StartDrafting':
      return byPolicy({ ...on, type: 'StartDrafting' });
    case 'PublishDraftVersion':
      return byPolicy({ ...on, type: 'PublishDraftVersion', title: 'Dự thảo', nodes: aDraftTree(), changeNote: '' });
    case 'OpenConsultation':
      return byPolicy({ ...on, type: 'OpenConsultation', opensAt: now, closesAt: plus30Days(now), note: '' });
    case 'ExtendConsultation':
      return byPolicy({
        ...on,
        type: 'ExtendConsultation',
        closesAt: plus30Days(round?.closesAt ?? now),
        reason: 'Thêm thời gian.',
      });
    case 'CloseConsultation':
      return byPolicy({ ...on, type: 'CloseConsultation', closedBy: 'staff', reason: '' });
    case 'StartDigest':
      return byDigest({ ...on, type: 'StartDigest', round: round?.round ?? 1, digestId: newDigest });
    case 'PublishDigest':
      return byDigest({
        ...on,
        type: 'PublishDigest',
        round: round?.round ?? 1,
        ...(coverage ?? complete),
        countedAtPosition: '42',
      });
    case 'EnactPolicy':
      return byPolicy({
        ...on,
        type: 'EnactPolicy',
        version: policy.latestVersion || 1,
        decisionNumber: '15/QĐ-UBND',
        effectiveDate: '2025-09-01',
      });
    case 'WithdrawPolicy':
      return byPolicy({ ...on, type: 'WithdrawPolicy', reason: 'Không còn phù hợp.' });
    case 'SubmitComment':
      return byComment({
        ...on,
        type: 'SubmitComment',
        commentId: newComment,
        version: round?.version ?? 1,
        anchorNodeId: ids.article1,
        parentCommentId: null,
        body: 'Ý kiến của tôi.',
        stance: 'support',
        stakeholderCategory: 'parent',
        authorAccountId: v.actor.accountId,
        pseudonym: null,
        idempotencyKey: 'form-1',
        ...(v.standing ? { authorConsent: v.standing.consent } : {}),
      });
    case 'RecordOfflineFeedback': {
      // A letter received at the opening, or now when the round has not opened yet.
      const receivedAt = round && Date.parse(round.opensAt) <= Date.parse(now) ? round.opensAt : now;
      return byComment({
        ...on,
        type: 'RecordOfflineFeedback',
        commentId: newComment,
        channel: 'letter',
        receivedAt,
        offlineSender: null,
        stakeholderCategory: 'parent',
        body: 'Thư góp ý.',
        stance: 'oppose',
        anchorNodeId: null,
        idempotencyKey: 'letter-1',
      });
    }
    default:
      throw new Error(`no command for ${action satisfies never}`);
  }
}

function commentCommand(
  action: CommentActionType,
  comment: ReturnType<typeof foldComment>,
  policy: PolicyState,
  v: ActionViewer,
  now: string,
): Decision {
  const on = { ...base(v, now), commentId: ids.comment };
  const byComment = (command: CommentCommand) => () => decideComment(command, comment, policy);
  switch (action) {
    case 'ReplyToComment':
      return () =>
        decideComment(
          {
            ...base(v, now),
            type: 'SubmitComment',
            commentId: newComment,
            policyId: ids.policy,
            version: policy.currentRound?.version ?? 1,
            anchorNodeId: comment.anchorNodeId,
            parentCommentId: ids.comment,
            body: 'Tôi đồng ý.',
            stance: 'support',
            stakeholderCategory: 'parent',
            authorAccountId: v.actor.accountId,
            pseudonym: null,
            idempotencyKey: 'reply-1',
            ...(v.standing ? { authorConsent: v.standing.consent } : {}),
          },
          initialCommentState,
          policy,
          undefined,
          comment,
        );
    case 'EditComment':
      return byComment({ ...on, type: 'EditComment', body: 'Tôi sửa lại ý kiến.', stance: 'oppose' });
    case 'WithdrawComment':
      return byComment({ ...on, type: 'WithdrawComment', reason: '' });
    case 'EndorseComment':
      return byComment({ ...on, type: 'EndorseComment', actorStanding: v.standing! });
    case 'FlagComment':
      return byComment({
        ...on,
        type: 'FlagComment',
        actorStanding: v.standing!,
        flagId: 'f9000001-0000-4000-8000-000000000001',
        reason: 'spam',
        note: null,
      });
    case 'HideComment':
      return byComment({ ...on, type: 'HideComment', reasonCode: 'abuse', reason: 'Lời lẽ xúc phạm.' });
    case 'RestoreComment':
      return byComment({ ...on, type: 'RestoreComment', reason: 'Đã xem lại.' });
    case 'RedactComment':
      return byComment({ ...on, type: 'RedactComment', reason: 'Lộ thông tin cá nhân.' });
    case 'PostOfficialReply':
      return byComment({
        ...on,
        type: 'PostOfficialReply',
        replyId: 'f9000002-0000-4000-8000-000000000002',
        body: 'Xin cảm ơn.',
      });
    default:
      throw new Error(`no command for ${action satisfies never}`);
  }
}

function digestCommand(
  action: DigestActionType,
  digest: DigestState,
  policy: PolicyState,
  v: ActionViewer,
  now: string,
  coverage: DigestCoverage | null,
): Decision {
  const on = { ...base(v, now), policyId: ids.policy, round: digest.round };
  const byDigest = (command: DigestCommand) => () => decideDigest(command, digest, policy);
  const theme = digest.themes[0];
  if (!theme) throw new Error('the digest states of this test all have a theme to name');
  switch (action) {
    case 'DefineTheme':
      return byDigest({ ...on, type: 'DefineTheme', themeId: newTheme, title: 'Đồng phục', description: '' });
    case 'AssignCommentsToTheme':
      return byDigest({
        ...on,
        type: 'AssignCommentsToTheme',
        themeIds: [theme.themeId],
        commentIds: [anotherComment.data.commentId],
        unassignedCommentIds: [],
      });
    case 'AnswerTheme':
      return byDigest({
        ...on,
        type: 'AnswerTheme',
        themeId: theme.themeId,
        decision: 'noted',
        explanation: 'Ghi nhận.',
        sectionsChanged: [],
      });
    case 'ApproveDigest':
      return byDigest({ ...on, type: 'ApproveDigest' });
    case 'PublishDigest':
      return byDigest({ ...on, type: 'PublishDigest', ...(coverage ?? complete), countedAtPosition: '42' });
    default:
      throw new Error(`no command for ${action satisfies never}`);
  }
}

/* ------------------------------------------------------------------ the comparison */

interface Outcome {
  accepted: boolean;
  code?: string;
  rule?: string | null;
  messages?: { vi: string; en: string };
}

function outcomeOf(decision: Decision): Outcome {
  try {
    const events = decision();
    // The commands here always change something: an empty answer would mean this test sent a no-op.
    expect(events.length, 'the command of this test changed nothing').toBeGreaterThan(0);
    return { accepted: true };
  } catch (error) {
    if (error instanceof ValidationError)
      throw new Error(`this test's command was invalid: ${error.field}: ${error.message}`, { cause: error });
    if (!(error instanceof DomainError)) throw error;
    const rule = 'rule' in error ? (error as { rule: string }).rule : null;
    return { accepted: false, code: error.code, rule, messages: error.messages };
  }
}

function listed<A extends string>(availability: ActionAvailability<A>): Outcome {
  const r = availability.refusal;
  return r ? { accepted: false, code: r.code, rule: r.rule, messages: r.messages } : { accepted: true };
}

interface Cell {
  action: string;
  listed: Outcome;
  decided: Outcome;
}

function policyCells(world: World, v: ActionViewer): Cell[] {
  const { policy, digest } = statesOf(world);
  const list = policyActions(policy, digest, v, world.now, world.coverage);
  expect(list.map((a) => a.action)).toEqual([...policyActionTypes]);
  return list.map((a) => ({
    action: `policy.${a.action}`,
    listed: listed(a),
    decided: outcomeOf(policyCommand(a.action, policy, digest, v, world.now, world.coverage)),
  }));
}

describe('Policy actions equal what the deciders accept', () => {
  describe.each(worlds.map((w) => [w.name, w] as const))('%s', (_name, world) => {
    it.each(viewers.map((v) => [v.name, v] as const))('for %s', (_v, v) => {
      for (const cell of policyCells(world, v)) expect(cell.listed, cell.action).toEqual(cell.decided);
    });
  });
});

/** A comment of round 1 by the author, in each of the states moderation and its author can leave it in. */
const commentStates: [string, () => CommentEvent[]][] = [
  ['a comment', aSubmittedComment],
  [
    'a comment another participant endorsed and flagged',
    () => [
      ...aSubmittedComment(),
      { type: 'CommentEndorsed', data: { commentId: ids.comment, endorsedBy: accounts.otherParticipant } },
      {
        type: 'CommentFlagged',
        data: {
          commentId: ids.comment,
          flagId: 'f9000003-0000-4000-8000-000000000003',
          flaggedBy: accounts.otherParticipant,
          reason: 'spam',
          note: null,
        },
      },
    ],
  ],
  ['a hidden comment', aHiddenComment],
  ['a withdrawn comment', aWithdrawnComment],
  ['a withdrawn comment a moderator hid', () => [...aWithdrawnComment(), commentEvent.hidden()]],
  ['a redacted comment', aRedactedComment],
  [
    'a letter staff recorded',
    () => [commentEvent.submitted({ channel: 'letter', authorAccountId: null, recordedBy: accounts.staff })],
  ],
];
const commentWorlds = [
  scenario('while its round is open', aPolicyInConsultation(), T.during),
  scenario('after its deadline, not closed yet', aPolicyInConsultation(), T.afterClose),
  scenario('in review', aPolicyInReview(), T.later),
  scenario(
    'after a second round opened',
    [
      ...aRevisedPolicy(),
      policyEvent.consultationOpened({ round: 2, version: 2, opensAt: T.later, closesAt: '2025-05-31T17:00:00Z' }),
    ],
    '2025-05-02T02:00:00Z',
  ),
  scenario('once enacted', anEnactedPolicy(), T.later),
  scenario('once withdrawn', aWithdrawnPolicy(), T.later),
];

const commentCases = commentWorlds.flatMap((w) =>
  commentStates.map(([c, events]) => [`${c} ${w.name}`, w, events] as const),
);

function commentCells(world: World, events: () => CommentEvent[], v: ActionViewer): Cell[] {
  const policy = foldPolicy(world.policy);
  const comment = foldComment(events());
  const list = commentActions(comment, policy, v, world.now);
  expect(list.map((a) => a.action)).toEqual([...commentActionTypes]);
  return list.map((a) => ({
    action: `comment.${a.action}`,
    listed: listed(a),
    decided: outcomeOf(commentCommand(a.action, comment, policy, v, world.now)),
  }));
}

describe('Comment actions equal what the comment decider accepts', () => {
  describe.each(commentCases)('%s', (_name, world, events) => {
    it.each(viewers.map((v) => [v.name, v] as const))('for %s', (_v, v) => {
      for (const cell of commentCells(world, events, v)) expect(cell.listed, cell.action).toEqual(cell.decided);
    });
  });
});

const digestWorlds = [
  ...digestStages
    .slice(1, 3)
    .map(([d, events]) => scenario(`${d}, the round open`, aPolicyInConsultation(), T.during, events())),
  ...digestStages
    .slice(1)
    .map(([d, events]) => scenario(`${d}, the round closed`, aPolicyInReview(), T.later, events())),
  scenario('an approved digest whose counts are complete', aPolicyInReview(), T.later, anApprovedDigest(), complete),
  scenario('an approved digest whose counts are short', aPolicyInReview(), T.later, anApprovedDigest(), incomplete),
  scenario('a published digest of an answered round', aPolicyWithAnsweredRound(), T.later, aPublishedDigest()),
  scenario(
    'the digest of round 1 once round 2 opened',
    [
      ...aRevisedPolicy(),
      policyEvent.consultationOpened({ round: 2, version: 2, opensAt: T.later, closesAt: '2025-05-31T17:00:00Z' }),
    ],
    '2025-05-02T02:00:00Z',
    aPublishedDigest(),
  ),
  scenario(
    'an answered digest of a withdrawn policy',
    [...aPolicyInReview(), policyEvent.withdrawn()],
    T.later,
    anAnsweredDigest(),
  ),
];

function digestCells(world: World, v: ActionViewer): Cell[] {
  const policy = foldPolicy(world.policy);
  const digest = foldDigest(world.digest);
  const list = digestActions(digest, policy, v, world.coverage);
  expect(list.map((a) => a.action)).toEqual([...digestActionTypes]);
  return list.map((a) => ({
    action: `digest.${a.action}`,
    listed: listed(a),
    decided: outcomeOf(digestCommand(a.action, digest, policy, v, world.now, world.coverage)),
  }));
}

describe('Digest actions equal what the digest decider accepts', () => {
  describe.each(digestWorlds.map((w) => [w.name, w] as const))('%s', (_name, world) => {
    it.each(viewers.map((v) => [v.name, v] as const))('for %s', (_v, v) => {
      for (const cell of digestCells(world, v)) expect(cell.listed, cell.action).toEqual(cell.decided);
    });
  });
});

describe('the matrix', () => {
  it('finds every action possible somewhere and refused somewhere', () => {
    const cells = viewers.flatMap((v) => [
      ...worlds.flatMap((w) => policyCells(w, v)),
      ...commentCases.flatMap(([, w, events]) => commentCells(w, events, v)),
      ...digestWorlds.flatMap((w) => digestCells(w, v)),
    ]);
    const seen = new Map<string, { allowed: number; refused: number }>();
    for (const cell of cells) {
      const s = seen.get(cell.action) ?? { allowed: 0, refused: 0 };
      if (cell.decided.accepted) s.allowed++;
      else s.refused++;
      seen.set(cell.action, s);
    }
    const expected = [
      ...policyActionTypes.map((a) => `policy.${a}`),
      ...commentActionTypes.map((a) => `comment.${a}`),
      ...digestActionTypes.map((a) => `digest.${a}`),
    ];
    expect([...seen.keys()].sort()).toEqual(expected.sort());
    for (const [key, s] of seen) {
      expect(s.allowed, `${key} is never possible`).toBeGreaterThan(0);
      expect(s.refused, `${key} is never refused`).toBeGreaterThan(0);
    }
  });

  it('lets staff revise or consult again and a policymaker enact once the round is answered, not before', () => {
    const staff = viewers.find((v) => v.name === 'staff of the organisation')!;
    const policymaker = viewers.find((v) => v.name === 'a policymaker of the organisation')!;
    const allowed = (events: PolicyEvent[], v: ActionViewer) =>
      policyActions(foldPolicy(events), initialDigestState, v, T.later)
        .filter((a) => a.refusal === null)
        .map((a) => a.action);
    expect(allowed(aPolicyInReview(), staff)).not.toContain('PublishDraftVersion');
    expect(allowed(aPolicyInReview(), staff)).not.toContain('OpenConsultation');
    expect(allowed(aPolicyInReview(), policymaker)).not.toContain('EnactPolicy');
    expect(allowed(aPolicyWithAnsweredRound(), staff)).toEqual(
      expect.arrayContaining(['PublishDraftVersion', 'OpenConsultation', 'WithdrawPolicy']),
    );
    expect(allowed(aPolicyWithAnsweredRound(), policymaker)).toEqual(['EnactPolicy', 'WithdrawPolicy']);
    const refusal = policyActions(foldPolicy(aPolicyInReview()), initialDigestState, policymaker, T.later).find(
      (a) => a.action === 'EnactPolicy',
    )?.refusal;
    expect(refusal).toMatchObject({ code: 'ILLEGAL_STATE', rule: 'ROUND_NOT_ANSWERED' });
    expect(refusal?.messages.vi).toBe('Đợt lấy ý kiến gần nhất chưa được tổng hợp, tiếp thu, giải trình.');
  });
});
