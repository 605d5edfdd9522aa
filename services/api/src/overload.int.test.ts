import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commentIdFor } from '@gopy/application/commands';
import { commentQueries } from '@gopy/application/readModels/index';
import { buildApp } from './app';
import { loadConfig } from '@gopy/composition/config';
import { openEmbeddedRuntime, type Runtime } from '@gopy/composition/runtime';
import { aPolicyInConsultation } from './smallWorld.testing';

class ManualClock {
  constructor(private t: number) {}
  now() {
    return new Date(this.t);
  }
}

const SUBMIT = /* GraphQL */ `
  mutation Submit($input: SubmitCommentInput!) {
    submitComment(input: $input) {
      __typename
      ... on MutationSubmitCommentSuccess {
        data {
          position
          readModelBehind
          comment {
            id
            body
            stance
            authorName
            status
            policyId
          }
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`;

interface SubmitAnswer {
  status: number;
  body: {
    data?: {
      submitComment: {
        __typename: string;
        data?: {
          position: string;
          readModelBehind: boolean;
          comment: { id: string; body: string; stance: string; authorName: string; status: string; policyId: string };
        };
        code?: string;
      };
    };
    errors?: unknown[];
  };
}

/**
 * Overload: the projector is far behind the log. A comment the write path stored must be answered as stored, with its
 * position and a flag saying the read models are behind, never as INTERNAL; and waiting callers must not pile up
 * listeners on the projector.
 */
