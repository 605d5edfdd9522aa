import type { Role } from '@gopy/schemas';
import type { Runtime } from '@gopy/composition/runtime';

export type Locale = 'vi' | 'en';

export interface Viewer {
  accountId: string;
  emailVerified: boolean;
  /** Roles per organisation, from the read models; computed once per request. */
  memberships: Map<string, Role[]>;
}

export interface GraphQLContext {
  runtime: Runtime;
  viewer: Viewer | null;
  locale: Locale;
  /** The session token of this request, for sign-out. */
  sessionToken: string | undefined;
  /** Lets mutations set or clear the session cookie for clients that talk to the API directly. */
  setCookie(name: string, value: string, options: { maxAgeSeconds: number }): void;
}

/** Roles the viewer holds in an organisation; every verified account is also a participant anywhere. */
export function rolesIn(viewer: Viewer | null, organizationId: string | null): Role[] {
  if (!viewer) return [];
  const roles = new Set<Role>(organizationId ? (viewer.memberships.get(organizationId) ?? []) : []);
  if (viewer.emailVerified) roles.add('participant');
  return [...roles];
}

export function hasRoleAnywhere(viewer: Viewer | null, role: Role): boolean {
  if (!viewer) return false;
  for (const roles of viewer.memberships.values()) if (roles.includes(role)) return true;
  return false;
}
