// The moderator's queue (open flags, hidden comments) and actions, and feedback that staff record from letters,
// meetings and other channels off the site.
import { ERROR_FIELDS, NODE_FIELDS, NODE_TREE, ROUND_FIELDS, gql, mutate, type ApiEvent } from '$lib/server/api';
import { THREAD_FIELDS } from './comments';
import type { CommentFlag, FlagReason, OfflineFeedbackInput, ThreadComment } from '$lib/commentTypes';
import type { PolicyStatus, Role, Round, Version } from '$lib/types';

const MODERATION_QUERY = /* GraphQL */ `
	query Moderation($first: Int!) {
		moderationQueue(first: $first) { id reason note at comment { ...ThreadFields } }
		hiddenComments(first: $first) { ...ThreadFields }
	}
	${THREAD_FIELDS}
`;

const OFFLINE_POLICY_QUERY = /* GraphQL */ `
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

function moderationMutation(name: string, args: string, params: string): string {
	const title = name.charAt(0).toUpperCase() + name.slice(1);
	return /* GraphQL */ `
		mutation ${title}(${args}) {
			${name}(${params}) {
				__typename
				... on Mutation${title}Success { ${CHANGE_PAYLOAD} }
				...ErrorFields
			}
		}
		${ERROR_FIELDS}
	`;
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
