/**
 * The distributed runtime with its events in KurrentDB and its read models on PostgreSQL.
 *
 * Without KURRENTDB_URL it runs against the KurrentDB TEST DOUBLE (tests/kurrentdb-double: a gRPC server speaking the
 * client's protocol, NOT KurrentDB), started as its own process with its log in a file, so that it can be killed and
 * restarted on the same port as a node would be. With KURRENTDB_URL set, the same test runs against that server, which
 * must be empty (the demo log is copied into it); the cases that restart the server are then skipped.
 *
 * Every process is a child of this test, started without stdin, with output collected, killed in afterAll; every wait
 * is bounded. (An in-process double and a synchronous `execFileSync` of `gopy store copy` deadlock: the test's event
 * loop is blocked waiting for the child while the child waits for the double in that same loop. The client's first
 * call, which asks for the server's features, has no deadline, so nothing would ever time out.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY_CHANGED, subscribe, type PolicyChangedEvent } from '../api/support';
import { freePort, graphqlClient, parseEml, repoRoot, startPlatform } from '../support/platform';
import { createThrowawayDatabase } from '../support/postgres';

const external = process.env.KURRENTDB_URL;
// The page query below is costlier than any page of the site: the armor's cost limit is raised for it.
const secrets = { GOPY_MASTER_KEY: '1'.repeat(64), GOPY_LOOKUP_KEY: '2'.repeat(64), GOPY_GRAPHQL_MAX_COST: '200000' };

const pageQuery = `{ policies(first: 20) { totalCount edges { node { id title status commentCount
  comments(first: 50) { totalCount edges { node { id body stance authorName anchorLabel } } } } } } }`;

interface PolicyPage {
  policies: {
    totalCount: number;
    edges: {
      node: {
        id: string;
        title: string;
        status: string;
        commentCount: number;
        comments: { totalCount: number; edges: { node: { id: string; body: string } }[] };
      };
    }[];
  };
}

interface Proc {
  name: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

const running = new Set<Proc>();

function startProcess(name: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    // No stdin: a child waiting on a pipe nobody writes to is one way to hang.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const proc: Proc = { name, child, output: () => out, exited };
  running.add(proc);
  void exited.then(() => running.delete(proc));
  return proc;
}

async function stopProcess(proc: Proc | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill(signal);
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000).unref());
  if ((await Promise.race([proc.exited, timer])) === 'timeout') {
    proc.child.kill('SIGKILL');
    await proc.exited;
  }
}

async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  proc?: Proc,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (proc && proc.child.exitCode !== null)
      throw new Error(`${proc.name} exited with ${proc.child.exitCode} while waiting for ${what}:\n${proc.output()}`);
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${proc ? `:\n${proc.output()}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Runs a `gopy` command to its end (asynchronously, so that nothing in this process is blocked), within a time limit. */
async function gopy(args: string[], env: Record<string, string>, timeoutMs = 180_000): Promise<string> {
  const proc = startProcess(`gopy ${args.join(' ')}`, [path.join(repoRoot, 'services/api/bin/gopy.js'), ...args], env);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), timeoutMs);
  const code = await proc.exited.finally(() => clearTimeout(timer));
  if (code !== 0) throw new Error(`gopy ${args.join(' ')} ended with ${String(code)}:\n${proc.output()}`);
  return proc.output();
}

/** The KurrentDB test double as a process: its log in `file`, so that a restart on the same port serves the same data. */
async function startDouble(file: string, port = 0): Promise<{ proc: Proc; url: string; port: number }> {
  const proc = startProcess(
    'KurrentDB test double',
    [
      '--import',
      'tsx',
      path.join(repoRoot, 'tests/kurrentdb-double/main.ts'),
      '--port',
      String(port),
      '--file',
      file,
      '--trace',
      '--parent-pid',
      String(process.pid),
    ],
    {},
  );
  await waitUntil(
    'the KurrentDB test double to listen',
    () => /listening: esdb:\/\/[^:]+:\d+/.test(proc.output()),
    60_000,
    proc,
  );
  const url = /listening: (esdb:\/\/\S+)/.exec(proc.output())![1]!;
  return { proc, url, port: Number(/:(\d+)\?/.exec(url)![1]) };
}

