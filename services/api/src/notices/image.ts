import { createCanvas, GlobalFonts, type SKRSContext2D } from '@napi-rs/canvas';
import { FONT, FONT_BOLD } from '../drafts/documents';
import { darkRuns, qrModules, type Notice } from './notice';

/** The square of social posts (Facebook and Zalo show 1080 × 1080 without cropping). */
export const NOTICE_IMAGE_SIZE = 1080;

const INK = '#1a1a1a';
const MUTED = '#3d4449';
const ACCENT = '#0b5563';
const DEADLINE = '#a1121b';
const PAD = 60;

// The same DejaVu files as the PDFs: every Vietnamese letter, from an npm package, nothing fetched at run time.
const REGULAR = 'GopyNotice';
const BOLD = 'GopyNoticeBold';
let fontsRegistered = false;
function registerFonts(): void {
  if (fontsRegistered) return;
  GlobalFonts.registerFromPath(FONT, REGULAR);
  GlobalFonts.registerFromPath(FONT_BOLD, BOLD);
  fontsRegistered = true;
}

const font = (size: number, bold = false) => `${size}px ${bold ? BOLD : REGULAR}`;

/** Lines of at most `width` pixels; a word wider than a line (an address, a URL) is cut where it fits. */
function wrap(ctx: SKRSContext2D, text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (ctx.measureText(candidate).width <= width) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    let rest = word;
    while (ctx.measureText(rest).width > width && rest.length > 1) {
      let cut = rest.length - 1;
      while (cut > 1 && ctx.measureText(rest.slice(0, cut)).width > width) cut--;
      lines.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    line = rest;
  }
  if (line) lines.push(line);
  return lines;
}

/** At most `max` lines, the last one ending in an ellipsis when text was left out. */
function clamp(ctx: SKRSContext2D, lines: string[], max: number, width: number): string[] {
  if (max <= 0) return [];
  if (lines.length <= max) return lines;
  const kept = lines.slice(0, max);
  let last = kept[max - 1]!;
  while (last.length > 0 && ctx.measureText(`${last}…`).width > width) last = last.slice(0, -1).trimEnd();
  kept[max - 1] = `${last}…`;
  return kept;
}

/** The largest size from `sizes` at which the text takes at most `maxLines` lines. */
function fit(
  ctx: SKRSContext2D,
  text: string,
  width: number,
  sizes: number[],
  maxLines: number,
  bold: boolean,
): { size: number; lines: string[] } {
  for (const size of sizes) {
    ctx.font = font(size, bold);
    const lines = wrap(ctx, text, width);
    if (lines.length <= maxLines) return { size, lines };
  }
  const size = sizes.at(-1)!;
  ctx.font = font(size, bold);
  return { size, lines: clamp(ctx, wrap(ctx, text, width), maxLines, width) };
}

function drawLines(ctx: SKRSContext2D, lines: string[], x: number, y: number, lineHeight: number): number {
  for (const line of lines) {
    ctx.fillText(line, x, y);
    y += lineHeight;
  }
  return y;
}

/**
 * The notice as a square PNG for a Zalo group or a Facebook page: the organisation and the heading on a coloured
 * band, the title and summary, the deadline in a box, the ways to comment and a QR code to the policy page. Every block
 * is measured first; the summary gives way when room is short, and spare room is shared between the gaps.
 */
