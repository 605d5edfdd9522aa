import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { ReadDb, ReadModelDatabase } from '@gopy/application/readModels/index';

/** The read models on SQLite through Kysely: one file, WAL, so the API reads while the projector writes. */
export function openSqliteReadStore(filename: string): { db: ReadDb; close(): Promise<void> } {
  const sqlite = new Database(filename);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -65536');
  const db = new Kysely<ReadModelDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, close: () => db.destroy() };
}
