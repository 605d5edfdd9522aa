import { sql } from 'kysely';
import type { DomainEvent } from '@gopy/schemas';
import type { ReadDb, ReadTx } from './database';
import type { ProjectionContext, ReadModel } from './projection';

/** Who follows which policy, from PolicyFollowed / PolicyUnfollowed in the `follow-<accountId>` streams. */
export interface PolicyFollowsTable {
  account_id: string;
  policy_id: string;
  since: string;
}

type Db = { policy_follows: PolicyFollowsTable };

export const followsReadModel: ReadModel = {
  name: 'follows',
  tables: ['policy_follows'],
  async createTables(db) {
    await db
      .withTables<Db>()
      .schema.createTable('policy_follows')
      .ifNotExists()
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('since', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('policy_follows_pk', ['account_id', 'policy_id'])
      .execute();
    await db.schema
      .createIndex('policy_follows_policy')
      .ifNotExists()
      .on('policy_follows')
      .columns(['policy_id', 'account_id'])
      .execute();
  },
  async evolve(tx: ReadTx, event: DomainEvent, ctx: ProjectionContext) {
    const t = tx.withTables<Db>();
    switch (event.type) {
      case 'PolicyFollowed':
        await t
          .insertInto('policy_follows')
          .values({ account_id: event.data.accountId, policy_id: event.data.policyId, since: ctx.metadata.recordedAt })
          .onConflict((oc) => oc.columns(['account_id', 'policy_id']).doNothing())
          .execute();
        return;
      case 'PolicyUnfollowed':
        await t
          .deleteFrom('policy_follows')
          .where('account_id', '=', event.data.accountId)
          .where('policy_id', '=', event.data.policyId)
          .execute();
        return;
      default:
        return;
    }
  },
};

export const followQueries = {
  /** Of these policies, the ones the account follows. */
  async followedAmong(db: ReadDb, accountId: string, policyIds: readonly string[]): Promise<Set<string>> {
    if (policyIds.length === 0) return new Set();
    const rows = await db
      .withTables<Db>()
      .selectFrom('policy_follows')
      .select('policy_id')
      .where('account_id', '=', accountId)
      .where('policy_id', 'in', [...policyIds])
      .execute();
    return new Set(rows.map((r) => r.policy_id));
  },
  async followerCount(db: ReadDb, policyId: string): Promise<number> {
    const r = await db
      .withTables<Db>()
      .selectFrom('policy_follows')
      .select(sql<number>`count(*)`.as('n'))
      .where('policy_id', '=', policyId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },
  async followedBy(db: ReadDb, accountId: string): Promise<string[]> {
    const rows = await db
      .withTables<Db>()
      .selectFrom('policy_follows')
      .select('policy_id')
      .where('account_id', '=', accountId)
      .orderBy('since', 'desc')
      .execute();
    return rows.map((r) => r.policy_id);
  },
};
