import type { DomainEvent } from '@gopy/schemas';
import type { ReadDb, ReadTx } from './database';
import type { ProjectionContext, ReadModel } from './projection';

/** Each organisation's communication channels (from its `org-<id>` stream), retired ones kept and marked. */
export interface CommunicationChannelsTable {
  channel_id: string;
  organization_id: string;
  kind: string;
  name: string;
  address: string;
  active: number;
  added_at: string;
}

type Db = { communication_channels: CommunicationChannelsTable };

export const channelsReadModel: ReadModel = {
  name: 'channels',
  tables: ['communication_channels'],
  async createTables(db) {
    await db
      .withTables<Db>()
      .schema.createTable('communication_channels')
      .ifNotExists()
      .addColumn('channel_id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull())
      .addColumn('added_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('communication_channels_org')
      .ifNotExists()
      .on('communication_channels')
      .columns(['organization_id', 'added_at'])
      .execute();
  },
  async evolve(tx: ReadTx, event: DomainEvent, ctx: ProjectionContext) {
    const t = tx.withTables<Db>();
    switch (event.type) {
      case 'CommunicationChannelAdded': {
        const d = event.data;
        await t
          .insertInto('communication_channels')
          .values({
            channel_id: d.channelId,
            organization_id: d.organizationId,
            kind: d.kind,
            name: d.name,
            address: d.address,
            active: 1,
            added_at: ctx.metadata.recordedAt,
          })
          .onConflict((oc) => oc.column('channel_id').doNothing())
          .execute();
        return;
      }
      case 'CommunicationChannelRetired':
        await t
          .updateTable('communication_channels')
          .set({ active: 0 })
          .where('channel_id', '=', event.data.channelId)
          .execute();
        return;
      default:
        return;
    }
  },
};

export interface ChannelRow {
  channelId: string;
  organizationId: string;
  kind: string;
  name: string;
  address: string;
  active: boolean;
}

/** Which comment channel feedback from an organisation's channel is counted under. */
export const commentChannelOf: Record<string, 'web' | 'social_media' | 'email' | 'press' | 'meeting' | 'letter'> = {
  web_portal: 'web',
  facebook_page: 'social_media',
  zalo_page: 'social_media',
  email_list: 'email',
  press_contacts: 'press',
  meetings: 'meeting',
  other: 'letter',
};

export const channelQueries = {
  async ofOrganization(db: ReadDb, organizationId: string, o: { activeOnly?: boolean } = {}): Promise<ChannelRow[]> {
    let q = db
      .withTables<Db>()
      .selectFrom('communication_channels')
      .selectAll()
      .where('organization_id', '=', organizationId);
    if (o.activeOnly) q = q.where('active', '=', 1);
    const rows = await q.orderBy('added_at').orderBy('channel_id').execute();
    return rows.map((r) => ({
      channelId: r.channel_id,
      organizationId: r.organization_id,
      kind: r.kind,
      name: r.name,
      address: r.address,
      active: Number(r.active) === 1,
    }));
  },
};
