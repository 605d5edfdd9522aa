import { logUnexpected, type Logger } from '@gopy/application/logging';
import type { Health } from './health';

/** After the shutdown's own deadline, the projector's batch and the stores get this much longer before exit 1. */
export const SHUTDOWN_GRACE_MS = 5_000;

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * How a process stops: once, in order, within a deadline. `shutdown` marks the process not ready at once, goes on
 * serving for the configured delay (none by default), runs the steps its composition root registered (stop accepting, finish requests, stop the process managers, let the
 * projector finish its batch, close the stores) and exits with the code asked for; if the steps have not ended
 * `SHUTDOWN_GRACE_MS` after the deadline, it exits 1 anyway. A second signal exits at once.
 *
 * `fatal` is for a part the process cannot work without (the projector, live updates): it is logged with a
 * correlation id, readiness names it, and the process stops with exit code 1 for its supervisor to restart it.
 */
export class Lifecycle {
  private stopping: Promise<void> | undefined;
  private readonly steps: ((deadline: number) => Promise<void>)[] = [];

  constructor(
    private readonly deps: {
      logger: Logger;
      health: Health;
      /** GOPY_SHUTDOWN_TIMEOUT_MS: how long requests in flight may take to finish. */
      timeoutMs: number;
      /**
       * GOPY_SHUTDOWN_DELAY_MS: how long the process goes on serving, not ready, before it stops accepting: the time
       * a load balancer takes to see the failed readiness probe and send requests elsewhere.
       */
      delayMs?: number;
      exit?: (code: number) => void;
    },
  ) {}

  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  /** Steps run in the order registered; each gets the deadline (a Date.now() value) for requests in flight. */
  onShutdown(step: (deadline: number) => Promise<void>): void {
    this.steps.push(step);
  }

  shutdown(reason: string, exitCode = 0): Promise<void> {
    this.stopping ??= this.run(reason, exitCode);
    return this.stopping;
  }

  fatal(component: string, error: unknown, message: string): string {
    const correlationId = logUnexpected(this.deps.logger, error, message, { component });
    this.deps.health.fail(component, message, correlationId);
    void this.shutdown(`${component} failed`, 1);
    return correlationId;
  }

  /** SIGTERM and SIGINT start the shutdown; a second one exits at once. */
  handleSignals(): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => {
        if (this.isStopping) {
          this.deps.logger.warn({ signal }, 'second signal: exiting at once');
          this.exit(SIGNAL_EXIT_CODES[signal]);
          return;
        }
        void this.shutdown(signal);
      });
    }
  }

  private async run(reason: string, exitCode: number): Promise<void> {
    const { logger, health, timeoutMs } = this.deps;
    const delayMs = this.deps.delayMs ?? 0;
    const started = Date.now();
    health.beginShutdown();
    logger.info({ reason, timeoutMs, delayMs }, 'shutting down: not ready from now on');
    const hard = setTimeout(
      () => {
        logger.error({ reason, afterMs: Date.now() - started }, 'shutdown did not finish in time: exiting');
        this.exit(1);
      },
      delayMs + timeoutMs + SHUTDOWN_GRACE_MS,
    );
    let code = exitCode;
    try {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      const deadline = Date.now() + timeoutMs;
      for (const step of this.steps) await step(deadline);
    } catch (err) {
      logUnexpected(logger, err, 'shutdown step failed', { reason });
      code = code || 1;
    }
    clearTimeout(hard);
    logger.info({ reason, exitCode: code, ms: Date.now() - started }, 'stopped');
    this.exit(code);
  }

  private exit(code: number): void {
    (this.deps.exit ?? ((c: number) => process.exit(c)))(code);
  }
}
