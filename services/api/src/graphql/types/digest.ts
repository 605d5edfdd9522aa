import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DigestHandlers, type DigestCommandInput } from '@gopy/application/digests';
import {
  digestQueries,
  findNode,
  nodeLabel,
  policyQueries,
  commentQueries,
  type CommentRow,
  type DigestEntryRow,
  type DigestRow,
  type DigestThemeRow,
  type PolicyRow,
  type RoundCommentFilter,
} from '@gopy/application/readModels/index';
import { NotFoundError } from '@gopy/domain/errors';
import { afterPublicationNote, removalCategory } from '@gopy/application/publicRecord';
import { RemovalSummaryRef, byCategory } from './removals';
import { ThemeDecisions, type Role } from '@gopy/schemas';
import { builder } from '../builder';
import { hasRoleAnywhere, rolesIn, type GraphQLContext } from '../context';
import { decodeCursor, pageSize, toConnection } from '../cursors';
import { principalOf } from '../../principal';
import type { Runtime } from '@gopy/composition/runtime';
import { Comment } from './comment';
import { ChannelEnum, StanceEnum, StakeholderCategoryEnum } from './enums';
import { Policy } from './policy';

export const ThemeDecisionEnum = builder.enumType('ThemeDecision', {
  description:
    'tiếp thu (accepted), tiếp thu một phần (partly accepted), không tiếp thu (not accepted), ghi nhận (noted).',
  values: Object.fromEntries(ThemeDecisions.map((v) => [v.toUpperCase(), { value: v }])) as Record<
    Uppercase<(typeof ThemeDecisions)[number]>,
    { value: (typeof ThemeDecisions)[number] }
  >,
});

const DigestStatusEnum = builder.enumType('DigestStatus', {
  values: {
    STARTED: { value: 'started' },
    APPROVED: { value: 'approved' },
    PUBLISHED: { value: 'published' },
  } as const,
});

const handlers = new WeakMap<Runtime, DigestHandlers>();
/** One set of digest handlers per runtime, over the runtime's write path and read models. */
function digestHandlers(runtime: Runtime): DigestHandlers {
  let h = handlers.get(runtime);
  if (!h) {
    h = new DigestHandlers({
      writePath: runtime.writePath,
      clock: runtime.clock,
      readDb: runtime.readDb,
      consistency: runtime.consistency,
    });
    handlers.set(runtime, h);
  }
  return h;
}

const DRAFTING_ROLES: Role[] = ['staff', 'admin', 'spokesperson', 'policymaker', 'moderator'];

/** Until published, a digest is a working paper of the owning organisation (and open to auditors). */
async function maySeeDraft(ctx: GraphQLContext, policyId: string): Promise<boolean> {
  if (hasRoleAnywhere(ctx.viewer, 'auditor')) return true;
  const [policy] = await policyQueries.byIds(ctx.runtime.readDb, [policyId]);
  return !!policy && rolesIn(ctx.viewer, policy.organizationId).some((r) => DRAFTING_ROLES.includes(r));
}

async function visibleDigest(ctx: GraphQLContext, digest: DigestRow | undefined): Promise<DigestRow | null> {
  if (!digest) return null;
  if (digest.status === 'published') return digest;
  return (await maySeeDraft(ctx, digest.policyId)) ? digest : null;
}

const SectionRef = builder.objectRef<{ nodeId: string; label: string }>('DigestSection').implement({
  description: 'A node of the draft a theme changed, with its label in the latest version that has it ("Điều 2").',
  fields: (t) => ({ nodeId: t.exposeID('nodeId'), label: t.exposeString('label') }),
});

