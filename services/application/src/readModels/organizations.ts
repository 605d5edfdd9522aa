import type { DomainEvent, Role } from '@gopy/schemas';
import type { ReadDb, ReadTx } from './database';
import type { ProjectionContext, ReadModel } from './projection';

export const organizationsReadModel: ReadModel = {
  tables: ['organizations', 'memberships'],
  name: 'organizations',
  async createTables(db) {
    await db.schema
      .createTable('organizations')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('levels', 'text', (c) => c.notNull())
      .addColumn('school_type', 'text', (c) => c.notNull())
      .addColumn('parent_id', 'text')
      .execute();
    await db.schema
      .createTable('memberships')
      .ifNotExists()
      .addColumn('organization_id', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('roles', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('memberships_pk', ['organization_id', 'account_id'])
      .execute();
    await db.schema.createIndex('memberships_account').ifNotExists().on('memberships').column('account_id').execute();
  },
  async evolve(tx: ReadTx, event: DomainEvent, _ctx: ProjectionContext) {
    switch (event.type) {
      case 'OrganizationRegistered': {
        const d = event.data;
        await tx
          .insertInto('organizations')
          .values({
            id: d.organizationId,
            name: d.name,
            kind: d.kind,
            levels: JSON.stringify(d.levels),
            school_type: d.schoolType,
            parent_id: d.parentOrganizationId,
          })
          .execute();
        return;
      }
      case 'MemberAdded':
      case 'MemberRolesChanged': {
        const d = event.data;
        await tx
          .insertInto('memberships')
          .values({ organization_id: d.organizationId, account_id: d.accountId, roles: JSON.stringify(d.roles) })
          .onConflict((oc) =>
            oc.columns(['organization_id', 'account_id']).doUpdateSet({ roles: JSON.stringify(d.roles) }),
          )
          .execute();
        return;
      }
      case 'MemberRemoved':
        await tx
          .deleteFrom('memberships')
          .where('organization_id', '=', event.data.organizationId)
          .where('account_id', '=', event.data.accountId)
          .execute();
        return;
      default:
        return;
    }
  },
};

export interface OrganizationRow {
  id: string;
  name: string;
  kind: string;
  levels: string[];
  schoolType: string;
  parentId: string | null;
}

function toOrganization(r: {
  id: string;
  name: string;
  kind: string;
  levels: string;
  school_type: string;
  parent_id: string | null;
}): OrganizationRow {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    levels: JSON.parse(r.levels) as string[],
    schoolType: r.school_type,
    parentId: r.parent_id,
  };
}

export const organizationQueries = {
  async list(db: ReadDb): Promise<OrganizationRow[]> {
    return (await db.selectFrom('organizations').selectAll().orderBy('name').execute()).map(toOrganization);
  },
  async byIds(db: ReadDb, ids: readonly string[]): Promise<OrganizationRow[]> {
    if (ids.length === 0) return [];
    return (
      await db
        .selectFrom('organizations')
        .selectAll()
        .where('id', 'in', [...ids])
        .execute()
    ).map(toOrganization);
  },
  async membershipsOf(db: ReadDb, accountId: string): Promise<{ organizationId: string; roles: Role[] }[]> {
    const rows = await db.selectFrom('memberships').selectAll().where('account_id', '=', accountId).execute();
    return rows.map((r) => ({ organizationId: r.organization_id, roles: JSON.parse(r.roles) as Role[] }));
  },
  async members(db: ReadDb, organizationId: string): Promise<{ accountId: string; roles: Role[] }[]> {
    const rows = await db.selectFrom('memberships').selectAll().where('organization_id', '=', organizationId).execute();
    return rows.map((r) => ({ accountId: r.account_id, roles: JSON.parse(r.roles) as Role[] }));
  },
  async count(db: ReadDb): Promise<number> {
    const r = await db
      .selectFrom('organizations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },
};
