import { Channels, NodeKinds, OrganizationKinds, Roles, Stances, StakeholderCategories } from '@gopy/schemas';
import { builder } from '../builder';

/** GraphQL enums in SCREAMING_CASE whose internal values are the catalogue's lowercase values. */
function enumOf<const T extends string>(name: string, values: readonly T[]) {
  return builder.enumType(name, {
    values: Object.fromEntries(values.map((v) => [v.toUpperCase(), { value: v }])) as Record<
      Uppercase<T>,
      { value: T }
    >,
  });
}

export const PolicyStatusEnum = enumOf('PolicyStatus', [
  'proposed',
  'drafting',
  'consultation',
  'review',
  'enacted',
  'withdrawn',
] as const);
export const StanceEnum = enumOf('Stance', Stances);
export const StakeholderCategoryEnum = enumOf('StakeholderCategory', StakeholderCategories);
export const ChannelEnum = enumOf('Channel', Channels);
export const NodeKindEnum = enumOf('NodeKind', NodeKinds);
export const RoleEnum = enumOf('Role', Roles);
export const OrganizationKindEnum = enumOf('OrganizationKind', OrganizationKinds);
export const LocaleEnum = enumOf('Locale', ['vi', 'en'] as const);
