import { EventEmitter } from 'node:events';
import type { EventStore, Position, RecordedEvent, Subscription } from './eventStore';
import type { KeyStore } from './ports';
import type { ReadDb, ReadTx } from './readModels/database';
import { READ_MODEL_VERSION, type ReadModel } from './readModels/projection';
import { decodeRecorded, type ReadEvent } from './writePath';

export interface ProjectorOptions {
  name?: string;
  store: EventStore;
  db: ReadDb;
  keys: KeyStore;
  readModels: ReadModel[];
  batchSize?: number;
}

export interface AppliedBatch {
  events: ReadEvent[];
  position: Position;
}

/**
 * Subscribes to $all and runs every read model's evolve step, writing the rows and its checkpoint in one transaction
 * per batch, so a crash never applies an event twice nor skips one.
 */
export class Projector extends EventEmitter<{ applied: [AppliedBatch]; error: [Error] }> {
  readonly name: string;
  private readonly store: EventStore;
  private readonly db: ReadDb;
  private readonly keys: KeyStore;
  private readonly readModels: ReadModel[];
  private readonly batchSize: number;
  private subscription: Subscription | undefined;
  private loop: Promise<void> | undefined;
  private checkpoint: { position: Position | undefined; seq: number } = { position: undefined, seq: 0 };
  private caughtUp = false;

  constructor(options: ProjectorOptions) {
    super();
    this.name = options.name ?? 'main';
    this.store = options.store;
    this.db = options.db;
    this.keys = options.keys;
    this.readModels = options.readModels;
    this.batchSize = options.batchSize ?? 500;
  }

  /**
   * Creates the read-model tables and loads the checkpoint. When the read models' shape changed since this database
   * was built (READ_MODEL_VERSION), their tables are dropped and the checkpoint reset: the projector rebuilds them
   * from position 0, as `gopy rebuild` would.
   */
  async init(): Promise<void> {
    const createCheckpointTable = () =>
      this.db.schema
        .createTable('projector_checkpoint')
        .ifNotExists()
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('position', 'text')
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .execute();
    await createCheckpointTable();
    const existing = await this.db
      .selectFrom('projector_checkpoint')
      .selectAll()
      .where('name', '=', this.name)
      .executeTakeFirst();
    if (existing && Number(existing.version) !== READ_MODEL_VERSION) {
      for (const model of this.readModels)
        for (const table of model.tables) await this.db.schema.dropTable(table).ifExists().execute();
      await this.db.schema.dropTable('projector_checkpoint').execute();
      await createCheckpointTable();
    }
    for (const model of this.readModels) await model.createTables(this.db);
    const row = await this.db
      .selectFrom('projector_checkpoint')
      .selectAll()
      .where('name', '=', this.name)
      .executeTakeFirst();
    if (row) this.checkpoint = { position: (row.position ?? undefined) as Position | undefined, seq: Number(row.seq) };
    else {
      await this.db
        .insertInto('projector_checkpoint')
        .values({ name: this.name, position: null, seq: 0, version: READ_MODEL_VERSION })
        .execute();
      this.checkpoint = { position: undefined, seq: 0 };
    }
  }

  get position(): Position | undefined {
    return this.checkpoint.position;
  }

  get isCaughtUp(): boolean {
    return this.caughtUp;
  }

