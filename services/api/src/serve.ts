import type { Server } from 'node:http';
import { buildApp } from './app';
import type { Config } from './config';
import { printDemoAccounts, readDemoAccounts, seedDemo } from './demo';
import { openEmbeddedRuntime, type Runtime } from './runtime';

/** Starts the embedded runtime: projector (caught up before the first request), scheduler, demo data, HTTP. */
export async function serve(config: Config): Promise<{ runtime: Runtime; server: Server; url: string; close(): Promise<void> }> {
  const runtime = await openEmbeddedRuntime(config);
  runtime.projector.on('error', (err) => runtime.log(`projector stopped: ${err.stack ?? err.message}`));
  await runtime.projector.catchUpOnce();
  runtime.projector.start();
  if (config.demo && (await runtime.store.headPosition()) === undefined) {
    runtime.log('empty store: loading demo data');
    await seedDemo(runtime);
    const head = await runtime.store.headPosition();
    if (head) await runtime.projector.waitFor(head, 30_000);
  }
  runtime.scheduler.start();
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
  runtime.log(`listening on ${url}`);
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
