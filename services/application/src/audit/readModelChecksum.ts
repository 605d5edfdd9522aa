import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { allReadModels } from '../readModels/index';
import { dialectOf } from '../readModels/search';

/** A read database of any schema: these helpers name tables at run time. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/**
 * Columns a SQLite table keeps as its rowid, which `SELECT *` does not return: the FTS5 search table holds the comment's
 * seq there, where PostgreSQL has a `seq` column.
 */
const SQLITE_ROWID_AS: Record<string, string> = { comment_search: 'seq' };

/** Rows read per SQLite page (keyset on rowid). */
const SQLITE_PAGE_ROWS = 5_000;
/** Heap blocks read per PostgreSQL page (a TID range scan, 8 KiB blocks). */
const POSTGRES_PAGE_BLOCKS = 256;
/** Row hashes are summed modulo 2^256 (the multiset checksum) and, for finding a difference, grouped by their first byte. */
const MODULUS = 1n << 256n;
const BUCKETS = 256;

/**
 * One value as both engines agree on it: PostgreSQL returns bigint columns as strings and booleans as booleans where
 * SQLite returns numbers, so every scalar becomes its plain text (numbers in shortest form, booleans 1/0).
 */
function normalise(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15)));
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value === 'string')
    return /^-?\d+\.\d+$/.test(value) ? String(Number(Number(value).toPrecision(15))) : value;
  return JSON.stringify(value);
}

/** A row as one line of text: its columns sorted by name, values normalised. */
function rowText(row: Record<string, unknown>): string {
  return JSON.stringify(
    Object.keys(row)
      .sort()
      .map((k) => [k, normalise(row[k])]),
  );
}

export interface TableContent {
  table: string;
  rows: number;
  /**
   * Multiset checksum of the table's row lines: the sum of each line's SHA-256 modulo 2^256, in hex. It does not depend
   * on the order rows are read in, so a table of any size is checked one page at a time.
   */
  checksum: string;
}

/** Every read-model table (from the read models' own lists), in a stable order. */
export function readModelTables(): string[] {
  return [...new Set(allReadModels.flatMap((m) => m.tables))].sort();
}

/**
 * Reads a whole table one page at a time, in no particular order, and hands each page's rows as lines. Only one page is
 * ever held: SQLite pages by rowid, PostgreSQL by ranges of heap blocks (TID range scans, no sort).
 */
async function scanTable(db: AnyDb, table: string, onLines: (lines: string[]) => void): Promise<void> {
  if (dialectOf(db) === 'sqlite') {
    const rowidAs = SQLITE_ROWID_AS[table];
    let after = Number.MIN_SAFE_INTEGER;
    for (;;) {
      const page = (
        await sql<
          Record<string, unknown>
        >`SELECT rowid AS "__scan_key", * FROM ${sql.table(table)} WHERE rowid > ${after} ORDER BY rowid LIMIT ${SQLITE_PAGE_ROWS}`.execute(
          db,
        )
      ).rows;
      if (page.length === 0) return;
      after = Number(page[page.length - 1]!.__scan_key);
      onLines(
        page.map((row) => {
          const { __scan_key: key, ...columns } = row;
          return rowText(rowidAs ? { ...columns, [rowidAs]: key } : columns);
        }),
      );
      if (page.length < SQLITE_PAGE_ROWS) return;
    }
  }
  const size = await sql<{
    blocks: string | number;
  }>`SELECT pg_relation_size(${table}::regclass) / current_setting('block_size')::bigint AS blocks`.execute(db);
  const blocks = Number(size.rows[0]?.blocks ?? 0);
  // Rows a concurrent update moves to a block past the end are not seen; verification runs against read models at rest.
  for (let from = 0; from < blocks; from += POSTGRES_PAGE_BLOCKS) {
    const to = from + POSTGRES_PAGE_BLOCKS;
    const page = (
      await sql<
        Record<string, unknown>
      >`SELECT * FROM ${sql.table(table)} WHERE ctid >= ${`(${from},0)`}::tid AND ctid < ${`(${to},0)`}::tid`.execute(
        db,
      )
    ).rows;
    if (page.length > 0) onLines(page.map(rowText));
  }
}

