// Answering a consultation round over GraphQL, as the digest pages do: staff start the digest, put every visible
// comment of the round into one theme and answer it; the spokesperson approves and publishes, which records
// RoundAnswered on the policy (what revising and enacting wait for).
import { expect } from 'vitest';
import type { Platform } from './platform';
import { ERROR_FIELDS, ok, signInAs, type Client, type ResultUnion } from '../api/support';

const args = '$policyId: ID!, $round: Int!';
const digestMutation = (name: string, extraArgs = '', extraParams = '') => `mutation(${args}${extraArgs}) {
	${name}(policyId: $policyId, round: $round${extraParams}) {
		${ERROR_FIELDS}
		... on Mutation${name[0]!.toUpperCase()}${name.slice(1)}Success { data { position theme { id } digest { status } } }
	}
}`;

const ROUND_COMMENTS = `query($id: ID!, $round: Int!, $after: String) {
	policy(id: $id) { digest(round: $round) { comments(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } } }
}`;

type Payload = { theme: { id: string } | null; digest: { status: string } | null };

export async function answerRound(platform: Platform, staff: Client, policyId: string, round: number): Promise<void> {
  const call = async (
    who: Client,
    name: string,
    extra: Record<string, unknown> = {},
    extraArgs = '',
    extraParams = '',
  ) => {
    const result = await who.gql<Record<string, ResultUnion>>(digestMutation(name, extraArgs, extraParams), {
      policyId,
      round,
      ...extra,
    });
    return ok<Payload>(result[name]!);
  };
  await call(staff, 'startDigest');
  const theme = await call(
    staff,
    'defineTheme',
    { title: 'Ý kiến về dự thảo' },
    ', $title: String!',
    ', title: $title',
  );
  const themeId = theme.theme!.id;
  const commentIds: string[] = [];
  let after: string | null = null;
  for (;;) {
    type Page = {
      policy: {
        digest: {
          comments: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { id: string } }[] };
        };
      };
    };
    const page: Page = await staff.gql<Page>(ROUND_COMMENTS, { id: policyId, round, after });
    commentIds.push(...page.policy.digest.comments.edges.map((e) => e.node.id));
    if (!page.policy.digest.comments.pageInfo.hasNextPage) break;
    after = page.policy.digest.comments.pageInfo.endCursor;
  }
  if (commentIds.length > 0) {
    await call(
      staff,
      'assignCommentsToTheme',
      { themeIds: [themeId], commentIds },
      ', $themeIds: [ID!]!, $commentIds: [ID!]!',
      ', themeIds: $themeIds, commentIds: $commentIds',
    );
  }
  await call(
    staff,
    'answerTheme',
    { themeId, explanation: 'Ban soạn thảo tiếp thu và sửa dự thảo.' },
    ', $themeId: ID!, $explanation: String',
    ', themeId: $themeId, decision: ACCEPTED, explanation: $explanation',
  );
  const spokesperson = await signInAs(platform, 'spokesperson');
  await call(spokesperson, 'approveDigest');
  const published = await call(spokesperson, 'publishDigest');
  expect(published.digest?.status).toBe('PUBLISHED');
}
