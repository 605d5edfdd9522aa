import type { DomainEvent } from '@gopy/schemas';
import type { ReadDb, ReadTx } from './database';
import type { ProjectionContext, ReadModel } from './projection';

/**
 * The public steps of each policy's life, one row per event of its `policy-<id>` stream that the public pages show:
 * proposed, a version published, a round opened, extended or closed, the round answered (its digest published),
 * enacted, withdrawn. The feeds and the calendar read it. Only what the organisation itself published is kept: titles,
 * dates, reasons given for a change of deadline or a withdrawal, decision numbers; never comments or people.
 */
export interface LifecycleEventsTable {
  event_id: string;
  seq: number;
  policy_id: string;
  organization_id: string;
  type: string;
  round: number | null;
  version: number | null;
  /** The policy's title as it stood after this event. */
  title: string;
  /** The type's public fields (LifecycleDetail), as JSON. */
  detail: string;
  occurred_at: string;
  recorded_at: string;
}

type Db = { lifecycle_events: LifecycleEventsTable };

export const LifecycleEventTypes = [
  'PolicyProposed',
  'DraftVersionPublished',
  'ConsultationOpened',
  'ConsultationExtended',
  'ConsultationClosed',
  'RoundAnswered',
  'PolicyEnacted',
  'PolicyWithdrawn',
] as const;
export type LifecycleEventType = (typeof LifecycleEventTypes)[number];

export interface LifecycleDetail {
  summary?: string;
  changeNote?: string;
  /** A version published after consultation of this round, the policy staying in review. */
  revisesRound?: number | null;
  /** A version amending this enacted version (a new cycle). */
  amendsVersion?: number | null;
  opensAt?: string;
  closesAt?: string;
  previousClosesAt?: string;
  closedAt?: string;
  closedBy?: 'deadline' | 'staff';
  reason?: string;
  coveredCount?: number;
  visibleCount?: number;
  decisionNumber?: string;
  decisionDate?: string | null;
  effectiveDate?: string;
}

interface Row {
  policyId: string;
  type: LifecycleEventType;
  round: number | null;
  version: number | null;
  title?: string;
  organizationId?: string;
  detail: LifecycleDetail;
}

/** The public row an event makes, or null for events the feeds do not show. */
function rowOf(event: DomainEvent): Row | null {
  switch (event.type) {
    case 'PolicyProposed': {
      const d = event.data;
      return {
        policyId: d.policyId,
        type: event.type,
        round: null,
        version: null,
        title: d.title,
        organizationId: d.owningOrganizationId,
        detail: { summary: d.summary },
      };
    }
    case 'DraftVersionPublished': {
      const d = event.data;
      return {
        policyId: d.policyId,
        type: event.type,
        round: null,
        version: d.version,
        title: d.title,
        detail: { changeNote: d.changeNote, revisesRound: d.revisesRound, amendsVersion: d.amendsVersion },
      };
    }
    case 'ConsultationOpened': {
      const d = event.data;
      return {
        policyId: d.policyId,
        type: event.type,
        round: d.round,
        version: d.version,
        detail: { opensAt: d.opensAt, closesAt: d.closesAt },
      };
    }
    case 'ConsultationExtended': {
      const d = event.data;
      return {
        policyId: d.policyId,
        type: event.type,
        round: d.round,
        version: null,
        detail: { previousClosesAt: d.previousClosesAt, closesAt: d.closesAt, reason: d.reason },
      };
    }
    case 'ConsultationClosed': {
      const d = event.data;
      return {
        policyId: d.policyId,
        type: event.type,
        round: d.round,
        version: null,
        detail: { closedAt: d.closedAt, closedBy: d.closedBy, reason: d.reason },
      };
    }
    case 'RoundAnswered': {
      const d = event.data;
      return {
        policyId: d.policyId,
        type: event.type,
        round: d.round,
        version: null,
        detail: { coveredCount: d.coveredCount, visibleCount: d.visibleCount },
      };
    }
    case 'PolicyEnacted': {
      const d = event.data;
      return {
        policyId: d.policyId,
        type: event.type,
        round: null,
        version: d.version,
        detail: { decisionNumber: d.decisionNumber, decisionDate: d.decisionDate, effectiveDate: d.effectiveDate },
      };
    }
    case 'PolicyWithdrawn':
      return {
        policyId: event.data.policyId,
        type: event.type,
        round: null,
        version: null,
        detail: { reason: event.data.reason },
      };
    default:
      return null;
  }
}

