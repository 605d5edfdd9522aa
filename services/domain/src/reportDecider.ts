import type { Role } from '@gopy/schemas';
import { NotFoundError } from './errors';
import { evolveReport, initialReportState, type ReportEvent, type ReportState } from './report';
import { illegalState } from './rules';
import {
  invalid,
  invalidField,
  optionalUuid,
  requireAnyRole,
  requireContext,
  requireInstant,
  requireOneOf,
  requirePositiveInt,
  requireText,
  requireUuid,
  unreachable,
  type CommandBase,
  type Decider,
} from './shared';

interface ReportCommandBase extends CommandBase {
  organizationId: string;
  period: string;
}

/** The surge detector records what it saw; the event id is deterministic per round, signal and hour. */
export interface RecordFeedbackSurge extends ReportCommandBase {
  type: 'RecordFeedbackSurge';
  alertId: string;
  policyId: string;
  round: number;
  windowStart: string;
  windowEnd: string;
  signal: 'comments_per_hour' | 'oppose_share' | 'flags_per_hour';
  observed: number;
  baseline: number;
  evidenceCommentIds: string[];
}
export interface AcknowledgeAlert extends ReportCommandBase {
  type: 'AcknowledgeAlert';
  alertId: string;
  note: string;
}
export interface ReportIncident extends ReportCommandBase {
  type: 'ReportIncident';
  incidentId: string;
  policyId: string | null;
  alertId: string | null;
  summary: string;
  /** The organisation it goes up to (the district for a school), or null at the top. */
  submittedTo: string | null;
}
export interface CompileSemesterReport extends ReportCommandBase {
  type: 'CompileSemesterReport';
  reportId: string;
  figures: Record<string, unknown>;
  remarks: string;
  countedAtPosition: string | null;
}
export interface SubmitSemesterReport extends ReportCommandBase {
  type: 'SubmitSemesterReport';
  submittedTo: string | null;
}

export type ReportCommand =
  RecordFeedbackSurge | AcknowledgeAlert | ReportIncident | CompileSemesterReport | SubmitSemesterReport;

/** Who answers for an organisation's communication: its staff, its spokesperson, and an admin standing in. */
const COMMUNICATION_ROLES: readonly Role[] = ['staff', 'spokesperson', 'admin'];
const SIGNALS = ['comments_per_hour', 'oppose_share', 'flags_per_hour'] as const;

export function decideReport(command: ReportCommand, state: ReportState): ReportEvent[] {
  requireContext(command);
  const organizationId = requireUuid('organizationId', command.organizationId);
  requirePeriod(command.period);
  if (state.organizationId !== null && state.organizationId !== organizationId) {
    throw invalid(
      'organizationId',
      'Báo cáo thuộc một tổ chức khác.',
      'The report stream belongs to another organisation.',
    );
  }
  switch (command.type) {
    case 'RecordFeedbackSurge':
      return recordSurge(command, state, organizationId);
    case 'AcknowledgeAlert':
      return acknowledge(command, state, organizationId);
    case 'ReportIncident':
      return reportIncident(command, state, organizationId);
    case 'CompileSemesterReport':
      return compile(command, state, organizationId);
    case 'SubmitSemesterReport':
      return submit(command, state, organizationId);
    default:
      return unreachable(command);
  }
}

function requirePeriod(period: unknown): string {
  const m = typeof period === 'string' ? /^(\d{4})-(\d{4})-S[12]$/.exec(period) : null;
  if (!m || Number(m[2]) !== Number(m[1]) + 1) {
    throw invalid('period', 'Kỳ báo cáo phải có dạng 2026-2027-S1.', 'The period must look like 2026-2027-S1.');
  }
  return period as string;
}

function recordSurge(command: RecordFeedbackSurge, state: ReportState, organizationId: string): ReportEvent[] {
  // The detector acts as the organisation's staff, like the deadline scheduler; nobody else records alerts.
  requireAnyRole(command.actor, ['staff'], 'STAFF_ONLY');
  const alertId = requireUuid('alertId', command.alertId);
  // Seen before (a second detector pass over the same hour): nothing new to say.
  if (state.alerts[alertId]) return [];
  const windowStart = requireInstant('windowStart', command.windowStart);
  const windowEnd = requireInstant('windowEnd', command.windowEnd);
  if (Date.parse(windowEnd) <= Date.parse(windowStart)) {
    throw invalid(
      'windowEnd',
      'Cửa sổ thời gian phải kết thúc sau khi bắt đầu.',
      'The window must end after it starts.',
    );
  }
  const observed = requireFinite('observed', command.observed);
  const baseline = requireFinite('baseline', command.baseline);
  if (!Array.isArray(command.evidenceCommentIds)) {
    throw invalid(
      'evidenceCommentIds',
      'Bằng chứng phải là danh sách góp ý.',
      'The evidence must be a list of comments.',
    );
  }
  return [
    {
      type: 'FeedbackSurgeDetected',
      data: {
        alertId,
        organizationId,
        policyId: requireUuid('policyId', command.policyId),
        round: requirePositiveInt('round', command.round),
        windowStart,
        windowEnd,
        signal: requireOneOf('signal', command.signal, SIGNALS),
        observed,
        baseline,
        evidenceCommentIds: command.evidenceCommentIds.map((id, i) => requireUuid(`evidenceCommentIds[${i}]`, id)),
      },
    },
  ];
}

