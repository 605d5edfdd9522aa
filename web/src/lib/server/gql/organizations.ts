// Registering organisations under one the admin manages.
import { ERROR_FIELDS, mutate, type ApiEvent, graphql } from '$lib/server/api';

const REGISTER = graphql`
  mutation RegisterOrganization(
    $parent: ID!
    $name: String!
    $kind: OrganizationKind!
    $levels: [SchoolLevel!]
    $schoolType: String
  ) {
    registerOrganization(
      parentOrganizationId: $parent
      name: $name
      kind: $kind
      levels: $levels
      schoolType: $schoolType
    ) {
      __typename
      ... on MutationRegisterOrganizationSuccess {
        data {
          id
          name
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;
export const registerOrganization = (
  event: ApiEvent,
  input: { parentOrganizationId: string; name: string; kind: string; levels: string[]; schoolType: string },
) =>
  mutate<{ id: string; name: string }>(event, 'registerOrganization', REGISTER, {
    parent: input.parentOrganizationId,
    name: input.name,
    kind: input.kind,
    levels: input.levels,
    schoolType: input.schoolType,
  });
