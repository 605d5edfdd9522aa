import type { LayoutServerLoad } from './$types';
import { getLocale } from '$lib/paraglide/runtime';
import { getViewer, hasRoleAnywhere, STAFF_AREA_ROLES } from '$lib/server/session';
import { fetchUnreadCount } from '$lib/server/gql/search';
import { operator } from '$lib/server/operator';

export const load: LayoutServerLoad = async (event) => {
  // Both ask the API with the session token; the count is 0 when the token is no longer valid.
  const [viewer, unread] = await Promise.all([getViewer(event), fetchUnreadCount(event)]);
  const unreadNotifications = viewer ? unread : 0;
  return {
    locale: getLocale(),
    operator: operator(),
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
