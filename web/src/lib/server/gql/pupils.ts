// Pupils' accounts over GraphQL: issuing a class list, consents, and the first sign-in with a printed code.
import { ERROR_FIELDS, gql, mutate, type ApiEvent, graphql } from '$lib/server/api';

export type ConsentStatus = 'NOT_REQUIRED' | 'GIVEN' | 'MISSING';
export interface Pupil {
  accountId: string;
  displayName: string;
  className: string;
  birthYear: number;
  consentStatus: ConsentStatus;
  consents: { id: string; givenBy: 'GUARDIAN' | 'PUPIL'; active: boolean }[];
}
export interface IssuedPupil {
  accountId: string;
  displayName: string;
  signInName: string;
  code: string;
}

const PUPILS_QUERY = graphql`
  query Pupils($org: ID!) {
    pupils(organizationId: $org) {
      accountId
      displayName
      className
      birthYear
      consentStatus
      consents {
        id
        givenBy
        active
      }
    }
  }
`;

export async function fetchPupils(event: ApiEvent, organizationId: string): Promise<Pupil[]> {
  return (await gql<{ pupils: Pupil[] }>(event, PUPILS_QUERY, { org: organizationId })).pupils;
}

const ISSUE = graphql`
  mutation IssuePupilAccounts($org: ID!, $className: String!, $pupils: [PupilInput!]!) {
    issuePupilAccounts(organizationId: $org, className: $className, pupils: $pupils) {
      __typename
      ... on MutationIssuePupilAccountsSuccess {
        data {
          pupils {
            accountId
            displayName
            signInName
            code
          }
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;
export const issuePupilAccounts = (
  event: ApiEvent,
  organizationId: string,
  className: string,
  pupils: { displayName: string; birthYear: number }[],
) => mutate<{ pupils: IssuedPupil[] }>(event, 'issuePupilAccounts', ISSUE, { org: organizationId, className, pupils });

const RECORD = graphql`
  mutation RecordConsent(
    $id: ID!
    $givenBy: ConsentGiver!
    $name: String
    $relationship: GuardianRelationship
    $method: ConsentMethod!
  ) {
    recordConsent(
      accountId: $id
      givenBy: $givenBy
      guardianName: $name
      relationship: $relationship
      method: $method
    ) {
      __typename
      ... on MutationRecordConsentSuccess {
        data {
          position
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;
export const recordConsent = (
  event: ApiEvent,
  input: {
    accountId: string;
    givenBy: 'GUARDIAN' | 'PUPIL';
    guardianName: string | null;
    relationship: string | null;
    method: string;
  },
) =>
  mutate<{ position: string }>(event, 'recordConsent', RECORD, {
    id: input.accountId,
    givenBy: input.givenBy,
    name: input.guardianName,
    relationship: input.relationship,
    method: input.method,
  });

const WITHDRAW = graphql`
  mutation WithdrawConsent($id: ID!, $consent: ID!, $reason: String) {
    withdrawConsent(accountId: $id, consentId: $consent, reason: $reason) {
      __typename
      ... on MutationWithdrawConsentSuccess {
        data {
          position
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;
export const withdrawConsent = (event: ApiEvent, accountId: string, consentId: string, reason: string) =>
  mutate<{ position: string }>(event, 'withdrawConsent', WITHDRAW, { id: accountId, consent: consentId, reason });

const SIGN_IN_WITH_CODE = graphql`
  mutation SignInWithCode($name: String!, $code: String!, $password: String!) {
    signInWithCode(signInName: $name, code: $code, password: $password) {
      __typename
      ... on MutationSignInWithCodeSuccess {
        data {
          token
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;
export const signInWithCode = (event: ApiEvent, signInName: string, code: string, password: string) =>
  mutate<{ token: string }>(event, 'signInWithCode', SIGN_IN_WITH_CODE, { name: signInName, code, password });
