/**
 * Early warning and semester reports over GraphQL: a surge raised by the detector on live comments, who may read and
 * acknowledge it, incident reports sent up to the parent organisation, and who may compile and submit a semester report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../support/platform';
import {
  ERROR_FIELDS,
  client,
  eventually,
  expectRefusal,
  ok,
  openPolicy,
  signInAs,
  staffOrganizationId,
  stopPlatform,
  submitComment,
  verifiedParticipant,
  type Client,
  type ResultUnion,
} from './support';

const ALERTS = `query Alerts($org: ID!) { alerts(organizationId: $org) { id signal observed baseline round acknowledged evidenceCommentIds policy { id } } }`;
const ACKNOWLEDGE = `mutation Ack($id: ID!, $note: String) { acknowledgeAlert(alertId: $id, note: $note) {
  ... on MutationAcknowledgeAlertSuccess { data { alert { id acknowledged acknowledgementNote } } } ${ERROR_FIELDS} } }`;
const REPORT_INCIDENT = `mutation Incident($org: ID!, $alert: ID, $policy: ID, $summary: String!) {
  reportIncident(organizationId: $org, alertId: $alert, policyId: $policy, summary: $summary) {
    ... on MutationReportIncidentSuccess { data { incident { id summary alertId submittedTo { id } } } } ${ERROR_FIELDS} } }`;
const INCIDENTS = `query Incidents($org: ID!) { incidents(organizationId: $org) { id summary } }`;
const COMPILE = `mutation Compile($org: ID!, $period: String!, $remarks: String) { compileSemesterReport(organizationId: $org, period: $period, remarks: $remarks) {
  ... on MutationCompileSemesterReportSuccess { data { report { id status remarks figures { consultations comments responseCoverage commentsByChannel { key count } } } } } ${ERROR_FIELDS} } }`;
const SUBMIT = `mutation Submit($org: ID!, $period: String!) { submitSemesterReport(organizationId: $org, period: $period) {
  ... on MutationSubmitSemesterReportSuccess { data { report { status submittedTo { id } submittedAt } } } ${ERROR_FIELDS} } }`;
const ORGS = `query { organizations { id kind parent { id } } }`;

/** Whoever does not answer for the organisation's communication, auditors included, meets the same rule. */
const refusedRule = (_role: string) => 'STAFF_OR_SPOKESPERSON_ONLY';

let platform: Platform;
let staff: Client;
let district: string;
let province: string;
let period: string;
const as: Record<string, Client> = {};

beforeAll(async () => {
  // Floors low enough that a handful of live comments in the current hour, with no history, is a surge.
  platform = await startPlatform({
    env: { GOPY_SURGE_INTERVAL_MS: '300', GOPY_SURGE_MIN_BASELINE_HOURS: '0', GOPY_SURGE_MIN_COMMENTS: '3' },
  });
  staff = await signInAs(platform, 'staff');
  for (const role of ['spokesperson', 'policymaker', 'moderator', 'auditor']) as[role] = await signInAs(platform, role);
  as.participant = (await verifiedParticipant(platform)).api;
  district = await staffOrganizationId(staff);
  const { organizations } = await staff.gql<{
    organizations: { id: string; kind: string; parent: { id: string } | null }[];
  }>(ORGS);
  province = organizations.find((o) => o.id === district)!.parent!.id;
  ({ currentReportingPeriod: period } = await staff.gql<{ currentReportingPeriod: string }>(
    `{ currentReportingPeriod }`,
  ));
}, 180_000);

afterAll(async () => {
  await stopPlatform(platform);
});

