import type { PageServerLoad } from './$types';
import { fetchPoliciesByStatus } from '$lib/server/api';

export const load: PageServerLoad = async (event) => {
  const byStatus = await fetchPoliciesByStatus(event);
  return { byStatus, now: new Date().toISOString() };
};
