import type { Role } from '@gopy/schemas';
import { ANALYST_ROLES } from '@gopy/domain/analysisDecider';
import { STAFF_ROLES } from '@gopy/domain/shared';
import { hasRoleAnywhere, type Viewer } from './graphql/context';

/**
 * Who may read what outside GraphQL (the export and attachment routes), by role per organisation, in one place.
 * Auditors read everything. What a state allows stays in the deciders; what a request may attempt is attempt.ts.
 */

const holds = (viewer: Viewer, organizationId: string | null | undefined, roles: readonly Role[]): boolean =>
  !!organizationId && (viewer.memberships.get(organizationId) ?? []).some((r) => roles.includes(r));

/** A round's comments as a spreadsheet: those who analyse the feedback of the owning organisation (and auditors). */
export function mayExportComments(viewer: Viewer, owningOrganizationId: string | null | undefined): boolean {
  return hasRoleAnywhere(viewer, 'auditor') || holds(viewer, owningOrganizationId, ANALYST_ROLES);
}

/** Who reads an organisation's semester reports: its staff, spokesperson and leaders, its parent's, and auditors. */
export const REPORT_READER_ROLES: readonly Role[] = ['staff', 'spokesperson', 'admin', 'policymaker', 'auditor'];
export function mayReadReports(viewer: Viewer, org: { id: string; parentId: string | null }): boolean {
  return (
    hasRoleAnywhere(viewer, 'auditor') ||
    holds(viewer, org.id, REPORT_READER_ROLES) ||
    holds(viewer, org.parentId, REPORT_READER_ROLES)
  );
}

/** A file attached to a comment: the owning organisation's staff, moderators and admins, and auditors. */
export const COMMENT_FILE_READER_ROLES: readonly Role[] = ['staff', 'moderator', 'admin'];
export function mayReadCommentFile(viewer: Viewer | null, owningOrganizationId: string | null | undefined): boolean {
  return (
    !!viewer && (hasRoleAnywhere(viewer, 'auditor') || holds(viewer, owningOrganizationId, COMMENT_FILE_READER_ROLES))
  );
}

/** The organisations a viewer may upload files for (to cite them there): where they are staff or admin. */
export function uploadOrganizations(viewer: Viewer): string[] {
  return [...viewer.memberships.keys()].filter((organizationId) => holds(viewer, organizationId, STAFF_ROLES));
}
