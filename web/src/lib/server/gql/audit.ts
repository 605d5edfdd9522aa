// The auditor's GraphQL reads: the global event log, verification, checkpoints, the read log and a policy "as of" a
// moment. Auditors write nothing, so there are only queries here. Server-only, like $lib/server/api.
import { gql, type ApiEvent, type PolicyStatus, graphql } from '$lib/server/api';
import type { DraftNode } from '$lib/draft';

export interface AuditEvent {
  position: string;
  streamId: string;
  revision: number;
  eventId: string;
  type: string;
  recordedAt: string;
  occurredAt: string;
  actorAccountId: string | null;
  actorRole: string;
  actorOrganizationId: string | null;
  data: string;
  metadata: string;
  hash: string;
  prevHash: string;
  hashMatches: boolean;
}

export interface AuditEventFilter {
  streamPrefix: string | null;
  eventType: string | null;
  actorAccountId: string | null;
  recordedFrom: string | null;
  recordedTo: string | null;
  after: string | null;
  first: number;
}

export interface AuditVerification {
  ok: boolean;
  events: number;
  streams: number;
  checkpoints: number;
  eventsAfterLastCheckpoint: number;
  lastCheckpointCount: number | null;
  notChecked: string[];
  /** Events no signed checkpoint covers yet; null when there are none. */
  unsealedTail: {
    events: number;
    firstIndex: number;
    lastIndex: number;
    firstPosition: string | null;
    lastPosition: string | null;
    recordedFrom: string | null;
    recordedTo: string | null;
  } | null;
  failure: {
    index: number;
    eventId: string;
    streamId: string;
    revision: number;
    position: string | null;
    reason: string;
  } | null;
}

export interface AuditCheckpoint {
  eventId: string;
  position: string;
  recordedAt: string;
  count: number;
  merkleRoot: string;
  lastEventId: string | null;
  lastHash: string | null;
  previousCheckpointHash: string | null;
  keyFingerprint: string;
  signature: string;
}

export interface SensitiveRead {
  eventId: string;
  position: string;
  recordedAt: string;
  readerAccountId: string;
  readerRole: string;
  subjectKind: string;
  subjectId: string;
  field: string;
}

export interface HistoryEntry {
  eventId: string;
  streamId: string;
  type: string;
  recordedAt: string;
  occurredAt: string;
  position: string;
  actorAccountId: string | null;
  actorRole: string;
  reason: string | null;
}

export type CommentState = 'visible' | 'hidden' | 'withdrawn' | 'redacted';

export interface CommentSnapshot {
  commentId: string;
  round: number;
  version: number;
  anchorNodeId: string | null;
  parentCommentId: string | null;
  authorAccountId: string | null;
  authorName: string | null;
  channel: string;
  stakeholderCategory: string;
  stance: string;
  body: string | null;
  status: CommentState;
  hiddenReason: string | null;
  hiddenReasonCode: string | null;
  submittedAt: string;
  edits: number;
  flags: number;
  endorsements: number;
  officialReplies: string[];
  history: HistoryEntry[];
}

export interface PolicySnapshot {
  policyId: string;
  asOf: string;
  title: string;
  summary: string;
  status: string;
  versionNumber: number | null;
  versionTitle: string | null;
  nodesJson: string | null;
  rounds: {
    round: number;
    version: number;
    opensAt: string;
    closesAt: string;
    closedAt: string | null;
    closedBy: string | null;
    answered: boolean;
  }[];
  enactmentDecisionNumber: string | null;
  withdrawalReason: string | null;
  comments: CommentSnapshot[];
  stats: {
    total: number;
    visible: number;
    hidden: number;
    withdrawn: number;
    redacted: number;
    support: number;
    oppose: number;
    neutral: number;
    suggestion: number;
  };
  history: HistoryEntry[];
}

/** The snapshot's draft tree in the site's shape (the API sends it as stored JSON). */
export interface SnapshotNode {
  id: string;
  kind: string;
  number: string;
  heading: string;
  text: string;
  children: SnapshotNode[];
}

