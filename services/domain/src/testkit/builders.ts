import type { DraftNode, EventOf, Role } from '@gopy/schemas';
import type { CommentEvent } from '../comment';
import type { PolicyEvent } from '../policy';
import type { CommandActor } from '../shared';

// Test support only: small named builders for the decider specifications.

export const ids = {
  policy: '0b6c1f3e-6a55-4c1e-9d0a-5f1f6f3b7a01',
  organization: '6f1e9c1a-2b7d-4e3a-8c55-1d2e3f4a5b60',
  digest: '9d2b7c4e-1f3a-4b5c-8d6e-7f8091a2b3c4',
  comment: 'e5a1c2d3-4b5f-5a6b-9c7d-8e9f0a1b2c3d',
  offlineComment: 'e6b2d3e4-5c6a-5b7c-8d8e-9f0a1b2c3d4e',
  sender: 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b',
  chapter1: 'c0000001-0000-4000-8000-000000000001',
  article1: 'c0000002-0000-4000-8000-000000000002',
  clause1: 'c0000003-0000-4000-8000-000000000003',
  point1: 'c0000004-0000-4000-8000-000000000004',
  article2: 'c0000005-0000-4000-8000-000000000005',
} as const;

export const accounts = {
  staff: 'a1111111-1111-4111-8111-111111111111',
  policymaker: 'a2222222-2222-4222-8222-222222222222',
  spokesperson: 'a3333333-3333-4333-8333-333333333333',
  moderator: 'a4444444-4444-4444-8444-444444444444',
  admin: 'a5555555-5555-4555-8555-555555555555',
  participant: 'a6666666-6666-4666-8666-666666666666',
  otherParticipant: 'a7777777-7777-4777-8777-777777777777',
  auditor: 'a8888888-8888-4888-8888-888888888888',
} as const;

const actor = (accountId: string, ...roles: Role[]): CommandActor => ({ accountId, roles });
export const actors = {
  staff: actor(accounts.staff, 'staff'),
  policymaker: actor(accounts.policymaker, 'policymaker'),
  spokesperson: actor(accounts.spokesperson, 'spokesperson'),
  moderator: actor(accounts.moderator, 'moderator'),
  admin: actor(accounts.admin, 'admin'),
  participant: actor(accounts.participant),
  otherParticipant: actor(accounts.otherParticipant),
  auditor: actor(accounts.auditor, 'auditor'),
};

/** The consultation calendar every scenario shares (UTC; 17:00Z is midnight in Asia/Ho_Chi_Minh). */
export const T = {
  drafting: '2025-02-10T02:00:00Z',
  beforeOpen: '2025-02-28T09:00:00Z',
  opensAt: '2025-03-01T00:00:00Z',
  during: '2025-03-10T03:00:00Z',
  closesAt: '2025-03-31T17:00:00Z',
  afterClose: '2025-04-02T02:00:00Z',
  later: '2025-04-20T02:00:00Z',
} as const;

export function aDraftNode(
  kind: DraftNode['kind'],
  nodeId: string,
  number: string,
  children: DraftNode[] = [],
): DraftNode {
  return { nodeId, kind, number, heading: '', text: '', children };
}

/** Chương I → Điều 1 → Khoản 1 → Điểm a, and Điều 2. */
export function aDraftTree(): DraftNode[] {
  return [
    {
      ...aDraftNode('chapter', ids.chapter1, 'I', [
        {
          ...aDraftNode('article', ids.article1, '1', [
            {
              ...aDraftNode('clause', ids.clause1, '1', [
                { ...aDraftNode('point', ids.point1, 'a'), text: 'Miễn học phí.' },
              ]),
            },
          ]),
          heading: 'Phạm vi điều chỉnh',
        },
        { ...aDraftNode('article', ids.article2, '2'), heading: 'Đối tượng áp dụng' },
      ]),
      heading: 'Quy định chung',
    },
  ];
}

type Data<T extends PolicyEvent['type']> = EventOf<T>['data'];

export const policyEvent = {
  proposed: (over: Partial<Data<'PolicyProposed'>> = {}): PolicyEvent => ({
    type: 'PolicyProposed',
    data: {
      policyId: ids.policy,
      owningOrganizationId: ids.organization,
      title: 'Quy định thu học phí năm học 2025–2026',
      summary: 'Mức thu học phí các trường MN, TH, THCS trên địa bàn huyện.',
      topics: ['học phí'],
      proposedBy: accounts.staff,
      ...over,
    },
  }),
  draftingStarted: (): PolicyEvent => ({
    type: 'DraftingStarted',
    data: { policyId: ids.policy, startedBy: accounts.staff },
  }),
  /** `cycle`: a revision after consultation of a round, or the first draft amending an enacted version. */
  versionPublished: (
    version = 1,
    nodes: DraftNode[] = aDraftTree(),
    cycle: { revisesRound?: number; amendsVersion?: number } = {},
  ): PolicyEvent => ({
    type: 'DraftVersionPublished',
    data: {
      policyId: ids.policy,
      version,
      title: `Dự thảo lần ${version}`,
      nodes,
      changeNote: '',
      attachments: [],
      publishedBy: accounts.staff,
      revisesRound: cycle.revisesRound ?? null,
      amendsVersion: cycle.amendsVersion ?? null,
    },
  }),
  consultationOpened: (over: Partial<Data<'ConsultationOpened'>> = {}): PolicyEvent => ({
    type: 'ConsultationOpened',
    data: {
      policyId: ids.policy,
      round: 1,
      version: 1,
      opensAt: T.opensAt,
      closesAt: T.closesAt,
      audience: { stakeholderCategories: [], organizationIds: [] },
      note: '',
      ...over,
    },
  }),
  consultationClosed: (over: Partial<Data<'ConsultationClosed'>> = {}): PolicyEvent => ({
    type: 'ConsultationClosed',
    data: { policyId: ids.policy, round: 1, closedAt: T.closesAt, closedBy: 'deadline', reason: '', ...over },
  }),
  roundAnswered: (round = 1): PolicyEvent => ({
    type: 'RoundAnswered',
    data: {
      policyId: ids.policy,
      round,
      digestId: ids.digest,
      coveredCount: 3,
      visibleCount: 3,
      countedAtPosition: '42',
    },
  }),
  enacted: (): PolicyEvent => ({
    type: 'PolicyEnacted',
    data: {
      policyId: ids.policy,
      version: 1,
      decisionNumber: '15/QĐ-UBND',
      decisionDate: '2025-04-20',
      effectiveDate: '2025-09-01',
      signedBy: accounts.policymaker,
    },
  }),
  withdrawn: (): PolicyEvent => ({
    type: 'PolicyWithdrawn',
    data: { policyId: ids.policy, reason: 'Không còn phù hợp.' },
  }),
};

