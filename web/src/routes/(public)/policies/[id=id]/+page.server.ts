import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { GraphQLRequestError, fetchPolicyPage, submitComment } from '$lib/server/api';
import { COMMENT_BODY_MAX, STANCES, type Stance } from '$lib/types';
import { getViewer } from '$lib/server/session';
import { done, invalid, refused, text } from '$lib/server/forms';
import type { FormState } from '$lib/types';

const PAGE_SIZE = 20;


export const load: PageServerLoad = async (event) => {
	const { params, url } = event;
	const after = url.searchParams.get('after') || null;
	const nodeParam = url.searchParams.get('node') || '';
	const wholeDraftOnly = nodeParam === 'whole';
	const nodeId = nodeParam && !wholeDraftOnly ? nodeParam : null;

	const [result, viewer] = await Promise.all([
		fetchPolicyPage(event, params.id, { first: PAGE_SIZE, after, nodeId, wholeDraftOnly }).catch((e: unknown) => {
			// A stale or hand-edited paging cursor: start the list again instead of failing the page.
			if (after && e instanceof GraphQLRequestError) {
				const again = new URL(url);
				again.searchParams.delete('after');
				redirect(303, again.pathname + again.search);
			}
			throw e;
		}),
		getViewer(event),
	]);
	if (!result) error(404, { message: m.error_policy_not_found() });

	return {
		policy: result.policy,
		comments: result.comments,
		filter: { after, node: nodeParam },
		signedIn: viewer !== null,
		emailVerified: viewer?.account.emailVerified ?? false,
		pseudonym: viewer?.account.pseudonym ?? null,
		// One idempotency key per rendered form: a re-sent POST (double click, reload, retry) stores one comment.
		keyBase: crypto.randomUUID(),
		now: new Date().toISOString(),
	};
};

export const actions: Actions = {
	comment: async (event) => {
		const form = await event.request.formData();
		const formId = text(form, 'formId') || 'whole';
		const nodeId = text(form, 'nodeId') || null;
		const body = text(form, 'body');
		const stance = text(form, 'stance');
		const usePseudonym = form.get('usePseudonym') === 'on';
		const idempotencyKey = text(form, 'idempotencyKey') || crypto.randomUUID();
		const state: FormState = { formId, values: { body, stance, usePseudonym: usePseudonym ? 'on' : '' } };

		if (!event.locals.token) return fail(401, { ...state, message: m.comment_sign_in_first() });

		const fieldErrors: Record<string, string> = {};
		if (!body) fieldErrors.body = m.error_required();
		else if (body.length > COMMENT_BODY_MAX) fieldErrors.body = m.error_too_long({ max: String(COMMENT_BODY_MAX) });
		if (!STANCES.includes(stance as Stance)) fieldErrors.stance = m.comment_choose_stance();
		if (Object.keys(fieldErrors).length > 0) return invalid({ ...state, fieldErrors });

		const result = await submitComment(event, {
			policyId: event.params.id,
			nodeId,
			body,
			stance: stance as Stance,
			idempotencyKey,
			usePseudonym,
		});
		if (!result.ok) {
			return refused(result.error, { body: 'body', stance: 'stance', nodeId: 'body' }, state);
		}
		return done(m.comment_thanks(), { formId });
	},
};
