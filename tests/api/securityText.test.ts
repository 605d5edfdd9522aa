/**
 * Text that enters the log (issue 15, finding 4): every string of every command is NFC with LF line breaks, and
 * control characters (other than tab and newline), unpaired surrogates and noncharacters are refused as VALIDATION
 * naming the field, before anything is decided or stored. A body of just "\u0000" used to be a valid comment, and it
 * broke the round's .docx digest for everyone.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../support/platform';
import {
  ERROR_FIELDS,
  PROPOSE_POLICY,
  PUBLISH_DRAFT_VERSION,
  draftTree,
  draftedPolicy,
  expectRefusal,
  ok,
  openPolicy,
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
let staff: Client;
let moderator: Client;
let auditor: Client;
let staffId: string;
let organizationId: string;
let policyId: string;
let participant: NewAccount & { api: Client };

/** How many events the account has written, read by an auditor from the log itself. */
async function eventsBy(accountId: string): Promise<number> {
  const { auditEvents } = await auditor.gql<{ auditEvents: { events: unknown[] } }>(
    `query($actor: ID!) { auditEvents(first: 500, actorAccountId: $actor) { events { eventId } } }`,
    { actor: accountId },
  );
  return auditEvents.events.length;
}

/** Runs a refused write and asserts VALIDATION naming `field`, with the writer's events unchanged in the log. */
async function expectRefusedUnstored(
  writerId: string,
  write: () => Promise<ResultUnion>,
  field: string,
): Promise<ResultUnion> {
  const before = await eventsBy(writerId);
  const result = await write();
  expectRefusal(result, { typename: 'ValidationError', code: 'VALIDATION', field });
  expect(await eventsBy(writerId)).toBe(before);
  return result;
}

beforeAll(async () => {
  platform = await startPlatform();
  staff = await signInAs(platform, 'staff');
  moderator = await signInAs(platform, 'moderator');
  auditor = await signInAs(platform, 'auditor');
  staffId = (await staff.gql<{ viewer: { account: { id: string } } }>(`{ viewer { account { id } } }`)).viewer.account
    .id;
  organizationId = await staffOrganizationId(staff);
  policyId = (await openPolicy(staff, organizationId)).id;
  participant = await verifiedParticipant(platform);
});

afterAll(async () => {
  await stopPlatform(platform);
});

describe('control characters are refused where commands enter', () => {
  it('a comment whose body is just NUL is VALIDATION field body, and nothing is stored', async () => {
    const countBefore = (
      await staff.gql<{ policy: { commentCount: number } }>(`query($id: ID!) { policy(id: $id) { commentCount } }`, {
        id: policyId,
      })
    ).policy.commentCount;
    const result = await expectRefusedUnstored(
      participant.id,
      () => submitComment(participant.api, { policyId, body: '\u0000', stance: 'SUPPORT' }),
      'body',
    );
    expect(result.messageVi).toContain('U+0000');
    expect(result.messageEn).toContain('U+0000');
    const countAfter = (
      await staff.gql<{ policy: { commentCount: number } }>(`query($id: ID!) { policy(id: $id) { commentCount } }`, {
        id: policyId,
      })
    ).policy.commentCount;
    expect(countAfter).toBe(countBefore);
  });

  it('a policy title with BEL is VALIDATION field title, and no policy is proposed', async () => {
    const title = `Quy định về đồng phục\u0007 ${randomUUID().slice(0, 6)}`;
    await expectRefusedUnstored(
      staffId,
      async () =>
        (
          await staff.gql<{ proposePolicy: ResultUnion }>(PROPOSE_POLICY, {
            input: { organizationId, title, summary: 'Dự thảo.' },
          })
        ).proposePolicy,
      'title',
    );
    const { policies } = await staff.gql<{ policies: { edges: { node: { title: string } }[] } }>(
      `{ policies(first: 100) { edges { node { title } } } }`,
    );
    expect(policies.edges.map((e) => e.node.title)).not.toContain(title);
    expect(policies.edges.map((e) => e.node.title)).not.toContain(title.replace('\u0007', ''));
  });

  it('every command’s text is checked, not only comments: the field is named by its path', async () => {
    const drafted = await draftedPolicy(staff, organizationId, { publish: false });
    const nodes = draftTree();
    nodes[0].children[0].children[0].text = 'Học sinh được mượn sách\u001b[31m miễn phí.';
    await expectRefusedUnstored(
      staffId,
      async () =>
        (
          await staff.gql<{ publishDraftVersion: ResultUnion }>(PUBLISH_DRAFT_VERSION, {
            input: { policyId: drafted, title: 'Dự thảo lần 1', changeNote: '', nodes },
          })
        ).publishDraftVersion,
      'nodes[0].children[0].children[0].text',
    );

    const commentId = ok<{ comment: { id: string } }>(
      await submitComment(participant.api, { policyId, body: 'Một góp ý bình thường.', stance: 'SUPPORT' }),
    ).comment.id;
    const moderatorId = (await moderator.gql<{ viewer: { account: { id: string } } }>(`{ viewer { account { id } } }`))
      .viewer.account.id;
    await expectRefusedUnstored(
      moderatorId,
      async () =>
        (
          await moderator.gql<{ hideComment: ResultUnion }>(
            `mutation($id: ID!, $reason: String!) { hideComment(commentId: $id, reasonCode: SPAM, reason: $reason) { ${ERROR_FIELDS} } }`,
            { id: commentId, reason: 'Quảng cáo\u0085' },
          )
        ).hideComment,
      'reason',
    );

    await expectRefusedUnstored(
      staffId,
      async () =>
        (
          await staff.gql<{ recordOfflineFeedback: ResultUnion }>(
            `mutation($input: RecordOfflineFeedbackInput!) { recordOfflineFeedback(input: $input) { ${ERROR_FIELDS} } }`,
            {
              input: {
                policyId,
                channel: 'LETTER',
                receivedAt: new Date(Date.now() - 1000).toISOString(),
                senderName: 'Nguyễn Văn An\uffff',
                stakeholderCategory: 'PARENT',
                body: 'Thư góp ý về thư viện.',
                stance: 'SUGGESTION',
                idempotencyKey: randomUUID(),
              },
            },
          )
        ).recordOfflineFeedback,
      'offlineSender.name',
    );
  });

  it('a lone surrogate is refused too (sent as JSON text, as a client bug would send it)', async () => {
    const before = await eventsBy(participant.id);
    const res = await fetch(`${platform.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${participant.api.token}` },
      body: `{"query":${JSON.stringify(`mutation($input: SubmitCommentInput!) { submitComment(input: $input) { ${ERROR_FIELDS} } }`)},"variables":{"input":{"policyId":"${policyId}","body":"G\\ud83d\\u00f3p \\u00fd","stance":"OPPOSE","idempotencyKey":"${randomUUID()}"}}}`,
    });
    const body = (await res.json()) as { data: { submitComment: ResultUnion } };
    expectRefusal(body.data.submitComment, { typename: 'ValidationError', code: 'VALIDATION', field: 'body' });
    expect(await eventsBy(participant.id)).toBe(before);
  });

  it('CR LF and a lone CR are stored as LF; tabs and newlines stay', async () => {
    const comment = ok<{ comment: { body: string } }>(
      await submitComment(participant.api, {
        policyId,
        body: 'Dòng một\r\nDòng hai\rDòng ba\n\tthụt đầu dòng',
        stance: 'SUGGESTION',
      }),
    ).comment;
    expect(comment.body).toBe('Dòng một\nDòng hai\nDòng ba\n\tthụt đầu dòng');
  });
});
