/**
 * How the shared event store contract (../contract.ts) runs on KurrentDB: against the server named by KURRENTDB_URL
 * when it is set, otherwise against a gRPC test double the test file starts (tests/kurrentdb-double, a fresh one per
 * test): the test hands it in, so that no adapter module imports anything under tests/.
 *
 * On a real server every test gets a fresh store by way of a namespace (a unique stream-name prefix); the streams are
 * left on the server. Test-only module: it is imported by eventStore.int.test.ts and kurrentdb.int.test.ts.
 */
import { randomUUID } from 'node:crypto';
import type { EventStoreContractOptions, EventStoreFactory } from '../contract';
import {
  openKurrentDbEventStore,
  parseKurrentDbPosition,
  type KurrentDbEventStoreOptions,
} from './kurrentDbEventStore';

/**
 * Two events per read request, so that every paging case crosses many page boundaries. Two also because KurrentDB's
 * checkpoints are counted in events: the contract asks for checkpoints every `pageSize` events (and, in the catch-up
 * boundary case, every `pageSize / 2`) and then waits for one after appending two events.
 */
export const KURRENTDB_CONTRACT_PAGE_SIZE = 2;

export const kurrentDbContractOptions: EventStoreContractOptions = {
  pageSize: KURRENTDB_CONTRACT_PAGE_SIZE,
  // Native (commit, prepare) positions have gaps (they are log offsets): only the encoding is checked here, the
  // order by the contract.
  checkPositions: (positions) => {
    for (const position of positions) parseKurrentDbPosition(position);
  },
};

export function kurrentDbContractName(): string {
  return process.env.KURRENTDB_URL ? 'KurrentDB' : 'KurrentDB (gRPC test double)';
}

/** A running KurrentDB stand-in, as tests/kurrentdb-double gives one. */
export interface KurrentDbDouble {
  readonly connectionString: string;
  stop(): Promise<void>;
}

/** The contract's store factory: KURRENTDB_URL when set, else a fresh double from `startDouble` per test. */
export const kurrentDbFactory =
  (startDouble: () => Promise<KurrentDbDouble>): EventStoreFactory =>
  async () => {
    const url = process.env.KURRENTDB_URL;
    const double = url ? undefined : await startDouble();
    const options: KurrentDbEventStoreOptions = {
      connectionString: url ?? double!.connectionString,
      // A fresh double is an empty store; a shared server is made to look like one.
      ...(url ? { namespace: `gopy-contract-${randomUUID().slice(0, 8)}-` } : {}),
      pageSize: KURRENTDB_CONTRACT_PAGE_SIZE,
      reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
    };
    return {
      store: openKurrentDbEventStore(options),
      openSibling: () => openKurrentDbEventStore(options),
      worker: {
        module: new URL('./kurrentDbEventStore.ts', import.meta.url).href,
        exportName: 'openKurrentDbEventStore',
        args: options,
      },
      dispose: async () => {
        await double?.stop();
      },
    };
  };
