import type { PageServerLoad } from './$types';
import { fetchAuditPolicies } from '$lib/server/gql/audit';

export const load: PageServerLoad = async (event) => ({ policies: await fetchAuditPolicies(event) });
