import type { DomainEvent, EventMetadata } from '@gopy/schemas';
import type { ReadDb, ReadTx } from './database';

/** What a projection sees of each event besides its data. */
export interface ProjectionContext {
  /** The event's own id (UUIDv7): kept by store copies, so what is derived from it survives a move to another store. */
  eventId: string;
  metadata: EventMetadata;
  streamId: string;
  position: string;
  /** The projector's running count of applied events: a dense, engine-independent order for keyset paging. */
  seq: number;
}

/**
 * Raise when any read model's tables change shape, or what a projection keeps from the same events changes (12: a
 * reply to another policy's comment is no longer attached to it; 13: lifecycle_events, the public steps of each
 * policy): every database built before is then rebuilt from position 0.
 */
export const READ_MODEL_VERSION = 16;

/** One read model: its tables and its evolve step. The projector knows nothing more of it. */
export interface ReadModel {
  name: string;
  /** Its tables, dropped when READ_MODEL_VERSION changes. */
  tables: readonly string[];
  createTables(db: ReadDb): Promise<void>;
  evolve(tx: ReadTx, event: DomainEvent, ctx: ProjectionContext): Promise<void>;
  /**
   * Called once per batch, after every event of the batch went through evolve, in the same transaction: for writes
   * gathered over the batch (counters), so a surge costs one statement per counter instead of one per event.
   */
  endBatch?(tx: ReadTx): Promise<void>;
}

/** Rows per statement when an endBatch writes gathered counters: SQLite allows 32,766 parameters, PostgreSQL 65,535. */
export const COUNTER_ROWS_PER_STATEMENT = 500;

/**
 * Counter increments gathered over a projector batch (keyed by its transaction) and written by the model's
 * endBatch: what is gathered is never read back within the batch, only added.
 */
export class BatchCounters<K> {
  private readonly pending = new WeakMap<object, Map<string, { key: K; delta: number }>>();

  add(tx: ReadTx, id: string, key: K, delta: number): void {
    let batch = this.pending.get(tx);
    if (!batch) {
      batch = new Map();
      this.pending.set(tx, batch);
    }
    const entry = batch.get(id);
    if (entry) entry.delta += delta;
    else batch.set(id, { key, delta });
  }

  /** The increments gathered in this transaction (those that add up to zero left out), forgetting them. */
  take(tx: ReadTx): { key: K; delta: number }[] {
    return this.takeAll(tx).filter((e) => e.delta !== 0);
  }

  /** Every counter touched in this transaction, those that add up to zero included, forgetting them. */
  takeAll(tx: ReadTx): { key: K; delta: number }[] {
    const batch = this.pending.get(tx);
    this.pending.delete(tx);
    return batch ? [...batch.values()] : [];
  }
}