export const lifecycleReadModel: ReadModel = {
  name: 'lifecycle',
  tables: ['lifecycle_events'],
  async createTables(db) {
    await db
      .withTables<Db>()
      .schema.createTable('lifecycle_events')
      .ifNotExists()
      .addColumn('event_id', 'text', (c) => c.primaryKey())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('organization_id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('round', 'integer')
      .addColumn('version', 'integer')
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('detail', 'text', (c) => c.notNull())
      .addColumn('occurred_at', 'text', (c) => c.notNull())
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('lifecycle_events_seq').ifNotExists().on('lifecycle_events').column('seq').execute();
    await db.schema
      .createIndex('lifecycle_events_policy')
      .ifNotExists()
      .on('lifecycle_events')
      .columns(['policy_id', 'seq'])
      .execute();
    await db.schema
      .createIndex('lifecycle_events_org')
      .ifNotExists()
      .on('lifecycle_events')
      .columns(['organization_id', 'seq'])
      .execute();
  },
  async evolve(tx: ReadTx, event: DomainEvent, ctx: ProjectionContext) {
    const row = rowOf(event);
    if (!row) return;
    const t = tx.withTables<Db>();
    // The owning organisation and the title come from this policy's earlier rows: the model needs no other table.
    const previous =
      row.organizationId === undefined || row.title === undefined
        ? await t
            .selectFrom('lifecycle_events')
            .select(['organization_id', 'title'])
            .where('policy_id', '=', row.policyId)
            .orderBy('seq', 'desc')
            .limit(1)
            .executeTakeFirst()
        : undefined;
    const organizationId = row.organizationId ?? previous?.organization_id;
    const title = row.title ?? previous?.title;
    if (organizationId === undefined || title === undefined) return;
    await t
      .insertInto('lifecycle_events')
      .values({
        event_id: ctx.eventId,
        seq: ctx.seq,
        policy_id: row.policyId,
        organization_id: organizationId,
        type: row.type,
        round: row.round,
        version: row.version,
        title,
        detail: JSON.stringify(row.detail),
        occurred_at: ctx.metadata.occurredAt,
        recorded_at: ctx.metadata.recordedAt,
      })
      .onConflict((oc) => oc.column('event_id').doNothing())
      .execute();
  },
};

export interface LifecycleEventRow {
  eventId: string;
  seq: number;
  policyId: string;
  organizationId: string;
  type: LifecycleEventType;
  round: number | null;
  version: number | null;
  title: string;
  detail: LifecycleDetail;
  occurredAt: string;
  recordedAt: string;
}

function toRow(r: LifecycleEventsTable): LifecycleEventRow {
  return {
    eventId: r.event_id,
    seq: Number(r.seq),
    policyId: r.policy_id,
    organizationId: r.organization_id,
    type: r.type as LifecycleEventType,
    round: r.round === null ? null : Number(r.round),
    version: r.version === null ? null : Number(r.version),
    title: r.title,
    detail: JSON.parse(r.detail) as LifecycleDetail,
    occurredAt: r.occurred_at,
    recordedAt: r.recorded_at,
  };
}

export interface LifecycleFilter {
  policyId?: string;
  organizationId?: string;
  types?: readonly LifecycleEventType[];
}

/** One consultation round's deadline as a calendar shows it: the current one, and how often it changed. */
export interface RoundDeadline {
  /** The opening event's id: the round's identity wherever the log is copied (a calendar's UID). */
  openedEventId: string;
  policyId: string;
  organizationId: string;
  round: number;
  title: string;
  opensAt: string;
  closesAt: string;
  closedAt: string | null;
  closedBy: 'deadline' | 'staff' | null;
  /** The policy was withdrawn while the round was still open: the deadline no longer holds. */
  cancelled: boolean;
  /** How many times the deadline moved or fell away (an extension, an early close, a withdrawal): the calendar's SEQUENCE. */
  changes: number;
  openedRecordedAt: string;
  updatedRecordedAt: string;
}

export const lifecycleQueries = {
  /** The newest rows first, at most `limit`. */
  async recent(db: ReadDb, filter: LifecycleFilter, limit: number): Promise<LifecycleEventRow[]> {
    let q = db.withTables<Db>().selectFrom('lifecycle_events').selectAll();
    if (filter.policyId) q = q.where('policy_id', '=', filter.policyId);
    if (filter.organizationId) q = q.where('organization_id', '=', filter.organizationId);
    if (filter.types) q = q.where('type', 'in', [...filter.types]);
    return (await q.orderBy('seq', 'desc').limit(limit).execute()).map(toRow);
  },

  /** The newest row's seq and recordedAt under a filter (for conditional GET), or null when there is none. */
  async newest(db: ReadDb, filter: LifecycleFilter): Promise<{ seq: number; recordedAt: string } | null> {
    const [row] = await lifecycleQueries.recent(db, filter, 1);
    return row ? { seq: row.seq, recordedAt: row.recordedAt } : null;
  },

  /** Every round's deadline, folded from its opening, extensions and close; the newest rounds first. */
  async roundDeadlines(db: ReadDb, limit: number): Promise<RoundDeadline[]> {
    const opened = await lifecycleQueries.recent(db, { types: ['ConsultationOpened'] }, limit);
    if (opened.length === 0) return [];
    const changes = await db
      .withTables<Db>()
      .selectFrom('lifecycle_events')
      .selectAll()
      .where('type', 'in', ['ConsultationExtended', 'ConsultationClosed', 'DraftVersionPublished', 'PolicyWithdrawn'])
      .where('policy_id', 'in', [...new Set(opened.map((o) => o.policyId))])
      .orderBy('seq')
      .execute();
    return opened.map((o) => {
      const deadline: RoundDeadline = {
        openedEventId: o.eventId,
        policyId: o.policyId,
        organizationId: o.organizationId,
        round: o.round!,
        title: o.title,
        opensAt: o.detail.opensAt!,
        closesAt: o.detail.closesAt!,
        closedAt: null,
        closedBy: null,
        cancelled: false,
        changes: 0,
        openedRecordedAt: o.recordedAt,
        updatedRecordedAt: o.recordedAt,
      };
      for (const raw of changes) {
        if (raw.policy_id !== o.policyId) continue;
        const c = toRow(raw);
        // A later version renames the policy; the calendar shows its current title.
        if (c.type === 'DraftVersionPublished') {
          if (c.seq > o.seq) deadline.title = c.title;
          continue;
        }
        if (c.type === 'PolicyWithdrawn') {
          if (c.seq > o.seq && deadline.closedAt === null) {
            deadline.cancelled = true;
            deadline.changes += 1;
            deadline.updatedRecordedAt = c.recordedAt;
          }
          continue;
        }
        if (c.round !== o.round) continue;
        if (c.type === 'ConsultationExtended') {
          deadline.closesAt = c.detail.closesAt!;
          deadline.changes += 1;
        } else {
          deadline.closedAt = c.detail.closedAt!;
          deadline.closedBy = c.detail.closedBy ?? null;
          // Closed early by staff, the round now ends earlier than announced: a change the calendar must carry.
          if (c.detail.closedBy === 'staff') deadline.changes += 1;
        }
        deadline.updatedRecordedAt = c.recordedAt;
      }
      return deadline;
    });
  },
};
