/**
 * Crash: the server gets SIGKILL in the middle of a comment load. On restart (same data folder) every comment that got
 * a success response is there, retries with the same idempotency keys create no duplicates, and the projector resumes
 * from its checkpoint (no event applied twice or skipped) with read models equal to a rebuild from position 0.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { dataFiles } from '@gopy/composition/runtime';
import { startPlatform, type Platform } from '../support/platform';
import {
  FULL,
  SERVER_ENV,
  commentEventsPerStream,
  commentInput,
  differences,
  eventHead,
  prepareDataDir,
  projectorCheckpoint,
  readModelCommentIds,
  rebuildAndDump,
  say,
  submitComment,
  succeeded,
  timed,
  within,
  type Outcome,
} from './support';

const PARTICIPANTS = FULL ? 2_000 : 300;
const CLIENTS = FULL ? 64 : 16;
/** Acknowledged comments to wait for before the kill, so it lands in the middle of the load. */
const ACKS_BEFORE_KILL = FULL ? 3_000 : 150;
/** Deadlines of the waits (each fails naming what it waited for): generous, the machine is shared. */
const ACKS_WITHIN_MS = FULL ? 600_000 : 180_000;
const CLIENTS_STOP_WITHIN_MS = 90_000;
const RETRIES_WITHIN_MS = FULL ? 900_000 : 300_000;
const REBUILD_WITHIN_MS = FULL ? 900_000 : 300_000;

interface Attempt {
  n: number;
  participant: number;
  key: string;
  first: Outcome;
}

