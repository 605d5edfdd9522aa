import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AnalysisCommands } from '@gopy/application/analysisCommands';
import { duplicateCandidates } from '@gopy/application/analysis/candidates';
import {
  analysisQueries,
  commentQueries,
  nodeLabel,
  policyQueries,
  type AnalysisFigures,
  type AnalysisFilter,
  type Bucket,
  type CommentRow,
  type PolicyRow,
} from '@gopy/application/readModels/index';
import { NotFoundError } from '@gopy/domain/errors';
import type { DraftNode, Role } from '@gopy/schemas';
import { builder } from '../builder';
import { hasRoleAnywhere, rolesIn, type GraphQLContext } from '../context';
import { forbiddenRole, notSignedIn } from '../errors';
import { principalOf } from '../../principal';
import { Comment } from './comment';
import { ChannelEnum, NodeKindEnum, StakeholderCategoryEnum, StanceEnum } from './enums';
import { Policy } from './policy';

/** Who reads the analysis of a policy: staff (or an admin) and policymakers of the owning organisation, and auditors. */
const READERS: readonly Role[] = ['staff', 'admin', 'policymaker'];

function requireAnalysisReader(ctx: GraphQLContext, organizationId: string): void {
  if (!ctx.viewer) throw notSignedIn();
  if (hasRoleAnywhere(ctx.viewer, 'auditor')) return;
  if (rolesIn(ctx.viewer, organizationId).some((r) => READERS.includes(r))) return;
  throw forbiddenRole();
}

async function policyOrThrow(ctx: GraphQLContext, policyId: string): Promise<PolicyRow> {
  const [policy] = await policyQueries.byIds(ctx.runtime.readDb, [policyId]);
  if (!policy) throw new NotFoundError('policy', policyId, { vi: 'Không tìm thấy dự thảo.', en: 'Policy not found.' });
  return policy;
}

async function roundOrThrow(ctx: GraphQLContext, policy: PolicyRow, round: number | null | undefined) {
  const rounds = await policyQueries.rounds(ctx.runtime.readDb, [policy.id]);
  const found = round === null || round === undefined ? rounds.at(-1) : rounds.find((r) => r.round === round);
  if (!found) {
    throw new NotFoundError('round', String(round ?? ''), {
      vi: round ? `Dự thảo không có đợt lấy ý kiến ${round}.` : 'Dự thảo chưa có đợt lấy ý kiến nào.',
      en: round ? `The policy has no consultation round ${round}.` : 'The policy has had no consultation round yet.',
    });
  }
  return found;
}

interface NodeHeat {
  nodeId: string;
  kind: DraftNode['kind'];
  label: string;
  heading: string;
  depth: number;
  comments: number;
  total: number;
}

interface AnalysisResult {
  policyId: string;
  round: number;
  filter: AnalysisFilter;
  figures: AnalysisFigures;
  nodes: DraftNode[];
  asOfPosition: string;
}

/** Every node of the round's draft in document order, with its own comments and those of everything below it. */
function heatOf(nodes: DraftNode[], byNode: Bucket[]): NodeHeat[] {
  const own = new Map(byNode.map((b) => [b.key, b.comments]));
  const out: NodeHeat[] = [];
  const walk = (n: DraftNode, depth: number): number => {
    const row: NodeHeat = {
      nodeId: n.nodeId,
      kind: n.kind,
      label: nodeLabel(n),
      heading: n.heading,
      depth,
      comments: own.get(n.nodeId) ?? 0,
      total: 0,
    };
    out.push(row);
    row.total = row.comments + n.children.reduce((s, c) => s + walk(c, depth + 1), 0);
    return row.total;
  };
  nodes.forEach((n) => walk(n, 0));
  return out;
}

const StanceCount = builder.objectRef<Bucket>('StanceCount').implement({
  description: 'Visible comments with one stance.',
  fields: (t) => ({
    stance: t.field({ type: StanceEnum, resolve: (b) => b.key as never }),
    comments: t.exposeInt('comments'),
  }),
});
const CategoryCount = builder.objectRef<Bucket>('CategoryCount').implement({
  description: 'Visible comments from one stakeholder category.',
  fields: (t) => ({
    category: t.field({ type: StakeholderCategoryEnum, resolve: (b) => b.key as never }),
    comments: t.exposeInt('comments'),
  }),
});
const ChannelCount = builder.objectRef<Bucket>('ChannelCount').implement({
  description: 'Visible comments that came through one channel.',
  fields: (t) => ({
    channel: t.field({ type: ChannelEnum, resolve: (b) => b.key as never }),
    comments: t.exposeInt('comments'),
  }),
});
const DayCount = builder.objectRef<Bucket>('DayCount').implement({
  description: 'Visible comments received on one day (Asia/Ho_Chi_Minh).',
  fields: (t) => ({ day: t.field({ type: 'Date', resolve: (b) => b.key }), comments: t.exposeInt('comments') }),
});

