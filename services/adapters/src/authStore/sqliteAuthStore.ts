import type Database from 'better-sqlite3';
import type { AuthStore } from '@gopy/application/ports';
import { openPrivateDatabase } from '../privateFiles';

/** Credentials, sessions and one-time tokens in their own SQLite file (see the AuthStore port). */
export class SqliteAuthStore implements AuthStore {
  private readonly db: Database.Database;

  constructor(filename: string) {
    this.db = openPrivateDatabase(filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('secure_delete = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS credentials (account_id TEXT PRIMARY KEY, email_lookup TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS sessions (token_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL, expires_at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS sessions_account ON sessions(account_id);
      CREATE TABLE IF NOT EXISTS tokens (token_hash TEXT PRIMARY KEY, kind TEXT NOT NULL, account_id TEXT NOT NULL, expires_at TEXT NOT NULL, used INTEGER NOT NULL DEFAULT 0);
      CREATE INDEX IF NOT EXISTS tokens_account ON tokens(account_id);
    `);
  }

  async putCredential(accountId: string, emailLookup: string, passwordHash: string): Promise<boolean> {
    const r = this.db
      .prepare('INSERT OR IGNORE INTO credentials (account_id, email_lookup, password_hash) VALUES (?, ?, ?)')
      .run(accountId, emailLookup, passwordHash);
    return r.changes === 1;
  }

  async findCredential(emailLookup: string) {
    const row = this.db
      .prepare<[string], { account_id: string; password_hash: string }>(
        'SELECT account_id, password_hash FROM credentials WHERE email_lookup = ?',
      )
      .get(emailLookup);
    return row ? { accountId: row.account_id, passwordHash: row.password_hash } : undefined;
  }

  async setPassword(accountId: string, passwordHash: string) {
    this.db.transaction(() => {
      this.db.prepare('UPDATE credentials SET password_hash = ? WHERE account_id = ?').run(passwordHash, accountId);
      this.db.prepare("UPDATE tokens SET used = 1 WHERE account_id = ? AND kind = 'reset' AND used = 0").run(accountId);
      this.db.prepare('DELETE FROM sessions WHERE account_id = ?').run(accountId);
    })();
  }

  async createSession(tokenHash: string, accountId: string, expiresAt: string) {
    this.db
      .prepare('INSERT INTO sessions (token_hash, account_id, expires_at) VALUES (?, ?, ?)')
      .run(tokenHash, accountId, expiresAt);
  }

  async findSession(tokenHash: string, nowIso: string) {
    const row = this.db
      .prepare<[string, string], { account_id: string; expires_at: string }>(
        'SELECT account_id, expires_at FROM sessions WHERE token_hash = ? AND expires_at > ?',
      )
      .get(tokenHash, nowIso);
    return row ? { accountId: row.account_id, expiresAt: row.expires_at } : undefined;
  }

  async deleteSession(tokenHash: string) {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
  }

  async deleteSessionsOf(accountId: string) {
    this.db.prepare('DELETE FROM sessions WHERE account_id = ?').run(accountId);
  }

  async createToken(kind: 'verify' | 'reset', tokenHash: string, accountId: string, expiresAt: string) {
    this.db
      .prepare('INSERT INTO tokens (token_hash, kind, account_id, expires_at) VALUES (?, ?, ?, ?)')
      .run(tokenHash, kind, accountId, expiresAt);
  }

  async consumeToken(kind: 'verify' | 'reset', tokenHash: string, nowIso: string) {
    const row = this.db
      .prepare<[string, string, string], { account_id: string }>(
        'UPDATE tokens SET used = 1 WHERE token_hash = ? AND kind = ? AND used = 0 AND expires_at > ? RETURNING account_id',
      )
      .get(tokenHash, kind, nowIso);
    return row?.account_id;
  }

  async forgetAccount(accountId: string) {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM credentials WHERE account_id = ?').run(accountId);
      this.db.prepare('DELETE FROM sessions WHERE account_id = ?').run(accountId);
      this.db.prepare('DELETE FROM tokens WHERE account_id = ?').run(accountId);
    })();
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async close() {
    this.db.close();
  }
}
