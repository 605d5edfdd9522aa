import type { PageServerLoad } from './$types';
import { fetchAllPolicies } from '$lib/server/api';
import { requireRole, STAFF_AREA_ROLES } from '$lib/server/session';

export const load: PageServerLoad = async (event) => {
	const viewer = await requireRole(event, STAFF_AREA_ROLES);
	const organizations = viewer.memberships
		.filter((mb) => mb.roles.some((r) => STAFF_AREA_ROLES.includes(r)))
		.map((mb) => ({ ...mb.organization, roles: mb.roles }));
	const ids = new Set(organizations.map((o) => o.id));
	const policies = (await fetchAllPolicies(event)).filter((p) => ids.has(p.owningOrganization.id));
	return {
		organizations: organizations.map((o) => ({
			...o,
			policies: policies.filter((p) => p.owningOrganization.id === o.id),
		})),
		canPropose: viewer.staffOrganizations.length > 0,
		now: new Date().toISOString(),
	};
};
