import { describe, expect, it } from 'vitest';
import { ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from './errors';
import { foldOrganization, type OrganizationEvent } from './organization';
import {
  organizationDecider,
  type AddCommunicationChannel,
  type AddMember,
  type ChangeMemberRoles,
  type RegisterOrganization,
  type RemoveMember,
  type RetireCommunicationChannel,
} from './organizationDecider';
import { accounts, actors, ids, T } from './testkit/builders';
import { specFor } from './testkit/spec';

const given = specFor(organizationDecider);

const school = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const base = { organizationId: school, now: T.drafting, actor: actors.admin };

const registerSchool = (over: Partial<RegisterOrganization> = {}): RegisterOrganization => ({
  type: 'RegisterOrganization',
  ...base,
  name: 'Trường TH&THCS Hoà Bình',
  kind: 'school',
  levels: ['TH', 'THCS'],
  schoolType: 'phổ thông dân tộc bán trú',
  parentOrganizationId: ids.organization,
  ...over,
});
const addMember = (over: Partial<AddMember> = {}): AddMember => ({
  type: 'AddMember',
  ...base,
  accountId: accounts.staff,
  roles: ['staff'],
  ...over,
});
const changeRoles = (over: Partial<ChangeMemberRoles> = {}): ChangeMemberRoles => ({
  type: 'ChangeMemberRoles',
  ...base,
  accountId: accounts.staff,
  roles: ['staff', 'spokesperson'],
  ...over,
});
const removeMember = (over: Partial<RemoveMember> = {}): RemoveMember => ({
  type: 'RemoveMember',
  ...base,
  accountId: accounts.staff,
  reason: 'Chuyển công tác.',
  ...over,
});

const registered: OrganizationEvent = {
  type: 'OrganizationRegistered',
  data: {
    organizationId: school,
    name: 'Trường TH&THCS Hoà Bình',
    kind: 'school',
    levels: ['TH', 'THCS'],
    schoolType: 'phổ thông dân tộc bán trú',
    parentOrganizationId: ids.organization,
    registeredBy: accounts.admin,
  },
};
const member = (accountId: string, ...roles: AddMember['roles']): OrganizationEvent => ({
  type: 'MemberAdded',
  data: { organizationId: school, accountId, roles, addedBy: accounts.admin },
});
const aSchoolWithAdminAndStaff = (): OrganizationEvent[] => [
  registered,
  member(accounts.admin, 'admin'),
  member(accounts.staff, 'staff'),
];

describe('RegisterOrganization', () => {
  it('registers a school with its levels under its district office', () => {
    given([]).when(registerSchool()).then([registered]);
  });

  it('registers a district office without levels or parent', () => {
    given([])
      .when(
        registerSchool({
          name: 'Phòng GD&ĐT huyện',
          kind: 'district_office',
          levels: [],
          schoolType: '',
          parentOrganizationId: null,
        }),
      )
      .then([
        {
          type: 'OrganizationRegistered',
          data: {
            ...registered.data,
            name: 'Phòng GD&ĐT huyện',
            kind: 'district_office',
            levels: [],
            schoolType: '',
            parentOrganizationId: null,
          },
        } as OrganizationEvent,
      ]);
  });

  it('is refused when already registered', () => {
    given([registered]).when(registerSchool()).then(IllegalStateError, 'ORGANIZATION_ALREADY_EXISTS');
  });

  it('is refused to anyone but an admin', () => {
    given([])
      .when(registerSchool({ actor: actors.staff }))
      .then(ForbiddenError, 'ADMIN_ONLY');
  });

  it('is refused for a school without levels', () => {
    given([])
      .when(registerSchool({ levels: [] }))
      .then(ValidationError, 'levels');
  });

  it('is refused when the organisation is its own parent', () => {
    given([])
      .when(registerSchool({ parentOrganizationId: school }))
      .then(ValidationError, 'parentOrganizationId');
  });
});

describe('AddMember', () => {
  it('adds a member with roles', () => {
    given([registered])
      .when(addMember())
      .then([member(accounts.staff, 'staff')]);
  });

  it('is refused when already a member', () => {
    given(aSchoolWithAdminAndStaff()).when(addMember()).then(IllegalStateError, 'ALREADY_MEMBER');
  });

  it('is refused without roles', () => {
    given([registered])
      .when(addMember({ roles: [] }))
      .then(ValidationError, 'roles');
  });

  it('is refused with an unknown role', () => {
    given([registered])
      .when(addMember({ roles: ['principal' as never] }))
      .then(ValidationError, 'roles[0]');
  });

  it('is refused on an organisation that does not exist', () => {
    given([]).when(addMember()).then(NotFoundError, 'organization');
  });

  it('is refused to anyone but an admin', () => {
    given([registered])
      .when(addMember({ actor: actors.staff }))
      .then(ForbiddenError, 'ADMIN_ONLY');
  });
});

describe('ChangeMemberRoles', () => {
  it('changes a member’s roles, recording the previous ones', () => {
    given(aSchoolWithAdminAndStaff())
      .when(changeRoles())
      .then([
        {
          type: 'MemberRolesChanged',
          data: {
            organizationId: school,
            accountId: accounts.staff,
            roles: ['staff', 'spokesperson'],
            previousRoles: ['staff'],
            changedBy: accounts.admin,
          },
        },
      ]);
  });

  it('records nothing when the roles are the same', () => {
    given(aSchoolWithAdminAndStaff())
      .when(changeRoles({ roles: ['staff'] }))
      .then([]);
  });

  it('is refused for someone who is not a member', () => {
    given([registered]).when(changeRoles()).then(IllegalStateError, 'NOT_A_MEMBER');
  });

  it('is refused when it takes the admin role from the last admin', () => {
    given(aSchoolWithAdminAndStaff())
      .when(changeRoles({ accountId: accounts.admin, roles: ['staff'] }))
      .then(IllegalStateError, 'LAST_ADMIN');
  });
});

describe('RemoveMember', () => {
  it('removes a member', () => {
    given(aSchoolWithAdminAndStaff())
      .when(removeMember())
      .then([
        {
          type: 'MemberRemoved',
          data: {
            organizationId: school,
            accountId: accounts.staff,
            removedBy: accounts.admin,
            reason: 'Chuyển công tác.',
          },
        },
      ]);
  });

  it('removes an admin when another admin remains', () => {
    given([...aSchoolWithAdminAndStaff(), member(accounts.policymaker, 'admin', 'policymaker')])
      .when(removeMember({ accountId: accounts.policymaker }))
      .then([
        {
          type: 'MemberRemoved',
          data: {
            organizationId: school,
            accountId: accounts.policymaker,
            removedBy: accounts.admin,
            reason: 'Chuyển công tác.',
          },
        },
      ]);
  });

  it('is refused for the last admin', () => {
    given(aSchoolWithAdminAndStaff())
      .when(removeMember({ accountId: accounts.admin }))
      .then(IllegalStateError, 'LAST_ADMIN');
  });

  it('is refused for someone who is not a member', () => {
    given(aSchoolWithAdminAndStaff())
      .when(removeMember({ accountId: accounts.auditor }))
      .then(IllegalStateError, 'NOT_A_MEMBER');
  });

  it('is refused to anyone but an admin', () => {
    given(aSchoolWithAdminAndStaff())
      .when(removeMember({ actor: actors.staff }))
      .then(ForbiddenError, 'ADMIN_ONLY');
  });
});

describe('evolveOrganization', () => {
  it('keeps the members and their roles', () => {
    const state = foldOrganization([
      ...aSchoolWithAdminAndStaff(),
      {
        type: 'MemberRolesChanged',
        data: {
          organizationId: school,
          accountId: accounts.staff,
          roles: ['moderator'],
          previousRoles: ['staff'],
          changedBy: accounts.admin,
        },
      },
      {
        type: 'MemberRemoved',
        data: { organizationId: school, accountId: accounts.admin, removedBy: accounts.admin, reason: '' },
      },
    ]);
    expect(state.members).toEqual({ [accounts.staff]: ['moderator'] });
  });
});

describe('communication channels', () => {
  const channelId = 'd1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6';
  const add = (over: Partial<AddCommunicationChannel> = {}): AddCommunicationChannel => ({
    type: 'AddCommunicationChannel',
    ...base,
    actor: actors.staff,
    channelId,
    kind: 'facebook_page',
    name: 'Trang Facebook của trường',
    address: 'https://facebook.com/thcs.hoabinh',
    ...over,
  });
  const retire = (over: Partial<RetireCommunicationChannel> = {}): RetireCommunicationChannel => ({
    type: 'RetireCommunicationChannel',
    ...base,
    actor: actors.staff,
    channelId,
    reason: 'Trang cũ không còn dùng.',
    ...over,
  });
  const added: OrganizationEvent = {
    type: 'CommunicationChannelAdded',
    data: {
      organizationId: school,
      channelId,
      kind: 'facebook_page',
      name: 'Trang Facebook của trường',
      address: 'https://facebook.com/thcs.hoabinh',
      addedBy: accounts.staff,
    },
  };
  const retired: OrganizationEvent = {
    type: 'CommunicationChannelRetired',
    data: { organizationId: school, channelId, retiredBy: accounts.staff, reason: 'Trang cũ không còn dùng.' },
  };

  it('staff add a channel and retire it', () => {
    given([registered]).when(add()).then([added]);
    given([registered, added]).when(retire()).then([retired]);
  });
  it('an admin may stand in', () => {
    given([registered])
      .when(add({ actor: actors.admin }))
      .then([{ ...added, data: { ...added.data, addedBy: accounts.admin } } as OrganizationEvent]);
  });
  it('refuses anyone else, an unknown kind, an empty name, the same channel twice, retiring twice or an unknown channel', () => {
    given([registered])
      .when(add({ actor: actors.participant }))
      .then(ForbiddenError, 'STAFF_ONLY');
    given([registered])
      .when(add({ actor: actors.spokesperson }))
      .then(ForbiddenError, 'STAFF_ONLY');
    given([registered])
      .when(add({ kind: 'tiktok' as never }))
      .then(ValidationError, 'kind');
    given([registered])
      .when(add({ name: ' ' }))
      .then(ValidationError, 'name');
    given([registered, added]).when(add()).then(IllegalStateError, 'CHANNEL_ALREADY_EXISTS');
    given([registered, added, retired]).when(retire()).then(IllegalStateError, 'CHANNEL_ALREADY_RETIRED');
    given([registered]).when(retire()).then(NotFoundError, 'channel');
  });
});
