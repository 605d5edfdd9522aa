import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  answeredCommentIds,
  evolveDigest,
  foldDigest,
  initialDigestState,
  type DigestEvent,
  type DigestState,
} from './digest';
import {
  decideDigest,
  type AnswerTheme,
  type ApproveDigest,
  type AssignCommentsToTheme,
  type DefineTheme,
  type DigestCommand,
  type PublishDigest,
  type StartDigest,
} from './digestDecider';
import { ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from './errors';
import { foldPolicy, type PolicyEvent } from './policy';
import {
  T,
  aPolicyInConsultation,
  aPolicyInDrafting,
  aPolicyInReview,
  actors,
  anEnactedPolicy,
  aWithdrawnPolicy,
  ids,
  policyEvent,
} from './testkit/builders';
import {
  aDigestWithTheme,
  aPublishedDigest,
  aStartedDigest,
  anAnsweredDigest,
  anApprovedDigest,
  commentIds,
  digestEvent,
  themeIds,
} from './testkit/digestBuilders';
import { specFor } from './testkit/spec';

/** Given the policy's history (by default a closed round 1) and the digest's own. */
const given = (digest: DigestEvent[] = [], policy: PolicyEvent[] = aPolicyInReview()) =>
  specFor({
    decide: (command: DigestCommand, state: DigestState) => decideDigest(command, state, foldPolicy(policy)),
    evolve: evolveDigest,
    initialState: initialDigestState,
  })(digest);

const base = { policyId: ids.policy, round: 1, now: T.afterClose, actor: actors.staff };
const start = (over: Partial<StartDigest> = {}): StartDigest => ({
  type: 'StartDigest',
  ...base,
  digestId: ids.digest,
  ...over,
});
const define = (over: Partial<DefineTheme> = {}): DefineTheme => ({
  type: 'DefineTheme',
  ...base,
  themeId: themeIds.fees,
  title: 'Mức thu học phí',
  description: 'Ý kiến về mức thu.',
  ...over,
});
const assign = (over: Partial<AssignCommentsToTheme> = {}): AssignCommentsToTheme => ({
  type: 'AssignCommentsToTheme',
  ...base,
  themeIds: [themeIds.fees],
  commentIds: [commentIds.first, commentIds.second],
  unassignedCommentIds: [],
  ...over,
});
const answer = (over: Partial<AnswerTheme> = {}): AnswerTheme => ({
  type: 'AnswerTheme',
  ...base,
  themeId: themeIds.fees,
  decision: 'partly_accepted',
  explanation: 'Giữ mức thu, bổ sung miễn giảm cho hộ nghèo.',
  sectionsChanged: [ids.article1],
  ...over,
});
const approve = (over: Partial<ApproveDigest> = {}): ApproveDigest => ({
  type: 'ApproveDigest',
  ...base,
  actor: actors.spokesperson,
  ...over,
});
const publish = (over: Partial<PublishDigest> = {}): PublishDigest => ({
  type: 'PublishDigest',
  ...base,
  actor: actors.spokesperson,
  coveredCount: 2,
  visibleCount: 2,
  receivedCount: 2,
  countedAtPosition: '42',
  ...over,
});

/** Refusals every digest command shares, checked for each of them. */
const everyCommand: [string, (over?: Partial<DigestCommand>) => DigestCommand, DigestEvent[], typeof actors.staff][] = [
  ['DefineTheme', define as never, aStartedDigest(), actors.staff],
  ['AssignCommentsToTheme', assign as never, aDigestWithTheme(), actors.staff],
  ['AnswerTheme', answer as never, aDigestWithTheme(), actors.staff],
  ['ApproveDigest', approve as never, anAnsweredDigest(), actors.spokesperson],
  ['PublishDigest', publish as never, anApprovedDigest(), actors.spokesperson],
];

describe('StartDigest', () => {
  it('starts the digest of the closed round', () => {
    given().when(start()).then([digestEvent.started()]);
  });

  it('may start while the round is still open, so themes can be drafted as comments arrive', () => {
    given([], aPolicyInConsultation())
      .when(start({ now: T.during }))
      .then([digestEvent.started()]);
  });

  it('acknowledges the same start retried without recording it twice', () => {
    given(aStartedDigest()).when(start()).then([]);
  });

  it('is refused when another digest was started for the round', () => {
    given(aStartedDigest())
      .when(start({ digestId: randomUUID() }))
      .then(IllegalStateError, 'DIGEST_ALREADY_STARTED');
  });

  it('is refused to anyone but staff', () => {
    for (const actor of [
      actors.participant,
      actors.spokesperson,
      actors.policymaker,
      actors.moderator,
      actors.auditor,
    ]) {
      given().when(start({ actor })).then(ForbiddenError, 'STAFF_ONLY');
    }
  });

  it('lets an administrator of the organisation stand in for staff', () => {
    given()
      .when(start({ actor: actors.admin }))
      .then([
        {
          ...digestEvent.started(),
          data: { ...digestEvent.started().data, startedBy: actors.admin.accountId },
        } as DigestEvent,
      ]);
  });

  it('is refused when the policy has had no round', () => {
    given([], aPolicyInDrafting()).when(start()).then(IllegalStateError, 'NO_ROUND');
  });

  it('is refused for a round that is not the current one', () => {
    given()
      .when(start({ round: 2 }))
      .then(IllegalStateError, 'ROUND_MISMATCH');
  });

  it('is refused for an unknown policy', () => {
    given([], []).when(start()).then(NotFoundError, 'policy');
  });

  it('is refused once the policy was withdrawn', () => {
    given([], aWithdrawnPolicy()).when(start()).then(IllegalStateError, 'TERMINAL_STATE');
  });

  it('is refused with a digest id that is not a UUID', () => {
    given()
      .when(start({ digestId: 'digest-1' }))
      .then(ValidationError, 'digestId');
  });
});

describe('DefineTheme', () => {
  it('defines a theme', () => {
    given(aStartedDigest()).when(define()).then([digestEvent.themeDefined()]);
  });

  it('renames a theme by defining it again', () => {
    given(aDigestWithTheme())
      .when(define({ title: 'Học phí và miễn giảm' }))
      .then([digestEvent.themeDefined({ title: 'Học phí và miễn giảm' })]);
    const renamed = foldDigest([...aDigestWithTheme(), digestEvent.themeDefined({ title: 'Học phí và miễn giảm' })]);
    expect(renamed.themes).toHaveLength(1);
    expect(renamed.themes[0]).toMatchObject({
      title: 'Học phí và miễn giảm',
      commentIds: [commentIds.first, commentIds.second],
    });
  });

  it('records nothing when the same definition is sent again', () => {
    given(aDigestWithTheme()).when(define()).then([]);
  });

  it('normalises the title to NFC', () => {
    given(aStartedDigest())
      .when(define({ title: 'Đồng phục hoà nhập'.normalize('NFD') }))
      .then([digestEvent.themeDefined({ title: 'Đồng phục hoà nhập'.normalize('NFC') })]);
  });

  it('is refused without a title', () => {
    given(aStartedDigest())
      .when(define({ title: '  ' }))
      .then(ValidationError, 'title');
  });

  it('is refused before the digest is started', () => {
    given([]).when(define()).then(IllegalStateError, 'DIGEST_NOT_STARTED');
  });
});

describe('AssignCommentsToTheme', () => {
  const withTwoThemes = () => [
    ...aStartedDigest(),
    digestEvent.themeDefined(),
    digestEvent.themeDefined({ themeId: themeIds.uniforms, title: 'Đồng phục' }),
  ];

  it('assigns comments in bulk to one theme', () => {
    given([...aStartedDigest(), digestEvent.themeDefined()])
      .when(assign())
      .then([digestEvent.assigned()]);
  });

  it('assigns the same comments to several themes, one event per theme', () => {
    given(withTwoThemes())
      .when(assign({ themeIds: [themeIds.fees, themeIds.uniforms], commentIds: [commentIds.third] }))
      .then([
        digestEvent.assigned({ commentIds: [commentIds.third] }),
        digestEvent.assigned({ themeId: themeIds.uniforms, commentIds: [commentIds.third] }),
      ]);
  });

  it('records only what changes', () => {
    given(aDigestWithTheme())
      .when(assign({ commentIds: [commentIds.first, commentIds.third] }))
      .then([digestEvent.assigned({ commentIds: [commentIds.third] })]);
    given(aDigestWithTheme()).when(assign()).then([]);
  });

  it('takes comments out of a theme', () => {
    given(aDigestWithTheme())
      .when(assign({ commentIds: [], unassignedCommentIds: [commentIds.second, commentIds.third] }))
      .then([digestEvent.assigned({ commentIds: [], unassignedCommentIds: [commentIds.second] })]);
    const after = foldDigest([
      ...aDigestWithTheme(),
      digestEvent.assigned({ commentIds: [], unassignedCommentIds: [commentIds.second] }),
    ]);
    expect(after.themes[0]!.commentIds).toEqual([commentIds.first]);
  });

  it('is refused for an unknown theme', () => {
    given(aDigestWithTheme())
      .when(assign({ themeIds: [themeIds.uniforms] }))
      .then(NotFoundError, 'theme');
  });

  it('is refused without any theme or any comment', () => {
    given(aDigestWithTheme())
      .when(assign({ themeIds: [] }))
      .then(ValidationError, 'themeIds');
    given(aDigestWithTheme())
      .when(assign({ commentIds: [] }))
      .then(ValidationError, 'commentIds');
  });

  it('is refused with a comment both assigned and taken out', () => {
    given(aDigestWithTheme())
      .when(assign({ commentIds: [commentIds.third], unassignedCommentIds: [commentIds.third] }))
      .then(ValidationError, 'unassignedCommentIds');
  });

  it('is refused with a comment id that is not a UUID', () => {
    given(aDigestWithTheme())
      .when(assign({ commentIds: ['x'] }))
      .then(ValidationError, 'commentIds[0]');
  });

  it('is refused with more comments than one assignment may carry', () => {
    given(aDigestWithTheme())
      .when(assign({ commentIds: Array.from({ length: 5_001 }, () => randomUUID()) }))
      .then(ValidationError, 'commentIds');
  });
});

describe('AnswerTheme', () => {
  it('answers a theme with a decision, an explanation and the sections changed', () => {
    given(aDigestWithTheme()).when(answer()).then([digestEvent.answered()]);
  });

  it('accepts without an explanation', () => {
    given(aDigestWithTheme())
      .when(answer({ decision: 'accepted', explanation: '', sectionsChanged: [] }))
      .then([digestEvent.answered({ decision: 'accepted', explanation: '', sectionsChanged: [] })]);
  });

  it('changes an answer until the digest is published', () => {
    given(anAnsweredDigest())
      .when(answer({ decision: 'noted', explanation: 'Ghi nhận.', sectionsChanged: [] }))
      .then([digestEvent.answered({ decision: 'noted', explanation: 'Ghi nhận.', sectionsChanged: [] })]);
  });

  it('records nothing when the same answer is sent again', () => {
    given(anAnsweredDigest()).when(answer()).then([]);
  });

  it('is refused without a reason when not (fully) accepted', () => {
    given(aDigestWithTheme())
      .when(answer({ decision: 'not_accepted', explanation: ' ' }))
      .then(ValidationError, 'explanation');
    given(aDigestWithTheme())
      .when(answer({ decision: 'partly_accepted', explanation: '' }))
      .then(ValidationError, 'explanation');
  });

  it('is refused with an unknown decision', () => {
    given(aDigestWithTheme())
      .when(answer({ decision: 'maybe' as never }))
      .then(ValidationError, 'decision');
  });

  it('is refused when a changed section is not part of the draft', () => {
    given(aDigestWithTheme())
      .when(answer({ sectionsChanged: [randomUUID()] }))
      .then(ValidationError, 'sectionsChanged[0]');
  });

  it('is refused for an unknown theme', () => {
    given(aDigestWithTheme())
      .when(answer({ themeId: themeIds.uniforms }))
      .then(NotFoundError, 'theme');
  });
});

describe('ApproveDigest', () => {
  it('is approved by a spokesperson once every theme is answered', () => {
    given(anAnsweredDigest()).when(approve()).then([digestEvent.approved()]);
  });

  it('approves a digest without themes when the round had nothing to answer', () => {
    given(aStartedDigest()).when(approve()).then([digestEvent.approved()]);
  });

  it('is refused while a theme is unanswered', () => {
    given([...anAnsweredDigest(), digestEvent.themeDefined({ themeId: themeIds.uniforms, title: 'Đồng phục' })])
      .when(approve())
      .then(IllegalStateError, 'THEMES_UNANSWERED');
  });

  it('is refused while the round is still open', () => {
    given(anAnsweredDigest(), aPolicyInConsultation())
      .when(approve({ now: T.during }))
      .then(IllegalStateError, 'ROUND_STILL_OPEN');
  });

  it('is refused when already approved', () => {
    given(anApprovedDigest()).when(approve()).then(IllegalStateError, 'DIGEST_ALREADY_APPROVED');
  });

  it('is needed again after any change that follows it', () => {
    const changed = [...anApprovedDigest(), digestEvent.answered({ decision: 'noted', explanation: 'Ghi nhận.' })];
    expect(foldDigest(changed).approved).toBe(false);
    given(changed).when(approve()).then([digestEvent.approved()]);
    given(changed).when(publish()).then(IllegalStateError, 'DIGEST_NOT_APPROVED');
  });

  it('is refused to staff, policymakers, moderators, admins, auditors and participants', () => {
    for (const actor of [
      actors.staff,
      actors.policymaker,
      actors.moderator,
      actors.admin,
      actors.auditor,
      actors.participant,
    ]) {
      given(anAnsweredDigest()).when(approve({ actor })).then(ForbiddenError, 'SPOKESPERSON_ONLY');
    }
  });
});

describe('PublishDigest', () => {
  it('is published by a spokesperson with the counts it covers', () => {
    given(anApprovedDigest()).when(publish()).then([digestEvent.published()]);
  });

  it('is refused before approval', () => {
    given(anAnsweredDigest()).when(publish()).then(IllegalStateError, 'DIGEST_NOT_APPROVED');
  });

  it('is refused with no answered theme when the round received comments, even none still visible', () => {
    // Every comment of the round was hidden: the visible count is 0, but the people who wrote are owed an answer.
    const error = given([digestEvent.started(), digestEvent.approved()])
      .when(publish({ coveredCount: 0, visibleCount: 0, receivedCount: 2 }))
      .then(IllegalStateError, 'NO_ANSWERED_THEME');
    expect(error.messages.vi).toContain('ít nhất một nhóm vấn đề');
  });

  it('publishes an empty digest for a round that received no comment', () => {
    given([digestEvent.started(), digestEvent.approved()])
      .when(publish({ coveredCount: 0, visibleCount: 0, receivedCount: 0 }))
      .then([
        {
          type: 'DigestPublished',
          data: {
            digestId: ids.digest,
            publishedBy: actors.spokesperson.accountId,
            coveredCount: 0,
            visibleCount: 0,
            countedAtPosition: '42',
          },
        },
      ]);
  });

  it('is refused unless every visible comment is covered', () => {
    given(anApprovedDigest())
      .when(publish({ coveredCount: 2, visibleCount: 3 }))
      .then(IllegalStateError, 'DIGEST_INCOMPLETE');
  });

  it('is refused with counts that are not counts', () => {
    given(anApprovedDigest())
      .when(publish({ coveredCount: -1 }))
      .then(ValidationError, 'coveredCount');
    given(anApprovedDigest())
      .when(publish({ visibleCount: 1.5 }))
      .then(ValidationError, 'visibleCount');
    given(anApprovedDigest())
      .when(publish({ receivedCount: -2 }))
      .then(ValidationError, 'receivedCount');
  });

  it('is refused to staff, policymakers, moderators, admins, auditors and participants', () => {
    for (const actor of [
      actors.staff,
      actors.policymaker,
      actors.moderator,
      actors.admin,
      actors.auditor,
      actors.participant,
    ]) {
      given(anApprovedDigest()).when(publish({ actor })).then(ForbiddenError, 'SPOKESPERSON_ONLY');
    }
  });
});

describe('every digest command', () => {
  it.each(everyCommand)('%s is refused once the digest is published', (_name, command, _history, actor) => {
    given(aPublishedDigest()).when(command({ actor })).then(IllegalStateError, 'DIGEST_PUBLISHED');
  });

  it.each(everyCommand)('%s is refused before the digest is started', (_name, command, _history, actor) => {
    given([]).when(command({ actor })).then(IllegalStateError, 'DIGEST_NOT_STARTED');
  });

  it.each(everyCommand)('%s is refused for another round than the current one', (_name, command, history, actor) => {
    given(history)
      .when(command({ actor, round: 2 }))
      .then(IllegalStateError, 'ROUND_MISMATCH');
  });

  it.each(everyCommand)('%s is refused once the policy is enacted', (_name, command, history, actor) => {
    const enacted = [...aPolicyInReview(), policyEvent.roundAnswered(1), policyEvent.enacted()];
    given(history, enacted).when(command({ actor })).then(IllegalStateError, 'TERMINAL_STATE');
  });

  it.each(everyCommand)('%s is refused to participants', (_name, command, history) => {
    given(history)
      .when(command({ actor: actors.participant }))
      .then(ForbiddenError);
  });

  it('StartDigest is refused once the policy is enacted', () => {
    given([], anEnactedPolicy()).when(start()).then(IllegalStateError, 'TERMINAL_STATE');
  });
});

describe('the digest state', () => {
  it('counts as covered only comments in an answered theme', () => {
    const state = foldDigest([
      ...anAnsweredDigest(),
      digestEvent.themeDefined({ themeId: themeIds.uniforms, title: 'Đồng phục' }),
      digestEvent.assigned({ themeId: themeIds.uniforms, commentIds: [commentIds.second, commentIds.third] }),
    ]);
    expect([...answeredCommentIds(state)].sort()).toEqual([commentIds.first, commentIds.second].sort());
  });

  it('is published at the end of the walk', () => {
    expect(foldDigest(aPublishedDigest())).toMatchObject({ exists: true, approved: true, published: true, round: 1 });
  });
});
