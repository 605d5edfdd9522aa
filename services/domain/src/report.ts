import type { DomainEvent, EventOf } from '@gopy/schemas';
import { unreachable } from './shared';

/**
 * `report-<org>-<period>`: what an organisation reports upward for one semester — its semester report, incidents, and
 * the alerts the surge detector raised on its consultations in that period.
 */
export const reportEventTypes = [
  'SemesterReportCompiled',
  'SemesterReportSubmitted',
  'IncidentReported',
  'FeedbackSurgeDetected',
  'AlertAcknowledged',
] as const;
export type ReportEventType = (typeof reportEventTypes)[number];
export type ReportEvent = EventOf<ReportEventType>;

export function isReportEvent(event: DomainEvent): event is ReportEvent {
  return (reportEventTypes as readonly string[]).includes(event.type);
}

export interface ReportState {
  organizationId: string | null;
  period: string | null;
  /** The semester report: none yet, compiled (may be compiled again), or submitted (final). */
  semesterReport: { status: 'none' } | { status: 'compiled' | 'submitted'; reportId: string };
  /** alertId → acknowledged or not. */
  alerts: Record<string, { acknowledged: boolean }>;
  incidents: string[];
}

export const initialReportState: ReportState = {
  organizationId: null,
  period: null,
  semesterReport: { status: 'none' },
  alerts: {},
  incidents: [],
};

export function evolveReport(state: ReportState, event: ReportEvent): ReportState {
  switch (event.type) {
    case 'SemesterReportCompiled':
      return {
        ...state,
        organizationId: event.data.organizationId,
        period: event.data.period,
        semesterReport: { status: 'compiled', reportId: event.data.reportId },
      };
    case 'SemesterReportSubmitted':
      return { ...state, semesterReport: { status: 'submitted', reportId: event.data.reportId } };
    case 'IncidentReported':
      return { ...state, organizationId: event.data.organizationId, incidents: [...state.incidents, event.data.incidentId] };
    case 'FeedbackSurgeDetected':
      return { ...state, organizationId: event.data.organizationId, alerts: { ...state.alerts, [event.data.alertId]: { acknowledged: false } } };
    case 'AlertAcknowledged':
      return { ...state, alerts: { ...state.alerts, [event.data.alertId]: { acknowledged: true } } };
    default:
      return unreachable(event);
  }
}

/**
 * The reporting period of an instant, as the schools' calendar has it: semester I runs August–January (reports due
 * 15 December), semester II February–July (due 15 May). Dates are taken in Vietnam's time (UTC+7, no daylight saving).
 * `2026-2027-S1` is semester I of the school year 2026–2027.
 */
export function reportingPeriodOf(instant: string): string {
  const local = new Date(Date.parse(instant) + 7 * 3_600_000);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth() + 1;
  if (month >= 8) return `${year}-${year + 1}-S1`;
  if (month === 1) return `${year - 1}-${year}-S1`;
  return `${year - 1}-${year}-S2`;
}