function lineHash(line: string): Buffer {
  return createHash('sha256').update(line).digest();
}

/** A table's multiset checksum with one partial sum per bucket (first byte of each row's hash). */
interface TableSums {
  rows: number;
  total: bigint;
  buckets: { rows: number; sum: bigint }[];
}

async function tableSums(db: AnyDb, table: string): Promise<TableSums> {
  const buckets = Array.from({ length: BUCKETS }, () => ({ rows: 0, sum: 0n }));
  let rows = 0;
  await scanTable(db, table, (lines) => {
    for (const line of lines) {
      const digest = lineHash(line);
      const bucket = buckets[digest[0]!]!;
      bucket.rows += 1;
      bucket.sum = (bucket.sum + BigInt(`0x${digest.toString('hex')}`)) % MODULUS;
      rows += 1;
    }
  });
  const total = buckets.reduce((acc, b) => (acc + b.sum) % MODULUS, 0n);
  return { rows, total, buckets };
}

function hex(sum: bigint): string {
  return sum.toString(16).padStart(64, '0');
}

/** Content checksum of each read-model table: the same on SQLite and PostgreSQL for the same rows. */
export async function readModelChecksums(db: AnyDb, tables = readModelTables()): Promise<TableContent[]> {
  const out: TableContent[] = [];
  for (const table of tables) {
    const sums = await tableSums(db, table);
    out.push({ table, rows: sums.rows, checksum: hex(sums.total) });
  }
  return out;
}

export interface TableComparison {
  table: string;
  live: TableContent;
  rebuilt: TableContent;
  equal: boolean;
  /**
   * When the tables differ: the first row (in sorted order) present on one side only, among the rows of the first hash
   * bucket whose sums differ.
   */
  firstDifference: { onlyIn: 'live' | 'rebuilt'; row: string } | null;
}

/** The sorted lines of one hash bucket of a table: the only rows held in memory when looking for a difference. */
async function bucketLines(db: AnyDb, table: string, bucket: number): Promise<string[]> {
  const lines: string[] = [];
  await scanTable(db, table, (page) => {
    for (const line of page) if (lineHash(line)[0] === bucket) lines.push(line);
  });
  return lines.sort();
}

function firstDifferenceOf(a: string[], b: string[]): TableComparison['firstDifference'] {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i += 1;
      j += 1;
      continue;
    }
    return j >= b.length || (i < a.length && a[i]! < b[j]!)
      ? { onlyIn: 'live', row: a[i]! }
      : { onlyIn: 'rebuilt', row: b[j]! };
  }
  return null;
}

/**
 * Compares every read-model table of the live database with a rebuilt one, streaming both: each table is summed page by
 * page, and only when the sums differ are the rows of the first differing bucket (about 1/256 of the table) read again
 * and sorted to name the first difference.
 */
export async function compareReadModels(
  live: AnyDb,
  rebuilt: AnyDb,
  tables = readModelTables(),
): Promise<{ equal: boolean; tables: TableComparison[] }> {
  const result: TableComparison[] = [];
  for (const table of tables) {
    const a = await tableSums(live, table);
    const b = await tableSums(rebuilt, table);
    const liveContent = { table, rows: a.rows, checksum: hex(a.total) };
    const rebuiltContent = { table, rows: b.rows, checksum: hex(b.total) };
    let firstDifference: TableComparison['firstDifference'] = null;
    const equal = a.rows === b.rows && a.total === b.total;
    if (!equal) {
      const bucket = a.buckets.findIndex((x, i) => x.rows !== b.buckets[i]!.rows || x.sum !== b.buckets[i]!.sum);
      if (bucket >= 0)
        firstDifference = firstDifferenceOf(
          await bucketLines(live, table, bucket),
          await bucketLines(rebuilt, table, bucket),
        );
    }
    result.push({ table, live: liveContent, rebuilt: rebuiltContent, equal, firstDifference });
  }
  return { equal: result.every((t) => t.equal), tables: result };
}
