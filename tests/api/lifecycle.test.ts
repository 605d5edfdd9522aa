/**
 * The whole life of a policy over HTTP, as a staff member, participants and a policymaker drive it:
 * propose → draft → publish v1 → open a round → comments (retries, paging) → extend → close → enact;
 * and a withdrawal. Each step also checks the refusal that guards it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerRound } from '../support/digest';
import { startPlatform, type Platform } from '../support/platform';
import {
  CLOSE_CONSULTATION,
  COMMENTS_QUERY,
  ENACT_POLICY,
  EXTEND_CONSULTATION,
  OPEN_CONSULTATION,
  PROPOSE_POLICY,
  PUBLISH_DRAFT_VERSION,
  START_DRAFTING,
  SUBMIT_COMMENT,
  VERIFY_EMAIL,
  WITHDRAW_POLICY,
  client,
  draftedPolicy,
  expectRefusal,
  getPolicy,
  inDays,
  ok,
  signIn,
  signInAs,
  signUp,
  staffOrganizationId,
  submitComment,
  verificationToken,
  type Client,
  type NewAccount,
  type NodeView,
  type PolicyView,
  type ResultUnion,
  stopPlatform,
} from './support';

interface CommentView {
  id: string;
  policyId: string;
  round: number;
  version: number;
  anchorNodeId: string | null;
  anchorLabel: string | null;
  body: string;
  stance: string;
  stakeholderCategory: string;
  channel: string;
  authorName: string;
  status: string;
}
interface CommentsPage {
  policy: {
    commentCount: number;
    comments: {
      totalCount: number;
      edges: { cursor: string; node: CommentView }[];
      pageInfo: { endCursor: string | null; hasNextPage: boolean };
    };
  };
}

const nfd = (s: string) => s.normalize('NFD');
const nfc = (s: string) => s.normalize('NFC');

// Written in NFD on purpose (as some keyboards and macOS file names produce it); the API must store and answer NFC.
const TITLE = 'Quy định về việc sử dụng thư viện trường học năm học 2026–2027';
const ARTICLE_TEXT = 'Học sinh được mượn sách tại thư viện của trường vào các buổi chiều trong tuần.';
const POINT_TEXT = 'Mỗi học sinh được mượn tối đa ba cuốn sách; phụ huynh hỗ trợ giữ gìn sách.';
const WHOLE_DRAFT_BODY = 'Tôi ủng hộ dự thảo vì giúp học sinh đọc sách nhiều hơn.';
const NODE_BODY = 'Đề nghị tăng số sách được mượn lên năm cuốn đối với học sinh lớp 8, lớp 9.';

function tree(): unknown[] {
  return [
    {
      kind: 'CHAPTER',
      number: 'I',
      heading: nfd('Quy định chung'),
      text: '',
      children: [
        {
          kind: 'ARTICLE',
          number: '1',
          heading: nfd('Mượn sách'),
          text: nfd(ARTICLE_TEXT),
          children: [
            {
              kind: 'CLAUSE',
              number: '1',
              heading: '',
              text: nfd('Thời gian mượn sách:'),
              children: [
                { kind: 'POINT', number: 'a', heading: '', text: nfd(POINT_TEXT), children: [] },
                { kind: 'POINT', number: 'b', heading: '', text: 'Thời hạn trả sách là hai tuần.', children: [] },
              ],
            },
          ],
        },
      ],
    },
  ];
}

let platform: Platform;
let staff: Client;
let policymaker: Client;
let anonymous: Client;
let organizationId: string;

beforeAll(async () => {
  platform = await startPlatform();
  staff = await signInAs(platform, 'staff');
  policymaker = await signInAs(platform, 'policymaker');
  anonymous = client(platform.baseUrl);
  organizationId = await staffOrganizationId(staff);
});

afterAll(async () => {
  await stopPlatform(platform);
});

describe('the lifecycle of a policy', () => {
  let policyId: string;
  let version1: PolicyView['currentVersion'];
  let pointNodeId: string;
  let articleNodeId: string;
  let participant: NewAccount;
  let participantApi: Client;
  let secondParticipant: Client;
  let wholeDraftComment: CommentView;
  let nodeComment: CommentView;
  const idempotencyKey = randomUUID();

  it('staff see the organisation they may propose in', async () => {
    const { viewer } = await staff.gql<{ viewer: { staffOrganizations: { id: string; name: string }[] } }>(
      `{ viewer { staffOrganizations { id name } } }`,
    );
    expect(viewer.staffOrganizations).toContainEqual({
      id: organizationId,
      name: 'Phòng Giáo dục và Đào tạo huyện Hoà Bình',
    });
  });

  it('staff propose a policy; the title comes back in NFC', async () => {
    const { proposePolicy } = await staff.gql<{ proposePolicy: ResultUnion }>(PROPOSE_POLICY, {
      input: {
        organizationId,
        title: nfd(TITLE),
        summary: nfd('Dự thảo quy định mượn, trả sách.'),
        topics: ['thư viện'],
      },
    });
    const { policy, position } = ok<{ policy: PolicyView; position: string }>(proposePolicy);
    expect(typeof position).toBe('string');
    expect(position.length).toBeGreaterThan(0);
    expect(policy.status).toBe('PROPOSED');
    expect(policy.title).toBe(nfc(TITLE));
    expect(policy.title).not.toBe(nfd(TITLE));
    expect(policy.summary).toBe(nfc('Dự thảo quy định mượn, trả sách.'));
    expect(policy.owningOrganization.id).toBe(organizationId);
    expect(policy.currentVersion).toBeNull();
    expect(policy.currentRound).toBeNull();
    policyId = policy.id;
    // The policy is listed, and readable by anyone.
    const again = await getPolicy(anonymous, policyId);
    expect(again?.title).toBe(nfc(TITLE));
  });

  it('a draft cannot be published before drafting starts (ILLEGAL_STATE DRAFTING_NOT_STARTED)', async () => {
    const { publishDraftVersion } = await staff.gql<{ publishDraftVersion: ResultUnion }>(PUBLISH_DRAFT_VERSION, {
      input: { policyId, title: TITLE, changeNote: 'Bản dự thảo lần 1', nodes: tree() },
    });
    expectRefusal(publishDraftVersion, {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'DRAFTING_NOT_STARTED',
    });
  });

  it('staff start drafting', async () => {
    const { startDrafting } = await staff.gql<{ startDrafting: ResultUnion }>(START_DRAFTING, { policyId });
    expect(ok<{ policy: PolicyView }>(startDrafting).policy.status).toBe('DRAFTING');
  });

  it('drafting cannot start twice (ILLEGAL_STATE NOT_PROPOSED)', async () => {
    const { startDrafting } = await staff.gql<{ startDrafting: ResultUnion }>(START_DRAFTING, { policyId });
    expectRefusal(startDrafting, { typename: 'IllegalStateError', code: 'ILLEGAL_STATE', rule: 'NOT_PROPOSED' });
  });

  it('a consultation cannot open without a published version (ILLEGAL_STATE NO_PUBLISHED_VERSION)', async () => {
    const { openConsultation } = await staff.gql<{ openConsultation: ResultUnion }>(OPEN_CONSULTATION, {
      input: { policyId, closesAt: inDays(14) },
    });
    expectRefusal(openConsultation, {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'NO_PUBLISHED_VERSION',
    });
  });

  it('a draft tree with a level inverted is refused with the field at fault (VALIDATION)', async () => {
    const { publishDraftVersion } = await staff.gql<{ publishDraftVersion: ResultUnion }>(PUBLISH_DRAFT_VERSION, {
      input: {
        policyId,
        title: TITLE,
        changeNote: '',
        nodes: [
          {
            kind: 'POINT',
            number: 'a',
            heading: '',
            text: 'Điểm',
            children: [{ kind: 'ARTICLE', number: '1', heading: '', text: 'Điều', children: [] }],
          },
        ],
      },
    });
    expectRefusal(publishDraftVersion, {
      typename: 'ValidationError',
      code: 'VALIDATION',
      field: 'nodes[0].children[0].kind',
    });
  });

  it('staff publish version 1 as a tree chương > điều > khoản > điểm, stored in NFC', async () => {
    const { publishDraftVersion } = await staff.gql<{ publishDraftVersion: ResultUnion }>(PUBLISH_DRAFT_VERSION, {
      input: { policyId, title: nfd(TITLE), changeNote: nfd('Bản dự thảo lần 1'), nodes: tree() },
    });
    const { policy } = ok<{ policy: PolicyView }>(publishDraftVersion);
    expect(policy.status).toBe('DRAFTING');
    const v = policy.currentVersion!;
    expect(v.number).toBe(1);
    expect(v.title).toBe(nfc(TITLE));
    expect(v.changeNote).toBe(nfc('Bản dự thảo lần 1'));
    const [chapter] = v.nodes;
    expect(chapter).toMatchObject({ kind: 'CHAPTER', number: 'I', heading: nfc('Quy định chung') });
    const article = chapter!.children![0]!;
    expect(article).toMatchObject({ kind: 'ARTICLE', number: '1', heading: nfc('Mượn sách'), text: nfc(ARTICLE_TEXT) });
    expect(article.text).not.toBe(nfd(ARTICLE_TEXT));
    const clause = article.children![0]!;
    expect(clause).toMatchObject({ kind: 'CLAUSE', number: '1', text: nfc('Thời gian mượn sách:') });
    const points = clause.children as NodeView[];
    expect(points.map((p) => [p.kind, p.number, p.text])).toEqual([
      ['POINT', 'a', nfc(POINT_TEXT)],
      ['POINT', 'b', 'Thời hạn trả sách là hai tuần.'],
    ]);
    // Every node got a stable UUID.
    const ids = [chapter!.id, article.id, clause.id, ...points.map((p) => p.id)];
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    version1 = v;
    articleNodeId = article.id;
    pointNodeId = points[0]!.id;
  });

  it('closesAt before opensAt is refused (VALIDATION field closesAt)', async () => {
    const { openConsultation } = await staff.gql<{ openConsultation: ResultUnion }>(OPEN_CONSULTATION, {
      input: { policyId, opensAt: inDays(10), closesAt: inDays(5) },
    });
    expectRefusal(openConsultation, { typename: 'ValidationError', code: 'VALIDATION', field: 'closesAt' });
  });

  it('closesAt in the past is refused (VALIDATION field closesAt)', async () => {
    const { openConsultation } = await staff.gql<{ openConsultation: ResultUnion }>(OPEN_CONSULTATION, {
      input: { policyId, opensAt: inDays(-10), closesAt: inDays(-5) },
    });
    expectRefusal(openConsultation, { typename: 'ValidationError', code: 'VALIDATION', field: 'closesAt' });
  });

  it('only staff open a consultation (FORBIDDEN STAFF_ONLY for the policymaker)', async () => {
    const { openConsultation } = await policymaker.gql<{ openConsultation: ResultUnion }>(OPEN_CONSULTATION, {
      input: { policyId, closesAt: inDays(14) },
    });
    expectRefusal(openConsultation, { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'STAFF_ONLY' });
  });

  it('staff open a consultation round on version 1', async () => {
    const closesAt = inDays(14);
    const { openConsultation } = await staff.gql<{ openConsultation: ResultUnion }>(OPEN_CONSULTATION, {
      input: { policyId, closesAt, note: 'Lấy ý kiến học sinh, phụ huynh và giáo viên.' },
    });
    const { policy } = ok<{ policy: PolicyView }>(openConsultation);
    expect(policy.status).toBe('CONSULTATION');
    expect(policy.currentRound).toMatchObject({
      round: 1,
      version: 1,
      closesAt,
      closedAt: null,
      answered: false,
      isOpen: true,
    });
    expect(Date.parse(policy.currentRound!.opensAt)).toBeLessThanOrEqual(Date.now() + 1000);
    expect(policy.rounds).toHaveLength(1);
  });

  it('a second round cannot open while one is open (ILLEGAL_STATE ROUND_STILL_OPEN)', async () => {
    const { openConsultation } = await staff.gql<{ openConsultation: ResultUnion }>(OPEN_CONSULTATION, {
      input: { policyId, closesAt: inDays(20) },
    });
    expectRefusal(openConsultation, { typename: 'IllegalStateError', code: 'ILLEGAL_STATE', rule: 'ROUND_STILL_OPEN' });
  });

  it('a version cannot be published while the round is open (ILLEGAL_STATE ROUND_STILL_OPEN)', async () => {
    const { publishDraftVersion } = await staff.gql<{ publishDraftVersion: ResultUnion }>(PUBLISH_DRAFT_VERSION, {
      input: { policyId, title: TITLE, changeNote: 'Bản 2', nodes: tree() },
    });
    expectRefusal(publishDraftVersion, {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'ROUND_STILL_OPEN',
    });
  });

  it('commenting needs a session (UNAUTHENTICATED)', async () => {
    const result = await submitComment(anonymous, { policyId, body: 'Góp ý ẩn danh', stance: 'SUPPORT' });
    expectRefusal(result, { typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED' });
  });

  it('a participant signs up and receives a verification mail with a link to the site', async () => {
    participant = await signUp(platform, { displayName: 'Trần Thị Hoà', stakeholderCategory: 'PARENT' });
    const token = await verificationToken(platform, participant.email);
    expect(token.length).toBeGreaterThan(20);
    const mails = (await platform.readMails()).filter((m) => m.to.includes(participant.email));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toMatch(/xác nhận/);
    expect(mails[0]!.text).toContain(`${platform.baseUrl}/verify-email?token=${token}`);
  });

  it('an unverified participant may sign in but not comment (FORBIDDEN EMAIL_NOT_VERIFIED)', async () => {
    participantApi = await signIn(platform, participant.email, participant.password);
    const { viewer } = await participantApi.gql<{ viewer: { account: { emailVerified: boolean } } }>(
      `{ viewer { account { emailVerified } } }`,
    );
    expect(viewer.account.emailVerified).toBe(false);
    const result = await submitComment(participantApi, { policyId, body: 'Tôi muốn góp ý', stance: 'SUPPORT' });
    expectRefusal(result, { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'EMAIL_NOT_VERIFIED' });
  });

  it('the participant verifies the email with the mailed token; the token works once', async () => {
    const token = await verificationToken(platform, participant.email);
    const { verifyEmail } = await anonymous.gql<{ verifyEmail: ResultUnion }>(VERIFY_EMAIL, { token });
    expect(ok<{ id: string; emailVerified: boolean }>(verifyEmail)).toEqual({
      id: participant.id,
      emailVerified: true,
    });
    const again = await anonymous.gql<{ verifyEmail: ResultUnion }>(VERIFY_EMAIL, { token });
    expectRefusal(again.verifyEmail, { typename: 'ValidationError', code: 'VALIDATION', field: 'token' });
    // The existing session sees the verified account at once.
    const { viewer } = await participantApi.gql<{ viewer: { account: { emailVerified: boolean } } }>(
      `{ viewer { account { emailVerified } } }`,
    );
    expect(viewer.account.emailVerified).toBe(true);
    participantApi = await signIn(platform, participant.email, participant.password);
  });

  it('the participant comments on the whole draft, in NFD; the body is stored NFC', async () => {
    const result = await submitComment(participantApi, {
      policyId,
      body: nfd(WHOLE_DRAFT_BODY),
      stance: 'SUPPORT',
      idempotencyKey,
    });
    const { comment, position } = ok<{ comment: CommentView; position: string }>(result);
    expect(position.length).toBeGreaterThan(0);
    expect(comment).toMatchObject({
      policyId,
      round: 1,
      version: 1,
      anchorNodeId: null,
      body: nfc(WHOLE_DRAFT_BODY),
      stance: 'SUPPORT',
      stakeholderCategory: 'PARENT',
      channel: 'WEB',
      authorName: 'Trần Thị Hoà',
    });
    expect(comment.body).not.toBe(nfd(WHOLE_DRAFT_BODY));
    wholeDraftComment = comment;
  });

  it('the participant comments on one point of the draft with a stance', async () => {
    const result = await submitComment(participantApi, {
      policyId,
      nodeId: pointNodeId,
      body: NODE_BODY,
      stance: 'SUGGESTION',
    });
    const { comment } = ok<{ comment: CommentView }>(result);
    expect(comment).toMatchObject({
      policyId,
      round: 1,
      version: 1,
      anchorNodeId: pointNodeId,
      body: NODE_BODY,
      stance: 'SUGGESTION',
    });
    expect(comment.id).not.toBe(wholeDraftComment.id);
    nodeComment = comment;
  });

  it('a comment on a node that is not in the draft is refused (VALIDATION)', async () => {
    const result = await submitComment(participantApi, {
      policyId,
      nodeId: randomUUID(),
      body: 'Góp ý cho mục không tồn tại',
      stance: 'NEUTRAL',
    });
    expectRefusal(result, { typename: 'ValidationError', code: 'VALIDATION', field: 'anchorNodeId' });
  });

  it('a comment on an unknown policy is refused (NOT_FOUND)', async () => {
    const result = await submitComment(participantApi, { policyId: randomUUID(), body: 'Góp ý', stance: 'NEUTRAL' });
    expectRefusal(result, { typename: 'NotFoundError', code: 'NOT_FOUND' });
  });

  it('a retried submission (same idempotency key and body) answers the same comment and stores one', async () => {
    const before = (await anonymous.gql<CommentsPage>(COMMENTS_QUERY, { id: policyId, first: 50 })).policy.comments
      .totalCount;
    for (let i = 0; i < 2; i++) {
      const retry = await submitComment(participantApi, {
        policyId,
        body: nfd(WHOLE_DRAFT_BODY),
        stance: 'SUPPORT',
        idempotencyKey,
      });
      expect(ok<{ comment: CommentView }>(retry).comment.id).toBe(wholeDraftComment.id);
    }
    // The body as the client sent it the first time, in NFC this time: still the same content.
    const nfcRetry = await submitComment(participantApi, {
      policyId,
      body: nfc(WHOLE_DRAFT_BODY),
      stance: 'SUPPORT',
      idempotencyKey,
    });
    expect(ok<{ comment: CommentView }>(nfcRetry).comment.id).toBe(wholeDraftComment.id);
    const page = (await anonymous.gql<CommentsPage>(COMMENTS_QUERY, { id: policyId, first: 50 })).policy.comments;
    expect(page.totalCount).toBe(before);
    expect(page.edges.filter((e) => e.node.id === wholeDraftComment.id)).toHaveLength(1);
  });

  it('the same idempotency key with another body is a CONFLICT (IDEMPOTENCY_KEY_REUSED)', async () => {
    const result = await submitComment(participantApi, {
      policyId,
      body: 'Một nội dung khác hẳn',
      stance: 'SUPPORT',
      idempotencyKey,
    });
    expectRefusal(result, { typename: 'ConflictError', code: 'CONFLICT', rule: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('the same idempotency key used by another participant is another comment', async () => {
    const other = await signUp(platform, { displayName: 'Lê Văn Đức', stakeholderCategory: 'TEACHER' });
    const { verifyEmail } = await anonymous.gql<{ verifyEmail: ResultUnion }>(VERIFY_EMAIL, {
      token: await verificationToken(platform, other.email),
    });
    ok(verifyEmail);
    secondParticipant = await signIn(platform, other.email, other.password);
    const result = await submitComment(secondParticipant, {
      policyId,
      body: nfd(WHOLE_DRAFT_BODY),
      stance: 'SUPPORT',
      idempotencyKey,
    });
    const { comment } = ok<{ comment: CommentView }>(result);
    expect(comment.id).not.toBe(wholeDraftComment.id);
    expect(comment.stakeholderCategory).toBe('TEACHER');
  });

  it('comments are listed on the policy, newest first, with keyset paging', async () => {
    // Two more, so there are five to page through.
    for (const [body, stance] of [
      ['Nên mở thư viện cả buổi sáng thứ Bảy.', 'SUGGESTION'],
      ['Tôi không đồng ý giới hạn ba cuốn sách.', 'OPPOSE'],
    ] as const) {
      ok(await submitComment(secondParticipant, { policyId, nodeId: articleNodeId, body, stance }));
    }
    const all = (await anonymous.gql<CommentsPage>(COMMENTS_QUERY, { id: policyId, first: 100 })).policy;
    expect(all.comments.totalCount).toBe(5);
    expect(all.commentCount).toBe(5);
    expect(all.comments.pageInfo.hasNextPage).toBe(false);
    const newestFirst = all.comments.edges.map((e) => e.node.id);
    expect(newestFirst.at(-1)).toBe(wholeDraftComment.id);
    expect(newestFirst.at(-2)).toBe(nodeComment.id);

    const pages: string[][] = [];
    let after: string | null = null;
    for (;;) {
      const page: CommentsPage = await anonymous.gql<CommentsPage>(COMMENTS_QUERY, { id: policyId, first: 2, after });
      const { comments } = page.policy;
      expect(comments.totalCount).toBe(5);
      pages.push(comments.edges.map((e) => e.node.id));
      expect(comments.pageInfo.endCursor).toBe(comments.edges.at(-1)?.cursor ?? null);
      if (!comments.pageInfo.hasNextPage) break;
      after = comments.pageInfo.endCursor;
      expect(after).toBeTruthy();
      expect(pages.length).toBeLessThan(5);
    }
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(newestFirst);
  });

  it('comments can be listed per node and for the whole draft only', async () => {
    const onPoint = (
      await anonymous.gql<CommentsPage>(COMMENTS_QUERY, { id: policyId, first: 10, nodeId: pointNodeId })
    ).policy.comments;
    expect(onPoint.totalCount).toBe(1);
    expect(onPoint.edges.map((e) => e.node.id)).toEqual([nodeComment.id]);
    const onArticle = (
      await anonymous.gql<CommentsPage>(COMMENTS_QUERY, { id: policyId, first: 10, nodeId: articleNodeId })
    ).policy.comments;
    expect(onArticle.totalCount).toBe(2);
    const whole = (await anonymous.gql<CommentsPage>(COMMENTS_QUERY, { id: policyId, first: 10, wholeDraftOnly: true }))
      .policy.comments;
    expect(whole.totalCount).toBe(2);
    expect(whole.edges.every((e) => e.node.anchorNodeId === null)).toBe(true);
  });

  it('a participant who chose a pseudonym may comment under it; no email shows in the list', async () => {
    const account = await signUp(platform, {
      displayName: 'Nguyễn Văn Quyết',
      pseudonym: 'Phụ huynh lớp 7A',
      stakeholderCategory: 'PARENT',
    });
    ok(
      (
        await anonymous.gql<{ verifyEmail: ResultUnion }>(VERIFY_EMAIL, {
          token: await verificationToken(platform, account.email),
        })
      ).verifyEmail,
    );
    const api = await signIn(platform, account.email, account.password);
    const { submitComment: result } = await api.gql<{ submitComment: ResultUnion }>(SUBMIT_COMMENT, {
      input: {
        policyId,
        body: 'Góp ý dưới bút danh.',
        stance: 'NEUTRAL',
        idempotencyKey: randomUUID(),
        usePseudonym: true,
      },
    });
    const underPseudonym = ok<{ comment: CommentView }>(result).comment;
    expect(underPseudonym.authorName).toBe('Phụ huynh lớp 7A');
    const listed = JSON.stringify(await anonymous.gql(COMMENTS_QUERY, { id: policyId, first: 100 }));
    expect(listed).not.toContain(account.email);
    expect(listed).not.toContain(participant.email);
  });

  it('the policy cannot be enacted while the round is open (ILLEGAL_STATE ROUND_NOT_ANSWERED)', async () => {
    const { enactPolicy } = await policymaker.gql<{ enactPolicy: ResultUnion }>(ENACT_POLICY, {
      input: { policyId, decisionNumber: '15/QĐ-PGDĐT', effectiveDate: inDays(30).slice(0, 10) },
    });
    expectRefusal(enactPolicy, { typename: 'IllegalStateError', code: 'ILLEGAL_STATE', rule: 'ROUND_NOT_ANSWERED' });
  });

  it('a new closing time earlier than the current one is refused (VALIDATION field closesAt)', async () => {
    const { extendConsultation } = await staff.gql<{ extendConsultation: ResultUnion }>(EXTEND_CONSULTATION, {
      input: { policyId, closesAt: inDays(3), reason: 'Rút ngắn' },
    });
    expectRefusal(extendConsultation, { typename: 'ValidationError', code: 'VALIDATION', field: 'closesAt' });
  });

  it('staff extend the consultation', async () => {
    const closesAt = inDays(28);
    const { extendConsultation } = await staff.gql<{ extendConsultation: ResultUnion }>(EXTEND_CONSULTATION, {
      input: { policyId, closesAt, reason: nfd('Nhiều phụ huynh đề nghị thêm thời gian góp ý.') },
    });
    const { policy } = ok<{ policy: PolicyView }>(extendConsultation);
    expect(policy.status).toBe('CONSULTATION');
    expect(policy.currentRound).toMatchObject({ round: 1, closesAt, closedAt: null, isOpen: true });
    expect(policy.rounds).toHaveLength(1);
  });

  it('participants cannot close a consultation (FORBIDDEN STAFF_ONLY)', async () => {
    const { closeConsultation } = await participantApi.gql<{ closeConsultation: ResultUnion }>(CLOSE_CONSULTATION, {
      policyId,
      reason: 'Đủ rồi',
    });
    expectRefusal(closeConsultation, { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'STAFF_ONLY' });
  });

  it('staff close the consultation early; the policy is in review', async () => {
    const before = Date.now();
    const { closeConsultation } = await staff.gql<{ closeConsultation: ResultUnion }>(CLOSE_CONSULTATION, {
      policyId,
      reason: 'Đã thu đủ ý kiến',
    });
    const { policy } = ok<{ policy: PolicyView }>(closeConsultation);
    expect(policy.status).toBe('REVIEW');
    expect(policy.currentRound!.isOpen).toBe(false);
    expect(policy.currentRound!.closedAt).not.toBeNull();
    expect(Date.parse(policy.currentRound!.closedAt!)).toBeGreaterThanOrEqual(before - 2000);
    expect(Date.parse(policy.currentRound!.closedAt!)).toBeLessThan(Date.parse(policy.currentRound!.closesAt));
  });

  it('a comment after the close is refused (ILLEGAL_STATE ROUND_NOT_OPEN)', async () => {
    const result = await submitComment(participantApi, { policyId, body: 'Góp ý muộn', stance: 'OPPOSE' });
    expectRefusal(result, { typename: 'IllegalStateError', code: 'ILLEGAL_STATE', rule: 'ROUND_NOT_OPEN' });
  });

  it('a closed round cannot be extended or closed again (ILLEGAL_STATE ROUND_NOT_OPEN)', async () => {
    const { extendConsultation } = await staff.gql<{ extendConsultation: ResultUnion }>(EXTEND_CONSULTATION, {
      input: { policyId, closesAt: inDays(60), reason: 'Gia hạn' },
    });
    expectRefusal(extendConsultation, { typename: 'IllegalStateError', code: 'ILLEGAL_STATE', rule: 'ROUND_NOT_OPEN' });
    const { closeConsultation } = await staff.gql<{ closeConsultation: ResultUnion }>(CLOSE_CONSULTATION, {
      policyId,
      reason: 'Lần nữa',
    });
    expectRefusal(closeConsultation, { typename: 'IllegalStateError', code: 'ILLEGAL_STATE', rule: 'ROUND_NOT_OPEN' });
  });

  it('staff cannot enact (FORBIDDEN POLICYMAKER_ONLY)', async () => {
    const { enactPolicy } = await staff.gql<{ enactPolicy: ResultUnion }>(ENACT_POLICY, {
      input: { policyId, decisionNumber: '15/QĐ-PGDĐT', effectiveDate: inDays(30).slice(0, 10) },
    });
    expectRefusal(enactPolicy, { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'POLICYMAKER_ONLY' });
  });

  it('a closed round is not yet answered: enactment waits for its published digest (ILLEGAL_STATE ROUND_NOT_ANSWERED)', async () => {
    const { enactPolicy } = await policymaker.gql<{ enactPolicy: ResultUnion }>(ENACT_POLICY, {
      input: { policyId, decisionNumber: '15/QĐ-PGDĐT', effectiveDate: inDays(30).slice(0, 10) },
    });
    expectRefusal(enactPolicy, { typename: 'IllegalStateError', code: 'ILLEGAL_STATE', rule: 'ROUND_NOT_ANSWERED' });
    await answerRound(platform, staff, policyId, 1);
    expect((await getPolicy(anonymous, policyId))?.currentRound?.answered).toBe(true);
  });

  it('an enactment of a version that does not exist is refused (VALIDATION field version)', async () => {
    const { enactPolicy } = await policymaker.gql<{ enactPolicy: ResultUnion }>(ENACT_POLICY, {
      input: { policyId, version: 7, decisionNumber: '15/QĐ-PGDĐT', effectiveDate: inDays(30).slice(0, 10) },
    });
    expectRefusal(enactPolicy, { typename: 'ValidationError', code: 'VALIDATION', field: 'version' });
  });

  it('the policymaker enacts the policy with a decision number and an effective date', async () => {
    const effectiveDate = inDays(30).slice(0, 10);
    const { enactPolicy } = await policymaker.gql<{ enactPolicy: ResultUnion }>(ENACT_POLICY, {
      input: { policyId, decisionNumber: nfd('15/QĐ-PGDĐT'), effectiveDate },
    });
    const { policy } = ok<{ policy: PolicyView }>(enactPolicy);
    expect(policy.status).toBe('ENACTED');
    expect(policy.enactment).toMatchObject({ version: 1, decisionNumber: nfc('15/QĐ-PGDĐT'), effectiveDate });
    expect(Date.parse(policy.enactment!.enactedAt)).toBeGreaterThan(Date.now() - 60_000);
    // The enacted text is still version 1 as published.
    expect(policy.currentVersion).toEqual(version1);
    const read = await getPolicy(anonymous, policyId);
    expect(read?.status).toBe('ENACTED');
    expect(read?.enactment?.decisionNumber).toBe(nfc('15/QĐ-PGDĐT'));
  });

  // Only an amending draft starts a new cycle on it (revisingAfterConsultation.test.ts).
  it('nothing else changes an enacted policy (ILLEGAL_STATE TERMINAL_STATE)', async () => {
    const refusals: ResultUnion[] = [
      (await staff.gql<{ withdrawPolicy: ResultUnion }>(WITHDRAW_POLICY, { policyId, reason: 'Rút' })).withdrawPolicy,
      (
        await staff.gql<{ openConsultation: ResultUnion }>(OPEN_CONSULTATION, {
          input: { policyId, closesAt: inDays(10) },
        })
      ).openConsultation,
      (
        await policymaker.gql<{ enactPolicy: ResultUnion }>(ENACT_POLICY, {
          input: { policyId, decisionNumber: '16/QĐ', effectiveDate: '2027-01-01' },
        })
      ).enactPolicy,
      await submitComment(participantApi, { policyId, body: 'Góp ý sau khi ban hành', stance: 'NEUTRAL' }),
    ];
    for (const r of refusals)
      expectRefusal(r, { typename: 'IllegalStateError', code: 'ILLEGAL_STATE', rule: 'TERMINAL_STATE' });
    expect((await getPolicy(anonymous, policyId))?.status).toBe('ENACTED');
  });
});

describe('withdrawing a policy', () => {
  let policyId: string;

  it('participants cannot withdraw (FORBIDDEN STAFF_OR_POLICYMAKER_ONLY)', async () => {
    policyId = await draftedPolicy(staff, organizationId);
    const participant = await signInAs(platform, 'participant');
    const { withdrawPolicy } = await participant.gql<{ withdrawPolicy: ResultUnion }>(WITHDRAW_POLICY, {
      policyId,
      reason: 'Không cần',
    });
    expectRefusal(withdrawPolicy, { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'STAFF_OR_POLICYMAKER_ONLY' });
  });

  it('a withdrawal needs a reason (VALIDATION field reason)', async () => {
    const { withdrawPolicy } = await staff.gql<{ withdrawPolicy: ResultUnion }>(WITHDRAW_POLICY, {
      policyId,
      reason: '',
    });
    expectRefusal(withdrawPolicy, { typename: 'ValidationError', code: 'VALIDATION', field: 'reason' });
  });

  it('staff withdraw a policy in drafting; it is WITHDRAWN with the reason', async () => {
    const reason = nfd('Đã có văn bản của Sở thay thế.');
    const { withdrawPolicy } = await staff.gql<{ withdrawPolicy: ResultUnion }>(WITHDRAW_POLICY, { policyId, reason });
    const { policy } = ok<{ policy: PolicyView }>(withdrawPolicy);
    expect(policy.status).toBe('WITHDRAWN');
    expect(policy.withdrawalReason).toBe(nfc(reason));
    const { policies } = await anonymous.gql<{ policies: { edges: { node: { id: string } }[] } }>(
      `query { policies(status: WITHDRAWN, first: 50) { edges { node { id } } } }`,
    );
    expect(policies.edges.map((e) => e.node.id)).toContain(policyId);
  });

  it('nothing changes a withdrawn policy (ILLEGAL_STATE TERMINAL_STATE)', async () => {
    const refusals: ResultUnion[] = [
      (await staff.gql<{ withdrawPolicy: ResultUnion }>(WITHDRAW_POLICY, { policyId, reason: 'Lần nữa' }))
        .withdrawPolicy,
      (
        await staff.gql<{ openConsultation: ResultUnion }>(OPEN_CONSULTATION, {
          input: { policyId, closesAt: inDays(10) },
        })
      ).openConsultation,
      (await staff.gql<{ startDrafting: ResultUnion }>(START_DRAFTING, { policyId })).startDrafting,
    ];
    for (const r of refusals)
      expectRefusal(r, { typename: 'IllegalStateError', code: 'ILLEGAL_STATE', rule: 'TERMINAL_STATE' });
  });

  it('the policymaker may withdraw too, even a policy under consultation', async () => {
    const id = await draftedPolicy(staff, organizationId);
    ok(
      (
        await staff.gql<{ openConsultation: ResultUnion }>(OPEN_CONSULTATION, {
          input: { policyId: id, closesAt: inDays(2) },
        })
      ).openConsultation,
    );
    const { withdrawPolicy } = await policymaker.gql<{ withdrawPolicy: ResultUnion }>(WITHDRAW_POLICY, {
      policyId: id,
      reason: 'Tạm dừng theo chỉ đạo',
    });
    expect(ok<{ policy: PolicyView }>(withdrawPolicy).policy.status).toBe('WITHDRAWN');
  });
});

describe('policies as listed', () => {
  it('the demo policies and the new ones are listed, filterable by status', async () => {
    const { policies } = await anonymous.gql<{
      policies: { totalCount: number; edges: { node: { status: string } }[] };
    }>(`query { policies(first: 100) { totalCount edges { node { status } } } }`);
    const statuses = policies.edges.map((e) => e.node.status);
    for (const s of ['PROPOSED', 'DRAFTING', 'CONSULTATION', 'ENACTED', 'WITHDRAWN']) expect(statuses).toContain(s);
    expect(policies.totalCount).toBe(policies.edges.length);
    const enacted = await anonymous.gql<{ policies: { totalCount: number; edges: { node: { status: string } }[] } }>(
      `query { policies(status: ENACTED, first: 100) { totalCount edges { node { status } } } }`,
    );
    expect(enacted.policies.totalCount).toBe(statuses.filter((s) => s === 'ENACTED').length);
    expect(enacted.policies.edges.every((e) => e.node.status === 'ENACTED')).toBe(true);
  });

  it('an unknown policy reads as null', async () => {
    expect(await getPolicy(anonymous, randomUUID())).toBeNull();
  });
});
