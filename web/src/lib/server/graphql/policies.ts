// Policies: the lists of the public and staff pages, one policy as staff and as its draft editor see it, and the
// lifecycle mutations (propose, draft, publish, open, extend, close, enact, withdraw).
import type { DraftNodeInput } from '$lib/draftEditor';
import {
  POLICY_STATUSES,
  type PolicyCard,
  type PolicyDetail,
  type PolicyStatus,
  type StaffPolicy,
  type Version,
} from '$lib/types';
import { graphql, type GraphQLDocument } from './document';
import {
  AVAILABLE_ACTIONS,
  NODE_FIELDS,
  NODE_TREE,
  POLICY_CARD_FIELDS,
  ROUND_FIELDS,
  resultMutation,
  toPage,
  type Connection,
} from './fragments';
import { gql, mutate, type ApiEvent } from './transport';

const POLICIES_QUERY = graphql`
  query Policies($first: Int!) {
    CONSULTATION: policies(status: CONSULTATION, first: $first) {
      totalCount
      edges {
        node {
          ...PolicyCardFields
        }
      }
    }
    DRAFTING: policies(status: DRAFTING, first: $first) {
      totalCount
      edges {
        node {
          ...PolicyCardFields
        }
      }
    }
    PROPOSED: policies(status: PROPOSED, first: $first) {
      totalCount
      edges {
        node {
          ...PolicyCardFields
        }
      }
    }
    REVIEW: policies(status: REVIEW, first: $first) {
      totalCount
      edges {
        node {
          ...PolicyCardFields
        }
      }
    }
    ENACTED: policies(status: ENACTED, first: $first) {
      totalCount
      edges {
        node {
          ...PolicyCardFields
        }
      }
    }
    WITHDRAWN: policies(status: WITHDRAWN, first: $first) {
      totalCount
      edges {
        node {
          ...PolicyCardFields
        }
      }
    }
  }
  ${POLICY_CARD_FIELDS}
  ${ROUND_FIELDS}
`;

const ALL_POLICIES_QUERY = graphql`
  query AllPolicies($first: Int!, $after: String) {
    policies(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...PolicyCardFields
        }
      }
    }
  }
  ${POLICY_CARD_FIELDS}
  ${ROUND_FIELDS}
`;

const STAFF_POLICY_QUERY = graphql`
  query StaffPolicy($id: ID!) {
    policy(id: $id) {
      id
      title
      summary
      status
      owningOrganization {
        id
        name
      }
      proposedAt
      updatedAt
      currentVersion {
        number
        title
        changeNote
        publishedAt
      }
      versions {
        number
        title
        changeNote
        publishedAt
      }
      currentRound {
        ...RoundFields
      }
      rounds {
        ...RoundFields
      }
      enactment {
        version
        decisionNumber
        effectiveDate
        enactedAt
      }
      withdrawalReason
      commentCount
      removedComments {
        total
        text
      }
      viewerRoles
      ${AVAILABLE_ACTIONS}
    }
  }
  ${ROUND_FIELDS}
`;

const DRAFT_QUERY = graphql`
	query DraftForEditing($id: ID!) {
		policy(id: $id) {
			id title status viewerRoles ${AVAILABLE_ACTIONS}
			owningOrganization { id name }
			currentVersion { number title changeNote publishedAt ${NODE_TREE} }
		}
	}
	${NODE_FIELDS}
`;

const POLICY_PAYLOAD = `data { position policy { id status } }`;

function policyMutation(name: string, args: string, params: string): GraphQLDocument {
  return resultMutation(name, args, params, POLICY_PAYLOAD);
}

const PROPOSE_POLICY = policyMutation('proposePolicy', '$input: ProposePolicyInput!', 'input: $input');
const START_DRAFTING = policyMutation('startDrafting', '$policyId: ID!', 'policyId: $policyId');
const PUBLISH_DRAFT_VERSION = policyMutation(
  'publishDraftVersion',
  '$input: PublishDraftVersionInput!',
  'input: $input',
);
const OPEN_CONSULTATION = policyMutation('openConsultation', '$input: OpenConsultationInput!', 'input: $input');
const EXTEND_CONSULTATION = policyMutation('extendConsultation', '$input: ExtendConsultationInput!', 'input: $input');
const CLOSE_CONSULTATION = policyMutation(
  'closeConsultation',
  '$policyId: ID!, $reason: String!',
  'policyId: $policyId, reason: $reason',
);
const ENACT_POLICY = policyMutation('enactPolicy', '$input: EnactPolicyInput!', 'input: $input');
const WITHDRAW_POLICY = policyMutation(
  'withdrawPolicy',
  '$policyId: ID!, $reason: String!',
  'policyId: $policyId, reason: $reason',
);

