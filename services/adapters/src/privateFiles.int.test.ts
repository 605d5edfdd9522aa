import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openPrivateDatabase, privateFolder } from './privateFiles';

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('private files', () => {
  const umask = process.umask();
  const dirs: string[] = [];
  afterEach(() => {
    process.umask(umask);
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  function scratch(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-private-'));
    dirs.push(dir);
    return dir;
  }

  it('creates a database and its -wal and -shm files 0600 under umask 0', () => {
    process.umask(0);
    const file = path.join(scratch(), 'auth.sqlite');
    const db = openPrivateDatabase(file);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(mode(f), f).toBe(0o600);
    db.close();
  });

  it('narrows a database an earlier version left readable, with its -wal and -shm', () => {
    process.umask(0o022);
    const file = path.join(scratch(), 'read.sqlite');
    const legacy = new Database(file);
    legacy.pragma('journal_mode = WAL');
    legacy.exec('CREATE TABLE t (x)');
    legacy.close();
    for (const f of [`${file}-wal`, `${file}-shm`]) fs.writeFileSync(f, '', { mode: 0o644 });
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(mode(f), f).toBe(0o644);
    const db = openPrivateDatabase(file);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(mode(f), f).toBe(0o600);
    db.exec('INSERT INTO t VALUES (1)');
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
    db.close();
  });

  it('creates a folder and its missing parents 0700, and narrows one that exists', () => {
    process.umask(0);
    const root = scratch();
    const nested = path.join(root, 'data', 'blobs');
    privateFolder(nested);
    expect(mode(path.join(root, 'data'))).toBe(0o700);
    expect(mode(nested)).toBe(0o700);
    fs.chmodSync(nested, 0o755);
    privateFolder(nested);
    expect(mode(nested)).toBe(0o700);
  });
});
