import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { admissionControl } from './admission';

describe('admission control', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((r) => server?.close(r));
  });

  /** A server whose requests are held until released, behind admission control. */
  async function start(options: { concurrency: number; queue: number; queueTimeoutMs: number }) {
    const held: (() => void)[] = [];
    let arrived: () => void = () => {};
    const app = express();
    app.use(admissionControl(options));
    app.use((_req, res) => {
      held.push(() => res.send('ok'));
      arrived();
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const worked = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => (held.length >= n ? resolve() : (arrived = check));
        check();
      });
    return { base, held, worked };
  }

  it('answers 503 with Retry-After at once when the queue is full, and works the queued ones in turn', async () => {
    const { base, held, worked } = await start({ concurrency: 1, queue: 1, queueTimeoutMs: 10_000 });
    const first = fetch(`${base}/a`);
    await worked(1);
    const queued = fetch(`${base}/b`);
    // The queue holds one: the next is refused without waiting.
    const refused = await fetch(`${base}/graphql`, { method: 'POST' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('10');
    const body = (await refused.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 10 });
    expect(body.errors[0]!.extensions.messageVi).toMatch(/quá tải/);
    const page = await fetch(`${base}/policies/x`, { headers: { 'accept-language': 'en' } });
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('The server is overloaded');
    held.shift()!();
    expect((await first).status).toBe(200);
    await worked(1);
    held.shift()!();
    expect((await queued).status).toBe(200);
  });

  it('answers 503 to a request that waited longer than the queue timeout; probes never wait', async () => {
    const { base, held, worked } = await start({ concurrency: 1, queue: 10, queueTimeoutMs: 50 });
    const first = fetch(`${base}/a`);
    await worked(1);
    const waited = await fetch(`${base}/b`);
    expect(waited.status).toBe(503);
    expect(waited.headers.get('retry-after')).toBe('1');
    const probe = fetch(`${base}/healthz`);
    await worked(2);
    held.splice(0).forEach((release) => release());
    expect((await first).status).toBe(200);
    expect((await probe).status).toBe(200);
  });
});