const DigestEntryRemoval = builder
  .objectRef<DigestEntryRow & { removedKind: NonNullable<DigestEntryRow['removedKind']> }>('DigestEntryRemoval')
  .implement({
    description: 'The comment of a published row left public view after publication: when, how and why.',
    fields: (t) => ({
      kind: t.string({ description: 'HIDDEN, WITHDRAWN or REDACTED.', resolve: (e) => e.removedKind.toUpperCase() }),
      at: t.field({ type: 'DateTime', resolve: (e) => e.removedAt! }),
      category: t.string({
        description: 'The hide’s reason code (a FlagReason value), or WITHDRAWN, or REDACTED.',
        resolve: (e) => removalCategory(e.removedKind, e.removedReasonCode),
      }),
      note: t.string({
        description: 'The dated note shown beside the row, in the request language.',
        resolve: (e, _a, ctx) => afterPublicationNote(e.removedKind, e.removedAt!, e.removedReasonCode, ctx.locale),
      }),
    }),
  });

const DigestEntry = builder.objectRef<DigestEntryRow>('DigestEntry').implement({
  description:
    'A row of a published digest, as it was published: its number through the digest and its comment, with a dated note when the comment later left public view.',
  fields: (t) => ({
    number: t.exposeInt('number'),
    commentId: t.exposeID('commentId'),
    comment: t.field({
      type: Comment,
      nullable: true,
      description: 'The comment, while the public can see it; null once hidden, withdrawn or redacted.',
      resolve: async (e, _a, ctx) => {
        if (e.removedKind) return null;
        const [c] = await commentQueries.byIds(ctx.runtime.readDb, [e.commentId]);
        return c && c.status === 'visible' ? c : null;
      },
    }),
    removal: t.field({
      type: DigestEntryRemoval,
      nullable: true,
      resolve: (e) => (e.removedKind ? (e as DigestEntryRow & { removedKind: 'hidden' }) : null),
    }),
  }),
});

export const DigestTheme = builder.objectRef<DigestThemeRow>('DigestTheme');
export const Digest = builder.objectRef<DigestRow>('Digest');

DigestTheme.implement({
  description: 'A group of comments of a round and what the drafting body did with them.',
  fields: (t) => ({
    id: t.exposeID('id'),
    number: t.int({ description: '1-based, in the order themes were defined.', resolve: (th) => th.position }),
    title: t.exposeString('title'),
    description: t.exposeString('description'),
    decision: t.field({ type: ThemeDecisionEnum, nullable: true, resolve: (th) => th.decision as never }),
    explanation: t.exposeString('explanation', { nullable: true }),
    sectionsChanged: t.field({
      type: [SectionRef],
      resolve: async (th, _a, ctx) => {
        if (th.sectionsChanged.length === 0) return [];
        const versions = await policyQueries.versions(ctx.runtime.readDb, [th.policyId]);
        return th.sectionsChanged.map((nodeId) => {
          for (const v of [...versions].reverse()) {
            const node = findNode(v.nodes, nodeId);
            if (node) return { nodeId, label: node.heading ? `${nodeLabel(node)}. ${node.heading}` : nodeLabel(node) };
          }
          return { nodeId, label: nodeId };
        });
      },
    }),
    commentCount: t.int({
      description: 'Visible comments in the theme.',
      resolve: async (th, _a, ctx) =>
        (await digestQueries.themeCommentCounts(ctx.runtime.readDb, [th.id])).get(th.id) ?? 0,
    }),
    comments: t.connection({
      type: Comment,
      description: 'Visible comments of the theme, newest first.',
      resolve: async (th, args, ctx) => {
        const size = pageSize(args);
        return toConnection(
          await digestQueries.themeComments(ctx.runtime.readDb, th.id, size + 1, decodeCursor(args.after)),
          size,
        );
      },
    }),
    entries: t.field({
      type: [DigestEntry],
      description:
        'The rows this theme was published with (empty until published): fixed, a later hide or withdrawal noted on its row.',
      resolve: (th, _a, ctx) => digestQueries.entries(ctx.runtime.readDb, [th.id]),
    }),
    digest: t.field({
      type: Digest,
      resolve: async (th, _a, ctx) => {
        const [d] = await digestQueries.byIds(ctx.runtime.readDb, [th.digestId]);
        if (!d) throw new NotFoundError('digest', th.digestId);
        return d;
      },
    }),
  }),
});

