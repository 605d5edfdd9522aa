/**
 * Bad arguments are the client's mistake, answered VALIDATION with the field named, in Vietnamese and English; never
 * INTERNAL (issue 15, finding 12: `auditEvents(after: "zzz")`, `auditEvents(first: -5)` and
 * `policyAsOf(asOf: "yesterday")` answered INTERNAL). One row per argument of the kinds that went wrong: cursors,
 * page sizes (first/last/before), log positions and instants or dates given as strings, as literals and as variables.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerRound } from '../support/digest';
import { startPlatform, type Platform } from '../support/platform';
import {
  CLOSE_CONSULTATION,
  expectEnglish,
  expectVietnamese,
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

type Who = 'auditor' | 'staff' | 'moderator' | 'participant';

let platform: Platform;
const as: Partial<Record<Who, Client>> = {};
let openPolicyId: string;
let answeredPolicyId: string;

beforeAll(async () => {
  platform = await startPlatform();
  for (const role of ['auditor', 'staff', 'moderator'] as const) as[role] = await signInAs(platform, role);
  as.participant = (await verifiedParticipant(platform)).api;
  const staff = as.staff!;
  const organizationId = await staffOrganizationId(staff);
  openPolicyId = (await openPolicy(staff, organizationId)).id;
  // A round answered by a digest with one theme, for the digest's and the theme's comment lists.
  answeredPolicyId = (await openPolicy(staff, organizationId)).id;
  ok(await submitComment(as.participant, { policyId: answeredPolicyId, body: 'Một góp ý.', stance: 'SUPPORT' }));
  ok(
    (
      await staff.gql<{ closeConsultation: ResultUnion }>(CLOSE_CONSULTATION, {
        policyId: answeredPolicyId,
        reason: 'Đủ ý kiến',
      })
    ).closeConsultation,
  );
  await answerRound(platform, staff, answeredPolicyId, 1);
});

afterAll(async () => {
  await stopPlatform(platform);
});

interface Row {
  who: Who;
  query: string;
  variables?: () => Record<string, unknown>;
  field: string;
}

const policyArg = () => ({ id: openPolicyId });
const answeredArg = () => ({ id: answeredPolicyId });

const rows: Record<string, Row> = {
  // The three the review found.
  'auditEvents(after: "zzz")': { who: 'auditor', query: `{ auditEvents(after: "zzz") { nextAfter } }`, field: 'after' },
  'auditEvents(first: -5)': { who: 'auditor', query: `{ auditEvents(first: -5) { nextAfter } }`, field: 'first' },
  'policyAsOf(asOf: "yesterday")': {
    who: 'auditor',
    query: `query($id: ID!) { policyAsOf(id: $id, asOf: "yesterday") { title } }`,
    variables: policyArg,
    field: 'asOf',
  },
  // Log positions.
  'auditEvents(after: a position of another store)': {
    who: 'auditor',
    query: `{ auditEvents(after: "1:2") { nextAfter } }`,
    field: 'after',
  },
  'policyAsOf(asOf: not a position)': {
    who: 'auditor',
    query: `query($id: ID!) { policyAsOf(id: $id, asOf: "99999999") { title } }`,
    variables: policyArg,
    field: 'asOf',
  },
  'policyAsOf(asOf: an impossible date)': {
    who: 'auditor',
    query: `query($id: ID!, $at: String!) { policyAsOf(id: $id, asOf: $at) { title } }`,
    variables: () => ({ id: openPolicyId, at: '2026-13-45T00:00:00Z' }),
    field: 'asOf',
  },
  'policyAsOf(asOf: "")': {
    who: 'auditor',
    query: `query($id: ID!) { policyAsOf(id: $id, asOf: "") { title } }`,
    variables: policyArg,
    field: 'asOf',
  },
  // Page sizes of lists that are not connections.
  'auditEvents(first: 0)': { who: 'auditor', query: `{ auditEvents(first: 0) { nextAfter } }`, field: 'first' },
  'auditEvents(first: 501)': { who: 'auditor', query: `{ auditEvents(first: 501) { nextAfter } }`, field: 'first' },
  'auditCheckpoints(first: 0)': { who: 'auditor', query: `{ auditCheckpoints(first: 0) { count } }`, field: 'first' },
  'auditReadLog(first: -1)': { who: 'auditor', query: `{ auditReadLog(first: -1) { eventId } }`, field: 'first' },
  'hiddenComments(first: -1)': { who: 'moderator', query: `{ hiddenComments(first: -1) { id } }`, field: 'first' },
  'hiddenComments(first: 201)': { who: 'moderator', query: `{ hiddenComments(first: 201) { id } }`, field: 'first' },
  'moderationQueue(first: 0)': { who: 'moderator', query: `{ moderationQueue(first: 0) { id } }`, field: 'first' },
  'moderationQueue(first: 201)': { who: 'moderator', query: `{ moderationQueue(first: 201) { id } }`, field: 'first' },
  // Connections: cursors and page sizes; only forward paging exists.
  'policies(first: -1)': { who: 'staff', query: `{ policies(first: -1) { edges { cursor } } }`, field: 'first' },
  'policies(after: "zzz")': { who: 'staff', query: `{ policies(after: "zzz") { edges { cursor } } }`, field: 'after' },
  'policies(before: "zzz")': {
    who: 'staff',
    query: `{ policies(before: "zzz") { edges { cursor } } }`,
    field: 'before',
  },
  'policies(last: 2)': { who: 'staff', query: `{ policies(last: 2) { edges { cursor } } }`, field: 'last' },
  'Policy.comments(after: "zzz")': {
    who: 'staff',
    query: `query($id: ID!) { policy(id: $id) { comments(after: "zzz") { totalCount } } }`,
    variables: policyArg,
    field: 'after',
  },
  'Policy.comments(first: 0)': {
    who: 'staff',
    query: `query($id: ID!) { policy(id: $id) { comments(first: 0) { totalCount } } }`,
    variables: policyArg,
    field: 'first',
  },
  'Policy.comments(before: …)': {
    who: 'staff',
    query: `query($id: ID!) { policy(id: $id) { comments(before: "c2VxOjE") { totalCount } } }`,
    variables: policyArg,
    field: 'before',
  },
  'Digest.comments(after: "zzz")': {
    who: 'staff',
    query: `query($id: ID!) { policy(id: $id) { digest(round: 1) { comments(after: "zzz") { edges { cursor } } } } }`,
    variables: answeredArg,
    field: 'after',
  },
  'Digest.comments(last: 1)': {
    who: 'staff',
    query: `query($id: ID!) { policy(id: $id) { digest(round: 1) { comments(last: 1) { edges { cursor } } } } }`,
    variables: answeredArg,
    field: 'last',
  },
  'DigestTheme.comments(first: 0)': {
    who: 'staff',
    query: `query($id: ID!) { policy(id: $id) { digest(round: 1) { themes { comments(first: 0) { edges { cursor } } } } } }`,
    variables: answeredArg,
    field: 'first',
  },
  'DigestTheme.comments(before: …)': {
    who: 'staff',
    query: `query($id: ID!) { policy(id: $id) { digest(round: 1) { themes { comments(before: "x") { edges { cursor } } } } } }`,
    variables: answeredArg,
    field: 'before',
  },
  'searchComments(after: "zzz")': {
    who: 'staff',
    query: `query($id: ID!) { searchComments(policyId: $id, query: "sách", after: "zzz") { edges { cursor } } }`,
    variables: policyArg,
    field: 'after',
  },
  'searchComments(first: -3)': {
    who: 'staff',
    query: `query($id: ID!) { searchComments(policyId: $id, query: "sách", first: -3) { edges { cursor } } }`,
    variables: policyArg,
    field: 'first',
  },
  'Viewer.myComments(after: "zzz")': {
    who: 'participant',
    query: `{ viewer { myComments(after: "zzz") { edges { cursor } } } }`,
    field: 'after',
  },
  'Viewer.myComments(before: …)': {
    who: 'participant',
    query: `{ viewer { myComments(before: "zzz") { edges { cursor } } } }`,
    field: 'before',
  },
  'Viewer.notifications(first: -2)': {
    who: 'participant',
    query: `{ viewer { notifications(first: -2) { edges { cursor } } } }`,
    field: 'first',
  },
  'Viewer.notifications(after: "zzz")': {
    who: 'participant',
    query: `{ viewer { notifications(after: "zzz") { edges { cursor } } } }`,
    field: 'after',
  },
  // Instants and dates given as strings: as literals and as variables, in queries and in mutation inputs.
  'auditEvents(recordedFrom: "yesterday")': {
    who: 'auditor',
    query: `{ auditEvents(recordedFrom: "yesterday") { nextAfter } }`,
    field: 'recordedFrom',
  },
  'auditEvents(recordedTo: $to) as a variable': {
    who: 'auditor',
    query: `query($to: DateTime) { auditEvents(recordedTo: $to) { nextAfter } }`,
    variables: () => ({ to: '2026-12-15' }),
    field: 'recordedTo',
  },
  'searchComments(from: "x")': {
    who: 'staff',
    query: `query($id: ID!) { searchComments(policyId: $id, query: "sách", from: "x") { edges { cursor } } }`,
    variables: policyArg,
    field: 'from',
  },
  'searchComments(to: $to) as a variable': {
    who: 'staff',
    query: `query($id: ID!, $to: DateTime) { searchComments(policyId: $id, query: "sách", to: $to) { edges { cursor } } }`,
    variables: () => ({ id: openPolicyId, to: 'ngày mai' }),
    field: 'to',
  },
  'extendConsultation(input: { closesAt: "tomorrow" })': {
    who: 'staff',
    query: `mutation($id: ID!) {
      extendConsultation(input: { policyId: $id, closesAt: "tomorrow", reason: "Thêm thời gian" }) { __typename }
    }`,
    variables: policyArg,
    field: 'input.closesAt',
  },
  'openConsultation(input: $input) with closesAt "tomorrow"': {
    who: 'staff',
    query: `mutation($input: OpenConsultationInput!) { openConsultation(input: $input) { __typename } }`,
    variables: () => ({ input: { policyId: openPolicyId, closesAt: 'tomorrow' } }),
    field: 'input.closesAt',
  },
  'recordOfflineFeedback(input: $input) with receivedAt "hôm qua"': {
    who: 'staff',
    query: `mutation($input: RecordOfflineFeedbackInput!) { recordOfflineFeedback(input: $input) { __typename } }`,
    variables: () => ({
      input: {
        policyId: openPolicyId,
        channel: 'LETTER',
        receivedAt: 'hôm qua',
        stakeholderCategory: 'PARENT',
        body: 'Thư góp ý.',
        stance: 'SUPPORT',
        idempotencyKey: 'k',
      },
    }),
    field: 'input.receivedAt',
  },
  'enactPolicy(input: $input) with effectiveDate "15/12/2026"': {
    who: 'staff',
    query: `mutation($input: EnactPolicyInput!) { enactPolicy(input: $input) { __typename } }`,
    variables: () => ({ input: { policyId: openPolicyId, decisionNumber: '1/QĐ', effectiveDate: '15/12/2026' } }),
    field: 'input.effectiveDate',
  },
};

describe('bad arguments are VALIDATION naming the field, never INTERNAL', () => {
  it.each(Object.entries(rows))('%s', async (_, row) => {
    // The client refuses any INTERNAL error and any HTTP 5xx on its own.
    const res = await as[row.who]!.raw(row.query, row.variables?.() ?? {});
    const error = res.errors?.[0];
    expect(error, JSON.stringify(res)).toBeDefined();
    expect(error!.extensions, JSON.stringify(res.errors)).toMatchObject({ code: 'VALIDATION', field: row.field });
    expectVietnamese(String(error!.extensions!.messageVi));
    expectEnglish(String(error!.extensions!.messageEn));
    expect(error!.message).toBe(error!.extensions!.messageVi);
  });

  it('good arguments of the same kinds still answer', async () => {
    const auditor = as.auditor!;
    const page = await auditor.gql<{ auditEvents: { events: { position: string }[]; nextAfter: string | null } }>(
      `{ auditEvents(first: 2) { events { position } nextAfter } }`,
    );
    expect(page.auditEvents.events).toHaveLength(2);
    const next = await auditor.gql<{ auditEvents: { events: { position: string }[] } }>(
      `query($after: String) { auditEvents(first: 1, after: $after) { events { position } } }`,
      { after: page.auditEvents.nextAfter },
    );
    expect(next.auditEvents.events).toHaveLength(1);
    for (const asOf of [page.auditEvents.events[1]!.position, new Date().toISOString()]) {
      await auditor.gql(`query($id: ID!, $asOf: String!) { policyAsOf(id: $id, asOf: $asOf) { title } }`, {
        id: openPolicyId,
        asOf,
      });
    }
    await auditor.gql(
      `query($from: DateTime) { auditEvents(first: 1, recordedFrom: $from) { nextAfter } hiddenComments(first: 200) { id } moderationQueue(first: 200) { id } }`,
      { from: '2026-01-01T00:00:00Z' },
    );
  });
});
