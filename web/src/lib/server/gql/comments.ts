// The policy page's comments with their threads, history and moderation state, and the participant's and
// spokesperson's actions on a comment (reply, edit, withdraw, endorse, flag, official reply).
import {
  AVAILABLE_ACTIONS,
  GraphQLRequestError,
  NODE_FIELDS,
  NODE_TREE,
  ROUND_FIELDS,
  gql,
  mutate,
  resultMutation,
  toPage,
  type ApiEvent,
  type CommentFilter,
  type Connection,
  graphql,
  type GraphQLDocument,
} from '$lib/server/api';
import type { FlagReason, ThreadComment, VersionDocument } from '$lib/commentTypes';
import type { Page, PolicyDetail, Stance, VersionSummary } from '$lib/types';

/** Everything a comment shows on the policy page (the replies add their own replies one level down). */
export const THREAD_FIELDS = graphql`
  fragment ThreadFields on Comment {
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
    receivedAt
    channel
    status
    edited
    endorsementCount
    viewerHasEndorsed
    replyCount
    hiddenReason
    anchorText
    anchorChangesSince
    revisions {
      revision
      body
      stance
      at
    }
    officialReplies {
      id
      body
      at
    }
    attachments {
      id
      fileName
      mediaType
      size
      url
    }
    answer {
      round
    }
  }
`;

// What the viewer may do with each comment is asked on the policy page only (each answer reads the comment's stream).
const REPLIES = `replies { ...ThreadFields ${AVAILABLE_ACTIONS} replies { ...ThreadFields ${AVAILABLE_ACTIONS} } }`;

const POLICY_THREADS_QUERY = graphql`
	query PolicyThreads($id: ID!, $first: Int!, $after: String, $nodeId: ID, $wholeDraftOnly: Boolean) {
		policy(id: $id) {
			id title summary status
			owningOrganization { id name }
			proposedAt updatedAt
			currentVersion { number title changeNote publishedAt ${NODE_TREE} }
			versions { number title changeNote publishedAt revisesRound }
			documents { id kind title version fileName mediaType size url }
			currentRound { ...RoundFields }
			enactment { version decisionNumber effectiveDate enactedAt }
			withdrawalReason commentCount removedComments { total text } viewerRoles ${AVAILABLE_ACTIONS}
			rounds { round version answered }
			comments(first: $first, after: $after, nodeId: $nodeId, wholeDraftOnly: $wholeDraftOnly) {
				totalCount
				pageInfo { hasNextPage endCursor }
				edges { cursor node { ...ThreadFields ${AVAILABLE_ACTIONS} ${REPLIES} } }
			}
		}
	}
	${ROUND_FIELDS}
	${NODE_FIELDS}
	${THREAD_FIELDS}
`;

const MY_COMMENTS_QUERY = graphql`
  query MyThreadComments($first: Int!) {
    viewer {
      myComments(first: $first) {
        edges {
          node {
            ...ThreadFields
          }
        }
      }
    }
  }
  ${THREAD_FIELDS}
`;

const CHANGE_PAYLOAD = `data { position comment { id status } }`;

function commentMutation(name: string, args: string, params: string): GraphQLDocument {
  return resultMutation(name, args, params, CHANGE_PAYLOAD);
}

const SUBMIT_REPLY = resultMutation(
  'submitComment',
  '$input: SubmitCommentInput!',
  'input: $input',
  'data { position comment { id } }',
);
const EDIT_COMMENT = commentMutation(
  'editComment',
  '$commentId: ID!, $body: String!, $stance: Stance!',
  'commentId: $commentId, body: $body, stance: $stance',
);
const WITHDRAW_COMMENT = commentMutation(
  'withdrawComment',
  '$commentId: ID!, $reason: String',
  'commentId: $commentId, reason: $reason',
);
const FLAG_COMMENT = commentMutation(
  'flagComment',
  '$commentId: ID!, $reason: FlagReason!, $note: String',
  'commentId: $commentId, reason: $reason, note: $note',
);
const ENDORSE_COMMENT = commentMutation('endorseComment', '$commentId: ID!', 'commentId: $commentId');
const POST_OFFICIAL_REPLY = commentMutation(
  'postOfficialReply',
  '$commentId: ID!, $body: String!',
  'commentId: $commentId, body: $body',
);

