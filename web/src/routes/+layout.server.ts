import type { LayoutServerLoad } from './$types';
import { getLocale } from '$lib/paraglide/runtime';
import { getViewer, hasRoleAnywhere, STAFF_AREA_ROLES } from '$lib/server/session';
import { fetchUnreadCount } from '$lib/server/gql/search';

export const load: LayoutServerLoad = async (event) => {
	const viewer = await getViewer(event);
	const unreadNotifications = viewer ? await fetchUnreadCount(event) : 0;
	return {
		locale: getLocale(),
		viewer: viewer
			? {
					displayName: viewer.account.displayName,
					emailVerified: viewer.account.emailVerified,
					isStaffArea: hasRoleAnywhere(viewer, STAFF_AREA_ROLES),
					isAdmin: hasRoleAnywhere(viewer, ['ADMIN']),
					isAuditor: hasRoleAnywhere(viewer, ['AUDITOR']),
					unreadNotifications,
					isModerator: hasRoleAnywhere(viewer, ['MODERATOR']),
				}
			: null,
	};
};
