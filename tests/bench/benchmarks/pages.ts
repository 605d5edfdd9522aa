/**
 * What people load (issue 18): the site's pages through the embedded runtime (`gopy serve` with the built site), each
 * beside a plain node:http server sending the very bytes the site sent for it (pageBaselineServer.ts), in the same run,
 * with the policy holding each of two comment counts.
 *
 * - page_policy_anonymous: GET /policies/<id> without a session (the page cache answers after the first render);
 * - page_home_anonymous: GET / without a session;
 * - page_policy_signed_in: GET /policies/<id> with a session cookie, the participants' sessions taken round-robin;
 * - comment_form_post: the comment form posted as a browser without JavaScript does (POST /policies/<id>?/comment,
 *   urlencoded, Origin and the session cookie), the site's action end to end (in-process GraphQL, the write path,
 *   waiting for the read model, the page rendered with the form's answer); baseline: a no-op form action that reads and
 *   parses the form body and answers the same bytes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Runtime } from '@gopy/composition/runtime';
import { createWorld, generateCommentsFast, openRuntime, project, type World } from '../lib/fixture';
import { round, summarise, type HttpResult } from '../lib/http';
import type { Entry } from '../lib/report';
import { startApi, startBaseline } from '../lib/servers';

export interface PagesConfig {
  /** Comments on the policy at each measured point (the issue: 1,000 and 100,000). */
  comments: number[];
  participants: number;
  seconds: number;
  warmSeconds: number;
  /** Connections of the anonymous pages; a signed-in page and a form post, each rendered anew, get `renderConnections`
   *  and twice the seconds (at 32 connections on a loaded machine none finished within a short run). */
  connections: number;
  renderConnections: number;
}

interface Recorded {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The headers a plain server would send too (the hop-by-hop ones are its own). */
function recordedHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!['connection', 'keep-alive', 'date', 'transfer-encoding', 'content-length'].includes(name)) out[name] = value;
  });
  return out;
}

async function record(url: string, init: RequestInit = {}): Promise<Recorded> {
  const res = await fetch(url, { ...init, redirect: 'manual' });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: recordedHeaders(res.headers), body: body.toString('base64') };
}

type Load = {
  path: string;
  method?: 'GET' | 'POST';
  /** Headers and body of request i. */
  request?: (i: number) => { headers?: Record<string, string>; body?: string };
  expect: (body: string) => boolean;
};

async function load(baseUrl: string, o: Load & { seconds: number; connections: number }): Promise<HttpResult> {
  const { default: autocannon } = await import('autocannon');
  const samples: string[] = [];
  let n = 0;
  const result = await autocannon({
    url: baseUrl,
    connections: o.connections,
    duration: o.seconds,
    timeout: 30,
    verifyBody: (body: string) => {
      const good = o.expect(body);
      if (!good && samples.length < 5) samples.push(body.slice(0, 300));
      return good;
    },
    requests: [
      {
        method: o.method ?? 'GET',
        path: o.path,
        setupRequest: (req) => {
          const r = o.request?.(n++) ?? {};
          return { ...req, headers: { ...r.headers }, ...(r.body !== undefined ? { body: r.body } : {}) };
        },
      },
    ],
  });
  return summarise(result, samples);
}

function formBody(i: number, prefix: string): string {
  return new URLSearchParams({
    formId: 'whole',
    body: `Góp ý số ${i}: đề nghị công khai mức thu và cách miễn, giảm cho học sinh khó khăn.`,
    stance: (['SUPPORT', 'OPPOSE', 'NEUTRAL', 'SUGGESTION'] as const)[i % 4]!,
    idempotencyKey: `${prefix}-${i}`,
  }).toString();
}

const KEYS = ['page_policy_anonymous', 'page_home_anonymous', 'page_policy_signed_in', 'comment_form_post'] as const;
type Key = (typeof KEYS)[number];

