import type Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { ReadDb, ReadModelDatabase } from '@gopy/application/readModels/index';
import { openPrivateDatabase } from '../privateFiles';

/** The read models on SQLite through Kysely: one file, WAL, so the API reads while the projector writes. */
export function openSqliteReadStore(filename: string): { db: ReadDb; close(): Promise<void> } {
  const sqlite = openPrivateDatabase(filename);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -65536');
  const db = new Kysely<ReadModelDatabase>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, close: () => db.destroy() };
}

/** Distinct SQL texts whose prepared statements are kept (the read models and queries use a few hundred). */
const CACHED_STATEMENTS = 1_000;

/**
 * Kysely prepares every query it runs; preparing costs more than running the small statements of a projection or a
 * page query. This keeps prepared statements by SQL text (least recently used dropped), never handing out one that is
 * still being iterated.
 */
function withStatementCache(sqlite: Database.Database): { close(): void; prepare(sql: string): Database.Statement } {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => {
      cache.clear();
      sqlite.close();
    },
    prepare(sql: string) {
      const hit = cache.get(sql);
      if (hit && !hit.busy) {
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const statement = sqlite.prepare(sql);
      if (!hit) {
        cache.set(sql, statement);
        if (cache.size > CACHED_STATEMENTS) cache.delete(cache.keys().next().value as string);
      }
      return statement;
    },
  };
}
