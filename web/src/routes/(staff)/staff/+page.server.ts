import type { Actions, PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { fetchAllPolicies, type Role } from '$lib/server/api';
import { done, invalid, refused, text } from '$lib/server/forms';
import { acknowledgeAlert, currentPeriod, fetchDashboard, reportIncident } from '$lib/server/gql/reports';
import { requireRole, STAFF_AREA_ROLES } from '$lib/server/session';

/** Who sees an organisation's dashboard: its drafters, leaders and admins, and its spokesperson (alerts, reports). */
const DASHBOARD_ROLES: readonly Role[] = [...STAFF_AREA_ROLES, 'SPOKESPERSON'];

export const load: PageServerLoad = async (event) => {
  const viewer = await requireRole(event, DASHBOARD_ROLES);
  const organizations = viewer.memberships
    .filter((mb) => mb.roles.some((r) => DASHBOARD_ROLES.includes(r)))
    .map((mb) => ({ ...mb.organization, roles: mb.roles }));
  const ids = new Set(organizations.map((o) => o.id));
  const [policies, period] = await Promise.all([fetchAllPolicies(event), currentPeriod(event)]);
  const mine = policies.filter((p) => ids.has(p.owningOrganization.id));
  const dashboards = await Promise.all(organizations.map((o) => fetchDashboard(event, o.id, period)));
  return {
    period,
    organizations: organizations.map((o, i) => ({
      ...o,
      policies: mine.filter((p) => p.owningOrganization.id === o.id),
      alerts: dashboards[i]!.alerts,
      report: dashboards[i]!.semesterReport,
      waiting: dashboards[i]!.staffDashboard,
      incidents: dashboards[i]!.incidents,
    })),
    canPropose: viewer.staffOrganizations.length > 0,
    now: new Date().toISOString(),
  };
};

export const actions: Actions = {
  acknowledge: async (event) => {
    await requireRole(event, DASHBOARD_ROLES);
    const form = await event.request.formData();
    const alertId = text(form, 'alertId');
    const formId = `alert-${alertId}`;
    const result = await acknowledgeAlert(event, alertId, text(form, 'note'));
    if (!result.ok) return refused(result.error, ['note'], { formId });
    return done(m.rep_alert_acknowledged(), { formId });
  },
  incident: async (event) => {
    await requireRole(event, DASHBOARD_ROLES);
    const form = await event.request.formData();
    const alertId = text(form, 'alertId') || null;
    const formId = `incident-${alertId ?? text(form, 'organizationId')}`;
    const summary = text(form, 'summary');
    if (!summary) return invalid({ formId, values: { summary }, fieldErrors: { summary: m.error_required() } });
    const result = await reportIncident(event, {
      organizationId: text(form, 'organizationId'),
      alertId,
      policyId: text(form, 'policyId') || null,
      summary,
    });
    if (!result.ok) return refused(result.error, ['summary'], { formId, values: { summary } });
    return done(m.rep_incident_reported(), { formId });
  },
};
