import fs from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../app';
import { loadConfig } from '@gopy/composition/config';
import { readDemoAccounts, seedDemo, type DemoAccount } from '@gopy/composition/demo';
import { openEmbeddedRuntime, type Runtime } from '@gopy/composition/runtime';
import { requestTelemetry } from '@gopy/composition/ops/http';
import { createLogger } from '@gopy/composition/ops/logger';
import { Metrics } from '@gopy/composition/ops/metrics';

/** Every line the logger wrote, parsed. */
function collectingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ env: { GOPY_LOG_LEVEL: 'debug' }, role: 'embedded', destination }) };
}

async function listen(app: Awaited<ReturnType<typeof buildApp>>): Promise<{ server: Server; base: string }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  return { server, base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

async function post(base: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { res, body: (await res.json()) as { data?: any; errors?: { extensions?: Record<string, unknown> }[] } };
}

/** The value of one series in Prometheus text, or undefined when it is not there. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const series = /^[^{ ]+(?:\{(.*)\})? (.+)$/.exec(line);
    if (!series) continue;
    const have = Object.fromEntries(
      [...(series[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!] as const),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(series[2]);
  }
  return undefined;
}

/** Waits until the lines hold one that matches, or fails after `ms` saying what it waited for. */
async function lineWhere(
  lines: Record<string, unknown>[],
  match: (line: Record<string, unknown>) => boolean,
  what: string,
  ms = 10_000,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = lines.find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no log line ${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('operations: logs, metrics, readiness', () => {
  let dataDir: string;
  let runtime: Runtime;
  let server: Server;
  let base: string;
  let staff: DemoAccount;
  const { lines, logger } = collectingLogger();
  const TOKEN = 'metrics-token-for-the-test';

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-ops-'));
    runtime = await openEmbeddedRuntime(
      loadConfig({
        GOPY_DATA_DIR: dataDir,
        GOPY_DEMO: '1',
        GOPY_SERVE_WEB: '0',
        GOPY_METRICS_TOKEN: TOKEN,
        GOPY_READY_MAX_LAG_EVENTS: '0',
      }),
      { logger },
    );
    runtime.projector.start();
    await seedDemo(runtime);
    await runtime.projector.waitFor((await runtime.store.headPosition())!, 30_000);
    staff = readDemoAccounts(dataDir)!.find((a) => a.roles.includes('staff'))!;
    ({ server, base } = await listen(await buildApp(runtime)));
  }, 90_000);

  afterAll(async () => {
    await new Promise<void>((r) => server?.close(() => r()));
    server?.closeAllConnections();
    await runtime?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs one JSON line per request: request id, actor id, route pattern, status, duration; never an email', async () => {
    const signIn = await post(
      base,
      {
        query:
          'mutation SignIn($e: String!, $p: String!) { signIn(email: $e, password: $p) { __typename ... on MutationSignInSuccess { data { token } } } }',
        variables: { e: staff.email, p: staff.password },
      },
      // From this machine, a trusted proxy by default (GOPY_TRUST_PROXY=loopback): its request id is kept.
      { 'x-request-id': 'from-the-proxy-1' },
    );
    expect(signIn.res.headers.get('x-request-id')).toBe('from-the-proxy-1');
    const token = signIn.body.data.signIn.data.token as string;
    const viewer = await post(
      base,
      { query: 'query Me { viewer { account { id } } }' },
      { authorization: `Bearer ${token}` },
    );
    const requestId = viewer.res.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const accountId = viewer.body.data.viewer.account.id as string;

    const line = await lineWhere(lines, (l) => l.requestId === requestId && l.msg === 'request', 'for the Me query');
    expect(line).toMatchObject({
      level: 'info',
      service: 'gopy',
      method: 'POST',
      route: '/graphql',
      status: 200,
      actor: accountId,
      operation: 'Me',
      operationType: 'query',
      outcome: 'success',
    });
    expect(typeof line.durationMs).toBe('number');
    expect(typeof line.time).toBe('string');
    const proxied = await lineWhere(lines, (l) => l.requestId === 'from-the-proxy-1', 'for the sign-in');
    expect(proxied).toMatchObject({ operation: 'SignIn', operationType: 'mutation', outcome: 'success' });

    // A route with parameters is logged by its pattern; the query string (which may hold a token) is not logged.
    const download = await fetch(
      `${base}/export/policies/00000000-0000-4000-8000-000000000000/versions/1.docx?token=secret-in-query`,
    );
    const downloadLine = await lineWhere(
      lines,
      (l) => l.requestId === download.headers.get('x-request-id') && l.msg === 'request',
      'for the download',
    );
    expect(downloadLine.route).toBe('/export/policies/:policyId/versions/:file');
    const all = JSON.stringify(lines);
    expect(all).not.toContain('secret-in-query');
    expect(all).not.toContain(staff.email);
    expect(all).not.toContain(staff.password);
  });

  it('logs an INTERNAL failure with the correlation id it answers, and counts it', async () => {
    const spy = vi.spyOn(runtime.readDb, 'selectFrom').mockImplementationOnce(() => {
      throw new Error('the read store broke for this test');
    });
    const answer = await post(base, { query: 'query Listing { policies(first: 1) { totalCount } }' });
    spy.mockRestore();
    const error = answer.body.errors?.[0];
    expect(error?.extensions?.code).toBe('INTERNAL');
    const correlationId = error?.extensions?.correlationId as string;
    expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
    const logged = await lineWhere(lines, (l) => l.correlationId === correlationId && l.level === 'error', 'INTERNAL');
    expect(logged.msg).toBe('unexpected failure answered as INTERNAL');
    expect((logged.err as { message: string; stack: string }).message).toBe('the read store broke for this test');
    expect((logged.err as { stack: string }).stack).toContain('Error: the read store broke for this test');
    expect(logged.requestId).toBe(answer.res.headers.get('x-request-id'));
    const requestLine = await lineWhere(
      lines,
      (l) => l.msg === 'request' && l.requestId === answer.res.headers.get('x-request-id'),
      'for the failed request',
    );
    expect(requestLine).toMatchObject({ level: 'error', outcome: 'INTERNAL', correlationId });
  });

  it('serves Prometheus text at /metrics: requests, operations by outcome, appends, lag, jobs, mails, page cache', async () => {
    const mailsBefore = sample(await (await fetch(`${base}/metrics`)).text(), 'gopy_mails_total', { outcome: 'sent' })!;
    await runtime.mailer.send({ to: 'someone@example.vn', subject: 'A test mail', text: 'Counted as sent.' });
    await post(base, {
      query: 'mutation Wrong { signIn(email: "nobody@example.vn", password: "not-the-password") { __typename } }',
    });
    await post(base, { query: 'query Broken { noSuchField }' });
    runtime.scheduler.start();
    await vi.waitFor(
      async () => {
        const text = await (await fetch(`${base}/metrics`)).text();
        expect(sample(text, 'gopy_scheduler_runs_total', { job: 'deadline_scheduler', outcome: 'ok' })).toBeGreaterThan(
          0,
        );
      },
      { timeout: 10_000, interval: 100 },
    );
    await runtime.scheduler.stop();
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(
      sample(text, 'gopy_http_request_duration_seconds_count', { method: 'POST', route: '/graphql', status: '200' }),
    ).toBeGreaterThan(0);
    expect(
      sample(text, 'gopy_graphql_operations_total', { operation: 'SignIn', type: 'mutation', outcome: 'success' }),
    ).toBe(1);
    expect(
      sample(text, 'gopy_graphql_operations_total', {
        operation: 'Wrong',
        type: 'mutation',
        outcome: 'UNAUTHENTICATED',
      }),
    ).toBe(1);
    expect(sample(text, 'gopy_graphql_operations_total', { operation: 'Broken', outcome: 'VALIDATION' })).toBe(1);
    expect(sample(text, 'gopy_graphql_operations_total', { operation: 'Listing', outcome: 'INTERNAL' })).toBe(1);
    expect(sample(text, 'gopy_event_store_append_duration_seconds_count', { outcome: 'ok' })).toBeGreaterThan(0);
    expect(sample(text, 'gopy_event_store_append_conflicts_total')).toBe(0);
    expect(sample(text, 'gopy_projector_lag_events')).toBe(0);
    expect(sample(text, 'gopy_projector_lag_seconds')).toBe(0);
    expect(sample(text, 'gopy_mails_total', { outcome: 'sent' })).toBe(mailsBefore + 1);
    expect(sample(text, 'gopy_mails_total', { outcome: 'failed' })).toBe(0);
    expect(sample(text, 'gopy_page_cache_requests_total', { result: 'hit' })).toBe(0);
    expect(sample(text, 'gopy_page_cache_requests_total', { result: 'miss' })).toBe(0);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('/metrics answers this machine; through a proxy or from elsewhere only with the bearer token (401 without)', async () => {
    const forwarded = { 'x-forwarded-for': '203.0.113.7' };
    expect((await fetch(`${base}/metrics`, { headers: forwarded })).status).toBe(401);
    const wrong = await fetch(`${base}/metrics`, { headers: { ...forwarded, authorization: 'Bearer wrong' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    const right = await fetch(`${base}/metrics`, { headers: { ...forwarded, authorization: `Bearer ${TOKEN}` } });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('gopy_http_request_duration_seconds');
  });

  it('/healthz is alive; /readyz is 200 with each check, 503 naming the projector when it lags', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({ status: 'ok', role: 'embedded' });
    const ready = await fetch(`${base}/readyz`);
    const body = (await ready.json()) as { status: string; checks: Record<string, { ok: boolean }> };
    expect(ready.status, JSON.stringify(body)).toBe(200);
    expect(Object.keys(body.checks).sort()).toEqual(['authStore', 'eventStore', 'keyStore', 'projector', 'readStore']);

    // GOPY_READY_MAX_LAG_EVENTS=0: one event the stopped projector has not applied makes the process not ready.
    await runtime.projector.stop();
    await runtime.sealer.seal();
    await vi.waitFor(
      async () => {
        const lagging = await fetch(`${base}/readyz`);
        const answer = (await lagging.json()) as { failed: string[]; checks: Record<string, unknown> };
        expect(lagging.status).toBe(503);
        expect(answer.failed).toEqual(['projector']);
        expect(answer.checks.projector).toMatchObject({ ok: false, lagEvents: 1, maxLagEvents: 0 });
      },
      { timeout: 5_000, interval: 100 },
    );
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(sample(metrics, 'gopy_projector_lag_events')).toBe(1);
  });

  it('/readyz names a store that does not answer', async () => {
    await runtime.auth.close();
    const res = await fetch(`${base}/readyz`);
    const body = (await res.json()) as { failed: string[]; checks: Record<string, { correlationId?: string }> };
    expect(res.status).toBe(503);
    expect(body.failed).toContain('authStore');
    const logged = await lineWhere(
      lines,
      (l) => l.correlationId === body.checks.authStore!.correlationId,
      'for the auth store probe',
    );
    expect(logged).toMatchObject({ level: 'error', check: 'authStore' });
  });
});

describe('request ids', () => {
  async function idsAnswered(trusted: boolean, sent: string) {
    const { lines, logger } = collectingLogger();
    const app = express();
    app.use(requestTelemetry({ logger, metrics: new Metrics({ defaultMetrics: false }), trusted: () => trusted }));
    app.get('/echo', (req, res) => {
      res.json({ seen: req.headers['x-request-id'] });
    });
    const { server, base } = await listen(app);
    try {
      const res = await fetch(`${base}/echo`, { headers: { 'x-request-id': sent } });
      const { seen } = (await res.json()) as { seen: string };
      const line = await lineWhere(lines, (l) => l.msg === 'request', 'for /echo');
      return { header: res.headers.get('x-request-id'), seen, logged: line.requestId, route: line.route };
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  }

  it('keeps an incoming X-Request-Id from a trusted proxy, and hands it on to what serves the request', async () => {
    expect(await idsAnswered(true, 'edge-42')).toEqual({
      header: 'edge-42',
      seen: 'edge-42',
      logged: 'edge-42',
      route: '/echo',
    });
  });

  it('replaces one from any other peer, or one that is not a plain token', async () => {
    for (const [trusted, sent] of [
      [false, 'edge-42'],
      [true, 'has spaces "and quotes"'],
    ] as const) {
      const answer = await idsAnswered(trusted, sent);
      expect(answer.header).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(answer.seen).toBe(answer.header);
      expect(answer.logged).toBe(answer.header);
    }
  });
});
