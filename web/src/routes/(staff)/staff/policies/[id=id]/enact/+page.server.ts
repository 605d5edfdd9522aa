import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { enactPolicy, fetchStaffPolicy } from '$lib/server/api';
import { isIsoDate } from '$lib/format';
import { invalid, refused, required, text, values } from '$lib/server/forms';
import { requireRole } from '$lib/server/session';

export const load: PageServerLoad = async (event) => {
  await requireRole(event, ['POLICYMAKER']);
  const policy = await fetchStaffPolicy(event, event.params.id);
  if (!policy) error(404, { message: m.error_policy_not_found() });
  if (!policy.viewerRoles.includes('POLICYMAKER')) error(403, { message: m.error_forbidden() });
  return { policy };
};

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const state = { values: values(form, ['decisionNumber', 'effectiveDate', 'version']) };
    const fieldErrors = required(form, ['decisionNumber', 'effectiveDate']);
    const effectiveDate = text(form, 'effectiveDate');
    if (effectiveDate && !isIsoDate(effectiveDate)) fieldErrors.effectiveDate = m.error_date();
    const versionRaw = text(form, 'version');
    const version = versionRaw ? Number(versionRaw) : null;
    if (version !== null && (!Number.isInteger(version) || version < 1)) fieldErrors.version = m.error_required();
    if (Object.keys(fieldErrors).length > 0) return invalid({ ...state, fieldErrors });
    const result = await enactPolicy(event, {
      policyId: event.params.id,
      decisionNumber: text(form, 'decisionNumber'),
      effectiveDate,
      version,
    });
    if (!result.ok) return refused(result.error, ['decisionNumber', 'effectiveDate', 'version'], state);
    redirect(303, `/staff/policies/${encodeURIComponent(event.params.id)}?done=enacted`);
  },
};
