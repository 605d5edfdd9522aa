import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commentIdFor, type Principal } from '@gopy/application/commands';
import { compileFigures, sumFigures, type SemesterFigures } from '@gopy/application/semesterReports';
import { ForbiddenError, IllegalStateError } from '@gopy/domain/errors';
import { periodRange } from '@gopy/domain/report';
import type { DraftNode, Role, StakeholderCategory } from '@gopy/schemas';
import { semesterReportQueries } from '@gopy/application/readModels/index';
import { loadConfig } from '@gopy/composition/config';
import { semesterReportDocx, semesterReportPdf } from './exports/semesterReports';
import { openEmbeddedRuntime, type Runtime } from '@gopy/composition/runtime';

class ManualClock {
  constructor(private t: number) {}
  now() {
    return new Date(this.t);
  }
  set(iso: string) {
    this.t = Date.parse(iso);
  }
}

const as = (accountId: string, roles: Role[]): Principal => ({
  accountId,
  rolesIn: async () => [...roles, 'participant'],
});
const S1 = '2026-2027-S1';
const S2 = '2026-2027-S2';

/**
 * Semester reports over a real embedded runtime: three schools of one district consult (or not), staff compile and
 * submit; the district's rollup must equal the sum of its schools' figures counted straight from the log, and the late
 * lists of both semesters name exactly the schools that did not submit by the deadline.
 */
