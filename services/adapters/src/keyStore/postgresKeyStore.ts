import type pg from 'pg';
import { KeyDestroyedError, type KeyStore } from '@gopy/application/ports';
import { openSchemaPool } from '../postgres/pool';
import { unwrapKey, wrapKey, newDataKey } from './wrapping';

/**
 * Data keys in their own PostgreSQL schema (default `gopy_keys`), apart from the log and the read models: a rebuild
 * never touches it. Keys are wrapped with the master key; destroying one nulls it and leaves a tombstone.
 */
/** Unwrapped keys kept in memory; a surge of comments must not keep every key it ever touched. */
const CACHE_KEYS = 20_000;

export class PostgresKeyStore implements KeyStore {
  private readonly cache = new Map<string, Buffer>();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly masterKey: Buffer,
  ) {}

  static async open(connectionString: string, masterKey: Buffer, schema = 'gopy_keys'): Promise<PostgresKeyStore> {
    const pool = await openSchemaPool(connectionString, schema, 4);
    await pool.query(
      `CREATE TABLE IF NOT EXISTS data_keys (key_id text PRIMARY KEY, wrapped bytea, destroyed boolean NOT NULL DEFAULT false)`,
    );
    return new PostgresKeyStore(pool, masterKey);
  }

  async getOrCreateKey(keyId: string): Promise<Buffer> {
    const cached = this.cache.get(keyId);
    if (cached) return cached;
    const key = newDataKey();
    const inserted = await this.pool.query(
      'INSERT INTO data_keys (key_id, wrapped) VALUES ($1, $2) ON CONFLICT (key_id) DO NOTHING',
      [keyId, wrapKey(this.masterKey, keyId, key)],
    );
    // Stored (and committed) just now: no need to read it back. Otherwise what is stored wins, or it was destroyed.
    if (inserted.rowCount === 1) return this.remember(keyId, key);
    const stored = await this.getKey(keyId);
    if (!stored) throw new KeyDestroyedError(keyId);
    return stored;
  }

  private remember(keyId: string, key: Buffer): Buffer {
    this.cache.delete(keyId);
    this.cache.set(keyId, key);
    if (this.cache.size > CACHE_KEYS) this.cache.delete(this.cache.keys().next().value as string);
    return key;
  }

  async getKey(keyId: string): Promise<Buffer | undefined> {
    const cached = this.cache.get(keyId);
    if (cached) return cached;
    const { rows } = await this.pool.query<{ wrapped: Buffer | null; destroyed: boolean }>(
      'SELECT wrapped, destroyed FROM data_keys WHERE key_id = $1',
      [keyId],
    );
    const row = rows[0];
    if (!row || row.destroyed || !row.wrapped) return undefined;
    return this.remember(keyId, unwrapKey(this.masterKey, keyId, row.wrapped));
  }

  async destroyKey(keyId: string): Promise<void> {
    await this.pool.query(
      'INSERT INTO data_keys (key_id, wrapped, destroyed) VALUES ($1, NULL, true) ON CONFLICT (key_id) DO UPDATE SET wrapped = NULL, destroyed = true',
      [keyId],
    );
    this.cache.delete(keyId);
  }

  async isDestroyed(keyId: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ destroyed: boolean }>(
      'SELECT destroyed FROM data_keys WHERE key_id = $1',
      [keyId],
    );
    return rows[0]?.destroyed === true;
  }

  /** Every row as stored (wrapped), for `gopy store copy` and backups. */
  async exportRows(): Promise<{ keyId: string; wrapped: Buffer | null; destroyed: boolean }[]> {
    const { rows } = await this.pool.query<{ key_id: string; wrapped: Buffer | null; destroyed: boolean }>(
      'SELECT key_id, wrapped, destroyed FROM data_keys ORDER BY key_id',
    );
    return rows.map((r) => ({ keyId: r.key_id, wrapped: r.wrapped, destroyed: r.destroyed }));
  }

  /** Stores rows exactly as exported from another key store (same master key); a destroyed key stays destroyed. */
  async importRows(rows: { keyId: string; wrapped: Buffer | null; destroyed: boolean }[]): Promise<void> {
    for (const r of rows) {
      await this.pool.query(
        `INSERT INTO data_keys (key_id, wrapped, destroyed) VALUES ($1, $2, $3)
         ON CONFLICT (key_id) DO UPDATE SET wrapped = CASE WHEN excluded.destroyed OR data_keys.destroyed THEN NULL ELSE excluded.wrapped END,
                                            destroyed = data_keys.destroyed OR excluded.destroyed`,
        [r.keyId, r.destroyed ? null : r.wrapped, r.destroyed],
      );
    }
  }

  async close(): Promise<void> {
    this.cache.clear();
    await this.pool.end();
  }
}
