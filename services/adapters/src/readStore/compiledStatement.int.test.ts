import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledStatement } from '@gopy/application/readModels/compiledStatement';
import type { ReadDb } from '@gopy/application/readModels/index';
import { createThrowawayDatabase } from '../postgres/throwawayDatabase';
import { openPostgresReadStore } from './postgresReadStore';
import { openSqliteReadStore } from './sqliteReadStore';

interface Probe {
  id: string;
  a: string;
  b: number;
  c: string | null;
  fixed: string;
}
type ProbeDb = { probes: Probe };
const probes = (db: ReadDb) => db.withTables<ProbeDb>();

// The builder names the values in another order than the columns, the type and the calls: only a mapping by name
// puts each value in its column.
const insertProbe = compiledStatement((db, p: Omit<Probe, 'fixed'>) =>
  probes(db).insertInto('probes').values({ c: p.c, fixed: 'constant', b: p.b, id: p.id, a: p.a }),
);
const addToB = compiledStatement((db, p: { id: string; a: string; b: number }) =>
  probes(db)
    .insertInto('probes')
    .values({ id: p.id, a: p.a, b: p.b, c: null, fixed: 'upserted' })
    .onConflict((oc) => oc.column('id').doUpdateSet({ b: sql`probes.b + ${p.b}`, a: p.a })),
);
const probesWhere = compiledStatement((db, p: { b: number; a: string }) =>
  probes(db).selectFrom('probes').select(['id', 'b']).where('a', '=', p.a).where('b', '>=', p.b).orderBy('id'),
);
const deleteRaw = compiledStatement((db, p: { id: string }) => sql`DELETE FROM probes WHERE id = ${p.id}`);

const engines: [string, () => Promise<{ db: ReadDb; close(): Promise<void> }>][] = [
  [
    'SQLite',
    async () => openSqliteReadStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-compiled-')), 'read.sqlite')),
  ],
  [
    'PostgreSQL',
    async () => {
      const database = await createThrowawayDatabase('gopy_compiled');
      const store = await openPostgresReadStore(database.url, 'gopy_compiled');
      return {
        db: store.db,
        close: async () => {
          await store.close();
          await database.drop();
        },
      };
    },
  ],
];

// Both engines stay open side by side: a statement compiled for one must never run on the other.
describe.each(engines)('compiledStatement on %s', (_name, open) => {
  let store: { db: ReadDb; close(): Promise<void> };
  beforeAll(async () => {
    store = await open();
    await probes(store.db)
      .schema.createTable('probes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('a', 'text', (c) => c.notNull())
      .addColumn('b', 'integer', (c) => c.notNull())
      .addColumn('c', 'text')
      .addColumn('fixed', 'text', (c) => c.notNull())
      .execute();
  });
  afterAll(async () => {
    await store?.close();
  });

  const rows = async () =>
    (await probes(store.db).selectFrom('probes').selectAll().orderBy('id').execute()).map((r) => ({
      ...r,
      b: Number(r.b),
    }));

  it('puts each named value in its place, run after run, in and out of transactions', async () => {
    await insertProbe(store.db, { id: 'p1', a: 'alpha', b: 11, c: 'gamma' });
    await store.db.transaction().execute(async (tx) => {
      await insertProbe(tx, { a: 'beta', c: null, id: 'p2', b: 22 });
      await insertProbe(tx, { b: 33, c: 'delta', a: 'alpha', id: 'p3' });
    });
    expect(await rows()).toEqual([
      { id: 'p1', a: 'alpha', b: 11, c: 'gamma', fixed: 'constant' },
      { id: 'p2', a: 'beta', b: 22, c: null, fixed: 'constant' },
      { id: 'p3', a: 'alpha', b: 33, c: 'delta', fixed: 'constant' },
    ]);
  });

  it('reads with named values in where clauses', async () => {
    const found = await probesWhere(store.db, { a: 'alpha', b: 20 });
    expect(found.rows.map((r) => [r.id, Number(r.b)])).toEqual([['p3', 33]]);
    expect((await probesWhere(store.db, { b: 0, a: 'alpha' })).rows.map((r) => r.id)).toEqual(['p1', 'p3']);
  });

  it('uses one value in two places, and counts the rows it changed', async () => {
    const inserted = await addToB(store.db, { id: 'p4', a: 'new', b: 5 });
    const updated = await addToB(store.db, { id: 'p1', a: 'again', b: 100 });
    expect(Number(inserted.numAffectedRows)).toBe(1);
    expect(Number(updated.numAffectedRows)).toBe(1);
    const all = await rows();
    expect(all.find((r) => r.id === 'p1')).toEqual({ id: 'p1', a: 'again', b: 111, c: 'gamma', fixed: 'constant' });
    expect(all.find((r) => r.id === 'p4')).toEqual({ id: 'p4', a: 'new', b: 5, c: null, fixed: 'upserted' });
  });

  it('runs sql templates, and undefined as null', async () => {
    await deleteRaw(store.db, { id: 'p4' });
    await insertProbe(store.db, { id: 'p5', a: 'e', b: 5, c: undefined as unknown as null });
    const all = await rows();
    expect(all.map((r) => r.id)).toEqual(['p1', 'p2', 'p3', 'p5']);
    expect(all.find((r) => r.id === 'p5')?.c).toBeNull();
  });

  it('refuses a name that is not a parameter, and a value that has no place', async () => {
    const asIdentifier = compiledStatement((db, p: { column: string }) =>
      probes(db).selectFrom('probes').select(sql.ref<string>(p.column).as('x')),
    );
    await expect(asIdentifier(store.db, { column: 'a' })).rejects.toThrow(/column is not a parameter/);
    const asLiteral = compiledStatement((db, p: { id: string }) => sql`SELECT ${sql.lit(p.id)} AS x`);
    await expect(asLiteral(store.db, { id: 'p1' })).rejects.toThrow(/is not a parameter/);
    const unused = compiledStatement((db, p: { id: string; extra: string }) =>
      probes(db).selectFrom('probes').select('id').where('id', '=', p.id),
    );
    await expect(unused(store.db, { id: 'p1', extra: 'x' })).rejects.toThrow(/extra given but not used/);
  });

  it('builds every run afresh when a plugin is on the executor', async () => {
    const seen: string[] = [];
    const plugin: KyselyPlugin = {
      transformQuery: (args) => {
        seen.push(args.queryId.queryId);
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const withPlugin = store.db.withPlugin(plugin);
    await insertProbe(withPlugin, { id: 'p6', a: 'f', b: 6, c: null });
    await insertProbe(withPlugin, { id: 'p7', a: 'g', b: 7, c: 'h' });
    expect(seen).toHaveLength(2);
    expect((await rows()).filter((r) => r.id >= 'p6')).toEqual([
      { id: 'p6', a: 'f', b: 6, c: null, fixed: 'constant' },
      { id: 'p7', a: 'g', b: 7, c: 'h', fixed: 'constant' },
    ]);
  });
});
