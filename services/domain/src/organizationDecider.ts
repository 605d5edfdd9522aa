import { OrganizationKinds, Roles, SchoolLevels, organizationEvents, type Role } from '@gopy/schemas';

const { CommunicationChannelKinds } = organizationEvents;
import { NotFoundError } from './errors';
import {
  adminCount,
  evolveOrganization,
  initialOrganizationState,
  type OrganizationEvent,
  type OrganizationKind,
  type OrganizationState,
  type SchoolLevel,
} from './organization';
import { illegalState } from './rules';
import {
  invalid,
  optionalUuid,
  requireAnyRole,
  requireContext,
  STAFF_ROLES,
  requireOneOf,
  requireText,
  requireUuid,
  unreachable,
  type CommandActor,
  type CommandBase,
  type Decider,
} from './shared';

interface OrganizationCommandBase extends CommandBase {
  organizationId: string;
}

export interface RegisterOrganization extends OrganizationCommandBase {
  type: 'RegisterOrganization';
  name: string;
  kind: OrganizationKind;
  /** School levels taught (MN, TH, THCS, THPT); required for a school, empty otherwise. */
  levels: SchoolLevel[];
  schoolType: string;
  parentOrganizationId: string | null;
}
export interface AddMember extends OrganizationCommandBase {
  type: 'AddMember';
  accountId: string;
  roles: Role[];
}
export interface ChangeMemberRoles extends OrganizationCommandBase {
  type: 'ChangeMemberRoles';
  accountId: string;
  roles: Role[];
}
export interface RemoveMember extends OrganizationCommandBase {
  type: 'RemoveMember';
  accountId: string;
  reason: string;
}

/** Staff (or an admin) keep the list of the organisation's communication channels. */
export interface AddCommunicationChannel extends OrganizationCommandBase {
  type: 'AddCommunicationChannel';
  channelId: string;
  kind: (typeof CommunicationChannelKinds)[number];
  name: string;
  address: string;
}
export interface RetireCommunicationChannel extends OrganizationCommandBase {
  type: 'RetireCommunicationChannel';
  channelId: string;
  reason: string;
}

export type OrganizationCommand =
  | RegisterOrganization
  | AddMember
  | ChangeMemberRoles
  | RemoveMember
  | AddCommunicationChannel
  | RetireCommunicationChannel;

/**
 * Who manages an organisation's members and registers organisations under it: its admins. Asked first, also by a
 * caller that must look something up before it can build the command (whose account an email names), so a refusal
 * tells a non-admin nothing about what it looked up.
 */
export function requireMemberManager(actor: CommandActor): void {
  requireAnyRole(actor, ['admin'], 'ADMIN_ONLY');
}

/** Every organisation command is an admin's: for a new organisation, an admin of its parent (the caller computes roles). */
export function decideOrganization(command: OrganizationCommand, state: OrganizationState): OrganizationEvent[] {
  requireContext(command);
  if (command.type === 'AddCommunicationChannel' || command.type === 'RetireCommunicationChannel') {
    requireAnyRole(command.actor, STAFF_ROLES, 'STAFF_ONLY');
  } else {
    requireMemberManager(command.actor);
  }
  if (command.type === 'RegisterOrganization') return register(command, state);
  if (state.status === 'none' || state.organizationId !== command.organizationId) {
    throw new NotFoundError('organization', command.organizationId, {
      vi: `Không tìm thấy tổ chức ${command.organizationId}.`,
      en: `Organisation ${command.organizationId} not found.`,
    });
  }
  switch (command.type) {
    case 'AddMember':
      return addMember(command, state);
    case 'ChangeMemberRoles':
      return changeRoles(command, state);
    case 'RemoveMember':
      return removeMember(command, state);
    case 'AddCommunicationChannel':
      return addChannel(command, state);
    case 'RetireCommunicationChannel':
      return retireChannel(command, state);
    default:
      return unreachable(command);
  }
}

