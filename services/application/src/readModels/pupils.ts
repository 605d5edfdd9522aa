import type { DomainEvent } from '@gopy/schemas';
import type { ReadDb, ReadTx } from './database';
import type { ProjectionContext, ReadModel } from './projection';

/** A school's pupils and where their consents stand (from the pupils' account streams). */
export interface PupilsTable {
  account_id: string;
  organization_id: string;
  class_name: string;
  birth_year: number;
  /** JSON object consentId → { givenBy, active }. */
  consents_json: string;
  enrolled_at: string;
}

type Db = { pupils: PupilsTable };
type Consents = Record<string, { givenBy: 'guardian' | 'pupil'; active: boolean }>;

export const pupilsReadModel: ReadModel = {
  name: 'pupils',
  tables: ['pupils'],
  async createTables(db) {
    await db
      .withTables<Db>()
      .schema.createTable('pupils')
      .ifNotExists()
      .addColumn('account_id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'text', (c) => c.notNull())
      .addColumn('class_name', 'text', (c) => c.notNull())
      .addColumn('birth_year', 'integer', (c) => c.notNull())
      .addColumn('consents_json', 'text', (c) => c.notNull())
      .addColumn('enrolled_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('pupils_org_class')
      .ifNotExists()
      .on('pupils')
      .columns(['organization_id', 'class_name'])
      .execute();
  },
  async evolve(tx: ReadTx, event: DomainEvent, ctx: ProjectionContext) {
    const t = tx.withTables<Db>();
    const update = async (accountId: string, change: (c: Consents) => Consents) => {
      const row = await t
        .selectFrom('pupils')
        .select('consents_json')
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      if (!row) return;
      const consents = change(JSON.parse(row.consents_json) as Consents);
      await t
        .updateTable('pupils')
        .set({ consents_json: JSON.stringify(consents) })
        .where('account_id', '=', accountId)
        .execute();
    };
    switch (event.type) {
      case 'PupilEnrolled': {
        const d = event.data;
        await t
          .insertInto('pupils')
          .values({
            account_id: d.accountId,
            organization_id: d.organizationId,
            class_name: d.className,
            birth_year: d.birthYear,
            consents_json: '{}',
            enrolled_at: ctx.metadata.recordedAt,
          })
          .onConflict((oc) => oc.column('account_id').doNothing())
          .execute();
        return;
      }
      case 'ConsentRecorded':
        await update(event.data.accountId, (c) => ({
          ...c,
          [event.data.consentId]: { givenBy: event.data.givenBy, active: true },
        }));
        return;
      case 'ConsentWithdrawn':
        await update(event.data.accountId, (c) =>
          c[event.data.consentId]
            ? { ...c, [event.data.consentId]: { ...c[event.data.consentId]!, active: false } }
            : c,
        );
        return;
      case 'AccountErased':
        // The class and year of birth were personal data: gone with the account.
        await t.deleteFrom('pupils').where('account_id', '=', event.data.accountId).execute();
        return;
      default:
        return;
    }
  },
};

export interface PupilRow {
  accountId: string;
  organizationId: string;
  className: string;
  birthYear: number;
  consents: { consentId: string; givenBy: 'guardian' | 'pupil'; active: boolean }[];
}

export const pupilQueries = {
  async ofOrganization(db: ReadDb, organizationId: string): Promise<PupilRow[]> {
    const rows = await db
      .withTables<Db>()
      .selectFrom('pupils')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('class_name')
      .orderBy('enrolled_at')
      .orderBy('account_id')
      .execute();
    return rows.map((r) => ({
      accountId: r.account_id,
      organizationId: r.organization_id,
      className: r.class_name,
      birthYear: Number(r.birth_year),
      consents: Object.entries(JSON.parse(r.consents_json) as Consents).map(([consentId, c]) => ({ consentId, ...c })),
    }));
  },
  async byAccount(db: ReadDb, accountId: string): Promise<PupilRow | undefined> {
    const r = await db
      .withTables<Db>()
      .selectFrom('pupils')
      .selectAll()
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return r
      ? {
          accountId: r.account_id,
          organizationId: r.organization_id,
          className: r.class_name,
          birthYear: Number(r.birth_year),
          consents: Object.entries(JSON.parse(r.consents_json) as Consents).map(([consentId, c]) => ({
            consentId,
            ...c,
          })),
        }
      : undefined;
  },
};
