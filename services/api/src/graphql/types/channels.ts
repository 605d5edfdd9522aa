import { randomUUID } from 'node:crypto';
import { channelQueries, commentChannelOf, type ChannelRow } from '@gopy/application/readModels/index';
import { NotFoundError } from '@gopy/domain/errors';
import { organizationEvents } from '@gopy/schemas';
import { builder } from '../builder';
import { principalOf } from '../../principal';
import { ChannelEnum } from './enums';
import { Organization } from './organization';

const { CommunicationChannelKinds } = organizationEvents;
type Kind = (typeof CommunicationChannelKinds)[number];
const ChannelKindEnum = builder.enumType('CommunicationChannelKind', {
  values: Object.fromEntries(CommunicationChannelKinds.map((k) => [k.toUpperCase(), { value: k }])) as Record<
    Uppercase<Kind>,
    { value: Kind }
  >,
});

const CommunicationChannel = builder.objectRef<ChannelRow>('CommunicationChannel').implement({
  description:
    'One of the ways an organisation talks with the public and hears back (its portal, a page, a list, meetings).',
  fields: (t) => ({
    id: t.exposeID('channelId'),
    kind: t.field({ type: ChannelKindEnum, resolve: (c) => c.kind as Kind }),
    name: t.exposeString('name'),
    address: t.exposeString('address'),
    active: t.exposeBoolean('active'),
    commentChannel: t.field({
      type: ChannelEnum,
      description: 'The channel feedback received through it is recorded and counted under.',
      resolve: (c) => commentChannelOf[c.kind] ?? 'letter',
    }),
  }),
});

builder.objectField(Organization, 'channels', (t) =>
  t.field({
    type: [CommunicationChannel],
    description: 'Its communication channels, in the order they were added (retired ones only when asked).',
    args: { includeRetired: t.arg.boolean({ required: false, defaultValue: false }) },
    resolve: (org, a, ctx) =>
      channelQueries.ofOrganization(ctx.runtime.readDb, org.id, { activeOnly: !a.includeRetired }),
  }),
);

const ChannelPayload = builder
  .objectRef<{ channel: ChannelRow; position: string }>('CommunicationChannelPayload')
  .implement({
    fields: (t) => ({
      channel: t.field({ type: CommunicationChannel, resolve: (p) => p.channel }),
      position: t.exposeString('position'),
    }),
  });

async function channelOf(
  ctx: Parameters<typeof principalOf>[0],
  organizationId: string,
  channelId: string,
): Promise<ChannelRow> {
  const channel = (await channelQueries.ofOrganization(ctx.runtime.readDb, organizationId)).find(
    (c) => c.channelId === channelId,
  );
  if (!channel)
    throw new NotFoundError('channel', channelId, { vi: 'Không tìm thấy kênh thông tin.', en: 'Channel not found.' });
  return channel;
}

builder.mutationField('addCommunicationChannel', (t) =>
  t.field({
    type: ChannelPayload,
    errors: {},
    authScopes: { signedIn: true },
    description: "Staff (or an admin) add one of the organisation's communication channels.",
    args: {
      organizationId: t.arg.id({ required: true }),
      kind: t.arg({ type: ChannelKindEnum, required: true }),
      name: t.arg.string({ required: true }),
      address: t.arg.string({ required: false, defaultValue: '' }),
    },
    resolve: async (_r, a, ctx) => {
      const organizationId = String(a.organizationId);
      const channelId = randomUUID();
      const result = await ctx.runtime.commands.organization(
        {
          type: 'AddCommunicationChannel',
          organizationId,
          channelId,
          kind: a.kind,
          name: a.name,
          address: a.address ?? '',
        },
        principalOf(ctx),
      );
      if (result.position) await ctx.runtime.consistency.waitFor(result.position);
      return { channel: await channelOf(ctx, organizationId, channelId), position: result.position ?? '' };
    },
  }),
);

builder.mutationField('retireCommunicationChannel', (t) =>
  t.field({
    type: ChannelPayload,
    errors: {},
    authScopes: { signedIn: true },
    description: 'Staff (or an admin) stop using a channel; feedback already recorded through it keeps its channel.',
    args: {
      organizationId: t.arg.id({ required: true }),
      channelId: t.arg.id({ required: true }),
      reason: t.arg.string({ required: false, defaultValue: '' }),
    },
    resolve: async (_r, a, ctx) => {
      const organizationId = String(a.organizationId);
      const channelId = String(a.channelId);
      const result = await ctx.runtime.commands.organization(
        { type: 'RetireCommunicationChannel', organizationId, channelId, reason: a.reason ?? '' },
        principalOf(ctx),
      );
      if (result.position) await ctx.runtime.consistency.waitFor(result.position);
      return { channel: await channelOf(ctx, organizationId, channelId), position: result.position ?? '' };
    },
  }),
);
