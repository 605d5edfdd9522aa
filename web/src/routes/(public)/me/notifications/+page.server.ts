import type { Actions, PageServerLoad } from './$types';
import { fail } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { GraphQLRequestError } from '$lib/server/api';
import { done, refused, text } from '$lib/server/forms';
import { fetchNotifications, markNotificationsRead } from '$lib/server/gql/search';
import { requireViewer } from '$lib/server/session';

const PAGE_SIZE = 20;

export const load: PageServerLoad = async (event) => {
  await requireViewer(event);
  const after = event.url.searchParams.get('after') || null;
  try {
    const { unread, page } = await fetchNotifications(event, PAGE_SIZE, after);
    return { unread, page, after };
  } catch (e) {
    // A stale or hand-edited paging cursor: the first page instead of an error.
    if (!after || !(e instanceof GraphQLRequestError)) throw e;
    const { unread, page } = await fetchNotifications(event, PAGE_SIZE, null);
    return { unread, page, after: null };
  }
};

export const actions: Actions = {
  read: async (event) => {
    const form = await event.request.formData();
    const id = text(form, 'id');
    if (!event.locals.token) return fail(401, { formId: 'read', message: m.error_unauthenticated() });
    if (!id) return fail(400, { formId: 'read', message: m.error_required() });
    const result = await markNotificationsRead(event, [id]);
    if (!result.ok) return refused(result.error, [], { formId: 'read' });
    return done(m.search_marked_notice({ count: String(result.data.marked) }), { formId: 'read' });
  },
  readAll: async (event) => {
    if (!event.locals.token) return fail(401, { formId: 'read', message: m.error_unauthenticated() });
    const result = await markNotificationsRead(event, null);
    if (!result.ok) return refused(result.error, [], { formId: 'read' });
    return done(m.search_marked_notice({ count: String(result.data.marked) }), { formId: 'read' });
  },
};
