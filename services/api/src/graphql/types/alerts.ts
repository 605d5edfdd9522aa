import { v7 as uuidv7 } from 'uuid';
import {
  alertQueries,
  organizationQueries,
  policyQueries,
  type AlertRow,
  type IncidentRow,
} from '@gopy/application/readModels/index';
import { NotFoundError } from '@gopy/domain/errors';
import { reportingPeriodOf } from '@gopy/domain/report';
import type { Role } from '@gopy/schemas';
import { builder } from '../builder';
import { hasRoleAnywhere, rolesIn, type GraphQLContext } from '../context';
import { forbiddenRole, notSignedIn } from '../errors';
import { principalOf } from '../../principal';
import { Organization } from './organization';
import { Policy } from './policy';

const SIGNALS = ['comments_per_hour', 'oppose_share', 'flags_per_hour'] as const;
const AlertSignalEnum = builder.enumType('AlertSignal', {
  description: 'What the surge detector saw: many more comments than usual, a turn to opposition, or a wave of flags.',
  values: Object.fromEntries(SIGNALS.map((s) => [s.toUpperCase(), { value: s }])) as Record<
    Uppercase<(typeof SIGNALS)[number]>,
    { value: (typeof SIGNALS)[number] }
  >,
});

/** Who reads an organisation's alerts and incidents: those who answer for its communication, its leaders, auditors. */
const READERS: readonly Role[] = ['staff', 'spokesperson', 'admin', 'policymaker', 'auditor'];

export async function requireReader(ctx: GraphQLContext, organizationId: string): Promise<void> {
  if (!ctx.viewer) throw notSignedIn();
  if (hasRoleAnywhere(ctx.viewer, 'auditor')) return;
  if (rolesIn(ctx.viewer, organizationId).some((r) => READERS.includes(r))) return;
  // A district office reads the alerts of its schools: a reader of the parent may read the child.
  const [org] = await organizationQueries.byIds(ctx.runtime.readDb, [organizationId]);
  if (org?.parentId && rolesIn(ctx.viewer, org.parentId).some((r) => READERS.includes(r))) return;
  throw forbiddenRole();
}

const Alert = builder.objectRef<AlertRow>('Alert').implement({
  description:
    'An early warning raised on an open consultation round, with the evidence; it stays after acknowledgement.',
  fields: (t) => ({
    id: t.exposeID('alertId'),
    organization: t.field({ type: Organization, resolve: (a) => a.organizationId }),
    policy: t.field({ type: Policy, resolve: (a) => a.policyId }),
    round: t.exposeInt('round'),
    signal: t.field({ type: AlertSignalEnum, resolve: (a) => a.signal }),
    windowStart: t.field({ type: 'DateTime', resolve: (a) => a.windowStart }),
    windowEnd: t.field({ type: 'DateTime', resolve: (a) => a.windowEnd }),
    observed: t.exposeFloat('observed', {
      description: 'Comments or flags in the hour, or the share of oppose (0–1).',
    }),
    baseline: t.exposeFloat('baseline', {
      description: "The same measure over the round's recent hours (hourly mean, or share).",
    }),
    evidenceCommentIds: t.exposeIDList('evidenceCommentIds', {
      description: 'The comments behind the signal (at most 20).',
    }),
    raisedAt: t.field({ type: 'DateTime', resolve: (a) => a.raisedAt }),
    acknowledged: t.boolean({ resolve: (a) => a.acknowledgedAt !== null }),
    acknowledgedAt: t.field({ type: 'DateTime', nullable: true, resolve: (a) => a.acknowledgedAt }),
    acknowledgementNote: t.exposeString('acknowledgementNote', { nullable: true }),
  }),
});

const Incident = builder.objectRef<IncidentRow>('Incident').implement({
  description: 'An incident report: what happened and what was done, sent up to the parent organisation.',
  fields: (t) => ({
    id: t.exposeID('incidentId'),
    organization: t.field({ type: Organization, resolve: (i) => i.organizationId }),
    policy: t.field({ type: Policy, nullable: true, resolve: (i) => i.policyId }),
    alertId: t.exposeID('alertId', { nullable: true }),
    summary: t.exposeString('summary'),
    submittedTo: t.field({ type: Organization, nullable: true, resolve: (i) => i.submittedTo }),
    reportedAt: t.field({ type: 'DateTime', resolve: (i) => i.reportedAt }),
  }),
});

builder.queryField('alerts', (t) =>
  t.field({
    type: [Alert],
    description: "An organisation's alerts, newest first (its staff, spokesperson, leaders, its parent's, auditors).",
    authScopes: { signedIn: true },
    args: {
      organizationId: t.arg.id({ required: true }),
      unacknowledgedOnly: t.arg.boolean({ required: false, defaultValue: false }),
    },
    resolve: async (_r, a, ctx) => {
      const organizationId = String(a.organizationId);
      await requireReader(ctx, organizationId);
      return alertQueries.forOrganizations(ctx.runtime.readDb, [organizationId], {
        unacknowledgedOnly: a.unacknowledgedOnly ?? false,
      });
    },
  }),
);

