import fs from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app';
import { loadConfig } from '@gopy/composition/config';
import { seedDemo, type DemoAccount } from '@gopy/composition/demo';
import { openEmbeddedRuntime, type Runtime } from '@gopy/composition/runtime';

describe('time travel (policyAsOf) and the audit read log', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-asof-'));
  let runtime: Runtime;
  let server: Server;
  let base: string;
  let people: DemoAccount[];

  async function gql<T = any>(
    query: string,
    variables: Record<string, unknown> = {},
    token?: string,
  ): Promise<{ data: T; errors?: { extensions?: { code?: string } }[] }> {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as { data: T; errors?: { extensions?: { code?: string } }[] };
  }

  async function signInAs(role: string): Promise<string> {
    const who = people.find((p) => p.roles.includes(role as never))!;
    const r = await gql(
      `mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { ... on MutationSignInSuccess { data { token } } } }`,
      { e: who.email, p: who.password },
    );
    return r.data.signIn.data.token as string;
  }

  beforeAll(async () => {
    runtime = await openEmbeddedRuntime(
      loadConfig({
        GOPY_DATA_DIR: dataDir,
        GOPY_DEMO: '0',
        GOPY_SERVE_WEB: '0',
        GOPY_MASTER_KEY: '5'.repeat(64),
        GOPY_LOOKUP_KEY: '6'.repeat(64),
      }),
      { log: () => {} },
    );
    runtime.projector.start();
    people = await seedDemo(runtime);
    await runtime.projector.waitFor((await runtime.store.headPosition())!, 20_000);
    const app = await buildApp(runtime);
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }, 90_000);

  afterAll(async () => {
    await new Promise<void>((r) => server?.close(() => r()));
    await runtime?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows a comment visible during its round, hidden afterwards, by time and by position; logs the auditor’s read', async () => {
    const comment = await runtime.readDb
      .selectFrom('comments')
      .select(['id', 'policy_id'])
      .where('status', '=', 'visible')
      .executeTakeFirstOrThrow();
    const positionBefore = (await runtime.store.headPosition())!;
    await new Promise((r) => setTimeout(r, 20));
    const timeBefore = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));

    const moderator = await signInAs('moderator');
    const hidden = await gql(
      `mutation($c: ID!) { hideComment(commentId: $c, reasonCode: ABUSE, reason: "Ngôn từ xúc phạm") { __typename } }`,
      { c: comment.id },
      moderator,
    );
    expect(hidden.data.hideComment.__typename).toBe('MutationHideCommentSuccess');

    const auditor = await signInAs('auditor');
    const query = `query($id: ID!, $at: String!) { policyAsOf(id: $id, asOf: $at) {
      title status versionNumber stats { total visible hidden }
      rounds { round closesAt }
      comments { commentId status body hiddenReason authorName history { type actorRole reason } }
      history { type recordedAt actorRole }
    } }`;
    for (const at of [timeBefore, positionBefore]) {
      const then = await gql(query, { id: comment.policy_id, at }, auditor);
      expect(then.errors).toBeUndefined();
      const c = then.data.policyAsOf.comments.find((x: { commentId: string }) => x.commentId === comment.id);
      expect(c.status).toBe('visible');
      expect(c.body).toBeTruthy();
      expect(then.data.policyAsOf.status).toBe('consultation');
      expect(then.data.policyAsOf.history[0].type).toBe('PolicyProposed');
    }
    const now = await gql(query, { id: comment.policy_id, at: new Date(Date.now() + 60_000).toISOString() }, auditor);
    const c = now.data.policyAsOf.comments.find((x: { commentId: string }) => x.commentId === comment.id);
    expect(c.status).toBe('hidden');
    expect(c.hiddenReason).toBe('Ngôn từ xúc phạm');
    expect(c.history.at(-1)).toMatchObject({
      type: 'CommentHidden',
      actorRole: 'moderator',
      reason: 'Ngôn từ xúc phạm',
    });
    expect(now.data.policyAsOf.stats.hidden).toBe(1);

    // Before the policy existed there is nothing to show.
    expect(
      (await gql(query, { id: comment.policy_id, at: '2000-01-01T00:00:00Z' }, auditor)).data.policyAsOf,
    ).toBeNull();

    // A participant may not travel in time.
    const participant = people.find((x) => x.roles.every((r) => r === 'participant'))!;
    const signedIn = await gql(
      `mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { ... on MutationSignInSuccess { data { token } } } }`,
      { e: participant.email, p: participant.password },
    );
    const participantToken = signedIn.data.signIn.data.token as string;
    const refused = await gql(query, { id: comment.policy_id, at: timeBefore }, participantToken);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // The auditor's read of hidden content is itself recorded, and auditors see that log.
    const log = await gql(`{ auditReadLog { readerRole subjectKind subjectId field } }`, {}, auditor);
    expect(log.data.auditReadLog[0]).toMatchObject({
      readerRole: 'auditor',
      subjectKind: 'policyAsOf',
      field: 'policyAsOf',
    });
    expect((await gql(`{ auditReadLog { field } }`, {}, moderator)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // The auditor area's other reads.
    const area = await gql(
      `{ auditVerification { ok events checkpoints failure { eventId } } auditEvents(first: 5, eventType: "CommentHidden") { events { type hash prevHash hashMatches actorRole } nextAfter } auditPublicKey }`,
      {},
      auditor,
    );
    expect(area.errors).toBeUndefined();
    expect(area.data.auditVerification.ok).toBe(true);
    expect(area.data.auditEvents.events).toHaveLength(1);
    expect(area.data.auditEvents.events[0]).toMatchObject({
      type: 'CommentHidden',
      hashMatches: true,
      actorRole: 'moderator',
    });
    expect(area.data.auditPublicKey).toContain('BEGIN PUBLIC KEY');
    const wellKnown = await fetch(`${base}/.well-known/gopy-audit-key`);
    expect(await wellKnown.text()).toBe(area.data.auditPublicKey);
  });
});