describe('submitComment while the read models are behind', () => {
  let runtime: Runtime;
  let server: Server;
  let url: string;
  let token: string;
  let accountId: string;
  let policyId: string;
  const clock = new ManualClock(Date.parse('2026-11-20T03:00:00.000Z'));

  const submit = async (idempotencyKey: string, body: string): Promise<SubmitAnswer> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: SUBMIT,
        variables: { input: { policyId, body, stance: 'SUPPORT', idempotencyKey } },
      }),
    });
    return { status: res.status, body: (await res.json()) as SubmitAnswer['body'] };
  };

  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-overload-'));
    runtime = await openEmbeddedRuntime(
      loadConfig({ GOPY_DATA_DIR: dataDir, GOPY_DEMO: '0', GOPY_SERVE_WEB: '0', GOPY_RATE_COMMENTS_PER_MINUTE: '0' }),
      {
        clock,
        log: () => {},
      },
    );
    runtime.projector.start();
    policyId = (await aPolicyInConsultation(runtime)).policyId;
    const email = 'qua-tai@example.vn';
    const password = 'mật khẩu dài 123';
    accountId = await runtime.accounts.signUp(
      { email, password, displayName: 'Người góp ý', pseudonym: null, stakeholderCategory: 'parent', locale: 'vi' },
      { origin: 'admin', verified: true },
    );
    await runtime.projector.waitFor((await runtime.store.headPosition())!, 20_000);
    token = (await runtime.accounts.signIn(email, password)).token;
    const app = await buildApp(runtime);
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  }, 90_000);

  afterAll(async () => {
    if (server) await new Promise((r) => server.close(r));
    await runtime?.close();
  });

  it('answers from the read model when it keeps up', async () => {
    const answer = await submit('binh-thuong-1', 'Góp ý khi hệ thống bình thường');
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data?.submitComment.__typename).toBe('MutationSubmitCommentSuccess');
    expect(answer.body.data?.submitComment.data?.readModelBehind).toBe(false);
    expect(answer.body.data?.submitComment.data?.comment.body).toBe('Góp ý khi hệ thống bình thường');
  });

  it('answers success with the position and readModelBehind when the projector does not catch up in time', async () => {
    await runtime.projector.stop();
    const body = 'Góp ý lúc quá tải: trường học cần thêm phòng học';
    let answer: SubmitAnswer;
    const started = Date.now();
    try {
      answer = await submit('qua-tai-1', body);
    } finally {
      runtime.projector.start();
    }
    const waited = Date.now() - started;
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    const result = answer.body.data!.submitComment;
    expect(result.__typename).toBe('MutationSubmitCommentSuccess');
    expect(result.data!.readModelBehind).toBe(true);
    expect(result.data!.comment).toMatchObject({
      id: commentIdFor(accountId, 'qua-tai-1'),
      body,
      stance: 'SUPPORT',
      authorName: 'Người góp ý',
      status: 'visible',
      policyId,
    });
    // It answered after waiting (the read models were given their chance), not at once.
    expect(waited).toBeGreaterThanOrEqual(4_000);
    // The write took effect: the comment is in the log at the position answered, and reaches the read model.
    const head = (await runtime.store.headPosition())!;
    expect(runtime.store.comparePositions(head, result.data!.position as never)).toBeGreaterThanOrEqual(0);
    expect(await runtime.projector.waitFor(result.data!.position as never, 20_000)).toBe(true);
    const [row] = await commentQueries.byIds(runtime.readDb, [commentIdFor(accountId, 'qua-tai-1')]);
    expect(row?.body).toBe(body);
  }, 30_000);

  it('answers a retry with the same idempotency key as stored, without a second comment, also while behind', async () => {
    await runtime.projector.stop();
    const body = 'Góp ý gửi lại khi quá tải';
    let first: SubmitAnswer;
    let retry: SubmitAnswer;
    try {
      first = await submit('qua-tai-2', body);
      retry = await submit('qua-tai-2', body);
    } finally {
      runtime.projector.start();
    }
    for (const answer of [first, retry]) {
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data!.submitComment.__typename).toBe('MutationSubmitCommentSuccess');
      expect(answer.body.data!.submitComment.data!.readModelBehind).toBe(true);
      expect(answer.body.data!.submitComment.data!.comment.body).toBe(body);
    }
    const stored = [];
    for await (const e of runtime.store.readStream(`comment-${commentIdFor(accountId, 'qua-tai-2')}`)) stored.push(e);
    expect(stored.map((e) => e.type)).toEqual(['CommentSubmitted']);
  }, 30_000);

  it('keeps no listener per waiting caller on the projector (no MaxListenersExceededWarning)', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    // More than EventEmitter's default limit of 10 listeners, few enough to all be waiting within the 5 s wait.
    const WAITERS = 16;
    const listenersBefore = runtime.projector.listenerCount('applied');
    await runtime.projector.stop();
    try {
      const answers = Promise.all(
        Array.from({ length: WAITERS }, (_, i) => submit(`dong-thoi-${i}`, `Góp ý đồng thời số ${i}`)),
      );
      // Let every request reach its wait.
      const deadline = Date.now() + 4_000;
      while (runtime.projector.waiting < WAITERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(runtime.projector.waiting).toBe(WAITERS);
      expect(runtime.projector.listenerCount('applied')).toBe(listenersBefore);
      runtime.projector.start();
      const all = await answers;
      for (const a of all) expect(a.body.data?.submitComment.__typename).toBe('MutationSubmitCommentSuccess');
      // Released by the projector catching up, not by the timeout.
      expect(all.filter((a) => a.body.data?.submitComment.data?.readModelBehind === false)).toHaveLength(WAITERS);
      expect(runtime.projector.waiting).toBe(0);
    } finally {
      runtime.projector.start();
      process.off('warning', onWarning);
    }
    await new Promise((r) => setImmediate(r));
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  }, 30_000);

  it('a waiter that times out is removed and answers false', async () => {
    await runtime.projector.stop();
    try {
      const head = (await runtime.store.headPosition())!;
      const beyond = String(Number(head) + 1).padStart(head.length, '0') as typeof head;
      expect(await runtime.projector.waitFor(beyond, 50)).toBe(false);
      expect(runtime.projector.waiting).toBe(0);
    } finally {
      runtime.projector.start();
    }
  });
});
