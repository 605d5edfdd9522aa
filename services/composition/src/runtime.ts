import path from 'node:path';
import { AccountService } from '@gopy/application/accounts';
import { publicKeyPem } from '@gopy/application/audit/checkpoint';
import { Sealer } from '@gopy/application/audit/sealer';
import { ChangeFeed } from '@gopy/application/changeFeed';
import { AvailableActions } from '@gopy/application/availableActions';
import { CommandHandlers } from '@gopy/application/commands';
import { checkpointConsistency, inProcessConsistency, type ReadConsistency } from '@gopy/application/consistency';
import type { EventStore } from '@gopy/application/eventStore';
import type { AuthStore, Clock, KeyStore, Mailer } from '@gopy/application/ports';
import { Projector } from '@gopy/application/projector';
import { allReadModels, type ReadDb } from '@gopy/application/readModels/index';
import { DeadlineScheduler } from '@gopy/application/scheduler';
import { alertMailer, ReportCommands, SurgeDetector } from '@gopy/application/reports';
import { SemesterReports } from '@gopy/application/semesterReports';
import { PupilAccounts } from '@gopy/application/pupils';
import { defaultSurgeThresholds } from '@gopy/domain/surge';
import { FollowCommands } from '@gopy/application/notifications/followCommands';
import { NotificationMailDigest } from '@gopy/application/notifications/mailDigest';
import { WritePath } from '@gopy/application/writePath';
import { lineLogger, type Logger } from '@gopy/application/logging';
import { SqliteAuthStore } from '@gopy/adapters/authStore/sqliteAuthStore';
import { PostgresAuthStore } from '@gopy/adapters/authStore/postgresAuthStore';
import { openSqliteEventStore } from '@gopy/adapters/eventStore/sqliteEventStore';
import { PostgresKeyStore } from '@gopy/adapters/keyStore/postgresKeyStore';
import { SqliteKeyStore } from '@gopy/adapters/keyStore/sqliteKeyStore';
import { openPostgresReadStore } from '@gopy/adapters/readStore/postgresReadStore';
import { openSqliteReadStore } from '@gopy/adapters/readStore/sqliteReadStore';
import { privateFolder } from '@gopy/adapters/privateFiles';
import { ConfigError, redactUrl, type Config } from './config';
import { createMailer } from './mailer';
import { loadLimits, RateLimits, type Limits } from './limits';
import { loadSealKey } from './auditKeys';
import { argon2Hasher } from './passwords';
import { loadSecrets } from './secrets';
import { Health } from './ops/health';
import { createLogger } from './ops/logger';
import { Metrics } from './ops/metrics';

/**
 * What a process runs: `embedded` everything in one process (the default); `api` serves requests and leaves projecting
 * and deadlines to a projector process; `projector` applies events to the read models and runs the process managers.
 */
export type ProcessRole = 'embedded' | 'api' | 'projector';

/** Everything a request or a command-line call needs, built once by the composition root. */
export interface Runtime {
  config: Config;
  role: ProcessRole;
  clock: Clock;
  store: EventStore;
  keys: KeyStore;
  auth: AuthStore;
  readDb: ReadDb;
  mailer: Mailer;
  writePath: WritePath;
  commands: CommandHandlers;
  /** What a viewer may do now with a policy, a comment or a digest (the deciders' guards over the streams). */
  actions: AvailableActions;
  accounts: AccountService;
  /** Present where this process projects (embedded, projector). */
  projector: Projector;
  scheduler: DeadlineScheduler;
  /** Alerts, incidents and semester reports (`report-<org>-<period>` streams). */
  reports: ReportCommands;
  /** Early warning: started beside the deadline scheduler, under the same lease. */
  surgeDetector: SurgeDetector;
  semesterReports: SemesterReports;
  /** Pupils' accounts issued by schools, and their consents. */
  pupils: PupilAccounts;
  /** Abuse limits (limits.ts) and their in-memory counters. */
  limits: Limits;
  rateLimits: RateLimits;
  follows: FollowCommands;
  /** The daily notification mail; started beside the scheduler, by the process that runs process managers. */
  notificationMails: NotificationMailDigest;
  /** Appends signed checkpoints; started by the processes that project (embedded, projector). */
  sealer: Sealer;
  /** The sealer's public key (PEM), served at /.well-known/gopy-audit-key. */
  auditPublicKeyPem: string;
  consistency: ReadConsistency;
  changes: ChangeFeed;
  /** The process's structured logger (pino, ops/logger.ts); `log` is its info level for plain messages. */
  logger: Logger;
  log: (msg: string) => void;
  /** Prometheus metrics of this process (served at /metrics). */
  metrics: Metrics;
  /** Readiness (/readyz): stores reachable, projector within its lag, not shutting down, nothing vital stopped. */
  health: Health;
  close(): Promise<void>;
}

