import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parsePublicKey, publicKeyPem } from '@gopy/application/audit/checkpoint';
import { verifyLog, type VerifyReport } from '@gopy/application/audit/verify';
import type { EventStore } from '@gopy/application/eventStore';
import { openSqliteEventStore } from '@gopy/adapters/eventStore/sqliteEventStore';
import { privateFolder } from '@gopy/adapters/privateFiles';
import { loadSealKey, sealKeyFile } from '@gopy/composition/auditKeys';
import type { Config } from '@gopy/composition/config';
import { dataFiles, secretsOnPostgres } from '@gopy/composition/runtime';
import {
  backupKeys,
  BackupError,
  decryptFile,
  encryptFile,
  mac,
  macMatches,
  sha256OfFile,
  type BackupKey,
} from './backupCrypto';
import { type ErasureLedger, erasuresInLog } from './erasures';

/**
 * `gopy backup`: an online, consistent, encrypted copy of everything in the data folder that cannot be rebuilt.
 *
 * The SQLite files are copied with `VACUUM INTO`: one read transaction, so the copy is the database as of one instant
 * while the server goes on writing (WAL mode lets readers and the writer run side by side). The event log is copied
 * first, then the attachments, then the key store and the accounts: every key an event in the copy needs was created
 * before that event was appended, so it is in the later copy of the key store. (A key destroyed in between belongs to
 * an erasure the copy of the log does not hold yet: the erasure ledger re-applies it at restore.) The read models are
 * left out: they are rebuilt from the log.
 */

export const MANIFEST_FILE = 'manifest.json';
export const BACKUP_FORMAT = 'gopy-backup-1';

/** What a backup says about the log it holds (null when the log is in PostgreSQL or KurrentDB). */
export interface LogSummary {
  /** The position of the newest event in the copy: every event acknowledged at or before it is in the backup. */
  headPosition: string | null;
  events: number;
  streams: number;
  /** SHA-256 over every stream's chain head ("stream revision hash" lines, sorted by stream). */
  chainHeads: string;
  /** The newest signed checkpoint in the copy. */
  lastCheckpoint: { count: number; merkleRoot: string; eventId: string } | null;
  /** Whether every hash chain and checkpoint of the copy verified when it was taken. */
  verified: boolean;
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  id: string;
  createdAt: string;
  /** Which backup key encrypted it (a fingerprint, not the key). */
  keyFingerprint: string;
  eventStore: Config['eventStore'];
  log: LogSummary | null;
  /** The sealer's public key, to verify the copy's checkpoints (null when the install had none yet). */
  sealPublicKey: string | null;
  /** Whether the master and lookup keys are in the backup (secrets.json) or must come from the environment. */
  secretsInBackup: boolean;
  /** The encrypted files as stored: anyone can check them against these sums without the key. */
  files: { name: string; encryptedBytes: number; encryptedSha256: string }[];
  /** Encrypted (base64): which file of the data folder each is, with its size and SHA-256 in clear. */
  contents: string;
  /** HMAC-SHA256 of the manifest without this field, under a key derived from the backup key. */
  mac: string;
}

interface ContentEntry {
  name: string;
  path: string;
  bytes: number;
  sha256: string;
}

/** The small files of the data folder that are not rebuildable (generated keys, the demo accounts list). */
const SMALL_FILES = ['secrets.json', 'audit-seal-key.pem', 'demo-accounts.json'];

function sealText(key: Buffer, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from('contents'));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
}

function openText<T>(key: Buffer, text: string): T {
  const raw = Buffer.from(text, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from('contents'));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  const body = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
  return JSON.parse(body.toString('utf8')) as T;
}

/** A consistent copy of a live SQLite database (one read transaction; the server keeps writing). */
async function vacuumInto(source: string, target: string): Promise<boolean> {
  if (!fs.existsSync(source)) return false;
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    db.prepare('VACUUM INTO ?').run(target);
  } finally {
    db.close();
  }
  return true;
}

function filesUnder(folder: string, base: string): { path: string; source: string }[] {
  if (!fs.existsSync(folder)) return [];
  const out: { path: string; source: string }[] = [];
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const source = path.join(folder, entry.name);
    const rel = `${base}/${entry.name}`;
    if (entry.isDirectory()) out.push(...filesUnder(source, rel));
    // A file still being written by the blob store has a .tmp name; it is renamed when complete.
    else if (entry.isFile() && !entry.name.endsWith('.tmp')) out.push({ path: rel, source });
  }
  return out;
}

