import { error, redirect, type RequestEvent } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import {
  closeConsultation,
  extendConsultation,
  fetchStaffPolicy,
  openConsultation,
  startDrafting,
  withdrawPolicy,
} from '$lib/server/api';
import { fromLocalInput, toLocalInput } from '$lib/format';
import { invalid, refused, required, text, values } from '$lib/server/forms';
import type { FormState } from '$lib/types';
import { requireRole, STAFF_AREA_ROLES } from '$lib/server/session';

export const load: PageServerLoad = async (event) => {
  await requireRole(event, STAFF_AREA_ROLES);
  const policy = await fetchStaffPolicy(event, event.params.id);
  if (!policy) error(404, { message: m.error_policy_not_found() });
  const now = new Date();
  const inTwoWeeks = new Date(now.getTime() + 14 * 86_400_000);
  return {
    policy,
    now: now.toISOString(),
    done: event.url.searchParams.get('done'),
    defaults: {
      closesAt: `${toLocalInput(inTwoWeeks.toISOString()).slice(0, 10)}T17:00`,
      extendTo: policy.currentRound
        ? toLocalInput(new Date(new Date(policy.currentRound.closesAt).getTime() + 7 * 86_400_000).toISOString())
        : '',
      minLocal: toLocalInput(now.toISOString()),
    },
  };
};

function ok(formId: string, notice: string): FormState {
  return { formId, ok: true, notice, values: {} };
}

async function form(event: RequestEvent) {
  return event.request.formData();
}

export const actions: Actions = {
  startDrafting: async (event) => {
    const result = await startDrafting(event, event.params.id);
    if (!result.ok) return refused(result.error, [], { formId: 'startDrafting' });
    redirect(303, `/staff/policies/${encodeURIComponent(event.params.id)}/draft`);
  },

  open: async (event) => {
    const data = await form(event);
    const state: FormState = { formId: 'open', values: values(data, ['opensAt', 'closesAt', 'note']) };
    const fieldErrors = required(data, ['closesAt']);
    const closesAt = fromLocalInput(text(data, 'closesAt'));
    const opensRaw = text(data, 'opensAt');
    const opensAt = opensRaw ? fromLocalInput(opensRaw) : null;
    if (text(data, 'closesAt') && !closesAt) fieldErrors.closesAt = m.error_datetime();
    if (opensRaw && !opensAt) fieldErrors.opensAt = m.error_datetime();
    if (Object.keys(fieldErrors).length > 0) return invalid({ ...state, fieldErrors });
    const result = await openConsultation(event, {
      policyId: event.params.id,
      opensAt,
      closesAt: closesAt!,
      note: text(data, 'note') || null,
    });
    if (!result.ok) return refused(result.error, ['opensAt', 'closesAt', 'note'], state);
    return ok('open', m.round_opened_notice());
  },

  extend: async (event) => {
    const data = await form(event);
    const state: FormState = { formId: 'extend', values: values(data, ['closesAt', 'reason']) };
    const fieldErrors = required(data, ['closesAt', 'reason']);
    const closesAt = fromLocalInput(text(data, 'closesAt'));
    if (text(data, 'closesAt') && !closesAt) fieldErrors.closesAt = m.error_datetime();
    if (Object.keys(fieldErrors).length > 0) return invalid({ ...state, fieldErrors });
    const result = await extendConsultation(event, {
      policyId: event.params.id,
      closesAt: closesAt!,
      reason: text(data, 'reason'),
    });
    if (!result.ok) return refused(result.error, ['closesAt', 'reason'], state);
    return ok('extend', m.round_extended_notice());
  },

  close: async (event) => {
    const data = await form(event);
    const state: FormState = { formId: 'close', values: values(data, ['reason']) };
    const fieldErrors = required(data, ['reason']);
    if (Object.keys(fieldErrors).length > 0) return invalid({ ...state, fieldErrors });
    const result = await closeConsultation(event, event.params.id, text(data, 'reason'));
    if (!result.ok) return refused(result.error, ['reason'], state);
    return ok('close', m.round_closed_notice());
  },

  withdraw: async (event) => {
    const data = await form(event);
    const state: FormState = { formId: 'withdraw', values: values(data, ['reason']) };
    const fieldErrors = required(data, ['reason']);
    if (data.get('confirm') !== 'on') fieldErrors.confirm = m.withdraw_confirm_required();
    if (Object.keys(fieldErrors).length > 0) return invalid({ ...state, fieldErrors });
    const result = await withdrawPolicy(event, event.params.id, text(data, 'reason'));
    if (!result.ok) return refused(result.error, ['reason'], state);
    return ok('withdraw', m.withdrawn_notice());
  },
};
