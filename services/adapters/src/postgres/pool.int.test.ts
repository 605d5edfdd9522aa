import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSchemaPool } from './pool';
import { createThrowawayDatabase } from './throwawayDatabase';

describe('schema pools', () => {
  let database: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    database = await createThrowawayDatabase('gopy_pool');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('survive the server terminating an idle connection, and the next query works', async () => {
    const pool = await openSchemaPool(database.url, 'gopy_pool_test', 2);
    const pid = (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    // As a restart or DROP DATABASE … WITH (FORCE) would: the idle connection is killed under the pool.
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await admin.end();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    await pool.end();
  });
});
