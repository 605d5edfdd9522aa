import type { Server } from 'node:http';
import type { Logger } from '@gopy/application/logging';
import { buildApp } from './app';
import { sealIntervalMs } from '@gopy/composition/auditKeys';
import { openProcess, startProjecting, stopServing } from '@gopy/composition/process';
import type { Config } from '@gopy/composition/config';
import { printDemoAccounts, readDemoAccounts, seedDemo } from '@gopy/composition/demo';
import { type Lifecycle } from '@gopy/composition/ops/lifecycle';
import type { ProcessRole, Runtime } from '@gopy/composition/runtime';

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
  stopServing(runtime, lifecycle, server);
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
      await runtime.close();
    },
  };
}
