import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { allReadModels } from '@gopy/application/readModels/index';
import { Projector } from '@gopy/application/projector';
import { openPostgresReadStore } from '@gopy/adapters/readStore/postgresReadStore';
import { openSqliteReadStore } from '@gopy/adapters/readStore/sqliteReadStore';
import type { ReadDb } from '@gopy/application/readModels/index';
import pg from 'pg';
import { ConfigError, loadConfig, type Config } from '@gopy/composition/config';
import { dataFiles, openEmbeddedRuntime, openEventStore, openKeyStore } from '@gopy/composition/runtime';
import { loadSecrets } from '@gopy/composition/secrets';
import { runProjectorProcess } from '@gopy/composition/process';
import { serve } from './serve';
import { registerAuditCommands } from './auditCli';
import { createLogger } from '@gopy/composition/ops/logger';

/** Log lines of the command line's own commands (warnings, a copy's progress), in the servers' format, on stderr. */
const cliLogger = () => createLogger({ role: 'cli', fd: 2 });

/**
 * A fresh read-model database beside the live one: a new SQLite file, or the PostgreSQL schema gopy_read_rebuild.
 * swapIn() replaces the live one with it once the rebuild is complete, so readers never see a half-built model.
 */
async function freshReadStore(
  config: Config,
): Promise<{ db: ReadDb; swapIn(): Promise<void>; discard(): Promise<void> }> {
  if (config.readStore === 'postgres') {
    const url = config.databaseUrl!;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query('DROP SCHEMA IF EXISTS gopy_read_rebuild CASCADE');
    await admin.end();
    const read = await openPostgresReadStore(url, 'gopy_read_rebuild');
    return {
      db: read.db,
      async discard() {
        await read.close();
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query('DROP SCHEMA IF EXISTS gopy_read_rebuild CASCADE').finally(() => c.end());
      },
      async swapIn() {
        await read.close();
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          await c.query('BEGIN');
          await c.query('DROP SCHEMA IF EXISTS gopy_read CASCADE');
          await c.query('ALTER SCHEMA gopy_read_rebuild RENAME TO gopy_read');
          await c.query('COMMIT');
        } finally {
          await c.end();
        }
      },
    };
  }
  const live = dataFiles(config.dataDir).read;
  const fresh = `${live}.rebuild`;
  for (const f of [fresh, `${fresh}-wal`, `${fresh}-shm`]) fs.rmSync(f, { force: true });
  const read = openSqliteReadStore(fresh);
  return {
    db: read.db,
    async discard() {
      await read.close();
      for (const f of [fresh, `${fresh}-wal`, `${fresh}-shm`]) fs.rmSync(f, { force: true });
    },
    async swapIn() {
      await read.close();
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${live}${suffix}`, { force: true });
      fs.renameSync(fresh, live);
    },
  };
}

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
    const config = loadConfig();
    const logger = cliLogger();
    const secrets = loadSecrets(config, (m) => logger.warn(m));
    const store = await openEventStore(config);
    const keys = await openKeyStore(config, secrets.masterKey);
    const target = await freshReadStore(config);
    const projector = new Projector({ store, db: target.db, keys, readModels: allReadModels, batchSize: 1_000 });
    await projector.init();
    const head = await store.headPosition();
    let total = 0;
    for await (const _ of store.readAll()) total += 1;
    // Imported here, not at start: only the commands with a progress bar need it.
    const { SingleBar, Presets } = await import('cli-progress');
    const bar = new SingleBar(
      { format: 'rebuild [{bar}] {percentage}% | {value}/{total} events | {eps} events/s' },
      Presets.shades_classic,
    );
    const started = Date.now();
    bar.start(total, 0, { eps: 0 });
    const applied = await projector.catchUpOnce((n) =>
      bar.update(n, { eps: Math.round(n / Math.max(0.001, (Date.now() - started) / 1000)) }),
    );
    bar.stop();
    if (opts.verify) {
      const { verifyRebuild } = await import('./auditCli');
      const equal = await verifyRebuild(config, target.db, {
        applied,
        head: head ?? null,
        seconds: (Date.now() - started) / 1000,
      });
      await target.discard();
      await keys.close();
      await store.close();
      if (!equal) process.exitCode = 1;
      return;
    }
    await target.swapIn();
    await keys.close();
    await store.close();
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `Rebuilt ${applied} events up to position ${head ?? 'none'} in ${seconds.toFixed(1)} s (${Math.round(applied / Math.max(seconds, 0.001))} events/s).`,
    );
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
