/**
 * Scanned letters attached to offline feedback: staff upload a file (stored encrypted, answered with its SHA-256) and
 * reference it when recording the letter; the event keeps the hash; the scan is listed and downloadable for the
 * organisation's staff and moderators and for auditors, and for nobody else (who is answered as for a file that does not
 * exist). Only staff upload.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../support/platform';
import {
  ERROR_FIELDS,
  client,
  expectRefusal,
  ok,
  signInAs,
  stopPlatform,
  type Client,
  type ResultUnion,
} from './support';

const OFFLINE = `mutation($input: RecordOfflineFeedbackInput!) { recordOfflineFeedback(input: $input) { ${ERROR_FIELDS} ... on MutationRecordOfflineFeedbackSuccess { data { comment { id channel attachments { id fileName mediaType size sha256 url } } } } } }`;
const ATTACH_DOCUMENT = `mutation($policyId: ID!, $version: Int!, $file: AttachmentInput!) { attachVersionDocument(policyId: $policyId, version: $version, kind: TO_TRINH, title: "Tờ trình số 12/TTr-PGDĐT", file: $file) { ${ERROR_FIELDS} ... on MutationAttachVersionDocumentSuccess { data { document { id kind title version fileName url } } } } }`;
const DOCUMENTS = `query($id: ID!) { policy(id: $id) { documents { id kind title version fileName mediaType size sha256 url } } }`;
const ATTACHMENTS = `query($id: ID!) { policy(id: $id) { comments(first: 50) { edges { node { id attachments { id sha256 } } } } } }`;

type Attachment = { id: string; fileName: string; mediaType: string; size: number; sha256: string; url: string };

// A tiny but real PDF: what a scanner sends.
const SCAN = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n' +
    'Kính gửi Phòng GD&ĐT. Người gửi: Nguyễn Văn An, số điện thoại 0912 345 678.',
  'utf8',
);

describe('attachments: scanned letters', () => {
  let platform: Platform;
  let staff: Client;
  let moderator: Client;
  let auditor: Client;
  let parent: Client;
  let spokesperson: Client;
  let policyId: string;
  let opensAt: string;

  async function upload(
    who: Client | null,
    body: Buffer,
    type = 'application/pdf',
    headers: Record<string, string> = {},
  ) {
    const res = await fetch(`${platform.baseUrl}/attachments`, {
      method: 'POST',
      headers: { 'content-type': type, ...(who?.token ? { authorization: `Bearer ${who.token}` } : {}), ...headers },
      body: new Uint8Array(body),
    });
    return {
      status: res.status,
      body: (await res.json()) as { sha256?: string; size?: number; error?: { code: string; messageVi: string } },
    };
  }
  async function download(who: Client | null, url: string) {
    const res = await fetch(`${platform.baseUrl}${url}`, {
      headers: who?.token ? { authorization: `Bearer ${who.token}` } : {},
    });
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      disposition: res.headers.get('content-disposition'),
      bytes: Buffer.from(await res.arrayBuffer()),
    };
  }
  const letter = (attachments: unknown[]) => ({
    policyId,
    channel: 'LETTER',
    // Dated at the round's opening: received within the round whenever the test runs.
    receivedAt: opensAt,
    senderName: 'Nguyễn Văn An',
    stakeholderCategory: 'PARENT',
    body: 'Đề nghị thư viện mở cửa sáng thứ Bảy (thư tay, bản quét đính kèm).',
    stance: 'SUGGESTION',
    idempotencyKey: randomUUID(),
    attachments,
  });

  beforeAll(async () => {
    platform = await startPlatform();
    staff = await signInAs(platform, 'staff');
    moderator = await signInAs(platform, 'moderator');
    auditor = await signInAs(platform, 'auditor');
    parent = await signInAs(platform, 'participant');
    spokesperson = await signInAs(platform, 'spokesperson');
    const list = await client(platform.baseUrl).gql<{
      policies: { edges: { node: { id: string; currentRound: { opensAt: string } } }[] };
    }>('{ policies(status: CONSULTATION) { edges { node { id currentRound { opensAt } } } } }');
    policyId = list.policies.edges[0]!.node.id;
    opensAt = list.policies.edges[0]!.node.currentRound.opensAt;
  }, 180_000);

  afterAll(async () => {
    await stopPlatform(platform);
  });

  it('lets only staff upload, refuses files that are not documents, and stores the scan encrypted', async () => {
    expect((await upload(null, SCAN)).status).toBe(401);
    for (const who of [parent, moderator, spokesperson]) {
      const refused = await upload(who, SCAN);
      expect(refused.status).toBe(403);
      expect(refused.body.error?.code).toBe('FORBIDDEN');
    }
    const script = await upload(staff, Buffer.from('<script>alert(1)</script>'), 'text/html');
    expect(script.status).toBe(400);
    expect(script.body.error?.code).toBe('VALIDATION');
    // A browser form cannot send the site's header: a cookie alone does not upload.
    const crossSite = await fetch(`${platform.baseUrl}/attachments`, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf', cookie: `gopy_session=${staff.token}` },
      body: new Uint8Array(SCAN),
    });
    expect(crossSite.status).toBe(403);

    const stored = await upload(staff, SCAN);
    expect(stored.status).toBe(201);
    expect(stored.body.sha256).toBe(createHash('sha256').update(SCAN).digest('hex'));
    expect(stored.body.size).toBe(SCAN.length);
    const file = path.join(platform.dataDir, 'blobs', stored.body.sha256!.slice(0, 2), stored.body.sha256!);
    const onDisk = fs.readFileSync(file);
    expect(onDisk.includes(Buffer.from('0912 345 678'))).toBe(false);
    expect(onDisk.includes(Buffer.from('%PDF'))).toBe(false);
  });

  it('records a letter with its scan; staff, moderators and auditors download it, others cannot', async () => {
    const { body } = await upload(staff, SCAN);
    const sha256 = body.sha256!;
    const unknown = await staff.gql<{ recordOfflineFeedback: ResultUnion }>(OFFLINE, {
      input: letter([{ sha256: 'a'.repeat(64), fileName: 'thu.pdf', mediaType: 'application/pdf' }]),
    });
    expectRefusal(unknown.recordOfflineFeedback, {
      typename: 'ValidationError',
      code: 'VALIDATION',
      field: 'attachments[0].sha256',
    });

    const recorded = await staff.gql<{ recordOfflineFeedback: ResultUnion }>(OFFLINE, {
      input: letter([{ sha256, fileName: 'Thư của phụ huynh lớp 5A.pdf', mediaType: 'application/pdf' }]),
    });
    const comment = ok<{ comment: { id: string; channel: string; attachments: Attachment[] } }>(
      recorded.recordOfflineFeedback,
    ).comment;
    expect(comment.channel).toBe('LETTER');
    expect(comment.attachments).toHaveLength(1);
    const [scan] = comment.attachments;
    expect(scan).toMatchObject({
      fileName: 'Thư của phụ huynh lớp 5A.pdf',
      mediaType: 'application/pdf',
      size: SCAN.length,
      sha256,
    });

    for (const who of [staff, moderator, auditor]) {
      const got = await download(who, scan!.url);
      expect(got.status).toBe(200);
      expect(got.type).toContain('application/pdf');
      expect(got.bytes.equals(SCAN)).toBe(true);
      expect(got.disposition).toContain(encodeURIComponent('Thư của phụ huynh lớp 5A.pdf'));
    }
    // Refused exactly as a file that does not exist: the answer does not tell that a scan is there.
    const missing = await download(staff, `/attachments/${randomUUID()}`);
    expect(missing.status).toBe(404);
    for (const who of [null, parent, spokesperson]) {
      const refused = await download(who, scan!.url);
      expect(refused.status).toBe(404);
      expect(refused.bytes.equals(missing.bytes)).toBe(true);
    }

    // Each download of the scan, and only those, is in the auditors' read log: who, what, when, at which position.
    const reads = (
      await auditor.gql<{
        auditReadLog: { subjectKind: string; subjectId: string; readerRole: string; position: string; field: string }[];
      }>('{ auditReadLog(first: 50) { subjectKind subjectId readerRole position field } }')
    ).auditReadLog.filter((r) => r.subjectKind === 'attachment' && r.subjectId === scan!.id);
    expect(reads.map((r) => r.readerRole).sort()).toEqual(['auditor', 'moderator', 'staff']);
    expect(reads.every((r) => r.field === 'export:attachment' && r.position.length > 0)).toBe(true);

    // The list shows the scan to those who may open it, and to nobody else.
    const listed = async (who: Client) =>
      (
        await who.gql<{
          policy: { comments: { edges: { node: { id: string; attachments: { sha256: string }[] } }[] } };
        }>(ATTACHMENTS, { id: policyId })
      ).policy.comments.edges.find((e) => e.node.id === comment.id)?.node.attachments;
    expect(await listed(moderator)).toEqual([{ id: scan!.id, sha256 }]);
    expect(await listed(parent)).toEqual([]);
    expect(await listed(client(platform.baseUrl))).toEqual([]);
  });

  it('refuses to record feedback with attachments for anyone but staff', async () => {
    const { body } = await upload(staff, SCAN);
    for (const who of [parent, moderator]) {
      const refused = await who.gql<{ recordOfflineFeedback: ResultUnion }>(OFFLINE, {
        input: letter([{ sha256: body.sha256, fileName: 'thu.pdf', mediaType: 'application/pdf' }]),
      });
      expectRefusal(refused.recordOfflineFeedback, { typename: 'ForbiddenError', code: 'FORBIDDEN' });
    }
  });

  it('attaches the explanatory memorandum to a version: staff only; public to read and download', async () => {
    const memo = Buffer.from('%PDF-1.4\n% Tờ trình về dự thảo quy định thu, chi\n%%EOF\n', 'utf8');
    const { body } = await upload(staff, memo);
    const file = { sha256: body.sha256, fileName: 'to-trinh-12.pdf', mediaType: 'application/pdf' };
    expectRefusal(
      (await client(platform.baseUrl).gql<Record<string, ResultUnion>>(ATTACH_DOCUMENT, { policyId, version: 1, file }))
        .attachVersionDocument!,
      {
        typename: 'UnauthenticatedError',
        code: 'UNAUTHENTICATED',
      },
    );
    for (const who of [parent, moderator, spokesperson, auditor]) {
      const refused = (await who.gql<Record<string, ResultUnion>>(ATTACH_DOCUMENT, { policyId, version: 1, file }))
        .attachVersionDocument!;
      expectRefusal(refused, { typename: 'ForbiddenError', code: 'FORBIDDEN' });
    }
    expectRefusal(
      (await staff.gql<Record<string, ResultUnion>>(ATTACH_DOCUMENT, { policyId, version: 9, file }))
        .attachVersionDocument!,
      {
        typename: 'NotFoundError',
        code: 'NOT_FOUND',
      },
    );
    expectRefusal(
      (
        await staff.gql<Record<string, ResultUnion>>(ATTACH_DOCUMENT, {
          policyId,
          version: 1,
          file: { ...file, sha256: 'b'.repeat(64) },
        })
      ).attachVersionDocument!,
      { typename: 'ValidationError', code: 'VALIDATION', field: 'attachments[0].sha256' },
    );

    const attached = ok<{ document: { id: string; kind: string; title: string; version: number; url: string } }>(
      (await staff.gql<Record<string, ResultUnion>>(ATTACH_DOCUMENT, { policyId, version: 1, file }))
        .attachVersionDocument!,
    ).document;
    expect(attached).toMatchObject({ kind: 'to_trinh', title: 'Tờ trình số 12/TTr-PGDĐT', version: 1 });

    const anonymous = client(platform.baseUrl);
    const { policy } = await anonymous.gql<{
      policy: { documents: { id: string; sha256: string; size: number; url: string }[] };
    }>(DOCUMENTS, { id: policyId });
    expect(policy.documents.map((d) => d.id)).toContain(attached.id);
    const listed = policy.documents.find((d) => d.id === attached.id)!;
    expect(listed.sha256).toBe(body.sha256);
    expect(listed.size).toBe(memo.length);
    const got = await download(null, listed.url);
    expect(got.status).toBe(200);
    expect(got.bytes.equals(memo)).toBe(true);
  });
});
