import {
  followQueries,
  notificationQueries,
  NotificationKinds,
  type NotificationRow,
} from '@gopy/application/readModels/index';
import { notificationText } from '@gopy/application/notifications/mailDigest';
import {
  answersText,
  outcomeLabel,
  personalAnswers,
  type PersonalAnswer,
} from '@gopy/application/notifications/answers';
import { NotFoundError } from '@gopy/domain/errors';
import { policyQueries } from '@gopy/application/readModels/index';
import { builder } from '../builder';
import { decodeCursor, pageSize, toConnection } from '../cursors';
import { emailNotVerified } from '../errors';
import { principalOf } from '../../principal';
import { Viewer } from './account';
import { Policy } from './policy';
import { ThemeDecisionEnum } from './digest';

const NotificationKindEnum = builder.enumType('NotificationKind', {
  values: Object.fromEntries(NotificationKinds.map((k) => [k.toUpperCase(), { value: k }])) as Record<
    Uppercase<NotificationRow['kind']>,
    { value: NotificationRow['kind'] }
  >,
});

const NotificationAnswer = builder.objectRef<PersonalAnswer>('NotificationAnswer').implement({
  description: 'One of the reader’s comments as the published digest answered it.',
  fields: (t) => ({
    commentId: t.exposeID('commentId'),
    excerpt: t.exposeString('excerpt', { description: 'The comment’s first words.' }),
    anchorLabel: t.string({
      nullable: true,
      description: 'The article (or clause) it was written on; null for the whole draft.',
      resolve: (a) => a.anchorLabel,
    }),
    decision: t.field({ type: ThemeDecisionEnum, resolve: (a) => a.decision as never }),
    decisionLabel: t.string({
      description: 'The outcome in the request language (tiếp thu / tiếp thu một phần / không tiếp thu).',
      resolve: (a, _x, ctx) => outcomeLabel(a.decision, ctx.locale),
    }),
    url: t.string({ description: 'Path of the answer: the comment’s row in the digest.', resolve: (a) => a.path }),
  }),
});

/** A COMMENT_ANSWERED notification's answers: the reader's comments in that round's published digest. */
function answersOf(n: NotificationRow, ctx: { runtime: { readDb: Parameters<typeof personalAnswers>[0] } }) {
  if (n.kind !== 'comment_answered' || n.round === null) return Promise.resolve([]);
  return personalAnswers(ctx.runtime.readDb, n.accountId, n.policyId, n.round);
}

const Notification = builder.objectRef<NotificationRow>('Notification').implement({
  description: 'Something that happened to a policy the viewer follows, or to one of their comments.',
  fields: (t) => ({
    id: t.exposeID('id'),
    kind: t.field({ type: NotificationKindEnum, resolve: (n) => n.kind }),
    text: t.string({
      description:
        'What happened, in the request language; for COMMENT_ANSWERED each answered comment (first words, article) and its outcome.',
      resolve: async (n, _a, ctx) => {
        const answers = await answersOf(n, ctx);
        return answers.length > 0 ? answersText(answers, ctx.locale) : notificationText(n.kind, ctx.locale);
      },
    }),
    answers: t.field({
      type: [NotificationAnswer],
      description: 'For COMMENT_ANSWERED: the reader’s comments the digest answered, each with its outcome and link.',
      resolve: (n, _a, ctx) => answersOf(n, ctx),
    }),
    url: t.string({
      description: 'Path to read it at: the digest for COMMENT_ANSWERED and DIGEST_PUBLISHED, else the policy.',
      resolve: (n) =>
        (n.kind === 'comment_answered' || n.kind === 'digest_published') && n.round !== null
          ? `/policies/${n.policyId}/digest/${n.round}`
          : `/policies/${n.policyId}${n.commentId ? `#comment-${n.commentId}` : ''}`,
    }),
    policy: t.field({ type: Policy, resolve: (n) => n.policyId }),
    round: t.int({ nullable: true, resolve: (n) => n.round }),
    commentId: t.id({ nullable: true, resolve: (n) => n.commentId }),
    createdAt: t.field({ type: 'DateTime', resolve: (n) => n.createdAt }),
    read: t.exposeBoolean('read'),
  }),
});

