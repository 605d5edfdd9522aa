import type { Server } from 'node:http';
import type { Logger } from '@gopy/application/logging';
import { buildApp } from './app';
import { sealIntervalMs } from '@gopy/composition/auditKeys';
import { openProcess, startProjecting, stopServing } from '@gopy/composition/process';
import type { Config } from '@gopy/composition/config';
import { printDemoAccounts, readDemoAccounts, seedDemo } from '@gopy/composition/demo';
import { type Lifecycle } from '@gopy/composition/ops/lifecycle';
import type { ProcessRole, Runtime } from '@gopy/composition/runtime';

/**
 * GOPY_BACKUP_DIR set: backups every GOPY_BACKUP_INTERVAL, and every erasure and redaction written to the erasure ledger
 * as it is projected. Refuses to start without GOPY_BACKUP_KEY (a backup is never written in clear).
 */
async function scheduleBackups(runtime: Runtime): Promise<{ stop(): Promise<void> } | undefined> {
  const settings = runtime.config.backup;
  if (!settings) return undefined;
  const { loadBackupKey } = await import('./backup/backupCrypto');
  loadBackupKey(process.env);
  const { ledgerOf, recordErasuresAsProjected } = await import('./backup/erasures');
  const { BackupSchedule } = await import('./backupSchedule');
  recordErasuresAsProjected(runtime, ledgerOf(process.env, settings.dir)!);
  const schedule = new BackupSchedule({
    ...settings,
    env: process.env,
    logger: runtime.logger,
    metrics: runtime.metrics,
  });
  schedule.start();
  return schedule;
}

export interface Serving {
  runtime: Runtime;
  server: Server;
  url: string;
  lifecycle: Lifecycle;
  close(): Promise<void>;
}

/**
 * Starts an HTTP process: `embedded` (site, /graphql, projector and scheduler in one process, demo data on an empty
 * store) or `api` (requests only; a projector process keeps the read models). `exit` is process.exit and `logger` the
 * process's unless a test says otherwise; signals are handled by the caller (`lifecycle.handleSignals()`).
 */
export async function serve(
  config: Config,
  role: Extract<ProcessRole, 'embedded' | 'api'> = 'embedded',
  options: { exit?: (code: number) => void; logger?: Logger } = {},
): Promise<Serving> {
  const { runtime, lifecycle } = await openProcess(config, role, options);
  let schedule: { stop(): Promise<void> } | undefined;
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
    schedule = await scheduleBackups(runtime);
  }
  const app = await buildApp(runtime);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
  });
  stopServing(runtime, lifecycle, server, async () => schedule?.stop());
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = config.publicUrl.replace(/:\d+$/, `:${port}`);
  if (config.demo) {
    const accounts = readDemoAccounts(config.dataDir);
    if (accounts) printDemoAccounts(accounts, url);
  }
  runtime.logger.info({ url }, `listening on ${url} (${role})`);
  return {
    runtime,
    server,
    url,
    lifecycle,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await schedule?.stop();
      await runtime.close();
    },
  };
}