const NodeCount = builder.objectRef<Bucket & { label: string | null }>('NodeCount').implement({
  description: 'Visible comments anchored on one node (null: on the whole draft).',
  fields: (t) => ({
    nodeId: t.id({ nullable: true, resolve: (b) => b.key || null }),
    label: t.string({
      nullable: true,
      description: '"Điều 2", "Khoản 1"… as in the draft of the round; null for the whole draft or a node not in it.',
      resolve: (b) => b.label,
    }),
    comments: t.exposeInt('comments'),
  }),
});

const NodeHeatRef = builder.objectRef<NodeHeat>('NodeHeat').implement({
  description: 'One node of the draft with the comments on it and below it, for the heat strip beside the text.',
  fields: (t) => ({
    nodeId: t.exposeID('nodeId'),
    kind: t.field({ type: NodeKindEnum, resolve: (n) => n.kind }),
    label: t.exposeString('label'),
    heading: t.exposeString('heading'),
    depth: t.exposeInt('depth'),
    comments: t.exposeInt('comments', { description: 'Anchored on this node itself.' }),
    total: t.exposeInt('total', { description: 'On this node and every node below it.' }),
  }),
});

const ThemeCount = builder.objectRef<AnalysisFigures['topThemes'][number]>('ThemeCount').implement({
  description: 'A theme of the round’s digest and how many visible comments it gathers.',
  fields: (t) => ({
    themeId: t.exposeID('themeId'),
    title: t.exposeString('title'),
    decision: t.exposeString('decision', {
      nullable: true,
      description: 'accepted, partly_accepted, not_accepted or noted; null until answered.',
    }),
    comments: t.exposeInt('comments'),
  }),
});

const Coverage = builder.objectRef<{ answered: number; visible: number }>('ResponseCoverage').implement({
  description: 'Visible comments that sit in at least one answered theme of the digest.',
  fields: (t) => ({
    answered: t.exposeInt('answered'),
    visible: t.exposeInt('visible'),
    share: t.float({
      description: '0–1; 0 when there is no visible comment.',
      resolve: (c) => (c.visible === 0 ? 0 : c.answered / c.visible),
    }),
  }),
});

type GroupRow = Awaited<ReturnType<typeof analysisQueries.groups>>[number];

const commentsById = async (ctx: GraphQLContext, ids: string[]): Promise<CommentRow[]> => {
  const rows = new Map((await commentQueries.byIds(ctx.runtime.readDb, ids)).map((c) => [c.id, c]));
  return ids.map((id) => rows.get(id)).filter((c): c is CommentRow => c !== undefined);
};

const DuplicateGroup = builder.objectRef<GroupRow>('DuplicateGroup').implement({
  description: 'Comments staff confirmed as the same argument: they count once among the distinct arguments.',
  fields: (t) => ({
    id: t.exposeID('groupId'),
    round: t.exposeInt('round'),
    commentIds: t.exposeIDList('commentIds'),
    representativeCommentId: t.exposeID('representativeCommentId'),
    comments: t.field({
      type: [Comment],
      description: 'The members as the read models show them now (any status).',
      resolve: (g, _a, ctx) => commentsById(ctx, g.commentIds),
    }),
    status: t.exposeString('status', { description: 'confirmed or undone.' }),
    confirmedAt: t.field({ type: 'DateTime', resolve: (g) => g.confirmedAt }),
    undoneAt: t.field({ type: 'DateTime', nullable: true, resolve: (g) => g.undoneAt }),
    undoneReason: t.exposeString('undoneReason', { nullable: true }),
  }),
});

