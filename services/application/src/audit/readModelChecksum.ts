import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { allReadModels } from '../readModels/index';
import { dialectOf } from '../readModels/search';

/**
 * Columns a SQLite table keeps as its rowid, which `SELECT *` does not return: the FTS5 search table holds the comment's
 * seq there, where PostgreSQL has a `seq` column.
 */
const SQLITE_ROWID_AS: Record<string, string> = { comment_search: 'seq' };

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
  if (typeof value === 'string') return /^-?\d+\.\d+$/.test(value) ? String(Number(Number(value).toPrecision(15))) : value;
  return JSON.stringify(value);
}

/** A row as one line of text: its columns sorted by name, values normalised. */
function rowText(row: Record<string, unknown>): string {
  return JSON.stringify(Object.keys(row).sort().map((k) => [k, normalise(row[k])]));
}

export interface TableContent {
  table: string;
  rows: number;
  /** SHA-256 over the sorted row lines. */
  checksum: string;
}

/** Every read-model table (from the read models' own lists), in a stable order. */
export function readModelTables(): string[] {
  return [...new Set(allReadModels.flatMap((m) => m.tables))].sort();
}

async function tableLines(db: Kysely<any>, table: string): Promise<string[]> {
  const rowidAs = dialectOf(db) === 'sqlite' ? SQLITE_ROWID_AS[table] : undefined;
  const rows = (
    rowidAs
      ? (await sql`SELECT rowid AS ${sql.ref(rowidAs)}, * FROM ${sql.table(table)}`.execute(db)).rows
      : await db.selectFrom(table).selectAll().execute()
  ) as Record<string, unknown>[];
  return rows.map(rowText).sort();
}

function checksumOf(lines: string[]): string {
  const h = createHash('sha256');
  for (const l of lines) h.update(l).update('\n');
  return h.digest('hex');
}

/** Content checksum of each read-model table: the same on SQLite and PostgreSQL for the same rows. */
export async function readModelChecksums(db: Kysely<any>, tables = readModelTables()): Promise<TableContent[]> {
  const out: TableContent[] = [];
  for (const table of tables) {
    const lines = await tableLines(db, table);
    out.push({ table, rows: lines.length, checksum: checksumOf(lines) });
  }
  return out;
}

export interface TableComparison {
  table: string;
  live: TableContent;
  rebuilt: TableContent;
  equal: boolean;
  /** The first row (in sorted order) present on one side only, when the tables differ. */
  firstDifference: { onlyIn: 'live' | 'rebuilt'; row: string } | null;
}

/** Compares every read-model table of the live database with a rebuilt one. */
export async function compareReadModels(live: Kysely<any>, rebuilt: Kysely<any>, tables = readModelTables()): Promise<{ equal: boolean; tables: TableComparison[] }> {
  const result: TableComparison[] = [];
  for (const table of tables) {
    const a = await tableLines(live, table);
    const b = await tableLines(rebuilt, table);
    const liveContent = { table, rows: a.length, checksum: checksumOf(a) };
    const rebuiltContent = { table, rows: b.length, checksum: checksumOf(b) };
    let firstDifference: TableComparison['firstDifference'] = null;
    if (liveContent.checksum !== rebuiltContent.checksum) {
      let i = 0;
      let j = 0;
      while (i < a.length || j < b.length) {
        if (i < a.length && j < b.length && a[i] === b[j]) {
          i += 1;
          j += 1;
          continue;
        }
        firstDifference = j >= b.length || (i < a.length && a[i]! < b[j]!) ? { onlyIn: 'live', row: a[i]! } : { onlyIn: 'rebuilt', row: b[j]! };
        break;
      }
    }
    result.push({ table, live: liveContent, rebuilt: rebuiltContent, equal: firstDifference === null && liveContent.checksum === rebuiltContent.checksum, firstDifference });
  }
  return { equal: result.every((t) => t.equal), tables: result };
}
