import type pg from 'pg';
import type { AuthStore } from '@gopy/application/ports';
import { openSchemaPool } from '../postgres/pool';

/** Credentials, sessions and one-time tokens in their own PostgreSQL schema (default `gopy_auth`). */
export class PostgresAuthStore implements AuthStore {
  private constructor(private readonly pool: pg.Pool) {}

  static async open(connectionString: string, schema = 'gopy_auth'): Promise<PostgresAuthStore> {
    const pool = await openSchemaPool(connectionString, schema, 4);
    await pool.query(`
      CREATE TABLE IF NOT EXISTS credentials (account_id text PRIMARY KEY, email_lookup text NOT NULL UNIQUE, password_hash text NOT NULL);
      CREATE TABLE IF NOT EXISTS sessions (token_hash text PRIMARY KEY, account_id text NOT NULL, expires_at text NOT NULL);
      CREATE INDEX IF NOT EXISTS sessions_account ON sessions(account_id);
      CREATE TABLE IF NOT EXISTS tokens (token_hash text PRIMARY KEY, kind text NOT NULL, account_id text NOT NULL, expires_at text NOT NULL, used boolean NOT NULL DEFAULT false);
      CREATE INDEX IF NOT EXISTS tokens_account ON tokens(account_id);
    `);
    return new PostgresAuthStore(pool);
  }

  async putCredential(accountId: string, emailLookup: string, passwordHash: string) {
    const r = await this.pool.query(
      'INSERT INTO credentials (account_id, email_lookup, password_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [accountId, emailLookup, passwordHash],
    );
    return r.rowCount === 1;
  }

  async findCredential(emailLookup: string) {
    const { rows } = await this.pool.query<{ account_id: string; password_hash: string }>(
      'SELECT account_id, password_hash FROM credentials WHERE email_lookup = $1',
      [emailLookup],
    );
    return rows[0] ? { accountId: rows[0].account_id, passwordHash: rows[0].password_hash } : undefined;
  }

  async setPassword(accountId: string, passwordHash: string) {
    await this.inTransaction(async (client) => {
      await client.query('UPDATE credentials SET password_hash = $1 WHERE account_id = $2', [passwordHash, accountId]);
      await client.query("UPDATE tokens SET used = true WHERE account_id = $1 AND kind = 'reset' AND used = false", [
        accountId,
      ]);
      await client.query('DELETE FROM sessions WHERE account_id = $1', [accountId]);
    });
  }

  private async inTransaction(work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    } finally {
      client.release();
    }
  }

  async createSession(tokenHash: string, accountId: string, expiresAt: string) {
    await this.pool.query('INSERT INTO sessions (token_hash, account_id, expires_at) VALUES ($1, $2, $3)', [
      tokenHash,
      accountId,
      expiresAt,
    ]);
  }

  async findSession(tokenHash: string, nowIso: string) {
    const { rows } = await this.pool.query<{ account_id: string; expires_at: string }>(
      'SELECT account_id, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2',
      [tokenHash, nowIso],
    );
    return rows[0] ? { accountId: rows[0].account_id, expiresAt: rows[0].expires_at } : undefined;
  }

  async deleteSession(tokenHash: string) {
    await this.pool.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
  }

  async deleteSessionsOf(accountId: string) {
    await this.pool.query('DELETE FROM sessions WHERE account_id = $1', [accountId]);
  }

  async createToken(kind: 'verify' | 'reset', tokenHash: string, accountId: string, expiresAt: string) {
    await this.pool.query('INSERT INTO tokens (token_hash, kind, account_id, expires_at) VALUES ($1, $2, $3, $4)', [
      tokenHash,
      kind,
      accountId,
      expiresAt,
    ]);
  }

  async consumeToken(kind: 'verify' | 'reset', tokenHash: string, nowIso: string) {
    const { rows } = await this.pool.query<{ account_id: string }>(
      'UPDATE tokens SET used = true WHERE token_hash = $1 AND kind = $2 AND used = false AND expires_at > $3 RETURNING account_id',
      [tokenHash, kind, nowIso],
    );
    return rows[0]?.account_id;
  }

  async forgetAccount(accountId: string) {
    await this.inTransaction(async (client) => {
      await client.query('DELETE FROM credentials WHERE account_id = $1', [accountId]);
      await client.query('DELETE FROM sessions WHERE account_id = $1', [accountId]);
      await client.query('DELETE FROM tokens WHERE account_id = $1', [accountId]);
    });
  }

  async close() {
    await this.pool.end();
  }
}
