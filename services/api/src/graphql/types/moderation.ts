import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { commentIdFor, type CommentCommandInput } from '@gopy/application/commands';
import { commentQueries, policyQueries, type CommentRow } from '@gopy/application/readModels/index';
import { NotFoundError } from '@gopy/domain/errors';
import { type Channels, FlagReasons, type Role } from '@gopy/schemas';
import { builder } from '../builder';
import { hasRoleAnywhere, rolesIn, type GraphQLContext } from '../context';
import { principalOf } from '../../principal';
import { redactComment } from '../../redaction';
import { Comment } from './comment';
import { ChannelEnum, StanceEnum, StakeholderCategoryEnum } from './enums';
import { AttachmentInput, attachmentRefs } from './attachments';

const FlagReasonEnum = builder.enumType('FlagReason', {
  values: Object.fromEntries(FlagReasons.map((v) => [v.toUpperCase(), { value: v }])) as Record<
    Uppercase<(typeof FlagReasons)[number]>,
    { value: (typeof FlagReasons)[number] }
  >,
});

async function commentOrThrow(ctx: GraphQLContext, commentId: string): Promise<CommentRow> {
  const [comment] = await commentQueries.byIds(ctx.runtime.readDb, [commentId]);
  if (!comment)
    throw new NotFoundError('comment', commentId, { vi: 'Không tìm thấy góp ý.', en: 'Comment not found.' });
  return comment;
}

/** Runs a comment command and answers with the comment as the read models show it afterwards. */
async function runCommentCommand(
  ctx: GraphQLContext,
  command: CommentCommandInput,
): Promise<{ comment: CommentRow; position: string }> {
  const result = await ctx.runtime.commands.comment(command, principalOf(ctx));
  if (result.position) await ctx.runtime.consistency.waitFor(result.position);
  return { comment: await commentOrThrow(ctx, command.commentId), position: result.position ?? '' };
}

const CommentPayloadRef = builder
  .objectRef<{ comment: CommentRow; position: string }>('CommentChangePayload')
  .implement({
    description: 'The comment as read after the change, and the log position written.',
    fields: (t) => ({
      comment: t.field({ type: Comment, resolve: (p) => p.comment }),
      position: t.exposeString('position'),
    }),
  });

const mutation = { type: CommentPayloadRef, errors: {}, authScopes: { signedIn: true } } as const;

builder.mutationField('editComment', (t) =>
  t.field({
    ...mutation,
    description:
      'The author changes the text or stance while the round is open; every earlier text stays in the history.',
    args: {
      commentId: t.arg.id({ required: true }),
      body: t.arg.string({ required: true, validate: z.string().max(20_000) }),
      stance: t.arg({ type: StanceEnum, required: true }),
    },
    resolve: async (_r, a, ctx) => {
      await commentOrThrow(ctx, String(a.commentId));
      return runCommentCommand(ctx, {
        type: 'EditComment',
        commentId: String(a.commentId),
        body: a.body,
        stance: a.stance,
      });
    },
  }),
);

builder.mutationField('withdrawComment', (t) =>
  t.field({
    ...mutation,
    args: {
      commentId: t.arg.id({ required: true }),
      reason: t.arg.string({ required: false, validate: z.string().max(2_000) }),
    },
    resolve: async (_r, a, ctx) => {
      await commentOrThrow(ctx, String(a.commentId));
      return runCommentCommand(ctx, {
        type: 'WithdrawComment',
        commentId: String(a.commentId),
        reason: a.reason ?? '',
      });
    },
  }),
);

builder.mutationField('flagComment', (t) =>
  t.field({
    ...mutation,
    description: 'Any signed-in account flags a comment for a moderator, with a reason.',
    args: {
      commentId: t.arg.id({ required: true }),
      reason: t.arg({ type: FlagReasonEnum, required: true }),
      note: t.arg.string({ required: false, validate: z.string().max(2_000) }),
    },
    resolve: async (_r, a, ctx) => {
      await commentOrThrow(ctx, String(a.commentId));
      return runCommentCommand(ctx, {
        type: 'FlagComment',
        commentId: String(a.commentId),
        flagId: randomUUID(),
        reason: a.reason,
        note: a.note?.trim() ? a.note : null,
      });
    },
  }),
);

builder.mutationField('hideComment', (t) =>
  t.field({
    ...mutation,
    description: 'A moderator hides a comment, always with a reason; nothing is deleted and its author sees why.',
    args: {
      commentId: t.arg.id({ required: true }),
      reasonCode: t.arg({ type: FlagReasonEnum, required: true }),
      reason: t.arg.string({ required: true, validate: z.string().max(2_000) }),
    },
    resolve: async (_r, a, ctx) => {
      await commentOrThrow(ctx, String(a.commentId));
      return runCommentCommand(ctx, {
        type: 'HideComment',
        commentId: String(a.commentId),
        reasonCode: a.reasonCode,
        reason: a.reason,
      });
    },
  }),
);

