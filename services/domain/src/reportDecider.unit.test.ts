import { describe, expect, it } from 'vitest';
import { ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from './errors';
import { periodRange, reportingPeriodOf, type ReportEvent } from './report';
import {
  reportDecider,
  type AcknowledgeAlert,
  type CompileSemesterReport,
  type RecordFeedbackSurge,
  type ReportIncident,
  type SubmitSemesterReport,
} from './reportDecider';
import { accounts, actors, ids, T } from './testkit/builders';
import { specFor } from './testkit/spec';

const given = specFor(reportDecider);

const district = '5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';
const alertId = '0e1d2c3b-4a59-5867-9756-a4b3c2d1e0f9';
const incidentId = '1f2e3d4c-5b6a-4978-8695-b4c3d2e1f0a9';
const reportId = '2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d';
const period = '2024-2025-S2';
const base = { organizationId: ids.organization, period, now: T.during };

const recordSurge = (over: Partial<RecordFeedbackSurge> = {}): RecordFeedbackSurge => ({
  type: 'RecordFeedbackSurge',
  ...base,
  actor: actors.staff,
  alertId,
  policyId: ids.policy,
  round: 1,
  windowStart: '2025-03-10T03:00:00.000Z',
  windowEnd: '2025-03-10T03:40:00.000Z',
  signal: 'comments_per_hour',
  observed: 120,
  baseline: 4.5,
  evidenceCommentIds: [ids.comment],
  ...over,
});
const acknowledge = (over: Partial<AcknowledgeAlert> = {}): AcknowledgeAlert => ({
  type: 'AcknowledgeAlert',
  ...base,
  actor: actors.spokesperson,
  alertId,
  note: 'Đã liên hệ ban đại diện cha mẹ học sinh.',
  ...over,
});
const reportIncident = (over: Partial<ReportIncident> = {}): ReportIncident => ({
  type: 'ReportIncident',
  ...base,
  actor: actors.staff,
  incidentId,
  policyId: ids.policy,
  alertId,
  summary: 'Nhiều phụ huynh phản đối việc thu tiền học thêm; đã trả lời trên trang của trường.',
  submittedTo: district,
  ...over,
});
const compile = (over: Partial<CompileSemesterReport> = {}): CompileSemesterReport => ({
  type: 'CompileSemesterReport',
  ...base,
  actor: actors.staff,
  reportId,
  figures: { consultations: 2, comments: 41 },
  remarks: 'Học kỳ II: hai đợt lấy ý kiến.',
  countedAtPosition: '1234',
  ...over,
});
const submit = (over: Partial<SubmitSemesterReport> = {}): SubmitSemesterReport => ({
  type: 'SubmitSemesterReport',
  ...base,
  actor: actors.staff,
  submittedTo: district,
  ...over,
});

const surgeDetected: ReportEvent = {
  type: 'FeedbackSurgeDetected',
  data: {
    alertId,
    organizationId: ids.organization,
    policyId: ids.policy,
    round: 1,
    windowStart: '2025-03-10T03:00:00.000Z',
    windowEnd: '2025-03-10T03:40:00.000Z',
    signal: 'comments_per_hour',
    observed: 120,
    baseline: 4.5,
    evidenceCommentIds: [ids.comment],
  },
};
const acknowledged: ReportEvent = {
  type: 'AlertAcknowledged',
  data: {
    alertId,
    organizationId: ids.organization,
    acknowledgedBy: accounts.spokesperson,
    note: 'Đã liên hệ ban đại diện cha mẹ học sinh.',
  },
};
const compiled: ReportEvent = {
  type: 'SemesterReportCompiled',
  data: {
    reportId,
    organizationId: ids.organization,
    period,
    compiledBy: accounts.staff,
    figures: { consultations: 2, comments: 41 },
    remarks: 'Học kỳ II: hai đợt lấy ý kiến.',
    countedAtPosition: '1234',
  },
};
const submitted: ReportEvent = {
  type: 'SemesterReportSubmitted',
  data: { reportId, organizationId: ids.organization, period, submittedBy: accounts.staff, submittedTo: district },
};

describe('surge alerts', () => {
  it('the detector, acting as staff, records a surge', () => {
    given([]).when(recordSurge()).then([surgeDetected]);
  });
  it('the same alert seen again records nothing (the detector runs every minute)', () => {
    given([surgeDetected])
      .when(recordSurge({ observed: 140 }))
      .then([]);
  });
  it('refuses anyone but the detector acting as staff', () => {
    given([])
      .when(recordSurge({ actor: actors.participant }))
      .then(ForbiddenError, 'STAFF_ONLY');
    given([])
      .when(recordSurge({ actor: actors.spokesperson }))
      .then(ForbiddenError, 'STAFF_ONLY');
  });
  it('refuses a window that ends before it starts and an unknown signal', () => {
    given([])
      .when(recordSurge({ windowEnd: '2025-03-10T02:00:00.000Z' }))
      .then(ValidationError, 'windowEnd');
    given([])
      .when(recordSurge({ signal: 'likes' as never }))
      .then(ValidationError, 'signal');
  });
  it('refuses a malformed period', () => {
    given([])
      .when(recordSurge({ period: '2025-S2' }))
      .then(ValidationError, 'period');
    given([])
      .when(recordSurge({ period: '2025-2027-S1' }))
      .then(ValidationError, 'period');
  });
  it('staff or the spokesperson acknowledge an alert, once', () => {
    given([surgeDetected]).when(acknowledge()).then([acknowledged]);
    given([surgeDetected, acknowledged]).when(acknowledge()).then(IllegalStateError, 'ALERT_ALREADY_ACKNOWLEDGED');
  });
  it('refuses to acknowledge for a participant, a policymaker or an auditor', () => {
    given([surgeDetected])
      .when(acknowledge({ actor: actors.participant }))
      .then(ForbiddenError, 'STAFF_OR_SPOKESPERSON_ONLY');
    given([surgeDetected])
      .when(acknowledge({ actor: actors.policymaker }))
      .then(ForbiddenError, 'STAFF_OR_SPOKESPERSON_ONLY');
    given([surgeDetected])
      .when(acknowledge({ actor: actors.auditor }))
      .then(ForbiddenError, 'STAFF_OR_SPOKESPERSON_ONLY');
  });
  it('refuses to acknowledge an alert that was never raised', () => {
    given([]).when(acknowledge()).then(NotFoundError, 'alert');
  });
  it('refuses a stream of another organisation', () => {
    given([surgeDetected])
      .when(acknowledge({ organizationId: district }))
      .then(ValidationError, 'organizationId');
  });
});

describe('incidents', () => {
  it('staff report an incident about an alert, addressed to the district', () => {
    given([surgeDetected])
      .when(reportIncident())
      .then([
        {
          type: 'IncidentReported',
          data: {
            incidentId,
            organizationId: ids.organization,
            policyId: ids.policy,
            alertId,
            summary: 'Nhiều phụ huynh phản đối việc thu tiền học thêm; đã trả lời trên trang của trường.',
            reportedBy: accounts.staff,
            submittedTo: district,
          },
        },
      ]);
  });
  it('refuses the same incident twice, an unknown alert, an empty summary and a participant', () => {
    const reported = reportDecider.decide(
      reportIncident(),
      [surgeDetected].reduce(reportDecider.evolve, reportDecider.initialState),
    );
    given([surgeDetected, ...reported])
      .when(reportIncident())
      .then(IllegalStateError, 'INCIDENT_ALREADY_REPORTED');
    given([]).when(reportIncident()).then(NotFoundError, 'alert');
    given([surgeDetected])
      .when(reportIncident({ summary: '  ' }))
      .then(ValidationError, 'summary');
    given([surgeDetected])
      .when(reportIncident({ actor: actors.participant }))
      .then(ForbiddenError, 'STAFF_OR_SPOKESPERSON_ONLY');
  });
});

describe('semester reports', () => {
  it('staff compile, may compile again, then submit to the district', () => {
    given([]).when(compile()).then([compiled]);
    given([compiled]).when(compile()).then([compiled]);
    given([compiled]).when(submit()).then([submitted]);
  });
  it('refuses to submit before compiling, to submit twice, and to compile after submitting', () => {
    given([]).when(submit()).then(IllegalStateError, 'REPORT_NOT_COMPILED');
    given([compiled, submitted]).when(submit()).then(IllegalStateError, 'REPORT_ALREADY_SUBMITTED');
    given([compiled, submitted]).when(compile()).then(IllegalStateError, 'REPORT_ALREADY_SUBMITTED');
  });
  it('refuses a participant and a moderator', () => {
    given([])
      .when(compile({ actor: actors.participant }))
      .then(ForbiddenError, 'STAFF_OR_SPOKESPERSON_ONLY');
    given([compiled])
      .when(submit({ actor: actors.moderator }))
      .then(ForbiddenError, 'STAFF_OR_SPOKESPERSON_ONLY');
  });
  it('refuses figures that are not an object', () => {
    given([])
      .when(compile({ figures: [] as never }))
      .then(ValidationError, 'figures');
  });
});

describe('reporting periods (Vietnam time)', () => {
  it.each([
    ['2026-08-01T00:00:00Z', '2026-2027-S1'],
    ['2026-12-15T10:00:00Z', '2026-2027-S1'],
    ['2027-01-31T16:59:59Z', '2026-2027-S1'],
    // 17:00 UTC on 31 January is already 1 February in Hanoi.
    ['2027-01-31T17:00:00Z', '2026-2027-S2'],
    ['2027-05-15T00:00:00Z', '2026-2027-S2'],
    ['2027-07-31T16:59:59Z', '2026-2027-S2'],
    ['2027-07-31T17:00:00Z', '2027-2028-S1'],
  ])('%s falls in %s', (instant, expected) => {
    expect(reportingPeriodOf(instant)).toBe(expected);
  });
});

describe('period ranges and deadlines', () => {
  it('semester I runs August to January and is due at the end of 15 December, Vietnam time', () => {
    expect(periodRange('2026-2027-S1')).toEqual({
      start: '2026-07-31T17:00:00.000Z',
      end: '2027-01-31T17:00:00.000Z',
      deadline: '2026-12-15T17:00:00.000Z',
    });
  });
  it('semester II runs February to July and is due at the end of 15 May', () => {
    expect(periodRange('2026-2027-S2')).toEqual({
      start: '2027-01-31T17:00:00.000Z',
      end: '2027-07-31T17:00:00.000Z',
      deadline: '2027-05-15T17:00:00.000Z',
    });
  });
  it('takes other deadlines from the installation', () => {
    expect(periodRange('2026-2027-S1', { semester1: '01-10', semester2: '06-30' }).deadline).toBe(
      '2027-01-10T17:00:00.000Z',
    );
    expect(periodRange('2026-2027-S2', { semester1: '01-10', semester2: '06-30' }).deadline).toBe(
      '2027-06-30T17:00:00.000Z',
    );
  });
  it('every instant of a period maps back to it', () => {
    const { start, end } = periodRange('2026-2027-S2');
    expect(reportingPeriodOf(start)).toBe('2026-2027-S2');
    expect(reportingPeriodOf(new Date(Date.parse(end) - 1).toISOString())).toBe('2026-2027-S2');
    expect(reportingPeriodOf(end)).toBe('2027-2028-S1');
  });
});
