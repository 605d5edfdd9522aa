import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { ConfigError, loadConfig } from '@gopy/composition/config';
import { openEmbeddedRuntime } from '@gopy/composition/runtime';
import { runProjectorProcess } from '@gopy/composition/process';
import { serve } from './serve';
import { registerAuditCommands } from './auditCli';
import { createLogger } from '@gopy/composition/ops/logger';

/** Log lines of the command line's own commands (warnings, a copy's progress), in the servers' format, on stderr. */
const cliLogger = () => createLogger({ role: 'cli', fd: 2 });

const program = new Command();
program.name('gopy').description('Góp ý — event-sourced policy consultation platform');

program
  .command('serve')
  .description('Serve the site and /graphql; embedded: also run the projector and the deadline scheduler')
  .option(
    '--role <role>',
    'embedded (everything in one process) or api (a projector process keeps the read models)',
    'embedded',
  )
  .action(async (opts: { role: string }) => {
    if (opts.role !== 'embedded' && opts.role !== 'api')
      throw new ConfigError(`--role must be embedded or api; got "${opts.role}"`);
    const server = await serve(loadConfig(), opts.role);
    server.lifecycle.handleSignals();
  });

program
  .command('projector')
  .description('Run the projector and the deadline scheduler as their own process (distributed runtime), under leases')
  .action(async () => {
    const proc = await runProjectorProcess(loadConfig());
    proc.lifecycle.handleSignals();
  });

program
  .command('rebuild')
  .description(
    'Rebuild every read model from position 0 into a fresh database, then swap it in (stop the projector first)',
  )
  .option(
    '--verify',
    'replay proof: rebuild into a fresh database and compare a content checksum of every table with the live one; never swaps in',
  )
  .action(async (opts: { verify?: boolean }) => {
    const { rebuildReadModels } = await import('./rebuild');
    const outcome = await rebuildReadModels(loadConfig(), { verify: Boolean(opts.verify), progress: true });
    if (outcome.equal === false) process.exitCode = 1;
  });

const storeCmd = program.command('store').description('The event log and its key store');
storeCmd
  .command('copy')
  .description(
    'Copy the whole log and the key store between two stores (resumable), then verify counts and hash chains',
  )
  .requiredOption('--from <store>', 'sqlite:<data folder> | postgres:<url> | kurrentdb:<url>')
  .requiredOption('--to <store>', 'sqlite:<data folder> | postgres:<url> | kurrentdb:<url>')
  .option(
    '--keys-to <store>',
    'where the keys go when the target keeps none (kurrentdb): sqlite:<folder> | postgres:<url>',
  )
  .action(async (opts: { from: string; to: string; keysTo?: string }) => {
    const { copyStore } = await import('./storeCopy');
    const { SingleBar, Presets } = await import('cli-progress');
    const logger = cliLogger();
    const bar = new SingleBar(
      { format: 'copy [{bar}] {percentage}% | {value}/{total} events' },
      Presets.shades_classic,
    );
    let started = false;
    const report = await copyStore(opts.from, opts.to, {
      ...(opts.keysTo ? { keysTo: opts.keysTo } : {}),
      log: (m) => logger.info(m),
      onProgress: (done, total) => {
        if (!started) {
          bar.start(total, done);
          started = true;
        }
        bar.update(done);
      },
    });
    if (started) bar.stop();
    console.log(
      `Copied ${report.copied} events (${report.skipped} already there${report.resumedFrom ? `, resumed after ${report.resumedFrom}` : ''}); ` +
        `${report.total} events in ${report.streams} streams verified on the target; ${report.keys} keys copied.`,
    );
  });

registerAuditCommands(program);

/** Stops a backup command with its message and exit code 2 (nothing was written or restored). */
async function backupErrors(run: () => Promise<void>): Promise<void> {
  const { BackupError } = await import('./backup/backupCrypto');
  try {
    await run();
  } catch (e) {
    if (!(e instanceof BackupError)) throw e;
    console.error(`gopy: ${e.message}`);
    process.exitCode = 2;
  }
}

const backupCmd = program
  .command('backup')
  .description(
    'An online, consistent, encrypted backup of the embedded store (log, keys, accounts, attachments) while the server serves; GOPY_BACKUP_KEY encrypts it',
  )
  .option('--to <dir>', 'folder to write the backup into (absent or empty)')
  .action(async (opts: { to?: string }) => {
    if (!opts.to) {
      backupCmd.help({ error: true });
      return;
    }
    const to = opts.to;
    const { loadBackupKey } = await import('./backup/backupCrypto');
    const { takeBackup } = await import('./backup/backup');
    const { ledgerOf } = await import('./backup/erasures');
    const key = loadBackupKey();
    const config = loadConfig();
    await backupErrors(async () => {
      const ledger = ledgerOf(process.env, path.dirname(path.resolve(to)))!;
      const outcome = await takeBackup(config, to, key, { ledger });
      const log = outcome.manifest.log;
      console.log(
        `Backup ${outcome.manifest.id} written to ${outcome.folder}: ${outcome.manifest.files.length} files, ${outcome.bytes} bytes, in ${outcome.seconds.toFixed(1)} s` +
          (log
            ? `; log: ${log.events} events in ${log.streams} streams up to position ${log.headPosition ?? 'none'}${log.verified ? '' : ' (its chains did NOT verify: run gopy audit verify)'}`
            : `; the log is in ${config.eventStore}: back it up with that engine (README, "Backups")`) +
          `; erasure ledger ${ledger.file} (${outcome.ledgerAdded} new). Check it with: gopy backup verify ${outcome.folder}`,
      );
    });
  });

