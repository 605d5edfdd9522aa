import { organizationQueries, type OrganizationRow } from '@gopy/application/readModels/index';
import type { Role } from '@gopy/schemas';
import { builder } from '../builder';
import { OrganizationKindEnum, RoleEnum } from './enums';
import { Account } from './account';

export const Organization = builder.loadableObjectRef<OrganizationRow, string>('Organization', {
  load: async (ids: string[], ctx) => {
    const rows = await organizationQueries.byIds(ctx.runtime.readDb, ids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? new Error(`Organisation ${id} not found`));
  },
});
Organization.implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    kind: t.field({ type: OrganizationKindEnum, resolve: (o) => o.kind as never }),
    levels: t.exposeStringList('levels'),
    schoolType: t.exposeString('schoolType', {
      description: 'e.g. "phổ thông dân tộc bán trú" (ethnic boarding school); empty when not a school.',
    }),
    parent: t.field({ type: Organization, nullable: true, resolve: (o) => o.parentId }),
  }),
});

export interface MembershipShape {
  organizationId: string;
  accountId: string;
  roles: Role[];
}

export const Membership = builder.objectRef<MembershipShape>('Membership').implement({
  fields: (t) => ({
    organization: t.field({ type: Organization, resolve: (m) => m.organizationId }),
    account: t.field({ type: Account, resolve: (m) => m.accountId }),
    roles: t.field({ type: [RoleEnum], resolve: (m) => m.roles }),
  }),
});

builder.queryField('organizations', (t) =>
  t.field({ type: [Organization], resolve: async (_r, _a, ctx) => organizationQueries.list(ctx.runtime.readDb) }),
);

builder.queryField('members', (t) =>
  t.field({
    type: [Membership],
    authScopes: { admin: true },
    args: { organizationId: t.arg.id({ required: true }) },
    resolve: async (_r, { organizationId }, ctx) =>
      (await organizationQueries.members(ctx.runtime.readDb, String(organizationId))).map((m) => ({
        ...m,
        organizationId: String(organizationId),
      })),
  }),
);
