import { vietnamDay } from '@gopy/domain/vietnamTime';
import type { Clock, Mailer } from '../ports';
import { answerLine, personalAnswers } from './answers';
import { runJob, type JobMonitor, type Logger } from '../logging';
import type { Projector } from '../projector';
import { notificationQueries, type NotificationRow } from '../readModels/notifications';
import { accountQueries } from '../readModels/accounts';
import { policyQueries } from '../readModels/policies';
import type { ReadDb } from '../readModels/database';
import type { WritePath } from '../writePath';
import type { FollowCommands } from './followCommands';

const kindText: Record<NotificationRow['kind'], { vi: string; en: string }> = {
  round_opened: { vi: 'Đợt lấy ý kiến đã mở', en: 'A consultation round opened' },
  round_closed: { vi: 'Đợt lấy ý kiến đã kết thúc', en: 'A consultation round closed' },
  digest_published: {
    vi: 'Bản tổng hợp, tiếp thu, giải trình ý kiến đã được công bố',
    en: 'The response digest was published',
  },
  reply: { vi: 'Có người trả lời góp ý của bạn', en: 'Someone replied to your comment' },
  official_reply: { vi: 'Cơ quan soạn thảo đã trả lời góp ý của bạn', en: 'The drafting body answered your comment' },
  comment_answered: {
    vi: 'Bản tổng hợp, tiếp thu, giải trình đã công bố trả lời góp ý của bạn',
    en: 'The published response digest answers your comments',
  },
};

export function notificationText(kind: NotificationRow['kind'], locale: 'vi' | 'en'): string {
  return kindText[kind][locale];
}

export interface MailDigestDeps {
  db: ReadDb;
  writePath: WritePath;
  follows: FollowCommands;
  mailer: Mailer;
  clock: Clock;
  projector: Pick<Projector, 'isCaughtUp'>;
  publicUrl: string;
  /** How often to look for notifications to mail. */
  intervalMs: number;
  /** Notifications younger than this wait for the next pass, so a burst of events makes one mail. */
  minAgeMs: number;
  logger?: Logger;
  monitor?: JobMonitor;
}

/**
 * Every intervalMs: gathers notifications not yet mailed and at least minAgeMs old, and sends each person at most one
 * mail a day. The mail is recorded in the log (NotificationMailSent, at the follow stream's exact revision) before it is sent,
 * so a crash or a second process can lose a mail but never send two; notifications that arrive after the day's mail
 * wait for the next day. Acts only when the projector has caught up (never during a rebuild).
 */
export class NotificationMailDigest {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly deps: MailDigestDeps) {}

  start(): void {
    this.timer = setInterval(
      () => void runJob('notification_mail', this.deps, () => this.tick()),
      this.deps.intervalMs,
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => 0);
  }

  /** One pass; returns how many mails it sent. */
  async tick(): Promise<number> {
    if (this.running || !this.deps.projector.isCaughtUp) return 0;
    this.running = this.pass();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async pass(): Promise<number> {
    const now = this.deps.clock.now();
    const day = vietnamDay(now);
    const cutoff = new Date(now.getTime() - this.deps.minAgeMs).toISOString();
    const byAccount = new Map<string, NotificationRow[]>();
    for (const n of await notificationQueries.unmailed(this.deps.db, cutoff)) {
      const list = byAccount.get(n.accountId) ?? [];
      list.push(n);
      byAccount.set(n.accountId, list);
    }
    let sent = 0;
    for (const [accountId, items] of byAccount) {
      const [account] = await accountQueries.byIds(this.deps.db, [accountId]);
      if (!account || account.erased) continue;
      const email = await this.emailOf(accountId);
      if (!email) continue;
      const recorded = await this.deps.follows.recordMail(
        accountId,
        day,
        items.slice(0, 1_000).map((n) => n.id),
      );
      if (!recorded) continue; // already mailed today: these wait until tomorrow
      const locale = account.preferredLocale === 'en' ? 'en' : 'vi';
      await this.deps.mailer.send({ to: email, ...(await this.compose(items, locale)) });
      sent += 1;
    }
    return sent;
  }

  private async emailOf(accountId: string): Promise<string | undefined> {
    return (await mailAddressOf(this.deps.writePath, accountId))?.email;
  }

  private async compose(items: NotificationRow[], locale: 'vi' | 'en') {
    const policies = new Map(
      (await policyQueries.byIds(this.deps.db, [...new Set(items.map((n) => n.policyId))])).map((p) => [p.id, p.title]),
    );
    const lines: string[] = [];
    for (const n of items) {
      const title = policies.get(n.policyId) ?? '';
      const head = `- ${notificationText(n.kind, locale)}${n.round ? ` (${locale === 'vi' ? 'đợt' : 'round'} ${n.round})` : ''}: ${title}`;
      const answers =
        n.kind === 'comment_answered' && n.round !== null
          ? await personalAnswers(this.deps.db, n.accountId, n.policyId, n.round)
          : [];
      if (answers.length === 0) {
        lines.push(`${head}\n  ${this.deps.publicUrl}/policies/${n.policyId}`);
        continue;
      }
      // Which comment, how it was answered, and where to read the answer.
      const each = answers.map((a) => `  • ${answerLine(a, locale)}\n    ${this.deps.publicUrl}${a.path}`);
      lines.push([head, ...each].join('\n'));
    }
    const subject =
      locale === 'vi'
        ? `Góp ý: ${items.length} thông báo mới về các dự thảo bạn theo dõi`
        : `Góp ý: ${items.length} new notifications about policies you follow`;
    const intro =
      locale === 'vi'
        ? 'Xin chào,\n\nĐây là thông báo trong ngày về các dự thảo bạn theo dõi và góp ý của bạn:'
        : 'Hello,\n\nHere is today’s summary of the policies you follow and your comments:';
    const outro = locale === 'vi' ? 'Bạn nhận được tối đa một thư mỗi ngày.' : 'You receive at most one mail a day.';
    return { subject, text: `${intro}\n\n${lines.join('\n')}\n\n${outro}\n` };
  }
}

/**
 * Where to mail an account and in which language, read from its stream (addresses are sealed in the log and never in
 * the read models): none once erased, nor for an account a school issued to a pupil (it holds a sign-in name there).
 */
export async function mailAddressOf(
  writePath: WritePath,
  accountId: string,
): Promise<{ email: string; locale: 'vi' | 'en' } | undefined> {
  let found: { email: string; locale: 'vi' | 'en' } | undefined;
  for await (const { event } of writePath.readStream(`account-${accountId}`)) {
    if (event.type === 'AccountRegistered' && typeof event.data.email === 'string')
      found = { email: event.data.email, locale: event.data.preferredLocale };
    if (event.type === 'AccountErased') return undefined;
  }
  return found && !found.email.startsWith('enc:') && found.email.includes('@') ? found : undefined;
}
