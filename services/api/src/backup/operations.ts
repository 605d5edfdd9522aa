import fs from 'node:fs';
import path from 'node:path';
import { describeReport } from '@gopy/application/audit/verify';
import { verifyStore } from '../auditCli';
import type { Config } from '@gopy/composition/config';
import { rebuildReadModels } from '../rebuild';
import { dataFiles, openEmbeddedRuntime, openEventStore } from '@gopy/composition/runtime';
import { parseStoreSpec } from '../storeCopy';
import { MANIFEST_FILE, restoreBackup, temporaryFolder, type BackupManifest } from './backup';
import { BackupError, type BackupKey } from './backupCrypto';
import {
  ErasureLedger,
  erasuresInLog,
  LEDGER_FILE,
  reapplyErasures,
  type ErasureRecord,
  type ReapplyReport,
} from './erasures';

/** The configuration of the embedded runtime on a restored data folder (SQLite for everything). */
function restoredConfig(base: Config, dataDir: string): Config {
  return { ...base, dataDir, eventStore: 'sqlite', readStore: 'sqlite', databaseUrl: undefined };
}

function requireSecrets(manifest: BackupManifest, env: NodeJS.ProcessEnv): void {
  if (!manifest.secretsInBackup && !(env.GOPY_MASTER_KEY && env.GOPY_LOOKUP_KEY))
    throw new BackupError(
      'this backup’s key store is wrapped by the GOPY_MASTER_KEY the server had in its environment (the backup holds no secrets.json): set GOPY_MASTER_KEY and GOPY_LOOKUP_KEY to those values',
    );
}

/**
 * `gopy backup verify`: restores into a temporary folder (every checksum, the manifest's MAC, the log's head and chain
 * heads), then runs what `gopy audit verify` runs (every hash chain and signed checkpoint) and what `gopy rebuild`
 * and `gopy rebuild --verify` run (the read models built from the restored log, then rebuilt and compared table by
 * table: the keys decrypt what the log needs). Answers whether all passed; removes the folder.
 */
export async function verifyBackup(
  folder: string,
  key: BackupKey,
  base: Config,
  say: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
  const temp = temporaryFolder('gopy-backup-verify-');
  const dataDir = path.join(temp.folder, 'data');
  try {
    const { manifest, files, bytes } = await restoreBackup(folder, dataDir, key);
    say(
      `Backup ${manifest.id} of ${manifest.createdAt}: ${files} files (${bytes} bytes) decrypted, every checksum matches the manifest.`,
    );
    if (!manifest.log) {
      say(
        `The log is in ${manifest.eventStore}, not in this backup: only the key store and the accounts were checked.`,
      );
      return true;
    }
    say(
      `Log: ${manifest.log.events} events in ${manifest.log.streams} streams up to position ${manifest.log.headPosition ?? 'none'}; chain heads match.`,
    );
    requireSecrets(manifest, env);
    const config = restoredConfig(base, dataDir);
    const store = await openEventStore(config);
    let auditOk: boolean;
    try {
      const report = await verifyStore(store, manifest.sealPublicKey ?? undefined);
      say(`Audit verify: ${describeReport(report)}`);
      auditOk = report.ok;
    } finally {
      await store.close();
    }
    const built = await rebuildReadModels(config, { verify: false, progress: false });
    const replay = await rebuildReadModels(config, { verify: true, progress: false });
    const ok = auditOk && replay.equal === true && built.applied === manifest.log.events;
    say(
      ok
        ? 'Backup verified: it restores, its log verifies, and its read models rebuild equal.'
        : 'Backup verification FAILED (see above).',
    );
    return ok;
  } finally {
    temp.remove();
  }
}

/**
 * Where erasures and redactions newer than a backup are read from: a data folder, a backup folder, an erasure ledger
 * file, or a store (sqlite:<folder> | postgres:<url> | kurrentdb:<url>).
 */
