import { sql } from 'kysely';
import type { DomainEvent } from '@gopy/schemas';
import { hourStartOf, type HourActivity } from '@gopy/domain/surge';
import { compiledStatement } from './compiledStatement';
import type { ReadDb, ReadTx } from './database';
import type { ProjectionContext, ReadModel } from './projection';

/**
 * Early warning: hourly activity of each consultation round (what the surge detector compares), the alerts it raised,
 * and the incidents staff reported. Activity is counted by the hour the log recorded it (arrival, not the date on a
 * letter), and only for comments made online: feedback typed in by staff arrives in piles and is no surge.
 */
export interface RoundActivityHourlyTable {
  policy_id: string;
  round: number;
  hour_start: string;
  comments: number;
  oppose: number;
  flags: number;
}
export interface AlertsTable {
  alert_id: string;
  organization_id: string;
  policy_id: string;
  round: number;
  signal: string;
  window_start: string;
  window_end: string;
  observed: number;
  baseline: number;
  evidence_json: string;
  raised_at: string;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
  acknowledgement_note: string | null;
}
export interface IncidentsTable {
  incident_id: string;
  organization_id: string;
  policy_id: string | null;
  alert_id: string | null;
  summary: string;
  reported_by: string;
  submitted_to: string | null;
  reported_at: string;
}

type Db = {
  round_activity_hourly: RoundActivityHourlyTable;
  alerts: AlertsTable;
  incidents: IncidentsTable;
  comments: { id: string; policy_id: string; round: number };
};

/** Adds to a round's activity in one hour; compiled once per engine, as every online comment runs it. */
const addActivity = compiledStatement((db, p: RoundActivityHourlyTable) =>
  db
    .withTables<Db>()
    .insertInto('round_activity_hourly')
    .values({
      policy_id: p.policy_id,
      round: p.round,
      hour_start: p.hour_start,
      comments: p.comments,
      oppose: p.oppose,
      flags: p.flags,
    })
    .onConflict((oc) =>
      oc.columns(['policy_id', 'round', 'hour_start']).doUpdateSet({
        comments: sql`round_activity_hourly.comments + ${p.comments}`,
        oppose: sql`round_activity_hourly.oppose + ${p.oppose}`,
        flags: sql`round_activity_hourly.flags + ${p.flags}`,
      }),
    ),
);

