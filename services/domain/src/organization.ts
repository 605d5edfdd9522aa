import type { DomainEvent, EventOf, Role } from '@gopy/schemas';
import { type OrganizationKinds, type SchoolLevels } from '@gopy/schemas';
import { unreachable } from './shared';

export const organizationEventTypes = [
  'OrganizationRegistered',
  'MemberAdded',
  'MemberRolesChanged',
  'MemberRemoved',
  'CommunicationChannelAdded',
  'CommunicationChannelRetired',
] as const;
export type OrganizationEventType = (typeof organizationEventTypes)[number];
export type OrganizationEvent = EventOf<OrganizationEventType>;

export function isOrganizationEvent(event: DomainEvent): event is OrganizationEvent {
  return (organizationEventTypes as readonly string[]).includes(event.type);
}

export type OrganizationKind = (typeof OrganizationKinds)[number];
export type SchoolLevel = (typeof SchoolLevels)[number];

export interface OrganizationState {
  status: 'none' | 'registered';
  organizationId: string | null;
  name: string;
  kind: OrganizationKind | null;
  levels: SchoolLevel[];
  schoolType: string;
  parentOrganizationId: string | null;
  /** accountId → roles held in this organisation. */
  members: Record<string, Role[]>;
  /** channelId → whether the channel is still in use. */
  channels: Record<string, { active: boolean }>;
}

export const initialOrganizationState: OrganizationState = {
  status: 'none',
  organizationId: null,
  name: '',
  kind: null,
  levels: [],
  schoolType: '',
  parentOrganizationId: null,
  members: {},
  channels: {},
};

export function adminCount(state: OrganizationState): number {
  return Object.values(state.members).filter((roles) => roles.includes('admin')).length;
}

export function evolveOrganization(state: OrganizationState, event: OrganizationEvent): OrganizationState {
  switch (event.type) {
    case 'OrganizationRegistered': {
      const { organizationId, name, kind, levels, schoolType, parentOrganizationId } = event.data;
      return { ...state, status: 'registered', organizationId, name, kind, levels, schoolType, parentOrganizationId };
    }
    case 'MemberAdded':
    case 'MemberRolesChanged':
      return { ...state, members: { ...state.members, [event.data.accountId]: event.data.roles } };
    case 'MemberRemoved': {
      const { [event.data.accountId]: _removed, ...members } = state.members;
      return { ...state, members };
    }
    case 'CommunicationChannelAdded':
      return { ...state, channels: { ...state.channels, [event.data.channelId]: { active: true } } };
    case 'CommunicationChannelRetired':
      return { ...state, channels: { ...state.channels, [event.data.channelId]: { active: false } } };
    default:
      return unreachable(event);
  }
}

export function foldOrganization(
  events: readonly OrganizationEvent[],
  state: OrganizationState = initialOrganizationState,
): OrganizationState {
  return events.reduce(evolveOrganization, state);
}
