import type { LayoutServerLoad } from './$types';
import { getLocale } from '$lib/paraglide/runtime';
import { getViewer, hasRoleAnywhere, STAFF_AREA_ROLES } from '$lib/server/session';

export const load: LayoutServerLoad = async (event) => {
	const viewer = await getViewer(event);
	return {
		locale: getLocale(),
		viewer: viewer
			? {
					displayName: viewer.account.displayName,
					emailVerified: viewer.account.emailVerified,
					isStaffArea: hasRoleAnywhere(viewer, STAFF_AREA_ROLES),
					isAdmin: hasRoleAnywhere(viewer, ['ADMIN']),
					isModerator: hasRoleAnywhere(viewer, ['MODERATOR']),
				}
			: null,
	};
};
