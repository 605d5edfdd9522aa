// Searching a policy's comments, following policies and reading notifications over GraphQL. Server-only, like
// $lib/server/api; the refusals come back as the same neutral `Result` the other forms use.
import {
  ERROR_FIELDS,
  gql,
  mutate,
  type ApiEvent,
  type Comment,
  type Page,
  type PolicyStatus,
  type StakeholderCategory,
  type Stance,
  graphql,
  type GraphQLDocument,
} from '$lib/server/api';

export type Channel = 'WEB' | 'EMAIL' | 'LETTER' | 'MEETING' | 'CONFERENCE' | 'PHONE' | 'PRESS' | 'SOCIAL_MEDIA';
export const CHANNELS: readonly Channel[] = [
  'WEB',
  'EMAIL',
  'LETTER',
  'MEETING',
  'CONFERENCE',
  'PHONE',
  'PRESS',
  'SOCIAL_MEDIA',
];

export type NotificationKind =
  'ROUND_OPENED' | 'ROUND_CLOSED' | 'REPLY' | 'OFFICIAL_REPLY' | 'DIGEST_PUBLISHED' | 'COMMENT_ANSWERED';

export interface Notification {
  id: string;
  kind: NotificationKind;
  text: string;
  round: number | null;
  commentId: string | null;
  /** Where to read it: the digest for a published digest and for answered comments, else the policy. */
  url: string;
  /** For COMMENT_ANSWERED: the reader's comments the digest answered, each with its outcome and its row's link. */
  answers: {
    commentId: string;
    excerpt: string;
    anchorLabel: string | null;
    decision: string;
    decisionLabel: string;
    url: string;
  }[];
  createdAt: string;
  read: boolean;
  policy: { id: string; title: string };
}

export interface SearchFilter {
  query: string;
  nodeId: string | null;
  stance: Stance | null;
  category: StakeholderCategory | null;
  channel: Channel | null;
  from: string | null;
  to: string | null;
  first: number;
  after: string | null;
}

const SEARCH_COMMENTS_QUERY = graphql`
  query SearchComments(
    $policyId: ID!
    $query: String!
    $nodeId: ID
    $stance: Stance
    $category: StakeholderCategory
    $channel: Channel
    $from: DateTime
    $to: DateTime
    $first: Int
    $after: String
  ) {
    searchComments(
      policyId: $policyId
      query: $query
      nodeId: $nodeId
      stance: $stance
      category: $category
      channel: $channel
      from: $from
      to: $to
      first: $first
      after: $after
    ) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          policyId
          policyTitle
          round
          version
          anchorNodeId
          anchorLabel
          parentCommentId
          body
          stance
          stakeholderCategory
          authorName
          submittedAt
          channel
        }
      }
    }
  }
`;

const SEARCH_NODE = 'id kind number heading';
/** Six levels, as the draft tree has: phần → chương → mục → điều → khoản → điểm. */
const SEARCH_NODE_TREE = `nodes { ${SEARCH_NODE} children { ${SEARCH_NODE} children { ${SEARCH_NODE} children { ${SEARCH_NODE} children { ${SEARCH_NODE} children { ${SEARCH_NODE} } } } } } }`;

const SEARCH_POLICY_QUERY = graphql`
	query SearchPolicy($id: ID!) {
		policy(id: $id) { id title status commentCount viewerFollows currentVersion { number ${SEARCH_NODE_TREE} } }
	}
`;

const FOLLOW_STATE_QUERY = graphql`
  query FollowState($id: ID!) {
    policy(id: $id) {
      id
      viewerFollows
    }
  }
`;

const UNREAD_COUNT_QUERY = graphql`
  query UnreadNotifications {
    viewer {
      unreadNotificationCount
    }
  }
`;

const NOTIFICATIONS_QUERY = graphql`
  query Notifications($first: Int!, $after: String) {
    viewer {
      unreadNotificationCount
      notifications(first: $first, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            id
            kind
            text
            round
            commentId
            url
            answers {
              commentId
              excerpt
              anchorLabel
              decision
              decisionLabel
              url
            }
            createdAt
            read
            policy {
              id
              title
            }
          }
        }
      }
    }
  }
`;

