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
  /** How often the surge detector compares each open round's current hour with its recent past. */
  surgeIntervalMs: number;
  /** Overrides of the surge rule's floors (GOPY_SURGE_MIN_COMMENTS, _MIN_FLAGS, _MIN_BASELINE_HOURS). */
  surgeThresholds: { minComments?: number; minFlags?: number; minBaselineHours?: number };
  /** When semester reports are due (month-day in Vietnam): GOPY_REPORT_DUE_S1, GOPY_REPORT_DUE_S2. */
  reportDeadlines: { semester1: string; semester2: string };
  /**
   * GOPY_MIN_ROUND_DAYS: the shortest consultation round staff may open, in days (fractions allowed, e.g. 0.5).
   * Default 1; legal documents usually run 30 days or more, which an office may require here.
   */
  minimumRoundDays: number;
  eventStore: 'sqlite' | 'postgres' | 'kurrentdb';
  readStore: 'sqlite' | 'postgres';
  databaseUrl: string | undefined;
  kurrentdbUrl: string | undefined;
  /** Origins (scheme://host[:port]) whose pages may call /graphql with the reader's credentials; none by default. */
  corsOrigins: string[];
  /**
   * Whether /graphql answers introspection (__schema, __type) and completes error messages with "Did you mean …?":
   * GOPY_GRAPHQL_INTROSPECTION when set, otherwise only in demo mode. A real install does not hand out its schema.
   */
  graphqlIntrospection: boolean;
  /** GOPY_METRICS_TOKEN: the bearer token /metrics wants from a peer that is not this machine (none: 404 there). */
  metricsToken: string | undefined;
  /** When /readyz answers 503 (GOPY_READY_MAX_LAG_EVENTS, GOPY_READY_MAX_LAG_SECONDS, GOPY_READY_CHECK_TIMEOUT_MS). */
  readiness: { maxLagEvents: number; maxLagSeconds: number; checkTimeoutMs: number };
  /** GOPY_SHUTDOWN_TIMEOUT_MS: how long requests in flight may take to finish after SIGTERM. */
  shutdownTimeoutMs: number;
  /** GOPY_SHUTDOWN_DELAY_MS: how long a stopping process goes on serving, not ready, before it stops accepting. */
  shutdownDelayMs: number;
  /** GOPY_OPS_PORT: the projector process serves /healthz, /readyz and /metrics on this port (none when unset). */
  opsPort: number | undefined;
  /**
   * Scheduled backups by `gopy serve` (embedded): GOPY_BACKUP_DIR (none when unset), GOPY_BACKUP_INTERVAL (30m, 6h,
   * 1d; default 1d) and GOPY_BACKUP_KEEP (how many to keep; default 7).
   */
  backup: { dir: string; intervalMs: number; keep: number } | undefined;
  /**
   * The shared cache of public pages for visitors without a session (pageCache.ts): GOPY_PAGE_CACHE_ENTRIES pages at
   * most (0 turns it off), GOPY_PAGE_CACHE_MAX_AGE_S the longest an entry is served without a new render even when
   * nothing it depends on changed (its relative dates, "closes in 3 days", are computed when it is rendered), and
   * GOPY_PAGE_CACHE_SHARED_MAX_AGE_S how long nginx or a CDN in front may keep a page (s-maxage).
   */
  pageCache: { entries: number; maxAgeSeconds: number; sharedMaxAgeSeconds: number };
  /**
   * Admission control (admission.ts): at most GOPY_MAX_CONCURRENT_REQUESTS requests are worked on at once, at most
   * GOPY_MAX_QUEUED_REQUESTS wait, none longer than GOPY_QUEUE_TIMEOUT_MS; beyond that the answer is 503 with
   * Retry-After. 0 concurrent requests turns it off.
   */
  admission: { concurrency: number; queue: number; queueTimeoutMs: number };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function choice<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === '') return fallback;
  if (!(allowed as readonly string[]).includes(value))
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}; got "${value}"`);
  return value as T;
}

/** A whole number of at least 0, or undefined when unset. */
function count(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new ConfigError(`${name} must be a whole number of at least 0; got "${value}"`);
  return n;
}

/** A non-negative number of days (fractions allowed). */
function days(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new ConfigError(`${name} must be a number of days of at least 0; got "${value}"`);
  return n;
}

/** A day of the year as MM-DD (a report deadline). */
function monthDay(name: string, value: string | undefined, fallback: string): string {
  if (value === undefined || value === '') return fallback;
  const m = /^(\d{2})-(\d{2})$/.exec(value);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 12 || Number(m[2]) < 1 || Number(m[2]) > 31) {
    throw new ConfigError(`${name} must be a day of the year as MM-DD (e.g. 12-15); got "${value}"`);
  }
  return value;
}

/**
 * GOPY_CORS_ORIGINS: a comma-separated list of origins. Each is compared exactly with a request's Origin header, so it
 * must be an origin and nothing more; "*" is refused: it would let any site read what a signed-in reader may read.
 */
function origins(name: string, value: string | undefined): string[] {
  const out: string[] = [];
  for (const item of (value ?? '').split(',')) {
    const entry = item.trim();
    if (entry === '') continue;
    let url: URL | undefined;
    try {
      url = new URL(entry);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== entry.replace(/\/$/, '')) {
      throw new ConfigError(
        `${name} must list origins such as https://app.example.vn (scheme, host and port only), separated by commas; got "${entry}"`,
      );
    }
    if (!out.includes(url.origin)) out.push(url.origin);
  }
  return out;
}

function atLeastOne(name: string, n: number): number {
  if (n < 1) throw new ConfigError(`${name} must be at least 1; got "${n}"`);
  return n;
}

