import { Kysely, PostgresDialect } from 'kysely';
import type { ReadDb, ReadModelDatabase } from '@gopy/application/readModels/index';
import { openSchemaPool } from '../postgres/pool';

/** The read models on PostgreSQL through Kysely, in their own schema (default `gopy_read`). */
export async function openPostgresReadStore(
  connectionString: string,
  schema = 'gopy_read',
): Promise<{ db: ReadDb; close(): Promise<void> }> {
  const pool = await openSchemaPool(connectionString, schema, 10);
  const db = new Kysely<ReadModelDatabase>({ dialect: new PostgresDialect({ pool }) });
  return { db, close: () => db.destroy() };
}
