// Organisations, their members, and granting roles.
import type { Member, Organization, Role } from '$lib/types';
import { graphql } from './document';
import { ERROR_FIELDS } from './fragments';
import { gql, mutate, type ApiEvent } from './transport';

const ORGANIZATIONS_QUERY = graphql`
  query Organizations {
    organizations {
      id
      name
      kind
    }
  }
`;

const MEMBERS_QUERY = graphql`
  query Members($organizationId: ID!) {
    members(organizationId: $organizationId) {
      account {
        id
        displayName
      }
      roles
    }
  }
`;

const GRANT_ROLES = graphql`
  mutation GrantRoles($organizationId: ID!, $email: String!, $roles: [Role!]!) {
    grantRoles(organizationId: $organizationId, email: $email, roles: $roles) {
      __typename
      ... on MutationGrantRolesSuccess {
        data {
          account {
            id
            displayName
          }
          roles
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;

export async function fetchOrganizations(event: ApiEvent): Promise<Organization[]> {
  return (await gql<{ organizations: Organization[] }>(event, ORGANIZATIONS_QUERY)).organizations;
}

export async function fetchMembers(event: ApiEvent, organizationId: string): Promise<Member[]> {
  return (await gql<{ members: Member[] }>(event, MEMBERS_QUERY, { organizationId })).members;
}

export const grantRoles = (event: ApiEvent, organizationId: string, email: string, roles: Role[]) =>
  mutate<Member>(event, 'grantRoles', GRANT_ROLES, { organizationId, email, roles });
