// The response digest of a round ("bản tổng hợp, tiếp thu, giải trình ý kiến"): the public page and the staff page
// where themes are defined, comments assigned and answered, and the spokesperson approves and publishes.
import {
  AVAILABLE_ACTIONS,
  ERROR_FIELDS,
  NODE_FIELDS,
  NODE_TREE,
  gql,
  mutate,
  toPage,
  type ApiEvent,
  type Connection,
  graphql,
  type GraphQLDocument,
} from '$lib/server/api';
import type { Channel } from '$lib/commentTypes';
import type {
  Availability,
  DigestAction,
  Page,
  PolicyAction,
  PolicyStatus,
  Role,
  StakeholderCategory,
  Stance,
  Version,
} from '$lib/types';

import { THEME_DECISIONS, type DigestStatus, type ThemeDecision } from '$lib/digestLabels';

export { THEME_DECISIONS, type DigestStatus, type ThemeDecision };

export interface DigestComment {
  id: string;
  body: string;
  authorName: string;
  stakeholderCategory: StakeholderCategory;
  channel: Channel;
  stance: Stance;
  anchorLabel: string | null;
  digestThemeIds: string[];
}

export interface DigestTheme {
  id: string;
  number: number;
  title: string;
  description: string;
  decision: ThemeDecision | null;
  explanation: string | null;
  sectionsChanged: { nodeId: string; label: string }[];
  commentCount: number;
}

/** A row as the digest was published: its comment while public, else the dated note of why it no longer is. */
export interface PublicEntry {
  number: number;
  commentId: string;
  comment: DigestComment | null;
  note: string | null;
}

export interface PublicTheme extends DigestTheme {
  comments: Page<DigestComment>;
  entries: PublicEntry[];
}

export interface DigestSummary {
  id: string;
  round: number;
  status: DigestStatus;
  publishedAt: string | null;
  approvedAt: string | null;
  coveredCount: number | null;
  visibleCount: number | null;
  countedAtPosition: string | null;
}

interface PolicyHead {
  id: string;
  title: string;
  status: PolicyStatus;
  owningOrganization: { id: string; name: string };
}

// Fields are written out rather than spread from fragments: the API's cost limit counts a fragment spread as one more
// level of depth, and these documents are deep already.
const THEME_FIELDS = `id number title description decision explanation commentCount sectionsChanged { nodeId label }`;
const DIGEST_COMMENT_FIELDS = `id body authorName stakeholderCategory channel stance anchorLabel digestThemeIds`;

const DIGEST_FIELDS = `id round status publishedAt approvedAt coveredCount visibleCount countedAtPosition`;

const PUBLIC_DIGEST_QUERY = graphql`
	query PublicDigest($id: ID!, $round: Int!) {
		policy(id: $id) {
			id title status
			owningOrganization { id name }
			digest(round: $round) {
				${DIGEST_FIELDS} removedSincePublication { total text }
				themes { ${THEME_FIELDS} entries { number commentId removal { note } } }
			}
		}
	}
`;

// The round's comments come in pages of their own: nested under each theme the query would pass the API's cost limit.
const DIGEST_COMMENTS_QUERY = graphql`
	query DigestComments($id: ID!, $round: Int!, $filter: DigestCommentFilter, $after: String) {
		policy(id: $id) {
			id
			digest(round: $round) {
				id
				comments(first: 100, after: $after, filter: $filter) {
					edges { node { ${DIGEST_COMMENT_FIELDS} } }
					pageInfo { hasNextPage endCursor }
				}
			}
		}
	}
`;

const STAFF_DIGEST_QUERY = graphql`
	query StaffDigest($id: ID!, $round: Int!) {
		policy(id: $id) { id digest(round: $round) { ${DIGEST_FIELDS} ${AVAILABLE_ACTIONS} themes { ${THEME_FIELDS} } } }
	}
`;

// Asked apart from the digest: the draft tree, the themes and a page of comments together exceed the API's query
// cost limit.
const STAFF_POLICY_QUERY = graphql`
	query DigestPolicy($id: ID!) {
		policy(id: $id) {
			id title status viewerRoles ${AVAILABLE_ACTIONS}
			owningOrganization { id name }
			currentRound { round }
			currentVersion { number title changeNote publishedAt ${NODE_TREE} }
		}
	}
	${NODE_FIELDS}
`;

