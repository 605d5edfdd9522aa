import {
  afterPublicationNote,
  removalCategory,
  removalSummary,
  type RemovalKind,
} from '@gopy/application/publicRecord';
import express from 'express';
// docx and pdfkit are imported where a document is made, not at start (see drafts/documents.ts).
import type { TableRow } from 'docx';
import { initialDigestState, type DigestState } from '@gopy/domain/digest';
import { digestAggregate } from '@gopy/application/commands';
import type { Position } from '@gopy/application/eventStore';
import { commentQueries, organizationQueries, policyQueries } from '@gopy/application/readModels/index';
import { glossaryLabel, streams, type DomainEvent } from '@gopy/schemas';
import { FONT, FONT_BOLD } from '../drafts/documents';
import type { Runtime } from '@gopy/composition/runtime';
import { commentRowsAt, type ExportRow } from './comments';
import { exportPosition } from './position';
import { xmlSafe } from './xmlText';
import { isUuid } from '@gopy/application/ids';

export const DIGEST_COLUMNS = [
  'STT',
  'Nội dung góp ý',
  'Cơ quan, tổ chức, cá nhân góp ý (đối tượng)',
  'Ý kiến tiếp thu, giải trình',
] as const;

export interface DigestDocumentRow {
  no: number;
  feedback: string;
  from: string;
}

export interface DigestDocumentTheme {
  number: number;
  title: string;
  answer: string;
  rows: DigestDocumentRow[];
}

export interface DigestDocument {
  organization: string;
  policyTitle: string;
  round: number;
  position: string;
  coveredCount: number;
  visibleCount: number;
  /** Rows whose comment left public view after publication, in aggregate ("" when none). */
  removedSincePublication: string;
  themes: DigestDocumentTheme[];
}

/**
 * The published digest of a round as it stood at `position`: themes and answers folded from the digest stream, and the
 * round's visible comments at that position (from the log, as the comment exports read them). Names come from the
 * read models (a pseudonym, or an offline sender's organisation, as the public pages show them).
 */
export async function digestDocumentAt(
  runtime: Runtime,
  policyId: string,
  round: number,
  position: Position,
): Promise<DigestDocument | null> {
  const { store, writePath } = runtime;
  let digest: DigestState = initialDigestState;
  let counts = { coveredCount: 0, visibleCount: 0 };
  let publishedAt: Position | undefined;
  for await (const e of writePath.readStream(streams.digest(policyId, round))) {
    if (store.comparePositions(e.recorded.position, position) > 0) break;
    const event = e.event as DomainEvent;
    digest = digestAggregate.evolve(digest, event);
    if (event.type === 'DigestPublished') {
      counts = { coveredCount: event.data.coveredCount, visibleCount: event.data.visibleCount };
      publishedAt = e.recorded.position;
    }
  }
  if (!digest.published || !publishedAt) return null;
  // The rows are those it was published with: the round's visible comments at the publication position.
  const comments: ExportRow[] = [];
  for await (const row of commentRowsAt(runtime, policyId, round, publishedAt, { includeHidden: false, locale: 'vi' }))
    comments.push(row);
  // What became of them by `position`: a row whose comment left public view keeps its place, with a dated note.
  const later = new Map<string, ExportRow>();
  for await (const row of commentRowsAt(runtime, policyId, round, position, { includeHidden: true, locale: 'vi' }))
    if (row.status !== 'visible') later.set(row.commentId, row);
  const removed = new Map<string, number>();
  for (const c of comments) {
    const gone = later.get(c.commentId);
    if (!gone) continue;
    const category = removalCategory(gone.status as RemovalKind, gone.statusReasonCode);
    removed.set(category, (removed.get(category) ?? 0) + 1);
  }
  const names = new Map(
    (
      await commentQueries.byIds(
        runtime.readDb,
        comments.map((c) => c.commentId),
      )
    ).map((c) => [c.id, c.authorName]),
  );
  const [policy] = await policyQueries.byIds(runtime.readDb, [policyId]);
  const [org] = policy ? await organizationQueries.byIds(runtime.readDb, [policy.organizationId]) : [];
  let no = 0;
  const themes = digest.themes.map((theme, i) => {
    const inTheme = new Set(theme.commentIds);
    const rows = comments
      .filter((c) => inTheme.has(c.commentId))
      .map((c) => {
        const name = names.get(c.commentId) || 'Không nêu tên';
        const where = c.node && c.node !== 'Toàn bộ dự thảo' ? `${c.node}: ` : '';
        const gone = later.get(c.commentId);
        const feedback = gone
          ? afterPublicationNote(gone.status as RemovalKind, gone.statusAt, gone.statusReasonCode, 'vi')
          : `${where}${c.body}`;
        return { no: ++no, feedback, from: `${name} (${c.category})` };
      });
    const answer = theme.answer
      ? [glossaryLabel('outcome', theme.answer.decision, 'vi'), theme.answer.explanation].filter(Boolean).join('. ')
      : '';
    return { number: i + 1, title: theme.title, answer, rows };
  });
  return {
    organization: org?.name ?? '',
    policyTitle: policy?.title ?? '',
    round,
    position,
    ...counts,
    removedSincePublication: removalSummary(
      [...removed].map(([category, count]) => ({ category, count })),
      'vi',
    ),
    themes,
  };
}

