import type { LayoutServerLoad } from './$types';
import { requireRole } from '$lib/server/session';

// The audit area: signed-in auditors only. The API checks the auditor role again on every query: this guard is
// for the reader, not for security. Auditors read everything here and change nothing.
export const load: LayoutServerLoad = async (event) => {
  await requireRole(event, ['AUDITOR']);
  return {};
};
