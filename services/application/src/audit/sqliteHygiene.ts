import { sql, type Kysely } from 'kysely';

/** A read database of any schema: these helpers name tables at run time. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** On a SQLite read database: zero freed space from now on (secure_delete), so erased text is not left in free pages. */
export async function secureDeleteOn(db: AnyDb): Promise<void> {
  await sql`PRAGMA secure_delete = ON`.execute(db);
}

/** Copies the WAL into the database file and truncates it, so no old page image (with erased text) stays in the -wal file. */
export async function checkpointWal(db: AnyDb): Promise<void> {
  await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
}
