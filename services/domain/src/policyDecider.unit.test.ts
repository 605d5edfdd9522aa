import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from './errors';
import { foldPolicy, isLastRoundAnswered, isRoundOpen, roundPhase, type PolicyEvent } from './policy';
import {
  policyDecider,
  type AnswerRound,
  type CloseConsultation,
  type EnactPolicy,
  type ExtendConsultation,
  type OpenConsultation,
  type PolicyCommand,
  type ProposePolicy,
  type PublishDraftVersion,
  type StartDrafting,
  type WithdrawPolicy,
} from './policyDecider';
import {
  T,
  aDraftNode,
  aDraftTree,
  aPolicyDraftingWithoutVersion,
  aPolicyInConsultation,
  aPolicyInDrafting,
  aPolicyInReview,
  aPolicyWithAnsweredRound,
  aProposedPolicy,
  aRedraftedPolicy,
  aRevisedPolicy,
  aWithdrawnPolicy,
  anAmendedPolicy,
  accounts,
  actors,
  anEnactedPolicy,
  ids,
  policyEvent,
} from './testkit/builders';
import { specFor } from './testkit/spec';

const given = specFor(policyDecider);

const base = { policyId: ids.policy, now: T.drafting, actor: actors.staff };
const propose = (over: Partial<ProposePolicy> = {}): ProposePolicy => ({
  type: 'ProposePolicy',
  ...base,
  owningOrganizationId: ids.organization,
  title: 'Quy định thu học phí năm học 2025–2026',
  summary: 'Mức thu học phí các trường MN, TH, THCS trên địa bàn huyện.',
  topics: ['học phí'],
  ...over,
});
const startDrafting = (over: Partial<StartDrafting> = {}): StartDrafting => ({
  type: 'StartDrafting',
  ...base,
  ...over,
});
const publish = (over: Partial<PublishDraftVersion> = {}): PublishDraftVersion => ({
  type: 'PublishDraftVersion',
  ...base,
  title: 'Dự thảo lần 2',
  nodes: aDraftTree(),
  changeNote: 'Tiếp thu ý kiến về Điều 1.',
  ...over,
});
const open = (over: Partial<OpenConsultation> = {}): OpenConsultation => ({
  type: 'OpenConsultation',
  ...base,
  opensAt: T.opensAt,
  closesAt: T.closesAt,
  note: 'Xin ý kiến phụ huynh và giáo viên.',
  ...over,
});
const extend = (over: Partial<ExtendConsultation> = {}): ExtendConsultation => ({
  type: 'ExtendConsultation',
  ...base,
  now: T.during,
  closesAt: '2025-04-15T17:00:00Z',
  reason: 'Nhiều trường đề nghị thêm thời gian.',
  ...over,
});
const close = (over: Partial<CloseConsultation> = {}): CloseConsultation => ({
  type: 'CloseConsultation',
  ...base,
  now: T.afterClose,
  closedBy: 'deadline',
  reason: '',
  ...over,
});
const answer = (over: Partial<AnswerRound> = {}): AnswerRound => ({
  type: 'AnswerRound',
  ...base,
  now: T.later,
  actor: actors.spokesperson,
  round: 1,
  digestId: ids.digest,
  coveredCount: 12,
  visibleCount: 12,
  countedAtPosition: '1234',
  ...over,
});
const enact = (over: Partial<EnactPolicy> = {}): EnactPolicy => ({
  type: 'EnactPolicy',
  ...base,
  now: T.later,
  actor: actors.policymaker,
  version: 1,
  decisionNumber: '15/QĐ-UBND',
  effectiveDate: '2025-09-01',
  ...over,
});
const withdraw = (over: Partial<WithdrawPolicy> = {}): WithdrawPolicy => ({
  type: 'WithdrawPolicy',
  ...base,
  reason: 'Cấp trên đã ban hành quy định thay thế.',
  ...over,
});

const publishedAsVersion = (
  version: number,
  command = publish(),
  cycle: { revisesRound?: number; amendsVersion?: number } = {},
): PolicyEvent => ({
  type: 'DraftVersionPublished',
  data: {
    policyId: ids.policy,
    version,
    title: command.title,
    nodes: command.nodes,
    changeNote: command.changeNote,
    attachments: [],
    publishedBy: accounts.staff,
    revisesRound: cycle.revisesRound ?? null,
    amendsVersion: cycle.amendsVersion ?? null,
  },
});

