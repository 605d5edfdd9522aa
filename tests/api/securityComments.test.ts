/**
 * Replies stay inside their own policy and round (issue 15, finding 1): a `parentCommentId` of another organisation's
 * policy, of an enacted policy, of an earlier round or of a comment no longer shown is refused, and nothing of the
 * refused reply is stored, counted, shown or notified anywhere.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerRound } from '../support/digest';
import { startPlatform, type Platform } from '../support/platform';
import {
  CLOSE_CONSULTATION,
  ENACT_POLICY,
  ERROR_FIELDS,
  expectRefusal,
  inDays,
  ok,
  openPolicy,
  signIn,
  signInAs,
  staffOrganizationId,
  stopPlatform,
  submitComment,
  verifiedParticipant,
  type Client,
  type NewAccount,
  type ResultUnion,
} from './support';

let platform: Platform;
let districtStaff: Client;
let schoolStaff: Client;
let moderator: Client;
let auditor: Client;
let author: NewAccount & { api: Client };
let replier: NewAccount & { api: Client };
/** A round open at the district office, with the author's comment. */
let districtPolicyId: string;
let parentId: string;
/** A round open at a school (another organisation), where the replier writes. */
let schoolPolicyId: string;

const THREAD = `query($id: ID!) {
  policy(id: $id) {
    commentCount
    comments(first: 100) { edges { node { id parentCommentId replyCount replies { id } } } }
  }
}`;

interface ThreadView {
  commentCount: number;
  comments: {
    edges: { node: { id: string; parentCommentId: string | null; replyCount: number; replies: { id: string }[] } }[];
  };
}

const thread = async (api: Client, policyId: string) =>
  (await api.gql<{ policy: ThreadView }>(THREAD, { id: policyId })).policy;

const NOTIFICATIONS = `{ viewer { notifications(first: 100) { edges { node { kind commentId } } } } }`;
const notificationsOf = async (api: Client) =>
  (
    await api.gql<{ viewer: { notifications: { edges: { node: { kind: string; commentId: string | null } }[] } } }>(
      NOTIFICATIONS,
    )
  ).viewer.notifications.edges.map((e) => e.node);

/** Every CommentSubmitted the account ever wrote, read by an auditor from the log itself. */
const submittedBy = async (accountId: string) =>
  (
    await auditor.gql<{ auditEvents: { events: { streamId: string }[] } }>(
      `query($actor: ID!) { auditEvents(first: 500, eventType: "CommentSubmitted", actorAccountId: $actor) { events { streamId } } }`,
      { actor: accountId },
    )
  ).auditEvents.events;

/**
 * Submits a reply and asserts it was refused under `rule` with nothing stored or shown anywhere: not in the log, not on
 * the page of any policy involved (comments, counts, replies), not in the parent author's notifications.
 */
async function expectReplyRefused(
  input: { policyId: string; parentCommentId: string },
  rule: string,
  watched: string[] = [districtPolicyId, schoolPolicyId],
) {
  const pages = async () => Promise.all(watched.map((id) => thread(districtStaff, id)));
  const before = {
    pages: await pages(),
    authorNotifications: await notificationsOf(author.api),
    stored: await submittedBy(replier.id),
  };
  const result = await submitComment(replier.api, {
    ...input,
    body: 'Tôi trả lời góp ý ở một dự thảo khác.',
    stance: 'OPPOSE',
  });
  expectRefusal(result, { typename: 'IllegalStateError', code: 'ILLEGAL_STATE', rule });
  expect(await submittedBy(replier.id)).toEqual(before.stored);
  expect(await pages()).toEqual(before.pages);
  expect(await notificationsOf(author.api)).toEqual(before.authorNotifications);
}

beforeAll(async () => {
  platform = await startPlatform();
  districtStaff = await signInAs(platform, 'staff');
  moderator = await signInAs(platform, 'moderator');
  auditor = await signInAs(platform, 'auditor');
  const school = platform.demoAccounts.find((a) => a.email.startsWith('school1@'));
  if (!school) throw new Error('the demo data has no school staff account (school1@…)');
  schoolStaff = await signIn(platform, school.email, school.password);
  districtPolicyId = (await openPolicy(districtStaff, await staffOrganizationId(districtStaff))).id;
  schoolPolicyId = (await openPolicy(schoolStaff, await staffOrganizationId(schoolStaff))).id;
  author = await verifiedParticipant(platform);
  replier = await verifiedParticipant(platform);
  parentId = ok<{ comment: { id: string } }>(
    await submitComment(author.api, {
      policyId: districtPolicyId,
      body: 'Đề nghị mở cửa thư viện cả buổi chiều thứ Bảy.',
      stance: 'SUGGESTION',
    }),
  ).comment.id;
});

