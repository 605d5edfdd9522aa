import path from 'node:path';

/** Configuration comes from the environment only; defaults make the embedded runtime start with zero set-up. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  demo: boolean;
  smtpUrl: string | undefined;
  publicUrl: string;
  masterKeyHex: string | undefined;
  lookupKeyHex: string | undefined;
  /** Serve the SvelteKit site from web/build in the same process (embedded runtime). */
  serveWeb: boolean;
  schedulerIntervalMs: number;
  eventStore: 'sqlite' | 'postgres' | 'kurrentdb';
  readStore: 'sqlite' | 'postgres';
  databaseUrl: string | undefined;
  kurrentdbUrl: string | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function choice<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === '') return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}; got "${value}"`);
  return value as T;
}

function bool(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

/** Reads the environment; a wrong value is a ConfigError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new ConfigError(`PORT must be a port number, got "${env.PORT}"`);
  const host = env.HOST ?? '0.0.0.0';
  return {
    port,
    host,
    dataDir: path.resolve(env.GOPY_DATA_DIR ?? 'data'),
    demo: bool(env.GOPY_DEMO, true),
    smtpUrl: env.SMTP_URL || undefined,
    publicUrl: (env.GOPY_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    masterKeyHex: env.GOPY_MASTER_KEY || undefined,
    lookupKeyHex: env.GOPY_LOOKUP_KEY || undefined,
    serveWeb: bool(env.GOPY_SERVE_WEB, true),
    schedulerIntervalMs: Number(env.GOPY_SCHEDULER_INTERVAL_MS ?? 1_000),
    eventStore: choice('GOPY_EVENT_STORE', env.GOPY_EVENT_STORE, ['sqlite', 'postgres', 'kurrentdb'] as const, 'sqlite'),
    readStore: choice('GOPY_READ_STORE', env.GOPY_READ_STORE, ['sqlite', 'postgres'] as const, 'sqlite'),
    databaseUrl: env.DATABASE_URL || undefined,
    kurrentdbUrl: env.KURRENTDB_URL || undefined,
  };
}

/** A connection string with its password hidden, for error messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(not a URL)';
  }
}