describe('ProposePolicy', () => {
  it('proposes a policy owned by an organisation', () => {
    given([])
      .when(propose())
      .then([policyEvent.proposed({ summary: propose().summary, title: propose().title })]);
  });

  it('normalises Vietnamese text to NFC and keeps both tone placements (hoà / hòa)', () => {
    const nfc = 'Chính sách giáo dục hoà nhập (hòa nhập)';
    const decomposed = `  ${nfc.normalize('NFD')} `;
    expect(decomposed).not.toBe(nfc);
    given([])
      .when(propose({ title: decomposed, topics: ['giáo dục hoà nhập'.normalize('NFD'), 'giáo dục hòa nhập'] }))
      .then([
        policyEvent.proposed({
          title: nfc,
          summary: propose().summary,
          topics: ['giáo dục hoà nhập', 'giáo dục hòa nhập'],
        }),
      ]);
  });

  it('is refused when the policy already exists', () => {
    given(aProposedPolicy()).when(propose()).then(IllegalStateError, 'POLICY_ALREADY_EXISTS');
  });

  it('is refused to someone who is not staff', () => {
    given([])
      .when(propose({ actor: actors.participant }))
      .then(ForbiddenError, 'STAFF_ONLY');
  });

  it('is refused without a title', () => {
    given([])
      .when(propose({ title: '   ' }))
      .then(ValidationError, 'title');
  });

  it('is refused with more than 20 topics', () => {
    given([])
      .when(propose({ topics: Array.from({ length: 21 }, (_, i) => `chủ đề ${i}`) }))
      .then(ValidationError, 'topics');
  });

  it('is refused with an owning organisation that is not a UUID', () => {
    given([])
      .when(propose({ owningOrganizationId: 'phong-gd' }))
      .then(ValidationError, 'owningOrganizationId');
  });
});

describe('every command', () => {
  it('is refused when `now` is not a UTC instant', () => {
    given(aProposedPolicy())
      .when(startDrafting({ now: '2025-02-10 09:00' }))
      .then(ValidationError, 'now');
  });

  it('is refused on a policy that does not exist', () => {
    given([]).when(startDrafting()).then(NotFoundError, 'policy');
  });

  const everyCommand: PolicyCommand[] = [
    propose(),
    startDrafting(),
    publish(),
    open(),
    extend(),
    close(),
    answer(),
    enact(),
    withdraw(),
  ];
  for (const [terminal, history] of [
    ['enacted', anEnactedPolicy()],
    ['withdrawn', aWithdrawnPolicy()],
  ] as const) {
    // Publishing an amending draft is how an enacted policy starts a new cycle (see PublishDraftVersion).
    const refused = everyCommand.filter((c) => terminal === 'withdrawn' || c.type !== 'PublishDraftVersion');
    it.each(refused.map((c) => [c.type, c] as const))(`%s is refused on a ${terminal} policy`, (_, command) => {
      given(history).when(command).then(IllegalStateError, 'TERMINAL_STATE');
    });
  }
});

describe('StartDrafting', () => {
  it('starts drafting a proposed policy', () => {
    given(aProposedPolicy()).when(startDrafting()).then([policyEvent.draftingStarted()]);
  });

  it('is refused once drafting has started', () => {
    given(aPolicyDraftingWithoutVersion()).when(startDrafting()).then(IllegalStateError, 'NOT_PROPOSED');
  });

  it('is refused to a participant', () => {
    given(aProposedPolicy())
      .when(startDrafting({ actor: actors.participant }))
      .then(ForbiddenError, 'STAFF_ONLY');
  });
});