describe('semester reports and the district rollup', () => {
  let runtime: Runtime;
  let dataDir: string;
  const clock = new ManualClock(Date.parse('2026-09-10T02:00:00.000Z'));
  const district = randomUUID();
  const schools = { a: randomUUID(), b: randomUUID(), c: randomUUID() };
  const system: Principal = { accountId: randomUUID(), rolesIn: async () => [] };
  const staff = as(randomUUID(), ['staff']);
  const moderator = as(randomUUID(), ['moderator']);
  const settle = async () => runtime.projector.waitFor((await runtime.store.headPosition())!, 20_000);
  let n = 0;

  const draft = (): DraftNode[] => [
    {
      nodeId: randomUUID(),
      kind: 'article',
      number: '1',
      heading: 'Phạm vi',
      text: 'Quy định về đồng phục học sinh.',
      children: [],
    },
  ];

  async function consultation(organizationId: string, opensAt: string, closesAt: string): Promise<string> {
    const policyId = randomUUID();
    clock.set(opensAt);
    await runtime.commands.policy(
      {
        type: 'ProposePolicy',
        policyId,
        owningOrganizationId: organizationId,
        title: 'Quy định đồng phục',
        summary: 'Đồng phục học sinh.',
        topics: [],
      },
      staff,
    );
    await runtime.commands.policy({ type: 'StartDrafting', policyId }, staff);
    await runtime.commands.policy(
      { type: 'PublishDraftVersion', policyId, title: 'Quy định đồng phục', nodes: draft(), changeNote: 'Lần 1' },
      staff,
    );
    await runtime.commands.policy({ type: 'OpenConsultation', policyId, opensAt, closesAt, note: '' }, staff);
    return policyId;
  }

  async function comment(policyId: string, at: string, category: StakeholderCategory): Promise<string> {
    clock.set(at);
    const author = randomUUID();
    const key = `sr-${n++}`;
    const commentId = commentIdFor(author, key);
    await runtime.commands.comment(
      {
        type: 'SubmitComment',
        commentId,
        policyId,
        version: 1,
        anchorNodeId: null,
        parentCommentId: null,
        body: `Ý kiến ${n}.`,
        stance: 'neutral',
        stakeholderCategory: category,
        authorAccountId: author,
        pseudonym: null,
        idempotencyKey: key,
      },
      as(author, []),
    );
    return commentId;
  }

  async function letter(policyId: string, at: string): Promise<void> {
    clock.set(at);
    const key = `letter-${n++}`;
    await runtime.commands.comment(
      {
        type: 'RecordOfflineFeedback',
        commentId: commentIdFor(staff.accountId, key),
        policyId,
        channel: 'letter',
        receivedAt: at,
        offlineSender: null,
        stakeholderCategory: 'parent',
        body: 'Thư góp ý của phụ huynh.',
        stance: 'suggestion',
        anchorNodeId: null,
        idempotencyKey: key,
      },
      staff,
    );
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-reports-'));
    runtime = await openEmbeddedRuntime(loadConfig({ GOPY_DATA_DIR: dataDir, GOPY_DEMO: '0' }), {
      clock,
      log: () => {},
    });
    runtime.projector.start();
    const org = (
      organizationId: string,
      name: string,
      kind: 'district_office' | 'school',
      parent: string | null,
      levels: ('MN' | 'TH' | 'THCS')[],
    ) =>
      runtime.commands.organization(
        {
          type: 'RegisterOrganization',
          organizationId,
          name,
          kind,
          levels,
          schoolType: '',
          parentOrganizationId: parent,
        },
        system,
        { systemActor: true },
      );
    await org(district, 'Phòng GDĐT huyện Hoà Bình', 'district_office', null, []);
    await org(schools.a, 'Trường Mầm non Hoa Sen', 'school', district, ['MN']);
    await org(schools.b, 'Trường TH&THCS Kim Đồng', 'school', district, ['TH', 'THCS']);
    await org(schools.c, 'Trường THCS Lê Lợi', 'school', district, ['THCS']);

    // School A: a round in semester I with online comments and a letter; one comment hidden, one withdrawn.
    const a1 = await consultation(schools.a, '2026-09-15T01:00:00.000Z', '2026-10-15T10:00:00.000Z');
    const hidden = await comment(a1, '2026-09-16T03:00:00.000Z', 'parent');
    await comment(a1, '2026-09-17T03:00:00.000Z', 'teacher');
    await comment(a1, '2026-09-18T03:00:00.000Z', 'parent');
    const withdrawnAuthor = randomUUID();
    clock.set('2026-09-19T03:00:00.000Z');
    const withdrawn = commentIdFor(withdrawnAuthor, 'w');
    await runtime.commands.comment(
      {
        type: 'SubmitComment',
        commentId: withdrawn,
        policyId: a1,
        version: 1,
        anchorNodeId: null,
        parentCommentId: null,
        body: 'Tôi rút lại.',
        stance: 'oppose',
        stakeholderCategory: 'student',
        authorAccountId: withdrawnAuthor,
        pseudonym: null,
        idempotencyKey: 'w',
      },
      as(withdrawnAuthor, []),
    );
    await runtime.commands.comment(
      { type: 'WithdrawComment', commentId: withdrawn, reason: '' },
      as(withdrawnAuthor, []),
    );
    await letter(a1, '2026-09-20T03:00:00.000Z');
    clock.set('2026-09-21T03:00:00.000Z');
    await runtime.commands.comment(
      { type: 'HideComment', commentId: hidden, reasonCode: 'abuse', reason: 'Lời lẽ xúc phạm' },
      moderator,
    );
    // School B: one round in semester I, and one in semester II that must not count in semester I.
    const b1 = await consultation(schools.b, '2026-10-01T01:00:00.000Z', '2026-11-01T10:00:00.000Z');
    await comment(b1, '2026-10-02T03:00:00.000Z', 'student');
    await comment(b1, '2026-10-03T03:00:00.000Z', 'school_manager');
    const b2 = await consultation(schools.b, '2027-02-10T01:00:00.000Z', '2027-03-10T10:00:00.000Z');
    await comment(b2, '2027-02-11T03:00:00.000Z', 'parent');
    // School C consults nothing.
    await settle();
  }, 120_000);

  afterAll(async () => {
    await runtime?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** A school's semester figures counted straight from the log, without the read models. */
  async function fromTheLog(
    organizationId: string,
    period: string,
  ): Promise<Pick<SemesterFigures, 'consultations' | 'comments' | 'commentsByCategory' | 'commentsByChannel'>> {
    const { start, end } = periodRange(period);
    const owner = new Map<string, string>();
    const rounds: { policyId: string; opensAt: string; closesAt: string }[] = [];
    const comments = new Map<
      string,
      { policyId: string; category: string; channel: string; receivedAt: string; visible: boolean }
    >();
    for await (const e of runtime.store.readAll()) {
      const d = JSON.parse(e.data) as Record<string, string>;
      if (e.type === 'PolicyProposed') owner.set(d.policyId!, d.owningOrganizationId!);
      if (e.type === 'ConsultationOpened')
        rounds.push({ policyId: d.policyId!, opensAt: d.opensAt!, closesAt: d.closesAt! });
      if (e.type === 'CommentSubmitted') {
        comments.set(d.commentId!, {
          policyId: d.policyId!,
          category: d.stakeholderCategory!,
          channel: d.channel!,
          receivedAt: d.receivedAt!,
          visible: true,
        });
      }
      if (e.type === 'CommentHidden' || e.type === 'CommentWithdrawn' || e.type === 'CommentRedacted')
        comments.get(d.commentId!)!.visible = false;
      if (e.type === 'CommentRestored') comments.get(d.commentId!)!.visible = true;
    }
    const inPeriod = (t: string) => Date.parse(t) >= Date.parse(start) && Date.parse(t) < Date.parse(end);
    const mine = [...comments.values()].filter(
      (c) => owner.get(c.policyId) === organizationId && c.visible && inPeriod(c.receivedAt),
    );
    const tally = (pick: (c: (typeof mine)[number]) => string) =>
      mine.reduce<Record<string, number>>((acc, c) => ({ ...acc, [pick(c)]: (acc[pick(c)] ?? 0) + 1 }), {});
    return {
      consultations: rounds.filter(
        (r) =>
          owner.get(r.policyId) === organizationId &&
          Date.parse(r.opensAt) < Date.parse(end) &&
          Date.parse(r.closesAt) >= Date.parse(start),
      ).length,
      comments: mine.length,
      commentsByCategory: tally((c) => c.category),
      commentsByChannel: tally((c) => c.channel),
    };
  }

  it("counts each school's semester from the read models exactly as the log says", async () => {
    for (const school of Object.values(schools)) {
      for (const period of [S1, S2]) {
        const figures = await compileFigures(runtime.readDb, school, period);
        expect(figures).toMatchObject(await fromTheLog(school, period));
      }
    }
    // Spot checks that the fixtures mean what they say: hidden and withdrawn comments do not count, a letter does.
    expect(await compileFigures(runtime.readDb, schools.a, S1)).toMatchObject({
      consultations: 1,
      comments: 3,
      commentsByChannel: { web: 2, letter: 1 },
    });
    expect(await compileFigures(runtime.readDb, schools.b, S2)).toMatchObject({ consultations: 1, comments: 1 });
  });

  it("a district's rollup is the sum of its schools' figures, and the late list names who did not submit", async () => {
    clock.set('2026-12-01T03:00:00.000Z');
    await runtime.semesterReports.compile(schools.a, S1, 'Học kỳ I: một đợt lấy ý kiến về đồng phục.', staff);
    await runtime.semesterReports.submit(schools.a, S1, staff);
    await runtime.semesterReports.compile(schools.b, S1, '', staff);
    await settle();

    const before = await runtime.semesterReports.overview(district, S1);
    expect(before.deadline).toBe('2026-12-15T17:00:00.000Z');
    expect(Object.fromEntries(before.children.map((c) => [c.organization.id, c.status]))).toEqual({
      [schools.a]: 'submitted',
      [schools.b]: 'compiled',
      [schools.c]: 'due',
    });
    expect(before.late).toEqual([]);

    const independent = await Promise.all(Object.values(schools).map((s) => fromTheLog(s, S1)));
    expect(before.rollup).toMatchObject({
      consultations: independent.reduce((n, f) => n + f.consultations, 0),
      comments: independent.reduce((n, f) => n + f.comments, 0),
    });
    expect(before.rollup).toEqual(
      sumFigures(await Promise.all(Object.values(schools).map((s) => compileFigures(runtime.readDb, s, S1)))),
    );
    // The submitted report keeps the figures it was compiled with, and says where it went.
    const submitted = before.children.find((c) => c.organization.id === schools.a)!.report!;
    expect(submitted).toMatchObject({
      status: 'submitted',
      submittedTo: district,
      figures: { comments: 3, consultations: 1 },
    });

    clock.set('2026-12-15T17:00:00.000Z');
    const after = await runtime.semesterReports.overview(district, S1);
    expect(after.late.map((o) => o.id).sort()).toEqual([schools.b, schools.c].sort());
  });

  it('semester II has its own deadline and its own late list', async () => {
    clock.set('2027-05-10T03:00:00.000Z');
    await runtime.semesterReports.compile(schools.b, S2, 'Học kỳ II.', staff);
    await runtime.semesterReports.submit(schools.b, S2, staff);
    await settle();
    expect((await runtime.semesterReports.overview(district, S2)).late).toEqual([]);
    clock.set('2027-05-15T16:59:59.000Z');
    expect((await runtime.semesterReports.overview(district, S2)).late).toEqual([]);
    clock.set('2027-05-15T17:00:00.000Z');
    const overview = await runtime.semesterReports.overview(district, S2);
    expect(overview.late.map((o) => o.id).sort()).toEqual([schools.a, schools.c].sort());
    expect(overview.rollup).toMatchObject({ consultations: 1, comments: 1 });
  });

  it("writes the district's report as DOCX and PDF: its schools' rows, the late list and the rollup", async () => {
    clock.set('2026-12-20T03:00:00.000Z');
    const overview = await runtime.semesterReports.overview(district, S1);
    const [schoolReport] = await semesterReportQueries.byOrganizations(runtime.readDb, [schools.a], S1);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-report-doc-'));
    const docxFile = path.join(dir, 'district.docx');
    fs.writeFileSync(
      docxFile,
      await semesterReportDocx({
        organization: 'Phòng GDĐT huyện Hoà Bình',
        parent: null,
        period: S1,
        report: null,
        overview,
      }),
    );
    const xml = execFileSync('unzip', ['-p', docxFile, 'word/document.xml']).toString('utf8');
    const unescape = (t: string) =>
      t
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'")
        .replace(/&amp;/g, '&');
    const cells = (row: string) =>
      [...row.matchAll(/<w:tc>([\s\S]*?)<\/w:tc>/g)].map((c) =>
        unescape([...c[1]!.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]).join('')),
      );
    const rows = [...xml.matchAll(/<w:tr(?: [^>]*)?>([\s\S]*?)<\/w:tr>/g)].map((r) => cells(r[1]!));
    const members = rows.slice(rows.findIndex((r) => r[0] === 'STT') + 1, rows.findIndex((r) => r[0] === 'STT') + 4);
    expect(members.map((r) => [r[1], r[2], r[4]])).toEqual(
      overview.children.map((c) => [
        c.organization.name,
        c.status === 'submitted' ? 'Đã nộp' : 'Trễ hạn',
        String(c.figures.comments),
      ]),
    );
    expect(xml).toContain('Trễ hạn: ');
    expect(rows.filter((r) => r[0] === 'Số ý kiến nhận được').map((r) => r[1])).toEqual([
      String(overview.rollup.comments),
    ]);
    expect(xml).toContain('BÁO CÁO KẾT QUẢ LẤY Ý KIẾN HỌC KỲ I NĂM HỌC 2026–2027');

    const pdfFile = path.join(dir, 'school.pdf');
    fs.writeFileSync(
      pdfFile,
      await semesterReportPdf({
        organization: 'Trường Mầm non Hoa Sen',
        parent: 'Phòng GDĐT huyện Hoà Bình',
        period: S1,
        report: schoolReport!,
        overview: null,
      }),
    );
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', pdfFile, '-'])
      .toString('utf8')
      .normalize('NFC')
      .replace(/\s+/g, ' ');
    expect(text).toContain('BÁO CÁO KẾT QUẢ LẤY Ý KIẾN HỌC KỲ I NĂM HỌC 2026–2027');
    expect(text).toContain('Đã nộp lúc 10 giờ 00 ngày 01/12/2026 (GMT+7) cho Phòng GDĐT huyện Hoà Bình.');
    expect(text).toContain('Số ý kiến nhận được: 3');
    expect(text).toContain('Theo kênh: Thư, công văn: 1; Cổng thông tin: 2');
    expect(text).toContain('Học kỳ I: một đợt lấy ý kiến về đồng phục.');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a participant, a second submission, and a recompile after submitting', async () => {
    const participant = as(randomUUID(), []);
    await expect(runtime.semesterReports.compile(schools.c, S1, '', participant)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(runtime.semesterReports.submit(schools.a, S1, staff)).rejects.toBeInstanceOf(IllegalStateError);
    await expect(runtime.semesterReports.compile(schools.a, S1, 'sửa lại', staff)).rejects.toBeInstanceOf(
      IllegalStateError,
    );
    await expect(runtime.semesterReports.submit(schools.c, S1, staff)).rejects.toBeInstanceOf(IllegalStateError);
  });
});