const Analysis = builder.objectRef<AnalysisResult>('PolicyAnalysis').implement({
  description:
    'What people said in one round, from counters the projector keeps (no scan of the comments). Every figure follows the filter; only visible comments count.',
  fields: (t) => ({
    round: t.exposeInt('round'),
    comments: t.int({ description: 'Visible comments (submissions).', resolve: (a) => a.figures.comments }),
    participants: t.int({
      description: 'Distinct people behind them (accounts; offline senders; unnamed letters count one each).',
      resolve: (a) => a.figures.participants,
    }),
    distinctArguments: t.int({
      description: 'Submissions with each confirmed near-duplicate group counted once.',
      resolve: (a) => a.figures.distinctArguments,
    }),
    confirmedGroups: t.int({
      description: 'Confirmed near-duplicate groups with a visible member under the filter.',
      resolve: (a) => a.figures.confirmedGroups,
    }),
    byStance: t.field({ type: [StanceCount], resolve: (a) => a.figures.byStance }),
    byCategory: t.field({ type: [CategoryCount], resolve: (a) => a.figures.byCategory }),
    byChannel: t.field({ type: [ChannelCount], resolve: (a) => a.figures.byChannel }),
    byDay: t.field({ type: [DayCount], resolve: (a) => a.figures.byDay }),
    byNode: t.field({
      type: [NodeCount],
      resolve: (a) => {
        const labels = new Map(heatOf(a.nodes, []).map((n) => [n.nodeId, n.label]));
        return a.figures.byNode.map((b) => ({ ...b, label: labels.get(b.key) ?? null }));
      },
    }),
    heat: t.field({
      type: [NodeHeatRef],
      description: 'Every node of the round’s draft in document order.',
      resolve: (a) => heatOf(a.nodes, a.figures.byNode),
    }),
    topThemes: t.field({
      type: [ThemeCount],
      description: 'Themes of the round’s digest, most comments first.',
      resolve: (a) => a.figures.topThemes,
    }),
    responseCoverage: t.field({
      type: Coverage,
      resolve: (a) => ({ answered: a.figures.answeredComments, visible: a.figures.comments }),
    }),
    duplicateGroups: t.field({
      type: [DuplicateGroup],
      description: 'Confirmed near-duplicate groups of the round (not undone), newest first.',
      resolve: (a, _args, ctx) => analysisQueries.groups(ctx.runtime.readDb, a.policyId, a.round),
    }),
    asOfPosition: t.exposeString('asOfPosition', {
      description: 'The log position the read models had reached when the figures were read.',
    }),
  }),
});

const AnalysisFilterInput = builder.inputType('AnalysisFilter', {
  fields: (t) => ({
    category: t.field({ type: StakeholderCategoryEnum, required: false }),
    channel: t.field({ type: ChannelEnum, required: false }),
    nodeId: t.id({
      required: false,
      description: 'A node of the draft: counts comments on it and on every node below it.',
    }),
  }),
});

builder.objectFields(Policy, (t) => ({
  analysis: t.field({
    type: Analysis,
    errors: {},
    description: 'Feedback analysis of a round (default: the latest) for staff, policymakers and auditors.',
    args: {
      round: t.arg.int({ required: false }),
      filter: t.arg({ type: AnalysisFilterInput, required: false }),
    },
    resolve: async (policy, args, ctx) => {
      requireAnalysisReader(ctx, policy.organizationId);
      const round = await roundOrThrow(ctx, policy, args.round);
      const filter: AnalysisFilter = {
        category: args.filter?.category ?? null,
        channel: args.filter?.channel ?? null,
        nodeId: args.filter?.nodeId ? String(args.filter.nodeId) : null,
      };
      const versions = await policyQueries.versions(ctx.runtime.readDb, [policy.id]);
      const nodes = versions.find((v) => v.number === round.version)?.nodes ?? [];
      const asOfPosition = String(ctx.runtime.projector.position ?? '');
      const figures = await analysisQueries.figures(ctx.runtime.readDb, policy.id, round.round, filter);
      return { policyId: policy.id, round: round.round, filter, figures, nodes, asOfPosition };
    },
  }),
}));

/* ------------------------------------------------------------------ near-duplicates */

interface Candidate {
  ids: string[];
  representativeId: string;
  minSimilarity: number;
}

