import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { PolicyCommandInput } from '@gopy/application/commands';
import {
  commentQueries,
  policyQueries,
  type PolicyRow,
  type RoundRow,
  type VersionRow,
} from '@gopy/application/readModels/index';
import { NotFoundError } from '@gopy/domain/errors';
import { isUuid } from '@gopy/application/ids';
import { roundPhase, type PolicyStatus, type RoundPhase } from '@gopy/domain/policy';
import type { DraftNode as DraftNodeData, NodeKind } from '@gopy/schemas';
import { builder } from '../builder';
import { rolesIn, type GraphQLContext } from '../context';
import { decodeCursor, pageSize, toConnection } from '../cursors';
import { principalOf } from '../../principal';
import { Comment } from './comment';
import { NodeKindEnum, PolicyStatusEnum, RoleEnum } from './enums';
import { Organization } from './organization';
import { RemovalSummaryRef, byCategory } from './removals';

export const DraftNodeRef = builder.objectRef<DraftNodeData>('DraftNode');
const DraftNode = DraftNodeRef;
DraftNode.implement({
  fields: (t) => ({
    id: t.exposeID('nodeId', { description: 'Stable across versions; the number and heading are display only.' }),
    kind: t.field({ type: NodeKindEnum, resolve: (n) => n.kind }),
    number: t.exposeString('number'),
    heading: t.exposeString('heading'),
    text: t.exposeString('text'),
    children: t.field({ type: [DraftNode], resolve: (n) => n.children }),
  }),
});

const DraftVersion = builder.objectRef<VersionRow>('DraftVersion').implement({
  fields: (t) => ({
    number: t.exposeInt('number'),
    title: t.exposeString('title'),
    changeNote: t.exposeString('changeNote'),
    publishedAt: t.field({ type: 'DateTime', resolve: (v) => v.publishedAt }),
    nodes: t.field({ type: [DraftNode], resolve: (v) => v.nodes }),
    revisesRound: t.int({
      nullable: true,
      description:
        'The round this version revises after consultation: published once that round was answered, the policy ' +
        'staying in review; compare it with that round’s version to see what changed after consultation.',
      resolve: (v) => v.revisesRound,
    }),
    amendsVersion: t.int({
      nullable: true,
      description: 'The enacted version this version amends: the first draft of a new cycle on an enacted policy.',
      resolve: (v) => v.amendsVersion,
    }),
  }),
});

const RoundPhaseEnum = builder.enumType('RoundPhase', {
  values: {
    SCHEDULED: { value: 'scheduled', description: 'Opens later.' },
    OPEN: { value: 'open', description: 'Taking comments now.' },
    OVER: { value: 'over', description: 'Its deadline passed, it was closed, or the policy moved on.' },
  } as const,
});

/**
 * Where a round stands now, by the domain's rule (roundPhase, the one the comment decider asks), read from the
 * policy's and the round's rows. A round other than the current one was closed before the next one opened.
 */
async function phaseOf(round: RoundRow, ctx: GraphQLContext): Promise<RoundPhase> {
  const policy = await Policy.getDataloader(ctx).load(round.policyId);
  const calendar = {
    status: policy.status as PolicyStatus,
    currentRound: { opensAt: round.opensAt, closesAt: round.closesAt, closed: round.closedAt !== null },
  };
  return roundPhase(calendar, ctx.runtime.clock.now().toISOString()) ?? 'over';
}

const ConsultationRound = builder.objectRef<RoundRow>('ConsultationRound').implement({
  fields: (t) => ({
    round: t.exposeInt('round'),
    version: t.exposeInt('version'),
    opensAt: t.field({ type: 'DateTime', resolve: (r) => r.opensAt }),
    closesAt: t.field({ type: 'DateTime', resolve: (r) => r.closesAt }),
    closedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.closedAt }),
    closedEarly: t.boolean({
      description: 'Closed by staff before its deadline (closesAt, the deadline it had then).',
      resolve: (r) => r.closedBy === 'staff',
    }),
    closeReason: t.string({
      nullable: true,
      description: 'Why staff closed the round early; null unless closedEarly.',
      resolve: (r) => (r.closedBy === 'staff' ? (r.closeReason ?? '') : null),
    }),
    answered: t.exposeBoolean('answered'),
    phase: t.field({ type: RoundPhaseEnum, resolve: (r, _a, ctx) => phaseOf(r, ctx) }),
    isOpen: t.boolean({
      description: 'phase is OPEN: participants may comment now.',
      resolve: async (r, _a, ctx) => (await phaseOf(r, ctx)) === 'open',
    }),
  }),
});

