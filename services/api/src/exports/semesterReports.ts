import { createRequire } from 'node:module';
import path from 'node:path';
// docx and pdfkit are imported where a document is made, not at start (see drafts/documents.ts).
import type { Paragraph, Table } from 'docx';
import express from 'express';
import { organizationQueries, semesterReportQueries, type SemesterReportRow } from '@gopy/application/readModels/index';
import { coverageOf, type ReportingOverview, type SemesterFigures } from '@gopy/application/semesterReports';
import { glossaryLabel, type GlossaryGroup } from '@gopy/schemas';
import type { Viewer } from '../graphql/context';
import { mayReadReports } from '../access';
import type { Runtime } from '@gopy/composition/runtime';
import { formatInstantWithOffset } from '../vietnamTime';
import { xmlSafe } from './xmlText';

const require = createRequire(import.meta.url);
/** DejaVu Sans has every Vietnamese glyph; it ships with the project (npm package), so PDFs need no network. */
const fontDir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');

/** What a semester report document holds: the organisation's report as recorded, and its members' state if it has any. */
export interface SemesterReportDocument {
  organization: string;
  parent: string | null;
  period: string;
  report: SemesterReportRow | null;
  overview: ReportingOverview | null;
}

const STATUS: Record<string, string> = {
  submitted: 'Đã nộp',
  compiled: 'Đã tổng hợp, chưa nộp',
  due: 'Chưa đến hạn',
  late: 'Trễ hạn',
};

/** 2026-2027-S1 → "học kỳ I năm học 2026–2027". */
export function periodName(period: string): string {
  const [first, second, semester] = period.split('-');
  return `học kỳ ${semester === 'S1' ? 'I' : 'II'} năm học ${first}–${second}`;
}

const list = (counts: Record<string, number>, group: GlossaryGroup) =>
  Object.keys(counts).length === 0
    ? '—'
    : Object.entries(counts)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, n]) => `${glossaryLabel(group, k, 'vi')}: ${n}`)
        .join('; ');

/** The rows of a figures table, in the order the district's template asks for them. */
export function figureRows(f: SemesterFigures): [string, string][] {
  const coverage = coverageOf(f);
  return [
    ['Số đợt lấy ý kiến', String(f.consultations)],
    ['Giai đoạn hiện nay của các dự thảo', list(f.consultationsByStage, 'policyStatus')],
    ['Số ý kiến nhận được', String(f.comments)],
    ['Theo đối tượng', list(f.commentsByCategory, 'stakeholderCategory')],
    ['Theo kênh', list(f.commentsByChannel, 'channel')],
    ['Tỷ lệ ý kiến đã được giải trình', coverage === null ? '—' : `${Math.round(coverage * 100)}%`],
    ['Số bản tổng hợp, tiếp thu, giải trình đã công bố', String(f.digestsPublished)],
    ['Số sự việc đã báo cáo', String(f.incidents)],
    ['Số cảnh báo', String(f.alerts)],
  ];
}

function title(d: SemesterReportDocument): string {
  return `BÁO CÁO KẾT QUẢ LẤY Ý KIẾN ${periodName(d.period).toUpperCase()}`;
}

function statusLine(d: SemesterReportDocument): string {
  if (!d.report) return 'Đơn vị chưa tổng hợp báo cáo kỳ này.';
  const at = d.report.countedAtPosition ? ` Số liệu tính tại vị trí nhật ký ${d.report.countedAtPosition}.` : '';
  return d.report.status === 'submitted'
    ? `Đã nộp lúc ${formatInstantWithOffset(d.report.submittedAt!, 'vi')}${d.parent ? ` cho ${d.parent}` : ''}.${at}`
    : `Đã tổng hợp lúc ${formatInstantWithOffset(d.report.compiledAt, 'vi')}, chưa nộp.${at}`;
}

export async function semesterReportDocx(document: SemesterReportDocument): Promise<Buffer> {
  const { AlignmentType, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } =
    await import('docx');
  const cell = (text: string, bold = false) =>
    new TableCell({ children: [new Paragraph({ children: [new TextRun({ text, bold })] })] });
  const table = (header: string[], rows: string[][]) =>
    new Table({
      width: { size: 100, type: WidthType.PERCENTAGE },
      rows: [
        new TableRow({ tableHeader: true, children: header.map((h) => cell(h, true)) }),
        ...rows.map((r) => new TableRow({ children: r.map((c) => cell(c)) })),
      ],
    });
  const d = xmlSafe(document);
  const children: (Paragraph | Table)[] = [
    new Paragraph({
      alignment: AlignmentType.CENTER,
      children: [new TextRun({ text: d.organization.toUpperCase(), bold: true })],
    }),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      heading: HeadingLevel.TITLE,
      children: [new TextRun({ text: title(d), bold: true })],
    }),
    new Paragraph({ children: [new TextRun({ text: statusLine(d), italics: true })] }),
  ];
  if (d.report) {
    children.push(new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun('I. Số liệu')] }));
    children.push(table(['Nội dung', 'Số liệu'], figureRows(d.report.figures as unknown as SemesterFigures)));
    children.push(
      new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun('II. Nhận xét, kiến nghị')] }),
    );
    children.push(new Paragraph({ children: [new TextRun(d.report.remarks || '—')] }));
  }
  if (d.overview) {
    children.push(
      new Paragraph({
        heading: HeadingLevel.HEADING_2,
        children: [new TextRun('III. Tình hình báo cáo của các đơn vị trực thuộc')],
      }),
    );
    children.push(
      table(
        ['STT', 'Đơn vị', 'Tình trạng', 'Số đợt lấy ý kiến', 'Số ý kiến'],
        d.overview.children.map((c, i) => [
          String(i + 1),
          c.organization.name,
          STATUS[c.status] ?? c.status,
          String(c.figures.consultations),
          String(c.figures.comments),
        ]),
      ),
    );
    children.push(
      new Paragraph({
        children: [
          new TextRun({ text: `Trễ hạn: ${d.overview.late.map((o) => o.name).join('; ') || 'không có'}.`, bold: true }),
        ],
      }),
    );
    children.push(
      new Paragraph({
        heading: HeadingLevel.HEADING_2,
        children: [new TextRun('IV. Số liệu tổng hợp của các đơn vị trực thuộc')],
      }),
    );
    children.push(table(['Nội dung', 'Số liệu'], figureRows(d.overview.rollup)));
  }
  const doc = new Document({
    creator: 'Góp ý',
    title: title(d),
    styles: { default: { document: { run: { font: 'Times New Roman', size: 26 } } } },
    sections: [{ children }],
  });
  return Packer.toBuffer(doc);
}

