import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { EventStore, Position, RecordedEvent } from '@gopy/application/eventStore';
import { eventHash } from '@gopy/application/integrity';
import { GENESIS_HASH } from '@gopy/schemas';
import { PostgresKeyStore } from '@gopy/adapters/keyStore/postgresKeyStore';
import { SqliteKeyStore } from '@gopy/adapters/keyStore/sqliteKeyStore';
import { privateFolder } from '@gopy/adapters/privateFiles';
import { ConfigError, loadConfig, type Config } from '@gopy/composition/config';
import { dataFiles, openEventStore, secretsOnPostgres } from '@gopy/composition/runtime';

/**
 * A store named on the command line: `sqlite:<data folder>`, `postgres:<DATABASE_URL>` or `kurrentdb:<KURRENTDB_URL>`.
 * The key store travels with the log: SQLite keeps it in the data folder, PostgreSQL in schema gopy_keys. KurrentDB keeps
 * no keys, so copying to it leaves the keys where they were (say where with --keys-to), and copying from it takes them
 * from where a runtime on KurrentDB keeps them: the key store the environment configures (keySource).
 */
export interface StoreSpec {
  kind: 'sqlite' | 'postgres' | 'kurrentdb';
  location: string;
}

export function parseStoreSpec(text: string): StoreSpec {
  const i = text.indexOf(':');
  const kind = text.slice(0, i);
  const location = text.slice(i + 1);
  if (i < 0 || !['sqlite', 'postgres', 'kurrentdb'].includes(kind) || !location) {
    throw new ConfigError(`a store is sqlite:<folder>, postgres:<url> or kurrentdb:<url>; got "${text}"`);
  }
  return { kind: kind as StoreSpec['kind'], location };
}

function configFor(spec: StoreSpec, base: Config): Config {
  switch (spec.kind) {
    case 'sqlite':
      return { ...base, eventStore: 'sqlite', dataDir: path.resolve(spec.location) };
    case 'postgres':
      return { ...base, eventStore: 'postgres', databaseUrl: spec.location };
    case 'kurrentdb':
      return { ...base, eventStore: 'kurrentdb', kurrentdbUrl: spec.location };
  }
}

type KeyRows = { keyId: string; wrapped: Buffer | null; destroyed: boolean }[];
interface KeyEnds {
  exportRows(): Promise<KeyRows>;
  importRows(rows: KeyRows): Promise<void>;
  close(): Promise<void>;
}

/**
 * Where the keys of a store's log are: its own key store, or for KurrentDB the one a runtime configured by this
 * environment uses beside it (PostgreSQL schema gopy_keys with GOPY_READ_STORE=postgres, else GOPY_DATA_DIR).
 */
function keySource(spec: StoreSpec, base: Config): StoreSpec | undefined {
  if (spec.kind !== 'kurrentdb') return spec;
  const beside: Config = { ...base, eventStore: 'kurrentdb' };
  if (secretsOnPostgres(beside)) return base.databaseUrl ? { kind: 'postgres', location: base.databaseUrl } : undefined;
  return { kind: 'sqlite', location: base.dataDir };
}

function sameStore(a: StoreSpec, b: StoreSpec): boolean {
  return (
    a.kind === b.kind &&
    (a.kind === 'sqlite' ? path.resolve(a.location) === path.resolve(b.location) : a.location === b.location)
  );
}

async function openKeys(spec: StoreSpec | undefined, masterKey: Buffer): Promise<KeyEnds | undefined> {
  if (spec === undefined) return undefined;
  if (spec.kind === 'sqlite') {
    privateFolder(spec.location);
    return new SqliteKeyStore(dataFiles(path.resolve(spec.location)).keys, masterKey);
  }
  if (spec.kind === 'postgres') return PostgresKeyStore.open(spec.location, masterKey);
  return undefined;
}

export interface CopyReport {
  copied: number;
  skipped: number;
  total: number;
  streams: number;
  keys: number;
  resumedFrom: string | null;
}

/** Where an interrupted copy resumes: the last source position copied, kept beside the target. */
function progressFile(from: StoreSpec, to: StoreSpec): string {
  const id = createHash('sha256')
    .update(`${from.kind}:${from.location}→${to.kind}:${to.location}`)
    .digest('hex')
    .slice(0, 16);
  return path.join(process.env.GOPY_DATA_DIR ?? 'data', `store-copy-${id}.json`);
}

