import type Database from 'better-sqlite3';
import { KeyDestroyedError, type KeyStore } from '@gopy/application/ports';
import { openPrivateDatabase } from '../privateFiles';
import { newDataKey, unwrapKey, wrapKey } from './wrapping';

/**
 * Data keys in their own SQLite file, apart from the log and the read models (a rebuild never touches it).
 * Each key is wrapped with the master key (AES-256-GCM) so a copy of this file alone reveals nothing.
 * Destroying a key overwrites its row (secure_delete) and keeps a tombstone so it can never be recreated.
 */
/** Unwrapped keys kept in memory; a surge of comments must not keep every key it ever touched. */
const CACHE_KEYS = 20_000;

interface PendingKey {
  key: Buffer;
  wrapped: Buffer;
  settled: Promise<Buffer>;
  resolve(key: Buffer): void;
  reject(error: unknown): void;
}

export class SqliteKeyStore implements KeyStore {
  private readonly db: Database.Database;
  private readonly cache = new Map<string, Buffer>();
  private readonly stmts;
  /** Keys made but not yet committed; committed together (group commit), each caller answered after COMMIT. */
  private pending = new Map<string, PendingKey>();
  private flushScheduled = false;

  constructor(
    filename: string,
    private readonly masterKey: Buffer,
  ) {
    if (masterKey.length !== 32) throw new Error('The master key must be 32 bytes');
    this.db = openPrivateDatabase(filename);
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
      get: this.db.prepare<[string], { wrapped: Buffer | null; destroyed: number }>(
        'SELECT wrapped, destroyed FROM data_keys WHERE key_id = ?',
      ),
      insert: this.db.prepare('INSERT OR IGNORE INTO data_keys (key_id, wrapped, destroyed) VALUES (?, ?, 0)'),
      destroy: this.db.prepare(
        'INSERT INTO data_keys (key_id, wrapped, destroyed) VALUES (?, NULL, 1) ON CONFLICT(key_id) DO UPDATE SET wrapped = NULL, destroyed = 1',
      ),
      all: this.db.prepare<[], { key_id: string; wrapped: Buffer | null; destroyed: number }>(
        'SELECT key_id, wrapped, destroyed FROM data_keys',
      ),
    };
  }

  private wrap(keyId: string, key: Buffer): Buffer {
    return wrapKey(this.masterKey, keyId, key);
  }

  private unwrap(keyId: string, wrapped: Buffer): Buffer {
    return unwrapKey(this.masterKey, keyId, wrapped);
  }

  private remember(keyId: string, key: Buffer): Buffer {
    this.cache.delete(keyId);
    this.cache.set(keyId, key);
    if (this.cache.size > CACHE_KEYS) this.cache.delete(this.cache.keys().next().value as string);
    return key;
  }

  /**
   * Keys not in memory are answered after the next commit of the pending keys. A new key is answered only once its row is committed, so nothing can be sealed (let alone appended and
   * acknowledged) with a key that a crash could lose. Keys made by concurrent commands share one commit.
   */
  async getOrCreateKey(keyId: string): Promise<Buffer> {
    const cached = this.cache.get(keyId);
    if (cached) return cached;
    const waiting = this.pending.get(keyId);
    if (waiting) return waiting.settled;
    // No lookup first: most keys asked for are new (one per comment). A key already stored, or destroyed, is found
    // when the commit's INSERT OR IGNORE changes nothing, and then what is stored wins.
    const key = newDataKey();
    let resolve!: (key: Buffer) => void;
    let reject!: (error: unknown) => void;
    const settled = new Promise<Buffer>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.pending.set(keyId, { key, wrapped: this.wrap(keyId, key), settled, resolve, reject });
    this.scheduleFlush();
    return settled;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // After pending I/O callbacks, so the keys of every request that arrived in this turn share the commit.
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Commits every pending key in one transaction, then answers their callers. */
  private flush(): void {
    const batch = this.pending;
    if (batch.size === 0) return;
    this.pending = new Map();
    let raced: string[];
    try {
      raced = this.db.transaction(() => {
        const lost: string[] = [];
        for (const [keyId, p] of batch) if (this.stmts.insert.run(keyId, p.wrapped).changes === 0) lost.push(keyId);
        return lost;
      })();
    } catch (error) {
      for (const p of batch.values()) p.reject(error);
      return;
    }
    const lost = new Set(raced);
    for (const [keyId, p] of batch) {
      if (!lost.has(keyId)) {
        p.resolve(this.remember(keyId, p.key));
        continue;
      }
      // Another connection stored this key first (or destroyed it): what is stored wins.
      const row = this.stmts.get.get(keyId);
      if (!row || row.destroyed || !row.wrapped) p.reject(new KeyDestroyedError(keyId));
      else p.resolve(this.remember(keyId, this.unwrap(keyId, row.wrapped)));
    }
  }

  async getKey(keyId: string): Promise<Buffer | undefined> {
    const cached = this.cache.get(keyId);
    if (cached) return cached;
    const row = this.stmts.get.get(keyId);
    if (!row || row.destroyed || !row.wrapped) return undefined;
    return this.remember(keyId, this.unwrap(keyId, row.wrapped));
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
    // Keys already promised are committed, not dropped.
    this.flush();
    this.cache.clear();
    this.db.close();
  }
}
