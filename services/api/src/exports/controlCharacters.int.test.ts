import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import JSZip from 'jszip';
import { SaxesParser } from 'saxes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streams, type DomainEvent } from '@gopy/schemas';
import { commentAggregate, type Principal } from '@gopy/application/commands';
import { DigestHandlers } from '@gopy/application/digests';
import type { Position } from '@gopy/application/eventStore';
import { loadConfig } from '@gopy/composition/config';
import { openEmbeddedRuntime, type Runtime } from '@gopy/composition/runtime';
import { aPolicyInConsultation, type SmallWorld } from '../smallWorld.testing';
import { commentRowsAt, writeCommentsXlsx } from './comments';
import { digestDocumentAt, digestDocx } from './digest';

/** Parses XML as a conforming XML 1.0 parser does: any character XML forbids (NUL, BEL, U+FFFE…) is a fatal error. */
function parseStrictly(xml: string): { text: string } {
  const parser = new SaxesParser();
  let text = '';
  parser.on('error', (e) => {
    throw e;
  });
  parser.on('text', (t) => (text += t));
  parser.write(xml).close();
  return { text };
}

async function partOf(file: Buffer, name: string): Promise<string> {
  const part = (await JSZip.loadAsync(file)).file(name);
  if (!part) throw new Error(`${name} is missing from the package`);
  return part.async('string');
}

/**
 * A log written before issue 15 may hold a comment whose body has NUL and other characters XML 1.0 forbids (commands
 * now refuse them, but the log is never rewritten). Documents made from such a log must still open: Word refuses a
 * .docx whose XML holds one, and one participant's comment would break the round's public digest for everyone.
 */
describe('documents made from a log holding control characters', () => {
  let runtime: Runtime;
  let world: SmallWorld;
  let head: Position;
  const participant: Principal = { accountId: randomUUID(), rolesIn: async () => ['participant'] };
  const spokesperson: Principal = { accountId: randomUUID(), rolesIn: async () => ['spokesperson'] };
  const commentId = randomUUID();
  const body = 'Đề nghị\u0000 miễn học phí\u0007 cho\u000b học sinh\ufffe hộ nghèo.';
  const readable = 'Đề nghị miễn học phí cho học sinh hộ nghèo.';

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-xmlchars-'));
    runtime = await openEmbeddedRuntime(loadConfig({ GOPY_DATA_DIR: dir, GOPY_SERVE_WEB: '0', GOPY_DEMO: '0' }), {
      log: () => {},
    });
    runtime.projector.start();
    world = await aPolicyInConsultation(runtime);
    const now = runtime.clock.now().toISOString();
    const submitted: DomainEvent = {
      type: 'CommentSubmitted',
      data: {
        commentId,
        policyId: world.policyId,
        round: 1,
        version: 1,
        anchorNodeId: null,
        parentCommentId: null,
        body,
        stance: 'suggestion',
        stakeholderCategory: 'parent',
        channel: 'web',
        authorAccountId: participant.accountId,
        pseudonym: null,
        offlineSender: null,
        recordedBy: null,
        idempotencyKey: 'old-log',
        receivedAt: now,
        attachments: [],
      },
    };
    // Appended past the write path's boundary step (null command) and the decider, as an older log holds it.
    await runtime.writePath.execute(streams.comment(commentId), commentAggregate, null, async () => ({
      events: [submitted],
      context: {
        actor: { accountId: participant.accountId, role: 'participant', organizationId: world.officeId },
        occurredAt: now,
        correlationId: randomUUID(),
        causationId: null,
      },
    }));
    // The round's digest, published with that comment in its one theme.
    const policyId = world.policyId;
    await runtime.commands.policy(
      { type: 'CloseConsultation', policyId, closedBy: 'staff', reason: 'Đủ ý kiến' },
      world.staff,
    );
    await runtime.projector.waitFor((await runtime.store.headPosition())!, 20_000);
    const digests = new DigestHandlers({
      writePath: runtime.writePath,
      clock: runtime.clock,
      readDb: runtime.readDb,
      consistency: runtime.consistency,
    });
    const themeId = randomUUID();
    await digests.start(policyId, 1, world.staff);
    await digests.execute(
      { type: 'DefineTheme', policyId, round: 1, themeId, title: 'Miễn giảm học phí', description: '' },
      world.staff,
    );
    await digests.execute(
      {
        type: 'AssignCommentsToTheme',
        policyId,
        round: 1,
        themeIds: [themeId],
        commentIds: [commentId],
        unassignedCommentIds: [],
      },
      world.staff,
    );
    await digests.execute(
      {
        type: 'AnswerTheme',
        policyId,
        round: 1,
        themeId,
        decision: 'accepted',
        explanation: 'Đã bổ sung vào Điều 1.',
        sectionsChanged: [],
      },
      world.staff,
    );
    await digests.execute({ type: 'ApproveDigest', policyId, round: 1 }, spokesperson);
    await digests.publish(policyId, 1, spokesperson);
    head = (await runtime.store.headPosition())!;
    await runtime.projector.waitFor(head, 20_000);
  }, 60_000);

  afterAll(async () => {
    await runtime?.close();
  });

  it('the comment is in the log with its NUL, as an old log would have it', async () => {
    const bodies: string[] = [];
    for await (const r of commentRowsAt(runtime, world.policyId, 1, head, { includeHidden: true, locale: 'vi' }))
      bodies.push(r.body);
    expect(bodies).toEqual([body]);
  });

  it('the digest .docx is well-formed XML (word/document.xml) and keeps the readable text', async () => {
    const document = await digestDocumentAt(runtime, world.policyId, 1, head);
    expect(document?.themes[0]?.rows[0]?.feedback).toBe(body);
    const xml = await partOf(await digestDocx(document!), 'word/document.xml');
    const { text } = parseStrictly(xml);
    expect(text).toContain(readable);
  });

  it('the comments .xlsx is well-formed XML (the sheet) and keeps the readable text', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await writeCommentsXlsx(
      commentRowsAt(runtime, world.policyId, 1, head, { includeHidden: true, locale: 'vi' }),
      {
        policyId: world.policyId,
        policyTitle: 'Quy định thu, chi\u0000 trong trường học',
        round: 1,
        position: head,
        includeHidden: true,
        locale: 'vi',
      },
      out,
    );
    const xml = await partOf(Buffer.concat(chunks), 'xl/worksheets/sheet1.xml');
    const { text } = parseStrictly(xml);
    expect(text).toContain(readable);
    expect(text).toContain('Quy định thu, chi trong trường học');
  });
});