function digestMutation(name: string, args: string, params: string): GraphQLDocument {
  const title = name.charAt(0).toUpperCase() + name.slice(1);
  return graphql`
		mutation ${title}($policyId: ID!, $round: Int!${args}) {
			${name}(policyId: $policyId, round: $round${params}) {
				__typename
				... on Mutation${title}Success { data { position theme { id } digest { id status } } }
				...ErrorFields
			}
		}
		${ERROR_FIELDS}
	`;
}

const START_DIGEST = digestMutation('startDigest', '', '');
const DEFINE_THEME = digestMutation(
  'defineTheme',
  ', $themeId: ID, $title: String!, $description: String',
  ', themeId: $themeId, title: $title, description: $description',
);
const ASSIGN_COMMENTS = digestMutation(
  'assignCommentsToTheme',
  ', $themeIds: [ID!]!, $commentIds: [ID!]!, $unassignedCommentIds: [ID!]',
  ', themeIds: $themeIds, commentIds: $commentIds, unassignedCommentIds: $unassignedCommentIds',
);
const ANSWER_THEME = digestMutation(
  'answerTheme',
  ', $themeId: ID!, $decision: ThemeDecision!, $explanation: String, $sectionsChanged: [ID!]',
  ', themeId: $themeId, decision: $decision, explanation: $explanation, sectionsChanged: $sectionsChanged',
);
const APPROVE_DIGEST = digestMutation('approveDigest', '', '');
const PUBLISH_DIGEST = digestMutation('publishDigest', '', '');

export const DIGEST_DOCUMENTS = {
  PUBLIC_DIGEST_QUERY,
  DIGEST_COMMENTS_QUERY,
  STAFF_POLICY_QUERY,
  STAFF_DIGEST_QUERY,
  START_DIGEST,
  DEFINE_THEME,
  ASSIGN_COMMENTS,
  ANSWER_THEME,
  APPROVE_DIGEST,
  PUBLISH_DIGEST,
} as const;

export interface PublicDigest {
  policy: PolicyHead;
  digest: (DigestSummary & { removedSincePublication: { total: number; text: string }; themes: PublicTheme[] }) | null;
}

type CommentsAnswer = { policy: { digest: { comments: Connection<DigestComment> } | null } | null };

async function digestComments(
  event: ApiEvent,
  policyId: string,
  round: number,
  filter: StaffDigestFilter,
  after: string | null,
): Promise<Page<DigestComment>> {
  const data = await gql<CommentsAnswer>(event, DIGEST_COMMENTS_QUERY, { id: policyId, round, filter, after });
  const connection = data.policy?.digest?.comments;
  return connection ? toPage(connection) : { items: [], endCursor: null, hasNextPage: false };
}

/** Most comments the public page lists (in pages of 100); a larger round is read in its downloads. */
const PUBLIC_MAX_PAGES = 50;

/** The digest of a round with its comments under each theme (the API answers null to those who may not see it). */
export async function fetchPublicDigest(
  event: ApiEvent,
  policyId: string,
  round: number,
): Promise<PublicDigest | null> {
  const data = await gql<{
    policy:
      | (PolicyHead & {
          digest:
            | (DigestSummary & {
                removedSincePublication: { total: number; text: string };
                themes: (DigestTheme & {
                  entries: { number: number; commentId: string; removal: { note: string } | null }[];
                })[];
              })
            | null;
        })
      | null;
  }>(event, PUBLIC_DIGEST_QUERY, { id: policyId, round });
  if (!data.policy) return null;
  const { digest, ...policy } = data.policy;
  if (!digest) return { policy, digest: null };
  const comments: DigestComment[] = [];
  let after: string | null = null;
  for (let i = 0; i < PUBLIC_MAX_PAGES; i++) {
    const page = await digestComments(event, policyId, round, {}, after);
    comments.push(...page.items);
    if (!page.hasNextPage || !page.endCursor) break;
    after = page.endCursor;
  }
  // Oldest first within a theme, as the comments came in.
  comments.reverse();
  const byId = new Map(comments.map((c) => [c.id, c]));
  const themes = digest.themes.map((t) => {
    const items = comments.filter((c) => c.digestThemeIds.includes(t.id));
    // Published: the rows it was published with, each comment while public, else its dated note.
    const entries = t.entries.map((e) => ({
      number: e.number,
      commentId: e.commentId,
      comment: e.removal ? null : (byId.get(e.commentId) ?? null),
      note: e.removal?.note ?? null,
    }));
    return { ...t, entries, comments: { items, endCursor: null, hasNextPage: false } };
  });
  return { policy, digest: { ...digest, themes } };
}

