/**
 * Surge: N participants, each with a session made beforehand, submit one comment each, paced evenly over a window
 * (CI: 1,000 over ~15 s; GOPY_LOAD_FULL=1: 10,000 over ~60 s). No request may fail; afterwards every acknowledged
 * comment is in the log exactly once and in the read models, and the read models equal a rebuild from position 0.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { commentIdFor } from '@gopy/application/commands';
import { startPlatform, type Platform } from '../support/platform';
import {
  FULL,
  SERVER_ENV,
  commentEventsPerStream,
  commentInput,
  differences,
  percentile,
  prepareDataDir,
  readModelCommentIds,
  rebuildAndDump,
  say,
  submitComment,
  succeeded,
  timed,
  type Outcome,
} from './support';

const PARTICIPANTS = FULL ? 10_000 : 1_000;
const WINDOW_MS = FULL ? 60_000 : 15_000;

describe(`surge: ${PARTICIPANTS} participants comment within ${WINDOW_MS / 1000} s`, () => {
  let platform: Platform | undefined;
  let dataDir: string | undefined;
  let passed = false;

  afterAll(async () => {
    await platform?.stop();
    // The data folder stays for a look when the test failed.
    if (dataDir && passed) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('acknowledges every comment, stores each exactly once, and the read models equal a rebuild', async () => {
    const prepared = await timed(`prepare ${PARTICIPANTS} accounts with sessions`, () => prepareDataDir(PARTICIPANTS));
    dataDir = prepared.dataDir;
    const world = prepared.world;
    platform = await timed('start the server', () => startPlatform({ demo: false, dataDir, env: SERVER_ENV }));
    const started = performance.now();
    const outcomes: Outcome[] = new Array(PARTICIPANTS);
    const pending: Promise<void>[] = [];
    // Open-loop arrivals: request i leaves at i × window / N whatever happened to the others.
    for (let i = 0; i < PARTICIPANTS; i++) {
      const due = started + (i * WINDOW_MS) / PARTICIPANTS;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const p = world.participants[i]!;
      pending.push(
        submitComment(platform.baseUrl, p.token, commentInput(world.policyId, `surge-${i}`, i)).then((o) => {
          outcomes[i] = o;
        }),
      );
    }
    await Promise.all(pending);
    const seconds = (performance.now() - started) / 1000;
    const latencies = outcomes.map((o) => o.ms);
    say(
      `surge: ${PARTICIPANTS} comments in ${seconds.toFixed(1)} s (${(PARTICIPANTS / seconds).toFixed(0)}/s); ` +
        `latency p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, max ${percentile(latencies, 100)} ms`,
    );
    const failed = outcomes.map((o, i) => ({ i, o })).filter(({ o }) => !succeeded(o));
    expect(failed.slice(0, 5), `${failed.length} failed submissions`).toEqual([]);

    // Each acknowledgement names the comment derived from the account and the idempotency key.
    outcomes.forEach((o, i) => expect(o.commentId).toBe(commentIdFor(world.participants[i]!.accountId, `surge-${i}`)));
    const acknowledged = outcomes.map((o) => o.commentId!);
    await timed('stop the server', () => platform!.stop());

    const perStream = commentEventsPerStream(dataDir);
    const notOnce = acknowledged.filter((id) => perStream.get(id) !== 1);
    expect(notOnce.slice(0, 5), `${notOnce.length} acknowledged comments not stored exactly once`).toEqual([]);
    expect(perStream.size).toBe(PARTICIPANTS);

    const { ids, commentCount } = readModelCommentIds(dataDir, world.policyId);
    const missing = acknowledged.filter((id) => !ids.has(id));
    expect(missing.slice(0, 5), `${missing.length} acknowledged comments missing from the read model`).toEqual([]);
    expect(commentCount).toBe(PARTICIPANTS);

    const { live, rebuilt, applied } = await timed('rebuild the read models from position 0', () =>
      rebuildAndDump(prepared.dataDir),
    );
    say(`rebuilt ${applied} events; comments live ${live.comments!.length}, rebuilt ${rebuilt.comments!.length}`);
    expect(differences(live, rebuilt)).toEqual([]);
    passed = true;
  });
});
