/**
 * The published digest as a public record (issue 17), acted out over HTTP: a parent's two comments are answered, one
 * not accepted (không tiếp thu) and one accepted; the parent hears of it once for the digest, naming each comment (its
 * first words and article), its outcome and the link to its answer, and gets one mail saying the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../support/platform';
import {
  CLOSE_CONSULTATION,
  ERROR_FIELDS,
  client,
  mailsTo,
  ok,
  openPolicy,
  signInAs,
  staffOrganizationId,
  stopPlatform,
  submitComment,
  verifiedParticipant,
  waitForMail,
  type Client,
  type ResultUnion,
} from './support';

const ok1 = (name: string) =>
  `... on Mutation${name[0]!.toUpperCase()}${name.slice(1)}Success { data { position theme { id } } }`;
const digestCall = (name: string, args: string, call: string) =>
  `mutation(${args}) { ${name}(${call}) { ${ERROR_FIELDS} ${ok1(name)} } }`;
const ROUND = '$policyId: ID!, $round: Int!';
const AT = 'policyId: $policyId, round: $round';
const START = digestCall('startDigest', ROUND, AT);
const DEFINE = digestCall('defineTheme', `${ROUND}, $title: String!`, `${AT}, title: $title`);
const ASSIGN = digestCall(
  'assignCommentsToTheme',
  `${ROUND}, $themeIds: [ID!]!, $commentIds: [ID!]!`,
  `${AT}, themeIds: $themeIds, commentIds: $commentIds`,
);
const ANSWER = digestCall(
  'answerTheme',
  `${ROUND}, $themeId: ID!, $decision: ThemeDecision!, $explanation: String`,
  `${AT}, themeId: $themeId, decision: $decision, explanation: $explanation`,
);
const APPROVE = digestCall('approveDigest', ROUND, AT);
const PUBLISH = digestCall('publishDigest', ROUND, AT);
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
  let staff: Client;
  let spokesperson: Client;
  let teacher: Client;
  let parent: Awaited<ReturnType<typeof verifiedParticipant>>;
  let policyId: string;
  const ids: Record<'notAccepted' | 'accepted' | 'teacher', string> = { notAccepted: '', accepted: '', teacher: '' };

  const call = async (who: Client, mutation: string, vars: Record<string, unknown> = {}) =>
    Object.values(await who.gql<Record<string, ResultUnion>>(mutation, { policyId, round: 1, ...vars }))[0]!;
  const comment = async (who: Client, body: string, nodeId: string | null = null) =>
    ok<{ comment: { id: string } }>(await submitComment(who, { policyId, body, stance: 'SUGGESTION', nodeId })).comment
      .id;

  beforeAll(async () => {
    platform = await startPlatform({
      env: { GOPY_NOTIFY_MAIL_INTERVAL_MS: '300', GOPY_NOTIFY_MAIL_DELAY_MS: '0' },
    });
    staff = await signInAs(platform, 'staff');
    spokesperson = await signInAs(platform, 'spokesperson');
    teacher = await signInAs(platform, 'participant');
    parent = await verifiedParticipant(platform);
    const policy = await openPolicy(staff, await staffOrganizationId(staff));
    policyId = policy.id;
    const article = policy.currentVersion!.nodes[0]!.children![0]!.id;
    ids.notAccepted = await comment(
      parent.api,
      'Đề nghị bỏ hẳn khoản thu quỹ lớp vì nhiều gia đình còn khó khăn, nhất là ở các thôn xa trung tâm.',
      article,
    );
    ids.accepted = await comment(parent.api, 'Nên công khai các khoản thu trên bảng tin.');
    ids.teacher = await comment(teacher, 'Số điện thoại của tôi là 0912 345 678, xin liên hệ.');

    ok(await call(staff, START, { policyId, round: 1 }));
    const theme = async (title: string) => ok<{ theme: { id: string } }>(await call(staff, DEFINE, { title })).theme.id;
    const refused = await theme('Bỏ khoản thu quỹ lớp');
    const taken = await theme('Công khai các khoản thu');
    ok(await call(staff, ASSIGN, { themeIds: [refused], commentIds: [ids.notAccepted] }));
    ok(await call(staff, ASSIGN, { themeIds: [taken], commentIds: [ids.accepted, ids.teacher] }));
    ok(
      await call(staff, ANSWER, {
        themeId: refused,
        decision: 'NOT_ACCEPTED',
        explanation: 'Quỹ lớp do cha mẹ học sinh tự nguyện, không thuộc phạm vi quy định.',
      }),
    );
    ok(await call(staff, ANSWER, { themeId: taken, decision: 'ACCEPTED', explanation: '' }));
    ok(
      (await staff.gql<Record<string, ResultUnion>>(CLOSE_CONSULTATION, { policyId, reason: 'Đủ ý kiến' }))
        .closeConsultation!,
    );
    ok(await call(spokesperson, APPROVE));
    ok(await call(spokesperson, PUBLISH));
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
});
