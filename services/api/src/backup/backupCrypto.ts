import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { ConfigError } from '@gopy/composition/config';

/**
 * The encryption of backups: AES-256-GCM (node:crypto) with keys derived by HKDF-SHA256 from GOPY_BACKUP_KEY and the
 * backup's id, so no two backups share a key and the backup key itself never encrypts anything. Each file is
 * `GOPYBAK1` ‖ 12-byte IV ‖ ciphertext ‖ 16-byte tag, with the file's name in the backup as additional data (a file
 * swapped for another does not decrypt). The manifest carries an HMAC under a key derived the same way.
 */

export class BackupError extends Error {
  override readonly name = 'BackupError';
}

const MAGIC = Buffer.from('GOPYBAK1', 'ascii');
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = MAGIC.length + IV_BYTES;

export interface BackupKey {
  readonly material: Buffer;
  /** Names the key without revealing it (HKDF output, 16 hex digits): a backup says which key it needs. */
  readonly fingerprint: string;
}

/** The variable that holds the backup key. */
export const BACKUP_KEY_VARIABLE = 'GOPY_BACKUP_KEY';

/**
 * GOPY_BACKUP_KEY: 32 bytes as 64 hex digits (`openssl rand -hex 32`) or as base64. Without it nothing is backed up or
 * restored: a backup holds every account and the key store, so it is never written in clear.
 */
export function loadBackupKey(env: NodeJS.ProcessEnv = process.env): BackupKey {
  const text = env[BACKUP_KEY_VARIABLE]?.trim();
  if (!text)
    throw new ConfigError(
      `${BACKUP_KEY_VARIABLE} is not set. Backups are always encrypted: generate a key once with \`openssl rand -hex 32\`, ` +
        'set it in the environment of the server and of this command, and keep a copy away from this machine ' +
        '(without it no backup can be restored).',
    );
  const material = /^[0-9a-fA-F]{64}$/.test(text)
    ? Buffer.from(text, 'hex')
    : /^[A-Za-z0-9+/]{43}=?$/.test(text)
      ? Buffer.from(text, 'base64')
      : Buffer.alloc(0);
  if (material.length !== 32)
    throw new ConfigError(
      `${BACKUP_KEY_VARIABLE} must be 32 bytes written as 64 hex digits (\`openssl rand -hex 32\`) or as base64.`,
    );
  return { material, fingerprint: derive(material, 'fingerprint', 'gopy-backup key fingerprint', 8).toString('hex') };
}

function derive(material: Buffer, salt: string, info: string, bytes = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', material, Buffer.from(salt, 'utf8'), Buffer.from(info, 'utf8'), bytes));
}

/** The keys of one backup: one for its files, one for its manifest's MAC. */
export function backupKeys(key: BackupKey, backupId: string): { files: Buffer; manifest: Buffer } {
  return {
    files: derive(key.material, backupId, 'gopy-backup-1 files'),
    manifest: derive(key.material, backupId, 'gopy-backup-1 manifest'),
  };
}

export function mac(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

export function macMatches(key: Buffer, text: string, expected: string): boolean {
  const actual = Buffer.from(mac(key, text), 'hex');
  const given = Buffer.from(expected, 'hex');
  return actual.length === given.length && timingSafeEqual(actual, given);
}

export interface EncryptedFile {
  /** Plaintext size and SHA-256. */
  bytes: number;
  sha256: string;
  /** Size and SHA-256 of the file as stored in the backup (checkable without the key). */
  encryptedBytes: number;
  encryptedSha256: string;
}

/** Encrypts `source` into `target` as a stream (files of any size), hashing both sides on the way. */
export async function encryptFile(source: string, target: string, key: Buffer, name: string): Promise<EncryptedFile> {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(name, 'utf8'));
  const plain = createHash('sha256');
  const stored = createHash('sha256');
  let bytes = 0;
  let encryptedBytes = 0;
  const emit = (chunk: Buffer) => {
    stored.update(chunk);
    encryptedBytes += chunk.length;
    return chunk;
  };
  await pipeline(
    fs.createReadStream(source),
    async function* (chunks: AsyncIterable<Buffer>) {
      yield emit(Buffer.concat([MAGIC, iv]));
      for await (const chunk of chunks) {
        plain.update(chunk);
        bytes += chunk.length;
        yield emit(cipher.update(chunk));
      }
      yield emit(cipher.final());
      yield emit(cipher.getAuthTag());
    },
    fs.createWriteStream(target, { mode: 0o600 }),
  );
  return { bytes, sha256: plain.digest('hex'), encryptedBytes, encryptedSha256: stored.digest('hex') };
}

/** SHA-256 of a file as stored. */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Decrypts a file written by encryptFile into `target`; answers the plaintext's SHA-256. A changed byte anywhere, a
 * wrong key or a file moved under another name fails GCM's authentication: a BackupError, and `target` is removed.
 */
export async function decryptFile(source: string, target: string, key: Buffer, name: string): Promise<string> {
  const size = fs.statSync(source).size;
  if (size < HEADER_BYTES + TAG_BYTES) throw new BackupError(`${name}: too short to be a file of a backup`);
  const fd = fs.openSync(source, 'r');
  const header = Buffer.alloc(HEADER_BYTES);
  const tag = Buffer.alloc(TAG_BYTES);
  try {
    fs.readSync(fd, header, 0, HEADER_BYTES, 0);
    fs.readSync(fd, tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    fs.closeSync(fd);
  }
  if (!header.subarray(0, MAGIC.length).equals(MAGIC)) throw new BackupError(`${name}: not a file of a Góp ý backup`);
  const decipher = createDecipheriv('aes-256-gcm', key, header.subarray(MAGIC.length));
  decipher.setAAD(Buffer.from(name, 'utf8'));
  decipher.setAuthTag(tag);
  const hash = createHash('sha256');
  const end = size - TAG_BYTES - 1;
  // An empty file has no ciphertext to read (a stream with end < start would be refused).
  const body: AsyncIterable<Buffer> =
    end >= HEADER_BYTES ? fs.createReadStream(source, { start: HEADER_BYTES, end }) : (async function* () {})();
  try {
    await pipeline(
      body,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          const out = decipher.update(chunk);
          hash.update(out);
          yield out;
        }
        const last = decipher.final();
        hash.update(last);
        yield last;
      },
      fs.createWriteStream(target, { mode: 0o600 }),
    );
  } catch (err) {
    fs.rmSync(target, { force: true });
    if (err instanceof Error && /authenticate|auth tag/i.test(err.message))
      throw new BackupError(
        `${name}: does not decrypt: the backup was changed or damaged after it was written (authentication failed)`,
      );
    throw err;
  }
  return hash.digest('hex');
}