function heading(d: DigestDocument): string[] {
  return [
    d.organization,
    'BẢN TỔNG HỢP, TIẾP THU, GIẢI TRÌNH Ý KIẾN',
    `Dự thảo: ${d.policyTitle} — đợt lấy ý kiến thứ ${d.round}`,
  ];
}

function footer(d: DigestDocument): string {
  const removed = d.removedSincePublication ? ` Sau khi công bố: ${d.removedSincePublication}.` : '';
  return `${d.coveredCount}/${d.visibleCount} ý kiến được tổng hợp khi công bố.${removed} Tài liệu lập từ nhật ký sự kiện tại vị trí ${d.position}.`;
}

/** The digest as .docx in the official table: No. | feedback | from whom (category) | accepted, or why not. */
export async function digestDocx(document: DigestDocument): Promise<Buffer> {
  const { AlignmentType, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } =
    await import('docx');
  const cell = (text: string, o: { bold?: boolean; columnSpan?: number; rowSpan?: number; width?: number } = {}) =>
    new TableCell({
      columnSpan: o.columnSpan,
      rowSpan: o.rowSpan,
      width: o.width ? { size: o.width, type: WidthType.PERCENTAGE } : undefined,
      children: text
        .split('\n')
        .map((line) => new Paragraph({ children: [new TextRun({ text: line, bold: o.bold })] })),
    });
  const d = xmlSafe(document);
  const [org, title, subtitle] = heading(d);
  const widths = [7, 43, 20, 30];
  const rows: TableRow[] = [
    new TableRow({
      tableHeader: true,
      children: DIGEST_COLUMNS.map((c, i) => cell(c, { bold: true, width: widths[i] })),
    }),
  ];
  for (const theme of d.themes) {
    rows.push(
      new TableRow({ children: [cell(`Nhóm ${theme.number}: ${theme.title}`, { bold: true, columnSpan: 4 })] }),
    );
    if (theme.rows.length === 0) {
      rows.push(
        new TableRow({
          children: [cell(''), cell('Nhóm này không còn ý kiến nào đang hiển thị.'), cell(''), cell(theme.answer)],
        }),
      );
    }
    theme.rows.forEach((r, i) => {
      const cells = [cell(String(r.no)), cell(r.feedback), cell(r.from)];
      // The answer is the theme's: one cell spanning its comments, as in the paper form.
      if (i === 0) cells.push(cell(theme.answer, { rowSpan: theme.rows.length }));
      rows.push(new TableRow({ children: cells }));
    });
  }
  const doc = new Document({
    creator: 'Góp ý',
    title: `Bản tổng hợp, tiếp thu, giải trình ý kiến — ${d.policyTitle}`,
    styles: { default: { document: { run: { font: 'Times New Roman', size: 24 } } } },
    sections: [
      {
        children: [
          new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: org!, bold: true })] }),
          new Paragraph({
            alignment: AlignmentType.CENTER,
            heading: HeadingLevel.TITLE,
            children: [new TextRun({ text: title!, bold: true })],
          }),
          new Paragraph({
            alignment: AlignmentType.CENTER,
            spacing: { after: 200 },
            children: [new TextRun({ text: subtitle!, italics: true })],
          }),
          new Table({ width: { size: 100, type: WidthType.PERCENTAGE }, rows }),
          new Paragraph({ spacing: { before: 200 }, children: [new TextRun({ text: footer(d), italics: true })] }),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}