/** The log summary of a store: its head, its streams' chain heads, and the verification of its chains. */
export async function summarizeLog(store: EventStore, sealPublicKey: string | null): Promise<LogSummary> {
  const heads = new Map<string, string>();
  for await (const e of store.readAll()) heads.set(e.streamId, `${e.revision} ${e.hash}`);
  const chain = createHash('sha256');
  for (const stream of [...heads.keys()].sort()) chain.update(`${stream} ${heads.get(stream)}\n`);
  const report: VerifyReport = await verifyLog(
    () => store.readAll(),
    sealPublicKey ? { publicKey: parsePublicKey(sealPublicKey) } : {},
  );
  return {
    headPosition: (await store.headPosition()) ?? null,
    events: report.events,
    streams: heads.size,
    chainHeads: chain.digest('hex'),
    lastCheckpoint: report.lastCheckpoint,
    verified: report.ok,
  };
}

function sealPublicKeyOf(config: Config, env: NodeJS.ProcessEnv): string | null {
  if (!env.GOPY_SEAL_KEY && !fs.existsSync(sealKeyFile(config.dataDir))) return null;
  return publicKeyPem(loadSealKey(config, () => {}, env));
}

/** A folder a backup or a restore may write into: absent, or empty. */
function requireEmpty(folder: string, what: string): void {
  if (fs.existsSync(folder) && fs.readdirSync(folder).length > 0)
    throw new BackupError(`${what} ${folder} is not empty: refusing to write into it`);
}

export interface BackupOutcome {
  manifest: BackupManifest;
  folder: string;
  bytes: number;
  seconds: number;
  /** Erasures and redactions newly written to the ledger. */
  ledgerAdded: number;
}

/**
 * Takes a backup of the data folder into `to` (absent or empty). Written into a hidden sibling folder and renamed
 * when complete, so a backup folder with a manifest is always whole. With `ledger`, every erasure and redaction in
 * the copied log is added to that erasure ledger.
 */
export async function takeBackup(
  config: Config,
  to: string,
  key: BackupKey,
  options: { ledger?: ErasureLedger; env?: NodeJS.ProcessEnv; now?: () => Date } = {},
): Promise<BackupOutcome> {
  const env = options.env ?? process.env;
  const started = performance.now();
  if (secretsOnPostgres(config))
    throw new BackupError(
      'the key store and the accounts are in PostgreSQL (DATABASE_URL): back them up with the database, pg_dump of the schemas gopy_events, gopy_keys and gopy_auth (README, "Backups")',
    );
  const target = path.resolve(to);
  requireEmpty(target, 'the backup folder');
  const id = randomUUID();
  const keys = backupKeys(key, id);
  const files = dataFiles(config.dataDir);
  const staging = path.join(config.dataDir, `.backup-${id}`);
  const partial = path.join(path.dirname(target), `.${path.basename(target)}.partial-${id}`);
  privateFolder(staging);
  privateFolder(partial);
  // Stopped half-way (the server shutting down its scheduled backup): the clear copies do not stay behind.
  const cleanUp = () => {
    fs.rmSync(staging, { recursive: true, force: true });
    fs.rmSync(partial, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    cleanUp();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    const sources: { path: string; source: string }[] = [];
    let log: LogSummary | null = null;
    const sealPublicKey = sealPublicKeyOf(config, env);
    let ledgerAdded = 0;
    if (config.eventStore === 'sqlite') {
      const copy = path.join(staging, 'events.sqlite');
      if (!(await vacuumInto(files.events, copy)))
        throw new BackupError(`no event log at ${files.events}: is GOPY_DATA_DIR the server's data folder?`);
      const store = openSqliteEventStore({ filename: copy });
      try {
        log = await summarizeLog(store, sealPublicKey);
        if (options.ledger) ledgerAdded = options.ledger.add(await erasuresInLog(store));
      } finally {
        await store.close();
      }
      sources.push({ path: 'events.sqlite', source: copy });
    }
    sources.push(...filesUnder(path.join(config.dataDir, 'blobs'), 'blobs'));
    for (const [name, file] of [
      ['keys.sqlite', files.keys],
      ['auth.sqlite', files.auth],
    ] as const) {
      const copy = path.join(staging, name);
      if (await vacuumInto(file, copy)) sources.push({ path: name, source: copy });
    }
    for (const name of SMALL_FILES) {
      const file = path.join(config.dataDir, name);
      if (fs.existsSync(file)) sources.push({ path: name, source: file });
    }
    const contents: ContentEntry[] = [];
    const stored: BackupManifest['files'] = [];
    let bytes = 0;
    for (const [i, s] of sources.entries()) {
      const name = `f${String(i + 1).padStart(5, '0')}.enc`;
      const result = await encryptFile(s.source, path.join(partial, name), keys.files, name);
      contents.push({ name, path: s.path, bytes: result.bytes, sha256: result.sha256 });
      stored.push({ name, encryptedBytes: result.encryptedBytes, encryptedSha256: result.encryptedSha256 });
      bytes += result.encryptedBytes;
    }
    const unsigned: Omit<BackupManifest, 'mac'> = {
      format: BACKUP_FORMAT,
      id,
      createdAt: (options.now?.() ?? new Date()).toISOString(),
      keyFingerprint: key.fingerprint,
      eventStore: config.eventStore,
      log,
      sealPublicKey,
      secretsInBackup: contents.some((c) => c.path === 'secrets.json'),
      files: stored,
      contents: sealText(keys.files, contents),
    };
    const manifest: BackupManifest = { ...unsigned, mac: mac(keys.manifest, JSON.stringify(unsigned)) };
    fs.writeFileSync(path.join(partial, MANIFEST_FILE), `${JSON.stringify(manifest, null, 1)}\n`, { mode: 0o600 });
    if (fs.existsSync(target)) fs.rmdirSync(target);
    fs.renameSync(partial, target);
    return { manifest, folder: target, bytes, seconds: (performance.now() - started) / 1000, ledgerAdded };
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    cleanUp();
  }
}

/** Reads a backup's manifest and proves it was written with this key and not changed since. */
export function readManifest(folder: string, key: BackupKey): { manifest: BackupManifest; contents: ContentEntry[] } {
  const file = path.join(folder, MANIFEST_FILE);
  if (!fs.existsSync(file)) throw new BackupError(`${folder} is not a backup: it has no ${MANIFEST_FILE}`);
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as BackupManifest;
  } catch {
    throw new BackupError(`${file} is not valid JSON: the manifest was changed or damaged`);
  }
  if (manifest.format !== BACKUP_FORMAT)
    throw new BackupError(`${file}: unknown backup format ${JSON.stringify(manifest.format)}`);
  if (manifest.keyFingerprint !== key.fingerprint)
    throw new BackupError(
      `wrong backup key: this backup was encrypted with the key whose fingerprint is ${manifest.keyFingerprint}; ` +
        `GOPY_BACKUP_KEY has fingerprint ${key.fingerprint}`,
    );
  const keys = backupKeys(key, manifest.id);
  const { mac: given, ...unsigned } = manifest;
  if (typeof given !== 'string' || !macMatches(keys.manifest, JSON.stringify(unsigned), given))
    throw new BackupError(`${file}: the manifest was changed after the backup was written (its MAC does not match)`);
  return { manifest, contents: openText<ContentEntry[]>(keys.files, manifest.contents) };
}

