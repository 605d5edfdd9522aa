import { describe, expect, it } from 'vitest';
import type { Role } from '@gopy/schemas';
import { mayExportComments, mayReadCommentFile, mayReadReports, uploadOrganizations } from './access';
import type { Viewer } from './graphql/context';

const viewer = (memberships: Record<string, Role[]>): Viewer => ({
  accountId: '0190a3c4-0000-7000-8000-000000000001',
  emailVerified: true,
  memberships: new Map(Object.entries(memberships)),
});

describe('who may read outside GraphQL', () => {
  it('exports a round’s comments to its organisation’s analysts and to auditors only', () => {
    expect(mayExportComments(viewer({ office: ['policymaker'] }), 'office')).toBe(true);
    expect(mayExportComments(viewer({ office: ['staff'] }), 'office')).toBe(true);
    expect(mayExportComments(viewer({ other: ['auditor'] }), 'office')).toBe(true);
    expect(mayExportComments(viewer({ office: ['moderator', 'spokesperson'] }), 'office')).toBe(false);
    expect(mayExportComments(viewer({ other: ['staff'] }), 'office')).toBe(false);
    expect(mayExportComments(viewer({ office: ['staff'] }), undefined)).toBe(false);
  });

  it('lets an organisation’s and its parent’s readers read its reports', () => {
    const school = { id: 'school', parentId: 'district' };
    expect(mayReadReports(viewer({ school: ['spokesperson'] }), school)).toBe(true);
    expect(mayReadReports(viewer({ district: ['staff'] }), school)).toBe(true);
    expect(mayReadReports(viewer({ province: ['auditor'] }), school)).toBe(true);
    expect(mayReadReports(viewer({ school: ['moderator'] }), school)).toBe(false);
    expect(mayReadReports(viewer({ other: ['admin'] }), school)).toBe(false);
  });

  it('shows a comment’s file to the owning organisation’s staff, moderators, admins and to auditors', () => {
    expect(mayReadCommentFile(viewer({ office: ['moderator'] }), 'office')).toBe(true);
    expect(mayReadCommentFile(viewer({ elsewhere: ['auditor'] }), 'office')).toBe(true);
    expect(mayReadCommentFile(viewer({ office: ['policymaker'] }), 'office')).toBe(false);
    expect(mayReadCommentFile(null, 'office')).toBe(false);
  });

  it('stores an upload for the organisations where the uploader is staff or admin', () => {
    expect(uploadOrganizations(viewer({ a: ['staff'], b: ['admin'], c: ['moderator'] }))).toEqual(['a', 'b']);
    expect(uploadOrganizations(viewer({ c: ['policymaker'] }))).toEqual([]);
  });
});
