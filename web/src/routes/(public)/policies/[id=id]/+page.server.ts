import { error, fail, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { GraphQLRequestError, submitComment } from '$lib/server/api';
import {
  editComment,
  endorseComment,
  fetchMyComments,
  fetchPolicyThreads,
  flagComment,
  postOfficialReply,
  submitReply,
  withdrawComment,
} from '$lib/server/gql/comments';
import { FLAG_REASONS, type FlagReason } from '$lib/commentTypes';
import { flatten } from '$lib/draft';
import { COMMENT_BODY_MAX, STANCES, type Stance } from '$lib/types';
import { getViewer } from '$lib/server/session';
import { done, invalid, refused, text } from '$lib/server/forms';
import { fetchFollowing } from '$lib/server/gql/search';
import { followAction } from './followAction';
import type { FormState } from '$lib/types';

const PAGE_SIZE = 20;

function bodyErrors(body: string): Record<string, string> {
  if (!body) return { body: m.error_required() };
  if (body.length > COMMENT_BODY_MAX) return { body: m.error_too_long({ max: String(COMMENT_BODY_MAX) }) };
  return {};
}

export const load: PageServerLoad = async (event) => {
  const { params, url } = event;
  const after = url.searchParams.get('after') || null;
  const nodeParam = url.searchParams.get('node') || '';
  const wholeDraftOnly = nodeParam === 'whole';
  const nodeId = nodeParam && !wholeDraftOnly ? nodeParam : null;

  const [result, viewer, mine] = await Promise.all([
    fetchPolicyThreads(event, params.id, { first: PAGE_SIZE, after, nodeId, wholeDraftOnly }).catch((e: unknown) => {
      // A stale or hand-edited paging cursor: start the list again instead of failing the page.
      if (after && e instanceof GraphQLRequestError) {
        const again = new URL(url);
        again.searchParams.delete('after');
        redirect(303, again.pathname + again.search);
      }
      throw e;
    }),
    getViewer(event),
    fetchMyComments(event, params.id),
  ]);
  if (!result) error(404, { message: m.error_policy_not_found() });
  const following = viewer ? await fetchFollowing(event, params.id) : false;
  const currentTexts: Record<string, string> = {};
  for (const node of flatten(result.policy.currentVersion?.nodes ?? [])) currentTexts[node.id] = node.text;

  return {
    policy: result.policy,
    comments: result.comments,
    versions: result.policy.versions,
    documents: result.policy.documents,
    currentTexts,
    // The author still sees what a moderator hid, and why.
    myHidden: mine.filter((c) => c.status === 'hidden'),
    filter: { after, node: nodeParam },
    signedIn: viewer !== null,
    following,
    pseudonym: viewer?.account.pseudonym ?? null,
    // One idempotency key per rendered form: a re-sent POST (double click, reload, retry) stores one comment.
    keyBase: crypto.randomUUID(),
    now: new Date().toISOString(),
  };
};

export const actions: Actions = {
  follow: followAction,

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

  reply: async (event) => {
    const form = await event.request.formData();
    const formId = text(form, 'formId');
    const body = text(form, 'body');
    const stance = text(form, 'stance');
    const usePseudonym = form.get('usePseudonym') === 'on';
    const state: FormState = { formId, values: { body, stance } };
    if (!event.locals.token) return fail(401, { ...state, message: m.comment_sign_in_first() });
    const fieldErrors = bodyErrors(body);
    if (!STANCES.includes(stance as Stance)) fieldErrors.stance = m.comment_choose_stance();
    if (Object.keys(fieldErrors).length > 0) return invalid({ ...state, fieldErrors });
    const result = await submitReply(event, {
      policyId: event.params.id,
      parentCommentId: text(form, 'parentCommentId'),
      nodeId: text(form, 'nodeId') || null,
      body,
      stance: stance as Stance,
      idempotencyKey: text(form, 'idempotencyKey') || crypto.randomUUID(),
      usePseudonym,
    });
    if (!result.ok) return refused(result.error, { body: 'body', stance: 'stance' }, state);
    return done(m.c7_reply_thanks(), { formId });
  },

  edit: async (event) => {
    const form = await event.request.formData();
    const formId = text(form, 'formId');
    const body = text(form, 'body');
    const stance = text(form, 'stance');
    const state: FormState = { formId, values: { body, stance } };
    if (!event.locals.token) return fail(401, { ...state, message: m.comment_sign_in_first() });
    const fieldErrors = bodyErrors(body);
    if (!STANCES.includes(stance as Stance)) fieldErrors.stance = m.comment_choose_stance();
    if (Object.keys(fieldErrors).length > 0) return invalid({ ...state, fieldErrors });
    const result = await editComment(event, text(form, 'commentId'), body, stance as Stance);
    if (!result.ok) return refused(result.error, { body: 'body', stance: 'stance' }, state);
    return done(m.c7_edit_done(), { formId });
  },

  withdraw: async (event) => {
    const form = await event.request.formData();
    const formId = text(form, 'formId');
    const reason = text(form, 'reason');
    const state: FormState = { formId, values: { reason } };
    if (!event.locals.token) return fail(401, { ...state, message: m.comment_sign_in_first() });
    if (reason.length > 2000) return invalid({ ...state, fieldErrors: { reason: m.error_too_long({ max: '2000' }) } });
    const result = await withdrawComment(event, text(form, 'commentId'), reason || null);
    if (!result.ok) return refused(result.error, { reason: 'reason' }, state);
    return done(m.c7_withdraw_done(), { formId: 'withdrawn' });
  },

  endorse: async (event) => {
    const form = await event.request.formData();
    const formId = text(form, 'formId');
    if (!event.locals.token) return fail(401, { formId, message: m.comment_sign_in_first() });
    const result = await endorseComment(event, text(form, 'commentId'));
    if (!result.ok) return refused(result.error, [], { formId });
    return done(m.c7_endorse_done(), { formId });
  },

  flag: async (event) => {
    const form = await event.request.formData();
    const formId = text(form, 'formId');
    const reason = text(form, 'reason');
    const note = text(form, 'note');
    const state: FormState = { formId, values: { reason, note } };
    if (!event.locals.token) return fail(401, { ...state, message: m.comment_sign_in_first() });
    if (!FLAG_REASONS.includes(reason as FlagReason)) {
      return invalid({ ...state, fieldErrors: { reason: m.c7_flag_choose_reason() } });
    }
    if (note.length > 2000) return invalid({ ...state, fieldErrors: { note: m.error_too_long({ max: '2000' }) } });
    const result = await flagComment(event, text(form, 'commentId'), reason as FlagReason, note || null);
    if (!result.ok) return refused(result.error, { reason: 'reason', note: 'note' }, state);
    return done(m.c7_flag_done(), { formId });
  },

  official: async (event) => {
    const form = await event.request.formData();
    const formId = text(form, 'formId');
    const body = text(form, 'body');
    const state: FormState = { formId, values: { body } };
    if (!event.locals.token) return fail(401, { ...state, message: m.comment_sign_in_first() });
    const fieldErrors = bodyErrors(body);
    if (Object.keys(fieldErrors).length > 0) return invalid({ ...state, fieldErrors });
    const result = await postOfficialReply(event, text(form, 'commentId'), body);
    if (!result.ok) return refused(result.error, { body: 'body' }, state);
    return done(m.c7_official_reply_done(), { formId });
  },
};
