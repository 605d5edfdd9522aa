/**
 * Body of the worker threads of the contract's concurrency cases. Each worker opens its own connection to the store
 * under test, as another process would (better-sqlite3 is synchronous, so two connections in one thread never race).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { WrongExpectedRevisionError, type EventStore } from '@gopy/application/eventStore';
import {
  expectedBefore,
  makeEvent,
  type DistinctAppend,
  type RaceAttempt,
  type WorkerInput,
  type WorkerMessage,
  type WorkerReport,
} from './contractSupport';

const input = (workerData as { input: WorkerInput }).input;

async function main(): Promise<WorkerReport> {
  const mod = (await import(input.opener.module)) as Record<
    string,
    (args: unknown) => EventStore | Promise<EventStore>
  >;
  const open = mod[input.opener.exportName];
  if (typeof open !== 'function') throw new Error(`${input.opener.module} does not export ${input.opener.exportName}`);
  const store = await open(input.opener.args);
  try {
    awaitBarrier();
    const { task } = input;
    if (task.kind === 'race') {
      // As the write path does: append at the revision believed current; on a conflict, adopt the actual revision
      // and try the next one. Every writer thus keeps contending for the head instead of trailing behind it.
      const attempts: RaceAttempt[] = [];
      let known = -1;
      while (known < task.revisions - 1) {
        const revision = known + 1;
        const event = makeEvent('Raced');
        try {
          const result = await store.append(task.streamId, [event], expectedBefore(revision));
          attempts.push({
            revision,
            eventId: event.eventId,
            ok: true,
            nextRevision: result.nextRevision,
            position: result.position,
          });
          known = result.nextRevision;
        } catch (error) {
          const err = error instanceof Error ? error : new Error(String(error));
          const actual = error instanceof WrongExpectedRevisionError ? error.actual : undefined;
          attempts.push({
            revision,
            eventId: event.eventId,
            ok: false,
            errorName: err.name,
            message: err.message,
            ...(actual === undefined ? {} : { actual }),
          });
          if (typeof actual !== 'number') throw error;
          known = actual;
        }
      }
      return { kind: 'race', attempts };
    }
    const appends: DistinctAppend[] = [];
    await Promise.all(
      task.streamIds.map(async (streamId) => {
        for (let i = 0; i < task.appendsPerStream; i++) {
          const events = Array.from({ length: task.eventsPerAppend }, () => makeEvent('Spread'));
          const result = await store.append(streamId, events, expectedBefore(i * task.eventsPerAppend));
          appends.push({
            streamId,
            eventIds: events.map((e) => e.eventId),
            nextRevision: result.nextRevision,
            position: result.position,
          });
        }
      }),
    );
    return { kind: 'distinct', appends };
  } finally {
    await store.close();
  }
}

function awaitBarrier(): void {
  const counter = new Int32Array(input.barrier);
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const arrived = Atomics.load(counter, 0);
    if (arrived >= input.parties) return;
    // A worker that failed to open never arrives; give up rather than hang the suite.
    if (Date.now() > deadline) throw new Error('Timed out waiting for the other workers to open the store');
    Atomics.wait(counter, 0, arrived, 1_000);
  }
}

main().then(
  (report) => parentPort?.postMessage({ ok: true, report } satisfies WorkerMessage),
  (error: unknown) =>
    parentPort?.postMessage({
      ok: false,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    } satisfies WorkerMessage),
);
