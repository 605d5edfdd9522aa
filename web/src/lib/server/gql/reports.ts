// Early warning (alerts, incidents) and semester reports over GraphQL, for the staff dashboard and the report pages.
// Server-only, like $lib/server/api; refusals come back as the neutral `Result` the forms turn into messages.
import { ERROR_FIELDS, gql, mutate, type ApiEvent, type Organization, graphql } from '$lib/server/api';

export type AlertSignal = 'COMMENTS_PER_HOUR' | 'OPPOSE_SHARE' | 'FLAGS_PER_HOUR';
export type SubmissionStatus = 'SUBMITTED' | 'COMPILED' | 'DUE' | 'LATE';

export interface Alert {
  id: string;
  signal: AlertSignal;
  observed: number;
  baseline: number;
  round: number;
  windowStart: string;
  windowEnd: string;
  acknowledged: boolean;
  evidenceCommentIds: string[];
  policy: { id: string; title: string };
}

export interface Incident {
  id: string;
  summary: string;
  reportedAt: string;
  organization: Organization;
  submittedTo: Organization | null;
  policy: { id: string; title: string } | null;
}

export interface Count {
  key: string;
  count: number;
}
export interface Figures {
  consultations: number;
  consultationsByStage: Count[];
  comments: number;
  commentsByCategory: Count[];
  commentsByChannel: Count[];
  coveredComments: number;
  responseCoverage: number | null;
  digestsPublished: number;
  incidents: number;
  alerts: number;
}
export interface SemesterReport {
  status: 'COMPILED' | 'SUBMITTED';
  remarks: string;
  compiledAt: string;
  submittedAt: string | null;
  countedAtPosition: string | null;
  submittedTo: Organization | null;
  figures: Figures;
}
export interface MemberStatus {
  organization: Organization & { levels: string[] };
  status: SubmissionStatus;
  report: { submittedAt: string | null } | null;
  figures: Figures;
}
export interface ReportPage {
  organization: Organization & { parent: Organization | null };
  period: string;
  figures: Figures;
  report: SemesterReport | null;
  overview: { deadline: string; members: MemberStatus[]; rollup: Figures; late: Organization[] } | null;
}

// A selection repeated inside the documents below, not a document of its own.
const FIGURES = `
	consultations consultationsByStage { key count } comments commentsByCategory { key count }
	commentsByChannel { key count } coveredComments responseCoverage digestsPublished incidents alerts
`;

const DASHBOARD_QUERY = graphql`
  query StaffDashboard($org: ID!, $period: String!) {
    alerts(organizationId: $org, unacknowledgedOnly: true) {
      id
      signal
      observed
      baseline
      round
      windowStart
      windowEnd
      acknowledged
      evidenceCommentIds
      policy {
        id
        title
      }
    }
    semesterReport(organizationId: $org, period: $period) {
      status
      submittedAt
    }
    staffDashboard(organizationId: $org) {
      openFlags
      commentsWithoutTheme
      roundsToAnswer
    }
    incidents(organizationId: $org) {
      id
      summary
      reportedAt
      organization {
        id
        name
      }
      submittedTo {
        id
        name
      }
      policy {
        id
        title
      }
    }
  }
`;

const CURRENT_PERIOD_QUERY = graphql`
  query {
    currentReportingPeriod
  }
`;

export async function currentPeriod(event: ApiEvent): Promise<string> {
  return (await gql<{ currentReportingPeriod: string }>(event, CURRENT_PERIOD_QUERY)).currentReportingPeriod;
}

/** What an organisation's staff must look at now: unacknowledged alerts, and the state of this period's report. */
export async function fetchDashboard(event: ApiEvent, organizationId: string, period: string) {
  return gql<{
    alerts: Alert[];
    semesterReport: { status: SemesterReport['status']; submittedAt: string | null } | null;
    staffDashboard: { openFlags: number; commentsWithoutTheme: number; roundsToAnswer: number };
    incidents: Incident[];
  }>(event, DASHBOARD_QUERY, {
    org: organizationId,
    period,
  });
}