export async function pageBenchmarks(
  cfg: PagesConfig,
  log: (msg: string) => void,
  failed: (what: string, err: unknown) => void,
): Promise<Record<string, Entry>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-bench-pages-'));
  const points: Record<Key, { comments: number; ours: HttpResult; baseline: HttpResult; bytes: number }[]> = {
    page_policy_anonymous: [],
    page_home_anonymous: [],
    page_policy_signed_in: [],
    comment_form_post: [],
  };
  let runtime: Runtime | undefined = await openRuntime(dir);
  try {
    const world: World = await createWorld(runtime, { participants: cfg.participants });
    let onPolicy = 0;
    for (const comments of cfg.comments) {
      runtime ??= await openRuntime(dir);
      if (comments > onPolicy) {
        const g = await generateCommentsFast(runtime, world, comments - onPolicy);
        onPolicy += g.appended;
        log(`  pages: ${g.appended} comments generated in ${round(g.seconds)} s`);
      }
      await project(runtime);
      await runtime.close();
      runtime = undefined;
      const api = await startApi(dir, `pages-${comments}`, { GOPY_SERVE_WEB: '1' });
      const base = api.baseUrl;
      const policyPath = `/policies/${world.policyId}`;
      const tokens = world.participants.map((p) => p.token);
      const cookie = (i: number) => `gopy_session=${tokens[i % tokens.length]}`;
      const origin = { origin: base };
      try {
        const loads: Record<Key, Load> = {
          page_policy_anonymous: { path: policyPath, expect: (b) => b.includes(world.policyId) },
          page_home_anonymous: { path: '/', expect: (b) => b.includes(world.policyId) },
          page_policy_signed_in: {
            path: policyPath,
            request: (i) => ({ headers: { cookie: cookie(i) } }),
            expect: (b) => b.includes(world.policyId) && b.includes('/sign-out'),
          },
          comment_form_post: {
            path: `${policyPath}?/comment`,
            method: 'POST',
            request: (i) => ({
              headers: {
                ...origin,
                cookie: cookie(i),
                'content-type': 'application/x-www-form-urlencoded',
              },
              body: formBody(i, `form-${comments}`),
            }),
            expect: (b) => b.includes('Góp ý đã được ghi nhận'),
          },
        };
        // The bytes each baseline sends: what the site answered to one such request.
        const answers: Record<string, Recorded> = {
          [policyPath]: await record(`${base}${policyPath}`),
          '/': await record(`${base}/`),
          POST: await record(`${base}${policyPath}?/comment`, {
            method: 'POST',
            headers: { ...origin, cookie: cookie(0), 'content-type': 'application/x-www-form-urlencoded' },
            body: formBody(0, `record-${comments}`),
          }),
        };
        const signedIn = await record(`${base}${policyPath}`, { headers: { cookie: cookie(0) } });
        const file = path.join(dir, `answers-${comments}.json`);
        const signedInFile = path.join(dir, `answers-signed-in-${comments}.json`);
        fs.writeFileSync(file, JSON.stringify(answers));
        fs.writeFileSync(signedInFile, JSON.stringify({ [policyPath]: signedIn }));
        for (const key of KEYS) {
          try {
            const l = loads[key];
            await load(base, { ...l, seconds: cfg.warmSeconds, connections: 8 });
            const rendered = key === 'page_policy_signed_in' || key === 'comment_form_post';
            const measure = {
              seconds: rendered ? 2 * cfg.seconds : cfg.seconds,
              connections: rendered ? cfg.renderConnections : cfg.connections,
            };
            const ours = await load(base, { ...l, ...measure });
            const baselineServer = await startBaseline('pageBaselineServer.ts', {
              GOPY_BENCH_PAGES: key === 'page_policy_signed_in' ? signedInFile : file,
            });
            let baseline: HttpResult;
            try {
              await load(baselineServer.baseUrl, { ...l, seconds: cfg.warmSeconds, connections: 8 });
              baseline = await load(baselineServer.baseUrl, { ...l, ...measure });
            } finally {
              await baselineServer.stop();
            }
            const answer =
              key === 'page_policy_signed_in'
                ? signedIn
                : key === 'comment_form_post'
                  ? answers.POST!
                  : answers[key === 'page_home_anonymous' ? '/' : policyPath]!;
            const bytes = Buffer.from(answer.body, 'base64').length;
            points[key].push({ comments, ours, baseline, bytes });
            log(
              `  ${key} (${comments} comments): ours ${ours.rps}/s (p99 ${ours.p99} ms, failures ${ours.failures}), ` +
                `plain node:http ${baseline.rps}/s, ratio ${round(ours.rps / baseline.rps, 3)}, ${bytes} bytes`,
            );
          } catch (err) {
            failed(`${key} at ${comments} comments`, err);
          }
        }
      } finally {
        await api.stop();
      }
    }
  } finally {
    await runtime?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const results: Record<string, Entry> = {};
  const targets: Record<Key, string> = {
    page_policy_anonymous: 'ratio >= 0.5',
    page_home_anonymous: 'ratio >= 0.5',
    page_policy_signed_in: 'ratio >= 0.1',
    comment_form_post: 'ratio >= 0.25',
  };
  for (const key of KEYS) {
    const measured = points[key];
    const main = measured.at(-1);
    if (!main) continue;
    const first = measured[0]!;
    results[key] = {
      ours: main.ours.rps,
      baseline: main.baseline.rps,
      ratio: round(main.ours.rps / main.baseline.rps, 3),
      unit: 'requests/s',
      detail: {
        target: `${targets[key]} (at each size); throughput at the largest size >= 0.8 of at the smallest`,
        connections:
          key === 'page_policy_signed_in' || key === 'comment_form_post' ? cfg.renderConnections : cfg.connections,
        failures: measured.reduce((sum, p) => sum + p.ours.failures, 0),
        scaling: round(main.ours.rps / first.ours.rps, 3),
        points: measured.map((p) => ({
          commentsOnPolicy: p.comments,
          ours: p.ours.rps,
          baseline: p.baseline.rps,
          ratio: round(p.ours.rps / p.baseline.rps, 3),
          bytes: p.bytes,
          p50Ms: p.ours.p50,
          p99Ms: p.ours.p99,
          baselineP99Ms: p.baseline.p99,
          failures: p.ours.failures,
          ...(p.ours.failureSamples.length ? { failureSamples: p.ours.failureSamples } : {}),
        })),
      },
    };
  }
  return results;
}