builder.mutationField('restoreComment', (t) =>
  t.field({
    ...mutation,
    args: {
      commentId: t.arg.id({ required: true }),
      reason: t.arg.string({ required: true, validate: z.string().max(2_000) }),
    },
    resolve: async (_r, a, ctx) => {
      await commentOrThrow(ctx, String(a.commentId));
      return runCommentCommand(ctx, { type: 'RestoreComment', commentId: String(a.commentId), reason: a.reason });
    },
  }),
);

builder.mutationField('redactComment', (t) =>
  t.field({
    ...mutation,
    description:
      "A moderator redacts personal data typed into a comment: the comment's key is destroyed, so no copy of its text can be read again.",
    args: {
      commentId: t.arg.id({ required: true }),
      reason: t.arg.string({ required: true, validate: z.string().max(2_000) }),
    },
    resolve: async (_r, a, ctx) => {
      const commentId = String(a.commentId);
      await commentOrThrow(ctx, commentId);
      const { position } = await redactComment(ctx.runtime, principalOf(ctx), commentId, a.reason);
      return { comment: await commentOrThrow(ctx, commentId), position };
    },
  }),
);

builder.mutationField('endorseComment', (t) =>
  t.field({
    ...mutation,
    description: '"Tôi đồng tình": one endorsement per account, not of your own comment.',
    args: { commentId: t.arg.id({ required: true }) },
    resolve: async (_r, a, ctx) => {
      await commentOrThrow(ctx, String(a.commentId));
      return runCommentCommand(ctx, { type: 'EndorseComment', commentId: String(a.commentId) });
    },
  }),
);

builder.mutationField('postOfficialReply', (t) =>
  t.field({
    ...mutation,
    description: 'An official reply, by a spokesperson only, shown marked under the comment.',
    args: {
      commentId: t.arg.id({ required: true }),
      body: t.arg.string({ required: true, validate: z.string().max(20_000) }),
    },
    resolve: async (_r, a, ctx) => {
      await commentOrThrow(ctx, String(a.commentId));
      return runCommentCommand(ctx, {
        type: 'PostOfficialReply',
        commentId: String(a.commentId),
        replyId: randomUUID(),
        body: a.body,
      });
    },
  }),
);

const OfflineFeedbackInput = builder.inputType('RecordOfflineFeedbackInput', {
  fields: (t) => ({
    policyId: t.id({ required: true }),
    channel: t.field({ type: ChannelEnum, required: true, description: 'Any channel but WEB.' }),
    receivedAt: t.field({ type: 'DateTime', required: true }),
    senderName: t.string({ required: false, validate: z.string().max(200) }),
    senderOrganization: t.string({ required: false, validate: z.string().max(300) }),
    senderContact: t.string({ required: false, validate: z.string().max(300) }),
    stakeholderCategory: t.field({ type: StakeholderCategoryEnum, required: true }),
    body: t.string({ required: true, validate: z.string().max(20_000) }),
    stance: t.field({ type: StanceEnum, required: true }),
    nodeId: t.id({ required: false }),
    idempotencyKey: t.string({ required: true, validate: z.string().min(1).max(200) }),
    attachments: t.field({
      type: [AttachmentInput],
      required: false,
      description: 'Scans of the letter or minutes, uploaded first to POST /attachments.',
    }),
  }),
});

