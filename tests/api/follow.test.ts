/**
 * Following a policy over HTTP: in-app notifications when a round opens or closes and when someone replies to the
 * participant's comment, marking them read, and at most one notification mail a day, received by a local SMTP server.
 */
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startPlatform, type Mail, type Platform } from '../support/platform';
import {
  CLOSE_CONSULTATION,
  ERROR_FIELDS,
  OPEN_CONSULTATION,
  draftedPolicy,
  eventually,
  expectRefusal,
  client,
  inDays,
  ok,
  signInAs,
  sleep,
  staffOrganizationId,
  stopPlatform,
  submitComment,
  verifiedParticipant,
  type Client,
  type ResultUnion,
} from './support';

let platform: Platform;
let smtp: SMTPServer;
const received: Mail[] = [];
let staff: Client;
let organizationId: string;

beforeAll(async () => {
  const port = await freePort();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : (mail.to?.text ?? '');
          received.push({ to, subject: mail.subject ?? '', text: mail.text ?? '' });
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve) => smtp.listen(port, '127.0.0.1', resolve));
  platform = await startPlatform({
    env: { SMTP_URL: `smtp://127.0.0.1:${port}`, GOPY_NOTIFY_MAIL_INTERVAL_MS: '300', GOPY_NOTIFY_MAIL_DELAY_MS: '0' },
  });
  // Every mail of this platform goes to the SMTP server above; the shared helpers read them from there.
  platform.readMails = async () => [...received];
  staff = await signInAs(platform, 'staff');
  organizationId = await staffOrganizationId(staff);
}, 180_000);

afterAll(async () => {
  await stopPlatform(platform);
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
});

const FOLLOW = `mutation Follow($policyId: ID!) { followPolicy(policyId: $policyId) { ${ERROR_FIELDS} ... on MutationFollowPolicySuccess { data { following policy { id viewerFollows } } } } }`;
const UNFOLLOW = `mutation Unfollow($policyId: ID!) { unfollowPolicy(policyId: $policyId) { ${ERROR_FIELDS} ... on MutationUnfollowPolicySuccess { data { following policy { id viewerFollows } } } } }`;
const NOTIFICATIONS = `query { viewer { unreadNotificationCount notifications(first: 20) { edges { node { id kind text round commentId read createdAt policy { id title } } } } } }`;
const MARK_READ = `mutation { markNotificationsRead { ${ERROR_FIELDS} ... on MutationMarkNotificationsReadSuccess { data { marked } } } }`;

interface NotificationView {
  id: string;
  kind: string;
  text: string;
  round: number | null;
  commentId: string | null;
  read: boolean;
  policy: { id: string; title: string };
}

async function notifications(api: Client) {
  const { viewer } = await api.gql<{
    viewer: { unreadNotificationCount: number; notifications: { edges: { node: NotificationView }[] } };
  }>(NOTIFICATIONS);
  return { unread: viewer.unreadNotificationCount, items: viewer.notifications.edges.map((e) => e.node) };
}

