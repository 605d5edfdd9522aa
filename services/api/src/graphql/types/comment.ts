import { z } from 'zod';
import { commentIdFor } from '@gopy/application/commands';
import {
  accountQueries,
  commentQueries,
  commentRowFromState,
  findNode,
  nodeLabel,
  policyQueries,
  type CommentRow,
} from '@gopy/application/readModels/index';
import { NotFoundError } from '@gopy/domain/errors';
import { builder } from '../builder';
import type { GraphQLContext } from '../context';
import { decodeCursor, pageSize, toConnection } from '../cursors';
import { attemptRefusal } from '../../attempt';
import { principalOf } from '../../principal';
import { ChannelEnum, StanceEnum, StakeholderCategoryEnum } from './enums';

export const Comment = builder.objectRef<CommentRow>('Comment').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    policyId: t.exposeID('policyId'),
    // Batched per request: a page of comments looks its policies up in one query, not one per comment.
    policyTitle: t.loadable({
      type: 'String',
      load: async (ids: string[], ctx) => {
        const titles = new Map((await policyQueries.byIds(ctx.runtime.readDb, ids)).map((p) => [p.id, p.title]));
        return ids.map((id) => titles.get(id) ?? '');
      },
      resolve: (c) => c.policyId,
    }),
    round: t.exposeInt('round'),
    version: t.exposeInt('version'),
    anchorNodeId: t.exposeID('anchorNodeId', { nullable: true }),
    anchorLabel: t.exposeString('anchorLabel', { nullable: true }),
    parentCommentId: t.exposeID('parentId', { nullable: true }),
    body: t.string({ description: 'Empty when the comment was redacted.', resolve: (c) => c.body ?? '' }),
    stance: t.field({ type: StanceEnum, resolve: (c) => c.stance as never }),
    stakeholderCategory: t.field({ type: StakeholderCategoryEnum, resolve: (c) => c.stakeholderCategory as never }),
    channel: t.field({ type: ChannelEnum, resolve: (c) => c.channel as never }),
    authorName: t.exposeString('authorName'),
    status: t.exposeString('status'),
    edited: t.exposeBoolean('edited'),
    submittedAt: t.field({ type: 'DateTime', resolve: (c) => c.submittedAt }),
    receivedAt: t.field({ type: 'DateTime', resolve: (c) => c.receivedAt }),
  }),
});

/** A keyset-paged connection of comments, newest first. */
export function commentConnection<P>(
  // Pothos' field builder of whichever object holds the connection; its generic type is not nameable here.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  t: any,
  fetch: (parent: P, ctx: GraphQLContext, first: number, beforeSeq?: number) => Promise<CommentRow[]>,
) {
  return t.connection({
    type: Comment,
    resolve: async (
      parent: P,
      args: { first?: number | null; last?: number | null; after?: string | null; before?: string | null },
      ctx: GraphQLContext,
    ) => {
      const size = pageSize(args);
      const rows = await fetch(parent, ctx, size + 1, decodeCursor(args.after));
      return toConnection(rows, size);
    },
  });
}

const CommentPayload = builder
  .objectRef<{ comment: CommentRow; position: string; readModelBehind: boolean }>('CommentPayload')
  .implement({
    fields: (t) => ({
      comment: t.field({ type: Comment, resolve: (p) => p.comment }),
      position: t.exposeString('position'),
      readModelBehind: t.exposeBoolean('readModelBehind', {
        description:
          'True when the comment is stored (at `position`) but the read models had not shown it yet when this answer was made (heavy load): lists and counts will include it shortly.',
      }),
    }),
  });

const SubmitCommentInput = builder.inputType('SubmitCommentInput', {
  fields: (t) => ({
    policyId: t.id({ required: true }),
    nodeId: t.id({ required: false }),
    body: t.string({ required: true, validate: z.string().max(20_000) }),
    stance: t.field({ type: StanceEnum, required: true }),
    idempotencyKey: t.string({ required: true, validate: z.string().min(1).max(200) }),
    parentCommentId: t.id({ required: false }),
    usePseudonym: t.boolean({ required: false, defaultValue: false }),
  }),
});

builder.mutationField('submitComment', (t) =>
  t.field({
    type: CommentPayload,
    errors: {},
    authScopes: { signedIn: true },
    args: { input: t.arg({ type: SubmitCommentInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const principal = principalOf(ctx);
      const refusal = attemptRefusal(ctx.viewer, 'submitComment');
      if (refusal) throw refusal;
      const policyId = String(input.policyId);
      const [policy] = await policyQueries.byIds(ctx.runtime.readDb, [policyId]);
      if (!policy)
        throw new NotFoundError('policy', policyId, { vi: 'Không tìm thấy dự thảo.', en: 'Policy not found.' });
      const [account] = await accountQueries.byIds(ctx.runtime.readDb, [principal.accountId]);
      const round = (await policyQueries.rounds(ctx.runtime.readDb, [policyId])).at(-1);
      const commentId = commentIdFor(principal.accountId, input.idempotencyKey);
      const result = await ctx.runtime.commands.comment(
        {
          type: 'SubmitComment',
          commentId,
          policyId,
          version: round?.version ?? policy.currentVersion ?? 0,
          anchorNodeId: input.nodeId ? String(input.nodeId) : null,
          parentCommentId: input.parentCommentId ? String(input.parentCommentId) : null,
          body: input.body,
          stance: input.stance,
          stakeholderCategory: (account?.stakeholderCategory ?? 'citizen') as never,
          authorAccountId: principal.accountId,
          pseudonym: input.usePseudonym ? (account?.pseudonym ?? null) : null,
          idempotencyKey: input.idempotencyKey,
        },
        principal,
      );
      const position = result.position;
      const shown = position ? await ctx.runtime.consistency.waitFor(position) : true;
      const [comment] = await commentQueries.byIds(ctx.runtime.readDb, [commentId]);
      if (comment) return { comment, position: position ?? '', readModelBehind: false };
      // The comment is stored (the append succeeded) but the read models are behind: answer success with what was
      // decided, never an error for a write that took effect.
      if (!position || !result.state.exists) {
        throw new Error(
          `Comment ${commentId} neither in the read model nor in the command's result (waited: ${String(shown)})`,
        );
      }
      let anchorLabel: string | null = null;
      const anchorNodeId = result.state.anchorNodeId;
      if (anchorNodeId) {
        const version = (await policyQueries.versions(ctx.runtime.readDb, [policyId])).find(
          (v) => v.number === result.state.version,
        );
        const node = version ? findNode(version.nodes, anchorNodeId) : undefined;
        anchorLabel = node ? nodeLabel(node) : null;
      }
      const pseudonym = input.usePseudonym ? (account?.pseudonym ?? null) : null;
      const row = commentRowFromState(result.state, {
        submittedAt: result.recordedAt ?? result.state.receivedAt ?? '',
        authorName: pseudonym ?? account?.displayName ?? '',
        anchorLabel,
      });
      return { comment: row, position, readModelBehind: true };
    },
  }),
);
