import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { BlobStore, KeyStore } from '@gopy/application/ports';
import { PRIVATE_FOLDER_MODE, PRIVATE_FILE_MODE } from '../privateFiles';

const SHA256 = /^[0-9a-f]{64}$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The key store's id for the data key of one stored file. */
export function blobKeyId(sha256: string): string {
  return `blob:${sha256}`;
}

/**
 * Files in a folder, one per content: `<folder>/<first two hex digits>/<sha256>`, holding IV ‖ GCM tag ‖ ciphertext
 * (AES-256-GCM with the file's own data key from the key store; the hash is the additional data, so a file renamed to
 * another hash does not decrypt). A copy of the folder alone reveals nothing; destroying the key makes the file
 * unreadable for good. Beside it, `<sha256>.owners` lists who stored it, one owner a line (appended, never rewritten).
 * A file stored before owners were recorded has none: nobody may cite it until someone stores it again.
 */
export class FolderBlobStore implements BlobStore {
  constructor(
    private readonly folder: string,
    private readonly keys: KeyStore,
  ) {}

  private file(sha256: string): string {
    return path.join(this.folder, sha256.slice(0, 2), sha256);
  }

  private ownersFile(sha256: string): string {
    return `${this.file(sha256)}.owners`;
  }

  private async owners(sha256: string): Promise<Set<string>> {
    try {
      return new Set((await fs.readFile(this.ownersFile(sha256), 'utf8')).split('\n').filter(Boolean));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
      throw error;
    }
  }

  async put(bytes: Buffer, owners: readonly string[]): Promise<{ sha256: string; size: number }> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const size = bytes.length;
    if (!(await this.has(sha256))) await this.write(sha256, bytes);
    const known = await this.owners(sha256);
    const added = [...new Set(owners)].filter((o) => o !== '' && !o.includes('\n') && !known.has(o));
    // One short append per upload: concurrent uploads interleave whole lines, and a line written twice is harmless.
    if (added.length > 0)
      await fs.appendFile(this.ownersFile(sha256), `${added.join('\n')}\n`, { mode: PRIVATE_FILE_MODE });
    return { sha256, size };
  }

  async ownedBy(sha256: string, owner: string): Promise<boolean> {
    if (!SHA256.test(sha256) || !(await this.has(sha256))) return false;
    return (await this.owners(sha256)).has(owner);
  }

  private async write(sha256: string, bytes: Buffer): Promise<void> {
    const key = await this.keys.getOrCreateKey(blobKeyId(sha256));
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(sha256, 'ascii'));
    const ciphertext = Buffer.concat([cipher.update(bytes), cipher.final()]);
    const target = this.file(sha256);
    await fs.mkdir(path.dirname(target), { recursive: true, mode: PRIVATE_FOLDER_MODE });
    // Written aside and renamed: a crash never leaves half a file under its final name.
    const temporary = `${target}.${randomUUID()}.tmp`;
    await fs.writeFile(temporary, Buffer.concat([iv, cipher.getAuthTag(), ciphertext]), {
      mode: PRIVATE_FILE_MODE,
    });
    await fs.rename(temporary, target);
  }

  async get(sha256: string): Promise<Buffer | undefined> {
    if (!SHA256.test(sha256)) return undefined;
    let stored: Buffer;
    try {
      stored = await fs.readFile(this.file(sha256));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const key = await this.keys.getKey(blobKeyId(sha256));
    if (!key) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', key, stored.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(sha256, 'ascii'));
    decipher.setAuthTag(stored.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(stored.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  }

  async has(sha256: string): Promise<boolean> {
    if (!SHA256.test(sha256)) return false;
    try {
      await fs.access(this.file(sha256));
      return (await this.keys.getKey(blobKeyId(sha256))) !== undefined;
    } catch {
      return false;
    }
  }
}