const RoundCommentsFilter = builder.inputType('DigestCommentFilter', {
  fields: (t) => ({
    unassignedOnly: t.boolean({ required: false, description: 'Only comments in no theme of this digest yet.' }),
    themeId: t.id({ required: false }),
    nodeId: t.id({ required: false }),
    stakeholderCategory: t.field({ type: StakeholderCategoryEnum, required: false }),
    channel: t.field({ type: ChannelEnum, required: false }),
    stance: t.field({ type: StanceEnum, required: false }),
  }),
});

Digest.implement({
  description: 'The response digest of a consultation round ("bản tổng hợp, tiếp thu, giải trình ý kiến").',
  fields: (t) => ({
    id: t.exposeID('id'),
    policy: t.field({ type: Policy, resolve: (d) => d.policyId }),
    round: t.exposeInt('round'),
    status: t.field({ type: DigestStatusEnum, resolve: (d) => d.status }),
    startedAt: t.field({ type: 'DateTime', resolve: (d) => d.startedAt }),
    approvedAt: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.approvedAt }),
    publishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.publishedAt }),
    coveredCount: t.int({
      nullable: true,
      description: 'Visible comments in an answered theme, counted when published.',
      resolve: (d) => d.coveredCount,
    }),
    visibleCount: t.int({
      nullable: true,
      description: 'Visible comments of the round, counted when published.',
      resolve: (d) => d.visibleCount,
    }),
    countedAtPosition: t.string({
      nullable: true,
      description: 'The log position the counts were taken at.',
      resolve: (d) => d.countedAtPosition,
    }),
    themes: t.field({ type: [DigestTheme], resolve: (d, _a, ctx) => digestQueries.themes(ctx.runtime.readDb, [d.id]) }),
    removedSincePublication: t.field({
      type: RemovalSummaryRef,
      description:
        'Comments of its rows that left public view after publication, by category: the published count less these is what the public sees.',
      resolve: async (d, _a, ctx) => byCategory(await digestQueries.removedSincePublication(ctx.runtime.readDb, d.id)),
    }),
    comments: t.connection({
      type: Comment,
      description: "The round's visible comments, filtered, newest first: the list staff assign to themes from.",
      args: { filter: t.arg({ type: RoundCommentsFilter, required: false }) },
      resolve: async (d, args, ctx) => {
        const size = pageSize(args);
        const f = args.filter ?? {};
        const filter: RoundCommentFilter = {
          policyId: d.policyId,
          round: d.round,
          unassignedOnly: f.unassignedOnly ?? false,
          themeId: f.themeId ? String(f.themeId) : undefined,
          nodeId: f.nodeId ? String(f.nodeId) : undefined,
          stakeholderCategory: f.stakeholderCategory ?? undefined,
          channel: f.channel ?? undefined,
          stance: f.stance ?? undefined,
        };
        return toConnection(
          await digestQueries.roundComments(ctx.runtime.readDb, filter, size + 1, decodeCursor(args.after)),
          size,
        );
      },
    }),
  }),
});

builder.objectField(Policy, 'digest', (t) =>
  t.field({
    type: Digest,
    nullable: true,
    description: 'The digest of a round: published ones for everyone, drafts for the owning organisation and auditors.',
    args: { round: t.arg.int({ required: true }) },
    resolve: async (p: PolicyRow, { round }, ctx) =>
      visibleDigest(ctx, await digestQueries.byRound(ctx.runtime.readDb, p.id, round)),
  }),
);

builder.queryField('digest', (t) =>
  t.field({
    type: Digest,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, { id }, ctx) => {
      const idText = String(id);
      if (!z.uuid().safeParse(idText).success) return null;
      return visibleDigest(ctx, (await digestQueries.byIds(ctx.runtime.readDb, [idText]))[0]);
    },
  }),
);

const CommentAnswer = builder.objectRef<DigestThemeRow>('CommentAnswer').implement({
  description: "How a published digest answered a comment: the theme it sits in and that theme's decision.",
  fields: (t) => ({
    theme: t.field({ type: DigestTheme, resolve: (th) => th }),
    decision: t.field({ type: ThemeDecisionEnum, resolve: (th) => th.decision as never }),
    explanation: t.string({ resolve: (th) => th.explanation ?? '' }),
    digestId: t.exposeID('digestId'),
    round: t.exposeInt('round'),
  }),
});

