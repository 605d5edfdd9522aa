import pg from 'pg';
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

/** Over a rate limit: when to retry (answered by the API as the GraphQL error type RateLimited). */
export class RateLimitedError extends Error {
  readonly code = 'RATE_LIMITED' as const;
  readonly messages;
  constructor(readonly retryAfterSeconds: number) {
    super('Rate limited');
    this.messages = {
      vi: `Bạn thao tác quá nhanh. Vui lòng thử lại sau ${retryAfterSeconds} giây.`,
      en: `Too many requests. Please try again in ${retryAfterSeconds} seconds.`,
    };
  }
}

/**
 * Abuse limits and the notification mail schedule, from the environment (documented in the README), so load tests can
 * raise them and limit tests can lower them. Rate limits hold in memory, per process; with the read store on PostgreSQL
 * (GOPY_READ_STORE=postgres and DATABASE_URL) the counters live in PostgreSQL (table gopy_auth.rate_limits), shared by
 * every API process, with an in-memory limiter as insurance while the database cannot be reached.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | GOPY_RATE_COMMENTS_PER_MINUTE | 30 | submitComment per account (no one writes 30 comments a minute; a script does), and ×5 per address (a school shares one address) |
 * | GOPY_RATE_SIGNUPS_PER_HOUR | 30 | signUp per address (a class may sign up together) |
 * | GOPY_RATE_SIGNINS_PER_MINUTE | 20 | signIn per email, and ×3 per address (failed or not) |
 * | GOPY_TRUST_PROXY | loopback | express "trust proxy": whose X-Forwarded-For names the client's address |
 * | GOPY_BODY_LIMIT_BYTES | 1048576 | largest /graphql request body (413 PAYLOAD_TOO_LARGE) |
 * | GOPY_GRAPHQL_MAX_DEPTH | 15 | deepest selection |
 * | GOPY_GRAPHQL_MAX_COST | 10000 | graphql-armor cost limit (the site's heaviest page costs about 2500) |
 * | GOPY_GRAPHQL_MAX_ALIASES | 15 | aliases in one operation |
 * | GOPY_NOTIFY_MAIL_INTERVAL_MS | 300000 | how often the daily notification mail looks for work |
 * | GOPY_NOTIFY_MAIL_DELAY_MS | 900000 | how old a notification must be before it is mailed |
 */
export interface Limits {
  commentsPerMinute: number;
  trustProxy: string;
  signUpsPerHour: number;
  signInsPerMinute: number;
  bodyLimitBytes: number;
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  notifyMailIntervalMs: number;
  notifyMailDelayMs: number;
  /** Where the counters are shared between API processes; null keeps them in this process's memory. */
  sharedStoreUrl: string | null;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return n;
}

export function loadLimits(env: NodeJS.ProcessEnv = process.env): Limits {
  return {
    commentsPerMinute: positive(env, 'GOPY_RATE_COMMENTS_PER_MINUTE', 30),
    trustProxy: env.GOPY_TRUST_PROXY || 'loopback',
    signUpsPerHour: positive(env, 'GOPY_RATE_SIGNUPS_PER_HOUR', 30),
    signInsPerMinute: positive(env, 'GOPY_RATE_SIGNINS_PER_MINUTE', 20),
    bodyLimitBytes: positive(env, 'GOPY_BODY_LIMIT_BYTES', 1_048_576),
    maxDepth: positive(env, 'GOPY_GRAPHQL_MAX_DEPTH', 15),
    maxCost: positive(env, 'GOPY_GRAPHQL_MAX_COST', 10_000),
    maxAliases: positive(env, 'GOPY_GRAPHQL_MAX_ALIASES', 15),
    notifyMailIntervalMs: positive(env, 'GOPY_NOTIFY_MAIL_INTERVAL_MS', 300_000),
    notifyMailDelayMs: positive(env, 'GOPY_NOTIFY_MAIL_DELAY_MS', 900_000),
    sharedStoreUrl: env.GOPY_READ_STORE === 'postgres' && env.DATABASE_URL ? env.DATABASE_URL : null,
  };
}

