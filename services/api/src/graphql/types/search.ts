import { searchQueries } from '@gopy/application/readModels/index';
import { builder } from '../builder';
import { decodeCursor, pageSize, toConnection } from '../cursors';
import { Comment } from './comment';
import { ChannelEnum, StakeholderCategoryEnum, StanceEnum } from './enums';

builder.queryField('searchComments', (t) =>
  t.connection({
    type: Comment,
    description:
      'Visible comments of a policy containing every word of the query, ignoring diacritics and their variants ("truong hoc" finds "trường học", "duong" finds "đường"), newest first. from/to bound when the comment was received.',
    args: {
      policyId: t.arg.id({ required: true }),
      query: t.arg.string({ required: true }),
      nodeId: t.arg.id({ required: false }),
      stance: t.arg({ type: StanceEnum, required: false }),
      category: t.arg({ type: StakeholderCategoryEnum, required: false }),
      channel: t.arg({ type: ChannelEnum, required: false }),
      from: t.arg({ type: 'DateTime', required: false }),
      to: t.arg({ type: 'DateTime', required: false }),
    },
    resolve: async (_r, args, ctx) => {
      const size = pageSize(args);
      const rows = await searchQueries.search(ctx.runtime.readDb, {
        policyId: String(args.policyId),
        query: args.query.slice(0, 500),
        nodeId: args.nodeId ? String(args.nodeId) : null,
        stance: args.stance ?? null,
        category: args.category ?? null,
        channel: args.channel ?? null,
        from: args.from ?? null,
        to: args.to ?? null,
        first: size + 1,
        beforeSeq: decodeCursor(args.after),
      });
      return toConnection(rows, size);
    },
  }),
);
