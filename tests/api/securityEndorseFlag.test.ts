/**
 * Endorsing and flagging need an account that stands for one person (issue 15, finding 10): an unconfirmed sign-up
 * could pad a comment's endorsements or set off flag alerts with throw-away accounts. A pupil's account, which the
 * school issues from its class list and vouches for, counts once the consent the law asks for is recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../support/platform';
import {
  ERROR_FIELDS,
  VERIFY_EMAIL,
  client,
  expectRefusal,
  ok,
  openPolicy,
  signIn,
  signInAs,
  signUp,
  staffOrganizationId,
  stopPlatform,
  submitComment,
  verificationToken,
  verifiedParticipant,
  type Client,
  type ResultUnion,
} from './support';

let platform: Platform;
let moderator: Client;
let auditor: Client;
let policyId: string;
let commentId: string;

const ENDORSE = `mutation($id: ID!) { endorseComment(commentId: $id) { ${ERROR_FIELDS} } }`;
const FLAG = `mutation($id: ID!) { flagComment(commentId: $id, reason: SPAM, note: "Quảng cáo") { ${ERROR_FIELDS} } }`;
const endorse = async (api: Client) =>
  (await api.gql<{ endorseComment: ResultUnion }>(ENDORSE, { id: commentId })).endorseComment;
const flag = async (api: Client) => (await api.gql<{ flagComment: ResultUnion }>(FLAG, { id: commentId })).flagComment;

/** What others see of the comment, and what the moderators are asked to look at. */
async function tallies() {
  const { policy } = await moderator.gql<{
    policy: { comments: { edges: { node: { id: string; endorsementCount: number } }[] } };
  }>(`query($id: ID!) { policy(id: $id) { comments(first: 100) { edges { node { id endorsementCount } } } } }`, {
    id: policyId,
  });
  const comment = policy.comments.edges.find((e) => e.node.id === commentId)?.node;
  if (!comment) throw new Error(`comment ${commentId} is not on its policy's page`);
  const { moderationQueue } = await moderator.gql<{ moderationQueue: { comment: { id: string } }[] }>(
    `{ moderationQueue(first: 200) { comment { id } } }`,
  );
  return {
    endorsements: comment.endorsementCount,
    flags: moderationQueue.filter((f) => f.comment.id === commentId).length,
  };
}

/** CommentEndorsed and CommentFlagged events the account wrote, read by an auditor from the log itself. */
async function writtenBy(accountId: string) {
  const { auditEvents } = await auditor.gql<{ auditEvents: { events: { type: string }[] } }>(
    `query($actor: ID!) { auditEvents(first: 500, actorAccountId: $actor) { events { type } } }`,
    { actor: accountId },
  );
  return auditEvents.events.map((e) => e.type).filter((t) => t === 'CommentEndorsed' || t === 'CommentFlagged');
}

beforeAll(async () => {
  platform = await startPlatform();
  const staff = await signInAs(platform, 'staff');
  moderator = await signInAs(platform, 'moderator');
  auditor = await signInAs(platform, 'auditor');
  policyId = (await openPolicy(staff, await staffOrganizationId(staff))).id;
  const author = await verifiedParticipant(platform);
  commentId = ok<{ comment: { id: string } }>(
    await submitComment(author.api, {
      policyId,
      body: 'Đề nghị thư viện mở cửa cả giờ nghỉ trưa.',
      stance: 'SUGGESTION',
    }),
  ).comment.id;
});

afterAll(async () => {
  await stopPlatform(platform);
});

describe('endorsing and flagging need a confirmed account', () => {
  it('an account whose email is not confirmed can neither endorse nor flag; nothing is counted or stored', async () => {
    const before = await tallies();
    const unconfirmed = await signUp(platform);
    const api = await signIn(platform, unconfirmed.email, unconfirmed.password);
    expectRefusal(await endorse(api), { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'EMAIL_NOT_VERIFIED' });
    expectRefusal(await flag(api), { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'EMAIL_NOT_VERIFIED' });
    expect(await tallies()).toEqual(before);
    expect(await writtenBy(unconfirmed.id)).toEqual([]);

    // Once the address is confirmed, the same session may.
    const token = await verificationToken(platform, unconfirmed.email);
    ok((await client(platform.baseUrl).gql<{ verifyEmail: ResultUnion }>(VERIFY_EMAIL, { token })).verifyEmail);
    ok(await endorse(api));
    ok(await flag(api));
    expect(await tallies()).toEqual({ endorsements: before.endorsements + 1, flags: before.flags + 1 });
    expect(await writtenBy(unconfirmed.id)).toEqual(['CommentEndorsed', 'CommentFlagged']);
  });

  it("a pupil's account counts once consent is recorded, not before", async () => {
    const account = platform.demoAccounts.find(
      (a) => (a as { organization?: string }).organization === 'Trường Tiểu học Kim Đồng',
    );
    if (!account) throw new Error('the demo data has no staff account of Trường Tiểu học Kim Đồng');
    const school = await signIn(platform, account.email, account.password);
    const schoolId = await staffOrganizationId(school);
    const { issuePupilAccounts } = await school.gql<{ issuePupilAccounts: ResultUnion }>(
      `mutation($org: ID!, $pupils: [PupilInput!]!) { issuePupilAccounts(organizationId: $org, className: "1B", pupils: $pupils) {
        ... on MutationIssuePupilAccountsSuccess { data { pupils { accountId signInName code } } } ${ERROR_FIELDS} } }`,
      { org: schoolId, pupils: [{ displayName: 'Lê Minh An', birthYear: new Date().getUTCFullYear() - 6 }] },
    );
    const [pupil] = ok<{ pupils: { accountId: string; signInName: string; code: string }[] }>(
      issuePupilAccounts,
    ).pupils;
    const { signInWithCode } = await client(platform.baseUrl).gql<{ signInWithCode: ResultUnion }>(
      `mutation($name: String!, $code: String!) { signInWithCode(signInName: $name, code: $code, password: "mật khẩu của em 1") {
        ... on MutationSignInWithCodeSuccess { data { token } } ${ERROR_FIELDS} } }`,
      { name: pupil!.signInName, code: pupil!.code },
    );
    const api = client(platform.baseUrl, ok<{ token: string }>(signInWithCode).token);
    const before = await tallies();
    expectRefusal(await endorse(api), { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'CONSENT_REQUIRED' });
    expectRefusal(await flag(api), { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'CONSENT_REQUIRED' });
    expect(await tallies()).toEqual(before);
    expect(await writtenBy(pupil!.accountId)).toEqual([]);

    // Six years old: the guardian's consent is what the law asks.
    ok(
      (
        await school.gql<{ recordConsent: ResultUnion }>(
          `mutation($id: ID!) { recordConsent(accountId: $id, givenBy: GUARDIAN, guardianName: "Lê Văn Bình", relationship: FATHER, method: PAPER_FORM) { ${ERROR_FIELDS} } }`,
          { id: pupil!.accountId },
        )
      ).recordConsent,
    );
    ok(await endorse(api));
    ok(await flag(api));
    expect(await writtenBy(pupil!.accountId)).toEqual(['CommentEndorsed', 'CommentFlagged']);
  });
});
