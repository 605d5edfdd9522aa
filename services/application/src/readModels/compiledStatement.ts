import type { CompiledQuery, QueryExecutorProvider, QueryResult } from 'kysely';
import type { ReadDb } from './database';

/** What a builder returns: a Kysely query builder or a `sql` template. */
interface Compiles<R> {
  compile(executorProvider: QueryExecutorProvider): CompiledQuery<R>;
}

/** Where each parameter of the compiled SQL comes from: a named parameter of the call, or a constant of the builder. */
type Slot<P> = { name: keyof P & string } | { value: unknown };

interface Compiled<P, R> {
  query: CompiledQuery<R>;
  slots: Slot<P>[];
}

const STAND_IN = '\u0000gopy-parameter:';

/**
 * A statement whose Kysely query tree is built and compiled once per engine, then run with new parameters. The
 * projector runs the same few statements for every event; building and compiling their trees cost it more than
 * SQLite spends running them.
 *
 * `build` reads the parameters by name (`p.commentId`) and puts them where the values go. It receives stand-ins, and
 * each parameter of the compiled SQL is mapped back by name, so the order of the SQL's parameters is Kysely's business,
 * as it is for any query. The first run refuses a statement in which a stand-in did not end up as a parameter (an
 * identifier, `sql.lit`) or a value it was given has no place. `undefined` runs as null, as an insert that left the
 * column out would store it (the read models' columns have no defaults).
 *
 * With a plugin on the executor (which may rewrite each query), every run is built and compiled as Kysely would.
 */
export function compiledStatement<P extends object, R = unknown>(
  build: (db: ReadDb, p: P) => Compiles<R>,
): (db: ReadDb, params: P) => Promise<QueryResult<R>> {
  // Keyed by the Kysely instance's adapter, shared by its transactions: one compiled statement per engine.
  const byAdapter = new WeakMap<object, Compiled<P, R>>();
  return async (db, params) => {
    const executor = db.getExecutor();
    if (executor.plugins.length > 0) return db.executeQuery(build(db, params).compile(db));
    let compiled = byAdapter.get(executor.adapter);
    if (!compiled) {
      compiled = compile(db, build, params);
      byAdapter.set(executor.adapter, compiled);
    }
    const values = params as Record<string, unknown>;
    const parameters = compiled.slots.map((s) => ('name' in s ? (values[s.name] ?? null) : s.value));
    return db.executeQuery({ ...compiled.query, parameters });
  };
}

function compile<P extends object, R>(db: ReadDb, build: (db: ReadDb, p: P) => Compiles<R>, first: P): Compiled<P, R> {
  const read = new Set<string>();
  const standIns = new Proxy(
    {},
    {
      get(_target, key) {
        if (typeof key !== 'string') return undefined;
        read.add(key);
        return `${STAND_IN}${key}`;
      },
    },
  ) as P;
  const query = build(db, standIns).compile(db);
  const slots: Slot<P>[] = query.parameters.map((v) =>
    typeof v === 'string' && v.startsWith(STAND_IN)
      ? { name: v.slice(STAND_IN.length) as keyof P & string }
      : { value: v },
  );
  const bound = new Set(slots.flatMap((s) => ('name' in s ? [s.name] : [])));
  const unbound = [...read].filter((name) => !bound.has(name as keyof P & string));
  if (unbound.length > 0 || query.sql.includes(STAND_IN))
    throw new Error(`compiledStatement: ${unbound.join(', ') || 'a parameter'} is not a parameter of: ${query.sql}`);
  const unused = Object.keys(first).filter((name) => !read.has(name));
  if (unused.length > 0) throw new Error(`compiledStatement: ${unused.join(', ')} given but not used by: ${query.sql}`);
  return { query, slots };
}
