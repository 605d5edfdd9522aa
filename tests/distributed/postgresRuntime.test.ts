import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createThrowawayDatabase } from '../support/postgres';
import { freePort, graphqlClient, repoRoot } from '../support/platform';

let database: { url: string; drop(): Promise<void> };

interface Proc {
  child: ChildProcess;
  output: () => string;
  port?: number;
}

const secrets = { GOPY_MASTER_KEY: 'a'.repeat(64), GOPY_LOOKUP_KEY: 'b'.repeat(64) };

function start(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: {
      ...process.env,
      ...secrets,
      GOPY_EVENT_STORE: 'postgres',
      GOPY_READ_STORE: 'postgres',
      DATABASE_URL: database.url,
      GOPY_SERVE_WEB: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000, proc?: Proc) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${proc ? `:\n${proc.output()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startApi(dataDir: string): Promise<Proc & { port: number }> {
  const port = await freePort();
  const proc = start([path.join(repoRoot, 'services/api/bin/gopy.js'), 'serve', '--role', 'api'], {
    PORT: String(port),
    HOST: '127.0.0.1',
    GOPY_DATA_DIR: dataDir,
    GOPY_DEMO: '1',
  });
  await waitUntil('api to listen', () => /listening on/.test(proc.output()), 60_000, proc);
  return { ...proc, port };
}

function startProjector(dataDir: string): Proc {
  return start([path.join(repoRoot, 'services/projector/bin/projector.js')], {
    GOPY_DATA_DIR: dataDir,
    GOPY_DEMO: '1',
  });
}

async function stop(proc: Proc | undefined, signal: NodeJS.Signals = 'SIGTERM') {
  if (!proc || proc.child.exitCode !== null) return;
  const exited = new Promise((r) => proc.child.once('exit', r));
  proc.child.kill(signal);
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
}

describe('distributed runtime on PostgreSQL: two API processes, projector processes under a lease', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-dist-'));
  let first: Proc | undefined;
  let second: Proc | undefined;
  let apiA: (Proc & { port: number }) | undefined;
  let apiB: (Proc & { port: number }) | undefined;

  beforeAll(async () => {
    database = await createThrowawayDatabase('gopy_dist');
    first = startProjector(dataDir);
    await waitUntil(
      'demo data through the first projector',
      () => fs.existsSync(path.join(dataDir, 'demo-accounts.json')),
      120_000,
      first,
    );
    second = startProjector(dataDir);
    await waitUntil(
      'the second projector to wait for the lease',
      () => /another projector holds the lease/.test(second!.output()),
      30_000,
      second,
    );
    apiA = await startApi(dataDir);
    apiB = await startApi(dataDir);
  }, 240_000);

  afterAll(async () => {
    await Promise.all([stop(apiA), stop(apiB), stop(first), stop(second)]);
    await database?.drop();
  });

  it('reads from one API process a comment posted to the other', async () => {
    const demo = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-accounts.json'), 'utf8')) as {
      email: string;
      password: string;
      roles: string[];
    }[];
    const parent = demo.find((a) => a.email.startsWith('parent'))!;
    const onA = graphqlClient(`http://127.0.0.1:${apiA!.port}`);
    const signIn = await onA<{ signIn: { data: { token: string } } }>(
      'mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ ... on MutationSignInSuccess { data { token } } ... on Error { code message } } }',
      { e: parent.email, p: parent.password },
    );
    const token = signIn.data.signIn.data.token;
    const a = graphqlClient(`http://127.0.0.1:${apiA!.port}`, token);
    const b = graphqlClient(`http://127.0.0.1:${apiB!.port}`, token);
    const list = await b<{ policies: { edges: { node: { id: string; status: string } }[] } }>(
      '{ policies(status: CONSULTATION) { edges { node { id status } } } }',
    );
    const policyId = list.data.policies.edges[0]!.node.id;
    const body = `Góp ý qua máy chủ A ${randomUUID()}`;
    const posted = await a<{
      submitComment: { __typename: string; data: { position: string; comment: { id: string } } };
    }>(
      'mutation($i:SubmitCommentInput!){ submitComment(input:$i){ __typename ... on MutationSubmitCommentSuccess { data { position comment { id } } } ... on Error { code message } } }',
      { i: { policyId, body, stance: 'SUGGESTION', idempotencyKey: randomUUID() } },
    );
    expect(posted.data.submitComment.__typename).toBe('MutationSubmitCommentSuccess');
    // The mutation answered only once the read models (written by the projector process) showed the comment,
    // so the other API process reads it at once.
    const read = await b<{ policy: { comments: { edges: { node: { id: string; body: string } }[] } } }>(
      'query($id:ID!){ policy(id:$id){ comments(first: 5) { edges { node { id body } } } } }',
      { id: policyId },
    );
    expect(read.data.policy.comments.edges.map((e) => e.node.body)).toContain(body);
  });

  it('lets the waiting projector take over when the lease holder dies', async () => {
    await stop(first, 'SIGKILL');
    await waitUntil(
      'the second projector to take the lease',
      () => /projector lease held/.test(second!.output()),
      30_000,
      second,
    );
    const demo = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-accounts.json'), 'utf8')) as {
      email: string;
      password: string;
    }[];
    const parent = demo.find((a) => a.email.startsWith('parent'))!;
    const anon = graphqlClient(`http://127.0.0.1:${apiA!.port}`);
    const signIn = await anon<{ signIn: { data: { token: string } } }>(
      'mutation($e:String!,$p:String!){ signIn(email:$e,password:$p){ ... on MutationSignInSuccess { data { token } } } }',
      { e: parent.email, p: parent.password },
    );
    const a = graphqlClient(`http://127.0.0.1:${apiA!.port}`, signIn.data.signIn.data.token);
    const list = await a<{ policies: { edges: { node: { id: string } }[] } }>(
      '{ policies(status: CONSULTATION) { edges { node { id } } } }',
    );
    const policyId = list.data.policies.edges[0]!.node.id;
    const posted = await a<{ submitComment: { __typename: string } }>(
      'mutation($i:SubmitCommentInput!){ submitComment(input:$i){ __typename } }',
      { i: { policyId, body: 'Sau khi đổi máy chiếu sự kiện', stance: 'NEUTRAL', idempotencyKey: randomUUID() } },
    );
    expect(posted.errors).toBeUndefined();
    expect(posted.data.submitComment.__typename).toBe('MutationSubmitCommentSuccess');
  });
});
