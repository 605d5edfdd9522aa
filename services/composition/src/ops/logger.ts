import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import { ConfigError } from '../config';

export type { PinoLogger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'json' | 'pretty';

export interface LogSettings {
  level: LogLevel;
  format: LogFormat;
}

/**
 * GOPY_LOG_LEVEL (default info) and GOPY_LOG_FORMAT: `json` (one JSON object a line, for collectors), `pretty`
 * (coloured lines for a person), or unset: pretty when stdout is a terminal, JSON otherwise.
 */
export function logSettings(env: NodeJS.ProcessEnv = process.env, stdoutIsTty = process.stdout.isTTY === true) {
  const level = (env.GOPY_LOG_LEVEL || 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    throw new ConfigError(`GOPY_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; got "${env.GOPY_LOG_LEVEL}"`);
  const format = env.GOPY_LOG_FORMAT || (stdoutIsTty ? 'pretty' : 'json');
  if (format !== 'json' && format !== 'pretty')
    throw new ConfigError(`GOPY_LOG_FORMAT must be json or pretty; got "${env.GOPY_LOG_FORMAT}"`);
  return { level: level as LogLevel, format } satisfies LogSettings;
}

/**
 * pino-pretty is a development dependency: a production install has none, and then the lines stay JSON (said once,
 * in the first line). It is loaded synchronously as a stream, not as a worker-thread transport: a development server
 * needs no extra thread, and a line written just before process.exit is not lost.
 */
function prettyStream(fd: 1 | 2): DestinationStream | undefined {
  try {
    const require = createRequire(import.meta.url);
    const pretty = require('pino-pretty') as (options: Record<string, unknown>) => DestinationStream;
    return pretty({
      colorize: true,
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service',
      singleLine: true,
      destination: fd,
    });
  } catch {
    return undefined;
  }
}

/**
 * The process's logger. Every line has `time`, `level`, `msg`, `service`, the process's `role` and `pid`; errors go
 * under `err` with their type, message and stack. Servers log to stdout; the command line to stderr (`fd: 2`), which
 * leaves stdout to what a command answers. `destination` is for tests.
 */
export function createLogger(
  options: { env?: NodeJS.ProcessEnv; role?: string; fd?: 1 | 2; destination?: Writable | DestinationStream } = {},
): PinoLogger {
  const fd = options.fd ?? 1;
  const tty = (fd === 1 ? process.stdout : process.stderr).isTTY === true;
  const settings = logSettings(options.env, options.destination ? false : tty);
  const base = { service: 'gopy', ...(options.role ? { role: options.role } : {}) };
  const pinoOptions = {
    level: settings.level,
    base: { ...base, pid: process.pid },
    // ISO time reads the same in a terminal and in a collector; `level` as its name, not a number.
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.err },
  };
  if (options.destination) return pino(pinoOptions, options.destination as DestinationStream);
  if (settings.format === 'pretty') {
    const stream = prettyStream(fd);
    if (stream) return pino(pinoOptions, stream);
    const logger = pino(pinoOptions, pino.destination(fd));
    logger.warn('GOPY_LOG_FORMAT=pretty needs pino-pretty (a development dependency): logging JSON');
    return logger;
  }
  return fd === 1 ? pino(pinoOptions) : pino(pinoOptions, pino.destination(fd));
}