export async function erasuresFrom(
  source: string,
  key: BackupKey,
  base: Config,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ErasureRecord[]> {
  if (/^(sqlite|postgres|kurrentdb):/.test(source)) {
    const spec = parseStoreSpec(source);
    const config: Config =
      spec.kind === 'sqlite'
        ? { ...base, eventStore: 'sqlite', dataDir: path.resolve(spec.location) }
        : spec.kind === 'postgres'
          ? { ...base, eventStore: 'postgres', databaseUrl: spec.location }
          : { ...base, eventStore: 'kurrentdb', kurrentdbUrl: spec.location };
    const store = await openEventStore(config);
    try {
      return await erasuresInLog(store);
    } finally {
      await store.close();
    }
  }
  if (!fs.existsSync(source)) throw new BackupError(`--reapply-from ${source}: no such file or folder`);
  if (fs.statSync(source).isFile()) return new ErasureLedger(source).read();
  if (fs.existsSync(path.join(source, MANIFEST_FILE))) {
    const temp = temporaryFolder('gopy-reapply-');
    try {
      const dataDir = path.join(temp.folder, 'data');
      await restoreBackup(source, dataDir, key);
      return await erasuresFrom(`sqlite:${dataDir}`, key, base, env);
    } finally {
      temp.remove();
    }
  }
  if (fs.existsSync(dataFiles(source).events)) return erasuresFrom(`sqlite:${source}`, key, base, env);
  throw new BackupError(
    `--reapply-from ${source}: neither a data folder (events.sqlite), a backup (${MANIFEST_FILE}) nor an erasure ledger file`,
  );
}

/** The erasure ledger a restore reads without being told: GOPY_ERASURE_LEDGER, else the one beside the backup. */
export function defaultLedger(from: string, env: NodeJS.ProcessEnv): string | undefined {
  const candidates = [
    env.GOPY_ERASURE_LEDGER,
    path.join(path.dirname(path.resolve(from)), LEDGER_FILE),
    env.GOPY_BACKUP_DIR ? path.join(env.GOPY_BACKUP_DIR, LEDGER_FILE) : undefined,
  ];
  return candidates.find((c): c is string => Boolean(c) && fs.existsSync(c!));
}

/**
 * `gopy restore`: the backup into an empty data folder, then every erasure and redaction the newer sources know of
 * re-applied to it (through eraseAccount and redactComment), the read models built on the way.
 */
export async function restoreWithReapply(
  from: string,
  base: Config,
  key: BackupKey,
  reapplyFrom: string[],
  say: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ manifest: BackupManifest; reapply: ReapplyReport | null }> {
  const config = restoredConfig(base, base.dataDir);
  const { manifest, files, bytes } = await restoreBackup(from, config.dataDir, key);
  say(
    `Restored backup ${manifest.id} of ${manifest.createdAt} into ${config.dataDir}: ${files} files, ${bytes} bytes` +
      (manifest.log
        ? `; the log has ${manifest.log.events} events up to position ${manifest.log.headPosition ?? 'none'}.`
        : `; the log is in ${manifest.eventStore}: restore it with that engine's own tools.`),
  );
  if (!manifest.log) return { manifest, reapply: null };
  requireSecrets(manifest, env);
  const records: ErasureRecord[] = [];
  for (const source of reapplyFrom) {
    const found = await erasuresFrom(source, key, base, env);
    say(`${source}: ${found.length} erasures and redactions.`);
    records.push(...found);
  }
  if (reapplyFrom.length === 0)
    say(
      `No erasure ledger and no --reapply-from: erasures and redactions made after ${manifest.createdAt} are NOT re-applied.`,
    );
  const runtime = await openEmbeddedRuntime(config, { log: say, env });
  let report: ReapplyReport;
  try {
    await runtime.projector.catchUpOnce();
    // Running, so that each re-applied erasure waits for its own projection as it does in the server.
    runtime.projector.start();
    report = await reapplyErasures(runtime, records);
    const head = await runtime.store.headPosition();
    if (head) await runtime.projector.waitFor(head, 60_000);
    say(
      `Re-applied ${report.reapplied.length} (${report.reapplied.filter((r) => r.kind === 'AccountErased').length} erasures, ` +
        `${report.reapplied.filter((r) => r.kind === 'CommentRedacted').length} redactions); ${report.alreadyThere} already in the backup; ` +
        `${report.notInBackup.length} about data made after the backup.`,
    );
  } finally {
    await runtime.close();
  }
  // The read models are built again from the log: a database that never held the erased names or the redacted text,
  // rather than one where they were overwritten (freed pages, the WAL).
  if (report.reapplied.length > 0) await rebuildReadModels(config, { verify: false, progress: false });
  return { manifest, reapply: report };
}
