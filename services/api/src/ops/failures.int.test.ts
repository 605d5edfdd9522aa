import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '@gopy/composition/config';
import { serve, type Serving } from '../serve';
import { createLogger } from '@gopy/composition/ops/logger';

function collectingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ env: {}, role: 'embedded', destination }) };
}

/**
 * The embedded process when a part it needs fails: errors are logged with a correlation id, and when the projector
 * stops the process answers not ready (naming it) and then exits 1 for its supervisor to restart it.
 */
describe('errors reach someone', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-failures-'));
  const { lines, logger } = collectingLogger();
  let serving: Serving | undefined;
  let exited!: (code: number) => void;
  const exitCode = new Promise<number>((resolve) => (exited = resolve));

  afterAll(async () => {
    // The process "exited" (the test's exit): what is left open is closed here.
    serving?.server.closeAllConnections();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts', async () => {
    serving = await serve(
      loadConfig({
        GOPY_DATA_DIR: dataDir,
        GOPY_DEMO: '0',
        GOPY_SERVE_WEB: '0',
        PORT: '0',
        HOST: '127.0.0.1',
        // Long enough to read /readyz between the failure and the exit; the listener closes after it.
        GOPY_SHUTDOWN_DELAY_MS: '3000',
        GOPY_SCHEDULER_INTERVAL_MS: '50',
      }),
      'embedded',
      { exit: (code) => exited(code), logger },
    );
    expect((await fetch(`${serving.url}/readyz`)).status).toBe(200);
  });

  it('a failed scheduler pass is logged with a correlation id and counted; the next pass runs', async () => {
    const { runtime, url } = serving!;
    const spy = vi.spyOn(runtime.readDb, 'selectFrom').mockImplementationOnce(() => {
      throw new Error('the read store broke for one pass');
    });
    await vi.waitFor(
      () => {
        const line = lines.find((l) => l.msg === 'deadline_scheduler failed; it runs again at its next interval');
        expect(line).toMatchObject({ level: 'error', job: 'deadline_scheduler' });
        expect(line!.correlationId).toMatch(/^[0-9a-f-]{36}$/);
        expect((line!.err as { message: string }).message).toBe('the read store broke for one pass');
      },
      { timeout: 10_000, interval: 50 },
    );
    spy.mockRestore();
    await vi.waitFor(
      async () => {
        const text = await (await fetch(`${url}/metrics`)).text();
        expect(text).toContain('gopy_scheduler_runs_total{job="deadline_scheduler",outcome="failed"} 1');
        expect(text).toMatch(/gopy_scheduler_runs_total\{job="deadline_scheduler",outcome="ok"\} [1-9]/);
      },
      { timeout: 10_000, interval: 50 },
    );
  });

  it('when the projector stops, /readyz answers 503 naming it, then the process exits 1', async () => {
    const { runtime, url } = serving!;
    vi.spyOn(runtime.readDb, 'transaction').mockImplementation(() => {
      throw new Error('the read store refuses to write');
    });
    // One new event for the projector to apply.
    await runtime.commands.organization(
      {
        type: 'RegisterOrganization',
        organizationId: randomUUID(),
        name: 'Phòng Giáo dục và Đào tạo',
        kind: 'district_office',
        levels: [],
        schoolType: '',
        parentOrganizationId: null,
      },
      null,
      { systemActor: true },
    );
    const readiness = await vi.waitFor(
      async () => {
        const res = await fetch(`${url}/readyz`);
        const body = (await res.json()) as { failed: string[]; checks: Record<string, Record<string, unknown>> };
        expect(res.status).toBe(503);
        expect(body.failed).toContain('projector');
        return body;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(readiness.checks.projector).toMatchObject({
      ok: false,
      error: 'the projector stopped: the read models no longer follow the log',
    });
    const correlationId = readiness.checks.projector!.correlationId;
    const logged = lines.find((l) => l.correlationId === correlationId);
    expect(logged).toMatchObject({ level: 'error', component: 'projector' });
    expect((logged!.err as { message: string }).message).toBe('the read store refuses to write');
    expect(await exitCode).toBe(1);
    expect(lines.at(-1)).toMatchObject({ msg: 'stopped', exitCode: 1, reason: 'projector failed' });
  });
});
