import { createHash } from 'node:crypto';
import pg from 'pg';

export interface Lease {
  readonly name: string;
  /** Resolves when the lease is lost (its connection died); the holder must stop acting at once. */
  readonly lost: Promise<void>;
  release(): Promise<void>;
}

function lockKey(name: string): bigint {
  // A stable 63-bit key per lease name for pg_advisory_lock.
  return BigInt.asIntN(64, BigInt(`0x${createHash('sha256').update(`gopy-lease:${name}`).digest('hex').slice(0, 16)}`));
}

/**
 * A lease held as a PostgreSQL session advisory lock on a dedicated connection: exactly one process holds it; when that
 * process dies its connection closes and the lock is free for the next, which is waiting in `acquireLease`.
 */
export async function acquireLease(
  connectionString: string,
  name: string,
  options: { retryMs?: number; signal?: AbortSignal; onWaiting?: () => void } = {},
): Promise<Lease> {
  const key = lockKey(name).toString();
  let warned = false;
  for (;;) {
    if (options.signal?.aborted) throw new Error(`Lease ${name}: aborted`);
    const client = new pg.Client({ connectionString, keepAlive: true });
    await client.connect();
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [key]);
    if (rows[0]?.ok) {
      let markLost: () => void = () => {};
      const lost = new Promise<void>((resolve) => (markLost = resolve));
      client.on('error', () => markLost());
      client.on('end', () => markLost());
      return {
        name,
        lost,
        async release() {
          try {
            await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
          } finally {
            await client.end();
          }
        },
      };
    }
    await client.end();
    if (!warned) {
      options.onWaiting?.();
      warned = true;
    }
    await new Promise((r) => setTimeout(r, options.retryMs ?? 1_000));
  }
}
