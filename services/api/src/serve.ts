import type { Server } from 'node:http';
import { acquireLease, type Lease } from '@gopy/adapters/postgres/lease';
import { buildApp } from './app';
import { sealIntervalMs } from './auditKeys';
import type { Config } from './config';
import { printDemoAccounts, readDemoAccounts, seedDemo } from './demo';
import { openRuntime, type ProcessRole, type Runtime } from './runtime';

async function startProjecting(runtime: Runtime): Promise<void> {
  runtime.projector.on('error', (err) => {
    runtime.log(`projector stopped: ${err.stack ?? err.message}`);
    process.exitCode = 1;
  });
  // Load the checkpoint now, not when the process started: a projector that waited for the lease must resume where
  // the previous holder stopped.
  await runtime.projector.init();
  await runtime.projector.catchUpOnce();
  runtime.projector.start();
}

/**
 * Starts an HTTP process: `embedded` (site, /graphql, projector and scheduler in one process, demo data on an empty
 * store) or `api` (requests only; a projector process keeps the read models).
 */
export async function serve(
  config: Config,
  role: Extract<ProcessRole, 'embedded' | 'api'> = 'embedded',
): Promise<{ runtime: Runtime; server: Server; url: string; close(): Promise<void> }> {
  const runtime = await openRuntime(config, { role });
  if (role === 'embedded') {
    await startProjecting(runtime);
    if (config.demo && (await runtime.store.headPosition()) === undefined) {
      runtime.log('empty store: loading demo data');
      await seedDemo(runtime);
      const head = await runtime.store.headPosition();
      if (head) await runtime.projector.waitFor(head, 60_000);
    }
    runtime.scheduler.start();
    runtime.surgeDetector.start();
    runtime.notificationMails.start();
    runtime.sealer.start(sealIntervalMs());
  }
  const app = await buildApp(runtime);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = config.publicUrl.replace(/:\d+$/, `:${port}`);
  if (config.demo) {
    const accounts = readDemoAccounts(config.dataDir);
    if (accounts) printDemoAccounts(accounts, url);
  }
  runtime.log(`listening on ${url} (${role})`);
  return {
    runtime,
    server,
    url,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await runtime.close();
    },
  };
}

/**
 * The projector process of the distributed runtime: it holds the `projector` lease while it applies events, and the
 * `deadline-scheduler` lease while it closes rounds. A second instance waits for the leases and takes over when the
 * first dies. Without PostgreSQL (one machine, SQLite), there is nothing to share and no lease.
 */
export async function runProjectorProcess(config: Config): Promise<{ runtime: Runtime; close(): Promise<void> }> {
  const runtime = await openRuntime(config, { role: 'projector' });
  const leases: Lease[] = [];
  const url = config.databaseUrl;
  const onLost = (lease: Lease) =>
    void lease.lost.then(() => {
      runtime.log(`lease ${lease.name} lost: stopping at once`);
      process.exit(1);
    });
  if (url) {
    const lease = await acquireLease(url, 'projector-main', {
      onWaiting: () => runtime.log('another projector holds the lease; waiting'),
    });
    onLost(lease);
    leases.push(lease);
  }
  runtime.log('projector lease held: applying events');
  await startProjecting(runtime);
  if (config.demo && (await runtime.store.headPosition()) === undefined) {
    runtime.log('empty store: loading demo data');
    await seedDemo(runtime);
  }
  const scheduling = (async () => {
    if (url) {
      const lease = await acquireLease(url, 'deadline-scheduler');
      onLost(lease);
      leases.push(lease);
    }
    runtime.scheduler.start();
    runtime.surgeDetector.start();
    runtime.notificationMails.start();
    runtime.sealer.start(sealIntervalMs());
  })();
  await scheduling;
  return {
    runtime,
    async close() {
      await runtime.close();
      for (const lease of leases) await lease.release().catch(() => undefined);
    },
  };
}
