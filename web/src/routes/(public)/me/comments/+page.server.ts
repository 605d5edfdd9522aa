import type { PageServerLoad } from './$types';
import { fetchMyComments } from '$lib/server/api';
import { requireViewer } from '$lib/server/session';

export const load: PageServerLoad = async (event) => {
  await requireViewer(event);
  const after = event.url.searchParams.get('after') || null;
  return { comments: await fetchMyComments(event, 20, after), after };
};