describe(`crash: SIGKILL under a load of ${CLIENTS} clients`, () => {
  let platform: Platform | undefined;
  let dataDir: string | undefined;
  let passed = false;

  afterAll(async () => {
    await platform?.stop();
    // The data folder stays for a look when the test failed.
    if (dataDir && passed) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged comment, dedupes retries, and resumes projecting from the checkpoint', async () => {
    const prepared = await timed(`prepare ${PARTICIPANTS} accounts with sessions`, () =>
      within(REBUILD_WITHIN_MS, `a data folder with ${PARTICIPANTS} accounts`, prepareDataDir(PARTICIPANTS)),
    );
    dataDir = prepared.dataDir;
    const world = prepared.world;
    platform = await timed('start the server', () => startPlatform({ demo: false, dataDir, env: SERVER_ENV }));
    const first = platform;

    const attempts: Attempt[] = [];
    let next = 0;
    let acks = 0;
    let killed = false;
    let enoughAcks!: () => void;
    const reachedAcks = new Promise<void>((resolve) => (enoughAcks = resolve));
    const started = performance.now();
    // Each client submits new comments back to back until the server is gone.
    const clients = Array.from({ length: CLIENTS }, async () => {
      for (;;) {
        const n = next++;
        const participant = n % PARTICIPANTS;
        const key = `crash-${n}`;
        const outcome = await submitComment(
          first.baseUrl,
          world.participants[participant]!.token,
          commentInput(world.policyId, key, n),
        );
        attempts.push({ n, participant, key, first: outcome });
        if (succeeded(outcome) && ++acks === ACKS_BEFORE_KILL) enoughAcks();
        if (outcome.status === 0 || killed) return;
      }
    });
    const clientsDone = Promise.all(clients);
    const progress = () =>
      `${acks} acknowledged of ${attempts.length} submissions; first failures: ` +
      JSON.stringify(
        attempts
          .filter((a) => !succeeded(a.first))
          .slice(0, 3)
          .map((a) => a.first),
      );
    try {
      await within(
        ACKS_WITHIN_MS,
        `${ACKS_BEFORE_KILL} acknowledged comments before the kill`,
        Promise.race([
          reachedAcks,
          clientsDone.then(() => {
            throw new Error(`every client stopped before ${ACKS_BEFORE_KILL} acknowledged comments: ${progress()}`);
          }),
        ]),
        progress,
      );
    } finally {
      // Also when the wait failed: the clients stop after their request in flight.
      killed = true;
    }
    // kill() itself fails after 10 s without an exit.
    await first.kill();
    await within(
      CLIENTS_STOP_WITHIN_MS,
      `the ${CLIENTS} clients to see the server gone and stop`,
      clientsDone,
      progress,
    );
    const acknowledged = attempts.filter((a) => succeeded(a.first));
    const unanswered = attempts.filter((a) => !succeeded(a.first));
    say(
      `killed after ${((performance.now() - started) / 1000).toFixed(1)} s: ${attempts.length} submissions, ${acknowledged.length} acknowledged, ` +
        `${unanswered.length} without a success (${[...new Set(unanswered.map((a) => a.first.error ?? a.first.typename))].slice(0, 3).join('; ')})`,
    );
    // Nothing but the crash made a request fail.
    expect(unanswered.filter((a) => a.first.status !== 0).map((a) => a.first)).toEqual([]);

    const headAtCrash = eventHead(dataDir);
    const checkpointAtCrash = projectorCheckpoint(dataFiles(dataDir).read)!;
    say(
      `at the crash: log head ${headAtCrash}, projector checkpoint ${checkpointAtCrash.position} (seq ${checkpointAtCrash.seq})`,
    );
    expect(checkpointAtCrash.position).toBeLessThanOrEqual(headAtCrash);
    // Positions are gap-free and seq counts applied events: equal means nothing applied twice or skipped so far.
    expect(checkpointAtCrash.seq).toBe(checkpointAtCrash.position);

    platform = await timed('restart on the same data folder', () =>
      startPlatform({ demo: false, dataDir, env: SERVER_ENV }),
    );
    const second = platform;

    // Every acknowledged comment is still there: retrying it answers the same comment, and stores nothing.
    // Every unanswered one is retried with the same key (the client cannot know whether it was stored).
    const retries = await timed(`retry all ${attempts.length} submissions with their idempotency keys`, async () => {
      const out: { attempt: Attempt; retry: Outcome }[] = [];
      let i = 0;
      await within(
        RETRIES_WITHIN_MS,
        `the retries of ${attempts.length} submissions`,
        Promise.all(
          Array.from({ length: CLIENTS }, async () => {
            for (;;) {
              const attempt = attempts[i++];
              if (!attempt) return;
              const retry = await submitComment(
                second.baseUrl,
                world.participants[attempt.participant]!.token,
                commentInput(world.policyId, attempt.key, attempt.n),
              );
              out.push({ attempt, retry });
            }
          }),
        ),
        () => `${out.length} answered`,
      );
      return out;
    });
    const failedRetries = retries.filter((r) => !succeeded(r.retry));
    expect(
      failedRetries.slice(0, 5).map((r) => r.retry),
      `${failedRetries.length} retries failed`,
    ).toEqual([]);
    const changed = retries.filter(
      (r) => succeeded(r.attempt.first) && r.retry.commentId !== r.attempt.first.commentId,
    );
    expect(changed.length, 'a retried acknowledged comment answered another id').toBe(0);
    await timed('stop the server', () => second.stop());

    const perStream = commentEventsPerStream(dataDir);
    const duplicated = [...perStream.entries()].filter(([, n]) => n !== 1);
    expect(duplicated.slice(0, 5), `${duplicated.length} comments stored more than once`).toEqual([]);
    expect(perStream.size, 'one comment per submission, however many times it was sent').toBe(attempts.length);
    const { ids, commentCount } = readModelCommentIds(dataDir, world.policyId);
    const lost = acknowledged.filter((a) => !perStream.has(a.first.commentId!) || !ids.has(a.first.commentId!));
    expect(lost.length, 'acknowledged comments lost').toBe(0);
    expect(commentCount).toBe(attempts.length);

    // The restarted projector went on from its checkpoint: it applied each event exactly once.
    const head = eventHead(dataDir);
    const checkpoint = projectorCheckpoint(dataFiles(dataDir).read)!;
    say(`after restart and retries: log head ${head}, checkpoint ${checkpoint.position} (seq ${checkpoint.seq})`);
    expect(checkpoint.position).toBe(head);
    expect(checkpoint.seq).toBe(head);

    const { live, rebuilt, applied } = await timed('rebuild the read models from position 0', () =>
      within(REBUILD_WITHIN_MS, 'the rebuild of the read models from position 0', rebuildAndDump(prepared.dataDir)),
    );
    expect(applied).toBe(head);
    expect(differences(live, rebuilt)).toEqual([]);
    passed = true;
  });
});