describe('PublishDraftVersion', () => {
  it('publishes the first version while drafting', () => {
    given(aPolicyDraftingWithoutVersion())
      .when(publish())
      .then([publishedAsVersion(1)]);
  });

  it('numbers the next version after the latest', () => {
    given(aPolicyInDrafting())
      .when(publish())
      .then([publishedAsVersion(2)]);
  });

  it('may be done by an admin of the organisation', () => {
    given(aPolicyInDrafting())
      .when(publish({ actor: actors.admin }))
      .then([
        {
          ...publishedAsVersion(2),
          data: { ...publishedAsVersion(2).data, publishedBy: accounts.admin },
        } as PolicyEvent,
      ]);
  });

  it('publishes the revised draft after the round is answered: a revision of that round, still in review', () => {
    const revised = publishedAsVersion(2, publish(), { revisesRound: 1 });
    given(aPolicyWithAnsweredRound()).when(publish()).then([revised]);
    expect(foldPolicy([...aPolicyWithAnsweredRound(), revised])).toMatchObject({ status: 'review', latestVersion: 2 });
  });

  it('a second version published after an answered round before v2 (upcast: revisesRound null) went back to drafting', () => {
    expect(foldPolicy(aRedraftedPolicy())).toMatchObject({ status: 'drafting', latestVersion: 2 });
  });

  it('revises again in review: each revision names the round it revises', () => {
    const again = publishedAsVersion(3, publish(), { revisesRound: 1 });
    given(aRevisedPolicy()).when(publish()).then([again]);
  });

  it('starts a new cycle on an enacted policy: the amending draft names the enacted version, back to drafting', () => {
    const amending = publishedAsVersion(2, publish(), { amendsVersion: 1 });
    given(anEnactedPolicy()).when(publish()).then([amending]);
    const state = foldPolicy([...anEnactedPolicy(), amending]);
    // The enacted decision stays in force (and on record) while its amendment is drafted.
    expect(state).toMatchObject({ status: 'drafting', latestVersion: 2, enacted: { version: 1 } });
  });

  it('an amendment goes through its own round and digest before it is enacted', () => {
    given(anAmendedPolicy())
      .when(enact({ version: 2 }))
      .then(IllegalStateError, 'NOT_IN_REVIEW');
    given(anAmendedPolicy())
      .when(open({ now: T.later, opensAt: T.later, closesAt: '2025-05-31T17:00:00Z' }))
      .then([
        policyEvent.consultationOpened({
          round: 2,
          version: 2,
          opensAt: T.later,
          closesAt: '2025-05-31T17:00:00Z',
          note: open().note,
        }),
      ]);
  });

  it('is refused on a withdrawn policy: nothing starts again there', () => {
    given(aWithdrawnPolicy()).when(publish()).then(IllegalStateError, 'TERMINAL_STATE');
  });

  it('is refused after the round is closed until its digest answers it', () => {
    given(aPolicyInReview()).when(publish()).then(IllegalStateError, 'ROUND_NOT_ANSWERED');
  });

  it('normalises node text to NFC', () => {
    const tree = [
      { ...aDraftNode('article', ids.article1, '1'), heading: 'Học sinh khuyết tật hoà nhập'.normalize('NFD') },
    ];
    given(aPolicyInDrafting())
      .when(publish({ nodes: tree }))
      .then([publishedAsVersion(2, publish({ nodes: [{ ...tree[0]!, heading: 'Học sinh khuyết tật hoà nhập' }] }))]);
  });

  it('allows skipping a level (an article directly in a part)', () => {
    const tree = [aDraftNode('part', randomUUID(), '1', [aDraftNode('article', randomUUID(), '1')])];
    given(aPolicyInDrafting())
      .when(publish({ nodes: tree }))
      .then([publishedAsVersion(2, publish({ nodes: tree }))]);
  });

  it('is refused before drafting has started', () => {
    given(aProposedPolicy()).when(publish()).then(IllegalStateError, 'DRAFTING_NOT_STARTED');
  });

  it('is refused while a round is open', () => {
    given(aPolicyInConsultation()).when(publish()).then(IllegalStateError, 'ROUND_STILL_OPEN');
  });

  it('is refused to a participant', () => {
    given(aPolicyInDrafting())
      .when(publish({ actor: actors.participant }))
      .then(ForbiddenError, 'STAFF_ONLY');
  });

  it('is refused with an empty tree', () => {
    given(aPolicyInDrafting())
      .when(publish({ nodes: [] }))
      .then(ValidationError, 'nodes');
  });

  it('is refused when a child is not of a deeper kind (a chapter inside an article)', () => {
    const tree = [aDraftNode('article', randomUUID(), '1', [aDraftNode('chapter', randomUUID(), 'I')])];
    given(aPolicyInDrafting())
      .when(publish({ nodes: tree }))
      .then(ValidationError, 'nodes[0].children[0].kind');
  });

  it('is refused when a child has the same kind as its parent (a clause inside a clause)', () => {
    const tree = [aDraftNode('clause', randomUUID(), '1', [aDraftNode('clause', randomUUID(), '2')])];
    given(aPolicyInDrafting())
      .when(publish({ nodes: tree }))
      .then(ValidationError, 'nodes[0].children[0].kind');
  });

  it('is refused when a node id appears twice', () => {
    const id = randomUUID();
    const tree = [aDraftNode('article', id, '1'), aDraftNode('article', id, '2')];
    given(aPolicyInDrafting())
      .when(publish({ nodes: tree }))
      .then(ValidationError, 'nodes[1].nodeId');
  });

  it('is refused when a node id is not a UUID', () => {
    given(aPolicyInDrafting())
      .when(publish({ nodes: [aDraftNode('article', 'dieu-1', '1')] }))
      .then(ValidationError, 'nodes[0].nodeId');
  });

  it('is refused when a node has no number', () => {
    given(aPolicyInDrafting())
      .when(publish({ nodes: [aDraftNode('article', randomUUID(), ' ')] }))
      .then(ValidationError, 'nodes[0].number');
  });

  it('is refused when a node of an earlier version changes kind', () => {
    given(aPolicyInDrafting())
      .when(publish({ nodes: [aDraftNode('clause', ids.article1, '1')] }))
      .then(ValidationError, 'nodes[0].kind');
  });

  it('is refused without a title', () => {
    given(aPolicyInDrafting())
      .when(publish({ title: '' }))
      .then(ValidationError, 'title');
  });
});

