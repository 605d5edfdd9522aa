/**
 * The moderators' list of hidden comments (what they may restore): a moderator of the policy's organisation and an
 * auditor see a hidden comment with its reason; participants, staff and spokespeople see none; anonymous callers are
 * refused; a restored comment leaves the list.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../support/platform';
import { ERROR_FIELDS, client, ok, signInAs, stopPlatform, type Client, type ResultUnion } from './support';

const HIDDEN = '{ hiddenComments { id status hiddenReason } }';
const SUBMIT = `mutation($input: SubmitCommentInput!) { submitComment(input: $input) { ${ERROR_FIELDS} ... on MutationSubmitCommentSuccess { data { comment { id } } } } }`;
const HIDE = `mutation($id: ID!) { hideComment(commentId: $id, reasonCode: OFF_TOPIC, reason: "Không liên quan đến dự thảo") { ${ERROR_FIELDS} ... on MutationHideCommentSuccess { data { comment { id status } } } } }`;
const RESTORE = `mutation($id: ID!) { restoreComment(commentId: $id, reason: "Xem xét lại: có liên quan") { ${ERROR_FIELDS} ... on MutationRestoreCommentSuccess { data { comment { id status } } } } }`;

type Hidden = { hiddenComments: { id: string; status: string; hiddenReason: string | null }[] };

describe('hiddenComments', () => {
  let platform: Platform;
  let parent: Client;
  let staff: Client;
  let moderator: Client;
  let spokesperson: Client;
  let auditor: Client;
  let commentId: string;

  beforeAll(async () => {
    platform = await startPlatform();
    parent = await signInAs(platform, 'participant');
    staff = await signInAs(platform, 'staff');
    moderator = await signInAs(platform, 'moderator');
    spokesperson = await signInAs(platform, 'spokesperson');
    auditor = await signInAs(platform, 'auditor');
    const list = await client(platform.baseUrl).gql<{ policies: { edges: { node: { id: string } }[] } }>(
      '{ policies(status: CONSULTATION) { edges { node { id } } } }',
    );
    const policyId = list.policies.edges[0]!.node.id;
    const submitted = await parent.gql<{ submitComment: ResultUnion }>(SUBMIT, {
      input: {
        policyId,
        body: 'Quảng cáo dịch vụ gia sư, không liên quan.',
        stance: 'NEUTRAL',
        idempotencyKey: randomUUID(),
      },
    });
    commentId = ok<{ comment: { id: string } }>(submitted.submitComment).comment.id;
    ok((await moderator.gql<{ hideComment: ResultUnion }>(HIDE, { id: commentId })).hideComment);
  }, 180_000);

  afterAll(async () => {
    await stopPlatform(platform);
  });

  it('lists a hidden comment with its reason for the moderator and the auditor only', async () => {
    for (const who of [moderator, auditor]) {
      const found = (await who.gql<Hidden>(HIDDEN)).hiddenComments.find((c) => c.id === commentId);
      expect(found).toEqual({ id: commentId, status: 'hidden', hiddenReason: 'Không liên quan đến dự thảo' });
    }
    for (const who of [parent, staff, spokesperson]) {
      expect((await who.gql<Hidden>(HIDDEN)).hiddenComments).toEqual([]);
    }
  });

  it('refuses an anonymous caller', async () => {
    const body = await client(platform.baseUrl).raw(HIDDEN);
    expect(body.data?.hiddenComments ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('drops a restored comment from the list', async () => {
    ok((await moderator.gql<{ restoreComment: ResultUnion }>(RESTORE, { id: commentId })).restoreComment);
    expect((await moderator.gql<Hidden>(HIDDEN)).hiddenComments.map((c) => c.id)).not.toContain(commentId);
  });
});
