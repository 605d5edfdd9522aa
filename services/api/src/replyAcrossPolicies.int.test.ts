import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streams, type DomainEvent } from '@gopy/schemas';
import { commentAggregate, commentIdFor, type Principal } from '@gopy/application/commands';
import { policyAsOf } from '@gopy/application/audit/timeTravel';
import { commentQueries, notificationQueries } from '@gopy/application/readModels/index';
import { loadConfig } from '@gopy/composition/config';
import { commentRowsAt } from './exports/comments';
import { openEmbeddedRuntime, type Runtime } from '@gopy/composition/runtime';
import { aPolicyInConsultation, type SmallWorld } from './smallWorld.testing';

/**
 * Logs written before issue 15 may hold a reply whose parent is another policy's comment (the decider did not check).
 * Such a reply is appended here as an old log holds it, past the decider, and the read models must not attach it to
 * that parent: no reply under it, no reply count, no notification to its author, and no parent in the time-travel view.
 */
describe('a reply to another policy’s comment already in the log', () => {
  let runtime: Runtime;
  let own: SmallWorld;
  let other: SmallWorld;
  const author: Principal = { accountId: randomUUID(), rolesIn: async () => ['participant'] };
  const replier: Principal = { accountId: randomUUID(), rolesIn: async () => ['participant'] };
  const parentId = commentIdFor(author.accountId, 'parent');
  const replyId = commentIdFor(replier.accountId, 'reply');
  const settle = async () =>
    expect(await runtime.projector.waitFor((await runtime.store.headPosition())!, 20_000)).toBe(true);

  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-replies-'));
    runtime = await openEmbeddedRuntime(loadConfig({ GOPY_DATA_DIR: dataDir, GOPY_DEMO: '0' }), { log: () => {} });
    runtime.projector.start();
    own = await aPolicyInConsultation(runtime);
    other = await aPolicyInConsultation(runtime);
    await runtime.commands.comment(
      {
        type: 'SubmitComment',
        commentId: parentId,
        policyId: other.policyId,
        version: 1,
        anchorNodeId: null,
        parentCommentId: null,
        body: 'Góp ý của một phụ huynh ở dự thảo khác.',
        stance: 'suggestion',
        stakeholderCategory: 'parent',
        authorAccountId: author.accountId,
        pseudonym: null,
        idempotencyKey: 'parent',
      },
      author,
    );
    const reply: DomainEvent = {
      type: 'CommentSubmitted',
      data: {
        commentId: replyId,
        policyId: own.policyId,
        round: 1,
        version: 1,
        anchorNodeId: null,
        parentCommentId: parentId,
        body: 'Trả lời chéo sang dự thảo khác.',
        stance: 'oppose',
        stakeholderCategory: 'parent',
        channel: 'web',
        authorAccountId: replier.accountId,
        pseudonym: null,
        offlineSender: null,
        recordedBy: null,
        idempotencyKey: 'reply',
        receivedAt: runtime.clock.now().toISOString(),
        attachments: [],
      },
    };
    // Past the boundary step and the decider, as a log written before issue 15 holds it.
    await runtime.writePath.execute(streams.comment(replyId), commentAggregate, null, async () => ({
      events: [reply],
      context: {
        actor: { accountId: replier.accountId, role: 'participant', organizationId: own.officeId },
        occurredAt: runtime.clock.now().toISOString(),
        correlationId: randomUUID(),
        causationId: null,
      },
    }));
    await settle();
  }, 60_000);

  afterAll(async () => {
    await runtime?.close();
  });

  it('shows the reply on its own policy as a comment of its own, under no parent', async () => {
    const [row] = await commentQueries.byIds(runtime.readDb, [replyId]);
    expect(row).toMatchObject({ policyId: own.policyId, parentId: null, status: 'visible' });
  });

  it('leaves the other policy’s comment without a reply and its count unchanged', async () => {
    const [parent] = await commentQueries.byIds(runtime.readDb, [parentId]);
    expect(parent).toMatchObject({ policyId: other.policyId, replyCount: 0 });
    expect(await commentQueries.replies(runtime.readDb, [parentId])).toEqual([]);
    expect(await commentQueries.count(runtime.readDb, { policyId: other.policyId })).toBe(1);
  });

  it('does not notify the other policy’s author', async () => {
    expect(await notificationQueries.page(runtime.readDb, author.accountId, 50)).toEqual([]);
  });

  it('names no parent in the round’s comment export', async () => {
    const rows = [];
    const head = (await runtime.store.headPosition())!;
    for await (const row of commentRowsAt(runtime, own.policyId, 1, head, { includeHidden: true, locale: 'vi' }))
      rows.push([row.commentId, row.parentCommentId]);
    expect(rows).toEqual([[replyId, '']]);
  });

  it('names no parent in the policy as of now', async () => {
    const snapshot = await policyAsOf(
      runtime.writePath,
      runtime.store,
      own.policyId,
      runtime.clock.now().toISOString(),
    );
    expect(snapshot?.comments.map((c) => [c.commentId, c.parentCommentId])).toEqual([[replyId, null]]);
  });
});
