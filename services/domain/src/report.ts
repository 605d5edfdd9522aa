import type { DomainEvent, EventOf } from '@gopy/schemas';
import { unreachable } from './shared';
import { vietnamClock, vietnamMidnight } from './vietnamTime';

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
      return {
        ...state,
        organizationId: event.data.organizationId,
        incidents: [...state.incidents, event.data.incidentId],
      };
    case 'FeedbackSurgeDetected':
      return {
        ...state,
        organizationId: event.data.organizationId,
        alerts: { ...state.alerts, [event.data.alertId]: { acknowledged: false } },
      };
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
  const { year, month } = vietnamClock(instant);
  if (month >= 8) return `${year}-${year + 1}-S1`;
  if (month === 1) return `${year - 1}-${year}-S1`;
  return `${year - 1}-${year}-S2`;
}

/** When a period's report is due: day and month, e.g. `12-15` for 15 December (configurable per installation). */
export interface ReportDeadlines {
  semester1: string;
  semester2: string;
}
export const defaultReportDeadlines: ReportDeadlines = { semester1: '12-15', semester2: '05-15' };

/**
 * The instants a period spans, [start, end), and its deadline: the end of the due day in Vietnam. The deadline of
 * semester I falls in its first calendar year (December), of semester II in its second (May).
 */
export function periodRange(
  period: string,
  deadlines: ReportDeadlines = defaultReportDeadlines,
): { start: string; end: string; deadline: string } {
  const m = /^(\d{4})-(\d{4})-S([12])$/.exec(period);
  if (!m) throw new RangeError(`not a reporting period: ${period}`);
  const first = Number(m[1]);
  const semester = m[3] === '1' ? 1 : 2;
  const [dueMonth, dueDay] = (semester === 1 ? deadlines.semester1 : deadlines.semester2).split('-').map(Number) as [
    number,
    number,
  ];
  // The due day's year: the school year's first calendar year for months August–December, its second otherwise.
  const dueYear = dueMonth >= 8 ? first : first + 1;
  return semester === 1
    ? {
        start: vietnamMidnight(first, 8, 1),
        end: vietnamMidnight(first + 1, 2, 1),
        deadline: vietnamMidnight(dueYear, dueMonth, dueDay + 1),
      }
    : {
        start: vietnamMidnight(first + 1, 2, 1),
        end: vietnamMidnight(first + 1, 8, 1),
        deadline: vietnamMidnight(dueYear, dueMonth, dueDay + 1),
      };
}
