// Feedback analysis of a round: the figures (filtered by category, channel and node), candidate near-duplicate
// groups, and the forms that confirm or undo a group.
import {
  ERROR_FIELDS,
  NODE_FIELDS,
  NODE_TREE,
  ROUND_FIELDS,
  gql,
  mutate,
  type ApiEvent,
  type ApiFailure,
  graphql,
} from '$lib/server/api';
import type { Channel } from '$lib/commentTypes';
import type { NodeKind } from '$lib/draft';
import type { Role, Round, StakeholderCategory, Stance, Version } from '$lib/types';

export interface AnalysisFilter {
  category: StakeholderCategory | null;
  channel: Channel | null;
  nodeId: string | null;
}

export interface AnalysisComment {
  id: string;
  body: string;
  authorName: string;
  stance: Stance;
  status: string;
}

export interface Analysis {
  round: number;
  comments: number;
  participants: number;
  distinctArguments: number;
  confirmedGroups: number;
  byStance: { stance: Stance; comments: number }[];
  byCategory: { category: StakeholderCategory; comments: number }[];
  byChannel: { channel: Channel; comments: number }[];
  byDay: { day: string; comments: number }[];
  heat: {
    nodeId: string;
    kind: NodeKind;
    label: string;
    heading: string;
    depth: number;
    comments: number;
    total: number;
  }[];
  topThemes: { themeId: string; title: string; decision: string | null; comments: number }[];
  responseCoverage: { answered: number; visible: number; share: number };
  duplicateGroups: { id: string; representativeCommentId: string; confirmedAt: string; comments: AnalysisComment[] }[];
  asOfPosition: string;
}

export interface DuplicateCandidate {
  commentIds: string[];
  representativeCommentId: string;
  similarity: number;
  comments: AnalysisComment[];
}

export interface AnalysisPolicy {
  id: string;
  title: string;
  viewerRoles: Role[];
  rounds: Round[];
  currentVersion: Version | null;
}

const COMMENT_FIELDS = 'id body authorName stance status';

const ANALYSIS_QUERY = graphql`
	query Analysis($id: ID!, $round: Int, $filter: AnalysisFilter) {
		policy(id: $id) {
			id title viewerRoles
			rounds { ...RoundFields }
			currentVersion { number title changeNote publishedAt ${NODE_TREE} }
			analysis(round: $round, filter: $filter) {
				__typename
				...ErrorFields
				... on PolicyAnalysisSuccess {
					data {
						round comments participants distinctArguments confirmedGroups asOfPosition
						byStance { stance comments }
						byCategory { category comments }
						byChannel { channel comments }
						byDay { day comments }
						heat { nodeId kind label heading depth comments total }
						topThemes { themeId title decision comments }
						responseCoverage { answered visible share }
						duplicateGroups { id representativeCommentId confirmedAt comments { ${COMMENT_FIELDS} } }
					}
				}
			}
		}
	}
	${ROUND_FIELDS}
	${NODE_FIELDS}
	${ERROR_FIELDS}
`;

const CANDIDATES_QUERY = graphql`
	query DuplicateCandidates($id: ID!, $round: Int!) {
		duplicateCandidates(policyId: $id, round: $round) {
			__typename
			...ErrorFields
			... on QueryDuplicateCandidatesSuccess {
				data { commentIds representativeCommentId similarity comments { ${COMMENT_FIELDS} } }
			}
		}
	}
	${ERROR_FIELDS}
`;

const CONFIRM_GROUP = graphql`
  mutation ConfirmDuplicateGroup($input: ConfirmDuplicateGroupInput!) {
    confirmDuplicateGroup(input: $input) {
      __typename
      ... on MutationConfirmDuplicateGroupSuccess {
        data {
          position
          group {
            id
          }
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;

const UNDO_GROUP = graphql`
  mutation UndoDuplicateGroup($groupId: ID!, $reason: String!) {
    undoDuplicateGroup(groupId: $groupId, reason: $reason) {
      __typename
      ... on MutationUndoDuplicateGroupSuccess {
        data {
          position
          group {
            id
          }
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;

type Union<T> =
  | (T & { __typename: string })
  | {
      __typename: string;
      code: string;
      message: string;
      messageVi: string;
      messageEn: string;
      field?: string;
      rule?: string;
    };

function unwrap<T>(value: Union<{ data: T }>): { ok: true; data: T } | { ok: false; error: ApiFailure } {
  if ('code' in value) {
    return {
      ok: false,
      error: {
        code: value.code,
        message: value.message,
        messageVi: value.messageVi,
        messageEn: value.messageEn,
        field: value.field,
        rule: value.rule,
      },
    };
  }
  return { ok: true, data: value.data };
}

export async function fetchAnalysis(
  event: ApiEvent,
  id: string,
  round: number | null,
  filter: AnalysisFilter,
): Promise<{
  policy: AnalysisPolicy;
  analysis: { ok: true; data: Analysis } | { ok: false; error: ApiFailure };
} | null> {
  const data = await gql<{ policy: (AnalysisPolicy & { analysis: Union<{ data: Analysis }> }) | null }>(
    event,
    ANALYSIS_QUERY,
    {
      id,
      round,
      filter,
    },
  );
  if (!data.policy) return null;
  const { analysis, ...policy } = data.policy;
  return { policy, analysis: unwrap(analysis) };
}

export async function fetchDuplicateCandidates(event: ApiEvent, id: string, round: number) {
  const data = await gql<{ duplicateCandidates: Union<{ data: DuplicateCandidate[] }> }>(event, CANDIDATES_QUERY, {
    id,
    round,
  });
  return unwrap(data.duplicateCandidates);
}

type GroupPayload = { position: string; group: { id: string } | null };

export const confirmDuplicateGroup = (
  event: ApiEvent,
  input: { policyId: string; round: number; commentIds: string[]; representativeCommentId: string },
) => mutate<GroupPayload>(event, 'confirmDuplicateGroup', CONFIRM_GROUP, { input });

export const undoDuplicateGroup = (event: ApiEvent, groupId: string, reason: string) =>
  mutate<GroupPayload>(event, 'undoDuplicateGroup', UNDO_GROUP, { groupId, reason });
