import { ANALYST_ROLES } from '@gopy/domain/analysisDecider';
import { recordSensitiveRead } from '@gopy/application/audit/readLog';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
// exceljs is imported on the first XLSX export, not at start: it would hold megabytes of every idle server's memory.
import type ExcelJS from 'exceljs';
import express from 'express';
import type { EventStore, Position } from '@gopy/application/eventStore';
import { findNode, nodeLabel, policyQueries } from '@gopy/application/readModels/index';
import type { WritePath } from '@gopy/application/writePath';
import { glossaryLabel, type DomainEvent, type DraftNode } from '@gopy/schemas';
import { hasRoleAnywhere, type Viewer } from '../graphql/context';
import { mayExportComments } from '../access';
import type { Runtime } from '@gopy/composition/runtime';
import { vietnamIso } from '../vietnamTime';
import { spreadsheetCsv } from './csv';
import { xmlSafe } from './xmlText';
import { isUuid } from '@gopy/application/ids';

/**
 * A round's comments as CSV or XLSX, read from the event log up to a stated position: the same position always gives
 * the same bytes (no clock, no read model in the content), and the position is written into the file and sent in the
 * `X-Gopy-Position` header. Rows stream one comment at a time (a comment's stream is folded, written, forgotten), so
 * memory does not grow with the number of comments. Hidden, withdrawn and redacted comments are exported to auditors
 * only, with their status; everyone else gets the visible ones.
 *
 * A comment redacted after the position has lost its key: its text is empty in every later export, even of an earlier
 * position. Privacy wins over reproducibility there, by design.
 */
export type ExportLocale = 'vi' | 'en';
export type CommentStatus = 'visible' | 'hidden' | 'withdrawn' | 'redacted';

export interface ExportRow {
  no: number;
  commentId: string;
  receivedAt: string;
  submittedAt: string;
  channel: string;
  category: string;
  stance: string;
  node: string;
  parentCommentId: string;
  status: CommentStatus;
  edits: number;
  body: string;
  /** When the comment last left public view (hidden, withdrawn, redacted) up to the position; '' while visible. */
  statusAt: string;
  /** The hide's reason code, when hidden. */
  statusReasonCode: string | null;
}

export interface ExportMeta {
  policyId: string;
  policyTitle: string;
  round: number;
  position: string;
  includeHidden: boolean;
  locale: ExportLocale;
}

const labels = {
  vi: {
    position: 'Vị trí nhật ký',
    policy: 'Dự thảo',
    round: 'Đợt lấy ý kiến',
    columns: [
      'STT',
      'Mã góp ý',
      'Thời điểm nhận (giờ Việt Nam, UTC+07:00)',
      'Thời điểm ghi nhận (giờ Việt Nam, UTC+07:00)',
      'Kênh',
      'Đối tượng',
      'Quan điểm',
      'Điều khoản',
      'Trả lời góp ý',
      'Trạng thái',
      'Số lần sửa',
      'Nội dung',
    ],
    wholeDraft: 'Toàn bộ dự thảo',
    sheet: 'Góp ý',
  },
  en: {
    position: 'Log position',
    policy: 'Policy',
    round: 'Consultation round',
    columns: [
      'No.',
      'Comment id',
      'Received at (Vietnam time, UTC+07:00)',
      'Recorded at (Vietnam time, UTC+07:00)',
      'Channel',
      'Stakeholder category',
      'Stance',
      'Section',
      'Reply to',
      'Status',
      'Edits',
      'Text',
    ],
    wholeDraft: 'Whole draft',
    sheet: 'Comments',
  },
} as const;

export class ExportNotFoundError extends Error {}

/** The policy's draft versions (node trees) as they stood at the position, to name each comment's node. */
async function versionsAt(writePath: WritePath, store: EventStore, policyId: string, position: Position) {
  const versions = new Map<number, DraftNode[]>();
  const rounds = new Set<number>();
  let title: string | null = null;
  for await (const e of writePath.readStream(`policy-${policyId}`)) {
    if (store.comparePositions(e.recorded.position, position) > 0) break;
    const ev = e.event as DomainEvent;
    if (ev.type === 'PolicyProposed') title = ev.data.title;
    if (ev.type === 'DraftVersionPublished') {
      versions.set(ev.data.version, ev.data.nodes);
      title = ev.data.title;
    }
    if (ev.type === 'ConsultationOpened') rounds.add(ev.data.round);
  }
  return { title, versions, rounds };
}

/**
 * The comments of a round as they stood at `position`, in the order they entered the log. Only the comment being
 * folded is held in memory.
 */
