// Versions compared node by node, and .docx drafts read into a tree for staff to review before publishing.
import {
  AVAILABLE_ACTIONS,
  ERROR_FIELDS,
  GraphQLRequestError,
  NODE_FIELDS,
  NODE_TREE,
  gql,
  mutate,
  resultMutation,
  type ApiEvent,
  graphql,
} from '$lib/server/api';
import type { DraftImportPreview, NodeDiff, VersionDocument } from '$lib/commentTypes';
import type { Availability, PolicyAction, PolicyStatus, Role, VersionSummary } from '$lib/types';

const SNAPSHOT = `id kind number heading text parentId`;

const POLICY_DIFF_QUERY = graphql`
	query PolicyDiff($id: ID!, $from: Int!, $to: Int!, $compare: Boolean!) {
		policy(id: $id) {
			id title status
			versions { number title changeNote publishedAt }
			diff(from: $from, to: $to) @include(if: $compare) {
				nodeId changes
				before { ${SNAPSHOT} }
				after { ${SNAPSHOT} }
				textDiff { kind text }
				headingDiff { kind text }
			}
		}
	}
`;

const IMPORT_POLICY_QUERY = graphql`
	query ImportPolicy($id: ID!) {
		policy(id: $id) {
			id title status viewerRoles ${AVAILABLE_ACTIONS}
			owningOrganization { id name }
			currentVersion { number title changeNote publishedAt ${NODE_TREE} }
		}
	}
	${NODE_FIELDS}
`;

const IMPORT_DRAFT_DOCX = graphql`
	mutation ImportDraftDocx($policyId: ID!, $fileBase64: String!) {
		importDraftDocx(policyId: $policyId, fileBase64: $fileBase64) {
			__typename
			... on MutationImportDraftDocxSuccess { data { title warnings ${NODE_TREE} } }
			...ErrorFields
		}
	}
	${ERROR_FIELDS}
	${NODE_FIELDS}
`;

const VERSION_DOCUMENTS_QUERY = graphql`
  query VersionDocuments($id: ID!) {
    policy(id: $id) {
      id
      title
      status
      viewerRoles
      versions {
        number
        title
        changeNote
        publishedAt
      }
      documents {
        id
        kind
        title
        version
        fileName
        mediaType
        size
        url
      }
    }
  }
`;

const ATTACH_VERSION_DOCUMENT = resultMutation(
  'attachVersionDocument',
  '$policyId: ID!, $version: Int!, $kind: VersionDocumentKind!, $title: String!, $file: AttachmentInput!',
  'policyId: $policyId, version: $version, kind: $kind, title: $title, file: $file',
  'data { position document { id } }',
);

export const DRAFT_DOCUMENTS = {
  POLICY_DIFF_QUERY,
  IMPORT_POLICY_QUERY,
  IMPORT_DRAFT_DOCX,
  VERSION_DOCUMENTS_QUERY,
  ATTACH_VERSION_DOCUMENT,
} as const;

export interface DocumentsPolicy {
  id: string;
  title: string;
  status: PolicyStatus;
  viewerRoles: Role[];
  versions: VersionSummary[];
  documents: VersionDocument[];
}

export async function fetchVersionDocuments(event: ApiEvent, id: string): Promise<DocumentsPolicy | null> {
  return (await gql<{ policy: DocumentsPolicy | null }>(event, VERSION_DOCUMENTS_QUERY, { id })).policy;
}

export const attachVersionDocument = (
  event: ApiEvent,
  input: {
    policyId: string;
    version: number;
    kind: 'TO_TRINH' | 'OTHER';
    title: string;
    file: { sha256: string; fileName: string; mediaType: string };
  },
) =>
  mutate<{ position: string; document: { id: string } | null }>(
    event,
    'attachVersionDocument',
    ATTACH_VERSION_DOCUMENT,
    input,
  );

export interface DiffPolicy {
  id: string;
  title: string;
  status: PolicyStatus;
  versions: VersionSummary[];
}

/**
 * The policy's versions and, when both numbers name one of them, their differences; null when there is no such
 * policy. A number that names no version answers `diff: null` with the versions, so the page can say so.
 */
export async function fetchPolicyDiff(
  event: ApiEvent,
  id: string,
  from: number | null,
  to: number | null,
): Promise<{ policy: DiffPolicy; diff: NodeDiff[] | null } | null> {
  const compare = from !== null && to !== null;
  try {
    const data = await gql<{ policy: (DiffPolicy & { diff?: NodeDiff[] }) | null }>(event, POLICY_DIFF_QUERY, {
      id,
      from: from ?? 0,
      to: to ?? 0,
      compare,
    });
    if (!data.policy) return null;
    const { diff, ...policy } = data.policy;
    return { policy, diff: diff ?? null };
  } catch (error) {
    if (compare && error instanceof GraphQLRequestError && error.codes.includes('NOT_FOUND')) {
      const again = await fetchPolicyDiff(event, id, null, null);
      return again ? { policy: again.policy, diff: null } : null;
    }
    throw error;
  }
}

export interface ImportPolicy {
  id: string;
  title: string;
  status: PolicyStatus;
  viewerRoles: Role[];
  availableActions: Availability<PolicyAction>[];
  owningOrganization: { id: string; name: string };
  currentVersion: (VersionSummary & { nodes: DraftImportPreview['nodes'] }) | null;
}

export async function fetchImportPolicy(event: ApiEvent, id: string): Promise<ImportPolicy | null> {
  return (await gql<{ policy: ImportPolicy | null }>(event, IMPORT_POLICY_QUERY, { id })).policy;
}

export const importDraftDocx = (event: ApiEvent, policyId: string, fileBase64: string) =>
  mutate<DraftImportPreview>(event, 'importDraftDocx', IMPORT_DRAFT_DOCX, { policyId, fileBase64 });
