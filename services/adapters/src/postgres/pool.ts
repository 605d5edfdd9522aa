import pg from 'pg';

/** A pool whose connections use one schema, created if missing; the stores of Góp ý each keep to their own schema. */
export async function openSchemaPool(connectionString: string, schema: string, max = 10): Promise<pg.Pool> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`Invalid schema name ${schema}`);
  const pool = new pg.Pool({ connectionString, max, options: `-c search_path=${schema}` });
  // An idle connection that dies (server restart, a terminated backend) is dropped by the pool and replaced on the next
  // query; without a listener its error event would crash the process.
  pool.on('error', () => undefined);
  const client = await pool.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } finally {
    client.release();
  }
  return pool;
}
