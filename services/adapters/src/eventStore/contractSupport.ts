/**
 * What the contract suite shares with its worker threads. Kept apart from contract.ts because a worker must not load
 * vitest.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { EventToAppend, ExpectedRevision } from '@gopy/application/eventStore';

/** How a worker thread opens another connection to the store under test: `await (await import(module))[exportName](args)`. */
export interface WorkerOpener {
  /** A file URL (or bare specifier) importable from a worker thread; TypeScript is fine. */
  module: string;
  exportName: string;
  /** Must survive structured cloning. */
  args: unknown;
}

export type WorkerTask =
  /** Appends one event at a time to one shared stream until it reaches `revisions` events, each append expecting the
   *  revision last seen; a conflict teaches the writer the actual revision. */
  | { kind: 'race'; streamId: string; revisions: number }
  /** Appends to each of its own streams concurrently, each stream with exact expected revisions. */
  | { kind: 'distinct'; streamIds: string[]; appendsPerStream: number; eventsPerAppend: number };

export interface WorkerInput {
  opener: WorkerOpener;
  task: WorkerTask;
  /** One Int32 counter: every worker waits there until all have opened their store, so they start together. */
  barrier: SharedArrayBuffer;
  parties: number;
}

export type RaceAttempt =
  | { revision: number; eventId: string; ok: true; nextRevision: number; position: string }
  | { revision: number; eventId: string; ok: false; errorName: string; message: string; actual?: number | 'no_stream' };

export interface DistinctAppend {
  streamId: string;
  eventIds: string[];
  nextRevision: number;
  position: string;
}

export type WorkerReport = { kind: 'race'; attempts: RaceAttempt[] } | { kind: 'distinct'; appends: DistinctAppend[] };

export type WorkerMessage = { ok: true; report: WorkerReport } | { ok: false; error: string };

/** An event whose id is a fresh UUID (some engines accept nothing else) and whose hash looks like a real one. */
export function makeEvent(
  type = 'Tested',
  data: string = JSON.stringify({ n: Math.random() }),
  metadata = '{}',
): EventToAppend {
  return {
    eventId: randomUUID(),
    type,
    data,
    metadata,
    hash: createHash('sha256').update(data).update(metadata).digest('hex'),
  };
}

export function expectedBefore(revision: number): ExpectedRevision {
  return revision === 0 ? 'no_stream' : revision - 1;
}
