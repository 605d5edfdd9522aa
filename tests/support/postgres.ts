// The same helper as services/adapters/src/postgres/throwawayDatabase.ts: tests/ reach services over HTTP only.
import { randomUUID } from 'node:crypto';
import pg from 'pg';

/**
 * A fresh database on the test server (DATABASE_URL, default the local trust-auth server), dropped afterwards:
 * every suite that touches PostgreSQL gets its own, so suites run side by side without seeing each other.
 */
export async function createThrowawayDatabase(prefix = 'gopy_test'): Promise<{ url: string; drop(): Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