export async function noticeImage(n: Notice): Promise<Buffer> {
  registerFonts();
  const S = NOTICE_IMAGE_SIZE;
  const canvas = createCanvas(S, S);
  const ctx = canvas.getContext('2d');
  const t = n.text;
  const width = S - 2 * PAD;
  const bottomMargin = 40;
  ctx.textBaseline = 'top';

  // Measure. The band: organisation (up to two lines) and the heading.
  const org = fit(ctx, n.organization.toUpperCase(), width, [30, 26, 22], 2, true);
  const heading = fit(ctx, t.heading, width, [52, 46, 40], 1, true);
  const bandHeight = 44 + org.lines.length * (org.size + 8) + 14 + heading.size + 34;
  const title = fit(ctx, t.subheading, width, [46, 42, 38, 34], 3, true);
  const titleHeight = title.lines.length * (title.size + 10) + 10;
  // The deadline box.
  const innerWidth = width - 48;
  const deadline = fit(ctx, t.deadline, innerWidth, [52, 46, 40, 34], 2, true);
  ctx.font = font(22);
  const status = t.status ? clamp(ctx, wrap(ctx, t.status, innerWidth), 2, innerWidth) : [];
  const boxHeight = 24 + 30 + 10 + deadline.lines.length * (deadline.size + 8) + status.length * 30 + 18;
  // The bottom block: the ways to comment beside the QR code and its caption.
  const qrSize = 290;
  const captionSize = 20;
  const qrLeft = S - PAD - qrSize;
  const listWidth = qrLeft - PAD - 28 - 24;
  const lineHeight = 29;
  ctx.font = font(22);
  const ways = [{ label: t.online, value: n.policyUrl }, ...n.channels].map((w) =>
    wrap(ctx, `${w.label}: ${w.value || '—'}`, listWidth),
  );
  ctx.font = font(captionSize);
  const caption = clamp(ctx, wrap(ctx, t.qrCaption, qrSize + 20), 2, qrSize + 20);
  const qrHeight = qrSize + 8 + caption.length * (captionSize + 6);
  const listHeight = 40 + ways.reduce((h, lines) => h + lines.length * lineHeight + 6, 0);
  const top = bandHeight + 34;
  const room = S - bottomMargin - top;
  // What the summary may take: never the room of the box or of the QR code.
  const aboveBottom = titleHeight + 24 + boxHeight + 30;
  const bottomMin = Math.max(qrHeight, Math.min(listHeight, 330));
  const summaryLineHeight = 36;
  const summaryMax = Math.max(0, Math.min(4, Math.floor((room - aboveBottom - bottomMin) / summaryLineHeight)));
  ctx.font = font(27);
  const summary = n.summary.trim() ? clamp(ctx, wrap(ctx, n.summary, width), summaryMax, width) : [];
  const summaryHeight = summary.length * summaryLineHeight;
  const bottomHeight = Math.max(qrHeight, Math.min(listHeight, room - aboveBottom - summaryHeight));
  const used = aboveBottom + summaryHeight + bottomHeight;
  const spare = Math.max(0, room - used);
  const gapBeforeBox = 24 + Math.floor(spare / 3);
  const gapBeforeBottom = 30 + Math.floor(spare / 3);

  // Draw.
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, S, S);
  ctx.fillStyle = ACCENT;
  ctx.fillRect(0, 0, S, bandHeight);
  ctx.fillStyle = '#ffffff';
  ctx.font = font(org.size, true);
  let y = drawLines(ctx, org.lines, PAD, 44, org.size + 8) + 14;
  ctx.fillStyle = '#ffd166';
  ctx.font = font(heading.size, true);
  ctx.fillText(heading.lines[0]!, PAD, y);

  y = top;
  ctx.fillStyle = INK;
  ctx.font = font(title.size, true);
  y = drawLines(ctx, title.lines, PAD, y, title.size + 10) + 10;
  ctx.font = font(27);
  ctx.fillStyle = MUTED;
  y = drawLines(ctx, summary, PAD, y, summaryLineHeight);

  const boxTop = y + gapBeforeBox;
  ctx.fillStyle = '#fff6e0';
  ctx.strokeStyle = DEADLINE;
  ctx.lineWidth = 4;
  ctx.beginPath();
  ctx.roundRect(PAD, boxTop, width, boxHeight, 18);
  ctx.fill();
  ctx.stroke();
  ctx.textAlign = 'center';
  ctx.fillStyle = INK;
  ctx.font = font(26, true);
  ctx.fillText(t.deadlineLabel.toUpperCase(), S / 2, boxTop + 24);
  ctx.fillStyle = DEADLINE;
  ctx.font = font(deadline.size, true);
  y = drawLines(ctx, deadline.lines, S / 2, boxTop + 24 + 30 + 10, deadline.size + 8);
  ctx.fillStyle = INK;
  ctx.font = font(22);
  drawLines(ctx, status, S / 2, y, 30);

  const bottomTop = boxTop + boxHeight + gapBeforeBottom;
  drawQr(ctx, n.policyUrl, qrLeft, bottomTop, qrSize);
  ctx.fillStyle = INK;
  ctx.font = font(captionSize);
  drawLines(ctx, caption, qrLeft + qrSize / 2, bottomTop + qrSize + 8, captionSize + 6);
  ctx.textAlign = 'left';

  ctx.font = font(28, true);
  y = drawLines(ctx, [t.waysLabel], PAD, bottomTop, 38) + 2;
  const listEnd = S - bottomMargin + 16;
  ctx.font = font(22);
  for (const lines of ways) {
    const max = Math.floor((listEnd - y) / lineHeight);
    if (max <= 0) break;
    ctx.fillText('•', PAD, y);
    y = drawLines(ctx, clamp(ctx, lines, max, listWidth), PAD + 24, y, lineHeight) + 6;
  }

  return canvas.encode('png');
}

/** Whole pixels per module, so every module is sharp; the quiet zone takes the rest. */
function drawQr(ctx: SKRSContext2D, text: string, x: number, y: number, size: number): void {
  const qr = qrModules(text);
  // Two modules of quiet zone inside the square; the white page around it gives the rest.
  const cell = Math.floor(size / (qr.size + 4));
  const offset = Math.floor((size - cell * qr.size) / 2);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(x, y, size, size);
  ctx.fillStyle = '#000000';
  for (const run of darkRuns(qr))
    ctx.fillRect(x + offset + run.col * cell, y + offset + run.row * cell, run.length * cell, cell);
}
