import type { PageServerLoad } from './$types';
import { fetchAuditReadLog } from '$lib/server/gql/audit';

export const load: PageServerLoad = async (event) => ({ reads: await fetchAuditReadLog(event, 200) });
