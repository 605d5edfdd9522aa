import PDFDocument from 'pdfkit';
import { FONT, FONT_BOLD } from '../drafts/documents';
import { darkRuns, qrModules, type Notice } from './notice';

const INK = '#1a1a1a';
const ACCENT = '#0b5563';
const DEADLINE = '#a1121b';

/**
 * The notice as one printable A4 page, laid out as Vietnamese official notices are: the organisation and the national
 * heading side by side, the title centred, then the body; the deadline in a box; the QR code to the policy page
 * beside the ways to comment. The QR code is drawn as vector squares, so it scans however the page is printed.
 */
export async function noticePdf(n: Notice): Promise<Buffer> {
  const t = n.text;
  const createdAt = new Date(n.asOf);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 50, bottom: 40, left: 60, right: 50 },
    // The round's last change, not the clock: the same round in the same state gives the same file.
    info: { Title: `${t.heading} — ${n.title}`, Creator: 'Góp ý', CreationDate: createdAt, ModDate: createdAt },
    lang: n.lang === 'vi' ? 'vi-VN' : 'en-GB',
    displayTitle: true,
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.registerFont('body', FONT);
  doc.registerFont('bold', FONT_BOLD);

  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const top = doc.y;
  const half = width / 2 - 10;

  // The header: organisation on the left, nation and motto on the right, each centred in its half.
  doc.fillColor(INK).font('bold').fontSize(11).text(n.organization.toUpperCase(), left, top, {
    width: half,
    align: 'center',
  });
  // The short rule under the issuing body, as on official papers.
  const ruleY = doc.y + 3;
  doc
    .moveTo(left + half / 2 - 40, ruleY)
    .lineTo(left + half / 2 + 40, ruleY)
    .lineWidth(0.8)
    .stroke(INK);
  const leftBottom = ruleY;
  doc
    .font('bold')
    .fontSize(11)
    .text(t.nation, left + width / 2 - 10, top, { width: width / 2 + 10, align: 'center' });
  doc
    .font('bold')
    .fontSize(11)
    .text(t.motto, { width: width / 2 + 10, align: 'center', underline: true });
  doc.x = left;
  doc.y = Math.max(leftBottom, doc.y) + 34;

  doc.fillColor(ACCENT).font('bold').fontSize(22).text(t.heading, left, doc.y, { width, align: 'center' });
  doc.moveDown(0.3);
  doc.fillColor(INK).font('bold').fontSize(15).text(t.subheading, { width, align: 'center', lineGap: 2 });
  doc.moveDown(1.2);

  doc.font('body').fontSize(13).text(t.intro, { width, align: 'justify', lineGap: 3 });
  doc.moveDown(0.6);
  if (n.summary.trim()) {
    doc
      .font('bold')
      .text(`${t.summaryLabel}: `, { continued: true, width, lineGap: 3 })
      .font('body')
      .text(n.summary, { width, align: 'justify', lineGap: 3 });
    doc.moveDown(0.6);
  }
  doc
    .font('bold')
    .text(`${t.periodLabel}: `, { continued: true, width, lineGap: 3 })
    .font('body')
    .text(t.period, { width, lineGap: 3 });
  doc.moveDown(1);

  // The deadline, boxed: what a reader of a noticeboard must take away.
  const boxTop = doc.y;
  const boxPad = 14;
  doc.font('bold').fontSize(14).fillColor(INK);
  const labelHeight = doc.heightOfString(t.deadlineLabel, { width: width - 2 * boxPad });
  doc.fontSize(26);
  const deadlineHeight = doc.heightOfString(t.deadline, { width: width - 2 * boxPad });
  doc.font('body').fontSize(12);
  const statusHeight = t.status ? doc.heightOfString(t.status, { width: width - 2 * boxPad }) + 4 : 0;
  const boxHeight = boxPad * 2 + labelHeight + 4 + deadlineHeight + statusHeight;
  doc.save().roundedRect(left, boxTop, width, boxHeight, 6).lineWidth(1.5).fillAndStroke('#fff6e0', DEADLINE).restore();
  doc
    .fillColor(INK)
    .font('bold')
    .fontSize(14)
    .text(t.deadlineLabel, left + boxPad, boxTop + boxPad, { width: width - 2 * boxPad, align: 'center' });
  doc.moveDown(0.2);
  doc
    .fillColor(DEADLINE)
    .fontSize(26)
    .text(t.deadline, { width: width - 2 * boxPad, align: 'center' });
  if (t.status) {
    doc.moveDown(0.2);
    doc
      .fillColor(INK)
      .font('body')
      .fontSize(12)
      .text(t.status, { width: width - 2 * boxPad, align: 'center' });
  }
  doc.x = left;
  doc.y = boxTop + boxHeight + 24;

  // Ways to comment on the left, each with a hanging bullet; the QR code on the right.
  const qrSize = 190;
  const textWidth = width - qrSize - 28;
  // A long summary can push the block down: it starts a page rather than cut the QR code.
  if (doc.y + qrSize + 30 > doc.page.height - doc.page.margins.bottom) doc.addPage();
  const waysTop = doc.y;
  doc.fillColor(INK).font('bold').fontSize(14).text(t.waysLabel, left, waysTop, { width: textWidth });
  doc.moveDown(0.4);
  const bullet = (label: string, value: string) => {
    const y = doc.y;
    doc.font('body').fontSize(12.5).text('•', left, y);
    doc
      .font('bold')
      .text(`${label}: `, left + 14, y, { continued: true, width: textWidth - 14, lineGap: 2 })
      .font('body')
      .text(value || '—', { width: textWidth - 14, lineGap: 2 });
    doc.moveDown(0.35);
  };
  bullet(t.online, n.policyUrl);
  for (const c of n.channels) bullet(c.label, c.value);
  const waysBottom = doc.y;

  const qrLeft = left + width - qrSize;
  drawQr(doc, n.policyUrl, qrLeft, waysTop, qrSize);
  doc
    .font('body')
    .fontSize(10.5)
    .fillColor(INK)
    .text(t.qrCaption, qrLeft - 10, waysTop + qrSize + 4, { width: qrSize + 20, align: 'center' });
  doc.x = left;
  doc.y = Math.max(waysBottom, doc.y) + 28;

  doc.font('body').fontSize(9.5).fillColor('#555555').text(t.footer, left, doc.y, { width, align: 'center' });
  doc.end();
  return done;
}

/** The QR code with its four-module quiet zone on white; each row's runs of dark modules filled as one rectangle. */
function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  const qr = qrModules(text);
  const cells = qr.size + 8;
  const cell = size / cells;
  doc.save();
  doc.rect(x, y, size, size).fill('#ffffff');
  for (const run of darkRuns(qr)) doc.rect(x + (run.col + 4) * cell, y + (run.row + 4) * cell, run.length * cell, cell);
  doc.fill('#000000');
  doc.restore();
}
