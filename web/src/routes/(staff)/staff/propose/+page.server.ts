import { error, redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { proposePolicy } from '$lib/server/api';
import { invalid, refused, required, text, values } from '$lib/server/forms';
import { requireViewer } from '$lib/server/session';

export const load: PageServerLoad = async (event) => {
  const viewer = await requireViewer(event);
  if (viewer.staffOrganizations.length === 0) error(403, { message: m.error_forbidden() });
  return { organizations: viewer.staffOrganizations };
};

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const state = { values: values(form, ['organizationId', 'title', 'summary']) };
    const fieldErrors = required(form, ['organizationId', 'title', 'summary']);
    if (Object.keys(fieldErrors).length > 0) return invalid({ ...state, fieldErrors });
    const result = await proposePolicy(event, {
      organizationId: text(form, 'organizationId'),
      title: text(form, 'title'),
      summary: text(form, 'summary'),
    });
    if (!result.ok) return refused(result.error, ['organizationId', 'title', 'summary'], state);
    redirect(303, `/staff/policies/${encodeURIComponent(result.data.policy.id)}?done=proposed`);
  },
};