describe('OpenConsultation', () => {
  it('is refused for a round shorter than one day by default, naming the minimum in words', () => {
    const error = given(aPolicyInDrafting())
      .when(open({ opensAt: T.opensAt, closesAt: '2025-03-01T23:00:00Z' }))
      .then(ValidationError, 'closesAt');
    expect(error.messages.vi).toContain('ít nhất 1 ngày');
    expect(error.messages.en).toContain('at least 1 day');
  });

  it('accepts a round of exactly the minimum', () => {
    given(aPolicyInDrafting())
      .when(open({ opensAt: T.opensAt, closesAt: '2025-03-02T00:00:00Z' }))
      .then([policyEvent.consultationOpened({ closesAt: '2025-03-02T00:00:00Z', note: open().note })]);
  });

  it('holds the round to the configured minimum (e.g. 30 days for a legal document)', () => {
    given(aPolicyInDrafting())
      .when(open({ minimumRoundDays: 30, opensAt: T.opensAt, closesAt: '2025-03-30T00:00:00Z' }))
      .then(ValidationError, 'closesAt');
    given(aPolicyInDrafting())
      .when(open({ minimumRoundDays: 30, opensAt: T.opensAt, closesAt: '2025-03-31T00:00:00Z' }))
      .then([policyEvent.consultationOpened({ closesAt: '2025-03-31T00:00:00Z', note: open().note })]);
  });

  it('counts the time left from now when the round opens in the past', () => {
    given(aPolicyInDrafting())
      .when(open({ now: '2025-03-10T00:00:00Z', opensAt: T.opensAt, closesAt: '2025-03-10T12:00:00Z' }))
      .then(ValidationError, 'closesAt');
  });

  it('is refused with a minimum that is not a non-negative number (a configuration error)', () => {
    given(aPolicyInDrafting())
      .when(open({ minimumRoundDays: -1 }))
      .then(ValidationError, 'minimumRoundDays');
  });

  it('opens round 1 on the latest version', () => {
    given(aPolicyInDrafting())
      .when(open())
      .then([policyEvent.consultationOpened({ note: open().note })]);
  });

  it('opens the next round on the revised version', () => {
    given(aRevisedPolicy())
      .when(open({ now: T.later, opensAt: '2025-05-01T00:00:00Z', closesAt: '2025-05-31T17:00:00Z' }))
      .then([
        policyEvent.consultationOpened({
          round: 2,
          version: 2,
          opensAt: '2025-05-01T00:00:00Z',
          closesAt: '2025-05-31T17:00:00Z',
          note: open().note,
        }),
      ]);
  });

  it('opens another round on the same version from review once the round is answered', () => {
    given(aPolicyWithAnsweredRound())
      .when(open({ now: T.later, opensAt: T.later, closesAt: '2025-05-31T17:00:00Z' }))
      .then([
        policyEvent.consultationOpened({
          round: 2,
          opensAt: T.later,
          closesAt: '2025-05-31T17:00:00Z',
          note: open().note,
        }),
      ]);
  });

  it('is refused from review while the closed round is not answered', () => {
    given(aPolicyInReview())
      .when(open({ now: T.later, opensAt: T.later, closesAt: '2025-05-31T17:00:00Z' }))
      .then(IllegalStateError, 'ROUND_NOT_ANSWERED');
  });

  it('records the audience asked', () => {
    const audience = {
      stakeholderCategories: ['parent' as const, 'teacher' as const],
      organizationIds: [ids.organization],
    };
    given(aPolicyInDrafting())
      .when(open({ audience }))
      .then([policyEvent.consultationOpened({ note: open().note, audience })]);
  });

  it('is refused without a published version', () => {
    given(aPolicyDraftingWithoutVersion()).when(open()).then(IllegalStateError, 'NO_PUBLISHED_VERSION');
  });

  it('is refused while a round is open', () => {
    given(aPolicyInConsultation()).when(open()).then(IllegalStateError, 'ROUND_STILL_OPEN');
  });

  it('is refused to a participant', () => {
    given(aPolicyInDrafting())
      .when(open({ actor: actors.participant }))
      .then(ForbiddenError, 'STAFF_ONLY');
  });

  it('is refused when closesAt is not after opensAt', () => {
    given(aPolicyInDrafting())
      .when(open({ closesAt: T.opensAt }))
      .then(ValidationError, 'closesAt');
  });

  it('is refused when closesAt has already passed', () => {
    given(aPolicyInDrafting())
      .when(open({ now: T.later }))
      .then(ValidationError, 'closesAt');
  });

  it('is refused when opensAt is not a UTC instant', () => {
    given(aPolicyInDrafting())
      .when(open({ opensAt: '2025-03-01T07:00:00+07:00' }))
      .then(ValidationError, 'opensAt');
  });
});

