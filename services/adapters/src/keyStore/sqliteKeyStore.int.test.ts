import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyDestroyedError } from '@gopy/application/ports';
import { SqliteKeyStore } from './sqliteKeyStore';

const master = randomBytes(32);
const open: SqliteKeyStore[] = [];
function store(file: string): SqliteKeyStore {
  const s = new SqliteKeyStore(file, master);
  open.push(s);
  return s;
}
function tempFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-keys-')), 'keys.sqlite');
}
/** Rows as another connection sees them: what a crash right now would leave. */
function committedRows(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM data_keys').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

afterEach(async () => {
  for (const s of open.splice(0)) await s.close().catch(() => undefined);
});

describe('SQLite key store: keys made by concurrent commands share one commit', () => {
  it('answers a new key only once it is committed, readable by another connection', async () => {
    const file = tempFile();
    const keys = store(file);
    const ids = Array.from({ length: 50 }, (_, i) => `comment:${i}`);
    const made = await Promise.all(ids.map((id) => keys.getOrCreateKey(id)));
    expect(committedRows(file)).toBe(50);
    const other = store(file);
    for (const [i, id] of ids.entries()) expect((await other.getKey(id))?.equals(made[i]!)).toBe(true);
  });

  it('gives the same key to concurrent callers asking for the same id, and the same key later', async () => {
    const keys = store(tempFile());
    const [a, b] = await Promise.all([keys.getOrCreateKey('comment:x'), keys.getOrCreateKey('comment:x')]);
    expect(a.equals(b)).toBe(true);
    expect((await keys.getOrCreateKey('comment:x')).equals(a)).toBe(true);
  });

  it('refuses to recreate a destroyed key', async () => {
    const keys = store(tempFile());
    await keys.getOrCreateKey('comment:gone');
    await keys.destroyKey('comment:gone');
    await expect(keys.getOrCreateKey('comment:gone')).rejects.toBeInstanceOf(KeyDestroyedError);
    expect(await keys.getKey('comment:gone')).toBeUndefined();
  });

  it('refuses a key destroyed while its creation was waiting for the commit', async () => {
    const keys = store(tempFile());
    const pending = keys.getOrCreateKey('comment:raced');
    await keys.destroyKey('comment:raced');
    await expect(pending).rejects.toBeInstanceOf(KeyDestroyedError);
    expect(await keys.isDestroyed('comment:raced')).toBe(true);
  });

  it('two stores on one file creating the same key at once end with the one stored', async () => {
    const file = tempFile();
    const first = store(file);
    const second = store(file);
    const [a, b] = await Promise.all([first.getOrCreateKey('person:p1'), second.getOrCreateKey('person:p1')]);
    expect(a.equals(b)).toBe(true);
  });

  it('commits keys still waiting when the store is closed', async () => {
    const file = tempFile();
    const keys = new SqliteKeyStore(file, master);
    const pending = keys.getOrCreateKey('comment:late');
    await keys.close();
    const key = await pending;
    const reopened = store(file);
    expect((await reopened.getKey('comment:late'))?.equals(key)).toBe(true);
  });
});