const REPORT_PAGE_QUERY = graphql`
	query ReportPage($org: ID!, $period: String!, $members: Boolean!) {
		semesterFigures(organizationId: $org, period: $period) { ${FIGURES} }
		semesterReport(organizationId: $org, period: $period) {
			status remarks compiledAt submittedAt countedAtPosition submittedTo { id name kind } figures { ${FIGURES} }
		}
		reportingOverview(organizationId: $org, period: $period) @include(if: $members) {
			deadline
			members { organization { id name kind levels } status report { submittedAt } figures { ${FIGURES} } }
			rollup { ${FIGURES} }
			late { id name kind }
		}
	}
`;

const ORGANIZATION_TREE_QUERY = graphql`
  query {
    organizations {
      id
      name
      kind
      parent {
        id
        name
        kind
      }
    }
  }
`;

export async function fetchReportPage(
  event: ApiEvent,
  organizationId: string,
  period: string,
): Promise<ReportPage | null> {
  // The organisation list tells whether it has members to roll up (a district or a province) before asking for them.
  const { organizations } = await gql<{ organizations: (Organization & { parent: Organization | null })[] }>(
    event,
    ORGANIZATION_TREE_QUERY,
  );
  const organization = organizations.find((o) => o.id === organizationId);
  if (!organization) return null;
  const hasMembers = organizations.some((o) => o.parent?.id === organizationId);
  const data = await gql<{
    semesterFigures: Figures;
    semesterReport: SemesterReport | null;
    reportingOverview?: ReportPage['overview'];
  }>(event, REPORT_PAGE_QUERY, { org: organizationId, period, members: hasMembers });
  return {
    organization,
    period,
    figures: data.semesterFigures,
    report: data.semesterReport,
    overview: data.reportingOverview ?? null,
  };
}

const ACKNOWLEDGE = graphql`
  mutation AcknowledgeAlert($id: ID!, $note: String) {
    acknowledgeAlert(alertId: $id, note: $note) {
      __typename
      ... on MutationAcknowledgeAlertSuccess {
        data {
          position
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;
export const acknowledgeAlert = (event: ApiEvent, alertId: string, note: string) =>
  mutate<{ position: string }>(event, 'acknowledgeAlert', ACKNOWLEDGE, { id: alertId, note });

const COMPILE = graphql`
  mutation CompileSemesterReport($org: ID!, $period: String!, $remarks: String) {
    compileSemesterReport(organizationId: $org, period: $period, remarks: $remarks) {
      __typename
      ... on MutationCompileSemesterReportSuccess {
        data {
          position
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;
export const compileSemesterReport = (event: ApiEvent, organizationId: string, period: string, remarks: string) =>
  mutate<{ position: string }>(event, 'compileSemesterReport', COMPILE, { org: organizationId, period, remarks });

const SUBMIT = graphql`
  mutation SubmitSemesterReport($org: ID!, $period: String!) {
    submitSemesterReport(organizationId: $org, period: $period) {
      __typename
      ... on MutationSubmitSemesterReportSuccess {
        data {
          position
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;
export const submitSemesterReport = (event: ApiEvent, organizationId: string, period: string) =>
  mutate<{ position: string }>(event, 'submitSemesterReport', SUBMIT, { org: organizationId, period });

const REPORT_INCIDENT = graphql`
  mutation ReportIncident($org: ID!, $alert: ID, $policy: ID, $summary: String!) {
    reportIncident(organizationId: $org, alertId: $alert, policyId: $policy, summary: $summary) {
      __typename
      ... on MutationReportIncidentSuccess {
        data {
          position
        }
      }
      ...ErrorFields
    }
  }
  ${ERROR_FIELDS}
`;
export const reportIncident = (
  event: ApiEvent,
  input: { organizationId: string; alertId: string | null; policyId: string | null; summary: string },
) =>
  mutate<{ position: string }>(event, 'reportIncident', REPORT_INCIDENT, {
    org: input.organizationId,
    alert: input.alertId,
    policy: input.policyId,
    summary: input.summary,
  });