export async function* commentRowsAt(
  deps: { store: EventStore; writePath: WritePath },
  policyId: string,
  round: number,
  position: Position,
  o: { includeHidden: boolean; locale: ExportLocale },
): AsyncGenerator<ExportRow> {
  const { store, writePath } = deps;
  const l = labels[o.locale];
  const { versions } = await versionsAt(writePath, store, policyId, position);
  let no = 0;
  // Comments of this policy so far (any round): a reply names its parent only when the parent is one of them.
  const ofThisPolicy = new Set<string>();
  for await (const submitted of store.readAll({ filter: { eventTypes: ['CommentSubmitted'] } })) {
    if (store.comparePositions(submitted.position, position) > 0) break;
    // Policy and round are stored in the clear: only the round's comments are decrypted.
    const head = JSON.parse(submitted.data) as { policyId?: string; round?: number; commentId?: string };
    if (head.policyId === policyId && head.commentId) ofThisPolicy.add(head.commentId);
    if (head.policyId !== policyId || head.round !== round) continue;
    let row: Omit<ExportRow, 'no'> | null = null;
    let status: CommentStatus = 'visible';
    let statusAt = '';
    let statusReasonCode: string | null = null;
    for await (const e of writePath.readStream(submitted.streamId)) {
      if (store.comparePositions(e.recorded.position, position) > 0) break;
      const ev = e.event as DomainEvent;
      switch (ev.type) {
        case 'CommentSubmitted': {
          const d = ev.data;
          const node = d.anchorNodeId ? findNode(versions.get(d.version) ?? [], d.anchorNodeId) : undefined;
          row = {
            commentId: d.commentId,
            receivedAt: d.receivedAt,
            submittedAt: e.metadata.recordedAt,
            channel: glossaryLabel('channel', d.channel, o.locale),
            category: glossaryLabel('stakeholderCategory', d.stakeholderCategory, o.locale),
            stance: d.stance,
            node: d.anchorNodeId ? (node ? nodeLabel(node) : d.anchorNodeId) : l.wholeDraft,
            parentCommentId: d.parentCommentId && ofThisPolicy.has(d.parentCommentId) ? d.parentCommentId : '',
            status: 'visible',
            edits: 0,
            body: typeof d.body === 'string' ? d.body : '',
            statusAt: '',
            statusReasonCode: null,
          };
          break;
        }
        case 'CommentEdited':
          if (row)
            Object.assign(row, {
              body: typeof ev.data.body === 'string' ? ev.data.body : '',
              stance: ev.data.stance,
              edits: row.edits + 1,
            });
          break;
        case 'CommentWithdrawn':
          status = 'withdrawn';
          statusAt = e.metadata.recordedAt;
          break;
        case 'CommentHidden':
          if (status === 'visible') {
            status = 'hidden';
            statusAt = e.metadata.recordedAt;
            statusReasonCode = ev.data.reasonCode;
          }
          break;
        case 'CommentRestored':
          if (status === 'hidden') {
            status = 'visible';
            statusAt = '';
            statusReasonCode = null;
          }
          break;
        case 'CommentRedacted':
          status = 'redacted';
          statusAt = e.metadata.recordedAt;
          break;
        default:
          break;
      }
    }
    if (!row) continue;
    if (status === 'redacted') row.body = '';
    if (status !== 'visible' && !o.includeHidden) continue;
    no += 1;
    yield { ...row, no, status, statusAt, statusReasonCode, stance: glossaryLabel('stance', row.stance, o.locale) };
  }
}

function cells(row: ExportRow, locale: ExportLocale): (string | number)[] {
  return [
    row.no,
    row.commentId,
    vietnamIso(row.receivedAt),
    vietnamIso(row.submittedAt),
    row.channel,
    row.category,
    row.stance,
    row.node,
    row.parentCommentId,
    glossaryLabel('commentStatus', row.status, locale),
    row.edits,
    row.body,
  ];
}

/** Waits for `stream` to drain; rejects when the reader goes away first (then the export stops reading the log). */
async function drain(stream: NodeJS.EventEmitter, out: Writable): Promise<void> {
  if (out.destroyed) throw new Error('The export was abandoned by its reader');
  const gone = new AbortController();
  try {
    await Promise.race([
      once(stream, 'drain', { signal: gone.signal }),
      once(out, 'close', { signal: gone.signal }).then(() => {
        throw new Error('The export was abandoned by its reader');
      }),
    ]);
  } finally {
    gone.abort();
  }
}

function headerLines(meta: ExportMeta): (string | number)[][] {
  const l = labels[meta.locale];
  return [[l.position, meta.position, l.policy, meta.policyId, l.round, meta.round, meta.policyTitle], [...l.columns]];
}