function acknowledge(command: AcknowledgeAlert, state: ReportState, organizationId: string): ReportEvent[] {
  requireAnyRole(command.actor, COMMUNICATION_ROLES, 'STAFF_OR_SPOKESPERSON_ONLY');
  const alertId = requireUuid('alertId', command.alertId);
  const alert = state.alerts[alertId];
  if (!alert) {
    throw new NotFoundError('alert', alertId, {
      vi: `Không tìm thấy cảnh báo ${alertId}.`,
      en: `Alert ${alertId} not found.`,
    });
  }
  if (alert.acknowledged) throw illegalState('ALERT_ALREADY_ACKNOWLEDGED');
  const note = requireText('note', command.note ?? '', { min: 0, max: 5_000 });
  return [
    { type: 'AlertAcknowledged', data: { alertId, organizationId, acknowledgedBy: command.actor.accountId, note } },
  ];
}

function reportIncident(command: ReportIncident, state: ReportState, organizationId: string): ReportEvent[] {
  requireAnyRole(command.actor, COMMUNICATION_ROLES, 'STAFF_OR_SPOKESPERSON_ONLY');
  const incidentId = requireUuid('incidentId', command.incidentId);
  if (state.incidents.includes(incidentId)) throw illegalState('INCIDENT_ALREADY_REPORTED');
  const alertId = optionalUuid('alertId', command.alertId);
  if (alertId !== null && !state.alerts[alertId]) {
    throw new NotFoundError('alert', alertId, {
      vi: `Không tìm thấy cảnh báo ${alertId}.`,
      en: `Alert ${alertId} not found.`,
    });
  }
  return [
    {
      type: 'IncidentReported',
      data: {
        incidentId,
        organizationId,
        policyId: optionalUuid('policyId', command.policyId),
        alertId,
        summary: requireText('summary', command.summary, { min: 1, max: 20_000 }),
        reportedBy: command.actor.accountId,
        submittedTo: optionalUuid('submittedTo', command.submittedTo),
      },
    },
  ];
}

function compile(command: CompileSemesterReport, state: ReportState, organizationId: string): ReportEvent[] {
  requireAnyRole(command.actor, COMMUNICATION_ROLES, 'STAFF_OR_SPOKESPERSON_ONLY');
  if (state.semesterReport.status === 'submitted') throw illegalState('REPORT_ALREADY_SUBMITTED');
  if (typeof command.figures !== 'object' || command.figures === null || Array.isArray(command.figures)) {
    throw invalid('figures', 'Số liệu báo cáo không hợp lệ.', 'The figures must be an object.');
  }
  return [
    {
      type: 'SemesterReportCompiled',
      data: {
        reportId: requireUuid('reportId', command.reportId),
        organizationId,
        period: command.period,
        compiledBy: command.actor.accountId,
        figures: command.figures,
        remarks: requireText('remarks', command.remarks ?? '', { min: 0, max: 20_000 }),
        countedAtPosition: command.countedAtPosition,
      },
    },
  ];
}

function submit(command: SubmitSemesterReport, state: ReportState, organizationId: string): ReportEvent[] {
  requireAnyRole(command.actor, COMMUNICATION_ROLES, 'STAFF_OR_SPOKESPERSON_ONLY');
  const report = state.semesterReport;
  if (report.status === 'none') throw illegalState('REPORT_NOT_COMPILED');
  if (report.status === 'submitted') throw illegalState('REPORT_ALREADY_SUBMITTED');
  return [
    {
      type: 'SemesterReportSubmitted',
      data: {
        reportId: report.reportId,
        organizationId,
        period: command.period,
        submittedBy: command.actor.accountId,
        submittedTo: optionalUuid('submittedTo', command.submittedTo),
      },
    },
  ];
}

function requireFinite(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidField(field, { vi: (f) => `${f} phải là một số.`, en: (f) => `${f} must be a number.` });
  }
  return value;
}

export const reportDecider: Decider<ReportCommand, ReportState, ReportEvent> = {
  decide: decideReport,
  evolve: evolveReport,
  initialState: initialReportState,
};
