import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { createPublicKey } from 'node:crypto';
import { parsePublicKey } from '@gopy/application/audit/checkpoint';
import { Sealer } from '@gopy/application/audit/sealer';
import {
  describeReport,
  describeTail,
  describeWitness,
  verifyLog,
  type VerifyOptions,
  type VerifyReport,
} from '@gopy/application/audit/verify';
import { parseWitness, WitnessError, type Witness } from '@gopy/application/audit/witness';
import { witnessNewestCheckpoint } from '@gopy/application/audit/witnessCapture';
import type { EventStore } from '@gopy/application/eventStore';
import { lineLogger } from '@gopy/application/logging';
import { WritePath } from '@gopy/application/writePath';
import { exportBundle, verifyBundle } from './auditBundle';
import { loadSealKey } from '@gopy/composition/auditKeys';
import { loadConfig, type Config } from '@gopy/composition/config';
import { openEventStore, openKeyStore, systemClock } from '@gopy/composition/runtime';
import { loadSecrets } from '@gopy/composition/secrets';
import { parseStoreSpec } from './storeCopy';

const err = (m: string) => console.error(m);

function configFor(text: string | undefined): Config {
  const base = loadConfig();
  if (!text) return base;
  const spec = parseStoreSpec(text);
  switch (spec.kind) {
    case 'sqlite':
      return { ...base, eventStore: 'sqlite', dataDir: path.resolve(spec.location) };
    case 'postgres':
      return { ...base, eventStore: 'postgres', databaseUrl: spec.location };
    case 'kurrentdb':
      return { ...base, eventStore: 'kurrentdb', kurrentdbUrl: spec.location };
  }
}

/** Verifies a live store from its raw stored rows. */
export async function verifyStore(
  store: EventStore,
  publicKeyPem?: string,
  options: Omit<VerifyOptions, 'publicKey'> = {},
): Promise<VerifyReport> {
  return verifyLog(() => store.readAll(), {
    ...options,
    ...(publicKeyPem ? { publicKey: parsePublicKey(publicKeyPem) } : {}),
  });
}

/** Seals one checkpoint now (the `gopy audit seal` command and tests). */
export async function sealOnce(config: Config, log: (m: string) => void = err) {
  const secrets = loadSecrets(config, log);
  const store = await openEventStore(config);
  const keys = await openKeyStore(config, secrets.masterKey);
  try {
    const sealer = new Sealer({
      writePath: new WritePath({ store, keys, clock: systemClock }),
      store,
      privateKey: loadSealKey(config, log),
      clock: systemClock,
      logger: lineLogger(log),
    });
    return await sealer.seal();
  } finally {
    await keys.close();
    await store.close();
  }
}

/** Exit codes of `gopy audit verify`: 1 when something does not match, 3 when only the unsealed tail was refused. */
export const VERIFY_MISMATCH = 1;
export const VERIFY_UNSEALED = 3;

export function verifyExitCode(report: VerifyReport): number {
  if (report.ok) return 0;
  return report.unsealedTailRefused ? VERIFY_UNSEALED : VERIFY_MISMATCH;
}

function printReport(report: VerifyReport, json: boolean): void {
  if (json) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(describeReport(report));
    if (report.witness) for (const line of describeWitness(report.witness)) console.log(line);
    if (!report.failure) console.log(describeTail(report));
    if (report.notChecked.length) console.log(`Not checked: ${report.notChecked.join('; ')}.`);
  }
  process.exitCode = verifyExitCode(report);
}

/** Witnesses the newest checkpoint of a store (the `gopy audit witness` command and tests). */
export async function witnessStore(store: EventStore, config: Config, now = new Date()): Promise<Witness> {
  return witnessNewestCheckpoint(() => store.readAll(), loadSealKey(config, err), now);
}