const Enactment = builder.objectRef<NonNullable<PolicyRow['enactment']>>('Enactment').implement({
  fields: (t) => ({
    version: t.exposeInt('version'),
    decisionNumber: t.exposeString('decisionNumber'),
    decisionDate: t.field({
      type: 'Date',
      nullable: true,
      description: 'The date the decision was signed; null for decisions recorded before the date was kept.',
      resolve: (e) => e.decisionDate ?? null,
    }),
    effectiveDate: t.field({ type: 'Date', resolve: (e) => e.effectiveDate }),
    enactedAt: t.field({ type: 'DateTime', resolve: (e) => e.enactedAt }),
  }),
});

export const Policy = builder.loadableObjectRef<PolicyRow, string>('Policy', {
  load: async (ids: string[], ctx) => {
    const rows = await policyQueries.byIds(ctx.runtime.readDb, ids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? new Error(`Policy ${id} not found`));
  },
});
Policy.implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    title: t.exposeString('title'),
    summary: t.exposeString('summary'),
    status: t.field({ type: PolicyStatusEnum, resolve: (p) => p.status as never }),
    owningOrganization: t.field({ type: Organization, resolve: (p) => p.organizationId }),
    proposedAt: t.field({ type: 'DateTime', resolve: (p) => p.proposedAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (p) => p.updatedAt }),
    versions: t.loadableGroup({
      type: DraftVersion,
      load: (ids: string[], ctx) => policyQueries.versions(ctx.runtime.readDb, ids),
      group: (v) => v.policyId,
      resolve: (p) => p.id,
    }),
    currentVersion: t.field({
      type: DraftVersion,
      nullable: true,
      description: 'The latest published version.',
      resolve: async (p, _a, ctx) =>
        p.currentVersion === null
          ? null
          : ((await policyQueries.versions(ctx.runtime.readDb, [p.id])).find((v) => v.number === p.currentVersion) ??
            null),
    }),
    version: t.field({
      type: DraftVersion,
      nullable: true,
      args: { number: t.arg.int({ required: true }) },
      resolve: async (p, { number }, ctx) =>
        (await policyQueries.versions(ctx.runtime.readDb, [p.id])).find((v) => v.number === number) ?? null,
    }),
    rounds: t.loadableGroup({
      type: ConsultationRound,
      load: (ids: string[], ctx) => policyQueries.rounds(ctx.runtime.readDb, ids),
      group: (r) => r.policyId,
      resolve: (p) => p.id,
    }),
    currentRound: t.loadable({
      type: ConsultationRound,
      nullable: true,
      description: 'The latest round.',
      load: async (ids: string[], ctx) => {
        const rounds = await policyQueries.rounds(ctx.runtime.readDb, ids);
        return ids.map((id) => rounds.filter((r) => r.policyId === id).at(-1) ?? null);
      },
      resolve: (p) => p.id,
    }),
    enactment: t.field({ type: Enactment, nullable: true, resolve: (p) => p.enactment }),
    withdrawalReason: t.exposeString('withdrawalReason', { nullable: true }),
    commentCount: t.int({
      description:
        'Comments the public can see (as listed); removedComments says how many are no longer shown, and why.',
      resolve: (p, _a, ctx) => commentQueries.count(ctx.runtime.readDb, { policyId: p.id }),
    }),
    removedComments: t.field({
      type: RemovalSummaryRef,
      description: 'Comments hidden, withdrawn or redacted, by category: how many, never which.',
      resolve: async (p, _a, ctx) =>
        byCategory(
          (await commentQueries.removedCounts(ctx.runtime.readDb, p.id)).map((r) => ({ ...r, kind: r.status })),
        ),
    }),
    comments: t.connection(
      {
        type: Comment,
        description:
          'Visible comments, newest first. nodeId filters to one node; wholeDraftOnly to comments on the whole draft.',
        args: { nodeId: t.arg.id({ required: false }), wholeDraftOnly: t.arg.boolean({ required: false }) },
        resolve: async (p, args, ctx) => {
          const size = pageSize(args);
          const filter = {
            policyId: p.id,
            nodeId: args.nodeId ? String(args.nodeId) : undefined,
            wholeDraftOnly: args.wholeDraftOnly ?? false,
          };
          const rows = await commentQueries.page(ctx.runtime.readDb, {
            ...filter,
            first: size + 1,
            beforeSeq: decodeCursor(args.after),
          });
          return { ...toConnection(rows, size), filter };
        },
      },
      {
        fields: (c) => ({
          totalCount: c.int({
            resolve: async (conn, _a, ctx) =>
              commentQueries.count(
                ctx.runtime.readDb,
                (conn as unknown as { filter: Parameters<typeof commentQueries.count>[1] }).filter,
              ),
          }),
        }),
      },
    ),
    viewerRoles: t.field({
      type: [RoleEnum],
      description: "The viewer's roles in the owning organisation (empty when signed out).",
      resolve: (p, _a, ctx) => rolesIn(ctx.viewer, p.organizationId),
    }),
  }),
});