describe('surge alerts', () => {
  let alertId: string;

  it('live comments in a burst raise an alert on the owning organisation, with the comments as evidence', async () => {
    // A round opened by this test, so every comment of its current hour is one of ours.
    const open = await openPolicy(staff, district);
    const submitted: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = ok<{ comment: { id: string } }>(
        await submitComment(as.participant!, {
          policyId: open.id,
          body: `Ý kiến phản đối số ${i + 1}.`,
          stance: 'OPPOSE',
        }),
      );
      submitted.push(r.comment.id);
    }
    type Alert = {
      id: string;
      signal: string;
      observed: number;
      policy: { id: string };
      evidenceCommentIds: string[];
      acknowledged: boolean;
    };
    const alert = await eventually(
      async () =>
        (await staff.gql<{ alerts: Alert[] }>(ALERTS, { org: district })).alerts.find(
          (a) => a.signal === 'COMMENTS_PER_HOUR' && a.policy.id === open.id,
        ),
      20_000,
      'a comments_per_hour alert',
    );
    expect(alert.observed).toBeGreaterThanOrEqual(3);
    expect(alert.acknowledged).toBe(false);
    for (const id of submitted) expect(alert.evidenceCommentIds).toContain(id);
    alertId = alert.id;
  });

  it('is read by those who answer for the organisation and by auditors, not by participants', async () => {
    expect((await as.auditor!.gql<{ alerts: unknown[] }>(ALERTS, { org: district })).alerts.length).toBeGreaterThan(0);
    expect((await as.policymaker!.gql<{ alerts: unknown[] }>(ALERTS, { org: district })).alerts.length).toBeGreaterThan(
      0,
    );
    const refused = await as.participant!.raw(ALERTS, { org: district });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = await client(platform.baseUrl).raw(ALERTS, { org: district });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('only staff or the spokesperson acknowledge it, once', async () => {
    for (const role of ['participant', 'policymaker', 'moderator', 'auditor']) {
      const { acknowledgeAlert } = await as[role]!.gql<{ acknowledgeAlert: ResultUnion }>(ACKNOWLEDGE, {
        id: alertId,
        note: '',
      });
      expectRefusal(acknowledgeAlert, { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: refusedRule(role) });
    }
    const anonymous = await client(platform.baseUrl).gql<{ acknowledgeAlert: ResultUnion }>(ACKNOWLEDGE, {
      id: alertId,
    });
    expectRefusal(anonymous.acknowledgeAlert, { typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED' });
    const unknown = await staff.gql<{ acknowledgeAlert: ResultUnion }>(ACKNOWLEDGE, {
      id: '00000000-0000-4000-8000-000000000000',
    });
    expectRefusal(unknown.acknowledgeAlert, { typename: 'NotFoundError', code: 'NOT_FOUND' });

    const { acknowledgeAlert } = await as.spokesperson!.gql<{ acknowledgeAlert: ResultUnion }>(ACKNOWLEDGE, {
      id: alertId,
      note: 'Đã trả lời trên trang của phòng.',
    });
    expect(ok<{ alert: { acknowledged: boolean; acknowledgementNote: string } }>(acknowledgeAlert).alert).toMatchObject(
      { acknowledged: true, acknowledgementNote: 'Đã trả lời trên trang của phòng.' },
    );
    const again = await staff.gql<{ acknowledgeAlert: ResultUnion }>(ACKNOWLEDGE, { id: alertId, note: '' });
    expectRefusal(again.acknowledgeAlert, {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'ALERT_ALREADY_ACKNOWLEDGED',
    });
  });

  it('staff report an incident about it, which goes up to the province', async () => {
    const summary = 'Phụ huynh phản đối mức thu; phòng đã họp và giải thích.';
    for (const role of ['participant', 'moderator', 'auditor']) {
      const { reportIncident } = await as[role]!.gql<{ reportIncident: ResultUnion }>(REPORT_INCIDENT, {
        org: district,
        alert: alertId,
        summary,
      });
      expectRefusal(reportIncident, { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: refusedRule(role) });
    }
    const empty = await staff.gql<{ reportIncident: ResultUnion }>(REPORT_INCIDENT, {
      org: district,
      alert: alertId,
      summary: '   ',
    });
    expectRefusal(empty.reportIncident, { typename: 'ValidationError', code: 'VALIDATION', field: 'summary' });
    const { reportIncident } = await staff.gql<{ reportIncident: ResultUnion }>(REPORT_INCIDENT, {
      org: district,
      alert: alertId,
      summary,
    });
    const incident = ok<{ incident: { id: string; alertId: string; submittedTo: { id: string } } }>(
      reportIncident,
    ).incident;
    expect(incident).toMatchObject({ alertId, submittedTo: { id: province } });
    expect(
      (await staff.gql<{ incidents: { id: string }[] }>(INCIDENTS, { org: district })).incidents.map((i) => i.id),
    ).toContain(incident.id);
    // The district's staff do not read the province's incidents; an auditor reads everyone's, and sees it arrived there.
    expect((await staff.raw(INCIDENTS, { org: province })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(
      (await as.auditor!.gql<{ incidents: { id: string }[] }>(INCIDENTS, { org: province })).incidents.map((i) => i.id),
    ).toContain(incident.id);
  });
});

describe('semester reports', () => {
  it('refuses those who do not answer for the organisation, and a malformed period', async () => {
    for (const role of ['participant', 'policymaker', 'moderator', 'auditor']) {
      const { compileSemesterReport } = await as[role]!.gql<{ compileSemesterReport: ResultUnion }>(COMPILE, {
        org: district,
        period,
      });
      expectRefusal(compileSemesterReport, { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: refusedRule(role) });
    }
    const bad = await staff.gql<{ compileSemesterReport: ResultUnion }>(COMPILE, { org: district, period: '2026-S1' });
    expectRefusal(bad.compileSemesterReport, { typename: 'ValidationError', code: 'VALIDATION', field: 'period' });
    const early = await staff.gql<{ submitSemesterReport: ResultUnion }>(SUBMIT, { org: district, period });
    expectRefusal(early.submitSemesterReport, {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'REPORT_NOT_COMPILED',
    });
  });

  it('staff compile from the read models and submit to the province, once', async () => {
    const { compileSemesterReport } = await staff.gql<{ compileSemesterReport: ResultUnion }>(COMPILE, {
      org: district,
      period,
      remarks: 'Học kỳ này có ba dự thảo lấy ý kiến.',
    });
    const report = ok<{ report: { status: string; figures: { comments: number; consultations: number } } }>(
      compileSemesterReport,
    ).report;
    expect(report.status).toBe('COMPILED');
    expect(report.figures.comments).toBeGreaterThanOrEqual(6);
    expect(report.figures.consultations).toBeGreaterThanOrEqual(1);
    const { submitSemesterReport } = await as.spokesperson!.gql<{ submitSemesterReport: ResultUnion }>(SUBMIT, {
      org: district,
      period,
    });
    expect(ok<{ report: { status: string; submittedTo: { id: string } } }>(submitSemesterReport).report).toMatchObject({
      status: 'SUBMITTED',
      submittedTo: { id: province },
    });
    const again = await staff.gql<{ submitSemesterReport: ResultUnion }>(SUBMIT, { org: district, period });
    expectRefusal(again.submitSemesterReport, {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'REPORT_ALREADY_SUBMITTED',
    });

    const { reportingOverview } = await as.auditor!.gql<{
      reportingOverview: { members: { organization: { id: string }; status: string }[] };
    }>(
      `query O($org: ID!, $period: String!) { reportingOverview(organizationId: $org, period: $period) { members { organization { id } status } } }`,
      { org: province, period },
    );
    expect(reportingOverview.members.find((m) => m.organization.id === district)?.status).toBe('SUBMITTED');
  });

  it('downloads the report as DOCX and PDF for those who read it, not for participants or anonymously', async () => {
    const url = (ext: string) => `${platform.baseUrl}/export/organizations/${district}/reports/${period}.${ext}`;
    const get = (ext: string, token?: string) =>
      fetch(url(ext), { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const docx = await get('docx', staff.token);
    expect(docx.status).toBe(200);
    expect(docx.headers.get('content-type')).toContain('wordprocessingml');
    expect(
      Buffer.from(await docx.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    const pdf = await get('pdf', as.auditor!.token);
    expect(pdf.status).toBe(200);
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    expect((await get('pdf', as.participant!.token)).status).toBe(403);
    expect((await get('pdf')).status).toBe(401);
    expect(
      (
        await fetch(`${platform.baseUrl}/export/organizations/${district}/reports/2026-S1.pdf`, {
          headers: { authorization: `Bearer ${staff.token}` },
        })
      ).status,
    ).toBe(404);
  });
});

describe('communication channels', () => {
  const ADD = `mutation Add($org: ID!, $kind: CommunicationChannelKind!, $name: String!, $address: String) {
    addCommunicationChannel(organizationId: $org, kind: $kind, name: $name, address: $address) {
      ... on MutationAddCommunicationChannelSuccess { data { channel { id kind name address active commentChannel } } } ${ERROR_FIELDS} } }`;
  const RETIRE = `mutation Retire($org: ID!, $id: ID!) { retireCommunicationChannel(organizationId: $org, channelId: $id, reason: "Không dùng nữa") {
    ... on MutationRetireCommunicationChannelSuccess { data { channel { active } } } ${ERROR_FIELDS} } }`;
  const LIST = `query C { organizations { id channels { id name kind } all: channels(includeRetired: true) { id active } } }`;
  const vars = {
    org: '',
    kind: 'FACEBOOK_PAGE',
    name: 'Trang Facebook của Phòng',
    address: 'https://facebook.com/pgd.hoabinh',
  };

  it('staff add and retire the organisation’s channels; nobody else may', async () => {
    vars.org = district;
    for (const role of ['participant', 'spokesperson', 'policymaker', 'moderator', 'auditor']) {
      const { addCommunicationChannel } = await as[role]!.gql<{ addCommunicationChannel: ResultUnion }>(ADD, vars);
      expectRefusal(addCommunicationChannel, { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'STAFF_ONLY' });
    }
    expectRefusal(
      (await client(platform.baseUrl).gql<{ addCommunicationChannel: ResultUnion }>(ADD, vars)).addCommunicationChannel,
      {
        typename: 'UnauthenticatedError',
        code: 'UNAUTHENTICATED',
      },
    );
    const blank = await staff.gql<{ addCommunicationChannel: ResultUnion }>(ADD, { ...vars, name: '  ' });
    expectRefusal(blank.addCommunicationChannel, { typename: 'ValidationError', code: 'VALIDATION', field: 'name' });

    const { addCommunicationChannel } = await staff.gql<{ addCommunicationChannel: ResultUnion }>(ADD, vars);
    const channel = ok<{ channel: { id: string; commentChannel: string; active: boolean } }>(
      addCommunicationChannel,
    ).channel;
    expect(channel).toMatchObject({ commentChannel: 'SOCIAL_MEDIA', active: true });
    type Org = { id: string; channels: { id: string }[]; all: { id: string; active: boolean }[] };
    const listed = async () =>
      (await staff.gql<{ organizations: Org[] }>(LIST)).organizations.find((o) => o.id === district)!;
    expect((await listed()).channels.map((c) => c.id)).toContain(channel.id);

    expectRefusal(
      (
        await as.participant!.gql<{ retireCommunicationChannel: ResultUnion }>(RETIRE, {
          org: district,
          id: channel.id,
        })
      ).retireCommunicationChannel,
      {
        typename: 'ForbiddenError',
        code: 'FORBIDDEN',
        rule: 'STAFF_ONLY',
      },
    );
    ok(
      (await staff.gql<{ retireCommunicationChannel: ResultUnion }>(RETIRE, { org: district, id: channel.id }))
        .retireCommunicationChannel,
    );
    const after = await listed();
    expect(after.channels.map((c) => c.id)).not.toContain(channel.id);
    expect(after.all.find((c) => c.id === channel.id)?.active).toBe(false);
    const again = await staff.gql<{ retireCommunicationChannel: ResultUnion }>(RETIRE, {
      org: district,
      id: channel.id,
    });
    expectRefusal(again.retireCommunicationChannel, {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'CHANNEL_ALREADY_RETIRED',
    });
    const unknown = await staff.gql<{ retireCommunicationChannel: ResultUnion }>(RETIRE, {
      org: district,
      id: '00000000-0000-4000-8000-000000000000',
    });
    expectRefusal(unknown.retireCommunicationChannel, { typename: 'NotFoundError', code: 'NOT_FOUND' });
  });
});

describe('organisations', () => {
  const REGISTER = `mutation R($parent: ID!, $name: String!, $kind: OrganizationKind!, $levels: [SchoolLevel!], $schoolType: String) {
    registerOrganization(parentOrganizationId: $parent, name: $name, kind: $kind, levels: $levels, schoolType: $schoolType) {
      ... on MutationRegisterOrganizationSuccess { data { id name kind levels schoolType parent { id } } } ${ERROR_FIELDS} } }`;
  const school = {
    name: 'Trường PTDTBT TH&THCS Nậm Khòa',
    kind: 'SCHOOL',
    levels: ['TH', 'THCS'],
    schoolType: 'phổ thông dân tộc bán trú',
  };

  it('an admin of the district registers a school under it; nobody else may', async () => {
    for (const role of ['spokesperson', 'policymaker', 'moderator', 'participant']) {
      const { registerOrganization } = await as[role]!.gql<{ registerOrganization: ResultUnion }>(REGISTER, {
        parent: district,
        ...school,
      });
      expectRefusal(registerOrganization, { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'ADMIN_ONLY' });
    }
    expectRefusal(
      (await staff.gql<{ registerOrganization: ResultUnion }>(REGISTER, { parent: district, ...school }))
        .registerOrganization,
      {
        typename: 'ForbiddenError',
        code: 'FORBIDDEN',
        rule: 'ADMIN_ONLY',
      },
    );
    expectRefusal(
      (
        await client(platform.baseUrl).gql<{ registerOrganization: ResultUnion }>(REGISTER, {
          parent: district,
          ...school,
        })
      ).registerOrganization,
      {
        typename: 'UnauthenticatedError',
        code: 'UNAUTHENTICATED',
      },
    );
    const admin = await signInAs(platform, 'admin');
    const noLevels = await admin.gql<{ registerOrganization: ResultUnion }>(REGISTER, {
      parent: district,
      ...school,
      levels: [],
    });
    expectRefusal(noLevels.registerOrganization, { typename: 'ValidationError', code: 'VALIDATION', field: 'levels' });
    const nowhere = await admin.gql<{ registerOrganization: ResultUnion }>(REGISTER, {
      parent: '00000000-0000-4000-8000-000000000000',
      ...school,
    });
    expectRefusal(nowhere.registerOrganization, { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'ADMIN_ONLY' });
    const { registerOrganization } = await admin.gql<{ registerOrganization: ResultUnion }>(REGISTER, {
      parent: district,
      ...school,
    });
    expect(ok(registerOrganization)).toMatchObject({
      name: school.name,
      kind: 'SCHOOL',
      levels: ['TH', 'THCS'],
      schoolType: school.schoolType,
      parent: { id: district },
    });
  });
});
