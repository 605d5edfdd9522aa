import { randomUUID } from 'node:crypto';

/**
 * Where the application reports what happened. pino's logger satisfies it (the composition root makes one); the
 * application never imports a logging library, and tests pass `silentLogger` or `lineLogger`.
 */
export interface LogFn {
  (fields: Record<string, unknown>, msg?: string): void;
  (msg: string): void;
}

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

const nothing: LogFn = () => undefined;

export const silentLogger: Logger = {
  debug: nothing,
  info: nothing,
  warn: nothing,
  error: nothing,
  child: () => silentLogger,
};

/**
 * A logger over a function that takes one line, for callers that pass `log(msg)` (tests, the command line): the
 * message, then the fields as JSON.
 */
export function lineLogger(write: (line: string) => void, bindings: Record<string, unknown> = {}): Logger {
  const at =
    (level: string): LogFn =>
    (fieldsOrMsg: Record<string, unknown> | string, msg?: string) => {
      const fields = typeof fieldsOrMsg === 'string' ? bindings : { ...bindings, ...fieldsOrMsg };
      const text = typeof fieldsOrMsg === 'string' ? fieldsOrMsg : (msg ?? '');
      const shown = Object.keys(fields).length ? ` ${JSON.stringify(fields, errorsAsJson)}` : '';
      write(level === 'info' ? `${text}${shown}` : `${level}: ${text}${shown}`);
    };
  return {
    debug: nothing,
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => lineLogger(write, { ...bindings, ...more }),
  };
}

function errorsAsJson(_key: string, value: unknown): unknown {
  return value instanceof Error ? { type: value.name, message: value.message, stack: value.stack } : value;
}

/**
 * Logs an unexpected failure at error level with a fresh correlation id (and the error under `err`, which pino
 * prints with its stack) and answers the id, so that whoever sees the failure can find the line.
 */
export function logUnexpected(logger: Logger, err: unknown, msg: string, fields: Record<string, unknown> = {}): string {
  const correlationId = randomUUID();
  logger.error({ ...fields, correlationId, err: err instanceof Error ? err : new Error(String(err)) }, msg);
  return correlationId;
}

export type JobOutcome = 'ok' | 'failed';

/** Told of each pass of a process manager (the scheduler, the surge detector, the mailers, the sealer). */
export interface JobMonitor {
  ran(job: string, outcome: JobOutcome, seconds: number): void;
}

/**
 * One timed pass of a process manager: its failure is logged with a correlation id and counted, never left as an
 * unhandled rejection; the next pass runs as usual.
 */
export async function runJob(
  job: string,
  deps: { logger?: Logger; monitor?: JobMonitor },
  pass: () => Promise<unknown>,
): Promise<void> {
  const started = performance.now();
  try {
    await pass();
    deps.monitor?.ran(job, 'ok', (performance.now() - started) / 1000);
  } catch (err) {
    deps.monitor?.ran(job, 'failed', (performance.now() - started) / 1000);
    logUnexpected(deps.logger ?? silentLogger, err, `${job} failed; it runs again at its next interval`, { job });
  }
}