export interface StaffDigestFilter {
  unassignedOnly?: boolean;
  themeId?: string;
  nodeId?: string;
  stakeholderCategory?: StakeholderCategory;
  channel?: Channel;
}

export interface StaffDigest {
  policy: PolicyHead & {
    viewerRoles: Role[];
    availableActions: Availability<PolicyAction>[];
    currentRound: { round: number } | null;
    currentVersion: Version | null;
  };
  digest:
    | (DigestSummary & {
        availableActions: Availability<DigestAction>[];
        themes: DigestTheme[];
        comments: Page<DigestComment>;
      })
    | null;
}

/** The digest of the policy's current round (none when the policy has had no round). */
export async function fetchStaffDigest(
  event: ApiEvent,
  policyId: string,
  filter: StaffDigestFilter,
  after: string | null,
): Promise<StaffDigest | null> {
  const head = await gql<{ policy: StaffDigest['policy'] | null }>(event, STAFF_POLICY_QUERY, { id: policyId });
  if (!head.policy) return null;
  const round = head.policy.currentRound?.round ?? 0;
  if (round === 0) return { policy: head.policy, digest: null };
  type Raw = {
    policy: {
      digest: (DigestSummary & { availableActions: Availability<DigestAction>[]; themes: DigestTheme[] }) | null;
    } | null;
  };
  const [data, comments] = await Promise.all([
    gql<Raw>(event, STAFF_DIGEST_QUERY, { id: policyId, round }),
    digestComments(event, policyId, round, filter, after),
  ]);
  const digest = data.policy?.digest ?? null;
  return { policy: head.policy, digest: digest ? { ...digest, comments } : null };
}

type Payload = { position: string; theme: { id: string } | null; digest: { id: string; status: DigestStatus } | null };
const at = (policyId: string, round: number) => ({ policyId, round });

export const startDigest = (event: ApiEvent, policyId: string, round: number) =>
  mutate<Payload>(event, 'startDigest', START_DIGEST, at(policyId, round));
export const defineTheme = (
  event: ApiEvent,
  policyId: string,
  round: number,
  input: { themeId?: string | null; title: string; description: string },
) =>
  mutate<Payload>(event, 'defineTheme', DEFINE_THEME, {
    ...at(policyId, round),
    ...input,
    themeId: input.themeId ?? null,
  });
export const assignComments = (
  event: ApiEvent,
  policyId: string,
  round: number,
  input: { themeIds: string[]; commentIds: string[]; unassignedCommentIds: string[] },
) => mutate<Payload>(event, 'assignCommentsToTheme', ASSIGN_COMMENTS, { ...at(policyId, round), ...input });
export const answerTheme = (
  event: ApiEvent,
  policyId: string,
  round: number,
  input: { themeId: string; decision: ThemeDecision; explanation: string; sectionsChanged: string[] },
) => mutate<Payload>(event, 'answerTheme', ANSWER_THEME, { ...at(policyId, round), ...input });
export const approveDigest = (event: ApiEvent, policyId: string, round: number) =>
  mutate<Payload>(event, 'approveDigest', APPROVE_DIGEST, at(policyId, round));
export const publishDigest = (event: ApiEvent, policyId: string, round: number) =>
  mutate<Payload>(event, 'publishDigest', PUBLISH_DIGEST, at(policyId, round));