function followMutation(name: 'followPolicy' | 'unfollowPolicy'): GraphQLDocument {
  const title = name.charAt(0).toUpperCase() + name.slice(1);
  return graphql`
		mutation ${title}($policyId: ID!) {
			${name}(policyId: $policyId) {
				__typename
				... on Mutation${title}Success { data { following position } }
				...ErrorFields
			}
		}
		${ERROR_FIELDS}
	`;
}
const FOLLOW_POLICY = followMutation('followPolicy');
const UNFOLLOW_POLICY = followMutation('unfollowPolicy');

const MARK_NOTIFICATIONS_READ = graphql`
  mutation MarkNotificationsRead($ids: [ID!]) {
    markNotificationsRead(ids: $ids) {
      __typename
      ... on MutationMarkNotificationsReadSuccess {
        data {
          marked
          position
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;

export const SEARCH_DOCUMENTS = {
  SEARCH_POLICY_QUERY,
  SEARCH_COMMENTS_QUERY,
  FOLLOW_STATE_QUERY,
  UNREAD_COUNT_QUERY,
  NOTIFICATIONS_QUERY,
  FOLLOW_POLICY,
  UNFOLLOW_POLICY,
  MARK_NOTIFICATIONS_READ,
} as const;

interface Connection<T> {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: T }[];
}

function toPage<T>(connection: Connection<T>): Page<T> {
  return {
    items: connection.edges.map((e) => e.node),
    endCursor: connection.pageInfo.endCursor,
    hasNextPage: connection.pageInfo.hasNextPage,
  };
}

export type SearchHit = Comment & { channel: Channel };

export async function searchComments(
  event: ApiEvent,
  policyId: string,
  filter: SearchFilter,
): Promise<Page<SearchHit>> {
  const data = await gql<{ searchComments: Connection<SearchHit> }>(event, SEARCH_COMMENTS_QUERY, {
    policyId,
    ...filter,
  });
  return toPage(data.searchComments);
}

export interface SearchNode {
  id: string;
  kind: string;
  number: string;
  heading: string;
  children?: SearchNode[];
}
export interface SearchPolicy {
  id: string;
  title: string;
  status: PolicyStatus;
  commentCount: number;
  viewerFollows: boolean;
  currentVersion: { number: number; nodes: SearchNode[] } | null;
}

/** What the search page needs of the policy: its title, whether the reader follows it and its nodes for the filter. */
export async function fetchSearchPolicy(event: ApiEvent, id: string): Promise<SearchPolicy | null> {
  return (await gql<{ policy: SearchPolicy | null }>(event, SEARCH_POLICY_QUERY, { id })).policy;
}

/** Whether the signed-in reader follows the policy (false when signed out). */
export async function fetchFollowing(event: ApiEvent, policyId: string): Promise<boolean> {
  if (!event.locals.token) return false;
  const data = await gql<{ policy: { viewerFollows: boolean } | null }>(event, FOLLOW_STATE_QUERY, { id: policyId });
  return data.policy?.viewerFollows ?? false;
}

/** Unread notifications of the signed-in reader; 0 when signed out or when the API cannot say (the nav must not fail). */
export async function fetchUnreadCount(event: ApiEvent): Promise<number> {
  if (!event.locals.token) return 0;
  try {
    const data = await gql<{ viewer: { unreadNotificationCount: number } | null }>(event, UNREAD_COUNT_QUERY);
    return data.viewer?.unreadNotificationCount ?? 0;
  } catch {
    return 0;
  }
}

export async function fetchNotifications(
  event: ApiEvent,
  first: number,
  after: string | null,
): Promise<{ unread: number; page: Page<Notification> }> {
  const data = await gql<{
    viewer: { unreadNotificationCount: number; notifications: Connection<Notification> } | null;
  }>(event, NOTIFICATIONS_QUERY, { first, after });
  if (!data.viewer) return { unread: 0, page: { items: [], endCursor: null, hasNextPage: false } };
  return { unread: data.viewer.unreadNotificationCount, page: toPage(data.viewer.notifications) };
}

export const followPolicy = (event: ApiEvent, policyId: string, follow: boolean) =>
  follow
    ? mutate<{ following: boolean; position: string }>(event, 'followPolicy', FOLLOW_POLICY, { policyId })
    : mutate<{ following: boolean; position: string }>(event, 'unfollowPolicy', UNFOLLOW_POLICY, { policyId });

/** Marks these notifications read, or every unread one when `ids` is null. */
export const markNotificationsRead = (event: ApiEvent, ids: string[] | null) =>
  mutate<{ marked: number; position: string }>(event, 'markNotificationsRead', MARK_NOTIFICATIONS_READ, { ids });