  /** Runs until stop(): catch-up from the checkpoint, then live. */
  start(): void {
    if (this.loop) return;
    this.subscription = this.store.subscribeAll(this.checkpoint.position ? { after: this.checkpoint.position } : {});
    this.loop = this.run(this.subscription).catch((err: unknown) => {
      this.emit('error', err instanceof Error ? err : new Error(String(err)));
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    await this.loop;
    this.loop = undefined;
    this.subscription = undefined;
  }

  /**
   * Resolves once the read models have applied everything up to `position` (read-your-writes), or with false after
   * `timeoutMs`. Waiters are kept in one list settled after each batch, not as one 'applied' listener each: a surge
   * of requests waiting at once must not pile listeners onto the emitter.
   */
  async waitFor(position: Position, timeoutMs = 5_000): Promise<boolean> {
    if (this.reached(position)) return true;
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        position,
        resolve,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          resolve(this.reached(position));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** How many callers are waiting in waitFor right now. */
  get waiting(): number {
    return this.waiters.size;
  }

  private readonly waiters = new Set<Waiter>();

  private reached(position: Position): boolean {
    return (
      this.checkpoint.position !== undefined && this.store.comparePositions(this.checkpoint.position, position) >= 0
    );
  }

  private settleWaiters(): void {
    for (const waiter of this.waiters) {
      if (!this.reached(waiter.position)) continue;
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
      waiter.resolve(true);
    }
  }

  private async run(subscription: Subscription): Promise<void> {
    const iterator = subscription[Symbol.asyncIterator]();
    let buffer: RecordedEvent[] = [];
    let lastPosition: Position | undefined;
    let pending = iterator.next();
    for (;;) {
      const result = await pending;
      if (result.done) break;
      const message = result.value;
      pending = iterator.next();
      if (message.kind === 'event') {
        buffer.push(message.event);
        lastPosition = message.event.position;
      } else if (message.kind === 'checkpoint') {
        lastPosition = message.position;
      } else {
        this.caughtUp = true;
      }
      // Flush when the batch is full or nothing more is ready right now: a surge is applied in large batches,
      // a trickle with low latency.
      const more =
        buffer.length < this.batchSize &&
        (await Promise.race([pending.then(() => true), immediate().then(() => false)]));
      if (more) continue;
      if (lastPosition && (buffer.length > 0 || lastPosition !== this.checkpoint.position)) {
        await this.applyBatch(buffer, lastPosition);
        buffer = [];
      }
    }
  }

  /** Applies events and moves the checkpoint in one transaction. Exposed for rebuilds. */
  async applyBatch(events: RecordedEvent[], position: Position): Promise<void> {
    const decoded: ReadEvent[] = [];
    for (const recorded of events) decoded.push(await decodeRecorded(this.keys, recorded));
    let seq = this.checkpoint.seq;
    await this.db.transaction().execute(async (tx: ReadTx) => {
      for (const [i, item] of decoded.entries()) {
        // The embedded read store answers synchronously, so a large batch would run as one chain of microtasks and
        // hold the event loop for its whole length (under a surge: seconds, with connections left waiting to be
        // accepted). Every few events the loop gets a turn; readers still wait for the connection until COMMIT.
        if (i > 0 && i % YIELD_EVERY_EVENTS === 0) await immediate();
        seq += 1;
        const ctx = {
          eventId: item.recorded.eventId,
          metadata: item.metadata,
          streamId: item.recorded.streamId,
          position: item.recorded.position,
          seq,
        };
        for (const model of this.readModels) await model.evolve(tx, item.event, ctx);
      }
      for (const model of this.readModels) await model.endBatch?.(tx);
      await tx.updateTable('projector_checkpoint').set({ position, seq }).where('name', '=', this.name).execute();
    });
    this.checkpoint = { position, seq };
    this.settleWaiters();
    this.emit('applied', { events: decoded, position });
  }

  /**
   * Replays the whole log into this projector's (fresh) database, page by page, without subscribing.
   * Returns the number of events applied.
   */
  async catchUpOnce(onProgress?: (applied: number) => void): Promise<number> {
    let batch: RecordedEvent[] = [];
    let applied = 0;
    for await (const event of this.store.readAll(this.checkpoint.position ? { after: this.checkpoint.position } : {})) {
      batch.push(event);
      if (batch.length >= this.batchSize) {
        await this.applyBatch(batch, event.position);
        applied += batch.length;
        batch = [];
        onProgress?.(applied);
      }
    }
    const last = batch.at(-1);
    if (last) {
      await this.applyBatch(batch, last.position);
      applied += batch.length;
      onProgress?.(applied);
    }
    return applied;
  }
}

/** Events applied between two turns given to the event loop inside a batch. */
const YIELD_EVERY_EVENTS = 32;

interface Waiter {
  position: Position;
  resolve(reached: boolean): void;
  timer: ReturnType<typeof setTimeout>;
}

function immediate(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
