import type { Actions, PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { fetchModeration, hideComment, redactComment, restoreComment } from '$lib/server/gql/moderation';
import { done, invalid, refused, text } from '$lib/server/forms';
import { requireRole } from '$lib/server/session';
import { FLAG_REASONS, type FlagReason } from '$lib/commentTypes';
import type { FormState } from '$lib/types';

const REASON_MAX = 2000;

export const load: PageServerLoad = async (event) => {
  await requireRole(event, ['MODERATOR', 'AUDITOR']);
  return await fetchModeration(event);
};

/** Every moderation step needs a reason: what the author and the auditors will read. */
function reasonOf(
  form: FormData,
  formId: string,
): { reason: string; state: FormState; failure?: ReturnType<typeof invalid> } {
  const reason = text(form, 'reason');
  const state: FormState = { formId, values: { reason, reasonCode: text(form, 'reasonCode') } };
  if (!reason)
    return { reason, state, failure: invalid({ ...state, fieldErrors: { reason: m.c7_reason_required() } }) };
  if (reason.length > REASON_MAX) {
    return {
      reason,
      state,
      failure: invalid({ ...state, fieldErrors: { reason: m.error_too_long({ max: String(REASON_MAX) }) } }),
    };
  }
  return { reason, state };
}

export const actions: Actions = {
  hide: async (event) => {
    await requireRole(event, ['MODERATOR']);
    const form = await event.request.formData();
    const commentId = text(form, 'commentId');
    const formId = text(form, 'formId') || `hide-${commentId}`;
    const { reason, state, failure } = reasonOf(form, formId);
    const reasonCode = text(form, 'reasonCode');
    if (!FLAG_REASONS.includes(reasonCode as FlagReason)) {
      return invalid({
        ...state,
        fieldErrors: { ...(failure?.data.fieldErrors ?? {}), reasonCode: m.c7_flag_choose_reason() },
      });
    }
    if (failure) return failure;
    const result = await hideComment(event, commentId, reasonCode as FlagReason, reason);
    if (!result.ok) return refused(result.error, { reason: 'reason', reasonCode: 'reasonCode' }, state);
    return done(m.c7_hidden_done(), { formId: 'moderation' });
  },

  restore: async (event) => {
    await requireRole(event, ['MODERATOR']);
    const form = await event.request.formData();
    const commentId = text(form, 'commentId');
    const { reason, state, failure } = reasonOf(form, text(form, 'formId') || `restore-${commentId}`);
    if (failure) return failure;
    const result = await restoreComment(event, commentId, reason);
    if (!result.ok) return refused(result.error, { reason: 'reason' }, state);
    return done(m.c7_restored_done(), { formId: 'moderation' });
  },

  redact: async (event) => {
    await requireRole(event, ['MODERATOR']);
    const form = await event.request.formData();
    const commentId = text(form, 'commentId');
    const { reason, state, failure } = reasonOf(form, text(form, 'formId') || `redact-${commentId}`);
    if (failure) return failure;
    const result = await redactComment(event, commentId, reason);
    if (!result.ok) return refused(result.error, { reason: 'reason' }, state);
    return done(m.c7_redacted_done(), { formId: 'moderation' });
  },
};