/** Reads a witness file; a file that is not one stops the command with exit code 2. */
function readWitness(file: string): Witness {
  try {
    return parseWitness(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    console.error(`gopy: ${file}: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  }
}

interface VerifyCommandOptions {
  store?: string;
  bundle?: string;
  key?: string;
  requireSealed?: boolean;
  witness?: string;
  json?: boolean;
}

/** `gopy audit seal | verify | export`. */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('Signed checkpoints, verification and export of the event log');

  audit
    .command('seal')
    .description(
      'Append a signed checkpoint over the whole log now (the server also seals every GOPY_SEAL_INTERVAL_MS)',
    )
    .action(async () => {
      const outcome = await sealOnce(loadConfig());
      console.log(
        outcome.sealed
          ? `Sealed a checkpoint over ${outcome.count} events (Merkle root ${outcome.merkleRoot}).`
          : `Nothing to seal: the newest checkpoint already covers the log (${outcome.count} events).`,
      );
    });

  audit
    .command('verify')
    .description('Verify every hash chain and every signed checkpoint of a store or of an exported bundle, offline')
    .option(
      '--store <store>',
      'sqlite:<data folder> | postgres:<url> | kurrentdb:<url> (default: the configured store)',
    )
    .option('--bundle <dir>', 'a folder written by `gopy audit export`')
    .option(
      '--key <pem>',
      'the sealer public key (PEM file); default: the witness’s key, else the bundle’s public-key.pem, else this install’s seal key',
    )
    .option(
      '--require-sealed',
      'fail (exit code 3) when events after the newest checkpoint are not covered by a signed checkpoint yet',
    )
    .option(
      '--witness <file>',
      'a file written by `gopy audit witness`: the log must still hold every stream and event it saw',
    )
    .option('--json', 'print the report as JSON instead of sentences')
    .action(async (opts: VerifyCommandOptions) => {
      const witness = opts.witness ? readWitness(opts.witness) : undefined;
      // The witness carries the key the auditor kept: trust it rather than a key file on the server.
      const keyPem = opts.key ? fs.readFileSync(opts.key, 'utf8') : witness?.publicKey;
      const options = { requireSealed: Boolean(opts.requireSealed), ...(witness ? { witness } : {}) };
      const json = Boolean(opts.json);
      // With --json, stdout carries the report alone.
      const say = json ? err : (m: string) => console.log(m);
      if (opts.bundle) {
        const { report, manifest, keySource } = await verifyBundle(opts.bundle, keyPem, options);
        say(
          `Bundle ${opts.bundle} (${manifest.scope}${manifest.policyId ? ` ${manifest.policyId}` : ''}, exported ${manifest.exportedAt}); public key: ${opts.key || !witness ? keySource : 'the witness’s'}.`,
        );
        printReport(report, json);
        return;
      }
      const config = configFor(opts.store);
      const pem =
        keyPem ?? createPublicKey(loadSealKey(config, err)).export({ type: 'spki', format: 'pem' }).toString();
      const store = await openEventStore(config);
      try {
        printReport(await verifyStore(store, pem, options), json);
      } finally {
        await store.close();
      }
    });

  audit
    .command('witness')
    .description(
      'Write a signed witness of the newest checkpoint (event count, Merkle root, every stream’s head) for an auditor to keep away from this server',
    )
    .requiredOption('--out <file>', 'file to write (`-` for standard output)')
    .option('--seal', 'seal a checkpoint over the whole log first, so the witness covers every event up to now')
    .option(
      '--store <store>',
      'sqlite:<data folder> | postgres:<url> | kurrentdb:<url> (default: the configured store)',
    )
    .action(async (opts: { out: string; seal?: boolean; store?: string }) => {
      const config = configFor(opts.store);
      if (opts.seal) await sealOnce(config);
      const store = await openEventStore(config);
      const toStdout = opts.out === '-';
      try {
        const witness = await witnessStore(store, config);
        const text = `${JSON.stringify(witness, null, 1)}\n`;
        if (toStdout) process.stdout.write(text);
        else fs.writeFileSync(opts.out, text);
        const c = witness.checkpoint;
        (toStdout ? err : (m: string) => console.log(m))(
          `Witnessed checkpoint #${c.index} (${c.eventId}) over ${c.data.count} events, Merkle root ${c.data.merkleRoot}, ${witness.streams.length} streams; signed by key ${witness.keyFingerprint}.` +
            (toStdout
              ? ''
              : ` Wrote ${opts.out} (${Buffer.byteLength(text)} bytes): keep it away from this server; check the log against it with: gopy audit verify --witness ${opts.out}`),
        );
      } catch (e) {
        if (!(e instanceof WitnessError)) throw e;
        console.error(`gopy: not witnessed: ${e.message}`);
        process.exitCode = 1;
      } finally {
        await store.close();
      }
    });

  audit
    .command('export')
    .description('Export the log (or one policy’s streams) as JSON Lines with checkpoints, public key and a README')
    .requiredOption('--out <dir>', 'folder to write')
    .option('--policy <id>', 'only this policy: its stream, its comments’ streams and its digests')
    .option(
      '--store <store>',
      'sqlite:<data folder> | postgres:<url> | kurrentdb:<url> (default: the configured store)',
    )
    .action(async (opts: { out: string; policy?: string; store?: string }) => {
      const config = configFor(opts.store);
      const store = await openEventStore(config);
      try {
        const manifest = await exportBundle(
          store,
          loadSealKey(config, err),
          opts.out,
          opts.policy ? { policyId: opts.policy } : {},
        );
        console.log(
          `Exported ${manifest.events} events in ${manifest.streams.length} streams to ${opts.out}; verify with: gopy audit verify --bundle ${opts.out}`,
        );
      } finally {
        await store.close();
      }
    });
}

/**
 * The replay proof of `gopy rebuild --verify`: compares every read-model table of the rebuilt database with the live one
 * and prints "equal" or the first difference (table and row). Answers whether all tables are equal.
 */
export async function verifyRebuild(
  config: Config,
  rebuilt: import('@gopy/application/readModels/index').ReadDb,
  run: { applied: number; head: string | null; seconds: number },
): Promise<boolean> {
  const { compareReadModels } = await import('@gopy/application/audit/readModelChecksum');
  const { openReadStore } = await import('@gopy/composition/runtime');
  const live = await openReadStore(config);
  try {
    const liveAt = await live.db
      .selectFrom('projector_checkpoint')
      .select(['position'])
      .execute()
      .then((rows) => rows.map((r) => r.position).filter(Boolean))
      .catch(() => []);
    const result = await compareReadModels(live.db, rebuilt);
    console.log(
      `Rebuilt ${run.applied} events up to position ${run.head ?? 'none'} in ${run.seconds.toFixed(1)} s (${Math.round(run.applied / Math.max(run.seconds, 0.001))} events/s); the live read models are at ${liveAt.join(', ') || 'no checkpoint'}.`,
    );
    for (const t of result.tables) {
      console.log(
        t.equal
          ? `  ${t.table}: equal (${t.live.rows} rows, ${t.live.checksum.slice(0, 16)}…)`
          : `  ${t.table}: DIFFERENT (live ${t.live.rows} rows ${t.live.checksum.slice(0, 16)}…, rebuilt ${t.rebuilt.rows} rows ${t.rebuilt.checksum.slice(0, 16)}…); first difference, only in ${t.firstDifference?.onlyIn}: ${t.firstDifference?.row}`,
      );
    }
    console.log(
      result.equal
        ? 'Replay proof: every read model is equal to its rebuild from position 0.'
        : 'Replay proof FAILED: see the first difference above (is a projector still running ahead of the rebuild?).',
    );
    return result.equal;
  } finally {
    await live.close();
  }
}