export const systemClock: Clock = { now: () => new Date() };

export const dataFiles = (dataDir: string) => ({
  events: path.join(dataDir, 'events.sqlite'),
  keys: path.join(dataDir, 'keys.sqlite'),
  auth: path.join(dataDir, 'auth.sqlite'),
  read: path.join(dataDir, 'read.sqlite'),
});

function requireUrl(config: Config, what: string, variable: 'DATABASE_URL' | 'KURRENTDB_URL'): string {
  const url = variable === 'DATABASE_URL' ? config.databaseUrl : config.kurrentdbUrl;
  if (!url)
    throw new ConfigError(
      `${what} needs ${variable} to be set (e.g. ${variable === 'DATABASE_URL' ? 'postgres://user:pass@host:5432/gopy' : 'esdb://host:2113?tls=false'})`,
    );
  return url;
}

/** Opens one store, turning a connection failure into a ConfigError that says which variable and what was tried. */
async function opening<T>(what: string, variable: string, tried: string, open: () => Promise<T> | T): Promise<T> {
  try {
    return await open();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError(`${what}: could not open ${tried} (from ${variable}): ${reason}`);
  }
}

export async function openEventStore(config: Config): Promise<EventStore> {
  switch (config.eventStore) {
    case 'sqlite': {
      const file = dataFiles(config.dataDir).events;
      return opening('GOPY_EVENT_STORE=sqlite', 'GOPY_DATA_DIR', file, () => openSqliteEventStore({ filename: file }));
    }
    case 'postgres': {
      const url = requireUrl(config, 'GOPY_EVENT_STORE=postgres', 'DATABASE_URL');
      const { openPostgresEventStore } = await import('@gopy/adapters/eventStore/postgresEventStore');
      return opening('GOPY_EVENT_STORE=postgres', 'DATABASE_URL', redactUrl(url), () =>
        openPostgresEventStore({ connectionString: url, schema: 'gopy_events' }),
      );
    }
    case 'kurrentdb': {
      const url = requireUrl(config, 'GOPY_EVENT_STORE=kurrentdb', 'KURRENTDB_URL');
      // Loaded only when chosen, like the PostgreSQL adapter: the embedded runtime needs neither client.
      const { openKurrentDbEventStore } = await import('@gopy/adapters/eventStore/kurrentdb/kurrentDbEventStore');
      return opening('GOPY_EVENT_STORE=kurrentdb', 'KURRENTDB_URL', redactUrl(url), async () => {
        const store = openKurrentDbEventStore({ connectionString: url });
        try {
          await store.checkConnection();
        } catch (error) {
          // Ends the connection attempt, so that the process can exit with its configuration error.
          await store.close();
          throw error;
        }
        return store;
      });
    }
    default: {
      const never: never = config.eventStore;
      throw new ConfigError(`unknown event store ${String(never)}`);
    }
  }
}

/** The key store and the auth store follow the engine of the stores: PostgreSQL when DATABASE_URL serves one of them. */
export function secretsOnPostgres(config: Config): boolean {
  return config.readStore === 'postgres' || config.eventStore === 'postgres';
}

export async function openKeyStore(config: Config, masterKey: Buffer): Promise<KeyStore> {
  if (secretsOnPostgres(config)) {
    const url = requireUrl(config, 'the key store', 'DATABASE_URL');
    return opening('key store (schema gopy_keys)', 'DATABASE_URL', redactUrl(url), () =>
      PostgresKeyStore.open(url, masterKey),
    );
  }
  const file = dataFiles(config.dataDir).keys;
  return opening('key store', 'GOPY_DATA_DIR', file, () => new SqliteKeyStore(file, masterKey));
}

export async function openReadStore(config: Config, file?: string): Promise<{ db: ReadDb; close(): Promise<void> }> {
  if (config.readStore === 'postgres') {
    const url = requireUrl(config, 'GOPY_READ_STORE=postgres', 'DATABASE_URL');
    return opening('GOPY_READ_STORE=postgres', 'DATABASE_URL', redactUrl(url), async () => {
      const read = await openPostgresReadStore(url);
      await read.db.selectNoFrom((eb) => eb.val(1).as('ok')).execute();
      return read;
    });
  }
  const target = file ?? dataFiles(config.dataDir).read;
  return opening('GOPY_READ_STORE=sqlite', 'GOPY_DATA_DIR', target, () => openSqliteReadStore(target));
}

