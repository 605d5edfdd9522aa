// An organisation's communication channels over GraphQL.
import { ERROR_FIELDS, gql, mutate, type ApiEvent, graphql } from '$lib/server/api';

import type { ChannelKind } from '$lib/channelKinds';
export interface CommunicationChannel {
  id: string;
  kind: ChannelKind;
  name: string;
  address: string;
  active: boolean;
  commentChannel: string;
}

const CHANNELS_QUERY = graphql`
  query {
    organizations {
      id
      channels {
        id
        kind
        name
        address
        active
        commentChannel
      }
    }
  }
`;

export async function fetchChannels(event: ApiEvent, organizationId: string): Promise<CommunicationChannel[]> {
  const { organizations } = await gql<{ organizations: { id: string; channels: CommunicationChannel[] }[] }>(
    event,
    CHANNELS_QUERY,
  );
  return organizations.find((o) => o.id === organizationId)?.channels ?? [];
}

const ADD = graphql`
  mutation AddChannel($org: ID!, $kind: CommunicationChannelKind!, $name: String!, $address: String) {
    addCommunicationChannel(organizationId: $org, kind: $kind, name: $name, address: $address) {
      __typename
      ... on MutationAddCommunicationChannelSuccess {
        data {
          position
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;
export const addChannel = (
  event: ApiEvent,
  organizationId: string,
  input: { kind: string; name: string; address: string },
) => mutate<{ position: string }>(event, 'addCommunicationChannel', ADD, { org: organizationId, ...input });

const RETIRE = graphql`
  mutation RetireChannel($org: ID!, $id: ID!) {
    retireCommunicationChannel(organizationId: $org, channelId: $id) {
      __typename
      ... on MutationRetireCommunicationChannelSuccess {
        data {
          position
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;
export const retireChannel = (event: ApiEvent, organizationId: string, channelId: string) =>
  mutate<{ position: string }>(event, 'retireCommunicationChannel', RETIRE, { org: organizationId, id: channelId });
