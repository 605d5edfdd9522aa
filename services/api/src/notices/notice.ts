import QRCode from 'qrcode';
import {
  channelQueries,
  lifecycleQueries,
  organizationQueries,
  policyQueries,
  type ChannelRow,
} from '@gopy/application/readModels/index';
import type { Runtime } from '@gopy/composition/runtime';
import { formatInstant, type NoticeLang } from '../vietnamTime';

/**
 * A consultation notice (thông báo lấy ý kiến) of one round, as the A4 PDF and the square image both print it: every
 * text already in the reader's language, read from the read models at the moment it is asked for, so an extended
 * round shows its current deadline.
 */
export interface Notice {
  lang: NoticeLang;
  organization: string;
  policyId: string;
  title: string;
  summary: string;
  round: number;
  version: number;
  state: 'scheduled' | 'open' | 'closed' | 'withdrawn';
  /** When the round last changed (opened, extended, closed): the notice's date as a document. */
  asOf: string;
  policyUrl: string;
  text: NoticeText;
  /** Every way to comment besides the site: one line each, label and what to write or where to go. */
  channels: { label: string; value: string }[];
}

export interface NoticeText {
  /** Quốc hiệu and tiêu ngữ, as an official notice from a public body carries them. */
  nation: string;
  motto: string;
  heading: string;
  subheading: string;
  intro: string;
  summaryLabel: string;
  periodLabel: string;
  period: string;
  deadlineLabel: string;
  deadline: string;
  /** The earlier deadline when the round was extended, or the close when it is over; empty otherwise. */
  status: string;
  waysLabel: string;
  /** The label of the first way to comment: the policy page. */
  online: string;
  qrCaption: string;
  footer: string;
}

const CHANNEL_LABELS: Record<string, { vi: string; en: string }> = {
  web_portal: { vi: 'Cổng thông tin điện tử', en: 'Web portal' },
  facebook_page: { vi: 'Trang Facebook', en: 'Facebook page' },
  zalo_page: { vi: 'Trang Zalo', en: 'Zalo page' },
  email_list: { vi: 'Thư điện tử', en: 'Email' },
  meetings: { vi: 'Họp, hội nghị', en: 'Meetings' },
  other: { vi: 'Khác', en: 'Other' },
};

/** Press contacts are how the office reaches journalists, not a way for the public to send feedback. */
function waysToComment(channels: ChannelRow[], lang: NoticeLang): Notice['channels'] {
  return channels
    .filter((c) => c.kind !== 'press_contacts')
    .map((c) => {
      // An "other" channel is named by staff ("Gửi văn bản qua bưu điện"): its own name is the best label.
      if (c.kind === 'other') return { label: c.name, value: c.address };
      const label = (CHANNEL_LABELS[c.kind] ?? CHANNEL_LABELS.other!)[lang];
      const value = c.address && c.address !== c.name ? `${c.name} — ${c.address}` : c.name;
      return { label, value };
    });
}

function texts(
  lang: NoticeLang,
  n: {
    organization: string;
    title: string;
    round: number;
    version: number;
    opensAt: string;
    closesAt: string;
    closedAt: string | null;
    previousClosesAt: string | null;
    state: Notice['state'];
    policyUrl: string;
  },
): NoticeText {
  const at = (iso: string) => formatInstant(iso, lang);
  if (lang === 'vi') {
    const status =
      n.state === 'closed'
        ? `Đợt lấy ý kiến này đã kết thúc lúc ${at(n.closedAt ?? n.closesAt)}.`
        : n.state === 'withdrawn'
          ? 'Dự thảo đã được rút; đợt lấy ý kiến này không còn nhận góp ý.'
          : n.previousClosesAt
            ? `Thời hạn đã được gia hạn (hạn ban đầu: ${at(n.previousClosesAt)}).`
            : '';
    return {
      nation: 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      motto: 'Độc lập - Tự do - Hạnh phúc',
      heading: 'THÔNG BÁO LẤY Ý KIẾN',
      subheading: `Về dự thảo: ${n.title}`,
      intro: `${n.organization} trân trọng đề nghị phụ huynh, học sinh, giáo viên, cán bộ quản lý và người dân góp ý đối với dự thảo (đợt lấy ý kiến thứ ${n.round}, dự thảo lần ${n.version}).`,
      summaryLabel: 'Nội dung chính',
      periodLabel: 'Thời gian nhận góp ý',
      period: `Từ ${at(n.opensAt)} đến ${at(n.closesAt)} (giờ Việt Nam).`,
      deadlineLabel: 'Hạn chót gửi góp ý',
      deadline: at(n.closesAt),
      status,
      waysLabel: 'Cách gửi góp ý',
      online: 'Trực tuyến',
      qrCaption: 'Quét mã để góp ý',
      footer: 'Thông báo được lập từ hệ thống Góp ý; thời hạn ghi trên đây là thời hạn hiện hành.',
    };
  }
  const status =
    n.state === 'closed'
      ? `This consultation round closed at ${at(n.closedAt ?? n.closesAt)} (Vietnam time).`
      : n.state === 'withdrawn'
        ? 'The draft was withdrawn; this round no longer takes comments.'
        : n.previousClosesAt
          ? `The deadline was extended (originally ${at(n.previousClosesAt)}).`
          : '';
  return {
    nation: 'SOCIALIST REPUBLIC OF VIET NAM',
    motto: 'Independence - Freedom - Happiness',
    heading: 'PUBLIC CONSULTATION NOTICE',
    subheading: `On the draft: ${n.title}`,
    intro: `${n.organization} invites parents, pupils, teachers, school managers and the public to comment on the draft (consultation round ${n.round}, draft version ${n.version}).`,
    summaryLabel: 'Summary',
    periodLabel: 'Comments are received',
    period: `From ${at(n.opensAt)} to ${at(n.closesAt)} (Vietnam time, UTC+7).`,
    deadlineLabel: 'Deadline for comments',
    deadline: `${at(n.closesAt)} (Vietnam time)`,
    status,
    waysLabel: 'How to comment',
    online: 'Online',
    qrCaption: 'Scan to comment',
    footer: 'Made by Góp ý; the deadline shown is the one in force when this notice was made.',
  };
}

