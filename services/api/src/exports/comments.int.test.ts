import { readLog } from '@gopy/application/audit/readLog';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '@gopy/application/commands';
import type { DraftNode, Role } from '@gopy/schemas';
import { buildApp } from '../app';
import { loadConfig } from '@gopy/composition/config';
import { openEmbeddedRuntime, type Runtime } from '@gopy/composition/runtime';

class ManualClock {
  constructor(private t: number) {}
  now() {
    return new Date(this.t);
  }
  advance(ms: number) {
    this.t += ms;
  }
}

const node = (nodeId: string, kind: DraftNode['kind'], number: string, children: DraftNode[] = []): DraftNode => ({
  nodeId,
  kind,
  number,
  heading: '',
  text: '',
  children,
});

describe('comment exports (CSV and XLSX) at a stated log position', () => {
  const clock = new ManualClock(Date.parse('2026-11-02T01:00:00.000Z'));
  let runtime: Runtime;
  let dataDir = '';
  let server: import('node:http').Server;
  let base: string;
  let letterReceivedAt = '';
  const organizationId = randomUUID();
  const policyId = randomUUID();
  const article = randomUUID();
  const clause = randomUUID();
  const tokens: Record<string, string> = {};
  const accounts: Record<string, string> = {};
  /** What was submitted, in order, and what became of it. */
  const seeded: {
    id: string;
    body: string;
    fate: 'visible' | 'hidden' | 'withdrawn' | 'redacted';
    node: string;
    stance: string;
    channel: string;
  }[] = [];

  const get = async (url: string, who?: string) => {
    const res = await fetch(`${base}${url}`, { headers: who ? { authorization: `Bearer ${tokens[who]}` } : {} });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  };
  const csvUrl = `/export/policies/${policyId}/rounds/1/comments.csv`;
  const xlsxUrl = `/export/policies/${policyId}/rounds/1/comments.xlsx`;
  const settle = async () => runtime.projector.waitFor((await runtime.store.headPosition())!, 30_000);

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-export-'));
    runtime = await openEmbeddedRuntime(loadConfig({ GOPY_DATA_DIR: dataDir, GOPY_DEMO: '0', GOPY_SERVE_WEB: '0' }), {
      clock,
      log: () => {},
    });
    runtime.projector.start();
    const system: Principal = { accountId: randomUUID(), rolesIn: async () => ['admin'] };
    await runtime.commands.organization(
      {
        type: 'RegisterOrganization',
        organizationId,
        name: 'Phòng Giáo dục và Đào tạo huyện Hoà Bình',
        kind: 'district_office',
        levels: [],
        schoolType: '',
        parentOrganizationId: null,
      },
      system,
      { systemActor: true },
    );
    const people: [string, Role[]][] = [
      ['staff', ['staff']],
      ['auditor', ['auditor']],
      ['moderator', ['moderator']],
      ['parent', []],
    ];
    for (const [key, roles] of people) {
      const email = `${key}@xuat.gopy.vn`;
      accounts[key] = await runtime.accounts.signUp(
        {
          email,
          password: 'mật khẩu dài 123',
          displayName: key,
          pseudonym: null,
          stakeholderCategory: 'parent',
          locale: 'vi',
        },
        { origin: 'admin', verified: true },
      );
      if (roles.length)
        await runtime.commands.organization(
          { type: 'AddMember', organizationId, accountId: accounts[key]!, roles },
          system,
          { systemActor: true },
        );
      tokens[key] = (await runtime.accounts.signIn(email, 'mật khẩu dài 123')).token;
    }
    const as = (key: string, roles: Role[] = []): Principal => ({
      accountId: accounts[key]!,
      rolesIn: async () => [...roles, 'participant'],
    });
    const staff = as('staff', ['staff']);
    const moderator = as('moderator', ['moderator']);
    await runtime.commands.policy(
      {
        type: 'ProposePolicy',
        policyId,
        owningOrganizationId: organizationId,
        title: 'Quy định về dạy thêm, học thêm',
        summary: '',
        topics: [],
      },
      staff,
    );
    await runtime.commands.policy({ type: 'StartDrafting', policyId }, staff);
    await runtime.commands.policy(
      {
        type: 'PublishDraftVersion',
        policyId,
        title: 'Quy định về dạy thêm, học thêm',
        nodes: [node(article, 'article', '3', [node(clause, 'clause', '2')])],
        changeNote: '',
      },
      staff,
    );
    await runtime.commands.policy(
      {
        type: 'OpenConsultation',
        policyId,
        opensAt: clock.now().toISOString(),
        closesAt: '2026-12-31T17:00:00.000Z',
        note: '',
      },
      staff,
    );
    const bodies = [
      'Đề nghị không tổ chức dạy thêm trong trường, vì "học thêm" gây áp lực cho các cháu.',
      'Dòng một.\nDòng hai, có dấu phẩy; và "ngoặc kép".',
      'Hoà đồng ý với khoản 2.',
      'Ý kiến sẽ bị ẩn vì lời lẽ không phù hợp.',
      'Ý kiến tôi xin rút lại.',
      'Ý kiến có số điện thoại 0912 345 678.',
      'Thư của hội cha mẹ học sinh trường THCS Nguyễn Du.',
    ];
    for (const [i, body] of bodies.entries()) {
      clock.advance(3_600_000);
      const commentId = randomUUID();
      const anchor = i % 3 === 0 ? null : i % 3 === 1 ? article : clause;
      if (i === 6) {
        await runtime.commands.comment(
          {
            type: 'RecordOfflineFeedback',
            commentId,
            policyId,
            channel: 'letter',
            receivedAt: (letterReceivedAt = new Date(clock.now().getTime() - 1_800_000).toISOString()),
            offlineSender: null,
            stakeholderCategory: 'organization',
            body,
            stance: 'oppose',
            anchorNodeId: anchor,
            idempotencyKey: `letter-${i}`,
          },
          staff,
        );
      } else {
        await runtime.commands.comment(
          {
            type: 'SubmitComment',
            commentId,
            policyId,
            version: 1,
            anchorNodeId: anchor,
            parentCommentId: null,
            body,
            stance: 'suggestion',
            stakeholderCategory: 'parent',
            authorAccountId: accounts.parent!,
            pseudonym: null,
            idempotencyKey: `c-${i}`,
          },
          as('parent'),
        );
      }
      seeded.push({
        id: commentId,
        body,
        fate: 'visible',
        node: anchor === null ? 'Toàn bộ dự thảo' : anchor === article ? 'Điều 3' : 'Khoản 2',
        stance: i === 6 ? 'Không đồng ý' : 'Đề xuất',
        channel: i === 6 ? 'Thư, công văn' : 'Cổng thông tin',
      });
    }
    await runtime.commands.comment(
      { type: 'EditComment', commentId: seeded[2]!.id, body: 'Hoà đồng ý với khoản 2, có sửa.', stance: 'support' },
      as('parent'),
    );
    Object.assign(seeded[2]!, { body: 'Hoà đồng ý với khoản 2, có sửa.', stance: 'Đồng ý' });
    await runtime.commands.comment(
      { type: 'HideComment', commentId: seeded[3]!.id, reasonCode: 'abuse', reason: 'Lời lẽ xúc phạm' },
      moderator,
    );
    seeded[3]!.fate = 'hidden';
    await runtime.commands.comment({ type: 'WithdrawComment', commentId: seeded[4]!.id, reason: '' }, as('parent'));
    seeded[4]!.fate = 'withdrawn';
    await runtime.commands.comment(
      { type: 'RedactComment', commentId: seeded[5]!.id, reason: 'Có số điện thoại' },
      moderator,
    );
    await runtime.keys.destroyKey(`comment:${seeded[5]!.id}`);
    seeded[5]!.fate = 'redacted';
    await settle();
    const app = await buildApp(runtime, {});
    server = app.listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 120_000);

  afterAll(async () => {
    if (server) await new Promise((resolve) => server.close(resolve));
    await runtime?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const parseCsv = (bytes: Buffer) => parse(bytes, { bom: true, relax_column_count: true }) as string[][];

  async function xlsxRows(bytes: Buffer): Promise<string[][]> {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    const out: string[][] = [];
    sheet.eachRow((row) => {
      // Row values are 1-based and sparse (an empty cell is a hole).
      const values = row.values as unknown[];
      out.push(
        Array.from({ length: values.length - 1 }, (_, i) => values[i + 1]).map((v) =>
          v === null || v === undefined ? '' : String(v),
        ),
      );
    });
    return out;
  }

  it('gives staff the visible comments as CSV, opening with the log position it was read at', async () => {
    const res = await get(csvUrl, 'staff');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const position = res.headers.get('x-gopy-position')!;
    // Read at the head, then the read is recorded: the newest event of the log is that record, naming this position.
    const [read] = await readLog(runtime.store, 1);
    expect(read).toMatchObject({
      subjectKind: 'commentsExport',
      subjectId: `${policyId}/1@${position}`,
      field: 'export:comments.csv',
      readerRole: 'staff',
    });
    expect(read!.position).toBe(await runtime.store.headPosition());
    const [first, header, ...rows] = parseCsv(res.body);
    expect(first!.slice(0, 2)).toEqual(['Vị trí nhật ký', position]);
    expect(first!.slice(2, 6)).toEqual(['Dự thảo', policyId, 'Đợt lấy ý kiến', '1']);
    expect(header![0]).toBe('STT');
    const visible = seeded.filter((s) => s.fate === 'visible');
    expect(rows.map((r) => r[1])).toEqual(visible.map((s) => s.id));
    expect(rows.map((r) => r[0])).toEqual(visible.map((_, i) => String(i + 1)));
    expect(rows.map((r) => r[11])).toEqual(visible.map((s) => s.body));
    expect(rows.map((r) => r[7])).toEqual(visible.map((s) => s.node));
    expect(rows.map((r) => r[6])).toEqual(visible.map((s) => s.stance));
    expect(rows.map((r) => r[4])).toEqual(visible.map((s) => s.channel));
    expect(rows.every((r) => r[9] === 'Hiển thị')).toBe(true);
    expect(rows.find((r) => r[1] === seeded[2]!.id)![10]).toBe('1');
    // Times in Vietnam time with the offset stated, in the cell and in the header.
    expect(header!.slice(2, 4)).toEqual([
      'Thời điểm nhận (giờ Việt Nam, UTC+07:00)',
      'Thời điểm ghi nhận (giờ Việt Nam, UTC+07:00)',
    ]);
    for (const r of rows)
      for (const cell of r.slice(2, 4)) expect(cell).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$/);
    const letter = rows.find((r) => r[1] === seeded[6]!.id)!;
    expect(Date.parse(letter[2]!)).toBe(Math.floor(Date.parse(letterReceivedAt) / 1000) * 1000);
    expect(letter[2]!.slice(11, 13)).toBe(String((new Date(letterReceivedAt).getUTCHours() + 7) % 24).padStart(2, '0'));
  });

  it('gives the same rows as XLSX (read back with exceljs), the position in A1:B1', async () => {
    const res = await get(xlsxUrl, 'staff');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/spreadsheetml/);
    const rows = await xlsxRows(res.body);
    const csv = parseCsv((await get(csvUrl, 'staff')).body);
    expect(rows[0]!.slice(0, 2)).toEqual(['Vị trí nhật ký', res.headers.get('x-gopy-position')]);
    expect(rows.slice(1)).toEqual(csv.slice(1));
  });

  it('gives auditors hidden, withdrawn and redacted comments too, with their status and no redacted text', async () => {
    const rows = parseCsv((await get(csvUrl, 'auditor')).body).slice(2);
    expect(rows.map((r) => r[1])).toEqual(seeded.map((s) => s.id));
    const byId = new Map(rows.map((r) => [r[1], r]));
    expect(byId.get(seeded[3]!.id)![9]).toBe('Đã ẩn');
    expect(byId.get(seeded[3]!.id)![11]).toBe(seeded[3]!.body);
    expect(byId.get(seeded[4]!.id)![9]).toBe('Đã rút');
    expect(byId.get(seeded[5]!.id)![9]).toBe('Đã xoá nội dung');
    expect(byId.get(seeded[5]!.id)![11]).toBe('');
    const xlsx = await xlsxRows((await get(xlsxUrl, 'auditor')).body);
    expect(xlsx.slice(2).map((r) => r[9])).toEqual(rows.map((r) => r[9]));
  });

  it('is reproducible: the same position gives the same bytes, even after the log has moved on', async () => {
    const first = await get(csvUrl, 'staff');
    const position = first.headers.get('x-gopy-position')!;
    const firstXlsx = await get(`${xlsxUrl}?position=${position}`, 'staff');
    clock.advance(60_000);
    const late = randomUUID();
    await runtime.commands.comment(
      {
        type: 'SubmitComment',
        commentId: late,
        policyId,
        version: 1,
        anchorNodeId: null,
        parentCommentId: null,
        body: 'Một ý kiến đến muộn.',
        stance: 'neutral',
        stakeholderCategory: 'parent',
        authorAccountId: accounts.parent!,
        pseudonym: null,
        idempotencyKey: 'late',
      },
      { accountId: accounts.parent!, rolesIn: async () => ['participant'] },
    );
    await runtime.commands.comment(
      { type: 'HideComment', commentId: seeded[0]!.id, reasonCode: 'spam', reason: 'Lặp lại' },
      { accountId: accounts.moderator!, rolesIn: async () => ['moderator'] },
    );
    // Zip entries carry a time with two-second steps: wait past one so a stamped time would show.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const again = await get(`${csvUrl}?position=${position}`, 'staff');
    const againXlsx = await get(`${xlsxUrl}?position=${position}`, 'staff');
    expect(again.body.equals(first.body)).toBe(true);
    expect(againXlsx.body.equals(firstXlsx.body)).toBe(true);
    const now = await get(csvUrl, 'staff');
    expect(now.headers.get('x-gopy-position')).not.toBe(position);
    const ids = parseCsv(now.body)
      .slice(2)
      .map((r) => r[1]);
    expect(ids).toContain(late);
    expect(ids).not.toContain(seeded[0]!.id);
  });

  it('refuses anonymous visitors, participants and moderators, and bad positions or rounds', async () => {
    expect((await get(csvUrl)).status).toBe(401);
    expect((await get(csvUrl, 'parent')).status).toBe(403);
    expect((await get(xlsxUrl, 'moderator')).status).toBe(403);
    const refused = await get(csvUrl, 'parent');
    expect(refused.body.toString('utf8')).toMatch(/không có quyền/);
    expect((await get(`${csvUrl}?position=abc`, 'staff')).status).toBe(400);
    expect((await get(`${csvUrl}?position=9999999999999999`, 'staff')).status).toBe(400);
    expect((await get(`/export/policies/${policyId}/rounds/2/comments.csv`, 'staff')).status).toBe(404);
    expect((await get(`/export/policies/${randomUUID()}/rounds/1/comments.csv`, 'staff')).status).toBe(404);
    expect((await get(`/export/policies/${policyId}/rounds/1/comments.pdf`, 'staff')).status).toBe(404);
  });

  it('speaks English when asked', async () => {
    const [first, header, ...rows] = parseCsv((await get(`${csvUrl}?lang=en`, 'staff')).body);
    expect(first![0]).toBe('Log position');
    expect(header![0]).toBe('No.');
    expect(header![2]).toBe('Received at (Vietnam time, UTC+07:00)');
    // The glossary's English words: stance, channel, status.
    const letter = rows.find((r) => r[1] === seeded[6]!.id)!;
    expect([letter[4], letter[5], letter[6], letter[9]]).toEqual(['Letter', 'Organisation', 'Oppose', 'Visible']);
  });
});
