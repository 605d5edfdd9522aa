/**
 * Graceful shutdown: SIGTERM in the middle of a comment load. /readyz answers 503 at once, requests in flight are
 * answered, every acknowledged comment is stored and projected, the projector's checkpoint is consistent, and the
 * process exits 0 within its deadline.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { dataFiles } from '@gopy/composition/runtime';
import { startPlatform, type Platform } from '../support/platform';
import {
  SERVER_ENV,
  commentEventsPerStream,
  commentInput,
  eventHead,
  prepareDataDir,
  projectorCheckpoint,
  readModelCommentIds,
  say,
  submitComment,
  succeeded,
  timed,
  within,
  type Outcome,
} from './support';

const PARTICIPANTS = 100;
const CLIENTS = 16;
const ACKS_BEFORE_SIGTERM = 100;
/** The process goes on serving, not ready, this long after SIGTERM (GOPY_SHUTDOWN_DELAY_MS), then stops accepting. */
const DELAY_MS = 1_500;
/** Requests in flight get this long (GOPY_SHUTDOWN_TIMEOUT_MS). */
const TIMEOUT_MS = 10_000;
/** The lifecycle's own grace for the projector's batch and the stores (SHUTDOWN_GRACE_MS). */
const GRACE_MS = 5_000;

describe(`graceful shutdown: SIGTERM under a load of ${CLIENTS} clients`, () => {
  let platform: Platform | undefined;
  let dataDir: string | undefined;
  let passed = false;

  afterAll(async () => {
    await platform?.stop();
    if (dataDir && passed) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops accepting, answers what is in flight, keeps every acknowledged comment and exits 0 in time', async () => {
    const prepared = await timed(`prepare ${PARTICIPANTS} accounts with sessions`, () =>
      within(300_000, `a data folder with ${PARTICIPANTS} accounts`, prepareDataDir(PARTICIPANTS)),
    );
    dataDir = prepared.dataDir;
    const world = prepared.world;
    platform = await timed('start the server', () =>
      startPlatform({
        demo: false,
        dataDir,
        env: {
          ...SERVER_ENV,
          GOPY_SHUTDOWN_DELAY_MS: String(DELAY_MS),
          GOPY_SHUTDOWN_TIMEOUT_MS: String(TIMEOUT_MS),
          GOPY_LOG_FORMAT: 'json',
        },
      }),
    );
    const server = platform;
    const exited = new Promise<number | null>((resolve) => server.process.once('exit', (code) => resolve(code)));

    const outcomes: Outcome[] = [];
    let acks = 0;
    let next = 0;
    let stop = false;
    let enoughAcks!: () => void;
    const reachedAcks = new Promise<void>((resolve) => (enoughAcks = resolve));
    const clients = Array.from({ length: CLIENTS }, async () => {
      while (!stop) {
        const n = next++;
        const outcome = await submitComment(
          server.baseUrl,
          world.participants[n % PARTICIPANTS]!.token,
          commentInput(world.policyId, `shutdown-${n}`, n),
        );
        outcomes.push(outcome);
        if (succeeded(outcome) && ++acks === ACKS_BEFORE_SIGTERM) enoughAcks();
        // Connection refused: the server has stopped accepting.
        if (outcome.status === 0 && server.process.exitCode !== null) return;
      }
    });
    await within(180_000, `${ACKS_BEFORE_SIGTERM} acknowledged comments`, reachedAcks, () => `${acks} so far`);

    const sentAt = performance.now();
    server.process.kill('SIGTERM');
    // Not ready from the moment shutdown starts, while it still answers (the delay before it stops accepting).
    const readiness = await within(
      DELAY_MS,
      '/readyz to answer 503',
      (async () => {
        for (;;) {
          const res = await fetch(`${server.baseUrl}/readyz`);
          if (res.status === 503) return (await res.json()) as { failed: string[] };
        }
      })(),
    );
    expect(readiness.failed).toContain('shutdown');

    const code = await within(DELAY_MS + TIMEOUT_MS + GRACE_MS, 'the process to exit after SIGTERM', exited);
    const seconds = (performance.now() - sentAt) / 1000;
    stop = true;
    await within(60_000, 'the clients to stop', Promise.all(clients));
    const acknowledged = outcomes.filter(succeeded);
    const unanswered = outcomes.filter((o) => o.status === 0);
    say(
      `exit code ${code} ${seconds.toFixed(1)} s after SIGTERM; ${outcomes.length} submissions, ${acknowledged.length} ` +
        `acknowledged, ${unanswered.length} without an answer: ${[...new Set(unanswered.map((o) => o.error))].join('; ')}`,
    );
    expect(code).toBe(0);
    // Every request was answered as a success, or found no server to answer it: none was cut or answered an error.
    const other = outcomes.filter((o) => !succeeded(o) && o.status !== 0);
    expect(other.slice(0, 5)).toEqual([]);
    expect(server.output()).toMatch(/"msg":"stopped"/);
    // What the server received it answered in full: no request line cut short or answered 5xx. (The resets above are
    // connections still in the listen queue when it closed: the server never saw their requests.)
    const requestLines = server
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{') && l.includes('"msg":"request"'))
      .map((l) => JSON.parse(l) as { status: number; aborted?: boolean; route: string });
    expect(requestLines.filter((l) => l.aborted || l.status >= 500)).toEqual([]);
    expect(requestLines.filter((l) => l.route === '/graphql' && l.status === 200).length).toBeGreaterThanOrEqual(
      acknowledged.length,
    );

    const stored = commentEventsPerStream(dataDir);
    const { ids } = readModelCommentIds(dataDir, world.policyId);
    const lost = acknowledged.filter((o) => stored.get(o.commentId!) !== 1 || !ids.has(o.commentId!));
    expect(lost.length, 'acknowledged comments missing from the log or the read models').toBe(0);
    // The projector finished its batch and saved its checkpoint: nothing applied twice or skipped.
    const checkpoint = projectorCheckpoint(dataFiles(dataDir).read)!;
    expect(checkpoint.position).toBeLessThanOrEqual(eventHead(dataDir));
    expect(checkpoint.seq).toBe(checkpoint.position);
    passed = true;
  });
});