describe('ExtendConsultation', () => {
  it('moves the deadline later', () => {
    given(aPolicyInConsultation())
      .when(extend())
      .then([
        {
          type: 'ConsultationExtended',
          data: {
            policyId: ids.policy,
            round: 1,
            previousClosesAt: T.closesAt,
            closesAt: '2025-04-15T17:00:00Z',
            reason: extend().reason,
          },
        },
      ]);
  });

  it('keeps the round open until the new deadline', () => {
    const extended = foldPolicy([
      ...aPolicyInConsultation(),
      {
        type: 'ConsultationExtended',
        data: {
          policyId: ids.policy,
          round: 1,
          previousClosesAt: T.closesAt,
          closesAt: '2025-04-15T17:00:00Z',
          reason: 'x',
        },
      },
    ]);
    expect(isRoundOpen(extended, T.afterClose)).toBe(true);
  });

  it('is refused when no round is open', () => {
    given(aPolicyInDrafting()).when(extend()).then(IllegalStateError, 'ROUND_NOT_OPEN');
  });

  it('is refused once the deadline has passed', () => {
    given(aPolicyInConsultation())
      .when(extend({ now: T.afterClose }))
      .then(IllegalStateError, 'ROUND_NOT_OPEN');
  });

  it('is refused when the new deadline is not later', () => {
    given(aPolicyInConsultation())
      .when(extend({ closesAt: '2025-03-20T17:00:00Z' }))
      .then(ValidationError, 'closesAt');
  });

  it('is refused without a reason', () => {
    given(aPolicyInConsultation())
      .when(extend({ reason: ' ' }))
      .then(ValidationError, 'reason');
  });

  it('is refused to a participant', () => {
    given(aPolicyInConsultation())
      .when(extend({ actor: actors.participant }))
      .then(ForbiddenError, 'STAFF_ONLY');
  });
});