builder.mutationField('recordOfflineFeedback', (t) =>
  t.field({
    ...mutation,
    description: 'Staff record feedback that came by letter, email, meeting, phone, press or social media.',
    args: { input: t.arg({ type: OfflineFeedbackInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const principal = principalOf(ctx);
      const policyId = String(input.policyId);
      const [policy] = await policyQueries.byIds(ctx.runtime.readDb, [policyId]);
      if (!policy)
        throw new NotFoundError('policy', policyId, { vi: 'Không tìm thấy dự thảo.', en: 'Policy not found.' });
      const named = input.senderName?.trim() || input.senderOrganization?.trim() || input.senderContact?.trim();
      const commentId = commentIdFor(principal.accountId, `offline:${input.idempotencyKey}`);
      return runCommentCommand(ctx, {
        type: 'RecordOfflineFeedback',
        commentId,
        policyId,
        channel: input.channel as Exclude<(typeof Channels)[number], 'web'>,
        receivedAt: input.receivedAt,
        offlineSender: named
          ? {
              senderId: randomUUID(),
              name: input.senderName?.trim() || null,
              organization: input.senderOrganization?.trim() || null,
              contact: input.senderContact?.trim() || null,
            }
          : null,
        stakeholderCategory: input.stakeholderCategory,
        body: input.body,
        stance: input.stance,
        anchorNodeId: input.nodeId ? String(input.nodeId) : null,
        idempotencyKey: input.idempotencyKey,
        attachments: await attachmentRefs(ctx, input.attachments ?? [], 'scan', policy.organizationId),
      });
    },
  }),
);

/* ------------------------------------------------------------------ comment details */

function canSeeModeration(ctx: GraphQLContext, organizationId: string | null): boolean {
  const roles: Role[] = rolesIn(ctx.viewer, organizationId);
  return (
    roles.some((r) => r === 'moderator' || r === 'staff' || r === 'admin' || r === 'auditor') ||
    hasRoleAnywhere(ctx.viewer, 'auditor')
  );
}

const Revision = builder
  .objectRef<{ revision: number; body: string | null; stance: string; at: string }>('CommentRevision')
  .implement({
    fields: (t) => ({
      revision: t.exposeInt('revision'),
      body: t.string({ description: 'Empty when the comment was redacted.', resolve: (r) => r.body ?? '' }),
      stance: t.field({ type: StanceEnum, resolve: (r) => r.stance as never }),
      at: t.field({ type: 'DateTime', resolve: (r) => r.at }),
    }),
  });

const OfficialReply = builder
  .objectRef<{ reply_id: string; body: string; posted_by: string; at: string }>('OfficialReply')
  .implement({
    fields: (t) => ({
      id: t.exposeID('reply_id'),
      body: t.exposeString('body'),
      at: t.field({ type: 'DateTime', resolve: (r) => r.at }),
    }),
  });

builder.objectFields(Comment, (t) => ({
  endorsementCount: t.exposeInt('endorsementCount'),
  replyCount: t.exposeInt('replyCount'),
  viewerHasEndorsed: t.boolean({
    resolve: async (c, _a, ctx) =>
      ctx.viewer
        ? (await commentQueries.endorsedBy(ctx.runtime.readDb, ctx.viewer.accountId, [c.id])).has(c.id)
        : false,
  }),
  revisions: t.field({
    type: [Revision],
    description: 'Every text the comment has had, oldest first.',
    resolve: async (c, _a, ctx) =>
      (await commentQueries.revisions(ctx.runtime.readDb, [c.id])).map((r) => ({ ...r, revision: Number(r.revision) })),
  }),
  officialReplies: t.field({
    type: [OfficialReply],
    resolve: (c, _a, ctx) => commentQueries.officialReplies(ctx.runtime.readDb, [c.id]),
  }),
  replies: t.field({
    type: [Comment],
    description: 'Visible replies, oldest first.',
    resolve: (c, _a, ctx) => commentQueries.replies(ctx.runtime.readDb, [c.id]),
  }),
  hiddenReason: t.string({
    nullable: true,
    description: 'Why a moderator hid it: for its author, moderators, staff and auditors only.',
    resolve: async (c, _a, ctx) => {
      if (c.status !== 'hidden') return null;
      const [policy] = await policyQueries.byIds(ctx.runtime.readDb, [c.policyId]);
      const mayKnow =
        (ctx.viewer && ctx.viewer.accountId === c.authorAccountId) ||
        canSeeModeration(ctx, policy?.organizationId ?? null);
      return mayKnow ? c.hiddenReason : null;
    },
  }),
}));

const FlagRef = builder
  .objectRef<{
    flag_id: string;
    comment_id: string;
    policy_id: string;
    reason: string;
    note: string | null;
    at: string;
  }>('CommentFlag')
  .implement({
    fields: (t) => ({
      id: t.exposeID('flag_id'),
      reason: t.field({ type: FlagReasonEnum, resolve: (f) => f.reason as never }),
      note: t.exposeString('note', { nullable: true }),
      at: t.field({ type: 'DateTime', resolve: (f) => f.at }),
      comment: t.field({ type: Comment, resolve: async (f, _a, ctx) => commentOrThrow(ctx, f.comment_id) }),
    }),
  });

builder.queryField('moderationQueue', (t) =>
  t.field({
    type: [FlagRef],
    description:
      'Open flags, oldest first, on policies of the organisations where the viewer moderates (auditors: all).',
    authScopes: { signedIn: true },
    args: { first: t.arg.int({ required: false, defaultValue: 50, validate: z.number().int().min(1).max(200) }) },
    resolve: async (_r, a, ctx) => {
      const viewer = ctx.viewer!;
      const first = a.first ?? 50;
      if (hasRoleAnywhere(viewer, 'auditor')) return commentQueries.openFlags(ctx.runtime.readDb, 'all', first);
      const orgs = [...viewer.memberships.entries()]
        .filter(([, roles]) => roles.includes('moderator'))
        .map(([org]) => org);
      if (orgs.length === 0) return [];
      const policies = await ctx.runtime.readDb
        .selectFrom('policies')
        .select('id')
        .where('organization_id', 'in', orgs)
        .execute();
      return commentQueries.openFlags(
        ctx.runtime.readDb,
        policies.map((p) => p.id),
        first,
      );
    },
  }),
);
