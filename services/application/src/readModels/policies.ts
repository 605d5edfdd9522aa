import type { DomainEvent, DraftNode } from '@gopy/schemas';
import type { PoliciesTable, ReadDb, ReadTx, RoundsTable } from './database';
import { BatchCounters, type ProjectionContext, type ReadModel } from './projection';

/** Comments submitted per policy over a batch: one UPDATE per policy at the batch's end, not one per comment. */
const commentCounts = new BatchCounters<string>();

export const policiesReadModel: ReadModel = {
  tables: ['policies', 'policy_versions', 'rounds'],
  name: 'policies',
  async endBatch(tx) {
    for (const { key: policyId, delta } of commentCounts.take(tx)) {
      await tx
        .updateTable('policies')
        .set((eb) => ({ comment_count: eb('comment_count', '+', delta) }))
        .where('id', '=', policyId)
        .execute();
    }
  },
  async createTables(db) {
    await db.schema
      .createTable('policies')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('current_version', 'integer')
      .addColumn('current_round', 'integer')
      .addColumn('proposed_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('enactment', 'text')
      .addColumn('withdrawal_reason', 'text')
      .addColumn('comment_count', 'integer', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('policies_status_seq')
      .ifNotExists()
      .on('policies')
      .columns(['status', 'seq'])
      .execute();
    await db.schema.createIndex('policies_seq').ifNotExists().on('policies').column('seq').execute();
    await db.schema
      .createTable('policy_versions')
      .ifNotExists()
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('change_note', 'text', (c) => c.notNull())
      .addColumn('published_at', 'text', (c) => c.notNull())
      .addColumn('nodes', 'text', (c) => c.notNull())
      .addColumn('revises_round', 'integer')
      .addColumn('amends_version', 'integer')
      .addPrimaryKeyConstraint('policy_versions_pk', ['policy_id', 'number'])
      .execute();
    await db.schema
      .createTable('rounds')
      .ifNotExists()
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('round', 'integer', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('opens_at', 'text', (c) => c.notNull())
      .addColumn('closes_at', 'text', (c) => c.notNull())
      .addColumn('closed_at', 'text')
      .addColumn('closed_by', 'text')
      .addColumn('close_reason', 'text')
      .addColumn('answered', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('rounds_pk', ['policy_id', 'round'])
      .execute();
    await db.schema
      .createIndex('rounds_open_deadline')
      .ifNotExists()
      .on('rounds')
      .columns(['closed_at', 'closes_at'])
      .execute();
  },
  async evolve(tx: ReadTx, event: DomainEvent, ctx: ProjectionContext) {
    const at = ctx.metadata.occurredAt;
    const touch = (id: string, set: Partial<PoliciesTable>) =>
      tx
        .updateTable('policies')
        .set({ ...set, updated_at: at, seq: ctx.seq })
        .where('id', '=', id)
        .execute();
    switch (event.type) {
      case 'PolicyProposed': {
        const d = event.data;
        await tx
          .insertInto('policies')
          .values({
            id: d.policyId,
            organization_id: d.owningOrganizationId,
            title: d.title,
            summary: d.summary,
            status: 'proposed',
            current_version: null,
            current_round: null,
            proposed_at: at,
            updated_at: at,
            enactment: null,
            withdrawal_reason: null,
            comment_count: 0,
            seq: ctx.seq,
          })
          .execute();
        return;
      }
      case 'DraftingStarted':
        await touch(event.data.policyId, { status: 'drafting' });
        return;
      case 'DraftVersionPublished': {
        const d = event.data;
        await tx
          .insertInto('policy_versions')
          .values({
            policy_id: d.policyId,
            number: d.version,
            title: d.title,
            change_note: d.changeNote,
            published_at: at,
            nodes: JSON.stringify(d.nodes),
            revises_round: d.revisesRound,
            amends_version: d.amendsVersion,
          })
          .execute();
        // A revision after consultation keeps the policy in review; an amendment's draft or a working draft drafts.
        const status = d.revisesRound !== null ? 'review' : 'drafting';
        await touch(d.policyId, { status, current_version: d.version, title: d.title });
        return;
      }
      case 'ConsultationOpened': {
        const d = event.data;
        await tx
          .insertInto('rounds')
          .values({
            policy_id: d.policyId,
            round: d.round,
            version: d.version,
            opens_at: d.opensAt,
            closes_at: d.closesAt,
            closed_at: null,
            closed_by: null,
            close_reason: null,
            answered: 0,
          })
          .execute();
        await touch(d.policyId, { status: 'consultation', current_round: d.round });
        return;
      }
      case 'ConsultationExtended':
        await tx
          .updateTable('rounds')
          .set({ closes_at: event.data.closesAt })
          .where('policy_id', '=', event.data.policyId)
          .where('round', '=', event.data.round)
          .execute();
        await touch(event.data.policyId, {});
        return;
      case 'ConsultationClosed':
        await tx
          .updateTable('rounds')
          .set({ closed_at: event.data.closedAt, closed_by: event.data.closedBy, close_reason: event.data.reason })
          .where('policy_id', '=', event.data.policyId)
          .where('round', '=', event.data.round)
          .execute();
        await touch(event.data.policyId, { status: 'review' });
        return;
      case 'RoundAnswered':
        await tx
          .updateTable('rounds')
          .set({ answered: 1 })
          .where('policy_id', '=', event.data.policyId)
          .where('round', '=', event.data.round)
          .execute();
        await touch(event.data.policyId, {});
        return;
      case 'PolicyEnacted': {
        const d = event.data;
        await touch(d.policyId, {
          status: 'enacted',
          enactment: JSON.stringify({
            version: d.version,
            decisionNumber: d.decisionNumber,
            decisionDate: d.decisionDate,
            effectiveDate: d.effectiveDate,
            enactedAt: at,
          }),
        });
        return;
      }
      case 'PolicyWithdrawn':
        await touch(event.data.policyId, { status: 'withdrawn', withdrawal_reason: event.data.reason });
        return;
      case 'CommentSubmitted':
        commentCounts.add(tx, event.data.policyId, event.data.policyId, 1);
        return;
      default:
        return;
    }
  },
};

export interface PolicyRow {
  id: string;
  organizationId: string;
  title: string;
  summary: string;
  status: string;
  currentVersion: number | null;
  currentRound: number | null;
  proposedAt: string;
  updatedAt: string;
  /** The last enactment: the decision in force, kept while an amendment is drafted and consulted on. */
  enactment: {
    version: number;
    decisionNumber: string;
    /** Null for decisions enacted before the log recorded their date. */
    decisionDate?: string | null;
    effectiveDate: string;
    enactedAt: string;
  } | null;
  withdrawalReason: string | null;
  commentCount: number;
  seq: number;
}

export interface VersionRow {
  policyId: string;
  number: number;
  title: string;
  changeNote: string;
  publishedAt: string;
  nodes: DraftNode[];
  revisesRound: number | null;
  amendsVersion: number | null;
}

export interface RoundRow {
  policyId: string;
  round: number;
  version: number;
  opensAt: string;
  closesAt: string;
  closedAt: string | null;
  closedBy: string | null;
  closeReason: string | null;
  answered: boolean;
}

function toPolicy(r: PoliciesTable): PolicyRow {
  return {
    id: r.id,
    organizationId: r.organization_id,
    title: r.title,
    summary: r.summary,
    status: r.status,
    currentVersion: r.current_version,
    currentRound: r.current_round,
    proposedAt: r.proposed_at,
    updatedAt: r.updated_at,
    enactment: r.enactment ? (JSON.parse(r.enactment) as PolicyRow['enactment']) : null,
    withdrawalReason: r.withdrawal_reason,
    commentCount: Number(r.comment_count),
    seq: Number(r.seq),
  };
}

export function toRound(r: RoundsTable): RoundRow {
  return {
    policyId: r.policy_id,
    round: Number(r.round),
    version: Number(r.version),
    opensAt: r.opens_at,
    closesAt: r.closes_at,
    closedAt: r.closed_at,
    closedBy: r.closed_by,
    closeReason: r.close_reason,
    answered: Number(r.answered) === 1,
  };
}

export const policyQueries = {
  async byIds(db: ReadDb, ids: readonly string[]): Promise<PolicyRow[]> {
    if (ids.length === 0) return [];
    return (
      await db
        .selectFrom('policies')
        .selectAll()
        .where('id', 'in', [...ids])
        .execute()
    ).map(toPolicy);
  },
  /** Most recently changed first; keyset on seq (unique per event, so unique per row). */
  async page(db: ReadDb, opts: { status?: string; first: number; beforeSeq?: number }): Promise<PolicyRow[]> {
    let q = db.selectFrom('policies').selectAll();
    if (opts.status) q = q.where('status', '=', opts.status);
    if (opts.beforeSeq !== undefined) q = q.where('seq', '<', opts.beforeSeq);
    return (await q.orderBy('seq', 'desc').limit(opts.first).execute()).map(toPolicy);
  },
  async count(db: ReadDb, status?: string): Promise<number> {
    let q = db.selectFrom('policies').select((eb) => eb.fn.countAll<number>().as('n'));
    if (status) q = q.where('status', '=', status);
    return Number((await q.executeTakeFirstOrThrow()).n);
  },
  async versions(db: ReadDb, policyIds: readonly string[]): Promise<VersionRow[]> {
    if (policyIds.length === 0) return [];
    const rows = await db
      .selectFrom('policy_versions')
      .selectAll()
      .where('policy_id', 'in', [...policyIds])
      .orderBy('number')
      .execute();
    return rows.map((r) => ({
      policyId: r.policy_id,
      number: Number(r.number),
      title: r.title,
      changeNote: r.change_note,
      publishedAt: r.published_at,
      nodes: JSON.parse(r.nodes) as DraftNode[],
      revisesRound: r.revises_round === null ? null : Number(r.revises_round),
      amendsVersion: r.amends_version === null ? null : Number(r.amends_version),
    }));
  },
  async rounds(db: ReadDb, policyIds: readonly string[]): Promise<RoundRow[]> {
    if (policyIds.length === 0) return [];
    return (
      await db
        .selectFrom('rounds')
        .selectAll()
        .where('policy_id', 'in', [...policyIds])
        .orderBy('round')
        .execute()
    ).map(toRound);
  },
  /** Rounds still open whose closing time has passed: the deadline scheduler's work list. */
  async roundsDue(db: ReadDb, nowIso: string): Promise<RoundRow[]> {
    return (
      await db
        .selectFrom('rounds')
        .selectAll()
        .where('closed_at', 'is', null)
        .where('closes_at', '<=', nowIso)
        .orderBy('closes_at')
        .execute()
    ).map(toRound);
  },
  async nextDeadline(db: ReadDb): Promise<string | undefined> {
    const r = await db
      .selectFrom('rounds')
      .select((eb) => eb.fn.min('closes_at').as('next'))
      .where('closed_at', 'is', null)
      .executeTakeFirst();
    return (r?.next as string | null | undefined) ?? undefined;
  },
};