/** CSV (spreadsheetCsv: formulas escaped): first the position line, then the header, then rows. */
export async function writeCommentsCsv(rows: AsyncIterable<ExportRow>, meta: ExportMeta, out: Writable): Promise<void> {
  const csv = spreadsheetCsv();
  const done = new Promise<void>((resolve, reject) => {
    csv.on('error', reject);
    out.on('error', reject);
    out.on('finish', resolve);
  });
  csv.pipe(out);
  const write = async (record: (string | number)[]) => {
    if (!csv.write(record)) await drain(csv, out);
  };
  for (const line of headerLines(meta)) await write(line);
  for await (const row of rows) await write(cells(row, meta.locale));
  csv.end();
  await done;
}

/** A fixed date for the workbook's properties and its zip entries, so the same content gives the same bytes. */
const FIXED_DATE = new Date('2000-01-01T00:00:00.000Z');

interface ZipLike {
  append(source: unknown, data: Record<string, unknown>): unknown;
}
type WriterInternals = ExcelJS.stream.xlsx.WorkbookWriter & { zip: ZipLike; addThemes(): Promise<void> };
type WorkbookWriterClass = new (options: Partial<ExcelJS.stream.xlsx.WorkbookStreamWriterOptions>) => WriterInternals;

let workbookWriterClass: Promise<WorkbookWriterClass> | undefined;

/**
 * Archiver stamps every zip entry with the time of writing unless told otherwise, and the writer's constructor already
 * appends the theme and the package relations: the dates are pinned before its first entry.
 */
function reproducibleWorkbookWriter(): Promise<WorkbookWriterClass> {
  workbookWriterClass ??= import('exceljs').then(({ default: excel }) => {
    const WorkbookWriterBase = excel.stream.xlsx.WorkbookWriter as unknown as WorkbookWriterClass;
    return class ReproducibleWorkbookWriter extends WorkbookWriterBase {
      override addThemes(): Promise<void> {
        const zip = this.zip as ZipLike & { pinned?: boolean };
        if (!zip.pinned) {
          const append = zip.append.bind(zip);
          zip.append = (source, data) => append(source, { ...data, date: FIXED_DATE });
          zip.pinned = true;
        }
        return super.addThemes();
      }
    };
  });
  return workbookWriterClass;
}

/**
 * XLSX through exceljs' streaming WorkbookWriter: inline strings (a shared-strings table would grow with the rows),
 * each row committed as soon as it is written. A1:G1 state the position, row 2 is the header.
 */
export async function writeCommentsXlsx(
  rows: AsyncIterable<ExportRow>,
  meta: ExportMeta,
  out: Writable,
): Promise<void> {
  const ReproducibleWorkbookWriter = await reproducibleWorkbookWriter();
  const workbook = new ReproducibleWorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
  workbook.creator = 'Góp ý';
  workbook.created = FIXED_DATE;
  workbook.modified = FIXED_DATE;
  const sheet = workbook.addWorksheet(labels[meta.locale].sheet, { views: [{ state: 'frozen', ySplit: 2 }] });
  sheet.columns = [6, 38, 26, 26, 18, 22, 14, 18, 38, 14, 8, 80].map((width) => ({ width }));
  // Rows go through xmlSafe: the sheet is XML, and a log written before issue 15 may hold control characters.
  const [positionLine, header] = xmlSafe(headerLines(meta));
  sheet.addRow(positionLine).commit();
  const headerRow = sheet.addRow(header);
  headerRow.font = { bold: true };
  headerRow.commit();
  // exceljs writes each committed row into the zip entry without waiting for it to be compressed and sent: every few
  // rows, wait until the entry, the compressor and the response have taken what they hold, so nothing piles up.
  const sheetStream = (sheet as unknown as { stream: { pipes?: Writable[]; buffers?: unknown[] } }).stream;
  const drained = async () => {
    for (;;) {
      // The zip library's streams are readable-stream v2 objects: no writableNeedDrain, the same flag in their state.
      const full = [...(sheetStream.pipes ?? []), out].find(
        (w) =>
          w.writableNeedDrain ||
          (w as unknown as { _writableState?: { needDrain?: boolean } })._writableState?.needDrain === true,
      );
      if (full) await drain(full, out);
      else if (out.destroyed) throw new Error('The export was abandoned by its reader');
      else if ((sheetStream.buffers?.length ?? 0) > 4) await new Promise((resolve) => setTimeout(resolve, 5));
      else return;
    }
  };
  let n = 0;
  for await (const row of rows) {
    sheet.addRow(xmlSafe(cells(row, meta.locale))).commit();
    if (++n % 200 === 0) await drained();
  }
  sheet.commit();
  await workbook.commit();
}

