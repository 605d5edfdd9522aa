import type { KeyObject } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { DomainEvent } from '@gopy/schemas';
import type { EventStore, Position } from '../eventStore';
import type { Clock } from '../ports';
import { runJob, type JobMonitor, type Logger } from '../logging';
import type { WritePath } from '../writePath';
import { CHECKPOINT_EVENT_TYPE, CHECKPOINT_STREAM, checkpointEventId, signCheckpoint } from './checkpoint';
import { StreamingMerkle } from './merkle';
import type { Witness } from './witness';
import { witnessNewestCheckpoint } from './witnessCapture';

export interface SealOutcome {
  /** False when nothing was appended since the newest checkpoint (or another sealer got there first). */
  sealed: boolean;
  count: number;
  merkleRoot: string;
  position: Position | undefined;
}

const checkpointAggregate = {
  initialState: { count: -1 },
  evolve: (state: { count: number }, event: DomainEvent) =>
    event.type === 'CheckpointSealed' ? { count: event.data.count } : state,
};

/**
 * Appends signed checkpoints to `audit-checkpoints`: the count of events in global order and the Merkle root of their
 * hashes, signed with Ed25519. It keeps the Merkle state between runs, so each run reads only what was appended since.
 * Two sealers racing are safe: the event id is derived from the count, and the loser finds the count already sealed.
 */
export class Sealer {
  private merkle = new StreamingMerkle();
  private after: Position | undefined;
  private lastEvent: { eventId: string; hash: string; type: string } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly options: {
      writePath: WritePath;
      store: EventStore;
      privateKey: KeyObject;
      clock: Clock;
      logger?: Logger;
      monitor?: JobMonitor;
    },
  ) {}

  async seal(): Promise<SealOutcome> {
    const { store, writePath, privateKey, clock } = this.options;
    for await (const e of store.readAll(this.after ? { after: this.after } : {})) {
      this.merkle.add(e.hash);
      this.after = e.position;
      this.lastEvent = { eventId: e.eventId, hash: e.hash, type: e.type };
    }
    const count = this.merkle.count;
    const merkleRoot = this.merkle.root();
    // Nothing new since the newest checkpoint (which is itself the last event): sealing again would only seal the seal.
    if (count === 0 || this.lastEvent?.type === CHECKPOINT_EVENT_TYPE)
      return { sealed: false, count, merkleRoot, position: undefined };
    const now = clock.now().toISOString();
    const outcome = await writePath.execute(
      CHECKPOINT_STREAM,
      checkpointAggregate,
      null,
      async (_command, state, loaded) => {
        const context = {
          actor: { accountId: null, role: 'system' as const, organizationId: null },
          occurredAt: now,
          correlationId: uuidv7(),
          causationId: null,
        };
        if (state.count >= count) return { events: [], context };
        const data = signCheckpoint(privateKey, {
          count,
          merkleRoot,
          lastEventId: this.lastEvent?.eventId ?? null,
          lastHash: this.lastEvent?.hash ?? null,
          previousCheckpointHash: loaded.revision === 'no_stream' ? null : loaded.lastHash,
        });
        return { events: [{ type: 'CheckpointSealed', data } as DomainEvent], context };
      },
      { eventIds: () => checkpointEventId(count) },
    );
    if (outcome.appended > 0) this.options.logger?.info({ count, merkleRoot }, 'sealed a checkpoint');
    return { sealed: outcome.appended > 0, count, merkleRoot, position: outcome.position };
  }

  /** A signed witness of the newest checkpoint, for an auditor to keep outside the server (witnessCapture.ts). */
  witness(): Promise<Witness> {
    const { store, privateKey, clock } = this.options;
    return witnessNewestCheckpoint(() => store.readAll(), privateKey, clock.now());
  }

  /** Seals every `intervalMs` until stopped; a failure is logged and retried at the next tick. */
  start(intervalMs: number): void {
    if (this.timer) return;
    const tick = () => {
      this.running = runJob('sealer', this.options, () => this.seal()).finally(() => {
        if (this.timer) {
          this.timer = setTimeout(tick, intervalMs);
          this.timer.unref?.();
        }
      });
    };
    this.timer = setTimeout(tick, intervalMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
