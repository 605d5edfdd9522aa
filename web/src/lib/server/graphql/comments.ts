// A participant's own comments, and submitting one.
import type { Comment, Page, Stance } from '$lib/types';
import { graphql } from './document';
import { COMMENT_FIELDS, ERROR_FIELDS, toPage, type Connection } from './fragments';
import { gql, mutate, type ApiEvent } from './transport';

const MY_COMMENTS_QUERY = graphql`
  query MyComments($first: Int!, $after: String) {
    viewer {
      myComments(first: $first, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          cursor
          node {
            ...CommentFields
          }
        }
      }
    }
  }
  ${COMMENT_FIELDS}
`;

const SUBMIT_COMMENT = graphql`
  mutation SubmitComment($input: SubmitCommentInput!) {
    submitComment(input: $input) {
      __typename
      ... on MutationSubmitCommentSuccess {
        data {
          position
          comment {
            id
          }
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;

export async function fetchMyComments(event: ApiEvent, first: number, after: string | null): Promise<Page<Comment>> {
  const data = await gql<{ viewer: { myComments: Connection<Comment> } | null }>(event, MY_COMMENTS_QUERY, {
    first,
    after,
  });
  if (!data.viewer) return { items: [], endCursor: null, hasNextPage: false };
  return toPage(data.viewer.myComments);
}

export interface SubmitCommentInput {
  policyId: string;
  nodeId: string | null;
  body: string;
  stance: Stance;
  idempotencyKey: string;
  usePseudonym: boolean;
}
export const submitComment = (event: ApiEvent, input: SubmitCommentInput) =>
  mutate<{ position: string; comment: { id: string } }>(event, 'submitComment', SUBMIT_COMMENT, { input });