const AUDIT_EVENT_FIELDS = graphql`
  fragment AuditEventFields on AuditEvent {
    position
    streamId
    revision
    eventId
    type
    recordedAt
    occurredAt
    actorAccountId
    actorRole
    actorOrganizationId
    data
    metadata
    hash
    prevHash
    hashMatches
  }
`;

const AUDIT_EVENTS_QUERY = graphql`
  query AuditEvents(
    $first: Int
    $after: String
    $streamPrefix: String
    $eventType: String
    $actorAccountId: ID
    $recordedFrom: DateTime
    $recordedTo: DateTime
  ) {
    auditEvents(
      first: $first
      after: $after
      streamPrefix: $streamPrefix
      eventType: $eventType
      actorAccountId: $actorAccountId
      recordedFrom: $recordedFrom
      recordedTo: $recordedTo
    ) {
      nextAfter
      events {
        ...AuditEventFields
      }
    }
  }
  ${AUDIT_EVENT_FIELDS}
`;

const AUDIT_VERIFICATION_QUERY = graphql`
  query AuditVerification {
    auditVerification {
      ok
      events
      streams
      checkpoints
      eventsAfterLastCheckpoint
      lastCheckpointCount
      notChecked
      unsealedTail {
        events
        firstIndex
        lastIndex
        firstPosition
        lastPosition
        recordedFrom
        recordedTo
      }
      failure {
        index
        eventId
        streamId
        revision
        position
        reason
      }
    }
  }
`;

const AUDIT_CHECKPOINTS_QUERY = graphql`
  query AuditCheckpoints($first: Int) {
    auditCheckpoints(first: $first) {
      eventId
      position
      recordedAt
      count
      merkleRoot
      lastEventId
      lastHash
      previousCheckpointHash
      keyFingerprint
      signature
    }
  }
`;

const AUDIT_READ_LOG_QUERY = graphql`
  query AuditReadLog($first: Int) {
    auditReadLog(first: $first) {
      eventId
      position
      recordedAt
      readerAccountId
      readerRole
      subjectKind
      subjectId
      field
    }
  }
`;

const HISTORY_FIELDS = graphql`
  fragment HistoryFields on AuditHistoryEntry {
    eventId
    streamId
    type
    recordedAt
    occurredAt
    position
    actorAccountId
    actorRole
    reason
  }
`;

const POLICY_AS_OF_QUERY = graphql`
  query PolicyAsOf($id: ID!, $asOf: String!) {
    policyAsOf(id: $id, asOf: $asOf) {
      policyId
      asOf
      title
      summary
      status
      versionNumber
      versionTitle
      nodesJson
      rounds {
        round
        version
        opensAt
        closesAt
        closedAt
        closedBy
        answered
      }
      enactmentDecisionNumber
      withdrawalReason
      stats {
        total
        visible
        hidden
        withdrawn
        redacted
        support
        oppose
        neutral
        suggestion
      }
      history {
        ...HistoryFields
      }
      comments {
        commentId
        round
        version
        anchorNodeId
        parentCommentId
        authorAccountId
        authorName
        channel
        stakeholderCategory
        stance
        body
        status
        hiddenReason
        hiddenReasonCode
        submittedAt
        edits
        flags
        endorsements
        officialReplies
        history {
          ...HistoryFields
        }
      }
    }
  }
  ${HISTORY_FIELDS}
`;

/** Names the policy for the pages that only have its id (the current title, whatever the moment asked for). */
const POLICY_TITLE_QUERY = graphql`
  query AuditPolicyTitle($id: ID!) {
    policy(id: $id) {
      id
      title
      status
    }
  }
`;

const AUDIT_POLICIES_QUERY = graphql`
  query AuditPolicies($first: Int!, $after: String) {
    policies(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          title
          status
          updatedAt
          commentCount
          owningOrganization {
            id
            name
          }
        }
      }
    }
  }
`;

const PUBLIC_KEY_QUERY = graphql`
  query AuditPublicKey {
    auditPublicKey
  }
`;

export const AUDIT_DOCUMENTS = {
  AUDIT_EVENTS_QUERY,
  AUDIT_VERIFICATION_QUERY,
  AUDIT_CHECKPOINTS_QUERY,
  AUDIT_READ_LOG_QUERY,
  POLICY_AS_OF_QUERY,
  POLICY_TITLE_QUERY,
  AUDIT_POLICIES_QUERY,
  PUBLIC_KEY_QUERY,
} as const;