function register(command: RegisterOrganization, state: OrganizationState): OrganizationEvent[] {
  if (state.status !== 'none') throw illegalState('ORGANIZATION_ALREADY_EXISTS');
  const organizationId = requireUuid('organizationId', command.organizationId);
  const name = requireText('name', command.name, { min: 1, max: 300 });
  const kind = requireOneOf('kind', command.kind, OrganizationKinds);
  if (!Array.isArray(command.levels))
    throw invalid('levels', 'Cấp học phải là một danh sách.', 'levels must be a list.');
  const levels = [...new Set(command.levels.map((l, i) => requireOneOf(`levels[${i}]`, l, SchoolLevels)))];
  if ((kind === 'school') !== levels.length > 0) {
    throw invalid(
      'levels',
      'Trường học phải có ít nhất một cấp học; tổ chức khác thì không.',
      'A school needs at least one level; other kinds none.',
    );
  }
  const schoolType = requireText('schoolType', command.schoolType ?? '', { min: 0, max: 200 });
  const parentOrganizationId = optionalUuid('parentOrganizationId', command.parentOrganizationId);
  if (parentOrganizationId === organizationId) {
    throw invalid(
      'parentOrganizationId',
      'Tổ chức không thể là cấp trên của chính nó.',
      'An organisation cannot be its own parent.',
    );
  }
  return [
    {
      type: 'OrganizationRegistered',
      data: {
        organizationId,
        name,
        kind,
        levels,
        schoolType,
        parentOrganizationId,
        registeredBy: command.actor.accountId,
      },
    },
  ];
}

function requireRoles(value: unknown): Role[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalid('roles', 'Cần ít nhất một vai trò.', 'At least one role is required.');
  }
  return [...new Set(value.map((r, i) => requireOneOf(`roles[${i}]`, r, Roles)))];
}

function addMember(command: AddMember, state: OrganizationState): OrganizationEvent[] {
  const accountId = requireUuid('accountId', command.accountId);
  if (state.members[accountId]) throw illegalState('ALREADY_MEMBER');
  const roles = requireRoles(command.roles);
  return [
    {
      type: 'MemberAdded',
      data: { organizationId: command.organizationId, accountId, roles, addedBy: command.actor.accountId },
    },
  ];
}

function changeRoles(command: ChangeMemberRoles, state: OrganizationState): OrganizationEvent[] {
  const previousRoles = state.members[command.accountId];
  if (!previousRoles) throw illegalState('NOT_A_MEMBER');
  const roles = requireRoles(command.roles);
  if (previousRoles.includes('admin') && !roles.includes('admin') && adminCount(state) === 1)
    throw illegalState('LAST_ADMIN');
  const unchanged = roles.length === previousRoles.length && roles.every((r) => previousRoles.includes(r));
  if (unchanged) return [];
  return [
    {
      type: 'MemberRolesChanged',
      data: {
        organizationId: command.organizationId,
        accountId: command.accountId,
        roles,
        previousRoles,
        changedBy: command.actor.accountId,
      },
    },
  ];
}

function removeMember(command: RemoveMember, state: OrganizationState): OrganizationEvent[] {
  const roles = state.members[command.accountId];
  if (!roles) throw illegalState('NOT_A_MEMBER');
  // Nobody could manage an organisation left without an admin.
  if (roles.includes('admin') && adminCount(state) === 1) throw illegalState('LAST_ADMIN');
  const reason = requireText('reason', command.reason ?? '', { min: 0, max: 2_000 });
  return [
    {
      type: 'MemberRemoved',
      data: {
        organizationId: command.organizationId,
        accountId: command.accountId,
        removedBy: command.actor.accountId,
        reason,
      },
    },
  ];
}

function addChannel(command: AddCommunicationChannel, state: OrganizationState): OrganizationEvent[] {
  const channelId = requireUuid('channelId', command.channelId);
  if (state.channels[channelId]) throw illegalState('CHANNEL_ALREADY_EXISTS');
  return [
    {
      type: 'CommunicationChannelAdded',
      data: {
        organizationId: command.organizationId,
        channelId,
        kind: requireOneOf('kind', command.kind, CommunicationChannelKinds),
        name: requireText('name', command.name, { min: 1, max: 200 }),
        address: requireText('address', command.address ?? '', { min: 0, max: 500 }),
        addedBy: command.actor.accountId,
      },
    },
  ];
}

function retireChannel(command: RetireCommunicationChannel, state: OrganizationState): OrganizationEvent[] {
  const channelId = requireUuid('channelId', command.channelId);
  const channel = state.channels[channelId];
  if (!channel) {
    throw new NotFoundError('channel', channelId, {
      vi: `Không tìm thấy kênh ${channelId}.`,
      en: `Channel ${channelId} not found.`,
    });
  }
  if (!channel.active) throw illegalState('CHANNEL_ALREADY_RETIRED');
  return [
    {
      type: 'CommunicationChannelRetired',
      data: {
        organizationId: command.organizationId,
        channelId,
        retiredBy: command.actor.accountId,
        reason: requireText('reason', command.reason ?? '', { min: 0, max: 2_000 }),
      },
    },
  ];
}

export const organizationDecider: Decider<OrganizationCommand, OrganizationState, OrganizationEvent> = {
  decide: decideOrganization,
  evolve: evolveOrganization,
  initialState: initialOrganizationState,
};
