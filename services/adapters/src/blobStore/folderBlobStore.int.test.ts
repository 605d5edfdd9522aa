import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteKeyStore } from '../keyStore/sqliteKeyStore';
import { FolderBlobStore, blobKeyId } from './folderBlobStore';

const open: SqliteKeyStore[] = [];
function fresh() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-blobs-'));
  const keys = new SqliteKeyStore(path.join(dir, 'keys.sqlite'), randomBytes(32));
  open.push(keys);
  const folder = path.join(dir, 'blobs');
  return { keys, folder, blobs: new FolderBlobStore(folder, keys) };
}
/** The stored contents (not the lists of their owners beside them). */
function filesUnder(folder: string): string[] {
  return fs
    .readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.endsWith('.owners'))
    .map((e) => path.join(e.parentPath, e.name));
}

const DISTRICT = '0f5b2c1e-0000-4000-8000-000000000001';
const SCHOOL = '0f5b2c1e-0000-4000-8000-000000000002';

afterEach(async () => {
  for (const keys of open.splice(0)) await keys.close();
});

describe('FolderBlobStore', () => {
  const letter = Buffer.from(
    'Kính gửi Phòng Giáo dục: chúng tôi đề nghị thư viện mở cửa sáng thứ Bảy. Nguyễn Văn An, 0912 345 678',
    'utf8',
  );

  it('stores a file encrypted under the SHA-256 of its plaintext and reads it back', async () => {
    const { blobs, folder } = fresh();
    const { sha256, size } = await blobs.put(letter, [DISTRICT]);
    expect(sha256).toBe(createHash('sha256').update(letter).digest('hex'));
    expect(size).toBe(letter.length);
    expect(await blobs.has(sha256)).toBe(true);
    expect((await blobs.get(sha256))?.equals(letter)).toBe(true);
    const [file] = filesUnder(folder);
    expect(path.basename(file!)).toBe(sha256);
    const stored = fs.readFileSync(file!);
    expect(stored.includes(Buffer.from('0912 345 678'))).toBe(false);
    expect(stored.includes(Buffer.from('thư viện'))).toBe(false);
  });

  it('stores the same content once', async () => {
    const { blobs, folder } = fresh();
    const a = await blobs.put(letter, [DISTRICT]);
    const b = await blobs.put(Buffer.from(letter), [DISTRICT]);
    expect(b).toEqual(a);
    expect(filesUnder(folder)).toHaveLength(1);
  });

  it('answers nothing for an unknown or malformed hash', async () => {
    const { blobs } = fresh();
    expect(await blobs.get('0'.repeat(64))).toBeUndefined();
    expect(await blobs.has('0'.repeat(64))).toBe(false);
    expect(await blobs.get('../../etc/passwd')).toBeUndefined();
  });

  it('remembers who stored a file: each owner once, added by every upload of the same bytes', async () => {
    const { blobs, folder } = fresh();
    const { sha256 } = await blobs.put(letter, [DISTRICT]);
    expect(await blobs.ownedBy(sha256, DISTRICT)).toBe(true);
    expect(await blobs.ownedBy(sha256, SCHOOL)).toBe(false);
    await blobs.put(Buffer.from(letter), [SCHOOL, DISTRICT]);
    expect(await blobs.ownedBy(sha256, SCHOOL)).toBe(true);
    const owners = fs.readFileSync(path.join(folder, sha256.slice(0, 2), `${sha256}.owners`), 'utf8');
    expect(owners.split('\n').filter(Boolean).sort()).toEqual([DISTRICT, SCHOOL].sort());
    expect(filesUnder(folder)).toHaveLength(1);
  });

  it('answers that nobody owns an unknown, malformed or unreadable file, nor one stored before owners were kept', async () => {
    const { blobs, keys, folder } = fresh();
    expect(await blobs.ownedBy('0'.repeat(64), DISTRICT)).toBe(false);
    expect(await blobs.ownedBy('../../etc/passwd', DISTRICT)).toBe(false);
    const { sha256 } = await blobs.put(letter, [DISTRICT]);
    fs.rmSync(path.join(folder, sha256.slice(0, 2), `${sha256}.owners`));
    expect(await blobs.ownedBy(sha256, DISTRICT)).toBe(false);
    await blobs.put(letter, [DISTRICT]);
    expect(await blobs.ownedBy(sha256, DISTRICT)).toBe(true);
    await keys.destroyKey(blobKeyId(sha256));
    expect(await blobs.ownedBy(sha256, DISTRICT)).toBe(false);
  });

  it('cannot read a file once its key is destroyed', async () => {
    const { blobs, keys } = fresh();
    const { sha256 } = await blobs.put(letter, [DISTRICT]);
    await keys.destroyKey(blobKeyId(sha256));
    expect(await blobs.get(sha256)).toBeUndefined();
    expect(await blobs.has(sha256)).toBe(false);
  });

  it('refuses a stored file that was altered', async () => {
    const { blobs, folder } = fresh();
    const { sha256 } = await blobs.put(letter, [DISTRICT]);
    const [file] = filesUnder(folder);
    const bytes = fs.readFileSync(file!);
    bytes[bytes.length - 1]! ^= 0xff;
    fs.writeFileSync(file!, bytes);
    await expect(blobs.get(sha256)).rejects.toThrow();
  });
});