builder.objectFields(Viewer, (t) => ({
  notifications: t.connection({
    type: Notification,
    description: 'Newest first.',
    resolve: async (v, args, ctx) => {
      const size = pageSize(args);
      return toConnection(
        await notificationQueries.page(ctx.runtime.readDb, v.accountId, size + 1, decodeCursor(args.after)),
        size,
      );
    },
  }),
  unreadNotificationCount: t.int({
    resolve: (v, _a, ctx) => notificationQueries.unreadCount(ctx.runtime.readDb, v.accountId),
  }),
  followedPolicies: t.field({
    type: [Policy],
    resolve: (v, _a, ctx) => followQueries.followedBy(ctx.runtime.readDb, v.accountId),
  }),
}));

builder.objectField(Policy, 'viewerFollows', (t) =>
  t.loadable({
    type: 'Boolean',
    description: 'Whether the signed-in viewer follows this policy (false when signed out).',
    load: async (ids: string[], ctx) => {
      if (!ctx.viewer) return ids.map(() => false);
      const followed = await followQueries.followedAmong(ctx.runtime.readDb, ctx.viewer.accountId, ids);
      return ids.map((id) => followed.has(id));
    },
    resolve: (p) => p.id,
  }),
);

const FollowPayload = builder
  .objectRef<{ policyId: string; following: boolean; position: string }>('FollowPayload')
  .implement({
    fields: (t) => ({
      policy: t.field({ type: Policy, resolve: (p) => p.policyId }),
      following: t.exposeBoolean('following'),
      position: t.exposeString('position'),
    }),
  });

for (const [name, follow] of [
  ['followPolicy', true],
  ['unfollowPolicy', false],
] as const) {
  builder.mutationField(name, (t) =>
    t.field({
      type: FollowPayload,
      errors: {},
      authScopes: { signedIn: true },
      description: follow
        ? 'Receive notifications (in the app, and at most one mail a day) when a round of this policy opens or closes or its digest is published. Needs a confirmed email (FORBIDDEN EMAIL_NOT_VERIFIED).'
        : 'Stop following this policy. Needs a confirmed email, as following does.',
      args: { policyId: t.arg.id({ required: true }) },
      resolve: async (_r, args, ctx) => {
        const principal = principalOf(ctx);
        // Following sends mail: only to an address its owner confirmed, never to one somebody typed in at sign-up.
        if (!ctx.viewer?.emailVerified) throw emailNotVerified();
        const policyId = String(args.policyId);
        const [policy] = await policyQueries.byIds(ctx.runtime.readDb, [policyId]);
        if (!policy)
          throw new NotFoundError('policy', policyId, { vi: 'Không tìm thấy dự thảo.', en: 'Policy not found.' });
        const result = await ctx.runtime.follows.setFollowing(principal.accountId, policyId, follow);
        if (result.position) await ctx.runtime.consistency.waitFor(result.position);
        return { policyId, following: follow, position: result.position ?? '' };
      },
    }),
  );
}

const MarkReadPayload = builder
  .objectRef<{ marked: number; position: string }>('MarkNotificationsReadPayload')
  .implement({
    fields: (t) => ({ marked: t.exposeInt('marked'), position: t.exposeString('position') }),
  });

builder.mutationField('markNotificationsRead', (t) =>
  t.field({
    type: MarkReadPayload,
    errors: {},
    authScopes: { signedIn: true },
    description: 'Marks these notifications read, or all unread ones when ids is omitted.',
    args: { ids: t.arg.idList({ required: false }) },
    resolve: async (_r, args, ctx) => {
      const principal = principalOf(ctx);
      const unread = await notificationQueries.unreadIds(ctx.runtime.readDb, principal.accountId);
      const wanted = args.ids ? new Set(args.ids.map(String)) : undefined;
      const ids = wanted ? unread.filter((id) => wanted.has(id)) : unread;
      const result = await ctx.runtime.follows.markRead(principal.accountId, ids);
      if (result.appended > 0 && result.position) await ctx.runtime.consistency.waitFor(result.position);
      return { marked: ids.length, position: result.position ?? '' };
    },
  }),
);
