/**
 * Overload (issue 18): comments offered at twice what the server can take, for 8 s (GOPY_LOAD_FULL=1: 30 s). The server
 * keeps answering: every request gets an answer, either the comment stored or 503 with Retry-After from admission
 * control (a bounded queue), never a timeout or a reset connection; afterwards exactly the accepted comments are in the
 * log, each once, and none of the refused ones. Capacity is measured first in the same run (closed loop).
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { commentIdFor } from '@gopy/application/commands';
import { SUBMIT_COMMENT } from '../bench/lib/http';
import { startPlatform, type Platform } from '../support/platform';
import {
  FULL,
  SERVER_ENV,
  commentEventsPerStream,
  commentInput,
  percentile,
  prepareDataDir,
  say,
  timed,
} from './support';

const PARTICIPANTS = FULL ? 2_000 : 300;
const CAPACITY_MS = FULL ? 10_000 : 3_000;
const OVERLOAD_MS = FULL ? 30_000 : 8_000;
/** A client gives up after this long: an answer later than that counts as a timeout. */
const CLIENT_TIMEOUT_MS = 15_000;
const ADMISSION = { GOPY_MAX_CONCURRENT_REQUESTS: '8', GOPY_MAX_QUEUED_REQUESTS: '32', GOPY_QUEUE_TIMEOUT_MS: '1000' };

interface Answer {
  key: string;
  accountId: string;
  status: number;
  retryAfter: string | null;
  typename?: string;
  code?: string;
  error?: string;
  ms: number;
}

async function submit(baseUrl: string, token: string, accountId: string, policyId: string, n: number, key: string) {
  const started = performance.now();
  const answer: Answer = { key, accountId, status: 0, retryAfter: null, ms: 0 };
  try {
    const res = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: SUBMIT_COMMENT, variables: { input: commentInput(policyId, key, n) } }),
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
    });
    answer.status = res.status;
    answer.retryAfter = res.headers.get('retry-after');
    const body = (await res.json()) as {
      data?: { submitComment?: { __typename: string; code?: string } };
      errors?: { extensions?: { code?: string } }[];
    };
    answer.typename = body.data?.submitComment?.__typename;
    answer.code = body.data?.submitComment?.code ?? body.errors?.[0]?.extensions?.code;
  } catch (err) {
    answer.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  answer.ms = performance.now() - started;
  return answer;
}

const accepted = (a: Answer) => a.status === 200 && a.typename === 'MutationSubmitCommentSuccess';
const refused = (a: Answer) =>
  a.status === 503 && a.code === 'RATE_LIMITED' && a.retryAfter !== null && Number(a.retryAfter) >= 1;

describe(`overload: comments at twice capacity for ${OVERLOAD_MS / 1000} s`, () => {
  let platform: Platform | undefined;
  let dataDir: string | undefined;
  let passed = false;

  afterAll(async () => {
    await platform?.stop();
    if (dataDir && passed) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every request (stored or 503 with Retry-After), and stores exactly the accepted comments', async () => {
    const prepared = await timed(`prepare ${PARTICIPANTS} accounts with sessions`, () => prepareDataDir(PARTICIPANTS));
    dataDir = prepared.dataDir;
    const { world } = prepared;
    platform = await timed('start the server', () =>
      startPlatform({ demo: false, dataDir, env: { ...SERVER_ENV, ...ADMISSION } }),
    );
    const baseUrl = platform.baseUrl;
    let n = 0;
    const next = (phase: string) => {
      const i = n++;
      const p = world.participants[i % world.participants.length]!;
      return submit(baseUrl, p.token, p.accountId, world.policyId, i, `${phase}-${i}`);
    };

    // Capacity: 8 clients, each sending its next comment when the last is answered.
    const capacityAnswers: Answer[] = [];
    const capacityEnd = performance.now() + CAPACITY_MS;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (performance.now() < capacityEnd) capacityAnswers.push(await next('capacity'));
      }),
    );
    const capacity = capacityAnswers.filter(accepted).length / (CAPACITY_MS / 1000);
    say(`capacity: ${capacity.toFixed(0)} comments/s (${capacityAnswers.length} answers)`);
    expect(capacityAnswers.filter((a) => !accepted(a) && !refused(a))).toEqual([]);

    // Overload: open loop at twice that rate, whatever the answers.
    const rate = 2 * capacity;
    const answers: Promise<Answer>[] = [];
    const started = performance.now();
    for (let sent = 0; ;) {
      const elapsed = performance.now() - started;
      if (elapsed >= OVERLOAD_MS) break;
      const due = Math.floor((elapsed / 1000) * rate);
      for (; sent < due; sent++) answers.push(next('overload'));
      await new Promise((r) => setTimeout(r, 5));
    }
    const overload = await Promise.all(answers);
    const took = (performance.now() - started) / 1000;
    const ok = overload.filter(accepted);
    const no = overload.filter(refused);
    const latencies = overload.map((a) => a.ms);
    say(
      `overload: ${overload.length} offered in ${(OVERLOAD_MS / 1000).toFixed(0)} s (${(overload.length / (OVERLOAD_MS / 1000)).toFixed(0)}/s), ` +
        `all answered within ${took.toFixed(1)} s: ${ok.length} stored, ${no.length} refused 503; ` +
        `latency p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms, max ${percentile(latencies, 100).toFixed(0)} ms`,
    );
    const other = overload.filter((a) => !accepted(a) && !refused(a));
    expect(other.slice(0, 5), `${other.length} answers neither stored nor 503 with Retry-After`).toEqual([]);
    expect(ok.length).toBeGreaterThan(0);
    expect(no.length).toBeGreaterThan(0);

    await timed('stop the server', () => platform!.stop());
    const perStream = commentEventsPerStream(dataDir);
    const all = [...capacityAnswers, ...overload];
    const storedIds = all.filter(accepted).map((a) => commentIdFor(a.accountId, a.key));
    const refusedIds = all.filter(refused).map((a) => commentIdFor(a.accountId, a.key));
    const notOnce = storedIds.filter((id) => perStream.get(id) !== 1);
    expect(notOnce.slice(0, 5), `${notOnce.length} accepted comments not stored exactly once`).toEqual([]);
    const storedAnyway = refusedIds.filter((id) => perStream.has(id));
    expect(storedAnyway.slice(0, 5), `${storedAnyway.length} refused comments stored`).toEqual([]);
    expect(perStream.size).toBe(storedIds.length);
    passed = true;
  });
});