describe('CloseConsultation', () => {
  it('closes at the deadline, dated when the deadline fell', () => {
    given(aPolicyInConsultation()).when(close()).then([policyEvent.consultationClosed()]);
  });

  it('closes early by staff, dated now', () => {
    given(aPolicyInConsultation())
      .when(close({ now: T.during, closedBy: 'staff', reason: 'Đủ ý kiến.' }))
      .then([policyEvent.consultationClosed({ closedAt: T.during, closedBy: 'staff', reason: 'Đủ ý kiến.' })]);
  });

  it('is refused at the deadline before it is reached', () => {
    given(aPolicyInConsultation())
      .when(close({ now: T.during }))
      .then(IllegalStateError, 'DEADLINE_NOT_REACHED');
  });

  it('is refused when the round is already closed (the deadline closes exactly once)', () => {
    given(aPolicyInReview()).when(close()).then(IllegalStateError, 'ROUND_NOT_OPEN');
  });

  it('is refused early to someone who is not staff', () => {
    given(aPolicyInConsultation())
      .when(close({ now: T.during, closedBy: 'staff', actor: actors.participant }))
      .then(ForbiddenError, 'STAFF_ONLY');
  });
});

describe('AnswerRound', () => {
  it('records the digest that answers the round', () => {
    given(aPolicyInReview())
      .when(answer())
      .then([
        {
          type: 'RoundAnswered',
          data: {
            policyId: ids.policy,
            round: 1,
            digestId: ids.digest,
            coveredCount: 12,
            visibleCount: 12,
            countedAtPosition: '1234',
          },
        },
      ]);
  });

  it('is refused when there was no round', () => {
    given(aPolicyInDrafting()).when(answer()).then(IllegalStateError, 'NO_ROUND');
  });

  it('is refused while the round is open', () => {
    given(aPolicyInConsultation()).when(answer()).then(IllegalStateError, 'ROUND_STILL_OPEN');
  });

  it('is refused when the round is already answered', () => {
    given(aPolicyWithAnsweredRound()).when(answer()).then(IllegalStateError, 'ROUND_ALREADY_ANSWERED');
  });

  it('is refused for another round than the last', () => {
    given(aPolicyInReview())
      .when(answer({ round: 2 }))
      .then(IllegalStateError, 'ROUND_MISMATCH');
  });

  it('is refused when the digest does not cover every visible comment', () => {
    given(aPolicyInReview())
      .when(answer({ coveredCount: 11 }))
      .then(IllegalStateError, 'DIGEST_INCOMPLETE');
  });

  it('is refused with a negative count', () => {
    given(aPolicyInReview())
      .when(answer({ coveredCount: -1, visibleCount: -1 }))
      .then(ValidationError, 'coveredCount');
  });

  it('is refused to anyone but a spokesperson', () => {
    given(aPolicyInReview())
      .when(answer({ actor: actors.staff }))
      .then(ForbiddenError, 'SPOKESPERSON_ONLY');
  });
});

