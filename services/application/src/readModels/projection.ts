import type { DomainEvent, EventMetadata } from '@gopy/schemas';
import type { ReadDb, ReadTx } from './database';

/** What a projection sees of each event besides its data. */
export interface ProjectionContext {
  metadata: EventMetadata;
  streamId: string;
  position: string;
  /** The projector's running count of applied events: a dense, engine-independent order for keyset paging. */
  seq: number;
}

/** Raise when any read model's tables change shape: every database built before is then rebuilt from position 0. */
export const READ_MODEL_VERSION = 8;

/** One read model: its tables and its evolve step. The projector knows nothing more of it. */
export interface ReadModel {
  name: string;
  /** Its tables, dropped when READ_MODEL_VERSION changes. */
  tables: readonly string[];
  createTables(db: ReadDb): Promise<void>;
  evolve(tx: ReadTx, event: DomainEvent, ctx: ProjectionContext): Promise<void>;
}
