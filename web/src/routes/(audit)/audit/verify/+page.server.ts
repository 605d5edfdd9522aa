import type { PageServerLoad } from './$types';
import { fetchAuditCheckpoints, fetchAuditVerification } from '$lib/server/gql/audit';

// Verifies the whole log on every visit (the same check as `gopy audit verify`) and lists the signed checkpoints.
export const load: PageServerLoad = async (event) => {
  const [verification, checkpoints] = await Promise.all([
    fetchAuditVerification(event),
    fetchAuditCheckpoints(event, 50),
  ]);
  return { verification, checkpoints, checkedAt: new Date().toISOString() };
};