/**
 * Restores a backup into `dataDir`, which must be absent or empty. Every file is checked against the manifest before
 * and after decryption, and the restored log against the manifest's head, count and chain heads; on any failure what
 * was written is removed.
 */
export async function restoreBackup(
  from: string,
  dataDir: string,
  key: BackupKey,
): Promise<{ manifest: BackupManifest; files: number; bytes: number }> {
  const { manifest, contents } = readManifest(from, key);
  const target = path.resolve(dataDir);
  requireEmpty(target, 'the data folder');
  const keys = backupKeys(key, manifest.id);
  privateFolder(target);
  let bytes = 0;
  try {
    for (const stored of manifest.files) {
      const entry = contents.find((c) => c.name === stored.name);
      if (!entry) throw new BackupError(`${stored.name}: not listed in the backup's contents`);
      const source = path.join(from, stored.name);
      if (!fs.existsSync(source)) throw new BackupError(`${stored.name} (${entry.path}) is missing from ${from}`);
      if ((await sha256OfFile(source)) !== stored.encryptedSha256)
        throw new BackupError(
          `${stored.name} (${entry.path}) was changed or damaged: its SHA-256 differs from the manifest`,
        );
      const out = path.join(target, entry.path);
      if (path.relative(target, out).startsWith('..')) throw new BackupError(`${entry.path}: outside the data folder`);
      privateFolder(path.dirname(out));
      if ((await decryptFile(source, out, keys.files, stored.name)) !== entry.sha256)
        throw new BackupError(`${entry.path}: decrypted, but its SHA-256 differs from the manifest`);
      bytes += entry.bytes;
    }
    if (manifest.log) {
      const store = openSqliteEventStore({ filename: dataFiles(target).events });
      try {
        const restored = await summarizeLog(store, manifest.sealPublicKey);
        for (const field of ['headPosition', 'events', 'streams', 'chainHeads'] as const) {
          if (restored[field] !== manifest.log[field])
            throw new BackupError(
              `the restored log's ${field} is ${String(restored[field])}, the manifest says ${String(manifest.log[field])}`,
            );
        }
      } finally {
        await store.close();
      }
    }
  } catch (err) {
    for (const name of fs.readdirSync(target)) fs.rmSync(path.join(target, name), { recursive: true, force: true });
    throw err;
  }
  return { manifest, files: manifest.files.length, bytes };
}

/** A temporary private folder, removed by the returned function. */
export function temporaryFolder(prefix: string): { folder: string; remove(): void } {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(folder, 0o700);
  return { folder, remove: () => fs.rmSync(folder, { recursive: true, force: true }) };
}