backupCmd
  .command('verify <dir>')
  .description(
    'Restore a backup into a temporary folder, then run audit verify and rebuild --verify on it (exit code 1 when anything fails)',
  )
  .action(async (dir: string) => {
    const { loadBackupKey } = await import('./backup/backupCrypto');
    const { verifyBackup } = await import('./backup/operations');
    const key = loadBackupKey();
    await backupErrors(async () => {
      if (!(await verifyBackup(dir, key, loadConfig(), (m) => console.log(m)))) process.exitCode = 1;
    });
  });

program
  .command('restore')
  .description(
    'Restore a backup into an empty data folder (GOPY_DATA_DIR), then re-apply the erasures and redactions made after it',
  )
  .requiredOption('--from <dir>', 'a folder written by gopy backup')
  .option(
    '--reapply-from <source>',
    'where newer erasures and redactions are read (repeatable): a data folder, a newer backup, an erasure ledger file, or sqlite:|postgres:|kurrentdb: a store; default: the erasure ledger beside the backup (or GOPY_ERASURE_LEDGER)',
    (value: string, previous: string[]) => [...previous, value],
    [] as string[],
  )
  .option('--data-dir <dir>', 'the data folder to restore into (default: GOPY_DATA_DIR)')
  .action(async (opts: { from: string; reapplyFrom: string[]; dataDir?: string }) => {
    const { loadBackupKey } = await import('./backup/backupCrypto');
    const { defaultLedger, restoreWithReapply } = await import('./backup/operations');
    const key = loadBackupKey();
    const base = loadConfig(opts.dataDir ? { ...process.env, GOPY_DATA_DIR: opts.dataDir } : process.env);
    const ledger = defaultLedger(opts.from, process.env);
    const sources = [...(ledger ? [ledger] : []), ...opts.reapplyFrom];
    await backupErrors(async () => {
      await restoreWithReapply(opts.from, base, key, sources, (m) => console.log(m));
    });
  });

const admin = program.command('admin').description('Administration');
admin
  .command('create')
  .description('Create the first administrator of a real install (and the root organisation when there is none)')
  .requiredOption('--email <email>', 'the administrator’s email')
  .requiredOption('--name <name>', 'the administrator’s display name')
  .option(
    '--organization <name>',
    'name of the root organisation to create when none exists',
    'Phòng Giáo dục và Đào tạo',
  )
  .option('--kind <kind>', 'province_department | district_office | school | other', 'district_office')
  .action(
    async (opts: {
      email: string;
      name: string;
      organization: string;
      kind: 'province_department' | 'district_office' | 'school' | 'other';
    }) => {
      const password = process.env.GOPY_ADMIN_PASSWORD;
      if (!password) {
        console.error(
          'Set GOPY_ADMIN_PASSWORD in the environment (at least 10 characters); it is never taken from the command line.',
        );
        process.exit(2);
      }
      const runtime = await openEmbeddedRuntime(loadConfig({ ...process.env, GOPY_DEMO: '0' }));
      try {
        await runtime.projector.catchUpOnce();
        const { organizationQueries } = await import('@gopy/application/readModels/index');
        const orgs = await organizationQueries.list(runtime.readDb);
        let organizationId = orgs.find((o) => o.parentId === null)?.id;
        if (!organizationId) {
          organizationId = crypto.randomUUID();
          await runtime.commands.organization(
            {
              type: 'RegisterOrganization',
              organizationId,
              name: opts.organization,
              kind: opts.kind,
              levels: [],
              schoolType: '',
              parentOrganizationId: null,
            },
            null,
            { systemActor: true },
          );
        }
        const accountId = await runtime.accounts.signUp(
          {
            email: opts.email,
            password,
            displayName: opts.name,
            pseudonym: null,
            stakeholderCategory: 'organization',
            locale: 'vi',
          },
          { origin: 'admin', verified: true },
        );
        await runtime.commands.organization({ type: 'AddMember', organizationId, accountId, roles: ['admin'] }, null, {
          systemActor: true,
        });
        await runtime.projector.catchUpOnce();
        console.log(`Administrator ${opts.email} created (account ${accountId}) in organisation ${organizationId}.`);
      } finally {
        await runtime.close();
      }
    },
  );

const schemaCmd = program.command('schema').description('GraphQL and event schemas');
schemaCmd
  .command('print')
  .description('Write schemas/graphql/schema.graphql (printed from Pothos) and schemas/json/*.json (from zod)')
  .action(async () => {
    const { printedSchema } = await import('./graphql/schema');
    const { exportJsonSchemas } = await import('@gopy/schemas/jsonSchema');
    const root = path.resolve(import.meta.dirname, '../../..');
    fs.writeFileSync(path.join(root, 'schemas/graphql/schema.graphql'), printedSchema());
    const dir = path.join(root, 'schemas/json');
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, schema] of Object.entries(exportJsonSchemas())) {
      fs.writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(schema, null, 2)}\n`);
    }
    console.log('schemas/graphql/schema.graphql and schemas/json/ written');
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`gopy: configuration error: ${err.message}`);
    process.exit(2);
  }
  throw err;
}
