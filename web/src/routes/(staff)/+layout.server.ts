import type { LayoutServerLoad } from './$types';
import { requireRole, STAFF_AREA_ROLES } from '$lib/server/session';

// The staff area: signed-in drafters, policymakers and admins. Each page checks its own role too, and the API
// authorises every mutation again: this guard is for the reader, not for security.
export const load: LayoutServerLoad = async (event) => {
  // Moderators come in for the moderation queue, spokespeople for digests, alerts and reports, auditors to read the
  // analysis and the moderation queue; the other staff pages check for drafters themselves.
  await requireRole(event, [...STAFF_AREA_ROLES, 'MODERATOR', 'SPOKESPERSON', 'AUDITOR']);
  return {};
};
