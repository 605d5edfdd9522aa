import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { done, invalid, refused, required, text } from '$lib/server/forms';
import { addChannel, fetchChannels, retireChannel } from '$lib/server/gql/channels';
import { requireViewer } from '$lib/server/session';

export const load: PageServerLoad = async (event) => {
  const viewer = await requireViewer(event);
  const membership = viewer.memberships.find((mb) => mb.organization.id === event.params.org);
  if (!membership || !membership.roles.some((r) => r === 'STAFF' || r === 'ADMIN'))
    error(403, { message: m.error_forbidden() });
  return { organization: membership.organization, channels: await fetchChannels(event, event.params.org) };
};

export const actions: Actions = {
  add: async (event) => {
    const form = await event.request.formData();
    const values = { kind: text(form, 'kind'), name: text(form, 'name'), address: text(form, 'address') };
    const state = { formId: 'add', values };
    const fieldErrors = required(form, ['kind', 'name']);
    if (Object.keys(fieldErrors).length > 0) return invalid({ ...state, fieldErrors });
    const result = await addChannel(event, event.params.org, values);
    if (!result.ok) return refused(result.error, ['kind', 'name', 'address'], state);
    return done(m.chan_added(), { formId: 'add' });
  },
  retire: async (event) => {
    const form = await event.request.formData();
    const result = await retireChannel(event, event.params.org, text(form, 'channelId'));
    if (!result.ok) return refused(result.error, [], { formId: 'retire' });
    return done(m.chan_retired(), { formId: 'retire' });
  },
};
