/**
 * Commenting I over HTTP: edits with history, withdrawal, flags and the moderator queue, hide / restore / redact,
 * endorsements, official replies, offline feedback, version diffs and .docx import — each mutation called by the roles
 * that may and by roles that may not.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../support/platform';
import {
  ERROR_FIELDS,
  client,
  expectRefusal,
  ok,
  signIn,
  signInAs,
  stopPlatform,
  type Client,
  type ResultUnion,
} from './support';

const FIELDS =
  'id body status edited endorsementCount channel authorName hiddenReason revisions { revision body } officialReplies { body }';
const change = (name: string, args: string, call: string) =>
  `mutation(${args}) { ${name}(${call}) { ${ERROR_FIELDS} ... on Mutation${name[0]!.toUpperCase()}${name.slice(1)}Success { data { comment { ${FIELDS} } } } } }`;
const EDIT = change(
  'editComment',
  '$id: ID!, $body: String!, $stance: Stance!',
  'commentId: $id, body: $body, stance: $stance',
);
const WITHDRAW = change('withdrawComment', '$id: ID!', 'commentId: $id, reason: "Tôi đổi ý"');
const FLAG = change('flagComment', '$id: ID!', 'commentId: $id, reason: ABUSE, note: "Lời lẽ xúc phạm"');
const HIDE = change(
  'hideComment',
  '$id: ID!',
  'commentId: $id, reasonCode: ABUSE, reason: "Ngôn từ xúc phạm người khác"',
);
const RESTORE = change('restoreComment', '$id: ID!', 'commentId: $id, reason: "Xem xét lại: không vi phạm"');
const REDACT = change('redactComment', '$id: ID!', 'commentId: $id, reason: "Có số điện thoại cá nhân"');
const ENDORSE = change('endorseComment', '$id: ID!', 'commentId: $id');
const REPLY = change('postOfficialReply', '$id: ID!', 'commentId: $id, body: "Ban soạn thảo xin tiếp thu ý kiến."');
const OFFLINE = change('recordOfflineFeedback', '$input: RecordOfflineFeedbackInput!', 'input: $input');
const SUBMIT = `mutation($input: SubmitCommentInput!) { submitComment(input: $input) { ${ERROR_FIELDS} ... on MutationSubmitCommentSuccess { data { comment { id } } } } }`;

type Result = Record<string, ResultUnion>;

describe('commenting I: moderation, endorsements, replies, offline feedback', () => {
  let platform: Platform;
  let parent: Client;
  let teacher: Client;
  let staff: Client;
  let moderator: Client;
  let spokesperson: Client;
  let policyId: string;

  async function newComment(who: Client, body: string): Promise<string> {
    const r = await who.gql<Result>(SUBMIT, {
      input: { policyId, body, stance: 'SUGGESTION', idempotencyKey: randomUUID() },
    });
    return ok<{ comment: { id: string } }>(r.submitComment!).comment.id;
  }

  beforeAll(async () => {
    platform = await startPlatform();
    const parentAccount = platform.demoAccounts.find((a) => a.email === 'parent@demo.gopy.vn')!;
    parent = await signIn(platform, parentAccount.email, parentAccount.password);
    const teacherAccount = platform.demoAccounts.find((a) => a.email === 'teacher@demo.gopy.vn')!;
    teacher = await signIn(platform, teacherAccount.email, teacherAccount.password);
    staff = await signInAs(platform, 'staff');
    moderator = await signInAs(platform, 'moderator');
    spokesperson = await signInAs(platform, 'spokesperson');
    const list = await client(platform.baseUrl).gql<{ policies: { edges: { node: { id: string } }[] } }>(
      '{ policies(status: CONSULTATION) { edges { node { id } } } }',
    );
    policyId = list.policies.edges[0]!.node.id;
  }, 180_000);

  afterAll(async () => {
    await stopPlatform(platform);
  });

  it('lets the author edit, keeps every earlier text, and refuses anyone else', async () => {
    const id = await newComment(parent, 'Bản đầu tiên của ý kiến.');
    expectRefusal((await teacher.gql<Result>(EDIT, { id, body: 'Sửa hộ', stance: 'OPPOSE' })).editComment!, {
      typename: 'ForbiddenError',
      code: 'FORBIDDEN',
      rule: 'AUTHOR_ONLY',
    });
    const edited = ok<{ comment: { edited: boolean; body: string; revisions: { body: string }[] } }>(
      (await parent.gql<Result>(EDIT, { id, body: 'Bản đã sửa của ý kiến.', stance: 'SUPPORT' })).editComment!,
    );
    expect(edited.comment.edited).toBe(true);
    expect(edited.comment.body).toBe('Bản đã sửa của ý kiến.');
    expect(edited.comment.revisions.map((r) => r.body)).toEqual(['Bản đầu tiên của ý kiến.', 'Bản đã sửa của ý kiến.']);
  });

  it('lets only the author withdraw', async () => {
    const id = await newComment(parent, 'Ý kiến sẽ rút lại.');
    expectRefusal((await teacher.gql<Result>(WITHDRAW, { id })).withdrawComment!, {
      typename: 'ForbiddenError',
      code: 'FORBIDDEN',
      rule: 'AUTHOR_ONLY',
    });
    expect(
      ok<{ comment: { status: string } }>((await parent.gql<Result>(WITHDRAW, { id })).withdrawComment!).comment.status,
    ).toBe('withdrawn');
  });

  it('flags into the moderator queue; only a moderator hides and restores; the author alone sees why', async () => {
    const id = await newComment(teacher, 'Một ý kiến bị báo cáo.');
    expectRefusal((await client(platform.baseUrl).gql<Result>(FLAG, { id })).flagComment!, {
      typename: 'UnauthenticatedError',
      code: 'UNAUTHENTICATED',
    });
    ok((await parent.gql<Result>(FLAG, { id })).flagComment!);
    const queue = await moderator.gql<{ moderationQueue: { reason: string; comment: { id: string } }[] }>(
      '{ moderationQueue { reason comment { id } } }',
    );
    expect(queue.moderationQueue.map((f) => f.comment.id)).toContain(id);
    expect((await parent.gql<{ moderationQueue: unknown[] }>('{ moderationQueue { id } }')).moderationQueue).toEqual(
      [],
    );

    for (const who of [staff, parent, spokesperson]) {
      expectRefusal((await who.gql<Result>(HIDE, { id })).hideComment!, {
        typename: 'ForbiddenError',
        code: 'FORBIDDEN',
        rule: 'MODERATOR_ONLY',
      });
    }
    expect(
      ok<{ comment: { status: string } }>((await moderator.gql<Result>(HIDE, { id })).hideComment!).comment.status,
    ).toBe('hidden');
    const publicList = await client(platform.baseUrl).gql<{
      policy: { comments: { edges: { node: { id: string } }[] } };
    }>('query($id: ID!) { policy(id: $id) { comments(first: 100) { edges { node { id } } } } }', { id: policyId });
    expect(publicList.policy.comments.edges.map((e) => e.node.id)).not.toContain(id);
    const mine = await teacher.gql<{
      viewer: { myComments: { edges: { node: { id: string; status: string; hiddenReason: string | null } }[] } };
    }>('{ viewer { myComments(first: 50) { edges { node { id status hiddenReason } } } } }');
    expect(mine.viewer.myComments.edges.find((e) => e.node.id === id)?.node).toEqual({
      id,
      status: 'hidden',
      hiddenReason: 'Ngôn từ xúc phạm người khác',
    });

    expectRefusal((await parent.gql<Result>(RESTORE, { id })).restoreComment!, {
      typename: 'ForbiddenError',
      code: 'FORBIDDEN',
      rule: 'MODERATOR_ONLY',
    });
    expect(
      ok<{ comment: { status: string; hiddenReason: string | null } }>(
        (await moderator.gql<Result>(RESTORE, { id })).restoreComment!,
      ).comment,
    ).toMatchObject({ status: 'visible', hiddenReason: null });
  });

  it('redacts by destroying the comment key: no text of it can be read again', async () => {
    const id = await newComment(parent, 'Gọi cho tôi theo số 0912 345 678.');
    expectRefusal((await staff.gql<Result>(REDACT, { id })).redactComment!, {
      typename: 'ForbiddenError',
      code: 'FORBIDDEN',
      rule: 'MODERATOR_ONLY',
    });
    const redacted = ok<{ comment: { status: string; body: string; revisions: { body: string }[] } }>(
      (await moderator.gql<Result>(REDACT, { id })).redactComment!,
    );
    expect(redacted.comment).toMatchObject({ status: 'redacted', body: '' });
    expect(redacted.comment.revisions.every((r) => r.body === '')).toBe(true);
  });

  it('takes one endorsement per account, never for your own comment', async () => {
    const id = await newComment(parent, 'Ý kiến để mọi người đồng tình.');
    expectRefusal((await parent.gql<Result>(ENDORSE, { id })).endorseComment!, {
      typename: 'ForbiddenError',
      code: 'FORBIDDEN',
      rule: 'OWN_COMMENT',
    });
    expect(
      ok<{ comment: { endorsementCount: number } }>((await teacher.gql<Result>(ENDORSE, { id })).endorseComment!)
        .comment.endorsementCount,
    ).toBe(1);
    expectRefusal((await teacher.gql<Result>(ENDORSE, { id })).endorseComment!, {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'ALREADY_ENDORSED',
    });
  });

  it('lets only a spokesperson post an official reply', async () => {
    const id = await newComment(teacher, 'Đề nghị trả lời chính thức.');
    for (const who of [staff, moderator, parent]) {
      expectRefusal((await who.gql<Result>(REPLY, { id })).postOfficialReply!, {
        typename: 'ForbiddenError',
        code: 'FORBIDDEN',
        rule: 'SPOKESPERSON_ONLY',
      });
    }
    const replied = ok<{ comment: { officialReplies: { body: string }[] } }>(
      (await spokesperson.gql<Result>(REPLY, { id })).postOfficialReply!,
    );
    expect(replied.comment.officialReplies).toEqual([{ body: 'Ban soạn thảo xin tiếp thu ý kiến.' }]);
  });

  it('lets staff record a letter, shown with its channel, and refuses participants and the web channel', async () => {
    // Received the moment the round opened: neither before it nor in the future, however fast the test runs.
    const round = await client(platform.baseUrl).gql<{ policy: { currentRound: { opensAt: string } } }>(
      'query($id: ID!) { policy(id: $id) { currentRound { opensAt } } }',
      { id: policyId },
    );
    const input = {
      policyId,
      channel: 'LETTER',
      receivedAt: round.policy.currentRound.opensAt,
      senderName: 'Nguyễn Văn Thư',
      senderOrganization: 'Hội Cha mẹ học sinh trường Kim Đồng',
      stakeholderCategory: 'PARENT',
      body: 'Thư góp ý: đề nghị giảm mức thu cho xã vùng khó khăn.',
      stance: 'SUGGESTION',
      idempotencyKey: randomUUID(),
    };
    expectRefusal((await parent.gql<Result>(OFFLINE, { input })).recordOfflineFeedback!, {
      typename: 'ForbiddenError',
      code: 'FORBIDDEN',
      rule: 'STAFF_ONLY',
    });
    expectRefusal((await staff.gql<Result>(OFFLINE, { input: { ...input, channel: 'WEB' } })).recordOfflineFeedback!, {
      typename: 'ValidationError',
      code: 'VALIDATION',
      field: 'channel',
    });
    const recorded = ok<{ comment: { channel: string; authorName: string } }>(
      (await staff.gql<Result>(OFFLINE, { input })).recordOfflineFeedback!,
    );
    expect(recorded.comment.channel).toBe('LETTER');
    // Named publicly by the organisation only; the sender's own name stays sealed.
    expect(recorded.comment.authorName).toBe('Hội Cha mẹ học sinh trường Kim Đồng');
  });

  it('shows a version diff and refuses a .docx import to anyone but staff', async () => {
    const diff = await client(platform.baseUrl).gql<{ policy: { diff: { changes: string[] }[] } }>(
      'query($id: ID!) { policy(id: $id) { diff(from: 1, to: 1) { changes } } }',
      { id: policyId },
    );
    expect(diff.policy.diff.length).toBeGreaterThan(5);
    expect(diff.policy.diff.every((d) => d.changes.join() === 'UNCHANGED')).toBe(true);
    const IMPORT = `mutation($id: ID!, $f: String!) { importDraftDocx(policyId: $id, fileBase64: $f) { ${ERROR_FIELDS} } }`;
    expectRefusal((await parent.gql<Result>(IMPORT, { id: policyId, f: 'AAAA' })).importDraftDocx!, {
      typename: 'ForbiddenError',
      code: 'FORBIDDEN',
    });
    expectRefusal((await staff.gql<Result>(IMPORT, { id: policyId, f: 'AAAA' })).importDraftDocx!, {
      typename: 'ValidationError',
      code: 'VALIDATION',
      field: 'fileBase64',
    });
  });
});