export type LimitedAction = 'comment' | 'signUp' | 'signIn';

/** Where the shared counters live: beside the sessions, the other security state that is not a read model. */
const SHARED_SCHEMA = 'gopy_auth';
const SHARED_TABLE = 'rate_limits';

/** Per-account and per-address limiters; `consume` throws RateLimitedError (a typed result member) when over. */
export class RateLimits {
  private readonly limiters: Record<string, RateLimiterAbstract>;
  private readonly pool: pg.Pool | null = null;
  /** Resolves once the shared table exists (at once for the in-memory limiters). */
  private readonly ready: Promise<void> = Promise.resolve();

  constructor(readonly limits: Limits) {
    const rules: [string, { keyPrefix: string; points: number; duration: number }][] = [
      ['comment:account', { keyPrefix: 'comment-account', points: limits.commentsPerMinute, duration: 60 }],
      ['comment:address', { keyPrefix: 'comment-address', points: limits.commentsPerMinute * 5, duration: 60 }],
      ['signUp:address', { keyPrefix: 'signup-address', points: limits.signUpsPerHour, duration: 3_600 }],
      ['signIn:address', { keyPrefix: 'signin-address', points: limits.signInsPerMinute * 3, duration: 60 }],
      ['signIn:account', { keyPrefix: 'signin-account', points: limits.signInsPerMinute, duration: 60 }],
    ];
    if (!limits.sharedStoreUrl) {
      this.limiters = Object.fromEntries(rules.map(([name, rule]) => [name, new RateLimiterMemory(rule)]));
      return;
    }
    // A small pool of its own: a slow limit check must never hold a read-model connection.
    const pool = new pg.Pool({ connectionString: limits.sharedStoreUrl, max: 3, allowExitOnIdle: true });
    pool.on('error', () => {
      // an idle client lost its connection; the next query opens another
    });
    this.pool = pool;
    this.limiters = Object.fromEntries(
      rules.map(([name, rule]) => [
        name,
        new RateLimiterPostgres({
          ...rule,
          storeClient: pool,
          storeType: 'pool',
          schemaName: SHARED_SCHEMA,
          tableName: SHARED_TABLE,
          // Created below, once, before the first count (the library would race the schema).
          tableCreated: true,
          clearExpiredByTimeout: true,
          insuranceLimiter: new RateLimiterMemory(rule),
        }),
      ]),
    );
    const ignoreConcurrentCreate = (err: { code?: string }) => {
      // Another process created it at the same moment (PostgreSQL reports the catalogue's unique key).
      if (err.code !== '23505' && err.code !== '42P06' && err.code !== '42P07') throw err;
    };
    this.ready = pool
      .query(`CREATE SCHEMA IF NOT EXISTS "${SHARED_SCHEMA}"`)
      .catch(ignoreConcurrentCreate)
      .then(() =>
        pool.query(
          `CREATE TABLE IF NOT EXISTS "${SHARED_SCHEMA}"."${SHARED_TABLE}" (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`,
        ),
      )
      .then(() => undefined, ignoreConcurrentCreate)
      .catch(() => {
        // The database cannot be reached now: each limiter falls back to its in-memory insurance until it can.
      });
  }

  /** Closes the shared store's connections (nothing to do for the in-memory limiters). */
  async close(): Promise<void> {
    await this.pool?.end();
  }

  /** Counts one attempt against each key given (address, account or email); 0 points means unlimited. */
  async consume(action: LimitedAction, keys: { address?: string | null; account?: string | null }): Promise<void> {
    await this.ready;
    for (const [kind, key] of Object.entries(keys)) {
      if (!key) continue;
      const limiter = this.limiters[`${action}:${kind}`];
      if (!limiter || limiter.points === 0) continue;
      try {
        await limiter.consume(key);
      } catch (res) {
        if (res instanceof RateLimiterRes) throw new RateLimitedError(Math.max(1, Math.ceil(res.msBeforeNext / 1_000)));
        throw res;
      }
    }
  }
}
