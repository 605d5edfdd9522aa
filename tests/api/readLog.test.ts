/**
 * Every export and every read of hidden or personal data is in the auditors' read log (issue 17): the comments as CSV
 * and XLSX (an auditor's with hidden ones), the moderators' list of hidden comments and a person's own data each
 * leave a SensitiveDataRead with who read it, under which role, what, when and its log position; reading the log
 * is for auditors only.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../support/platform';
import { ERROR_FIELDS, client, ok, signInAs, stopPlatform, type Client, type ResultUnion } from './support';

const SUBMIT = `mutation($input: SubmitCommentInput!) { submitComment(input: $input) { ${ERROR_FIELDS} ... on MutationSubmitCommentSuccess { data { comment { id } } } } }`;
const HIDE = `mutation($id: ID!) { hideComment(commentId: $id, reasonCode: PERSONAL_DATA, reason: "Có số điện thoại") { ${ERROR_FIELDS} ... on MutationHideCommentSuccess { data { comment { id } } } } }`;
const READ_LOG =
  '{ auditReadLog(first: 200) { eventId position recordedAt readerAccountId readerRole subjectKind subjectId field } }';

interface Read {
  eventId: string;
  position: string;
  recordedAt: string;
  readerAccountId: string;
  readerRole: string;
  subjectKind: string;
  subjectId: string;
  field: string;
}

describe('the read log records exports and reads of hidden or personal data', () => {
  let platform: Platform;
  let parent: Client;
  let staff: Client;
  let moderator: Client;
  let auditor: Client;
  let policyId: string;
  let commentId: string;

  const readLog = async () => (await auditor.gql<{ auditReadLog: Read[] }>(READ_LOG)).auditReadLog;
  const idOf = async (who: Client) =>
    (await who.gql<{ viewer: { account: { id: string } } }>('{ viewer { account { id } } }')).viewer.account.id;
  async function download(who: Client, file: string) {
    const res = await fetch(`${platform.baseUrl}/export/policies/${policyId}/rounds/1/${file}`, {
      headers: { authorization: `Bearer ${who.token}` },
    });
    await res.arrayBuffer();
    return { status: res.status, position: res.headers.get('x-gopy-position') };
  }

  beforeAll(async () => {
    platform = await startPlatform();
    parent = await signInAs(platform, 'participant');
    staff = await signInAs(platform, 'staff');
    moderator = await signInAs(platform, 'moderator');
    auditor = await signInAs(platform, 'auditor');
    const list = await client(platform.baseUrl).gql<{ policies: { edges: { node: { id: string } }[] } }>(
      '{ policies(status: CONSULTATION) { edges { node { id } } } }',
    );
    policyId = list.policies.edges[0]!.node.id;
    const submitted = await parent.gql<{ submitComment: ResultUnion }>(SUBMIT, {
      input: { policyId, body: 'Liên hệ tôi qua số 0912 345 678.', stance: 'NEUTRAL', idempotencyKey: randomUUID() },
    });
    commentId = ok<{ comment: { id: string } }>(submitted.submitComment).comment.id;
    ok((await moderator.gql<{ hideComment: ResultUnion }>(HIDE, { id: commentId })).hideComment);
  }, 180_000);

  afterAll(async () => {
    await stopPlatform(platform);
  });

  it('records each comment export: staff without hidden comments, an auditor with them, at the export position', async () => {
    const before = new Set((await readLog()).map((r) => r.eventId));
    const csv = await download(staff, 'comments.csv');
    const xlsx = await download(auditor, 'comments.xlsx');
    expect([csv.status, xlsx.status]).toEqual([200, 200]);
    const added = (await readLog()).filter((r) => !before.has(r.eventId));
    expect(added.map((r) => [r.readerAccountId, r.readerRole, r.subjectKind, r.subjectId, r.field])).toEqual([
      [
        await idOf(auditor),
        'auditor',
        'commentsExportWithHidden',
        `${policyId}/1@${xlsx.position}`,
        'export:comments.xlsx',
      ],
      [await idOf(staff), 'staff', 'commentsExport', `${policyId}/1@${csv.position}`, 'export:comments.csv'],
    ]);
    // Newest first, each at its own position in the log and with its time.
    expect(added[0]!.position).not.toBe(added[1]!.position);
    expect(Number.isNaN(Date.parse(added[0]!.recordedAt))).toBe(false);
  });

  it('records the moderators’ read of hidden comments and a person’s read of their own data', async () => {
    const before = new Set((await readLog()).map((r) => r.eventId));
    const hidden = await moderator.gql<{ hiddenComments: { id: string }[] }>('{ hiddenComments { id } }');
    expect(hidden.hiddenComments.map((c) => c.id)).toContain(commentId);
    const mine = await parent.gql<{ myData: string }>('{ myData }');
    expect(mine.myData).toContain('0912 345 678');
    const added = (await readLog()).filter((r) => !before.has(r.eventId));
    expect(added.map((r) => [r.readerAccountId, r.readerRole, r.subjectKind, r.field])).toEqual([
      [await idOf(parent), 'participant', 'account', 'myData'],
      [await idOf(moderator), 'moderator', 'hiddenComments', 'hiddenComments'],
    ]);
    expect(added[1]!.subjectId).toBe(`${hidden.hiddenComments.length}:${hidden.hiddenComments[0]!.id}`);
  });

  it('shows the log to auditors only', async () => {
    for (const who of [staff, moderator, parent]) {
      const res = await who.raw(READ_LOG);
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });
});