describe('following a policy', () => {
  it('refuses to follow when signed out, or an unknown policy', async () => {
    const { followPolicy } = await client(platform.baseUrl).gql<{ followPolicy: ResultUnion }>(FOLLOW, {
      policyId: '00000000-0000-4000-8000-000000000000',
    });
    expectRefusal(followPolicy, { typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED' });
    const participant = await verifiedParticipant(platform);
    const { followPolicy: unknown } = await participant.api.gql<{ followPolicy: ResultUnion }>(FOLLOW, {
      policyId: '00000000-0000-4000-8000-000000000000',
    });
    expectRefusal(unknown, { typename: 'NotFoundError', code: 'NOT_FOUND' });
  });

  it('notifies a follower in the app when a round opens and closes and when someone replies, and mails at most once a day', async () => {
    const policyId = await draftedPolicy(staff, organizationId);
    const follower = await verifiedParticipant(platform, { displayName: 'Ngô Thị Hằng' });
    const replier = await verifiedParticipant(platform);
    const followed = ok<{ following: boolean; policy: { viewerFollows: boolean } }>(
      (await follower.api.gql<{ followPolicy: ResultUnion }>(FOLLOW, { policyId })).followPolicy,
    );
    expect(followed).toEqual({ following: true, policy: { id: policyId, viewerFollows: true } });
    // Following twice is harmless.
    ok((await follower.api.gql<{ followPolicy: ResultUnion }>(FOLLOW, { policyId })).followPolicy);

    ok(
      (
        await staff.gql<{ openConsultation: ResultUnion }>(OPEN_CONSULTATION, {
          input: { policyId, closesAt: inDays(7), note: 'Lấy ý kiến.' },
        })
      ).openConsultation,
    );
    const opened = await eventually(
      async () => (await notifications(follower.api)).items.find((n) => n.kind === 'ROUND_OPENED'),
      5_000,
      'round opened notification',
    );
    expect(opened).toMatchObject({ round: 1, read: false, policy: { id: policyId } });
    expect(opened.text).toMatch(/lấy ý kiến/i);

    // The first mail of the day goes out as soon as the notification is old enough (here at once).
    const mail = await eventually(
      async () => received.find((m) => m.to.includes(follower.email) && /thông báo mới/.test(m.subject)),
      10_000,
      'notification mail',
    );
    expect(mail.subject).toMatch(/^Góp ý: 1 thông báo mới về các dự thảo bạn theo dõi$/);
    expect(mail.text).toContain('Đợt lấy ý kiến đã mở');
    expect(mail.text).toContain(`/policies/${policyId}`);

    const mine = ok<{ comment: { id: string } }>(
      await submitComment(follower.api, {
        policyId,
        body: 'Đề nghị mở cửa thư viện cả buổi chiều.',
        stance: 'SUGGESTION',
      }),
    ).comment;
    ok(
      await submitComment(replier.api, {
        policyId,
        body: 'Tôi đồng ý với ý kiến trên.',
        stance: 'SUPPORT',
        parentCommentId: mine.id,
      }),
    );
    // Replying to oneself notifies nobody.
    ok(
      await submitComment(follower.api, {
        policyId,
        body: 'Bổ sung: cả thứ Bảy.',
        stance: 'SUGGESTION',
        parentCommentId: mine.id,
      }),
    );
    ok(
      (await staff.gql<{ closeConsultation: ResultUnion }>(CLOSE_CONSULTATION, { policyId, reason: 'Đủ ý kiến' }))
        .closeConsultation,
    );

    const all = await eventually(
      async () => {
        const n = await notifications(follower.api);
        return n.items.length >= 3 ? n : undefined;
      },
      5_000,
      'three notifications',
    );
    expect(all.items.map((n) => n.kind)).toEqual(['ROUND_CLOSED', 'REPLY', 'ROUND_OPENED']);
    expect(all.items[1]!.commentId).toBe(mine.id);
    expect(all.unread).toBe(3);
    // The replier, who follows nothing and was not replied to, has none.
    expect((await notifications(replier.api)).items).toEqual([]);

    const marked = ok<{ marked: number }>(
      (await follower.api.gql<{ markNotificationsRead: ResultUnion }>(MARK_READ)).markNotificationsRead,
    );
    expect(marked.marked).toBe(3);
    const after = await notifications(follower.api);
    expect(after.unread).toBe(0);
    expect(after.items.every((n) => n.read)).toBe(true);

    // Later notifications of the same day wait for tomorrow's mail: still one mail.
    await sleep(1_500);
    expect(received.filter((m) => m.to.includes(follower.email) && /thông báo mới/.test(m.subject))).toHaveLength(1);

    const unfollowed = ok<{ following: boolean; policy: { viewerFollows: boolean } }>(
      (await follower.api.gql<{ unfollowPolicy: ResultUnion }>(UNFOLLOW, { policyId })).unfollowPolicy,
    );
    expect(unfollowed.policy.viewerFollows).toBe(false);
  });
});