/** The digest as PDF, with the font the draft PDFs use (every Vietnamese glyph), one block per theme. */
export async function digestPdf(document: DigestDocument): Promise<Buffer> {
  const { default: PDFDocument } = await import('pdfkit');
  const d = xmlSafe(document);
  const [org, title, subtitle] = heading(d);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 56, left: 56, right: 56 },
    info: { Title: title!, Creator: 'Góp ý' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.registerFont('body', FONT);
  doc.registerFont('bold', FONT_BOLD);
  doc.font('bold').fontSize(11).text(org!, { align: 'center' });
  doc.moveDown(0.5).fontSize(14).text(title!, { align: 'center' });
  doc.font('body').fontSize(10).text(subtitle!, { align: 'center' }).moveDown();
  doc.font('bold').fontSize(9).text(DIGEST_COLUMNS.join(' | ')).moveDown(0.5);
  for (const theme of d.themes) {
    doc.font('bold').fontSize(11).text(`Nhóm ${theme.number}: ${theme.title}`, { paragraphGap: 4 });
    for (const r of theme.rows) {
      doc
        .font('bold')
        .fontSize(10)
        .text(`${r.no}. `, { continued: true })
        .font('body')
        .text(r.feedback, { paragraphGap: 2 });
      doc.font('body').fontSize(9).text(r.from, { indent: 14, paragraphGap: 4 });
    }
    doc
      .font('bold')
      .fontSize(10)
      .text('Ý kiến tiếp thu, giải trình: ', { continued: true })
      .font('body')
      .text(theme.answer || '—', { paragraphGap: 10 });
  }
  doc.moveDown().font('body').fontSize(9).text(footer(d));
  doc.end();
  return done;
}

/** Published digests are public: anyone downloads one, at the current position or at a stated earlier one. */
export function digestDownloads(runtime: Runtime): express.Router {
  const router = express.Router();
  router.get('/export/policies/:policyId/rounds/:round/:file', async (req, res, next) => {
    const m = /^digest\.(docx|pdf)$/.exec(req.params.file);
    if (!m) {
      next();
      return;
    }
    const notFound = (vi: string, en: string, status = 404) =>
      res.status(status).type('text/plain; charset=utf-8').send(`${vi} / ${en}`);
    try {
      const round = Number(req.params.round);
      if (!isUuid(req.params.policyId) || !Number.isSafeInteger(round) || round < 1) {
        notFound('Không tìm thấy.', 'Not found.');
        return;
      }
      const position = await exportPosition(runtime.store, req);
      if (position === 'invalid') {
        notFound('Vị trí nhật ký không hợp lệ hoặc chưa có.', 'The log position is not valid or not reached yet.', 400);
        return;
      }
      const document =
        position === 'empty' ? null : await digestDocumentAt(runtime, req.params.policyId, round, position);
      if (!document) {
        notFound('Bản tổng hợp của đợt này chưa được công bố.', 'The digest of this round has not been published.');
        return;
      }
      res.setHeader('X-Gopy-Position', document.position);
      res.setHeader(
        'Content-Disposition',
        `attachment; filename="ban-tong-hop-${req.params.policyId.slice(0, 8)}-dot-${round}-${document.position}.${m[1]}"`,
      );
      if (m[1] === 'docx') {
        res
          .type('application/vnd.openxmlformats-officedocument.wordprocessingml.document')
          .send(await digestDocx(document));
      } else {
        res.type('application/pdf').send(await digestPdf(document));
      }
    } catch (err) {
      next(err);
    }
  });
  return router;
}
