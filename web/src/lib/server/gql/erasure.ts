// The person erases their own account (issue 15): the password typed again, and what becomes of their comments.
import { ERROR_FIELDS, mutate, type ApiEvent, graphql } from '$lib/server/api';

export type ErasureComments = 'ANONYMOUS' | 'DESTROY';

export interface ErasureReport {
  comments: ErasureComments;
  commentCount: number;
  remains: string[];
  outside: string[];
}

const ERASE_MY_ACCOUNT = graphql`
  mutation EraseMyAccount($password: String!, $comments: ErasureComments!) {
    eraseMyAccount(password: $password, comments: $comments) {
      __typename
      ... on MutationEraseMyAccountSuccess {
        data {
          comments
          commentCount
          remains
          outside
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;

export const eraseMyAccount = (event: ApiEvent, password: string, comments: ErasureComments) =>
  mutate<ErasureReport>(event, 'eraseMyAccount', ERASE_MY_ACCOUNT, { password, comments });
