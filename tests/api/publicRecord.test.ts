/**
 * The published digest as a public record (issue 17), acted out over HTTP: a parent's two comments are answered, one
 * not accepted (không tiếp thu) and one accepted; the parent hears of it once for the digest, naming each comment (its
 * first words and article), its outcome and the link to its answer, and gets one mail saying the same. Then a
 * moderator hides a listed comment after publication: the digest keeps its row with a dated note and the reason, its
 * counts still add up, and the policy's public count equals the comments listed, with the hidden one in aggregate.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../support/platform';
import { publishedConsultation, type ConsultationIds } from './publicRecordWorld';
import {
  ERROR_FIELDS,
  client,
  mailsTo,
  ok,
  signInAs,
  stopPlatform,
  verifiedParticipant,
  waitForMail,
  type Client,
  type ResultUnion,
} from './support';

const HIDE = `mutation($id: ID!) { hideComment(commentId: $id, reasonCode: PERSONAL_DATA, reason: "Có số điện thoại") { ${ERROR_FIELDS} ... on MutationHideCommentSuccess { data { position } } } }`;
const PUBLIC_DIGEST = `query($id: ID!) { policy(id: $id) {
  commentCount removedComments { total text byCategory { category count } } comments(first: 50) { totalCount }
  digest(round: 1) { coveredCount visibleCount removedSincePublication { total text byCategory { category label count } }
    themes { title entries { number commentId comment { id body } removal { kind at category note } } } } } }`;
const NOTIFICATIONS = `{ viewer { notifications(first: 50) { edges { node { kind url text answers { commentId excerpt anchorLabel decision decisionLabel url } } } } } }`;

interface Answer {
  commentId: string;
  excerpt: string;
  anchorLabel: string | null;
  decision: string;
  decisionLabel: string;
  url: string;
}

describe('the published digest as a public record', () => {
  let platform: Platform;
  let moderator: Client;
  let parent: Awaited<ReturnType<typeof verifiedParticipant>>;
  let policyId: string;
  let ids: ConsultationIds;

  beforeAll(async () => {
    platform = await startPlatform({
      env: { GOPY_NOTIFY_MAIL_INTERVAL_MS: '300', GOPY_NOTIFY_MAIL_DELAY_MS: '0' },
    });
    moderator = await signInAs(platform, 'moderator');
    parent = await verifiedParticipant(platform);
    ({ policyId, ids } = await publishedConsultation(platform, parent.api));
  }, 180_000);

  afterAll(async () => {
    await stopPlatform(platform);
  });

  it('notifies a person once per digest, naming each comment, its article and its outcome, with links to the answers', async () => {
    const { viewer } = await parent.api.gql<{
      viewer: { notifications: { edges: { node: { kind: string; url: string; text: string; answers: Answer[] } }[] } };
    }>(NOTIFICATIONS);
    const answered = viewer.notifications.edges.map((e) => e.node).filter((n) => n.kind === 'COMMENT_ANSWERED');
    expect(answered).toHaveLength(1);
    expect(answered[0]!.answers).toEqual([
      {
        commentId: ids.notAccepted,
        excerpt: 'Đề nghị bỏ hẳn khoản thu quỹ lớp vì nhiều gia đình…',
        anchorLabel: 'Điều 1',
        decision: 'NOT_ACCEPTED',
        decisionLabel: 'không tiếp thu',
        url: `/policies/${policyId}/digest/1#comment-${ids.notAccepted}`,
      },
      {
        commentId: ids.accepted,
        excerpt: 'Nên công khai các khoản thu trên bảng tin.',
        anchorLabel: null,
        decision: 'ACCEPTED',
        decisionLabel: 'tiếp thu',
        url: `/policies/${policyId}/digest/1#comment-${ids.accepted}`,
      },
    ]);
    expect(answered[0]!.text).toContain('(Điều 1): không tiếp thu');
    // The same in English.
    const english = await client(platform.baseUrl, parent.api.token, 'en').gql<{
      viewer: { notifications: { edges: { node: { kind: string; answers: Answer[] } }[] } };
    }>(NOTIFICATIONS);
    const en = english.viewer.notifications.edges.find((e) => e.node.kind === 'COMMENT_ANSWERED')!.node;
    expect(en.answers.map((a) => a.decisionLabel)).toEqual(['not accepted', 'accepted']);
  });

  it('mails it once: each comment with its outcome and the link to its answer', async () => {
    const { mail } = await waitForMail(platform, parent.email, /không tiếp thu/);
    expect(mail.text).toContain(`${platform.baseUrl}/policies/${policyId}/digest/1#comment-${ids.notAccepted}`);
    expect(mail.text).toContain('«Nên công khai các khoản thu trên bảng tin.» (Toàn bộ dự thảo): tiếp thu');
    expect(await mailsTo(platform, parent.email)).toHaveLength(2); // the address check, then this one
  });

  describe('after a listed comment is hidden', () => {
    type Entry = {
      number: number;
      commentId: string;
      comment: { id: string; body: string } | null;
      removal: { kind: string; at: string; category: string; note: string } | null;
    };
    type Seen = {
      policy: {
        commentCount: number;
        removedComments: { total: number; text: string; byCategory: { category: string; count: number }[] };
        comments: { totalCount: number };
        digest: {
          coveredCount: number;
          visibleCount: number;
          removedSincePublication: {
            total: number;
            text: string;
            byCategory: { category: string; label: string; count: number }[];
          };
          themes: { title: string; entries: Entry[] }[];
        };
      };
    };
    let before: Seen;
    let after: Seen;
    const anonymous = () => client(platform.baseUrl);

    beforeAll(async () => {
      before = await anonymous().gql<Seen>(PUBLIC_DIGEST, { id: policyId });
      ok((await moderator.gql<Record<string, ResultUnion>>(HIDE, { id: ids.teacher })).hideComment!);
      after = await anonymous().gql<Seen>(PUBLIC_DIGEST, { id: policyId });
    });

    it('keeps every published row, the hidden one with a dated note and its reason instead of its text', () => {
      const rows = (s: Seen) => s.policy.digest.themes.flatMap((t) => t.entries);
      expect(rows(after).map((e) => [e.number, e.commentId])).toEqual(rows(before).map((e) => [e.number, e.commentId]));
      expect(rows(before).map((e) => e.commentId)).toEqual([ids.notAccepted, ids.accepted, ids.teacher]);
      const hidden = rows(after).find((e) => e.commentId === ids.teacher)!;
      expect(hidden.comment).toBeNull();
      expect(hidden.removal).toMatchObject({ kind: 'HIDDEN', category: 'PERSONAL_DATA' });
      const day = new Date(Date.parse(hidden.removal!.at) + 7 * 3_600_000).toISOString();
      const date = `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;
      expect(hidden.removal!.note).toBe(`Ý kiến đã ẩn sau khi công bố ngày ${date} (lý do: lộ thông tin cá nhân).`);
      expect(JSON.stringify(after)).not.toContain('0912 345 678');
      expect(
        rows(after)
          .filter((e) => e.commentId !== ids.teacher)
          .every((e) => e.comment !== null),
      ).toBe(true);
    });

    it('keeps the counts it was published with, and they add up with what the public sees now', () => {
      const d = after.policy.digest;
      expect([d.coveredCount, d.visibleCount]).toEqual([3, 3]);
      expect(d.removedSincePublication).toEqual({
        total: 1,
        text: '1 ý kiến không còn hiển thị: 1 lộ thông tin cá nhân',
        byCategory: [{ category: 'PERSONAL_DATA', label: 'lộ thông tin cá nhân', count: 1 }],
      });
      const shown = d.themes.flatMap((t) => t.entries).filter((e) => e.comment !== null).length;
      expect(shown + d.removedSincePublication.total).toBe(d.coveredCount);
      expect(before.policy.digest.removedSincePublication.total).toBe(0);
    });

    it('counts on the policy what the public can see, and the hidden one in aggregate', () => {
      expect(before.policy.commentCount).toBe(3);
      expect(after.policy.commentCount).toBe(after.policy.comments.totalCount);
      expect(after.policy.commentCount).toBe(2);
      expect(after.policy.removedComments).toEqual({
        total: 1,
        text: '1 ý kiến không còn hiển thị: 1 lộ thông tin cá nhân',
        byCategory: [{ category: 'PERSONAL_DATA', count: 1 }],
      });
    });

    it('writes the same row and note into the .docx, never the hidden text', async () => {
      const res = await fetch(`${platform.baseUrl}/export/policies/${policyId}/rounds/1/digest.docx`);
      expect(res.status).toBe(200);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-record-'));
      const file = path.join(dir, `${randomUUID()}.docx`);
      fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      const xml = execFileSync('unzip', ['-p', file, 'word/document.xml']).toString('utf8');
      fs.rmSync(dir, { recursive: true, force: true });
      const note = after.policy.digest.themes.flatMap((t) => t.entries).find((e) => e.removal)!.removal!.note;
      expect(xml).toContain(note);
      expect(xml).toContain('Nên công khai các khoản thu trên bảng tin.');
      expect(xml).not.toContain('0912 345 678');
      expect(xml).toContain('Sau khi công bố: 1 ý kiến không còn hiển thị: 1 lộ thông tin cá nhân.');
    });
  });
});