export async function fetchAuditEvents(
  event: ApiEvent,
  filter: AuditEventFilter,
): Promise<{ events: AuditEvent[]; nextAfter: string | null }> {
  const data = await gql<{ auditEvents: { events: AuditEvent[]; nextAfter: string | null } }>(
    event,
    AUDIT_EVENTS_QUERY,
    { ...filter },
  );
  return data.auditEvents;
}

export async function fetchAuditVerification(event: ApiEvent): Promise<AuditVerification> {
  return (await gql<{ auditVerification: AuditVerification }>(event, AUDIT_VERIFICATION_QUERY)).auditVerification;
}

export async function fetchAuditCheckpoints(event: ApiEvent, first = 50): Promise<AuditCheckpoint[]> {
  return (await gql<{ auditCheckpoints: AuditCheckpoint[] }>(event, AUDIT_CHECKPOINTS_QUERY, { first }))
    .auditCheckpoints;
}

export async function fetchAuditReadLog(event: ApiEvent, first = 200): Promise<SensitiveRead[]> {
  return (await gql<{ auditReadLog: SensitiveRead[] }>(event, AUDIT_READ_LOG_QUERY, { first })).auditReadLog;
}

export async function fetchAuditPublicKey(event: ApiEvent): Promise<string> {
  return (await gql<{ auditPublicKey: string }>(event, PUBLIC_KEY_QUERY)).auditPublicKey;
}

/** `asOf` is an ISO instant (compared with when events were recorded) or an opaque log position. */
export async function fetchPolicyAsOf(event: ApiEvent, id: string, asOf: string): Promise<PolicySnapshot | null> {
  return (await gql<{ policyAsOf: PolicySnapshot | null }>(event, POLICY_AS_OF_QUERY, { id, asOf })).policyAsOf;
}

export async function fetchPolicyTitle(
  event: ApiEvent,
  id: string,
): Promise<{ id: string; title: string; status: PolicyStatus } | null> {
  return (
    await gql<{ policy: { id: string; title: string; status: PolicyStatus } | null }>(event, POLICY_TITLE_QUERY, { id })
  ).policy;
}

export interface AuditPolicyRow {
  id: string;
  title: string;
  status: PolicyStatus;
  updatedAt: string;
  commentCount: number;
  owningOrganization: { id: string; name: string };
}

export async function fetchAuditPolicies(event: ApiEvent, limit = 500): Promise<AuditPolicyRow[]> {
  const out: AuditPolicyRow[] = [];
  let after: string | null = null;
  while (out.length < limit) {
    const data: {
      policies: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: AuditPolicyRow }[] };
    } = await gql(event, AUDIT_POLICIES_QUERY, { first: 100, after });
    out.push(...data.policies.edges.map((e) => e.node));
    if (!data.policies.pageInfo.hasNextPage || !data.policies.pageInfo.endCursor) break;
    after = data.policies.pageInfo.endCursor;
  }
  return out;
}

/** The stored draft tree (domain field names) in the site's node shape; unknown shapes give an empty tree. */
export function snapshotNodes(nodesJson: string | null): SnapshotNode[] {
  if (!nodesJson) return [];
  const toNode = (raw: unknown): SnapshotNode | null => {
    if (!raw || typeof raw !== 'object') return null;
    const n = raw as Record<string, unknown>;
    const id = typeof n.nodeId === 'string' ? n.nodeId : typeof n.id === 'string' ? n.id : null;
    if (!id) return null;
    const children = Array.isArray(n.children)
      ? n.children.map(toNode).filter((c): c is SnapshotNode => c !== null)
      : [];
    return {
      id,
      kind: String(n.kind ?? '').toUpperCase(),
      number: String(n.number ?? ''),
      heading: String(n.heading ?? ''),
      text: String(n.text ?? ''),
      children,
    };
  };
  try {
    const parsed = JSON.parse(nodesJson) as unknown;
    return Array.isArray(parsed) ? parsed.map(toNode).filter((n): n is SnapshotNode => n !== null) : [];
  } catch {
    return [];
  }
}

export type { DraftNode };
