// The fragments and document builders the site's documents share, and the connection helper their answers share.
import type { Page } from '$lib/types';
import { graphql, type GraphQLDocument } from './document';

/** Spread inside every mutation result; the nested spreads are valid whichever error types a union holds. */
export const ERROR_FIELDS = graphql`
  fragment ErrorFields on Error {
    __typename
    code
    message
    messageVi
    messageEn
    ... on ValidationError {
      field
    }
    ... on InputValidationError {
      field
    }
    ... on IllegalStateError {
      rule
    }
    ... on ForbiddenError {
      rule
    }
    ... on ConflictError {
      rule
    }
    ... on RateLimitedError {
      retryAfterSeconds
    }
  }
`;

export const ROUND_FIELDS = graphql`
  fragment RoundFields on ConsultationRound {
    round
    version
    opensAt
    closesAt
    closedAt
    closedEarly
    closeReason
    answered
    isOpen
    phase
  }
`;

/**
 * What the viewer may do now with a policy, a comment or a digest, written out (not a fragment: the API's cost limit
 * counts a spread as one more level). The pages show their buttons and forms from it (see $lib/actions).
 */
export const AVAILABLE_ACTIONS = `availableActions { action allowed refusal { code rule message } }`;

export const NODE_FIELDS = graphql`
  fragment NodeFields on DraftNode {
    id
    kind
    number
    heading
    text
  }
`;

// Six levels: phần → chương → mục → điều → khoản → điểm.
export const NODE_TREE = `nodes { ...NodeFields children { ...NodeFields children { ...NodeFields children { ...NodeFields children { ...NodeFields children { ...NodeFields } } } } } }`;

export const POLICY_CARD_FIELDS = graphql`
  fragment PolicyCardFields on Policy {
    id
    title
    summary
    status
    owningOrganization {
      id
      name
    }
    updatedAt
    currentVersion {
      number
    }
    currentRound {
      ...RoundFields
    }
    commentCount
    enactment {
      version
      decisionNumber
      effectiveDate
      enactedAt
    }
  }
`;

export const COMMENT_FIELDS = graphql`
  fragment CommentFields on Comment {
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
  }
`;

/** A mutation whose result is the union `Mutation<Name>Result`: its success payload, or the typed refusal. */
export function resultMutation(name: string, args: string, params: string, payload: string): GraphQLDocument {
  const title = name.charAt(0).toUpperCase() + name.slice(1);
  return graphql`
		mutation ${title}(${args}) {
			${name}(${params}) {
				__typename
				... on Mutation${title}Success { ${payload} }
				...ErrorFields
			}
		}
		${ERROR_FIELDS}
	`;
}

export interface Connection<T> {
  totalCount?: number;
  pageInfo?: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: T }[];
}

export function toPage<T>(connection: Connection<T>): Page<T> {
  return {
    items: connection.edges.map((e) => e.node),
    endCursor: connection.pageInfo?.endCursor ?? null,
    hasNextPage: connection.pageInfo?.hasNextPage ?? false,
    totalCount: connection.totalCount,
  };
}