export const alertsReadModel: ReadModel = {
  name: 'alerts',
  tables: ['round_activity_hourly', 'alerts', 'incidents'],
  async createTables(db) {
    const d = db.withTables<Db>();
    await d.schema
      .createTable('round_activity_hourly')
      .ifNotExists()
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('round', 'integer', (c) => c.notNull())
      .addColumn('hour_start', 'text', (c) => c.notNull())
      .addColumn('comments', 'integer', (c) => c.notNull())
      .addColumn('oppose', 'integer', (c) => c.notNull())
      .addColumn('flags', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('round_activity_hourly_pk', ['policy_id', 'round', 'hour_start'])
      .execute();
    await d.schema
      .createTable('alerts')
      .ifNotExists()
      .addColumn('alert_id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'text', (c) => c.notNull())
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('round', 'integer', (c) => c.notNull())
      .addColumn('signal', 'text', (c) => c.notNull())
      .addColumn('window_start', 'text', (c) => c.notNull())
      .addColumn('window_end', 'text', (c) => c.notNull())
      .addColumn('observed', 'double precision', (c) => c.notNull())
      .addColumn('baseline', 'double precision', (c) => c.notNull())
      .addColumn('evidence_json', 'text', (c) => c.notNull())
      .addColumn('raised_at', 'text', (c) => c.notNull())
      .addColumn('acknowledged_by', 'text')
      .addColumn('acknowledged_at', 'text')
      .addColumn('acknowledgement_note', 'text')
      .execute();
    await d.schema
      .createIndex('alerts_org_raised')
      .ifNotExists()
      .on('alerts')
      .columns(['organization_id', 'raised_at'])
      .execute();
    await d.schema
      .createTable('incidents')
      .ifNotExists()
      .addColumn('incident_id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'text', (c) => c.notNull())
      .addColumn('policy_id', 'text')
      .addColumn('alert_id', 'text')
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('reported_by', 'text', (c) => c.notNull())
      .addColumn('submitted_to', 'text')
      .addColumn('reported_at', 'text', (c) => c.notNull())
      .execute();
    await d.schema
      .createIndex('incidents_org')
      .ifNotExists()
      .on('incidents')
      .columns(['organization_id', 'reported_at'])
      .execute();
    await d.schema
      .createIndex('incidents_submitted_to')
      .ifNotExists()
      .on('incidents')
      .columns(['submitted_to', 'reported_at'])
      .execute();
  },
  async evolve(tx: ReadTx, event: DomainEvent, ctx: ProjectionContext) {
    const t = tx.withTables<Db>();
    const bump = (policyId: string, round: number, add: { comments: number; oppose: number; flags: number }) =>
      addActivity(tx, { policy_id: policyId, round, hour_start: hourStartOf(ctx.metadata.recordedAt), ...add });
    switch (event.type) {
      case 'CommentSubmitted': {
        const d = event.data;
        if (d.channel !== 'web') return;
        await bump(d.policyId, d.round, { comments: 1, oppose: d.stance === 'oppose' ? 1 : 0, flags: 0 });
        return;
      }
      case 'CommentFlagged': {
        // The comments read model runs first for every event, so the flagged comment's round is known.
        const comment = await t
          .selectFrom('comments')
          .select(['policy_id', 'round'])
          .where('id', '=', event.data.commentId)
          .executeTakeFirst();
        if (comment) await bump(comment.policy_id, comment.round, { comments: 0, oppose: 0, flags: 1 });
        return;
      }
      case 'FeedbackSurgeDetected': {
        const d = event.data;
        await t
          .insertInto('alerts')
          .values({
            alert_id: d.alertId,
            organization_id: d.organizationId,
            policy_id: d.policyId,
            round: d.round,
            signal: d.signal,
            window_start: d.windowStart,
            window_end: d.windowEnd,
            observed: d.observed,
            baseline: d.baseline,
            evidence_json: JSON.stringify(d.evidenceCommentIds),
            raised_at: ctx.metadata.recordedAt,
            acknowledged_by: null,
            acknowledged_at: null,
            acknowledgement_note: null,
          })
          .onConflict((oc) => oc.column('alert_id').doNothing())
          .execute();
        return;
      }
      case 'AlertAcknowledged':
        await t
          .updateTable('alerts')
          .set({
            acknowledged_by: event.data.acknowledgedBy,
            acknowledged_at: ctx.metadata.recordedAt,
            acknowledgement_note: event.data.note,
          })
          .where('alert_id', '=', event.data.alertId)
          .execute();
        return;
      case 'IncidentReported': {
        const d = event.data;
        await t
          .insertInto('incidents')
          .values({
            incident_id: d.incidentId,
            organization_id: d.organizationId,
            policy_id: d.policyId,
            alert_id: d.alertId,
            summary: d.summary,
            reported_by: d.reportedBy,
            submitted_to: d.submittedTo,
            reported_at: ctx.metadata.recordedAt,
          })
          .onConflict((oc) => oc.column('incident_id').doNothing())
          .execute();
        return;
      }
      default:
        return;
    }
  },
};

export interface AlertRow {
  alertId: string;
  organizationId: string;
  policyId: string;
  round: number;
  signal: 'comments_per_hour' | 'oppose_share' | 'flags_per_hour';
  windowStart: string;
  windowEnd: string;
  observed: number;
  baseline: number;
  evidenceCommentIds: string[];
  raisedAt: string;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  acknowledgementNote: string | null;
}
export interface IncidentRow {
  incidentId: string;
  organizationId: string;
  policyId: string | null;
  alertId: string | null;
  summary: string;
  reportedBy: string;
  submittedTo: string | null;
  reportedAt: string;
}

const toAlert = (r: AlertsTable): AlertRow => ({
  alertId: r.alert_id,
  organizationId: r.organization_id,
  policyId: r.policy_id,
  round: Number(r.round),
  signal: r.signal as AlertRow['signal'],
  windowStart: r.window_start,
  windowEnd: r.window_end,
  observed: Number(r.observed),
  baseline: Number(r.baseline),
  evidenceCommentIds: JSON.parse(r.evidence_json) as string[],
  raisedAt: r.raised_at,
  acknowledgedBy: r.acknowledged_by,
  acknowledgedAt: r.acknowledged_at,
  acknowledgementNote: r.acknowledgement_note,
});
const toIncident = (r: IncidentsTable): IncidentRow => ({
  incidentId: r.incident_id,
  organizationId: r.organization_id,
  policyId: r.policy_id,
  alertId: r.alert_id,
  summary: r.summary,
  reportedBy: r.reported_by,
  submittedTo: r.submitted_to,
  reportedAt: r.reported_at,
});

export const alertQueries = {
  /** The round's hourly activity from `fromHour` (inclusive) on, oldest first. */
  async activitySince(db: ReadDb, policyId: string, round: number, fromHour: string): Promise<HourActivity[]> {
    const rows = await db
      .withTables<Db>()
      .selectFrom('round_activity_hourly')
      .selectAll()
      .where('policy_id', '=', policyId)
      .where('round', '=', round)
      .where('hour_start', '>=', fromHour)
      .orderBy('hour_start')
      .execute();
    return rows.map((r) => ({
      hourStart: r.hour_start,
      comments: Number(r.comments),
      oppose: Number(r.oppose),
      flags: Number(r.flags),
    }));
  },
  /** An organisation's alerts, newest first; unacknowledged only when asked. */
  async forOrganizations(
    db: ReadDb,
    organizationIds: readonly string[],
    o: { unacknowledgedOnly?: boolean; limit?: number } = {},
  ): Promise<AlertRow[]> {
    if (organizationIds.length === 0) return [];
    let q = db
      .withTables<Db>()
      .selectFrom('alerts')
      .selectAll()
      .where('organization_id', 'in', [...organizationIds]);
    if (o.unacknowledgedOnly) q = q.where('acknowledged_at', 'is', null);
    return (
      await q
        .orderBy('raised_at', 'desc')
        .orderBy('alert_id')
        .limit(o.limit ?? 100)
        .execute()
    ).map(toAlert);
  },
  async byId(db: ReadDb, alertId: string): Promise<AlertRow | undefined> {
    const r = await db
      .withTables<Db>()
      .selectFrom('alerts')
      .selectAll()
      .where('alert_id', '=', alertId)
      .executeTakeFirst();
    return r ? toAlert(r) : undefined;
  },
  async incidentById(db: ReadDb, incidentId: string): Promise<IncidentRow | undefined> {
    const r = await db
      .withTables<Db>()
      .selectFrom('incidents')
      .selectAll()
      .where('incident_id', '=', incidentId)
      .executeTakeFirst();
    return r ? toIncident(r) : undefined;
  },
  /** Incidents an organisation reported, or that were submitted to it (a district sees its schools'). */
  async incidentsFor(db: ReadDb, organizationId: string, limit = 100): Promise<IncidentRow[]> {
    const rows = await db
      .withTables<Db>()
      .selectFrom('incidents')
      .selectAll()
      .where((eb) => eb.or([eb('organization_id', '=', organizationId), eb('submitted_to', '=', organizationId)]))
      .orderBy('reported_at', 'desc')
      .orderBy('incident_id')
      .limit(limit)
      .execute();
    return rows.map(toIncident);
  },
};