export async function semesterReportPdf(document: SemesterReportDocument): Promise<Buffer> {
  const { default: PDFDocument } = await import('pdfkit');
  const d = xmlSafe(document);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 56, left: 70, right: 56 },
    info: { Title: title(d), Creator: 'Góp ý' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.registerFont('body', path.join(fontDir, 'DejaVuSans.ttf'));
  doc.registerFont('bold', path.join(fontDir, 'DejaVuSans-Bold.ttf'));
  doc.font('bold').fontSize(11).text(d.organization.toUpperCase(), { align: 'center' });
  doc.moveDown(0.5).fontSize(13).text(title(d), { align: 'center' });
  doc.font('body').fontSize(10).moveDown().text(statusLine(d));
  const rows = (pairs: [string, string][]) => {
    for (const [k, v] of pairs) doc.font('bold').fontSize(10).text(`${k}: `, { continued: true }).font('body').text(v);
  };
  if (d.report) {
    doc.moveDown().font('bold').fontSize(11).text('I. Số liệu');
    rows(figureRows(d.report.figures as unknown as SemesterFigures));
    doc.moveDown().font('bold').fontSize(11).text('II. Nhận xét, kiến nghị');
    doc
      .font('body')
      .fontSize(10)
      .text(d.report.remarks || '—');
  }
  if (d.overview) {
    doc.moveDown().font('bold').fontSize(11).text('III. Tình hình báo cáo của các đơn vị trực thuộc');
    for (const [i, c] of d.overview.children.entries()) {
      doc
        .font('body')
        .fontSize(10)
        .text(
          `${i + 1}. ${c.organization.name}: ${STATUS[c.status] ?? c.status}; ${c.figures.consultations} đợt lấy ý kiến, ${c.figures.comments} ý kiến.`,
        );
    }
    doc.font('bold').text(`Trễ hạn: ${d.overview.late.map((o) => o.name).join('; ') || 'không có'}.`);
    doc.moveDown().font('bold').fontSize(11).text('IV. Số liệu tổng hợp của các đơn vị trực thuộc');
    rows(figureRows(d.overview.rollup));
  }
  doc.end();
  return done;
}

/** `/export/organizations/<id>/reports/<period>.docx|.pdf`: the semester report in the district's layout. */
export function semesterReportExports(
  runtime: Runtime,
  viewerOf: (req: express.Request) => Promise<Viewer | null>,
): express.Router {
  const router = express.Router();
  router.get('/export/organizations/:organizationId/reports/:file', async (req, res, next) => {
    try {
      const m = /^(\d{4}-\d{4}-S[12])\.(docx|pdf)$/.exec(req.params.file);
      const [org] = m ? await organizationQueries.byIds(runtime.readDb, [req.params.organizationId]) : [];
      if (!m || !org) {
        res.status(404).type('text/plain; charset=utf-8').send('Không tìm thấy. / Not found.');
        return;
      }
      const viewer = await viewerOf(req);
      if (!viewer) {
        res.status(401).type('text/plain; charset=utf-8').send('Cần đăng nhập. / Sign in first.');
        return;
      }
      if (!mayReadReports(viewer, org)) {
        res.status(403).type('text/plain; charset=utf-8').send('Không có quyền. / Forbidden.');
        return;
      }
      const period = m[1]!;
      const [parent] = org.parentId ? await organizationQueries.byIds(runtime.readDb, [org.parentId]) : [];
      const [report] = await semesterReportQueries.byOrganizations(runtime.readDb, [org.id], period);
      const hasMembers = (await organizationQueries.list(runtime.readDb)).some((o) => o.parentId === org.id);
      const document: SemesterReportDocument = {
        organization: org.name,
        parent: parent?.name ?? null,
        period,
        report: report ?? null,
        overview: hasMembers ? await runtime.semesterReports.overview(org.id, period) : null,
      };
      res.setHeader('Content-Disposition', `attachment; filename="bao-cao-${period}.${m[2]}"`);
      if (m[2] === 'docx')
        res
          .type('application/vnd.openxmlformats-officedocument.wordprocessingml.document')
          .send(await semesterReportDocx(document));
      else res.type('application/pdf').send(await semesterReportPdf(document));
    } catch (err) {
      next(err);
    }
  });
  return router;
}