/** Builds the runtime for a process of the given role, on the stores the configuration names. */
export async function openRuntime(
  config: Config,
  options: {
    role?: ProcessRole;
    clock?: Clock;
    /** Plain lines instead of the structured logger (tests, tools). */
    log?: (msg: string) => void;
    logger?: Logger;
    readFile?: string;
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<Runtime> {
  const role = options.role ?? 'embedded';
  const logger: Logger =
    options.logger ?? (options.log ? lineLogger(options.log) : createLogger({ env: options.env ?? process.env, role }));
  const log = (msg: string) => logger.info(msg);
  const clock = options.clock ?? systemClock;
  const metrics = new Metrics();
  // What these say is a warning: a folder left readable, keys generated rather than configured.
  const warn = (msg: string) => logger.warn(msg);
  privateFolder(config.dataDir, warn);
  const secrets = loadSecrets(config, warn);
  // Every append of this process is timed and its conflicts counted, whichever command made it.
  const store = metrics.eventStore(await openEventStore(config));
  const keys = await openKeyStore(config, secrets.masterKey);
  const auth: AuthStore = secretsOnPostgres(config)
    ? await opening('auth store (schema gopy_auth)', 'DATABASE_URL', redactUrl(config.databaseUrl!), () =>
        PostgresAuthStore.open(config.databaseUrl!),
      )
    : new SqliteAuthStore(dataFiles(config.dataDir).auth);
  const read = await openReadStore(config, options.readFile);
  const mailer = metrics.mailer(createMailer(config.smtpUrl, config.dataDir, log));
  const writePath = new WritePath({ store, keys, clock });
  const commands = new CommandHandlers(writePath, clock);
  const accounts = new AccountService({
    commands,
    auth,
    hasher: argon2Hasher,
    mailer,
    clock,
    lookupKey: secrets.lookupKey,
    publicUrl: config.publicUrl,
  });
  const projector = new Projector({ store, db: read.db, keys, readModels: allReadModels });
  if (role === 'embedded') await projector.init();
  const consistency = role === 'api' ? checkpointConsistency(read.db, store) : inProcessConsistency(projector);
  const changes =
    role === 'api' ? await ChangeFeed.following(store, keys, consistency, logger) : ChangeFeed.fromProjector(projector);
  const scheduler = new DeadlineScheduler({
    db: read.db,
    commands,
    clock,
    projector,
    intervalMs: config.schedulerIntervalMs,
    logger,
    monitor: metrics,
  });
  const reports = new ReportCommands(writePath, clock);
  const surgeThresholds = {
    ...defaultSurgeThresholds,
    ...Object.fromEntries(Object.entries(config.surgeThresholds).filter(([, v]) => v !== undefined)),
  };
  const surgeDetector = new SurgeDetector({
    db: read.db,
    reports,
    clock,
    projector,
    intervalMs: config.surgeIntervalMs,
    thresholds: surgeThresholds,
    logger,
    monitor: metrics,
    onAlert: alertMailer({ db: read.db, writePath, mailer, publicUrl: config.publicUrl }),
  });
  const semesterReports = new SemesterReports({
    db: read.db,
    reports,
    now: () => clock.now(),
    deadlines: config.reportDeadlines,
  });
  const limits = loadLimits(options.env ?? process.env);
  const follows = new FollowCommands(writePath, () => clock.now());
  const notificationMails = new NotificationMailDigest({
    db: read.db,
    writePath,
    follows,
    mailer,
    clock,
    projector,
    publicUrl: config.publicUrl,
    intervalMs: limits.notifyMailIntervalMs,
    minAgeMs: limits.notifyMailDelayMs,
    logger,
    monitor: metrics,
  });
  const sealKey = loadSealKey(config, warn);
  const sealer = new Sealer({ writePath, store, privateKey: sealKey, clock, logger, monitor: metrics });
  const health = new Health({
    store,
    readDb: read.db,
    keys,
    auth,
    consistency,
    clock,
    logger,
    limits: config.readiness,
  });
  metrics.measureLagWith(() => health.lag());
  return {
    config,
    role,
    clock,
    store,
    keys,
    auth,
    readDb: read.db,
    mailer,
    writePath,
    commands,
    actions: new AvailableActions({ writePath, clock, readDb: read.db }),
    accounts,
    projector,
    scheduler,
    reports,
    surgeDetector,
    semesterReports,
    pupils: new PupilAccounts({ commands, accounts, clock }),
    limits,
    rateLimits: new RateLimits(limits),
    follows,
    notificationMails,
    sealer,
    auditPublicKeyPem: publicKeyPem(sealKey),
    consistency,
    changes,
    logger,
    log,
    metrics,
    health,
    async close() {
      await sealer.stop();
      await scheduler.stop();
      await surgeDetector.stop();
      await notificationMails.stop();
      await projector.stop();
      await changes.close();
      await read.close();
      await auth.close();
      await keys.close();
      await store.close();
    },
  };
}

/** The embedded runtime: SQLite for the log, the keys, the secrets and the read models, all under the data folder. */
export function openEmbeddedRuntime(
  config: Config,
  options: {
    clock?: Clock;
    log?: (msg: string) => void;
    logger?: Logger;
    readFile?: string;
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<Runtime> {
  return openRuntime(config, { ...options, role: 'embedded' });
}
