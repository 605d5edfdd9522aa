import fs from 'node:fs';
import pg from 'pg';
import { Projector } from '@gopy/application/projector';
import { allReadModels, type ReadDb } from '@gopy/application/readModels/index';
import { openPostgresReadStore } from '@gopy/adapters/readStore/postgresReadStore';
import { openSqliteReadStore } from '@gopy/adapters/readStore/sqliteReadStore';
import type { Config } from '@gopy/composition/config';
import { createLogger } from '@gopy/composition/ops/logger';
import { dataFiles, openEventStore, openKeyStore } from '@gopy/composition/runtime';
import { loadSecrets } from '@gopy/composition/secrets';

/**
 * A fresh read-model database beside the live one: a new SQLite file, or the PostgreSQL schema gopy_read_rebuild.
 * swapIn() replaces the live one with it once the rebuild is complete, so readers never see a half-built model.
 */
async function freshReadStore(
  config: Config,
): Promise<{ db: ReadDb; swapIn(): Promise<void>; discard(): Promise<void> }> {
  if (config.readStore === 'postgres') {
    const url = config.databaseUrl!;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query('DROP SCHEMA IF EXISTS gopy_read_rebuild CASCADE');
    await admin.end();
    const read = await openPostgresReadStore(url, 'gopy_read_rebuild');
    return {
      db: read.db,
      async discard() {
        await read.close();
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query('DROP SCHEMA IF EXISTS gopy_read_rebuild CASCADE').finally(() => c.end());
      },
      async swapIn() {
        await read.close();
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          await c.query('BEGIN');
          await c.query('DROP SCHEMA IF EXISTS gopy_read CASCADE');
          await c.query('ALTER SCHEMA gopy_read_rebuild RENAME TO gopy_read');
          await c.query('COMMIT');
        } finally {
          await c.end();
        }
      },
    };
  }
  const live = dataFiles(config.dataDir).read;
  const fresh = `${live}.rebuild`;
  for (const f of [fresh, `${fresh}-wal`, `${fresh}-shm`]) fs.rmSync(f, { force: true });
  const read = openSqliteReadStore(fresh);
  return {
    db: read.db,
    async discard() {
      await read.close();
      for (const f of [fresh, `${fresh}-wal`, `${fresh}-shm`]) fs.rmSync(f, { force: true });
    },
    async swapIn() {
      await read.close();
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${live}${suffix}`, { force: true });
      fs.renameSync(fresh, live);
    },
  };
}

export interface RebuildOutcome {
  applied: number;
  head: string | null;
  seconds: number;
  /** With verify: whether every table of the rebuild equals the live one. */
  equal?: boolean;
}

/**
 * `gopy rebuild` (and `gopy backup verify` on a restored copy): every read model rebuilt from position 0 into a fresh
 * database, then swapped in; with `verify`, the replay proof instead: the rebuild is compared table by table with
 * the live read models and thrown away.
 */
export async function rebuildReadModels(
  config: Config,
  options: { verify: boolean; progress: boolean },
): Promise<RebuildOutcome> {
  const logger = createLogger({ role: 'cli', fd: 2 });
  const secrets = loadSecrets(config, (m) => logger.warn(m));
  const store = await openEventStore(config);
  const keys = await openKeyStore(config, secrets.masterKey);
  try {
    const target = await freshReadStore(config);
    const projector = new Projector({ store, db: target.db, keys, readModels: allReadModels, batchSize: 1_000 });
    await projector.init();
    const head = (await store.headPosition()) ?? null;
    const started = Date.now();
    let applied: number;
    if (options.progress) {
      let total = 0;
      for await (const _ of store.readAll()) total += 1;
      // Imported here, not at start: only the commands with a progress bar need it.
      const { SingleBar, Presets } = await import('cli-progress');
      const bar = new SingleBar(
        { format: 'rebuild [{bar}] {percentage}% | {value}/{total} events | {eps} events/s' },
        Presets.shades_classic,
      );
      bar.start(total, 0, { eps: 0 });
      applied = await projector.catchUpOnce((n) =>
        bar.update(n, { eps: Math.round(n / Math.max(0.001, (Date.now() - started) / 1000)) }),
      );
      bar.stop();
    } else {
      applied = await projector.catchUpOnce();
    }
    const seconds = (Date.now() - started) / 1000;
    if (options.verify) {
      const { verifyRebuild } = await import('./auditCli');
      const equal = await verifyRebuild(config, target.db, { applied, head, seconds });
      await target.discard();
      return { applied, head, seconds, equal };
    }
    await target.swapIn();
    console.log(
      `Rebuilt ${applied} events up to position ${head ?? 'none'} in ${seconds.toFixed(1)} s (${Math.round(applied / Math.max(seconds, 0.001))} events/s).`,
    );
    return { applied, head, seconds };
  } finally {
    await keys.close();
    await store.close();
  }
}