builder.objectFields(Comment, (t) => ({
  answer: t.loadable({
    type: CommentAnswer,
    nullable: true,
    description: 'The answer of the published digest this comment sits in (its first theme), once published.',
    load: async (ids: string[], ctx: GraphQLContext) => {
      const answers = await digestQueries.publishedAnswers(ctx.runtime.readDb, ids);
      return ids.map((id) => answers.get(id)?.[0] ?? null);
    },
    resolve: (c: CommentRow) => c.id,
  }),
  // Batched per request: a page of comments asks for its themes in two queries, not two per comment.
  digestThemeIds: t.loadableList({
    type: 'ID',
    description: "Themes of the round's digest this comment sits in; drafts only for the owning organisation.",
    load: async (keys: string[], ctx: GraphQLContext) => {
      const ids = keys.map((k) => k.split('|')[1]!);
      const [published, themes] = await Promise.all([
        digestQueries.publishedAnswers(ctx.runtime.readDb, ids),
        digestQueries.themeIdsOf(ctx.runtime.readDb, ids),
      ]);
      const draftAccess = new Map<string, Promise<boolean>>();
      return Promise.all(
        keys.map(async (key) => {
          const [policyId, id] = key.split('|') as [string, string];
          if (!published.get(id)?.length) {
            if (!draftAccess.has(policyId)) draftAccess.set(policyId, maySeeDraft(ctx, policyId));
            if (!(await draftAccess.get(policyId))) return [];
          }
          return themes.get(id) ?? [];
        }),
      );
    },
    resolve: (c: CommentRow) => `${c.policyId}|${c.id}`,
  }),
}));

/* ------------------------------------------------------------------ mutations */

const DigestPayload = builder
  .objectRef<{ policyId: string; round: number; position: string; themeId: string | null }>('DigestPayload')
  .implement({
    description: 'The digest as read after the change, and the log position written.',
    fields: (t) => ({
      digest: t.field({
        type: Digest,
        nullable: true,
        resolve: async (p, _a, ctx) => (await digestQueries.byRound(ctx.runtime.readDb, p.policyId, p.round)) ?? null,
      }),
      theme: t.field({
        type: DigestTheme,
        nullable: true,
        description: 'The theme the mutation defined or answered, if any.',
        resolve: async (p, _a, ctx) =>
          p.themeId ? ((await digestQueries.themesByIds(ctx.runtime.readDb, [p.themeId]))[0] ?? null) : null,
      }),
      position: t.exposeString('position'),
    }),
  });

async function requirePolicy(ctx: GraphQLContext, policyId: string): Promise<void> {
  const [policy] = z.uuid().safeParse(policyId).success
    ? await policyQueries.byIds(ctx.runtime.readDb, [policyId])
    : [];
  if (!policy) throw new NotFoundError('policy', policyId, { vi: 'Không tìm thấy dự thảo.', en: 'Policy not found.' });
}

async function done(
  ctx: GraphQLContext,
  policyId: string,
  round: number,
  position: string | undefined,
  themeId: string | null = null,
) {
  if (position) await ctx.runtime.consistency.waitFor(position as never);
  return { policyId, round, position: position ?? '', themeId };
}

async function runDigestCommand(ctx: GraphQLContext, command: DigestCommandInput, themeId: string | null = null) {
  await requirePolicy(ctx, command.policyId);
  const result = await digestHandlers(ctx.runtime).execute(command, principalOf(ctx));
  return done(ctx, command.policyId, command.round, result.position, themeId);
}

const mutation = { type: DigestPayload, errors: {}, authScopes: { signedIn: true } } as const;
const ids = z.array(z.string().max(100)).max(5_000);

builder.mutationField('startDigest', (t) =>
  t.field({
    ...mutation,
    description: 'Staff start the digest of the current round of a policy.',
    args: { policyId: t.arg.id({ required: true }), round: t.arg.int({ required: true }) },
    resolve: async (_r, a, ctx) => {
      const policyId = String(a.policyId);
      await requirePolicy(ctx, policyId);
      const result = await digestHandlers(ctx.runtime).start(policyId, a.round, principalOf(ctx));
      return done(ctx, policyId, a.round, result.position);
    },
  }),
);

