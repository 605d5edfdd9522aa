import type { DomainEvent } from '@gopy/schemas';
import type { ReadDb, ReadTx } from './database';
import type { ProjectionContext, ReadModel } from './projection';

/** What the platform shows for an erased person: their comments stay, their name goes. */
export const ERASED_NAME = 'Người tham gia đã xoá dữ liệu';

export const accountsReadModel: ReadModel = {
  tables: ['accounts'],
  name: 'accounts',
  async createTables(db) {
    await db.schema
      .createTable('accounts')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('pseudonym', 'text')
      .addColumn('stakeholder_category', 'text', (c) => c.notNull())
      .addColumn('email_verified', 'integer', (c) => c.notNull())
      .addColumn('erased', 'integer', (c) => c.notNull())
      .addColumn('preferred_locale', 'text', (c) => c.notNull())
      .addColumn('registered_at', 'text', (c) => c.notNull())
      .execute();
  },
  async evolve(tx: ReadTx, event: DomainEvent, ctx: ProjectionContext) {
    switch (event.type) {
      case 'AccountRegistered': {
        const d = event.data;
        await tx
          .insertInto('accounts')
          .values({
            id: d.accountId,
            display_name: d.displayName ?? ERASED_NAME,
            pseudonym: d.pseudonym,
            stakeholder_category: d.stakeholderCategory,
            email_verified: 0,
            erased: 0,
            preferred_locale: d.preferredLocale,
            registered_at: ctx.metadata.occurredAt,
          })
          .execute();
        return;
      }
      case 'AccountEmailVerified':
        await tx.updateTable('accounts').set({ email_verified: 1 }).where('id', '=', event.data.accountId).execute();
        return;
      case 'AccountErased':
        await tx
          .updateTable('accounts')
          .set({ erased: 1, display_name: ERASED_NAME, pseudonym: null })
          .where('id', '=', event.data.accountId)
          .execute();
        await tx
          .updateTable('comments')
          .set({ author_name: ERASED_NAME })
          .where('author_account_id', '=', event.data.accountId)
          .execute();
        return;
      default:
        return;
    }
  },
};

export interface AccountRow {
  id: string;
  displayName: string;
  pseudonym: string | null;
  stakeholderCategory: string;
  emailVerified: boolean;
  erased: boolean;
  preferredLocale: string;
}

export const accountQueries = {
  async byIds(db: ReadDb, ids: readonly string[]): Promise<AccountRow[]> {
    if (ids.length === 0) return [];
    const rows = await db
      .selectFrom('accounts')
      .selectAll()
      .where('id', 'in', [...ids])
      .execute();
    return rows.map((r) => ({
      id: r.id,
      displayName: r.display_name,
      pseudonym: r.pseudonym,
      stakeholderCategory: r.stakeholder_category,
      emailVerified: r.email_verified === 1,
      erased: r.erased === 1,
      preferredLocale: r.preferred_locale,
    }));
  },
};
