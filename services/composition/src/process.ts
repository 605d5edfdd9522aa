/**
 * The processes' shared lifecycle and the projector process of the distributed runtime (`gopy projector`,
 * services/projector). The projector process is composed here, from application and adapters, without the HTTP API:
 * it serves only /healthz, /readyz and /metrics.
 */
import type { Server } from 'node:http';
import express from 'express';
import { acquireLease, type Lease } from '@gopy/adapters/postgres/lease';
import { sealIntervalMs } from './auditKeys';
import type { Config } from './config';
import { seedDemo } from './demo';
import { opsRoutes, requestTelemetry } from './ops/http';
import { Lifecycle } from './ops/lifecycle';
import type { Logger } from '@gopy/application/logging';
import { openRuntime, type ProcessRole, type Runtime } from './runtime';

/**
 * A process that can no longer do its job says so and stops: readiness names the part that failed, the error is
 * logged with a correlation id, and the process exits 1 for its supervisor to restart it (a new projector resumes
 * from its checkpoint; a new API process follows the log again).
 */
export function stopOnFailure(runtime: Runtime, lifecycle: Lifecycle): void {
  runtime.projector.on('error', (err) => {
    lifecycle.fatal('projector', err, 'the projector stopped: the read models no longer follow the log');
  });
  runtime.changes.on('failed', ({ error }) => {
    lifecycle.fatal('changeFeed', error, 'live updates stopped: this process no longer follows the log');
  });
}

/**
 * A process's runtime and lifecycle, with the failures that end it wired (stopOnFailure). `exit` is process.exit and
 * `logger` the process's unless a test says otherwise.
 */
export async function openProcess(
  config: Config,
  role: ProcessRole,
  options: { exit?: (code: number) => void; logger?: Logger } = {},
): Promise<{ runtime: Runtime; lifecycle: Lifecycle }> {
  const runtime = await openRuntime(config, { role, ...(options.logger ? { logger: options.logger } : {}) });
  const lifecycle = new Lifecycle({
    logger: runtime.logger,
    health: runtime.health,
    timeoutMs: config.shutdownTimeoutMs,
    delayMs: config.shutdownDelayMs,
    ...(options.exit ? { exit: options.exit } : {}),
  });
  stopOnFailure(runtime, lifecycle);
  return { runtime, lifecycle };
}

export async function startProjecting(runtime: Runtime): Promise<void> {
  // Load the checkpoint now, not when the process started: a projector that waited for the lease must resume where
  // the previous holder stopped.
  await runtime.projector.init();
  await runtime.projector.catchUpOnce();
  runtime.projector.start();
}

/** The process managers this process runs (embedded, projector), stopped first when it shuts down. */
export async function stopProcessManagers(runtime: Runtime): Promise<void> {
  await Promise.all([
    runtime.scheduler.stop(),
    runtime.surgeDetector.stop(),
    runtime.notificationMails.stop(),
    runtime.sealer.stop(),
  ]);
}

/** Requests being answered by a server, to wait for them when it stops. */
function inFlight(server: Server): { count(): number; drained(deadline: number): Promise<boolean> } {
  let count = 0;
  const waiters = new Set<() => void>();
  server.on('request', (_req, res) => {
    count += 1;
    res.once('close', () => {
      count -= 1;
      if (count === 0) for (const wake of waiters) wake();
    });
  });
  return {
    count: () => count,
    drained(deadline) {
      if (count === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(count === 0);
        };
        const timer = setTimeout(wake, Math.max(0, deadline - Date.now()));
        waiters.add(wake);
      });
    },
  };
}

/**
 * The shutdown of a process with an HTTP server: stop accepting connections, end the live-update streams, stop the
 * process managers, let requests in flight finish until the deadline (then cut the connections left), and close the
 * runtime: the projector finishes its batch and saves its checkpoint, then the stores close.
 */
export function stopServing(runtime: Runtime, lifecycle: Lifecycle, server: Server, after?: () => Promise<void>): void {
  const requests = inFlight(server);
  lifecycle.onShutdown(async (deadline) => {
    server.close();
    runtime.changes.end();
    const managers = stopProcessManagers(runtime);
    if (!(await requests.drained(deadline)))
      runtime.logger.warn({ requests: requests.count() }, 'requests still in flight at the shutdown deadline: cut');
    // Idle keep-alive connections, and those the deadline cut.
    server.closeAllConnections();
    await managers;
    await runtime.close();
    await after?.();
  });
}

/**
 * The projector process of the distributed runtime: it holds the `projector` lease while it applies events, and the
 * `deadline-scheduler` lease while it closes rounds. A second instance waits for the leases and takes over when the
 * first dies. Without PostgreSQL (one machine, SQLite), there is nothing to share and no lease. With GOPY_OPS_PORT it
 * serves /healthz, /readyz and /metrics on that port.
 */
export async function runProjectorProcess(
  config: Config,
  options: { exit?: (code: number) => void } = {},
): Promise<{ runtime: Runtime; lifecycle: Lifecycle; close(): Promise<void> }> {
  const { runtime, lifecycle } = await openProcess(config, 'projector', options);
  const leases: Lease[] = [];
  const releaseLeases = async () => {
    for (const lease of leases) await lease.release().catch(() => undefined);
  };
  const opsPort = config.opsPort;
  if (opsPort !== undefined) {
    const app = express();
    app.disable('x-powered-by');
    app.use(requestTelemetry({ logger: runtime.logger, metrics: runtime.metrics, trusted: () => false }));
    app.use(opsRoutes({ health: runtime.health, metrics: runtime.metrics, metricsToken: config.metricsToken }));
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(opsPort, config.host, () => resolve(s));
    });
    stopServing(runtime, lifecycle, server, releaseLeases);
    runtime.logger.info({ port: opsPort }, `serving /healthz, /readyz and /metrics on port ${opsPort}`);
  } else {
    lifecycle.onShutdown(async () => {
      await stopProcessManagers(runtime);
      await runtime.close();
      await releaseLeases();
    });
  }
  const url = config.databaseUrl;
  const onLost = (lease: Lease) =>
    void lease.lost.then(() => {
      runtime.logger.error({ lease: lease.name }, `lease ${lease.name} lost: stopping at once`);
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
    lifecycle,
    async close() {
      await runtime.close();
      await releaseLeases();
    },
  };
}