/** The connection string with a connection name, which the double's trace reports for each $all read. */
function named(url: string, name: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}connectionName=${name}`;
}

/** The double's trace of $all reads and subscriptions, as `[what, from, connection]`. */
function traces(proc: Proc): { what: string; from: string; by: string }[] {
  return [...proc.output().matchAll(/^trace: (\$all (?:subscription|read \w+)) from (\S+) by (\S+)$/gm)].map((m) => ({
    what: m[1]!,
    from: m[2]!,
    by: m[3]!,
  }));
}

/** The adapter's opaque position `<commit>-<prepare>` as the double prints it. */
function nativeOf(position: string): string {
  const [commit, prepare] = position.split('-');
  return `${BigInt(commit!)}/${BigInt(prepare!)}`;
}

function storedRows(dir: string): unknown[] {
  const db = new Database(path.join(dir, 'events.sqlite'), { readonly: true });
  try {
    return db
      .prepare('SELECT stream_id, revision, event_id, type, data, metadata, hash FROM events ORDER BY position')
      .all();
  } finally {
    db.close();
  }
}

describe('distributed runtime: events in KurrentDB (the test double unless KURRENTDB_URL), read models on PostgreSQL', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-kdb-'));
  const doubleFile = path.join(root, 'double', 'log.jsonl');
  let double: { proc: Proc; url: string; port: number } | undefined;
  /** Where the double's trace stood, and the checkpoint saved, when the projector was restarted. */
  let restart: { tracedBefore: number; savedPosition: string } | undefined;
  let kurrentUrl = '';
  let database: { url: string; drop(): Promise<void> } | undefined;
  let api: (Proc & { baseUrl: string }) | undefined;
  let projector: Proc | undefined;
  const dataDir = path.join(root, 'runtime');
  let before: PolicyPage | undefined;
  let token = '';
  let policyId = '';

  const runtimeEnv = (): Record<string, string> => ({
    ...secrets,
    GOPY_EVENT_STORE: 'kurrentdb',
    GOPY_READ_STORE: 'postgres',
    DATABASE_URL: database!.url,
    GOPY_DATA_DIR: dataDir,
    GOPY_DEMO: '0',
    GOPY_SERVE_WEB: '0',
    SMTP_URL: '',
    // No audit seal appended mid-test: the cases compare the projector's checkpoint before and after a cut.
    GOPY_SEAL_INTERVAL_MS: '3600000',
  });

  const startProjector = async (): Promise<Proc> => {
    const proc = startProcess('projector', [path.join(repoRoot, 'services/projector/bin/projector.js')], {
      ...runtimeEnv(),
      KURRENTDB_URL: named(kurrentUrl, 'gopy-projector'),
    });
    await waitUntil('the projector to hold its lease', () => /projector lease held/.test(proc.output()), 60_000, proc);
    return proc;
  };

  const startApi = async (): Promise<Proc & { baseUrl: string }> => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const proc = startProcess('api', [path.join(repoRoot, 'services/api/bin/gopy.js'), 'serve', '--role', 'api'], {
      ...runtimeEnv(),
      KURRENTDB_URL: named(kurrentUrl, 'gopy-api'),
      PORT: String(port),
      HOST: '127.0.0.1',
      GOPY_PUBLIC_URL: baseUrl,
    });
    await waitUntil('the API to listen', () => /listening on/.test(proc.output()), 60_000, proc);
    return { ...proc, baseUrl };
  };

  const checkpoint = async (): Promise<{ position: string; seq: number }> => {
    const client = new pg.Client({ connectionString: database!.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ position: string; seq: string }>(
        `SELECT position, seq FROM gopy_read.projector_checkpoint WHERE name = 'main'`,
      );
      return { position: rows[0]!.position, seq: Number(rows[0]!.seq) };
    } finally {
      await client.end();
    }
  };

  const page = async (): Promise<PolicyPage> => {
    const result = await graphqlClient(api!.baseUrl)<PolicyPage>(pageQuery);
    expect(result.errors).toBeUndefined();
    return result.data;
  };

  const policy = async (): Promise<PolicyPage['policies']['edges'][number]['node']> =>
    (await page()).policies.edges.find((e) => e.node.id === policyId)!.node;

  const submit = async (body: string) => {
    const result = await graphqlClient(api!.baseUrl, token)<{
      submitComment: {
        __typename: string;
        code?: string;
        message?: string;
        data?: { position: string; readModelBehind: boolean; comment: { id: string; body: string } };
      };
    }>(
      `mutation($i: SubmitCommentInput!) { submitComment(input: $i) { __typename
        ... on MutationSubmitCommentSuccess { data { position readModelBehind comment { id body } } } ... on Error { code message } } }`,
      { i: { policyId, body, stance: 'SUGGESTION', idempotencyKey: randomUUID() } },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.submitComment.__typename, JSON.stringify(result.data.submitComment)).toBe(
      'MutationSubmitCommentSuccess',
    );
    return result.data.submitComment.data!;
  };

  beforeAll(async () => {
    database = await createThrowawayDatabase('gopy_kdb');
    if (external) kurrentUrl = external;
    else {
      double = await startDouble(doubleFile);
      kurrentUrl = double.url;
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...running].map((p) => stopProcess(p)));
    await database?.drop();
    fs.rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('copies a SQLite demo log to KurrentDB and back: same count, every hash chain verified, the same bytes', async () => {
    const onSqlite = await startPlatform({ env: { ...secrets, GOPY_SERVE_WEB: '0' } });
    try {
      const read = await graphqlClient(onSqlite.baseUrl)<PolicyPage>(pageQuery);
      expect(read.errors).toBeUndefined();
      before = read.data;
    } finally {
      await onSqlite.stop();
    }
    expect(before.policies.totalCount).toBeGreaterThan(0);
    const original = storedRows(onSqlite.dataDir);
    expect(original.length).toBeGreaterThan(20);

    const env = { ...secrets, GOPY_DATA_DIR: onSqlite.dataDir };
    // KurrentDB keeps no keys: they go to PostgreSQL (schema gopy_keys), where the runtime on KurrentDB looks for them.
    const there = await gopy(
      [
        'store',
        'copy',
        '--from',
        `sqlite:${onSqlite.dataDir}`,
        '--to',
        `kurrentdb:${kurrentUrl}`,
        '--keys-to',
        `postgres:${database!.url}`,
      ],
      env,
    );
    const report =
      /Copied (\d+) events \((\d+) already there[^)]*\); (\d+) events in (\d+) streams verified on the target; (\d+) keys copied/.exec(
        there,
      );
    expect(report, there).not.toBeNull();
    expect(Number(report![1])).toBe(original.length);
    expect(Number(report![3])).toBe(original.length);
    expect(Number(report![5])).toBeGreaterThan(0);

    // And back. The keys come from where a runtime on KurrentDB configured like this keeps them (PostgreSQL here).
    const back = path.join(root, 'back');
    const again = await gopy(['store', 'copy', '--from', `kurrentdb:${kurrentUrl}`, '--to', `sqlite:${back}`], {
      ...env,
      GOPY_READ_STORE: 'postgres',
      DATABASE_URL: database!.url,
    });
    const returned =
      /Copied (\d+) events \((\d+) already there[^)]*\); (\d+) events in (\d+) streams verified on the target; (\d+) keys copied/.exec(
        again,
      );
    expect(returned, again).not.toBeNull();
    expect([Number(returned![1]), Number(returned![3]), Number(returned![5])]).toEqual([
      original.length,
      original.length,
      Number(report![5]),
    ]);
    expect(storedRows(back)).toEqual(original);
    // The copy back is a working store: the same pages, comment bodies decrypted with the keys that came along.
    const onCopy = await startPlatform({ dataDir: back, demo: false, env: { ...secrets, GOPY_SERVE_WEB: '0' } });
    try {
      const read = await graphqlClient(onCopy.baseUrl)<PolicyPage>(pageQuery);
      expect(read.errors).toBeUndefined();
      expect(read.data).toEqual(before);
    } finally {
      await onCopy.stop();
    }
  }, 300_000);

  it('an API and a projector process on KurrentDB + PostgreSQL serve the copied policies and take a new comment end to end', async () => {
    expect(before, 'the copy case ran first').toBeDefined();
    projector = await startProjector();
    api = await startApi();
    // The projector builds the read models from the copied log: the pages become what they were on SQLite.
    let now: PolicyPage | undefined;
    await waitUntil(
      'the read models to show the copied log',
      async () => JSON.stringify((now = await page())) === JSON.stringify(before),
      120_000,
      projector,
    );
    expect(now).toEqual(before);

    // A participant signs up, verifies by the mailed link and signs in: every step written to KurrentDB.
    const anonymous = graphqlClient(api.baseUrl);
    const email = `phu-huynh-${randomUUID().slice(0, 8)}@example.vn`;
    const password = 'mật-khẩu-đủ-dài-123';
    const signedUp = await anonymous<{ signUp: { __typename: string } }>(
      'mutation($i: SignUpInput!) { signUp(input: $i) { __typename ... on Error { code message } } }',
      { i: { email, password, displayName: 'Nguyễn Thị Hoà', stakeholderCategory: 'PARENT' } },
    );
    expect(signedUp.data.signUp.__typename, JSON.stringify(signedUp)).toBe('MutationSignUpSuccess');
    let link: RegExpExecArray | null = null;
    await waitUntil(
      'the verification mail',
      () => {
        const dir = path.join(dataDir, 'mail');
        const mails = fs.existsSync(dir)
          ? fs.readdirSync(dir).map((f) => parseEml(fs.readFileSync(path.join(dir, f), 'utf8')))
          : [];
        link = mails.map((m) => /\/verify-email\?token=([A-Za-z0-9_-]+)/.exec(m.text)).find((m) => m !== null) ?? null;
        return link !== null;
      },
      20_000,
      api,
    );
    const verified = await anonymous<{ verifyEmail: { __typename: string } }>(
      'mutation($t: String!) { verifyEmail(token: $t) { __typename } }',
      { t: link![1] },
    );
    expect(verified.data.verifyEmail.__typename).toBe('MutationVerifyEmailSuccess');
    const signIn = await anonymous<{ signIn: { __typename: string; data: { token: string } } }>(
      'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { __typename ... on MutationSignInSuccess { data { token } } } }',
      { e: email, p: password },
    );
    expect(signIn.data.signIn.__typename).toBe('MutationSignInSuccess');
    token = signIn.data.signIn.data.token;

    const open = await graphqlClient(api.baseUrl)<{ policies: { edges: { node: { id: string } }[] } }>(
      '{ policies(status: CONSULTATION) { edges { node { id } } } }',
    );
    policyId = open.data.policies.edges[0]!.node.id;
    const count = (await policy()).commentCount;
    const body = `Đề nghị bổ sung xe đưa đón học sinh vùng sâu ${randomUUID().slice(0, 8)}`;
    const posted = await submit(body);
    // Read-your-writes: the mutation answered once the projector process had applied it to PostgreSQL.
    expect(posted.readModelBehind).toBe(false);
    expect(posted.comment.body).toBe(body);
    const after = await policy();
    expect(after.commentCount).toBe(count + 1);
    expect(after.comments.edges.map((e) => e.node.body)).toContain(body);
  }, 300_000);

  it('a restarted projector resumes from its checkpoint: the comment made while it was down is applied once', async () => {
    expect(token, 'the end-to-end case ran first').not.toBe('');
    const count = (await policy()).commentCount;
    await stopProcess(projector);
    const saved = await checkpoint();

    // The write is stored while no projector runs; the API says the read models are behind instead of failing.
    const body = `Góp ý khi máy chiếu sự kiện đang dừng ${randomUUID().slice(0, 8)}`;
    const posted = await submit(body);
    expect(posted.readModelBehind).toBe(true);
    expect((await policy()).commentCount).toBe(count);

    restart = { tracedBefore: double ? traces(double.proc).length : 0, savedPosition: saved.position };
    projector = await startProjector();
    await waitUntil(
      'the comment to reach the read models',
      async () => (await policy()).comments.edges.some((e) => e.node.body === body),
      60_000,
      projector,
    );
    const after = await policy();
    expect(after.commentCount).toBe(count + 1);
    expect(after.comments.edges.filter((e) => e.node.body === body)).toHaveLength(1);
    const resumed = await checkpoint();
    expect(resumed.seq).toBeGreaterThan(saved.seq);
  }, 180_000);

  // Only the test double traces where each $all read starts; a real server does not say.
  it.skipIf(external)('the restarted projector read $all from the checkpoint it had saved, not from the start', () => {
    expect(restart, 'the restart case ran first').toBeDefined();
    const fresh = traces(double!.proc)
      .slice(restart!.tracedBefore)
      .filter((t) => t.by === 'gopy-projector');
    expect(
      fresh.map((t) => t.from),
      JSON.stringify(fresh),
    ).toContain(nativeOf(restart!.savedPosition));
  });

  it.skipIf(external)(
    'survives a dropped connection: the double killed and restarted on the same port, the subscription resumes from its checkpoint',
    async () => {
      expect(token, 'the end-to-end case ran first').not.toBe('');
      const count = (await policy()).commentCount;
      const saved = await checkpoint();
      // A browser watching the policy over SSE: the API process's own subscription to $all must come back too.
      const watching = await subscribe<PolicyChangedEvent>(api!.baseUrl, POLICY_CHANGED, { id: policyId });
      const port = double!.port;
      await stopProcess(double!.proc, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 1_000));
      double = await startDouble(doubleFile, port);
      expect(double.port).toBe(port);

      // The projector's subscription comes back on its own, strictly after the position it had reached.
      const resubscribed = () =>
        traces(double!.proc).filter((t) => t.what === '$all subscription' && t.by === 'gopy-projector');
      await waitUntil('the projector to subscribe again', () => resubscribed().length > 0, 60_000, projector);
      expect(resubscribed()[0]!.from).toBe(nativeOf(saved.position));
      expect(projector!.child.exitCode).toBeNull();
      expect(api!.child.exitCode).toBeNull();

      const body = `Góp ý sau khi kết nối bị ngắt ${randomUUID().slice(0, 8)}`;
      const posted = await submit(body);
      expect(posted.readModelBehind).toBe(false);
      const after = await policy();
      expect(after.commentCount).toBe(count + 1);
      expect(after.comments.edges.filter((e) => e.node.body === body)).toHaveLength(1);
      try {
        const change = await watching.waitFor((e) => e.policyChanged.commentId === posted.comment.id, 30_000);
        expect(change.policyChanged).toMatchObject({ kind: 'COMMENT_ADDED', policyId, position: posted.position });
        expect(watching.events.filter((e) => e.policyChanged.commentId === posted.comment.id)).toHaveLength(1);
      } finally {
        await watching.close();
      }
    },
    180_000,
  );

  it('a process pointed at a KurrentDB that accepts connections but never answers stops with exit code 2, naming KURRENTDB_URL', async () => {
    // A frozen node: the client's first call has no deadline, so without the adapter's own limit this would never end.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      const proc = startProcess(
        'api on a silent server',
        [path.join(repoRoot, 'services/api/bin/gopy.js'), 'serve', '--role', 'api'],
        {
          ...runtimeEnv(),
          GOPY_DATA_DIR: path.join(root, 'silent'),
          KURRENTDB_URL: `esdb://127.0.0.1:${port}?tls=false`,
          PORT: String(await freePort()),
          HOST: '127.0.0.1',
        },
      );
      const timer = setTimeout(() => proc.child.kill('SIGKILL'), 60_000);
      const code = await proc.exited.finally(() => clearTimeout(timer));
      expect(code, proc.output()).toBe(2);
      expect(proc.output()).toMatch(/KURRENTDB_URL/);
      expect(proc.output()).toMatch(/cannot be reached/);
      expect(sockets.size).toBeGreaterThan(0);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  }, 120_000);
});