/**
 * Copies the whole log from one store to another, preserving event ids, streams, revisions, the stored bytes and
 * their order, then the key store; resumable (appends are idempotent by event id, and progress is saved);
 * finally verifies counts and every hash chain on the target.
 */
export async function copyStore(
  fromText: string,
  toText: string,
  options: { keysTo?: string; onProgress?: (done: number, total: number) => void; log?: (m: string) => void } = {},
): Promise<CopyReport> {
  const base = loadConfig();
  const from = parseStoreSpec(fromText);
  const to = parseStoreSpec(toText);
  const { loadSecrets } = await import('@gopy/composition/secrets');
  const source = await openEventStore(configFor(from, base));
  const target = await openEventStore(configFor(to, base));
  const progress = progressFile(from, to);
  let after: Position | undefined;
  if (fs.existsSync(progress)) after = (JSON.parse(fs.readFileSync(progress, 'utf8')) as { after: Position }).after;
  try {
    let total = 0;
    for await (const _ of source.readAll()) total += 1;
    let done = 0;
    if (after) {
      for await (const e of source.readAll()) {
        if (source.comparePositions(e.position, after) > 0) break;
        done += 1;
      }
    }
    let copied = 0;
    let skipped = 0;
    let batch: RecordedEvent[] = [];
    const flush = async () => {
      const first = batch[0];
      if (!first) return;
      const before = await target.streamRevision(first.streamId);
      const expected = first.revision === 0 ? 'no_stream' : first.revision - 1;
      if (before !== 'no_stream' && before >= batch.at(-1)!.revision) skipped += batch.length;
      else {
        await target.append(
          first.streamId,
          batch.map(({ eventId, type, data, metadata, hash }) => ({ eventId, type, data, metadata, hash })),
          expected,
        );
        copied += batch.length;
      }
      done += batch.length;
      fs.writeFileSync(progress, JSON.stringify({ after: batch.at(-1)!.position }), { mode: 0o600 });
      options.onProgress?.(done, total);
      batch = [];
    };
    for await (const event of source.readAll(after ? { after } : {})) {
      const last = batch.at(-1);
      if (last && (last.streamId !== event.streamId || batch.length >= 200)) await flush();
      batch.push(event);
    }
    await flush();

    // The keys: without them the copied ciphertext is unreadable; destroyed keys stay destroyed.
    let keys = 0;
    const secrets = loadSecrets(base, options.log ?? (() => {}));
    const keysFromSpec = keySource(from, base);
    const keysToSpec = options.keysTo ? parseStoreSpec(options.keysTo) : to;
    const moving = keysFromSpec !== undefined && !sameStore(keysFromSpec, keysToSpec);
    const keysFrom = moving ? await openKeys(keysFromSpec, secrets.masterKey) : undefined;
    const keysTo = moving ? await openKeys(keysToSpec, secrets.masterKey) : undefined;
    if (keysFrom && keysTo) {
      const rows = await keysFrom.exportRows();
      await keysTo.importRows(rows);
      keys = rows.length;
    }
    await keysFrom?.close();
    await keysTo?.close();

    const verified = await verifyChains(target);
    const sourceCount = total;
    if (verified.count !== sourceCount)
      throw new Error(`verification failed: source has ${sourceCount} events, target ${verified.count}`);
    fs.rmSync(progress, { force: true });
    return { copied, skipped, total, streams: verified.streams, keys, resumedFrom: after ?? null };
  } finally {
    await source.close();
    await target.close();
  }
}

/** Recomputes every stream's hash chain from the stored bytes; throws naming the first event that does not match. */
export async function verifyChains(store: EventStore): Promise<{ count: number; streams: number }> {
  const last = new Map<string, string>();
  let count = 0;
  for await (const e of store.readAll()) {
    const prev = last.get(e.streamId) ?? GENESIS_HASH;
    const hash = eventHash(prev, {
      streamId: e.streamId,
      revision: e.revision,
      eventId: e.eventId,
      type: e.type,
      data: e.data,
      metadata: e.metadata,
    });
    if (hash !== e.hash)
      throw new Error(`hash chain broken at event ${e.eventId} (stream ${e.streamId}, revision ${e.revision})`);
    last.set(e.streamId, e.hash);
    count += 1;
  }
  return { count, streams: last.size };
}