/** The notice of round `round` of a policy, or null when there is no such policy or round. */
export async function noticeOf(
  runtime: Runtime,
  policyId: string,
  round: number,
  lang: NoticeLang,
): Promise<Notice | null> {
  const db = runtime.readDb;
  const [policy] = await policyQueries.byIds(db, [policyId]);
  if (!policy) return null;
  const r = (await policyQueries.rounds(db, [policy.id])).find((x) => x.round === round);
  if (!r) return null;
  const [org] = await organizationQueries.byIds(db, [policy.organizationId]);
  const channels = await channelQueries.ofOrganization(db, policy.organizationId, { activeOnly: true });
  const steps = (
    await lifecycleQueries.recent(
      db,
      { policyId: policy.id, types: ['ConsultationOpened', 'ConsultationExtended', 'ConsultationClosed'] },
      1000,
    )
  ).filter((e) => e.round === round);
  // The deadline first announced: what readers of an earlier notice were told. Rows come newest first.
  const firstClosesAt = steps.filter((e) => e.type === 'ConsultationExtended').at(-1)?.detail.previousClosesAt ?? null;
  const asOf = steps[0]?.recordedAt ?? r.opensAt;
  const now = runtime.clock.now().toISOString();
  const state: Notice['state'] =
    r.closedAt !== null || r.closesAt <= now
      ? 'closed'
      : policy.status === 'withdrawn'
        ? 'withdrawn'
        : r.opensAt > now
          ? 'scheduled'
          : 'open';
  const policyUrl = `${runtime.config.publicUrl}/policies/${policy.id}`;
  const organization = org?.name ?? '';
  return {
    lang,
    organization,
    policyId: policy.id,
    title: policy.title,
    summary: policy.summary,
    round,
    version: r.version,
    state,
    asOf,
    policyUrl,
    channels: waysToComment(channels, lang),
    text: texts(lang, {
      organization,
      title: policy.title,
      round,
      version: r.version,
      opensAt: r.opensAt,
      closesAt: r.closesAt,
      closedAt: r.closedAt,
      previousClosesAt: firstClosesAt,
      state,
      policyUrl,
    }),
  };
}

/** The QR code's modules (true = dark), without the quiet zone: drawn as shapes in the PDF and the image. */
export function qrModules(text: string): { size: number; dark(row: number, col: number): boolean } {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const { size } = qr.modules;
  return { size, dark: (row, col) => qr.modules.get(row, col) === 1 };
}

/** Each row's runs of adjacent dark modules: one shape per run, so no seams show between squares when rendered. */
export function darkRuns(qr: ReturnType<typeof qrModules>): { row: number; col: number; length: number }[] {
  const runs: { row: number; col: number; length: number }[] = [];
  for (let row = 0; row < qr.size; row++) {
    let col = 0;
    while (col < qr.size) {
      if (!qr.dark(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < qr.size && qr.dark(row, col)) col++;
      runs.push({ row, col: start, length: col - start });
    }
  }
  return runs;
}