builder.queryField('incidents', (t) =>
  t.field({
    type: [Incident],
    description: 'Incidents an organisation reported, and those its schools reported up to it.',
    authScopes: { signedIn: true },
    args: { organizationId: t.arg.id({ required: true }) },
    resolve: async (_r, a, ctx) => {
      const organizationId = String(a.organizationId);
      await requireReader(ctx, organizationId);
      return alertQueries.incidentsFor(ctx.runtime.readDb, organizationId);
    },
  }),
);

const AlertPayload = builder.objectRef<{ alert: AlertRow; position: string }>('AlertPayload').implement({
  fields: (t) => ({ alert: t.field({ type: Alert, resolve: (p) => p.alert }), position: t.exposeString('position') }),
});
const IncidentPayload = builder.objectRef<{ incident: IncidentRow; position: string }>('IncidentPayload').implement({
  fields: (t) => ({
    incident: t.field({ type: Incident, resolve: (p) => p.incident }),
    position: t.exposeString('position'),
  }),
});

async function alertOrThrow(ctx: GraphQLContext, alertId: string): Promise<AlertRow> {
  const alert = await alertQueries.byId(ctx.runtime.readDb, alertId);
  if (!alert) throw new NotFoundError('alert', alertId, { vi: 'Không tìm thấy cảnh báo.', en: 'Alert not found.' });
  return alert;
}

builder.mutationField('acknowledgeAlert', (t) =>
  t.field({
    type: AlertPayload,
    errors: {},
    authScopes: { signedIn: true },
    description: "Staff or the spokesperson of the alert's organisation say they have seen it (and what they did).",
    args: { alertId: t.arg.id({ required: true }), note: t.arg.string({ required: false, defaultValue: '' }) },
    resolve: async (_r, a, ctx) => {
      const principal = principalOf(ctx);
      const alert = await alertOrThrow(ctx, String(a.alertId));
      const result = await ctx.runtime.reports.execute(
        {
          type: 'AcknowledgeAlert',
          organizationId: alert.organizationId,
          period: reportingPeriodOf(alert.windowStart),
          alertId: alert.alertId,
          note: a.note ?? '',
        },
        principal,
      );
      if (result.position) await ctx.runtime.consistency.waitFor(result.position);
      return { alert: await alertOrThrow(ctx, alert.alertId), position: result.position ?? '' };
    },
  }),
);

builder.mutationField('reportIncident', (t) =>
  t.field({
    type: IncidentPayload,
    errors: {},
    authScopes: { signedIn: true },
    description:
      'Staff or the spokesperson report an incident (optionally about an alert); it goes up to the parent organisation.',
    args: {
      organizationId: t.arg.id({ required: true }),
      policyId: t.arg.id({ required: false }),
      alertId: t.arg.id({ required: false }),
      summary: t.arg.string({ required: true }),
    },
    resolve: async (_r, a, ctx) => {
      const principal = principalOf(ctx);
      const organizationId = String(a.organizationId);
      const [org] = await organizationQueries.byIds(ctx.runtime.readDb, [organizationId]);
      if (!org)
        throw new NotFoundError('organization', organizationId, {
          vi: 'Không tìm thấy đơn vị.',
          en: 'Organisation not found.',
        });
      const policyId = a.policyId ? String(a.policyId) : null;
      if (policyId) {
        const [policy] = await policyQueries.byIds(ctx.runtime.readDb, [policyId]);
        if (!policy)
          throw new NotFoundError('policy', policyId, { vi: 'Không tìm thấy dự thảo.', en: 'Policy not found.' });
      }
      const alert = a.alertId ? await alertOrThrow(ctx, String(a.alertId)) : null;
      const incidentId = uuidv7();
      // An incident about an alert lives beside it, in the alert's period; otherwise in the period it is reported in.
      const period = reportingPeriodOf(alert ? alert.windowStart : ctx.runtime.clock.now().toISOString());
      const result = await ctx.runtime.reports.execute(
        {
          type: 'ReportIncident',
          organizationId,
          period,
          incidentId,
          policyId,
          alertId: alert?.alertId ?? null,
          summary: a.summary,
          submittedTo: org.parentId,
        },
        principal,
      );
      if (result.position) await ctx.runtime.consistency.waitFor(result.position);
      const incident = await alertQueries.incidentById(ctx.runtime.readDb, incidentId);
      if (!incident)
        throw new NotFoundError('incident', incidentId, {
          vi: 'Không tìm thấy báo cáo sự việc.',
          en: 'Incident not found.',
        });
      return { incident, position: result.position ?? '' };
    },
  }),
);