export const aProposedPolicy = (): PolicyEvent[] => [policyEvent.proposed()];
export const aPolicyDraftingWithoutVersion = (): PolicyEvent[] => [...aProposedPolicy(), policyEvent.draftingStarted()];
export const aPolicyInDrafting = (): PolicyEvent[] => [
  ...aPolicyDraftingWithoutVersion(),
  policyEvent.versionPublished(1),
];
export const aPolicyInConsultation = (): PolicyEvent[] => [...aPolicyInDrafting(), policyEvent.consultationOpened()];
export const aPolicyInReview = (): PolicyEvent[] => [...aPolicyInConsultation(), policyEvent.consultationClosed()];
export const aPolicyWithAnsweredRound = (): PolicyEvent[] => [...aPolicyInReview(), policyEvent.roundAnswered(1)];
/** The revised draft published after the answered round: the policy stays in review. */
export const aRevisedPolicy = (): PolicyEvent[] => [
  ...aPolicyWithAnsweredRound(),
  policyEvent.versionPublished(2, aDraftTree(), { revisesRound: 1 }),
];
/** A second version published after the answered round before revisions kept the policy in review (a v1 event). */
export const aRedraftedPolicy = (): PolicyEvent[] => [...aPolicyWithAnsweredRound(), policyEvent.versionPublished(2)];
/** An enacted policy whose amendment was started: version 2 amends the enacted version 1. */
export const anAmendedPolicy = (): PolicyEvent[] => [
  ...anEnactedPolicy(),
  policyEvent.versionPublished(2, aDraftTree(), { amendsVersion: 1 }),
];
export const anEnactedPolicy = (): PolicyEvent[] => [...aPolicyWithAnsweredRound(), policyEvent.enacted()];
export const aWithdrawnPolicy = (): PolicyEvent[] => [...aPolicyInConsultation(), policyEvent.withdrawn()];

export const commentEvent = {
  /** A parent's comment on Điều 1 of version 1, submitted on the portal during round 1. */
  submitted: (over: Partial<EventOf<'CommentSubmitted'>['data']> = {}): CommentEvent => ({
    type: 'CommentSubmitted',
    data: {
      commentId: ids.comment,
      policyId: ids.policy,
      round: 1,
      version: 1,
      anchorNodeId: ids.article1,
      parentCommentId: null,
      body: 'Đề nghị miễn học phí cho con hộ nghèo.',
      stance: 'suggestion',
      stakeholderCategory: 'parent',
      channel: 'web',
      authorAccountId: accounts.participant,
      pseudonym: null,
      offlineSender: null,
      recordedBy: null,
      idempotencyKey: 'key-1',
      receivedAt: T.during,
      attachments: [],
      ...over,
    },
  }),
  /** A letter recorded by staff, from someone without an account. */
  recordedOffline: (): CommentEvent =>
    commentEvent.submitted({
      commentId: ids.offlineComment,
      channel: 'letter',
      authorAccountId: null,
      recordedBy: accounts.staff,
      offlineSender: { senderId: ids.sender, name: 'Nguyễn Văn An', organization: null, contact: null },
      idempotencyKey: 'letter-17',
    }),
  hidden: (): CommentEvent => ({
    type: 'CommentHidden',
    data: { commentId: ids.comment, hiddenBy: accounts.moderator, reasonCode: 'abuse', reason: 'Lời lẽ xúc phạm.' },
  }),
  withdrawn: (): CommentEvent => ({
    type: 'CommentWithdrawn',
    data: { commentId: ids.comment, withdrawnBy: accounts.participant, reason: '' },
  }),
  redacted: (): CommentEvent => ({
    type: 'CommentRedacted',
    data: {
      commentId: ids.comment,
      redactedBy: accounts.moderator,
      reason: 'Lộ thông tin cá nhân.',
      keyDestroyed: true,
    },
  }),
};

export const aSubmittedComment = (): CommentEvent[] => [commentEvent.submitted()];
export const aHiddenComment = (): CommentEvent[] => [...aSubmittedComment(), commentEvent.hidden()];
export const aWithdrawnComment = (): CommentEvent[] => [...aSubmittedComment(), commentEvent.withdrawn()];
export const aRedactedComment = (): CommentEvent[] => [...aSubmittedComment(), commentEvent.redacted()];
