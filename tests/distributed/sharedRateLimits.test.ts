// With the read store on PostgreSQL the rate limits are counted in PostgreSQL, so two API processes share them:
// sign-ins to one account alternate between the processes and the limit holds for the sum, not for each process.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createThrowawayDatabase } from '../support/postgres';
import { freePort, graphqlClient, repoRoot } from '../support/platform';

const SIGN_INS_PER_MINUTE = 2;

interface Proc {
  child: ChildProcess;
  output: () => string;
}

let database: { url: string; drop(): Promise<void> };
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-limits-'));
const procs: Proc[] = [];
const apiPorts: number[] = [];

function start(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: {
      ...process.env,
      GOPY_MASTER_KEY: 'a'.repeat(64),
      GOPY_LOOKUP_KEY: 'b'.repeat(64),
      GOPY_EVENT_STORE: 'postgres',
      GOPY_READ_STORE: 'postgres',
      DATABASE_URL: database.url,
      GOPY_SERVE_WEB: '0',
      GOPY_DATA_DIR: dataDir,
      GOPY_DEMO: '1',
      GOPY_RATE_SIGNINS_PER_MINUTE: String(SIGN_INS_PER_MINUTE),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const proc = { child, output: () => out };
  procs.push(proc);
  return proc;
}

async function waitUntil(what: string, check: () => boolean, proc: Proc, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (proc.child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${what}:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  database = await createThrowawayDatabase('gopy_limits');
  const projector = start([path.join(repoRoot, 'services/projector/bin/projector.js')], {});
  await waitUntil('demo data', () => fs.existsSync(path.join(dataDir, 'demo-accounts.json')), projector);
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    const api = start([path.join(repoRoot, 'services/api/bin/gopy.js'), 'serve', '--role', 'api'], {
      PORT: String(port),
      HOST: '127.0.0.1',
    });
    await waitUntil('API listening', () => /listening on/.test(api.output()), api, 60_000);
    apiPorts.push(port);
  }
}, 300_000);

afterAll(async () => {
  await Promise.all(
    procs.map(async (p) => {
      if (p.child.exitCode !== null) return;
      const exited = new Promise((r) => p.child.once('exit', r));
      p.child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    }),
  );
  await database?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const SIGN_IN = `mutation($e: String!, $p: String!) {
  signIn(email: $e, password: $p) {
    __typename
    ... on Error { code }
    ... on RateLimitedError { retryAfterSeconds }
  }
}`;

describe('rate limits shared by the API processes on PostgreSQL', () => {
  it('counts sign-ins to one account across both processes', async () => {
    const demo = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-accounts.json'), 'utf8')) as {
      email: string;
      password: string;
    }[];
    const parent = demo.find((a) => a.email.startsWith('parent'))!;
    const [a, b] = apiPorts.map((port) => graphqlClient(`http://127.0.0.1:${port}`));
    const attempt = async (api: typeof a) => {
      const res = await api!<{ signIn: { __typename: string; code?: string; retryAfterSeconds?: number } }>(SIGN_IN, {
        e: parent.email,
        p: parent.password,
      });
      expect(res.errors).toBeUndefined();
      return res.data.signIn;
    };

    // A, B: within the limit of 2 a minute. A again: the third of the minute, refused although A saw only one;
    // each process alone would have let it through.
    expect((await attempt(a)).__typename).toBe('MutationSignInSuccess');
    expect((await attempt(b)).__typename).toBe('MutationSignInSuccess');
    const third = await attempt(a);
    expect(third).toMatchObject({ __typename: 'RateLimitedError', code: 'RATE_LIMITED' });
    expect(third.retryAfterSeconds).toBeGreaterThan(0);
    expect(third.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect((await attempt(b)).__typename).toBe('RateLimitedError');

    // The counters are rows in PostgreSQL, beside the sessions.
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ key: string; points: number }>(
        `SELECT key, points FROM gopy_auth.rate_limits WHERE key = $1`,
        [`signin-account:${parent.email.toLowerCase()}`],
      );
      expect(rows).toEqual([{ key: `signin-account:${parent.email.toLowerCase()}`, points: 4 }]);
    } finally {
      await client.end();
    }
  });
});