builder.queryField('policies', (t) =>
  t.connection(
    {
      type: Policy,
      args: { status: t.arg({ type: PolicyStatusEnum, required: false }) },
      resolve: async (_r, args, ctx) => {
        const size = pageSize(args);
        const rows = await policyQueries.page(ctx.runtime.readDb, {
          status: args.status ?? undefined,
          first: size + 1,
          beforeSeq: decodeCursor(args.after),
        });
        return { ...toConnection(rows, size), status: args.status ?? undefined };
      },
    },
    {
      fields: (c) => ({
        totalCount: c.int({
          resolve: async (conn, _a, ctx) =>
            policyQueries.count(ctx.runtime.readDb, (conn as { status?: string }).status),
        }),
      }),
    },
  ),
);

builder.queryField('policy', (t) =>
  t.field({
    type: Policy,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, { id }, ctx) => {
      const idText = String(id);
      if (!z.uuid().safeParse(idText).success) return null;
      return (await policyQueries.byIds(ctx.runtime.readDb, [idText]))[0] ?? null;
    },
  }),
);

/* ------------------------------------------------------------------ mutations */

const PolicyPayload = builder
  .objectRef<{ policyId: string; position: string; readModelBehind: boolean }>('PolicyPayload')
  .implement({
    description: 'Returned by every policy mutation: the policy as read after the write, and the log position written.',
    fields: (t) => ({
      policy: t.field({ type: Policy, resolve: (p) => p.policyId }),
      position: t.exposeString('position'),
      readModelBehind: t.exposeBoolean('readModelBehind', {
        description:
          'True when the change is stored (at `position`) but the read models had not shown it yet when this answer was made (heavy load).',
      }),
    }),
  });

/**
 * A policy command's target is its stream: the decider refuses an unknown policy (NOT_FOUND) from the stream's state,
 * so a policy stored a moment ago is found even while the read models have not shown it yet (policyLag.int.test.ts).
 * Only what cannot name a stream at all is refused here, without asking any store.
 */
async function runPolicyCommand(ctx: Parameters<typeof principalOf>[0], command: PolicyCommandInput) {
  const principal = principalOf(ctx);
  if (command.type !== 'ProposePolicy' && !isUuid(command.policyId))
    throw new NotFoundError('policy', command.policyId, { vi: 'Không tìm thấy dự thảo.', en: 'Policy not found.' });
  const result = await ctx.runtime.commands.policy(command, principal);
  const shown = result.position ? await ctx.runtime.consistency.waitFor(result.position) : true;
  return { policyId: command.policyId, position: result.position ?? '', readModelBehind: !shown };
}

interface DraftNodeInputShape {
  id?: string | number | null;
  kind: NodeKind;
  number: string;
  heading: string;
  text: string;
  children: DraftNodeInputShape[];
}

const DraftNodeInput = builder.inputRef<DraftNodeInputShape>('DraftNodeInput').implement({
  fields: (t) => ({
    id: t.id({ required: false, description: 'Keep the id of a node from the previous version; omit for a new node.' }),
    kind: t.field({ type: NodeKindEnum, required: true }),
    number: t.string({ required: true }),
    heading: t.string({ required: true }),
    text: t.string({ required: true }),
    children: t.field({ type: [DraftNodeInput], required: true }),
  }),
});

function toDraftNodes(nodes: DraftNodeInputShape[]): DraftNodeData[] {
  return nodes.map((n) => ({
    nodeId: n.id ? String(n.id) : randomUUID(),
    kind: n.kind,
    number: n.number,
    heading: n.heading,
    text: n.text,
    children: toDraftNodes(n.children),
  }));
}

const ProposePolicyInput = builder.inputType('ProposePolicyInput', {
  fields: (t) => ({
    organizationId: t.id({ required: true }),
    title: t.string({ required: true, validate: z.string().max(300) }),
    summary: t.string({ required: true, validate: z.string().max(5_000) }),
    topics: t.stringList({ required: false }),
  }),
});

const common = { type: PolicyPayload, errors: {}, authScopes: { signedIn: true } } as const;