describe('EnactPolicy', () => {
  const enacted: PolicyEvent = {
    type: 'PolicyEnacted',
    data: {
      policyId: ids.policy,
      version: 1,
      decisionNumber: '15/QĐ-UBND',
      decisionDate: '2025-04-20',
      effectiveDate: '2025-09-01',
      signedBy: accounts.policymaker,
    },
  };

  it('enacts once the last round is answered', () => {
    given(aPolicyWithAnsweredRound()).when(enact()).then([enacted]);
  });

  it('enacts the latest published version, as the stream has it, when none is named', () => {
    given(aPolicyWithAnsweredRound())
      .when(enact({ version: undefined }))
      .then([enacted]);
  });

  it('is refused once the last round is closed but not yet answered by a published digest', () => {
    given(aPolicyInReview()).when(enact()).then(IllegalStateError, 'ROUND_NOT_ANSWERED');
  });

  it('is refused to anyone but a policymaker', () => {
    given(aPolicyWithAnsweredRound())
      .when(enact({ actor: actors.staff }))
      .then(ForbiddenError, 'POLICYMAKER_ONLY');
  });

  it('is refused without any round', () => {
    given(aPolicyInDrafting()).when(enact()).then(IllegalStateError, 'NO_ROUND');
  });

  it('is refused while the last round is still open', () => {
    given(aPolicyInConsultation()).when(enact()).then(IllegalStateError, 'ROUND_NOT_ANSWERED');
  });

  it('enacts the version revised after consultation, without a new round', () => {
    given(aRevisedPolicy())
      .when(enact({ version: 2 }))
      .then([{ ...enacted, data: { ...enacted.data, version: 2 } }]);
  });

  it('is refused for the consulted version once a revised one is published', () => {
    given(aRevisedPolicy())
      .when(enact({ version: 1 }))
      .then(ValidationError, 'version');
  });

  it('is refused after a redraft sent the policy back to drafting (pre-v2 history), until it is consulted on', () => {
    given(aRedraftedPolicy())
      .when(enact({ version: 2 }))
      .then(IllegalStateError, 'NOT_IN_REVIEW');
  });

  it('records the decision date given, or the command’s date in Vietnam', () => {
    given(aPolicyWithAnsweredRound())
      .when(enact({ decisionDate: '2025-04-18' }))
      .then([{ ...enacted, data: { ...enacted.data, decisionDate: '2025-04-18' } }]);
    // 2025-04-20T20:00Z is already 21 April in Vietnam.
    given(aPolicyWithAnsweredRound())
      .when(enact({ now: '2025-04-20T20:00:00Z', effectiveDate: '2025-09-01' }))
      .then([{ ...enacted, data: { ...enacted.data, decisionDate: '2025-04-21' } }]);
  });

  it('is refused with an effective date before the decision date, saying so in words', () => {
    const error = given(aPolicyWithAnsweredRound())
      .when(enact({ decisionDate: '2025-04-18', effectiveDate: '2021-09-01' }))
      .then(ValidationError, 'effectiveDate');
    expect(error.messages.vi).toContain(
      'Ngày có hiệu lực (2021-09-01) không thể trước ngày ký quyết định (2025-04-18)',
    );
    expect(error.messages.en).not.toContain('effectiveDate');
  });

  it('is refused with a decision date more than a day after the command’s time; tomorrow is accepted', () => {
    given(aPolicyWithAnsweredRound())
      .when(enact({ decisionDate: '2025-04-21' }))
      .then([{ ...enacted, data: { ...enacted.data, decisionDate: '2025-04-21' } }]);
    const error = given(aPolicyWithAnsweredRound())
      .when(enact({ decisionDate: '2025-04-23' }))
      .then(ValidationError, 'decisionDate');
    expect(error.messages.vi).toContain('Ngày ký quyết định');
    expect(error.messages.en).not.toContain('decisionDate');
  });

  it('is refused with a decision date that is not a date', () => {
    given(aPolicyWithAnsweredRound())
      .when(enact({ decisionDate: '18/04/2025' }))
      .then(ValidationError, 'decisionDate');
  });

  it('is refused for a version that does not exist', () => {
    given(aPolicyWithAnsweredRound())
      .when(enact({ version: 7 }))
      .then(ValidationError, 'version');
  });

  it('is refused with an effective date that is not a date', () => {
    given(aPolicyWithAnsweredRound())
      .when(enact({ effectiveDate: '01/09/2025' }))
      .then(ValidationError, 'effectiveDate');
  });

  it('is refused without a decision number', () => {
    given(aPolicyWithAnsweredRound())
      .when(enact({ decisionNumber: '' }))
      .then(ValidationError, 'decisionNumber');
  });
});

describe('WithdrawPolicy', () => {
  const withdrawn: PolicyEvent = { type: 'PolicyWithdrawn', data: { policyId: ids.policy, reason: withdraw().reason } };

  it.each([
    ['proposed', aProposedPolicy()],
    ['drafting', aPolicyInDrafting()],
    ['consultation', aPolicyInConsultation()],
    ['review', aPolicyInReview()],
  ])('withdraws a policy in %s', (_, history) => {
    given(history).when(withdraw()).then([withdrawn]);
  });

  it('may be done by a policymaker', () => {
    given(aPolicyInDrafting())
      .when(withdraw({ actor: actors.policymaker }))
      .then([withdrawn]);
  });

  it('is refused to a participant', () => {
    given(aPolicyInDrafting())
      .when(withdraw({ actor: actors.participant }))
      .then(ForbiddenError, 'STAFF_OR_POLICYMAKER_ONLY');
  });

  it('is refused without a reason', () => {
    given(aPolicyInDrafting())
      .when(withdraw({ reason: '' }))
      .then(ValidationError, 'reason');
  });
});

