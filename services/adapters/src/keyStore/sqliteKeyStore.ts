import Database from 'better-sqlite3';
import { KeyDestroyedError, type KeyStore } from '@gopy/application/ports';
import { newDataKey, unwrapKey, wrapKey } from './wrapping';

/**
 * Data keys in their own SQLite file, apart from the log and the read models (a rebuild never touches it).
 * Each key is wrapped with the master key (AES-256-GCM) so a copy of this file alone reveals nothing.
 * Destroying a key overwrites its row (secure_delete) and keeps a tombstone so it can never be recreated.
 */
export class SqliteKeyStore implements KeyStore {
  private readonly db: Database.Database;
  private readonly cache = new Map<string, Buffer>();
  private readonly stmts;

  constructor(
    filename: string,
    private readonly masterKey: Buffer,
  ) {
    if (masterKey.length !== 32) throw new Error('The master key must be 32 bytes');
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('secure_delete = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS data_keys (
      key_id TEXT PRIMARY KEY,
      wrapped BLOB,
      destroyed INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID`);
    this.stmts = {
      get: this.db.prepare<[string], { wrapped: Buffer | null; destroyed: number }>('SELECT wrapped, destroyed FROM data_keys WHERE key_id = ?'),
      insert: this.db.prepare('INSERT OR IGNORE INTO data_keys (key_id, wrapped, destroyed) VALUES (?, ?, 0)'),
      destroy: this.db.prepare(
        'INSERT INTO data_keys (key_id, wrapped, destroyed) VALUES (?, NULL, 1) ON CONFLICT(key_id) DO UPDATE SET wrapped = NULL, destroyed = 1',
      ),
      all: this.db.prepare<[], { key_id: string; wrapped: Buffer | null; destroyed: number }>('SELECT key_id, wrapped, destroyed FROM data_keys'),
    };
  }

  private wrap(keyId: string, key: Buffer): Buffer {
    return wrapKey(this.masterKey, keyId, key);
  }

  private unwrap(keyId: string, wrapped: Buffer): Buffer {
    return unwrapKey(this.masterKey, keyId, wrapped);
  }

  async getOrCreateKey(keyId: string): Promise<Buffer> {
    const cached = this.cache.get(keyId);
    if (cached) return cached;
    let row = this.stmts.get.get(keyId);
    if (!row) {
      this.stmts.insert.run(keyId, this.wrap(keyId, newDataKey()));
      row = this.stmts.get.get(keyId);
    }
    if (!row || row.destroyed || !row.wrapped) throw new KeyDestroyedError(keyId);
    const key = this.unwrap(keyId, row.wrapped);
    this.cache.set(keyId, key);
    return key;
  }

  async getKey(keyId: string): Promise<Buffer | undefined> {
    const cached = this.cache.get(keyId);
    if (cached) return cached;
    const row = this.stmts.get.get(keyId);
    if (!row || row.destroyed || !row.wrapped) return undefined;
    const key = this.unwrap(keyId, row.wrapped);
    this.cache.set(keyId, key);
    return key;
  }

  async destroyKey(keyId: string): Promise<void> {
    this.stmts.destroy.run(keyId);
    this.cache.delete(keyId);
    // Push the overwritten page out of the WAL into the main file now, not at some later checkpoint.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async isDestroyed(keyId: string): Promise<boolean> {
    return this.stmts.get.get(keyId)?.destroyed === 1;
  }

  /** Every row as stored (wrapped), for `gopy store copy` and backups. */
  async exportRows(): Promise<{ keyId: string; wrapped: Buffer | null; destroyed: boolean }[]> {
    return this.stmts.all.all().map((r) => ({ keyId: r.key_id, wrapped: r.wrapped, destroyed: r.destroyed === 1 }));
  }

  /** Stores rows exactly as exported from another key store (same master key); a destroyed key stays destroyed. */
  async importRows(rows: { keyId: string; wrapped: Buffer | null; destroyed: boolean }[]): Promise<void> {
    const put = this.db.prepare(
      `INSERT INTO data_keys (key_id, wrapped, destroyed) VALUES (?, ?, ?)
       ON CONFLICT(key_id) DO UPDATE SET wrapped = CASE WHEN excluded.destroyed = 1 OR data_keys.destroyed = 1 THEN NULL ELSE excluded.wrapped END,
                                         destroyed = MAX(data_keys.destroyed, excluded.destroyed)`,
    );
    this.db.transaction(() => {
      for (const r of rows) put.run(r.keyId, r.destroyed ? null : r.wrapped, r.destroyed ? 1 : 0);
    })();
  }

  async close(): Promise<void> {
    this.cache.clear();
    this.db.close();
  }
}