const DuplicateCandidate = builder.objectRef<Candidate>('DuplicateCandidate').implement({
  description:
    'Comments the system found the same or nearly the same after normalising Vietnamese; staff confirm or ignore.',
  fields: (t) => ({
    commentIds: t.exposeIDList('ids'),
    representativeCommentId: t.exposeID('representativeId'),
    similarity: t.exposeFloat('minSimilarity', {
      description: 'The lowest estimated similarity (0–1) among the pairs that joined it.',
    }),
    comments: t.field({ type: [Comment], resolve: (c, _a, ctx) => commentsById(ctx, c.ids) }),
  }),
});

builder.queryField('duplicateCandidates', (t) =>
  t.field({
    type: [DuplicateCandidate],
    errors: {},
    description:
      'Candidate near-duplicate groups among the visible comments of a round that are in no confirmed group yet.',
    args: {
      policyId: t.arg.id({ required: true }),
      round: t.arg.int({ required: true }),
      threshold: t.arg.float({
        required: false,
        description: 'Estimated similarity to group at (0.3–1, default 0.6).',
        validate: z.number().min(0.3).max(1),
      }),
    },
    resolve: async (_r, args, ctx) => {
      const policy = await policyOrThrow(ctx, String(args.policyId));
      requireAnalysisReader(ctx, policy.organizationId);
      const round = await roundOrThrow(ctx, policy, args.round);
      return duplicateCandidates(
        ctx.runtime.readDb,
        policy.id,
        round.round,
        args.threshold ? { threshold: args.threshold } : {},
      );
    },
  }),
);

const GroupPayload = builder
  .objectRef<{ groupId: string; position: string; readModelBehind: boolean }>('DuplicateGroupPayload')
  .implement({
    fields: (t) => ({
      group: t.field({
        type: DuplicateGroup,
        nullable: true,
        resolve: async (p, _a, ctx) => {
          const g = await analysisQueries.group(ctx.runtime.readDb, p.groupId);
          if (!g) return null;
          return (
            (
              await analysisQueries.groups(ctx.runtime.readDb, g.policyId, g.round, g.status as 'confirmed' | 'undone')
            ).find((x) => x.groupId === p.groupId) ?? null
          );
        },
      }),
      position: t.exposeString('position'),
      readModelBehind: t.exposeBoolean('readModelBehind'),
    }),
  });

const ConfirmInput = builder.inputType('ConfirmDuplicateGroupInput', {
  fields: (t) => ({
    policyId: t.id({ required: true }),
    round: t.int({ required: true }),
    commentIds: t.idList({ required: true, validate: z.array(z.unknown()).max(5_000) }),
    representativeCommentId: t.id({ required: true }),
  }),
});

const analysisCommands = (ctx: GraphQLContext) =>
  new AnalysisCommands(ctx.runtime.writePath, ctx.runtime.clock, ctx.runtime.readDb);

async function settled(ctx: GraphQLContext, groupId: string, position: string | undefined) {
  const shown = position
    ? await ctx.runtime.consistency.waitFor(position as Parameters<typeof ctx.runtime.consistency.waitFor>[0])
    : true;
  return { groupId, position: position ?? '', readModelBehind: !shown };
}

builder.mutationField('confirmDuplicateGroup', (t) =>
  t.field({
    type: GroupPayload,
    errors: {},
    authScopes: { signedIn: true },
    description:
      'Staff or a policymaker of the owning organisation confirm that these comments make the same argument.',
    args: { input: t.arg({ type: ConfirmInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const principal = principalOf(ctx);
      const groupId = randomUUID();
      const result = await analysisCommands(ctx).confirmDuplicateGroup(
        {
          groupId,
          policyId: String(input.policyId),
          round: input.round,
          commentIds: input.commentIds.map(String),
          representativeCommentId: String(input.representativeCommentId),
        },
        principal,
      );
      return settled(ctx, groupId, result.position);
    },
  }),
);

builder.mutationField('undoDuplicateGroup', (t) =>
  t.field({
    type: GroupPayload,
    errors: {},
    authScopes: { signedIn: true },
    description:
      'Undo a confirmed group, with a reason: its comments count one by one again. The confirmation stays in the log.',
    args: {
      groupId: t.arg.id({ required: true }),
      reason: t.arg.string({ required: true, validate: z.string().max(2_000) }),
    },
    resolve: async (_r, args, ctx) => {
      const principal = principalOf(ctx);
      const groupId = String(args.groupId);
      const result = await analysisCommands(ctx).undoDuplicateGroup({ groupId, reason: args.reason }, principal);
      return settled(ctx, groupId, result.position);
    },
  }),
);