builder.mutationField('proposePolicy', (t) =>
  t.field({
    ...common,
    args: { input: t.arg({ type: ProposePolicyInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runPolicyCommand(ctx, {
        type: 'ProposePolicy',
        policyId: randomUUID(),
        owningOrganizationId: String(input.organizationId),
        title: input.title,
        summary: input.summary,
        topics: input.topics ?? [],
      }),
  }),
);

builder.mutationField('startDrafting', (t) =>
  t.field({
    ...common,
    args: { policyId: t.arg.id({ required: true }) },
    resolve: (_r, { policyId }, ctx) => runPolicyCommand(ctx, { type: 'StartDrafting', policyId: String(policyId) }),
  }),
);

const PublishDraftVersionInput = builder.inputType('PublishDraftVersionInput', {
  fields: (t) => ({
    policyId: t.id({ required: true }),
    title: t.string({ required: true, validate: z.string().max(300) }),
    changeNote: t.string({ required: true, validate: z.string().max(5_000) }),
    nodes: t.field({ type: [DraftNodeInput], required: true }),
  }),
});

builder.mutationField('publishDraftVersion', (t) =>
  t.field({
    ...common,
    args: { input: t.arg({ type: PublishDraftVersionInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runPolicyCommand(ctx, {
        type: 'PublishDraftVersion',
        policyId: String(input.policyId),
        title: input.title,
        changeNote: input.changeNote,
        nodes: toDraftNodes(input.nodes),
      }),
  }),
);

const OpenConsultationInput = builder.inputType('OpenConsultationInput', {
  fields: (t) => ({
    policyId: t.id({ required: true }),
    opensAt: t.field({ type: 'DateTime', required: false, description: 'Defaults to now.' }),
    closesAt: t.field({ type: 'DateTime', required: true }),
    note: t.string({ required: false, validate: z.string().max(5_000) }),
  }),
});

builder.mutationField('openConsultation', (t) =>
  t.field({
    ...common,
    args: { input: t.arg({ type: OpenConsultationInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runPolicyCommand(ctx, {
        type: 'OpenConsultation',
        policyId: String(input.policyId),
        opensAt: input.opensAt ?? ctx.runtime.clock.now().toISOString(),
        closesAt: input.closesAt,
        note: input.note ?? '',
        minimumRoundDays: ctx.runtime.config.minimumRoundDays,
      }),
  }),
);

const ExtendConsultationInput = builder.inputType('ExtendConsultationInput', {
  fields: (t) => ({
    policyId: t.id({ required: true }),
    closesAt: t.field({ type: 'DateTime', required: true }),
    reason: t.string({ required: true, validate: z.string().max(2_000) }),
  }),
});

builder.mutationField('extendConsultation', (t) =>
  t.field({
    ...common,
    args: { input: t.arg({ type: ExtendConsultationInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runPolicyCommand(ctx, {
        type: 'ExtendConsultation',
        policyId: String(input.policyId),
        closesAt: input.closesAt,
        reason: input.reason,
      }),
  }),
);

builder.mutationField('closeConsultation', (t) =>
  t.field({
    ...common,
    args: {
      policyId: t.arg.id({ required: true }),
      reason: t.arg.string({ required: true, validate: z.string().max(2_000) }),
    },
    resolve: (_r, { policyId, reason }, ctx) =>
      runPolicyCommand(ctx, { type: 'CloseConsultation', policyId: String(policyId), closedBy: 'staff', reason }),
  }),
);

const EnactPolicyInput = builder.inputType('EnactPolicyInput', {
  fields: (t) => ({
    policyId: t.id({ required: true }),
    decisionNumber: t.string({ required: true, validate: z.string().max(100) }),
    decisionDate: t.field({
      type: 'Date',
      required: false,
      description: 'The date the decision is signed. Defaults to today in Vietnam.',
    }),
    effectiveDate: t.field({ type: 'Date', required: true }),
    version: t.int({ required: false, description: 'Defaults to the latest version.' }),
  }),
});

builder.mutationField('enactPolicy', (t) =>
  t.field({
    ...common,
    args: { input: t.arg({ type: EnactPolicyInput, required: true }) },
    // Without a version the decider enacts the latest published one, as the policy's stream has it.
    resolve: (_r, { input }, ctx) =>
      runPolicyCommand(ctx, {
        type: 'EnactPolicy',
        policyId: String(input.policyId),
        decisionNumber: input.decisionNumber,
        ...(input.decisionDate ? { decisionDate: input.decisionDate } : {}),
        effectiveDate: input.effectiveDate,
        ...(input.version != null ? { version: input.version } : {}),
      }),
  }),
);

builder.mutationField('withdrawPolicy', (t) =>
  t.field({
    ...common,
    args: {
      policyId: t.arg.id({ required: true }),
      reason: t.arg.string({ required: true, validate: z.string().max(2_000) }),
    },
    resolve: (_r, { policyId, reason }, ctx) =>
      runPolicyCommand(ctx, { type: 'WithdrawPolicy', policyId: String(policyId), reason }),
  }),
);
