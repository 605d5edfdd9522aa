// The moderator's queue (open flags, hidden comments) and actions, and feedback that staff record from letters,
// meetings and other channels off the site.
import {
  NODE_FIELDS,
  NODE_TREE,
  ROUND_FIELDS,
  apiUrl,
  gql,
  mutate,
  resultMutation,
  type ApiEvent,
  type Result,
  graphql,
  type GraphQLDocument,
} from '$lib/server/api';
import { getLocale } from '$lib/paraglide/runtime';
import { THREAD_FIELDS } from './comments';
import type { CommentFlag, FlagReason, OfflineFeedbackInput, ThreadComment } from '$lib/commentTypes';
import type { PolicyStatus, Role, Round, Version } from '$lib/types';

const MODERATION_QUERY = graphql`
  query Moderation($first: Int!) {
    moderationQueue(first: $first) {
      id
      reason
      note
      at
      comment {
        ...ThreadFields
      }
    }
    hiddenComments(first: $first) {
      ...ThreadFields
    }
  }
  ${THREAD_FIELDS}
`;

const OFFLINE_POLICY_QUERY = graphql`
	query OfflinePolicy($id: ID!) {
		policy(id: $id) {
			id title status viewerRoles
			owningOrganization { id name }
			currentVersion { number title changeNote publishedAt ${NODE_TREE} }
			currentRound { ...RoundFields }
		}
	}
	${ROUND_FIELDS}
	${NODE_FIELDS}
`;

const CHANGE_PAYLOAD = `data { position comment { id status } }`;

function moderationMutation(name: string, args: string, params: string): GraphQLDocument {
  return resultMutation(name, args, params, CHANGE_PAYLOAD);
}

const HIDE_COMMENT = moderationMutation(
  'hideComment',
  '$commentId: ID!, $reasonCode: FlagReason!, $reason: String!',
  'commentId: $commentId, reasonCode: $reasonCode, reason: $reason',
);
const RESTORE_COMMENT = moderationMutation(
  'restoreComment',
  '$commentId: ID!, $reason: String!',
  'commentId: $commentId, reason: $reason',
);
const REDACT_COMMENT = moderationMutation(
  'redactComment',
  '$commentId: ID!, $reason: String!',
  'commentId: $commentId, reason: $reason',
);
const RECORD_OFFLINE_FEEDBACK = moderationMutation(
  'recordOfflineFeedback',
  '$input: RecordOfflineFeedbackInput!',
  'input: $input',
);

export const MODERATION_DOCUMENTS = {
  MODERATION_QUERY,
  OFFLINE_POLICY_QUERY,
  HIDE_COMMENT,
  RESTORE_COMMENT,
  REDACT_COMMENT,
  RECORD_OFFLINE_FEEDBACK,
} as const;

export async function fetchModeration(
  event: ApiEvent,
  first = 100,
): Promise<{ flags: CommentFlag[]; hidden: ThreadComment[] }> {
  const data = await gql<{ moderationQueue: CommentFlag[]; hiddenComments: ThreadComment[] }>(event, MODERATION_QUERY, {
    first,
  });
  const noReplies = <T extends ThreadComment>(c: T): T => ({ ...c, replies: [] });
  return {
    flags: data.moderationQueue.map((f) => ({ ...f, comment: noReplies(f.comment) })),
    hidden: data.hiddenComments.map(noReplies),
  };
}

export interface OfflinePolicy {
  id: string;
  title: string;
  status: PolicyStatus;
  viewerRoles: Role[];
  owningOrganization: { id: string; name: string };
  currentVersion: Version | null;
  currentRound: Round | null;
}

export async function fetchOfflinePolicy(event: ApiEvent, id: string): Promise<OfflinePolicy | null> {
  return (await gql<{ policy: OfflinePolicy | null }>(event, OFFLINE_POLICY_QUERY, { id })).policy;
}

type ChangePayload = { position: string; comment: { id: string; status: string } };

export const hideComment = (event: ApiEvent, commentId: string, reasonCode: FlagReason, reason: string) =>
  mutate<ChangePayload>(event, 'hideComment', HIDE_COMMENT, { commentId, reasonCode, reason });
export const restoreComment = (event: ApiEvent, commentId: string, reason: string) =>
  mutate<ChangePayload>(event, 'restoreComment', RESTORE_COMMENT, { commentId, reason });
export const redactComment = (event: ApiEvent, commentId: string, reason: string) =>
  mutate<ChangePayload>(event, 'redactComment', REDACT_COMMENT, { commentId, reason });
export const recordOfflineFeedback = (event: ApiEvent, input: OfflineFeedbackInput) =>
  mutate<ChangePayload>(event, 'recordOfflineFeedback', RECORD_OFFLINE_FEEDBACK, { input });

export interface UploadedFile {
  sha256: string;
  size: number;
  mediaType: string;
}

/** Sends a file to the API's POST /attachments (beside /graphql) as the signed-in staff member. */
export async function uploadAttachment(event: ApiEvent, file: File): Promise<Result<UploadedFile>> {
  const url = apiUrl(event).replace(/\/graphql(\?.*)?$/, '/attachments');
  const headers: Record<string, string> = {
    'content-type': file.type || 'application/octet-stream',
    'x-gopy-csrf': '1',
    'accept-language': getLocale(),
  };
  if (event.locals.token) headers.authorization = `Bearer ${event.locals.token}`;
  const response = await event.fetch(url, { method: 'POST', headers, body: new Uint8Array(await file.arrayBuffer()) });
  const body = (await response.json().catch(() => ({}))) as Partial<UploadedFile> & {
    error?: { code: string; message: string; messageVi: string; messageEn: string };
  };
  if (response.ok && body.sha256)
    return {
      ok: true,
      data: { sha256: body.sha256, size: body.size ?? file.size, mediaType: body.mediaType ?? file.type },
    };
  const error = body.error ?? { code: 'INTERNAL', message: `HTTP ${response.status}`, messageVi: '', messageEn: '' };
  return { ok: false, error: { ...error, field: 'scan' } };
}