afterAll(async () => {
  await stopPlatform(platform);
});

describe('a reply must stay in its own policy and round', () => {
  it("a reply to another organisation's comment is refused, and nothing is stored, counted or notified", async () => {
    await expectReplyRefused({ policyId: schoolPolicyId, parentCommentId: parentId }, 'PARENT_IN_OTHER_POLICY');
    const parentThread = await thread(schoolStaff, districtPolicyId);
    const parent = parentThread.comments.edges.find((e) => e.node.id === parentId)?.node;
    expect(parent).toMatchObject({ replyCount: 0, replies: [] });
    expect((await thread(schoolStaff, schoolPolicyId)).commentCount).toBe(0);
    expect((await notificationsOf(author.api)).filter((n) => n.kind === 'REPLY')).toEqual([]);
  });

  it('a reply to a comment that does not exist is refused', async () => {
    await expectReplyRefused({ policyId: districtPolicyId, parentCommentId: randomUUID() }, 'PARENT_NOT_FOUND');
  });

  it('a reply to a hidden comment is refused', async () => {
    const hiddenId = ok<{ comment: { id: string } }>(
      await submitComment(author.api, { policyId: districtPolicyId, body: 'Góp ý sẽ bị ẩn.', stance: 'OPPOSE' }),
    ).comment.id;
    const { hideComment } = await moderator.gql<{ hideComment: ResultUnion }>(
      `mutation($id: ID!) { hideComment(commentId: $id, reasonCode: SPAM, reason: "Quảng cáo.") { ${ERROR_FIELDS} } }`,
      { id: hiddenId },
    );
    expect(hideComment.__typename).toMatch(/Success$/);
    await expectReplyRefused({ policyId: districtPolicyId, parentCommentId: hiddenId }, 'PARENT_NOT_VISIBLE');
  });

  it('a reply to a comment of an enacted policy is refused', async () => {
    const policymaker = await signInAs(platform, 'policymaker');
    const enactedId = (await openPolicy(districtStaff, await staffOrganizationId(districtStaff))).id;
    const oldComment = ok<{ comment: { id: string } }>(
      await submitComment(author.api, { policyId: enactedId, body: 'Góp ý trước khi ban hành.', stance: 'SUPPORT' }),
    ).comment.id;
    ok(
      (
        await districtStaff.gql<{ closeConsultation: ResultUnion }>(CLOSE_CONSULTATION, {
          policyId: enactedId,
          reason: 'Đủ ý kiến',
        })
      ).closeConsultation,
    );
    await answerRound(platform, districtStaff, enactedId, 1);
    ok(
      (
        await policymaker.gql<{ enactPolicy: ResultUnion }>(ENACT_POLICY, {
          input: { policyId: enactedId, decisionNumber: '21/QĐ-PGDĐT', effectiveDate: inDays(30).slice(0, 10) },
        })
      ).enactPolicy,
    );
    const watched = [districtPolicyId, schoolPolicyId, enactedId];
    await expectReplyRefused(
      { policyId: districtPolicyId, parentCommentId: oldComment },
      'PARENT_IN_OTHER_POLICY',
      watched,
    );
    await expectReplyRefused(
      { policyId: schoolPolicyId, parentCommentId: oldComment },
      'PARENT_IN_OTHER_POLICY',
      watched,
    );
  });

  it('a reply in the same policy and round is shown under its parent, counted and notified', async () => {
    const reply = ok<{ comment: { id: string; parentCommentId: string } }>(
      await submitComment(replier.api, {
        policyId: districtPolicyId,
        parentCommentId: parentId,
        body: 'Tôi đồng ý, nhưng cần thêm người trực.',
        stance: 'SUPPORT',
      }),
    ).comment;
    expect(reply.parentCommentId).toBe(parentId);
    const parent = (await thread(districtStaff, districtPolicyId)).comments.edges.find(
      (e) => e.node.id === parentId,
    )?.node;
    expect(parent).toMatchObject({ replyCount: 1, replies: [{ id: reply.id }] });
    expect(await notificationsOf(author.api)).toContainEqual({ kind: 'REPLY', commentId: parentId });
  });
});
