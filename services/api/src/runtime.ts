import fs from 'node:fs';
import path from 'node:path';
import { AccountService } from '@gopy/application/accounts';
import { CommandHandlers } from '@gopy/application/commands';
import type { EventStore } from '@gopy/application/eventStore';
import type { AuthStore, Clock, KeyStore, Mailer } from '@gopy/application/ports';
import { Projector } from '@gopy/application/projector';
import { allReadModels, type ReadDb } from '@gopy/application/readModels/index';
import { DeadlineScheduler } from '@gopy/application/scheduler';
import { WritePath } from '@gopy/application/writePath';
import { SqliteAuthStore } from '@gopy/adapters/authStore/sqliteAuthStore';
import { openSqliteEventStore } from '@gopy/adapters/eventStore/sqliteEventStore';
import { SqliteKeyStore } from '@gopy/adapters/keyStore/sqliteKeyStore';
import { openSqliteReadStore } from '@gopy/adapters/readStore/sqliteReadStore';
import type { Config } from './config';
import { createMailer } from './mailer';
import { argon2Hasher } from './passwords';
import { loadSecrets } from './secrets';

/** Everything a request or a command-line call needs, built once by the composition root. */
export interface Runtime {
  config: Config;
  clock: Clock;
  store: EventStore;
  keys: KeyStore;
  auth: AuthStore;
  readDb: ReadDb;
  mailer: Mailer;
  writePath: WritePath;
  commands: CommandHandlers;
  accounts: AccountService;
  projector: Projector;
  scheduler: DeadlineScheduler;
  log: (msg: string) => void;
  close(): Promise<void>;
}

export const systemClock: Clock = { now: () => new Date() };

export const dataFiles = (dataDir: string) => ({
  events: path.join(dataDir, 'events.sqlite'),
  keys: path.join(dataDir, 'keys.sqlite'),
  auth: path.join(dataDir, 'auth.sqlite'),
  read: path.join(dataDir, 'read.sqlite'),
});

/** The embedded runtime: SQLite for the log, the keys, the secrets and the read models, all under the data folder. */
export async function openEmbeddedRuntime(
  config: Config,
  options: { clock?: Clock; log?: (msg: string) => void; readFile?: string } = {},
): Promise<Runtime> {
  const log = options.log ?? ((msg: string) => console.log(`[gopy] ${msg}`));
  const clock = options.clock ?? systemClock;
  fs.mkdirSync(config.dataDir, { recursive: true });
  const files = dataFiles(config.dataDir);
  const secrets = loadSecrets(config, log);
  const store = openSqliteEventStore({ filename: files.events });
  const keys = new SqliteKeyStore(files.keys, secrets.masterKey);
  const auth = new SqliteAuthStore(files.auth);
  const read = openSqliteReadStore(options.readFile ?? files.read);
  const mailer = createMailer(config.smtpUrl, config.dataDir, log);
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
  await projector.init();
  const scheduler = new DeadlineScheduler({ db: read.db, commands, clock, projector, intervalMs: config.schedulerIntervalMs, log });
  return {
    config,
    clock,
    store,
    keys,
    auth,
    readDb: read.db,
    mailer,
    writePath,
    commands,
    accounts,
    projector,
    scheduler,
    log,
    async close() {
      await scheduler.stop();
      await projector.stop();
      await read.close();
      await auth.close();
      await keys.close();
      await store.close();
    },
  };
}