const DURATION_UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as 90s, 30m, 6h or 1d. */
function duration(name: string, value: string | undefined, fallbackMs: number): number {
  if (value === undefined || value === '') return fallbackMs;
  const m = /^(\d+)\s*([smhd])$/.exec(value.trim());
  if (!m || Number(m[1]) === 0)
    throw new ConfigError(`${name} must be a duration such as 30m, 6h or 1d (s, m, h, d); got "${value}"`);
  return Number(m[1]) * DURATION_UNITS[m[2]!]!;
}

function bool(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

/** Reads the environment; a wrong value is a ConfigError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new ConfigError(`PORT must be a port number, got "${env.PORT}"`);
  const host = env.HOST ?? '0.0.0.0';
  const demo = bool(env.GOPY_DEMO, true);
  return {
    port,
    host,
    dataDir: path.resolve(env.GOPY_DATA_DIR ?? 'data'),
    demo,
    smtpUrl: env.SMTP_URL || undefined,
    publicUrl: (env.GOPY_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    masterKeyHex: env.GOPY_MASTER_KEY || undefined,
    lookupKeyHex: env.GOPY_LOOKUP_KEY || undefined,
    serveWeb: bool(env.GOPY_SERVE_WEB, true),
    schedulerIntervalMs: Number(env.GOPY_SCHEDULER_INTERVAL_MS ?? 1_000),
    surgeIntervalMs: Number(env.GOPY_SURGE_INTERVAL_MS ?? 60_000),
    surgeThresholds: {
      minComments: count('GOPY_SURGE_MIN_COMMENTS', env.GOPY_SURGE_MIN_COMMENTS),
      minFlags: count('GOPY_SURGE_MIN_FLAGS', env.GOPY_SURGE_MIN_FLAGS),
      minBaselineHours: count('GOPY_SURGE_MIN_BASELINE_HOURS', env.GOPY_SURGE_MIN_BASELINE_HOURS),
    },
    minimumRoundDays: days('GOPY_MIN_ROUND_DAYS', env.GOPY_MIN_ROUND_DAYS, 1),
    reportDeadlines: {
      semester1: monthDay('GOPY_REPORT_DUE_S1', env.GOPY_REPORT_DUE_S1, '12-15'),
      semester2: monthDay('GOPY_REPORT_DUE_S2', env.GOPY_REPORT_DUE_S2, '05-15'),
    },
    eventStore: choice(
      'GOPY_EVENT_STORE',
      env.GOPY_EVENT_STORE,
      ['sqlite', 'postgres', 'kurrentdb'] as const,
      'sqlite',
    ),
    readStore: choice('GOPY_READ_STORE', env.GOPY_READ_STORE, ['sqlite', 'postgres'] as const, 'sqlite'),
    databaseUrl: env.DATABASE_URL || undefined,
    kurrentdbUrl: env.KURRENTDB_URL || undefined,
    corsOrigins: origins('GOPY_CORS_ORIGINS', env.GOPY_CORS_ORIGINS),
    graphqlIntrospection: bool(env.GOPY_GRAPHQL_INTROSPECTION, demo),
    metricsToken: env.GOPY_METRICS_TOKEN || undefined,
    readiness: {
      maxLagEvents: count('GOPY_READY_MAX_LAG_EVENTS', env.GOPY_READY_MAX_LAG_EVENTS) ?? 10_000,
      maxLagSeconds: count('GOPY_READY_MAX_LAG_SECONDS', env.GOPY_READY_MAX_LAG_SECONDS) ?? 120,
      checkTimeoutMs: count('GOPY_READY_CHECK_TIMEOUT_MS', env.GOPY_READY_CHECK_TIMEOUT_MS) ?? 500,
    },
    shutdownTimeoutMs: count('GOPY_SHUTDOWN_TIMEOUT_MS', env.GOPY_SHUTDOWN_TIMEOUT_MS) ?? 8_000,
    shutdownDelayMs: count('GOPY_SHUTDOWN_DELAY_MS', env.GOPY_SHUTDOWN_DELAY_MS) ?? 0,
    opsPort: count('GOPY_OPS_PORT', env.GOPY_OPS_PORT),
    backup: env.GOPY_BACKUP_DIR
      ? {
          dir: path.resolve(env.GOPY_BACKUP_DIR),
          intervalMs: duration('GOPY_BACKUP_INTERVAL', env.GOPY_BACKUP_INTERVAL, DURATION_UNITS.d!),
          keep: atLeastOne('GOPY_BACKUP_KEEP', count('GOPY_BACKUP_KEEP', env.GOPY_BACKUP_KEEP) ?? 7),
        }
      : undefined,
    pageCache: {
      entries: count('GOPY_PAGE_CACHE_ENTRIES', env.GOPY_PAGE_CACHE_ENTRIES) ?? 500,
      maxAgeSeconds: count('GOPY_PAGE_CACHE_MAX_AGE_S', env.GOPY_PAGE_CACHE_MAX_AGE_S) ?? 60,
      sharedMaxAgeSeconds: count('GOPY_PAGE_CACHE_SHARED_MAX_AGE_S', env.GOPY_PAGE_CACHE_SHARED_MAX_AGE_S) ?? 1,
    },
    admission: {
      concurrency: count('GOPY_MAX_CONCURRENT_REQUESTS', env.GOPY_MAX_CONCURRENT_REQUESTS) ?? 64,
      queue: count('GOPY_MAX_QUEUED_REQUESTS', env.GOPY_MAX_QUEUED_REQUESTS) ?? 1_024,
      queueTimeoutMs: count('GOPY_QUEUE_TIMEOUT_MS', env.GOPY_QUEUE_TIMEOUT_MS) ?? 3_000,
    },
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
