import { describe, expect, it } from 'vitest';
import {
  analysisDecider,
  evolveAnalysis,
  initialAnalysisState,
  type AnalysisCommand,
  type AnalysisEvent,
  type AnalysisState,
  type ConfirmDuplicateGroup,
  type UndoDuplicateGroup,
} from './analysisDecider';
import { ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from './errors';
import { T, accounts, actors, ids } from './testkit/builders';
import { specFor } from './testkit/spec';

const given = specFor<AnalysisCommand, AnalysisState, AnalysisEvent>(analysisDecider);
const fold = (events: AnalysisEvent[]) => events.reduce(evolveAnalysis, initialAnalysisState);

const c = {
  a: 'd0000001-0000-4000-8000-000000000001',
  b: 'd0000002-0000-4000-8000-000000000002',
  c: 'd0000003-0000-4000-8000-000000000003',
  other: 'd0000009-0000-4000-8000-000000000009',
};
const group1 = 'e0000001-0000-4000-8000-000000000001';
const group2 = 'e0000002-0000-4000-8000-000000000002';
const round = new Set([c.a, c.b, c.c]);

const confirm = (over: Partial<ConfirmDuplicateGroup> = {}): ConfirmDuplicateGroup => ({
  type: 'ConfirmDuplicateGroup',
  now: T.afterClose,
  actor: actors.staff,
  groupId: group1,
  policyId: ids.policy,
  round: 1,
  commentIds: [c.a, c.b],
  representativeCommentId: c.a,
  commentsOfRound: round,
  ...over,
});
const undo = (over: Partial<UndoDuplicateGroup> = {}): UndoDuplicateGroup => ({
  type: 'UndoDuplicateGroup',
  now: T.later,
  actor: actors.staff,
  groupId: group1,
  reason: 'Hai ý kiến nêu hai vấn đề khác nhau.',
  ...over,
});
const confirmed = (groupId = group1, commentIds = [c.a, c.b]): AnalysisEvent => ({
  type: 'DuplicateGroupConfirmed',
  data: {
    groupId,
    policyId: ids.policy,
    round: 1,
    commentIds,
    representativeCommentId: commentIds[0]!,
    confirmedBy: accounts.staff,
  },
});
const undone = (groupId = group1): AnalysisEvent => ({
  type: 'DuplicateGroupUndone',
  data: { groupId, undoneBy: accounts.staff, reason: 'Nhầm' },
});

describe('confirming a duplicate group', () => {
  it('given no groups, when staff confirm two comments of the round, then the group is confirmed', () => {
    given([]).when(confirm()).then([confirmed()]);
  });

  it('a policymaker and an admin of the owning organisation may confirm too', () => {
    given([])
      .when(confirm({ actor: actors.policymaker }))
      .then([{ ...confirmed(), data: { ...confirmed().data, confirmedBy: accounts.policymaker } } as AnalysisEvent]);
    given([])
      .when(confirm({ actor: actors.admin }))
      .then([{ ...confirmed(), data: { ...confirmed().data, confirmedBy: accounts.admin } } as AnalysisEvent]);
  });

  it.each([
    ['participant', actors.participant],
    ['moderator', actors.moderator],
    ['spokesperson', actors.spokesperson],
    ['auditor', actors.auditor],
  ])('refuses a %s', (_name, actor) => {
    given([]).when(confirm({ actor })).then(ForbiddenError, 'ANALYST_ONLY');
  });

  it('drops repeated ids and refuses a group of fewer than two different comments', () => {
    given([])
      .when(confirm({ commentIds: [c.a, c.a] }))
      .then(ValidationError, 'commentIds');
    given([])
      .when(confirm({ commentIds: [c.a, c.b, c.a] }))
      .then([confirmed()]);
  });

  it('refuses a representative that is not in the group', () => {
    given([])
      .when(confirm({ representativeCommentId: c.c }))
      .then(ValidationError, 'representativeCommentId');
  });

  it('refuses a comment of another round or policy', () => {
    given([])
      .when(confirm({ commentIds: [c.a, c.other] }))
      .then(ValidationError, 'commentIds');
  });

  it('refuses ids that are not UUIDs and a missing clock', () => {
    given([])
      .when(confirm({ commentIds: [c.a, 'not-a-uuid'] }))
      .then(ValidationError, 'commentIds[1]');
    given([])
      .when(confirm({ groupId: 'x' }))
      .then(ValidationError, 'groupId');
    given([])
      .when(confirm({ now: 'yesterday' }))
      .then(ValidationError, 'now');
  });

  it('refuses a comment that is already in another confirmed group', () => {
    given([confirmed()])
      .when(confirm({ groupId: group2, commentIds: [c.b, c.c], representativeCommentId: c.c }))
      .then(IllegalStateError, 'COMMENT_ALREADY_GROUPED');
  });

  it('acknowledges a retry of the same confirmation without writing', () => {
    given([confirmed()])
      .when(confirm({ commentIds: [c.b, c.a] }))
      .then([]);
  });

  it('refuses the same group id with other comments, or after it was undone', () => {
    given([confirmed()])
      .when(confirm({ commentIds: [c.a, c.c] }))
      .then(IllegalStateError, 'DUPLICATE_GROUP_EXISTS');
    given([confirmed(), undone()]).when(confirm()).then(IllegalStateError, 'DUPLICATE_GROUP_EXISTS');
  });

  it('lets the comments of an undone group join a new group', () => {
    given([confirmed(), undone()])
      .when(confirm({ groupId: group2, commentIds: [c.b, c.c], representativeCommentId: c.b }))
      .then([confirmed(group2, [c.b, c.c])]);
  });
});

describe('undoing a duplicate group', () => {
  it('given a confirmed group, when staff undo it with a reason, then it is undone', () => {
    given([confirmed()])
      .when(undo())
      .then([
        {
          type: 'DuplicateGroupUndone',
          data: { groupId: group1, undoneBy: accounts.staff, reason: 'Hai ý kiến nêu hai vấn đề khác nhau.' },
        },
      ]);
  });

  it('refuses without a reason, for an unknown group, twice, and for a participant', () => {
    given([confirmed()])
      .when(undo({ reason: '   ' }))
      .then(ValidationError, 'reason');
    given([]).when(undo()).then(NotFoundError, 'duplicateGroup');
    given([confirmed(), undone()]).when(undo()).then(IllegalStateError, 'GROUP_ALREADY_UNDONE');
    given([confirmed()])
      .when(undo({ actor: actors.participant }))
      .then(ForbiddenError, 'ANALYST_ONLY');
  });

  it('frees its comments in the state', () => {
    const state = fold([confirmed(), undone()]);
    expect(state.groupOf.size).toBe(0);
    expect(state.groups.get(group1)?.undone).toBe(true);
  });
});