builder.mutationField('defineTheme', (t) =>
  t.field({
    ...mutation,
    description: 'Staff define a theme of the digest; with the id of an existing theme, rename it.',
    args: {
      policyId: t.arg.id({ required: true }),
      round: t.arg.int({ required: true }),
      themeId: t.arg.id({ required: false }),
      title: t.arg.string({ required: true, validate: z.string().max(1_000) }),
      description: t.arg.string({ required: false, validate: z.string().max(10_000) }),
    },
    resolve: (_r, a, ctx) => {
      const themeId = a.themeId ? String(a.themeId) : randomUUID();
      return runDigestCommand(
        ctx,
        {
          type: 'DefineTheme',
          policyId: String(a.policyId),
          round: a.round,
          themeId,
          title: a.title,
          description: a.description ?? '',
        },
        themeId,
      );
    },
  }),
);

builder.mutationField('assignCommentsToTheme', (t) =>
  t.field({
    ...mutation,
    description: 'Staff put many comments into one or several themes at once (and may take others out).',
    args: {
      policyId: t.arg.id({ required: true }),
      round: t.arg.int({ required: true }),
      themeIds: t.arg.idList({ required: true, validate: ids }),
      commentIds: t.arg.idList({ required: true, validate: ids }),
      unassignedCommentIds: t.arg.idList({ required: false, validate: ids }),
    },
    resolve: (_r, a, ctx) =>
      runDigestCommand(ctx, {
        type: 'AssignCommentsToTheme',
        policyId: String(a.policyId),
        round: a.round,
        themeIds: a.themeIds.map(String),
        commentIds: a.commentIds.map(String),
        unassignedCommentIds: (a.unassignedCommentIds ?? []).map(String),
      }),
  }),
);

builder.mutationField('answerTheme', (t) =>
  t.field({
    ...mutation,
    description:
      'Staff answer a theme: accepted, partly accepted, not accepted or noted, why, and the sections changed.',
    args: {
      policyId: t.arg.id({ required: true }),
      round: t.arg.int({ required: true }),
      themeId: t.arg.id({ required: true }),
      decision: t.arg({ type: ThemeDecisionEnum, required: true }),
      explanation: t.arg.string({ required: false, validate: z.string().max(40_000) }),
      sectionsChanged: t.arg.idList({ required: false, validate: ids }),
    },
    resolve: (_r, a, ctx) =>
      runDigestCommand(
        ctx,
        {
          type: 'AnswerTheme',
          policyId: String(a.policyId),
          round: a.round,
          themeId: String(a.themeId),
          decision: a.decision,
          explanation: a.explanation ?? '',
          sectionsChanged: (a.sectionsChanged ?? []).map(String),
        },
        String(a.themeId),
      ),
  }),
);

builder.mutationField('approveDigest', (t) =>
  t.field({
    ...mutation,
    description: 'A spokesperson approves the digest once the round is closed and every theme is answered.',
    args: { policyId: t.arg.id({ required: true }), round: t.arg.int({ required: true }) },
    resolve: (_r, a, ctx) =>
      runDigestCommand(ctx, { type: 'ApproveDigest', policyId: String(a.policyId), round: a.round }),
  }),
);

builder.mutationField('publishDigest', (t) =>
  t.field({
    ...mutation,
    description:
      'A spokesperson publishes the approved digest. The visible comments of the round are counted from the read models at a stated position; publishing then records RoundAnswered on the policy, which enactment waits for.',
    args: { policyId: t.arg.id({ required: true }), round: t.arg.int({ required: true }) },
    resolve: async (_r, a, ctx) => {
      const policyId = String(a.policyId);
      await requirePolicy(ctx, policyId);
      const outcome = await digestHandlers(ctx.runtime).publish(policyId, a.round, principalOf(ctx));
      return done(ctx, policyId, a.round, outcome.roundAnsweredPosition ?? outcome.digestPosition);
    },
  }),
);