export async function fetchPoliciesByStatus(
  event: ApiEvent,
  first = 50,
): Promise<Record<PolicyStatus, { totalCount: number; items: PolicyCard[] }>> {
  const data = await gql<Record<PolicyStatus, Connection<PolicyCard> & { totalCount: number }>>(event, POLICIES_QUERY, {
    first,
  });
  const out = {} as Record<PolicyStatus, { totalCount: number; items: PolicyCard[] }>;
  for (const status of POLICY_STATUSES) {
    const connection = data[status];
    out[status] = { totalCount: connection.totalCount, items: connection.edges.map((e) => e.node) };
  }
  return out;
}

/** Every policy (all statuses), following the cursor up to `limit`; the staff area filters by organisation. */
export async function fetchAllPolicies(event: ApiEvent, limit = 500): Promise<PolicyCard[]> {
  const all: PolicyCard[] = [];
  let after: string | null = null;
  while (all.length < limit) {
    const data: { policies: Connection<PolicyCard> } = await gql(event, ALL_POLICIES_QUERY, { first: 100, after });
    const page = toPage(data.policies);
    all.push(...page.items);
    if (!page.hasNextPage || !page.endCursor) break;
    after = page.endCursor;
  }
  return all;
}

export interface CommentFilter {
  first: number;
  after: string | null;
  nodeId: string | null;
  wholeDraftOnly: boolean;
}

export async function fetchStaffPolicy(event: ApiEvent, id: string): Promise<StaffPolicy | null> {
  const data = await gql<{ policy: StaffPolicy | null }>(event, STAFF_POLICY_QUERY, { id });
  return data.policy;
}

export type DraftPolicy = Pick<
  PolicyDetail,
  'id' | 'title' | 'status' | 'viewerRoles' | 'availableActions' | 'owningOrganization'
> & {
  currentVersion: Version | null;
};

export async function fetchDraft(event: ApiEvent, id: string): Promise<DraftPolicy | null> {
  const data = await gql<{ policy: DraftPolicy | null }>(event, DRAFT_QUERY, { id });
  return data.policy;
}

type PolicyPayload = { position: string; policy: { id: string; status: PolicyStatus } };

export const proposePolicy = (event: ApiEvent, input: { organizationId: string; title: string; summary: string }) =>
  mutate<PolicyPayload>(event, 'proposePolicy', PROPOSE_POLICY, { input });
export const startDrafting = (event: ApiEvent, policyId: string) =>
  mutate<PolicyPayload>(event, 'startDrafting', START_DRAFTING, { policyId });

export const publishDraftVersion = (
  event: ApiEvent,
  input: { policyId: string; title: string; changeNote: string; nodes: DraftNodeInput[] },
) => mutate<PolicyPayload>(event, 'publishDraftVersion', PUBLISH_DRAFT_VERSION, { input });
export const openConsultation = (
  event: ApiEvent,
  input: { policyId: string; opensAt: string | null; closesAt: string; note: string | null },
) => mutate<PolicyPayload>(event, 'openConsultation', OPEN_CONSULTATION, { input });
export const extendConsultation = (event: ApiEvent, input: { policyId: string; closesAt: string; reason: string }) =>
  mutate<PolicyPayload>(event, 'extendConsultation', EXTEND_CONSULTATION, { input });
export const closeConsultation = (event: ApiEvent, policyId: string, reason: string) =>
  mutate<PolicyPayload>(event, 'closeConsultation', CLOSE_CONSULTATION, { policyId, reason });
export const enactPolicy = (
  event: ApiEvent,
  input: { policyId: string; decisionNumber: string; effectiveDate: string; version: number | null },
) => mutate<PolicyPayload>(event, 'enactPolicy', ENACT_POLICY, { input });
export const withdrawPolicy = (event: ApiEvent, policyId: string, reason: string) =>
  mutate<PolicyPayload>(event, 'withdrawPolicy', WITHDRAW_POLICY, { policyId, reason });
