// Who is signed in, and the account's own forms: sign-up, e-mail verification, sign-in and out, password reset.
import type { Account, StakeholderCategory, Viewer } from '$lib/types';
import { graphql } from './document';
import { ERROR_FIELDS } from './fragments';
import { GraphQLRequestError, gql, mutate, mutateBoolean, type ApiEvent } from './transport';

export const SESSION_COOKIE = 'gopy_session';

const VIEWER_QUERY = graphql`
  query Viewer {
    viewer {
      account {
        id
        displayName
        pseudonym
        stakeholderCategory
        emailVerified
      }
      memberships {
        organization {
          id
          name
          kind
        }
        roles
      }
      staffOrganizations {
        id
        name
        kind
      }
    }
  }
`;

const SIGN_UP = graphql`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      __typename
      ... on MutationSignUpSuccess {
        data {
          id
          displayName
          emailVerified
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;
const VERIFY_EMAIL = graphql`
  mutation VerifyEmail($token: String!) {
    verifyEmail(token: $token) {
      __typename
      ... on MutationVerifyEmailSuccess {
        data {
          id
          displayName
          emailVerified
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;
const SIGN_IN = graphql`
  mutation SignIn($email: String!, $password: String!) {
    signIn(email: $email, password: $password) {
      __typename
      ... on MutationSignInSuccess {
        data {
          token
          account {
            id
            displayName
            emailVerified
          }
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;
const SIGN_OUT = graphql`
  mutation SignOut {
    signOut
  }
`;
const REQUEST_PASSWORD_RESET = graphql`
  mutation RequestPasswordReset($email: String!) {
    requestPasswordReset(email: $email)
  }
`;
const RESET_PASSWORD = graphql`
  mutation ResetPassword($token: String!, $password: String!) {
    resetPassword(token: $token, password: $password) {
      __typename
      ... on MutationResetPasswordSuccess {
        data
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;

export async function fetchViewer(event: ApiEvent): Promise<Viewer | null> {
  if (!event.locals.token) return null;
  try {
    const data = await gql<{ viewer: Viewer | null }>(event, VIEWER_QUERY);
    return data.viewer;
  } catch (error) {
    // An expired or revoked token reads as signed out, not as a broken page.
    if (error instanceof GraphQLRequestError && error.codes.includes('UNAUTHENTICATED')) return null;
    throw error;
  }
}

export interface SignUpInput {
  email: string;
  password: string;
  displayName: string;
  pseudonym: string | null;
  stakeholderCategory: StakeholderCategory;
  locale: 'VI' | 'EN';
}
export const signUp = (event: ApiEvent, input: SignUpInput) =>
  mutate<Pick<Account, 'id' | 'displayName' | 'emailVerified'>>(event, 'signUp', SIGN_UP, { input });
export const verifyEmail = (event: ApiEvent, token: string) =>
  mutate<Pick<Account, 'id' | 'displayName' | 'emailVerified'>>(event, 'verifyEmail', VERIFY_EMAIL, { token });
export const signIn = (event: ApiEvent, email: string, password: string) =>
  mutate<{ token: string; account: Pick<Account, 'id' | 'displayName' | 'emailVerified'> }>(event, 'signIn', SIGN_IN, {
    email,
    password,
  });
export const signOut = (event: ApiEvent) => mutateBoolean(event, 'signOut', SIGN_OUT, {});
export const requestPasswordReset = (event: ApiEvent, email: string) =>
  mutateBoolean(event, 'requestPasswordReset', REQUEST_PASSWORD_RESET, { email });
export const resetPassword = (event: ApiEvent, token: string, password: string) =>
  mutate<boolean>(event, 'resetPassword', RESET_PASSWORD, { token, password });
