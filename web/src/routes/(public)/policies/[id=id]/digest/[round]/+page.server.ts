import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { fetchPublicDigest } from '$lib/server/gql/digest';

export const load: PageServerLoad = async (event) => {
  const round = Number(event.params.round);
  if (!Number.isSafeInteger(round) || round < 1) error(404, { message: m.error_not_found() });
  const result = await fetchPublicDigest(event, event.params.id, round);
  if (!result) error(404, { message: m.error_policy_not_found() });
  return { ...result, round };
};
