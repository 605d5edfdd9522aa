import { createRequire } from 'node:module';
import path from 'node:path';
// docx, mammoth and pdfkit are imported where a document is made: loaded at start, they would hold megabytes of
// every idle server's memory for requests most processes never see.
import type { Paragraph } from 'docx';
import { legalParagraphs, parseLegalParagraphs, type ParsedDraft } from '@gopy/application/drafts/legalText';
import type { DraftNode } from '@gopy/schemas';
import { xmlSafe } from '../exports/xmlText';

const require = createRequire(import.meta.url);
/** DejaVu Sans has every Vietnamese glyph; it ships with the project as an npm package, so PDFs need no network. */
const fontDir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
export const FONT = path.join(fontDir, 'DejaVuSans.ttf');
export const FONT_BOLD = path.join(fontDir, 'DejaVuSans-Bold.ttf');

/** Reads a .docx draft into a tree, for staff to review before publishing. */
export async function importDocx(buffer: Buffer, newId: () => string): Promise<ParsedDraft> {
  const { default: mammoth } = await import('mammoth');
  const { value } = await mammoth.extractRawText({ buffer });
  return parseLegalParagraphs(value.split(/\n+/), newId);
}

export interface DocumentVersion {
  policyTitle: string;
  version: number;
  title: string;
  publishedAt: string;
  organization: string;
  nodes: DraftNode[];
}

/** A version as .docx, in the usual layout of a Vietnamese draft: centred chapters, bold articles. */
export async function exportDocx(version: DocumentVersion): Promise<Buffer> {
  const { AlignmentType, Document, HeadingLevel, Packer, Paragraph, TextRun } = await import('docx');
  const v = xmlSafe(version);
  const children: Paragraph[] = [
    new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: v.organization, bold: true })] }),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      heading: HeadingLevel.TITLE,
      children: [new TextRun({ text: v.title, bold: true })],
    }),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      children: [new TextRun({ text: `Dự thảo lần ${v.version}`, italics: true })],
    }),
  ];
  for (const node of v.nodes) {
    for (const p of legalParagraphs(node)) {
      const structural = p.kind === 'part' || p.kind === 'chapter' || p.kind === 'section';
      children.push(
        new Paragraph({
          alignment: structural ? AlignmentType.CENTER : AlignmentType.JUSTIFIED,
          spacing: { after: 120 },
          children: [new TextRun({ text: p.text, bold: structural || (p.kind === 'article' && p.role === 'label') })],
        }),
      );
    }
  }
  const doc = new Document({
    creator: 'Góp ý',
    title: v.title,
    styles: { default: { document: { run: { font: 'Times New Roman', size: 26 } } } },
    sections: [{ children }],
  });
  return Packer.toBuffer(doc);
}

/** A version as PDF, with a font that has every Vietnamese glyph. */
export async function exportPdf(version: DocumentVersion): Promise<Buffer> {
  const { default: PDFDocument } = await import('pdfkit');
  const v = xmlSafe(version);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 56, left: 70, right: 56 },
    info: { Title: v.title, Creator: 'Góp ý' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.registerFont('body', FONT);
  doc.registerFont('bold', FONT_BOLD);
  doc.font('bold').fontSize(11).text(v.organization, { align: 'center' });
  doc.moveDown(0.5).fontSize(15).text(v.title, { align: 'center' });
  doc.font('body').fontSize(10).text(`Dự thảo lần ${v.version}`, { align: 'center' }).moveDown();
  for (const node of v.nodes) {
    for (const p of legalParagraphs(node)) {
      const structural = p.kind === 'part' || p.kind === 'chapter' || p.kind === 'section';
      doc
        .font(structural || (p.kind === 'article' && p.role === 'label') ? 'bold' : 'body')
        .fontSize(structural ? 12 : 11)
        .text(p.text, { align: structural ? 'center' : 'justify', paragraphGap: 4 });
    }
  }
  doc.end();
  return done;
}