export const COMMENT_DOCUMENTS = {
  POLICY_THREADS_QUERY,
  MY_COMMENTS_QUERY,
  SUBMIT_REPLY,
  EDIT_COMMENT,
  WITHDRAW_COMMENT,
  FLAG_COMMENT,
  ENDORSE_COMMENT,
  POST_OFFICIAL_REPLY,
} as const;

function withReplies(comment: ThreadComment): ThreadComment {
  return { ...comment, replies: (comment.replies ?? []).map(withReplies) };
}

export type ThreadPolicy = PolicyDetail & { versions: VersionSummary[]; documents: VersionDocument[] };

export async function fetchPolicyThreads(
  event: ApiEvent,
  id: string,
  filter: CommentFilter,
): Promise<{ policy: ThreadPolicy; comments: Page<ThreadComment> } | null> {
  const data = await gql<{
    policy: (ThreadPolicy & { comments: Connection<ThreadComment> & { totalCount: number } }) | null;
  }>(event, POLICY_THREADS_QUERY, {
    id,
    first: filter.first,
    after: filter.after,
    nodeId: filter.nodeId,
    wholeDraftOnly: filter.wholeDraftOnly || null,
  });
  if (!data.policy) return null;
  const { comments, ...policy } = data.policy;
  const page = toPage(comments);
  return { policy, comments: { ...page, items: page.items.map(withReplies) } };
}

/** The signed-in author's own comments on a policy, whatever their state (hidden ones with the reason). */
export async function fetchMyComments(event: ApiEvent, policyId: string): Promise<ThreadComment[]> {
  if (!event.locals.token) return [];
  let data: { viewer: { myComments: Connection<ThreadComment> } | null };
  try {
    data = await gql(event, MY_COMMENTS_QUERY, { first: 100 });
  } catch (error) {
    // An expired session reads as signed out, as the header does.
    if (error instanceof GraphQLRequestError && error.codes.includes('UNAUTHENTICATED')) return [];
    throw error;
  }
  if (!data.viewer) return [];
  return data.viewer.myComments.edges.map((e) => ({ ...e.node, replies: [] })).filter((c) => c.policyId === policyId);
}

type ChangePayload = { position: string; comment: { id: string; status: string } };

export const submitReply = (
  event: ApiEvent,
  input: {
    policyId: string;
    parentCommentId: string;
    nodeId: string | null;
    body: string;
    stance: Stance;
    idempotencyKey: string;
    usePseudonym: boolean;
  },
) => mutate<{ position: string; comment: { id: string } }>(event, 'submitComment', SUBMIT_REPLY, { input });
export const editComment = (event: ApiEvent, commentId: string, body: string, stance: Stance) =>
  mutate<ChangePayload>(event, 'editComment', EDIT_COMMENT, { commentId, body, stance });
export const withdrawComment = (event: ApiEvent, commentId: string, reason: string | null) =>
  mutate<ChangePayload>(event, 'withdrawComment', WITHDRAW_COMMENT, { commentId, reason });
export const flagComment = (event: ApiEvent, commentId: string, reason: FlagReason, note: string | null) =>
  mutate<ChangePayload>(event, 'flagComment', FLAG_COMMENT, { commentId, reason, note });
export const endorseComment = (event: ApiEvent, commentId: string) =>
  mutate<ChangePayload>(event, 'endorseComment', ENDORSE_COMMENT, { commentId });
export const postOfficialReply = (event: ApiEvent, commentId: string, body: string) =>
  mutate<ChangePayload>(event, 'postOfficialReply', POST_OFFICIAL_REPLY, { commentId, body });
