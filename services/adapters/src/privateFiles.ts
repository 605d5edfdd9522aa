import fs from 'node:fs';
import Database from 'better-sqlite3';

/**
 * The embedded store's files hold password hashes, wrapped data keys, sessions and the read models' comment text: only
 * the user the server runs as may read them, whatever umask it was started with. Folders are 0700 and files 0600; a
 * folder or file left more open by an earlier version is narrowed when it is opened.
 */
export const PRIVATE_FOLDER_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates the folder (and its missing parents) 0700, and narrows it to 0700 if it already existed. */
export function privateFolder(folder: string, warn?: (msg: string) => void): void {
  fs.mkdirSync(folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
  try {
    fs.chmodSync(folder, PRIVATE_FOLDER_MODE);
  } catch (error) {
    // A folder this user may write but does not own (a mounted volume): it stays as it is, and the operator is told.
    if (!warn) throw error;
    warn(`could not make ${folder} private (mode 0700): ${(error as Error).message}`);
  }
}

/** The file SQLite stores a database in, not a special name (":memory:", "", a "file:" URI). */
function isPlainFile(filename: string): boolean {
  return filename !== '' && filename !== ':memory:' && !filename.startsWith('file:');
}

/**
 * Opens a SQLite database that only this user may read. The file is created (or narrowed) 0600 before SQLite opens
 * it, and SQLite creates the -wal, -shm and -journal files with the mode of the database file, so those are private
 * from their first byte; ones an earlier version left more open are narrowed here.
 */
export function openPrivateDatabase(filename: string, options?: Database.Options): Database.Database {
  if (isPlainFile(filename) && !options?.readonly) {
    const fd = fs.openSync(filename, fs.constants.O_RDWR | fs.constants.O_CREAT, PRIVATE_FILE_MODE);
    try {
      fs.fchmodSync(fd, PRIVATE_FILE_MODE);
    } finally {
      fs.closeSync(fd);
    }
    for (const companion of ['-wal', '-shm', '-journal']) {
      try {
        fs.chmodSync(`${filename}${companion}`, PRIVATE_FILE_MODE);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }
  return new Database(filename, options);
}