/* ------------------------------------------------------------------ the route */

function refuse(res: express.Response, status: number, vi: string, en: string) {
  res.status(status).type('text/plain; charset=utf-8').send(`${vi}\n${en}\n`);
}

/**
 * GET /export/policies/<id>/rounds/<n>/comments.csv|xlsx[?position=<p>][&lang=en]: for staff and policymakers of the
 * owning organisation and for auditors (who also get hidden, withdrawn and redacted comments).
 */
export function commentExports(
  runtime: Runtime,
  viewerOf: (req: express.Request) => Promise<Viewer | null>,
): express.Router {
  const router = express.Router();
  router.get('/export/policies/:policyId/rounds/:round/:file', async (req, res, next) => {
    try {
      const m = /^comments\.(csv|xlsx)$/.exec(req.params.file);
      const round = Number(req.params.round);
      if (!isUuid(req.params.policyId) || !m || !Number.isSafeInteger(round) || round < 1) {
        refuse(res, 404, 'Không tìm thấy.', 'Not found.');
        return;
      }
      const viewer = await viewerOf(req);
      if (!viewer) {
        refuse(res, 401, 'Bạn cần đăng nhập để tải danh sách góp ý.', 'You need to sign in to download the comments.');
        return;
      }
      const [policy] = await policyQueries.byIds(runtime.readDb, [req.params.policyId]);
      // An auditor's export includes hidden comments.
      const auditor = hasRoleAnywhere(viewer, 'auditor');
      const reader = mayExportComments(viewer, policy?.organizationId);
      if (!policy) {
        refuse(res, 404, 'Không tìm thấy dự thảo.', 'Policy not found.');
        return;
      }
      if (!reader) {
        refuse(
          res,
          403,
          'Bạn không có quyền tải danh sách góp ý của dự thảo này.',
          'You may not download the comments of this policy.',
        );
        return;
      }
      const head = await runtime.store.headPosition();
      let position = head;
      if (typeof req.query.position === 'string' && req.query.position !== '') {
        const asked = req.query.position as Position;
        let ok = false;
        try {
          ok = head !== undefined && runtime.store.comparePositions(asked, head) <= 0;
        } catch {
          ok = false;
        }
        if (!ok) {
          refuse(
            res,
            400,
            'Vị trí nhật ký không hợp lệ hoặc chưa có.',
            'The log position is not valid or not reached yet.',
          );
          return;
        }
        position = asked;
      }
      if (!position) {
        refuse(res, 404, 'Nhật ký còn trống.', 'The log is empty.');
        return;
      }
      const locale: ExportLocale = req.query.lang === 'en' ? 'en' : 'vi';
      const { rounds, title } = await versionsAt(runtime.writePath, runtime.store, policy.id, position);
      if (!rounds.has(round)) {
        refuse(
          res,
          404,
          `Dự thảo chưa có đợt lấy ý kiến ${round} tại vị trí này.`,
          `The policy had no consultation round ${round} at this position.`,
        );
        return;
      }
      const meta: ExportMeta = {
        policyId: policy.id,
        policyTitle: title ?? '',
        round,
        position,
        includeHidden: auditor,
        locale,
      };
      // Names and, for auditors, hidden content leave the platform: recorded before the first byte is sent.
      await recordSensitiveRead(runtime.writePath, runtime.clock.now(), {
        readerAccountId: viewer.accountId,
        readerRole: auditor
          ? 'auditor'
          : (viewer.memberships.get(policy.organizationId) ?? []).find((r) => ANALYST_ROLES.includes(r))!,
        subjectKind: auditor ? 'commentsExportWithHidden' : 'commentsExport',
        subjectId: `${policy.id}/${round}@${position}`,
        field: `export:${req.params.file}`,
      });
      const rows = commentRowsAt(runtime, policy.id, round, position, { includeHidden: auditor, locale });
      res.setHeader('X-Gopy-Position', position);
      res.setHeader('Cache-Control', 'private, no-store');
      res.setHeader(
        'Content-Disposition',
        `attachment; filename="gop-y-${policy.id.slice(0, 8)}-dot-${round}-${position}.${m[1]}"`,
      );
      if (m[1] === 'csv') {
        res.type('text/csv; charset=utf-8');
        await writeCommentsCsv(rows, meta, res);
      } else {
        res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
        await writeCommentsXlsx(rows, meta, res);
      }
    } catch (err) {
      if (res.headersSent) {
        res.destroy(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      next(err);
    }
  });
  return router;
}
