import { z } from 'zod';
import { Role, Uuid } from '../common';

export const OrganizationKinds = ['province_department', 'district_office', 'school', 'other'] as const;
/** School levels: mầm non, tiểu học, THCS, THPT; a combined school lists several (TH&THCS). */
export const SchoolLevels = ['MN', 'TH', 'THCS', 'THPT'] as const;

export const OrganizationRegistered = z.object({
  organizationId: Uuid,
  name: z.string().min(1).max(300),
  kind: z.enum(OrganizationKinds),
  levels: z.array(z.enum(SchoolLevels)),
  /** e.g. "phổ thông dân tộc bán trú" (ethnic boarding school); empty when not a school. */
  schoolType: z.string().max(200),
  parentOrganizationId: Uuid.nullable(),
  registeredBy: Uuid.nullable(),
});
export const MemberAdded = z.object({
  organizationId: Uuid,
  accountId: Uuid,
  roles: z.array(Role).min(1),
  addedBy: Uuid.nullable(),
});
export const MemberRolesChanged = z.object({
  organizationId: Uuid,
  accountId: Uuid,
  roles: z.array(Role),
  previousRoles: z.array(Role),
  changedBy: Uuid,
});
export const MemberRemoved = z.object({
  organizationId: Uuid,
  accountId: Uuid,
  removedBy: Uuid,
  reason: z.string().max(2_000),
});

/**
 * The ways an organisation talks with the public and hears back: its web portal, Facebook or Zalo page, email list,
 * press contacts, meetings. Feedback recorded from one of them is counted under the comment channel it maps to.
 */
export const CommunicationChannelKinds = [
  'web_portal',
  'facebook_page',
  'zalo_page',
  'email_list',
  'press_contacts',
  'meetings',
  'other',
] as const;
export const CommunicationChannelAdded = z.object({
  organizationId: Uuid,
  channelId: Uuid,
  kind: z.enum(CommunicationChannelKinds),
  name: z.string().min(1).max(200),
  /** Where to find it: an address, a page, a list's name; empty when there is none (meetings). */
  address: z.string().max(500),
  addedBy: Uuid,
});
export const CommunicationChannelRetired = z.object({
  organizationId: Uuid,
  channelId: Uuid,
  retiredBy: Uuid,
  reason: z.string().max(2_000),
});
