import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { evolveComment, foldComment, initialCommentState, type CommentEvent, type CommentState } from './comment';
import {
  decideComment,
  type CommentCommand,
  type EditComment,
  type EndorseComment,
  type FlagComment,
  type HideComment,
  type PostOfficialReply,
  type RecordOfflineFeedback,
  type RedactComment,
  type RestoreComment,
  type SubmitComment,
  type TagComment,
  type WithdrawComment,
} from './commentDecider';
import { ConflictError, ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from './errors';
import { foldPolicy, type PolicyEvent } from './policy';
import type { Standing } from './account';
import {
  T,
  aHiddenComment,
  aPolicyInConsultation,
  aPolicyInDrafting,
  aPolicyInReview,
  aPolicyWithAnsweredRound,
  aRedactedComment,
  aRevisedPolicy,
  aSubmittedComment,
  aWithdrawnComment,
  accounts,
  actors,
  anEnactedPolicy,
  aWithdrawnPolicy,
  commentEvent,
  ids,
  policyEvent,
} from './testkit/builders';
import { specFor } from './testkit/spec';
import { foldDigest, type DigestEvent } from './digest';
import { anAnsweredDigest, anApprovedDigest, digestEvent } from './testkit/digestBuilders';

/**
 * Given the policy's history (by default a round open from T.opensAt to T.closesAt), the comment's own, and for a
 * reply the history of the comment it answers.
 */
const given = (
  comment: CommentEvent[] = [],
  policy: PolicyEvent[] = aPolicyInConsultation(),
  parent: CommentEvent[] = [],
) =>
  specFor({
    decide: (command: CommentCommand, state: CommentState) =>
      decideComment(command, state, foldPolicy(policy), undefined, foldComment(parent)),
    evolve: evolveComment,
    initialState: initialCommentState,
  })(comment);

/** Given a closed round whose digest has this history. */
const givenDigest = (digest: DigestEvent[]) =>
  specFor({
    decide: (command: CommentCommand, state: CommentState) =>
      decideComment(command, state, foldPolicy(aPolicyInReview()), foldDigest(digest)),
    evolve: evolveComment,
    initialState: initialCommentState,
  })([]);

const base = { commentId: ids.comment, now: T.during, actor: actors.participant };

/** The comment a reply answers: another participant's, on the same policy and round unless told otherwise. */
const parentId = '5d3c2b1a-0f9e-5d8c-9b7a-6f5e4d3c2b1a';
const parentEvent = (over: Partial<Extract<CommentEvent, { type: 'CommentSubmitted' }>['data']> = {}): CommentEvent =>
  commentEvent.submitted({
    commentId: parentId,
    authorAccountId: accounts.otherParticipant,
    idempotencyKey: 'parent-key',
    ...over,
  });
const aParentComment = (): CommentEvent[] => [parentEvent()];
const parentHistory = {
  hidden: (): CommentEvent[] => [
    parentEvent(),
    {
      type: 'CommentHidden',
      data: { commentId: parentId, hiddenBy: accounts.moderator, reasonCode: 'abuse', reason: 'Lời lẽ xúc phạm.' },
    },
  ],
  withdrawn: (): CommentEvent[] => [
    parentEvent(),
    { type: 'CommentWithdrawn', data: { commentId: parentId, withdrawnBy: accounts.otherParticipant, reason: '' } },
  ],
  redacted: (): CommentEvent[] => [
    parentEvent(),
    {
      type: 'CommentRedacted',
      data: { commentId: parentId, redactedBy: accounts.moderator, reason: 'Lộ thông tin.', keyDestroyed: true },
    },
  ],
};
const submit = (over: Partial<SubmitComment> = {}): SubmitComment => ({
  type: 'SubmitComment',
  ...base,
  policyId: ids.policy,
  version: 1,
  anchorNodeId: ids.article1,
  parentCommentId: null,
  body: 'Đề nghị miễn học phí cho con hộ nghèo.',
  stance: 'suggestion',
  stakeholderCategory: 'parent',
  authorAccountId: accounts.participant,
  pseudonym: null,
  idempotencyKey: 'key-1',
  ...over,
});
const recordOffline = (over: Partial<RecordOfflineFeedback> = {}): RecordOfflineFeedback => ({
  type: 'RecordOfflineFeedback',
  ...base,
  commentId: ids.offlineComment,
  now: T.afterClose,
  actor: actors.staff,
  policyId: ids.policy,
  channel: 'letter',
  receivedAt: '2025-03-30T02:00:00Z',
  offlineSender: { senderId: ids.sender, name: 'Nguyễn Văn An', organization: null, contact: null },
  stakeholderCategory: 'parent',
  body: 'Đề nghị miễn học phí cho con hộ nghèo.',
  stance: 'suggestion',
  anchorNodeId: ids.article1,
  idempotencyKey: 'letter-17',
  ...over,
});
const edit = (over: Partial<EditComment> = {}): EditComment => ({
  type: 'EditComment',
  ...base,
  body: 'Đề nghị miễn học phí cho con hộ nghèo và cận nghèo.',
  stance: 'suggestion',
  ...over,
});
const withdraw = (over: Partial<WithdrawComment> = {}): WithdrawComment => ({
  type: 'WithdrawComment',
  ...base,
  reason: 'Tôi gửi nhầm.',
  ...over,
});
/** What the handler reads from the actor's account: a confirmed adult's, a pupil's with or without consent, an unconfirmed one. */
const standing = {
  confirmed: { verified: true, consent: 'not_required' },
  pupilWithConsent: { verified: true, consent: 'given' },
  pupilWithoutConsent: { verified: true, consent: 'missing' },
  unconfirmed: { verified: false, consent: 'not_required' },
} as const satisfies Record<string, Standing>;
const flagId = randomUUID();
const flag = (over: Partial<FlagComment> = {}): FlagComment => ({
  type: 'FlagComment',
  ...base,
  actor: actors.otherParticipant,
  flagId,
  reason: 'abuse',
  note: null,
  actorStanding: standing.confirmed,
  ...over,
});
const hide = (over: Partial<HideComment> = {}): HideComment => ({
  type: 'HideComment',
  ...base,
  actor: actors.moderator,
  reasonCode: 'abuse',
  reason: 'Lời lẽ xúc phạm.',
  ...over,
});
const restore = (over: Partial<RestoreComment> = {}): RestoreComment => ({
  type: 'RestoreComment',
  ...base,
  actor: actors.moderator,
  reason: 'Xem xét lại: không vi phạm.',
  ...over,
});
const redact = (over: Partial<RedactComment> = {}): RedactComment => ({
  type: 'RedactComment',
  ...base,
  actor: actors.moderator,
  reason: 'Lộ thông tin cá nhân.',
  ...over,
});
const tag = (over: Partial<TagComment> = {}): TagComment => ({
  type: 'TagComment',
  ...base,
  now: T.afterClose,
  actor: actors.staff,
  added: ['miễn giảm'],
  removed: [],
  ...over,
});
const endorse = (over: Partial<EndorseComment> = {}): EndorseComment => ({
  type: 'EndorseComment',
  ...base,
  actor: actors.otherParticipant,
  actorStanding: standing.confirmed,
  ...over,
});
const replyId = randomUUID();
const reply = (over: Partial<PostOfficialReply> = {}): PostOfficialReply => ({
  type: 'PostOfficialReply',
  ...base,
  actor: actors.spokesperson,
  replyId,
  body: 'Phòng GD&ĐT ghi nhận và sẽ xem xét trong dự thảo lần 2.',
  ...over,
});

describe('SubmitComment', () => {
  it('accepts a comment on an article while the round is open', () => {
    given().when(submit()).then([commentEvent.submitted()]);
  });

  it('accepts a comment on the whole draft, as a reply, under a pseudonym', () => {
    given([], aPolicyInConsultation(), [parentEvent({ anchorNodeId: null })])
      .when(submit({ anchorNodeId: null, parentCommentId: parentId, pseudonym: '  Phụ huynh lớp 3A ' }))
      .then([commentEvent.submitted({ anchorNodeId: null, parentCommentId: parentId, pseudonym: 'Phụ huynh lớp 3A' })]);
  });

  it('a reply carries its parent’s anchor (the article it discusses), given or not', () => {
    const onArticle = [parentEvent({ anchorNodeId: ids.article2 })];
    given([], aPolicyInConsultation(), onArticle)
      .when(submit({ anchorNodeId: null, parentCommentId: parentId }))
      .then([commentEvent.submitted({ anchorNodeId: ids.article2, parentCommentId: parentId })]);
    given([], aPolicyInConsultation(), onArticle)
      .when(submit({ anchorNodeId: ids.article2, parentCommentId: parentId }))
      .then([commentEvent.submitted({ anchorNodeId: ids.article2, parentCommentId: parentId })]);
  });

  it('is refused for a reply anchored elsewhere than its parent', () => {
    given([], aPolicyInConsultation(), [parentEvent({ anchorNodeId: ids.article2 })])
      .when(submit({ anchorNodeId: ids.article1, parentCommentId: parentId }))
      .then(ValidationError, 'anchorNodeId');
  });

  it('accepts a comment at the instant the round opens', () => {
    given()
      .when(submit({ now: T.opensAt }))
      .then([commentEvent.submitted({ receivedAt: T.opensAt })]);
  });

  it('normalises a decomposed Vietnamese body to NFC, keeping both tone placements', () => {
    const nfc = 'Tôi ủng hộ giáo dục hoà nhập, nhưng cần nói rõ “hòa nhập” là gì.';
    const nfd = nfc.normalize('NFD');
    expect(nfd).not.toBe(nfc);
    given()
      .when(submit({ body: `\n ${nfd} \t` }))
      .then([commentEvent.submitted({ body: nfc })]);
    expect(nfc).toContain('hoà');
    expect(nfc).toContain('hòa');
  });

  it('accepts a body of exactly 10 000 characters', () => {
    const body = 'ý'.repeat(10_000);
    given()
      .when(submit({ body }))
      .then([commentEvent.submitted({ body })]);
  });

  it('acknowledges a retry with the same key and content, even after the round closed', () => {
    given(aSubmittedComment(), aPolicyInReview())
      .when(submit({ now: T.afterClose }))
      .then([]);
  });

  it('acknowledges a retry whose body differs only in Unicode form', () => {
    given(aSubmittedComment())
      .when(submit({ body: submit().body.normalize('NFD') }))
      .then([]);
  });

  it('is refused as a conflict when the key is reused with another body', () => {
    given(aSubmittedComment())
      .when(submit({ body: 'Nội dung khác.' }))
      .then(ConflictError, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('is refused as a conflict when the key is reused with another stance', () => {
    given(aSubmittedComment())
      .when(submit({ stance: 'oppose' }))
      .then(ConflictError, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('is refused as a conflict when the key is reused with another anchor', () => {
    given(aSubmittedComment())
      .when(submit({ anchorNodeId: ids.article2 }))
      .then(ConflictError, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('is refused when the comment exists under another key', () => {
    given(aSubmittedComment())
      .when(submit({ idempotencyKey: 'key-2' }))
      .then(IllegalStateError, 'COMMENT_ALREADY_EXISTS');
  });

  it('is refused when retried after the comment was redacted', () => {
    given(aRedactedComment()).when(submit()).then(IllegalStateError, 'COMMENT_REDACTED');
  });

  it.each([
    ['before the round opens', T.beforeOpen],
    ['at the deadline', T.closesAt],
    ['after the deadline', T.afterClose],
  ])('is refused %s', (_, now) => {
    given().when(submit({ now })).then(IllegalStateError, 'ROUND_NOT_OPEN');
  });

  it('is refused after staff closed the round early', () => {
    given([], [...aPolicyInConsultation(), policyEvent.consultationClosed({ closedAt: T.opensAt, closedBy: 'staff' })])
      .when(submit())
      .then(IllegalStateError, 'ROUND_NOT_OPEN');
  });

  it('is refused while the policy is only being drafted', () => {
    given([], aPolicyInDrafting()).when(submit()).then(IllegalStateError, 'ROUND_NOT_OPEN');
  });

  it('is refused on a withdrawn policy', () => {
    given([], aWithdrawnPolicy()).when(submit()).then(IllegalStateError, 'TERMINAL_STATE');
  });

  it('is refused on a policy that does not exist', () => {
    given([], []).when(submit()).then(NotFoundError, 'policy');
  });

  it('is refused on a version other than the one under consultation', () => {
    given()
      .when(submit({ version: 2 }))
      .then(IllegalStateError, 'VERSION_NOT_UNDER_CONSULTATION');
  });

  it('is refused on a node that is not in the version', () => {
    given()
      .when(submit({ anchorNodeId: randomUUID() }))
      .then(ValidationError, 'anchorNodeId');
  });

  it('is refused with an empty body', () => {
    given()
      .when(submit({ body: ' \u00a0\n' }))
      .then(ValidationError, 'body');
  });

  it('is refused with a body over 10 000 characters', () => {
    given()
      .when(submit({ body: 'a'.repeat(10_001) }))
      .then(ValidationError, 'body');
  });

  it('is refused with an unknown stance', () => {
    given()
      .when(submit({ stance: 'angry' as never }))
      .then(ValidationError, 'stance');
  });

  it('is refused when submitted under another account', () => {
    given()
      .when(submit({ authorAccountId: accounts.otherParticipant }))
      .then(ForbiddenError, 'AUTHOR_MUST_BE_ACTOR');
  });

  it("is refused from a pupil's account without the consent it needs, accepted once given", () => {
    given()
      .when(submit({ authorConsent: 'missing' }))
      .then(ForbiddenError, 'CONSENT_REQUIRED');
    given()
      .when(submit({ authorConsent: 'given' }))
      .then([commentEvent.submitted()]);
    given()
      .when(submit({ authorConsent: 'not_required' }))
      .then([commentEvent.submitted()]);
  });
});

describe('SubmitComment as a reply', () => {
  const reply = (over: Partial<SubmitComment> = {}) => submit({ parentCommentId: parentId, ...over });
  const replied = (over: Partial<Extract<CommentEvent, { type: 'CommentSubmitted' }>['data']> = {}) =>
    commentEvent.submitted({ parentCommentId: parentId, ...over });

  it('accepts a reply to a visible comment of the same policy and round', () => {
    given([], aPolicyInConsultation(), aParentComment()).when(reply()).then([replied()]);
  });

  it('accepts a reply to feedback recorded offline in the same round', () => {
    given([], aPolicyInConsultation(), [
      parentEvent({ channel: 'letter', authorAccountId: null, recordedBy: accounts.staff }),
    ])
      .when(reply())
      .then([replied()]);
  });

  it('is refused when the comment replied to does not exist', () => {
    given().when(reply()).then(IllegalStateError, 'PARENT_NOT_FOUND');
  });

  it("is refused when the comment replied to is another policy's (another organisation's, or an enacted one)", () => {
    given([], aPolicyInConsultation(), [parentEvent({ policyId: randomUUID() })])
      .when(reply())
      .then(IllegalStateError, 'PARENT_IN_OTHER_POLICY');
  });

  it('is refused when the comment replied to belongs to an earlier round', () => {
    const secondRound = [
      ...aRevisedPolicy(),
      policyEvent.consultationOpened({
        round: 2,
        version: 2,
        opensAt: '2025-04-21T00:00:00Z',
        closesAt: '2025-05-31T17:00:00Z',
      }),
    ];
    given([], secondRound, aParentComment())
      .when(reply({ version: 2, anchorNodeId: null, now: '2025-05-01T00:00:00Z' }))
      .then(IllegalStateError, 'PARENT_IN_OTHER_ROUND');
  });

  it.each([
    ['hidden', parentHistory.hidden],
    ['withdrawn', parentHistory.withdrawn],
    ['redacted', parentHistory.redacted],
  ])('is refused when the comment replied to is %s', (_, history) => {
    given([], aPolicyInConsultation(), history()).when(reply()).then(IllegalStateError, 'PARENT_NOT_VISIBLE');
  });

  it('acknowledges a retry of a reply whose parent was hidden since', () => {
    given([replied()], aPolicyInConsultation(), parentHistory.hidden()).when(reply()).then([]);
  });

  it('checks the parent after the reply itself: a closed round is refused as such', () => {
    given([], aPolicyInReview(), [parentEvent({ policyId: randomUUID() })])
      .when(reply({ now: T.afterClose }))
      .then(IllegalStateError, 'ROUND_NOT_OPEN');
  });
});

describe('RecordOfflineFeedback', () => {
  const recorded = (over: Partial<Extract<CommentEvent, { type: 'CommentSubmitted' }>['data']> = {}): CommentEvent =>
    commentEvent.submitted({
      commentId: ids.offlineComment,
      channel: 'letter',
      authorAccountId: null,
      recordedBy: accounts.staff,
      offlineSender: { senderId: ids.sender, name: 'Nguyễn Văn An', organization: null, contact: null },
      idempotencyKey: 'letter-17',
      receivedAt: '2025-03-30T02:00:00Z',
      ...over,
    });

  it('accepts a letter after the close when it was received before the deadline', () => {
    given([], aPolicyInReview()).when(recordOffline()).then([recorded()]);
  });

  it('accepts feedback from a meeting while the round is open, with no named sender', () => {
    given()
      .when(recordOffline({ now: T.during, receivedAt: T.opensAt, channel: 'meeting', offlineSender: null }))
      .then([recorded({ channel: 'meeting', receivedAt: T.opensAt, offlineSender: null })]);
  });

  it('normalises the sender’s details to NFC', () => {
    given([], aPolicyInReview())
      .when(
        recordOffline({
          offlineSender: {
            senderId: ids.sender,
            name: 'Lê Thị Hoà'.normalize('NFD'),
            organization: ' Trường TH Hòa Bình ',
            contact: null,
          },
        }),
      )
      .then([
        recorded({
          offlineSender: {
            senderId: ids.sender,
            name: 'Lê Thị Hoà',
            organization: 'Trường TH Hòa Bình',
            contact: null,
          },
        }),
      ]);
  });

  it('acknowledges a retry with the same key and content', () => {
    given([recorded()], aPolicyInReview()).when(recordOffline()).then([]);
  });

  it('is refused to anyone but staff', () => {
    given([], aPolicyInReview())
      .when(recordOffline({ actor: actors.participant }))
      .then(ForbiddenError, 'STAFF_ONLY');
  });

  it('is refused for the web channel', () => {
    given([], aPolicyInReview())
      .when(recordOffline({ channel: 'web' as never }))
      .then(ValidationError, 'channel');
  });

  it('is refused when received in the future', () => {
    given()
      .when(recordOffline({ now: T.during, receivedAt: T.afterClose }))
      .then(ValidationError, 'receivedAt');
  });

  it('is refused when received before the round opened', () => {
    given([], aPolicyInReview())
      .when(recordOffline({ receivedAt: T.beforeOpen }))
      .then(IllegalStateError, 'RECEIVED_BEFORE_OPEN');
  });

  it('is refused when received at or after the deadline', () => {
    given([], aPolicyInReview())
      .when(recordOffline({ receivedAt: T.closesAt }))
      .then(IllegalStateError, 'RECEIVED_AFTER_CLOSE');
  });

  it('is refused when received after staff closed the round early', () => {
    given(
      [],
      [
        ...aPolicyInConsultation(),
        policyEvent.consultationClosed({ closedAt: '2025-03-20T00:00:00Z', closedBy: 'staff' }),
      ],
    )
      .when(recordOffline({ receivedAt: '2025-03-25T00:00:00Z' }))
      .then(IllegalStateError, 'RECEIVED_AFTER_CLOSE');
  });

  it('is refused once the round is answered', () => {
    given([], aPolicyWithAnsweredRound()).when(recordOffline()).then(IllegalStateError, 'ROUND_ANSWERED');
  });

  it('is accepted after the close while the digest is being drafted', () => {
    givenDigest(anAnsweredDigest()).when(recordOffline()).then([recorded()]);
  });

  it('is refused once the digest is approved', () => {
    givenDigest(anApprovedDigest()).when(recordOffline()).then(IllegalStateError, 'DIGEST_APPROVED');
  });

  it('is accepted again when a change after approval withdrew the approval', () => {
    givenDigest([...anApprovedDigest(), digestEvent.themeDefined({ title: 'Học phí và miễn giảm' })])
      .when(recordOffline())
      .then([recorded()]);
  });

  it('is refused when there has been no round', () => {
    given([], aPolicyInDrafting()).when(recordOffline()).then(IllegalStateError, 'NO_ROUND');
  });

  it('is refused on an enacted policy', () => {
    given([], anEnactedPolicy()).when(recordOffline()).then(IllegalStateError, 'TERMINAL_STATE');
  });

  it('is refused on a node that is not in the round’s version', () => {
    given([], aPolicyInReview())
      .when(recordOffline({ anchorNodeId: randomUUID() }))
      .then(ValidationError, 'anchorNodeId');
  });
});

describe('EditComment', () => {
  it('lets the author edit while the round is open', () => {
    given(aSubmittedComment())
      .when(edit({ body: edit().body.normalize('NFD') }))
      .then([
        {
          type: 'CommentEdited',
          data: { commentId: ids.comment, body: edit().body, stance: 'suggestion', editedBy: accounts.participant },
        },
      ]);
  });

  it('records nothing when nothing changed', () => {
    given(aSubmittedComment())
      .when(edit({ body: submit().body }))
      .then([]);
  });

  it('is refused to anyone but the author', () => {
    given(aSubmittedComment())
      .when(edit({ actor: actors.otherParticipant }))
      .then(ForbiddenError, 'AUTHOR_ONLY');
  });

  it('is refused on feedback recorded offline (it has no author account)', () => {
    given([commentEvent.recordedOffline()])
      .when(edit({ commentId: ids.offlineComment, actor: actors.staff }))
      .then(ForbiddenError, 'AUTHOR_ONLY');
  });

  it('is refused after the round closed', () => {
    given(aSubmittedComment(), aPolicyInReview())
      .when(edit({ now: T.afterClose }))
      .then(IllegalStateError, 'ROUND_NOT_OPEN');
  });

  it('is refused on a withdrawn comment', () => {
    given(aWithdrawnComment()).when(edit()).then(IllegalStateError, 'COMMENT_WITHDRAWN');
  });

  it('is refused on a hidden comment', () => {
    given(aHiddenComment()).when(edit()).then(IllegalStateError, 'COMMENT_HIDDEN');
  });

  it('is refused on a redacted comment', () => {
    given(aRedactedComment()).when(edit()).then(IllegalStateError, 'COMMENT_REDACTED');
  });

  it('is refused with an empty body', () => {
    given(aSubmittedComment())
      .when(edit({ body: '' }))
      .then(ValidationError, 'body');
  });

  it('is refused on a comment that does not exist', () => {
    given().when(edit()).then(NotFoundError, 'comment');
  });
});

describe('WithdrawComment', () => {
  it('lets the author withdraw while the round is open', () => {
    given(aSubmittedComment())
      .when(withdraw())
      .then([
        {
          type: 'CommentWithdrawn',
          data: { commentId: ids.comment, withdrawnBy: accounts.participant, reason: 'Tôi gửi nhầm.' },
        },
      ]);
  });

  it('is refused to anyone but the author', () => {
    given(aSubmittedComment())
      .when(withdraw({ actor: actors.moderator }))
      .then(ForbiddenError, 'AUTHOR_ONLY');
  });

  it('is refused when already withdrawn', () => {
    given(aWithdrawnComment()).when(withdraw()).then(IllegalStateError, 'COMMENT_WITHDRAWN');
  });

  it('is refused after the round closed', () => {
    given(aSubmittedComment(), aPolicyInReview())
      .when(withdraw({ now: T.afterClose }))
      .then(IllegalStateError, 'ROUND_NOT_OPEN');
  });
});

describe('FlagComment', () => {
  it('lets any signed-in account flag, keeping the note as NFC plaintext', () => {
    given(aSubmittedComment())
      .when(flag({ note: 'Xúc phạm người khác, không hoà nhã.'.normalize('NFD') }))
      .then([
        {
          type: 'CommentFlagged',
          data: {
            commentId: ids.comment,
            flagId,
            flaggedBy: accounts.otherParticipant,
            reason: 'abuse',
            note: 'Xúc phạm người khác, không hoà nhã.',
          },
        },
      ]);
  });

  it('lets the author flag their own comment, and an empty note is none', () => {
    given(aSubmittedComment())
      .when(flag({ actor: actors.participant, reason: 'personal_data', note: '  ' }))
      .then([
        {
          type: 'CommentFlagged',
          data: {
            commentId: ids.comment,
            flagId,
            flaggedBy: accounts.participant,
            reason: 'personal_data',
            note: null,
          },
        },
      ]);
  });

  it('is refused when the same account flags twice', () => {
    given([
      ...aSubmittedComment(),
      {
        type: 'CommentFlagged',
        data: { commentId: ids.comment, flagId, flaggedBy: accounts.otherParticipant, reason: 'spam', note: null },
      },
    ])
      .when(flag({ flagId: randomUUID() }))
      .then(IllegalStateError, 'ALREADY_FLAGGED');
  });

  it('is refused with an unknown reason', () => {
    given(aSubmittedComment())
      .when(flag({ reason: 'boring' as never }))
      .then(ValidationError, 'reason');
  });

  it('is refused from an account whose email is not confirmed (flags raise alerts)', () => {
    given(aSubmittedComment())
      .when(flag({ actorStanding: standing.unconfirmed }))
      .then(ForbiddenError, 'EMAIL_NOT_VERIFIED');
  });

  it('is refused when the handler said nothing of the account', () => {
    given(aSubmittedComment())
      .when(flag({ actorStanding: undefined as never }))
      .then(ForbiddenError, 'EMAIL_NOT_VERIFIED');
  });

  it("is refused from a pupil's account without consent, accepted with it (the school vouches for the account)", () => {
    given(aSubmittedComment())
      .when(flag({ actorStanding: standing.pupilWithoutConsent }))
      .then(ForbiddenError, 'CONSENT_REQUIRED');
    given(aSubmittedComment())
      .when(flag({ actorStanding: standing.pupilWithConsent }))
      .then([
        {
          type: 'CommentFlagged',
          data: { commentId: ids.comment, flagId, flaggedBy: accounts.otherParticipant, reason: 'abuse', note: null },
        },
      ]);
  });

  it('is refused on a withdrawn comment', () => {
    given(aWithdrawnComment()).when(flag()).then(IllegalStateError, 'COMMENT_WITHDRAWN');
  });
});

describe('HideComment', () => {
  it('lets a moderator hide a comment, with a reason', () => {
    given(aSubmittedComment()).when(hide()).then([commentEvent.hidden()]);
  });

  it('is refused to anyone but a moderator', () => {
    given(aSubmittedComment())
      .when(hide({ actor: actors.staff }))
      .then(ForbiddenError, 'MODERATOR_ONLY');
  });

  it('is refused when already hidden', () => {
    given(aHiddenComment()).when(hide()).then(IllegalStateError, 'ALREADY_HIDDEN');
  });

  it('is refused without a reason', () => {
    given(aSubmittedComment())
      .when(hide({ reason: '' }))
      .then(ValidationError, 'reason');
  });
});

describe('RestoreComment', () => {
  it('lets a moderator restore a hidden comment', () => {
    given(aHiddenComment())
      .when(restore())
      .then([
        {
          type: 'CommentRestored',
          data: { commentId: ids.comment, restoredBy: accounts.moderator, reason: restore().reason },
        },
      ]);
  });

  it('is refused when the comment is not hidden', () => {
    given(aSubmittedComment()).when(restore()).then(IllegalStateError, 'NOT_HIDDEN');
  });

  it('is refused to anyone but a moderator', () => {
    given(aHiddenComment())
      .when(restore({ actor: actors.participant }))
      .then(ForbiddenError, 'MODERATOR_ONLY');
  });
});

describe('RedactComment', () => {
  it('lets a moderator redact, destroying the comment key', () => {
    given(aSubmittedComment()).when(redact()).then([commentEvent.redacted()]);
  });

  it('is refused when already redacted', () => {
    given(aRedactedComment()).when(redact()).then(IllegalStateError, 'ALREADY_REDACTED');
  });

  it('is refused to anyone but a moderator', () => {
    given(aSubmittedComment())
      .when(redact({ actor: actors.admin }))
      .then(ForbiddenError, 'MODERATOR_ONLY');
  });
});

describe('TagComment', () => {
  const tagged = (added: string[], removed: string[]): CommentEvent => ({
    type: 'CommentTagged',
    data: { commentId: ids.comment, taggedBy: accounts.staff, added, removed },
  });

  it('lets staff tag a comment into themes, normalised', () => {
    given(aSubmittedComment())
      .when(tag({ added: ['miễn giảm'.normalize('NFD'), 'miễn giảm', ' hộ nghèo '] }))
      .then([tagged(['miễn giảm', 'hộ nghèo'], [])]);
  });

  it('removes a tag the comment has', () => {
    given([...aSubmittedComment(), tagged(['miễn giảm'], [])])
      .when(tag({ added: [], removed: ['miễn giảm'] }))
      .then([tagged([], ['miễn giảm'])]);
  });

  it('records nothing when nothing would change', () => {
    given([...aSubmittedComment(), tagged(['miễn giảm'], [])])
      .when(tag({ added: ['miễn giảm'], removed: ['không có'] }))
      .then([]);
  });

  it('is refused to anyone but staff', () => {
    given(aSubmittedComment())
      .when(tag({ actor: actors.moderator }))
      .then(ForbiddenError, 'STAFF_ONLY');
  });

  it('is refused when a tag is both added and removed', () => {
    given(aSubmittedComment())
      .when(tag({ added: ['x'], removed: ['x'] }))
      .then(ValidationError, 'removed');
  });
});

describe('EndorseComment', () => {
  it('lets another account endorse once', () => {
    given(aSubmittedComment())
      .when(endorse())
      .then([{ type: 'CommentEndorsed', data: { commentId: ids.comment, endorsedBy: accounts.otherParticipant } }]);
  });

  it('is refused a second time by the same account', () => {
    given([
      ...aSubmittedComment(),
      { type: 'CommentEndorsed', data: { commentId: ids.comment, endorsedBy: accounts.otherParticipant } },
    ])
      .when(endorse())
      .then(IllegalStateError, 'ALREADY_ENDORSED');
  });

  it('is refused on your own comment', () => {
    given(aSubmittedComment())
      .when(endorse({ actor: actors.participant }))
      .then(ForbiddenError, 'OWN_COMMENT');
  });

  it('is refused on a hidden comment', () => {
    given(aHiddenComment()).when(endorse()).then(IllegalStateError, 'COMMENT_HIDDEN');
  });

  it('is refused from an account whose email is not confirmed (endorsements are counted and shown)', () => {
    given(aSubmittedComment())
      .when(endorse({ actorStanding: standing.unconfirmed }))
      .then(ForbiddenError, 'EMAIL_NOT_VERIFIED');
  });

  it('is refused when the handler said nothing of the account', () => {
    given(aSubmittedComment())
      .when(endorse({ actorStanding: undefined as never }))
      .then(ForbiddenError, 'EMAIL_NOT_VERIFIED');
  });

  it('asks who endorses before what is endorsed: unconfirmed on a hidden comment is refused as unconfirmed', () => {
    given(aHiddenComment())
      .when(endorse({ actorStanding: standing.unconfirmed }))
      .then(ForbiddenError, 'EMAIL_NOT_VERIFIED');
  });

  it("is refused from a pupil's account without consent, accepted with it (the school vouches for the account)", () => {
    given(aSubmittedComment())
      .when(endorse({ actorStanding: standing.pupilWithoutConsent }))
      .then(ForbiddenError, 'CONSENT_REQUIRED');
    given(aSubmittedComment())
      .when(endorse({ actorStanding: standing.pupilWithConsent }))
      .then([{ type: 'CommentEndorsed', data: { commentId: ids.comment, endorsedBy: accounts.otherParticipant } }]);
  });
});

describe('PostOfficialReply', () => {
  const posted: CommentEvent = {
    type: 'OfficialReplyPosted',
    data: { commentId: ids.comment, replyId, postedBy: accounts.spokesperson, body: reply().body },
  };

  it('lets a spokesperson reply officially', () => {
    given(aSubmittedComment(), aPolicyInReview()).when(reply()).then([posted]);
  });

  it('acknowledges a retry of the same reply', () => {
    given([...aSubmittedComment(), posted])
      .when(reply())
      .then([]);
  });

  it('is refused to anyone but a spokesperson', () => {
    given(aSubmittedComment())
      .when(reply({ actor: actors.staff }))
      .then(ForbiddenError, 'SPOKESPERSON_ONLY');
  });

  it('is refused without a body', () => {
    given(aSubmittedComment())
      .when(reply({ body: ' ' }))
      .then(ValidationError, 'body');
  });
});

describe('evolveComment', () => {
  it('folds the life of a comment, forgetting the text once redacted', () => {
    const state = foldComment([
      ...aSubmittedComment(),
      {
        type: 'CommentEdited',
        data: { commentId: ids.comment, body: 'Sửa lại.', stance: 'support', editedBy: accounts.participant },
      },
      {
        type: 'CommentTagged',
        data: { commentId: ids.comment, taggedBy: accounts.staff, added: ['a', 'b'], removed: [] },
      },
      {
        type: 'CommentTagged',
        data: { commentId: ids.comment, taggedBy: accounts.staff, added: ['c'], removed: ['a'] },
      },
      commentEvent.hidden(),
    ]);
    expect(state).toMatchObject({ exists: true, body: 'Sửa lại.', stance: 'support', hidden: true, tags: ['b', 'c'] });
    expect(state.submitted?.body).toBe(submit().body);
    const restored = evolveComment(state, {
      type: 'CommentRestored',
      data: { commentId: ids.comment, restoredBy: accounts.moderator, reason: 'ok' },
    });
    expect(restored.hidden).toBe(false);
    expect(evolveComment(restored, commentEvent.redacted())).toMatchObject({ redacted: true, body: null });
  });
});