describe('evolvePolicy', () => {
  it('walks the lifecycle', () => {
    expect(foldPolicy([]).status).toBe('none');
    expect(foldPolicy(aProposedPolicy()).status).toBe('proposed');
    expect(foldPolicy(aPolicyDraftingWithoutVersion()).status).toBe('drafting');
    expect(foldPolicy(aPolicyInDrafting())).toMatchObject({ status: 'drafting', latestVersion: 1 });
    expect(foldPolicy(aPolicyInConsultation())).toMatchObject({
      status: 'consultation',
      currentRound: { round: 1, closed: false },
    });
    expect(foldPolicy(aPolicyInReview())).toMatchObject({
      status: 'review',
      currentRound: { closed: true, answered: false },
    });
    expect(foldPolicy(aPolicyWithAnsweredRound())).toMatchObject({
      currentRound: { answered: true, digestId: ids.digest },
    });
    expect(foldPolicy(aRevisedPolicy())).toMatchObject({ status: 'review', latestVersion: 2 });
    expect(foldPolicy(anEnactedPolicy())).toMatchObject({ status: 'enacted', enacted: { version: 1 } });
    expect(foldPolicy(aWithdrawnPolicy()).status).toBe('withdrawn');
  });

  it('indexes every node id of a version for anchoring', () => {
    expect(foldPolicy(aPolicyInDrafting()).versions[1]?.nodeIds).toEqual([
      ids.chapter1,
      ids.article1,
      ids.clause1,
      ids.point1,
      ids.article2,
    ]);
  });
});

describe('isRoundOpen', () => {
  const state = foldPolicy(aPolicyInConsultation());
  it('is open from opensAt (inclusive) to closesAt (exclusive)', () => {
    expect(isRoundOpen(state, T.beforeOpen)).toBe(false);
    expect(isRoundOpen(state, T.opensAt)).toBe(true);
    expect(isRoundOpen(state, T.during)).toBe(true);
    expect(isRoundOpen(state, '2025-03-31T16:59:59.999Z')).toBe(true);
    expect(isRoundOpen(state, T.closesAt)).toBe(false);
  });

  it('is not open once closed, even before the deadline', () => {
    const closedEarly = foldPolicy([
      ...aPolicyInConsultation(),
      policyEvent.consultationClosed({ closedAt: T.during, closedBy: 'staff' }),
    ]);
    expect(isRoundOpen(closedEarly, T.during)).toBe(false);
  });
});

describe('roundPhase', () => {
  it('is scheduled before opensAt, open until closesAt, over from then on', () => {
    const state = foldPolicy(aPolicyInConsultation());
    expect(roundPhase(state, T.beforeOpen)).toBe('scheduled');
    expect(roundPhase(state, T.opensAt)).toBe('open');
    expect(roundPhase(state, T.closesAt)).toBe('over');
  });

  it('is over once the round is closed or the policy withdrawn, and null without a round', () => {
    expect(roundPhase(foldPolicy(aPolicyInReview()), T.during)).toBe('over');
    expect(roundPhase(foldPolicy(aWithdrawnPolicy()), T.during)).toBe('over');
    expect(roundPhase(foldPolicy(aPolicyInDrafting()), T.during)).toBeNull();
  });

  it('reads a calendar as the read models hold it (status and the current round only)', () => {
    const calendar = {
      status: 'consultation' as const,
      currentRound: { opensAt: '2025-03-01T00:00:00.000Z', closesAt: T.closesAt, closed: false },
    };
    expect(roundPhase(calendar, T.opensAt)).toBe('open');
  });
});

describe('isLastRoundAnswered', () => {
  it('is false without a round or while it is open', () => {
    expect(isLastRoundAnswered(foldPolicy(aPolicyInDrafting()))).toBe(false);
    expect(isLastRoundAnswered(foldPolicy(aPolicyInConsultation()))).toBe(false);
  });

  it('is false once the round is closed, until RoundAnswered is recorded', () => {
    expect(isLastRoundAnswered(foldPolicy(aPolicyInReview()))).toBe(false);
    expect(isLastRoundAnswered(foldPolicy(aPolicyWithAnsweredRound()))).toBe(true);
  });
});
