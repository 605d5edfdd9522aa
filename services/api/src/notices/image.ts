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
 * band, the title and summary, the deadline in a box, the ways to comment and a QR code to the policy page.
 */
export async function noticeImage(n: Notice): Promise<Buffer> {
  registerFonts();
  const S = NOTICE_IMAGE_SIZE;
  const canvas = createCanvas(S, S);
  const ctx = canvas.getContext('2d');
  const t = n.text;
  const width = S - 2 * PAD;
  ctx.textBaseline = 'top';
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, S, S);

  // The band: organisation (up to two lines) and the heading.
  const org = fit(ctx, n.organization.toUpperCase(), width, [30, 26, 22], 2, true);
  const bandHeight = 44 + org.lines.length * (org.size + 8) + 14 + 52 + 34;
  ctx.fillStyle = ACCENT;
  ctx.fillRect(0, 0, S, bandHeight);
  ctx.fillStyle = '#ffffff';
  ctx.font = font(org.size, true);
  let y = drawLines(ctx, org.lines, PAD, 44, org.size + 8) + 14;
  ctx.fillStyle = '#ffd166';
  const heading = fit(ctx, t.heading, width, [52, 46, 40], 1, true);
  ctx.font = font(heading.size, true);
  ctx.fillText(heading.lines[0]!, PAD, y);

  // The deadline box's height, known before placing it.
  const innerWidth = width - 48;
  const deadline = fit(ctx, t.deadline, innerWidth, [52, 46, 40, 34], 2, true);
  ctx.font = font(22);
  const status = t.status ? clamp(ctx, wrap(ctx, t.status, innerWidth), 2, innerWidth) : [];
  const boxHeight = 24 + 30 + 10 + deadline.lines.length * (deadline.size + 8) + status.length * 30 + 18;

  // Title and summary flow under the band; the summary gives way so that the box and the bottom block (the ways to
  // comment and a QR code large enough to scan from a phone screen) always fit.
  const bottomMin = 300;
  y = bandHeight + 34;
  const title = fit(ctx, t.subheading, width, [46, 42, 38, 34], 3, true);
  ctx.fillStyle = INK;
  ctx.font = font(title.size, true);
  y = drawLines(ctx, title.lines, PAD, y, title.size + 10) + 10;
  const summaryLineHeight = 36;
  const summaryRoom = S - PAD - bottomMin - 28 - boxHeight - 28 - y;
  const summaryLines = Math.min(4, Math.floor(summaryRoom / summaryLineHeight));
  if (n.summary.trim() && summaryLines > 0) {
    ctx.font = font(27);
    ctx.fillStyle = MUTED;
    const lines = clamp(ctx, wrap(ctx, n.summary, width), summaryLines, width);
    y = drawLines(ctx, lines, PAD, y, summaryLineHeight);
  }

  const boxTop = y + 24;
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
  let by = drawLines(ctx, deadline.lines, S / 2, boxTop + 24 + 30 + 10, deadline.size + 8);
  ctx.fillStyle = INK;
  ctx.font = font(22);
  drawLines(ctx, status, S / 2, by, 30);
  ctx.textAlign = 'left';

  // The bottom block: the ways to comment, and the QR code with its caption on the right.
  const bottomTop = boxTop + boxHeight + 30;
  const bottomEnd = S - 24;
  const captionSize = 19;
  ctx.font = font(captionSize);
  const qrSize = Math.min(290, bottomEnd - bottomTop - 2 * (captionSize + 6) - 8);
  const caption = clamp(ctx, wrap(ctx, t.qrCaption, qrSize + 20), 2, qrSize + 20);
  const qrLeft = S - PAD - qrSize;
  drawQr(ctx, n.policyUrl, qrLeft, bottomTop, qrSize);
  ctx.fillStyle = INK;
  ctx.textAlign = 'center';
  drawLines(ctx, caption, qrLeft + qrSize / 2, bottomTop + qrSize + 8, captionSize + 6);
  ctx.textAlign = 'left';

  const listWidth = qrLeft - PAD - 28;
  ctx.fillStyle = INK;
  ctx.font = font(28, true);
  by = drawLines(ctx, [t.waysLabel], PAD, bottomTop, 38) + 2;
  const lineHeight = 29;
  for (const item of [{ label: t.online, value: n.policyUrl }, ...n.channels]) {
    ctx.font = font(22);
    const text = `${item.label}: ${item.value || '—'}`;
    const max = Math.floor((bottomEnd - by) / lineHeight);
    if (max <= 0) break;
    const lines = clamp(ctx, wrap(ctx, text, listWidth - 24), max, listWidth - 24);
    ctx.fillText('•', PAD, by);
    by = drawLines(ctx, lines, PAD + 24, by, lineHeight) + 6;
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
