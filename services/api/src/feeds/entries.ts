import type { LifecycleEventRow, LifecycleEventType } from '@gopy/application/readModels/index';
import { formatCalendarDate, formatInstant, type NoticeLang } from '../vietnamTime';

/** What the feeds of all consultations and of an organisation carry: the consultation steps, not the drafting. */
export const CONSULTATION_STEPS: readonly LifecycleEventType[] = [
  'ConsultationOpened',
  'ConsultationExtended',
  'ConsultationClosed',
  'RoundAnswered',
  'PolicyEnacted',
  'PolicyWithdrawn',
];

/** Short names of each step for the entry's category (a reader filters on them). */
export const STEP_TERMS: Record<LifecycleEventType, string> = {
  PolicyProposed: 'proposed',
  DraftVersionPublished: 'version-published',
  ConsultationOpened: 'round-opened',
  ConsultationExtended: 'round-extended',
  ConsultationClosed: 'round-closed',
  RoundAnswered: 'digest-published',
  PolicyEnacted: 'enacted',
  PolicyWithdrawn: 'withdrawn',
};

export interface EntryText {
  title: string;
  /** Plain-text paragraphs; escaped into HTML by whoever writes the entry. */
  paragraphs: string[];
  link: string;
  /** Further links (the notice of a round): label and address. */
  links: { label: string; href: string }[];
}

/** One public step as a feed entry, in the reader's language; titles of policies stay as written (Vietnamese). */
export function entryText(row: LifecycleEventRow, lang: NoticeLang, publicUrl: string): EntryText {
  const vi = lang === 'vi';
  const at = (iso: string) => `${formatInstant(iso, lang)}${vi ? '' : ' (Vietnam time)'}`;
  const d = row.detail;
  const policyUrl = `${publicUrl}/policies/${row.policyId}`;
  const noticeLinks = (round: number) => {
    const base = `${publicUrl}/export/policies/${row.policyId}/rounds/${round}/notice`;
    const suffix = vi ? '' : '?lang=en';
    return [
      { label: vi ? 'Thông báo lấy ý kiến (PDF, A4)' : 'Consultation notice (PDF, A4)', href: `${base}.pdf${suffix}` },
      { label: vi ? 'Ảnh thông báo (PNG, vuông)' : 'Notice image (PNG, square)', href: `${base}.png${suffix}` },
    ];
  };
  const reason = (r: string | undefined) => (r ? [`${vi ? 'Lý do' : 'Reason'}: ${r}`] : []);
  const n = row.round ?? 0;
  switch (row.type) {
    case 'PolicyProposed':
      return {
        title: vi ? `Đề xuất xây dựng: ${row.title}` : `Policy proposed: ${row.title}`,
        paragraphs: d.summary ? [d.summary] : [],
        link: policyUrl,
        links: [],
      };
    case 'DraftVersionPublished':
      return {
        title:
          d.revisesRound != null
            ? vi
              ? `Công bố dự thảo đã chỉnh lý sau khi lấy ý kiến (lần ${row.version}): ${row.title}`
              : `Draft revised after consultation published (version ${row.version}): ${row.title}`
            : d.amendsVersion != null
              ? vi
                ? `Công bố dự thảo sửa đổi (lần ${row.version}): ${row.title}`
                : `Amending draft published (version ${row.version}): ${row.title}`
              : vi
                ? `Công bố dự thảo lần ${row.version}: ${row.title}`
                : `Draft version ${row.version} published: ${row.title}`,
        paragraphs: d.changeNote ? [d.changeNote] : [],
        link: policyUrl,
        links: [],
      };
    case 'ConsultationOpened':
      return {
        title: vi ? `Lấy ý kiến đợt ${n}: ${row.title}` : `Consultation round ${n} opened: ${row.title}`,
        paragraphs: [
          vi
            ? `Nhận góp ý từ ${at(d.opensAt!)} đến ${at(d.closesAt!)} (giờ Việt Nam), trên dự thảo lần ${row.version}.`
            : `Comments are received from ${at(d.opensAt!)} to ${at(d.closesAt!)}, on draft version ${row.version}.`,
        ],
        link: policyUrl,
        links: noticeLinks(n),
      };
    case 'ConsultationExtended':
      return {
        title: vi ? `Gia hạn lấy ý kiến đợt ${n}: ${row.title}` : `Consultation round ${n} extended: ${row.title}`,
        paragraphs: [
          vi
            ? `Hạn góp ý mới: ${at(d.closesAt!)} (hạn trước: ${at(d.previousClosesAt!)}).`
            : `New deadline: ${at(d.closesAt!)} (it was ${at(d.previousClosesAt!)}).`,
          ...reason(d.reason),
        ],
        link: policyUrl,
        links: noticeLinks(n),
      };
    case 'ConsultationClosed':
      return {
        title: vi ? `Kết thúc lấy ý kiến đợt ${n}: ${row.title}` : `Consultation round ${n} closed: ${row.title}`,
        paragraphs: [
          vi ? `Đợt lấy ý kiến kết thúc lúc ${at(d.closedAt!)}.` : `The round closed at ${at(d.closedAt!)}.`,
          ...(d.closedBy === 'staff' ? reason(d.reason) : []),
        ],
        link: policyUrl,
        links: [],
      };
    case 'RoundAnswered':
      return {
        title: vi
          ? `Công bố bản tổng hợp, tiếp thu, giải trình ý kiến đợt ${n}: ${row.title}`
          : `Response digest of round ${n} published: ${row.title}`,
        paragraphs: [
          vi
            ? `${d.coveredCount}/${d.visibleCount} ý kiến được tổng hợp và trả lời.`
            : `${d.coveredCount} of ${d.visibleCount} comments gathered and answered.`,
        ],
        link: `${policyUrl}/digest/${n}`,
        links: [],
      };
    case 'PolicyEnacted':
      return {
        title: vi ? `Ban hành: ${row.title}` : `Enacted: ${row.title}`,
        paragraphs: [
          vi
            ? `Quyết định số ${d.decisionNumber}, có hiệu lực từ ngày ${formatCalendarDate(d.effectiveDate!, lang)} (dự thảo lần ${row.version}).`
            : `Decision No. ${d.decisionNumber}, in force from ${formatCalendarDate(d.effectiveDate!, lang)} (draft version ${row.version}).`,
        ],
        link: policyUrl,
        links: [],
      };
    case 'PolicyWithdrawn':
      return {
        title: vi ? `Rút dự thảo: ${row.title}` : `Withdrawn: ${row.title}`,
        paragraphs: reason(d.reason),
        link: policyUrl,
        links: [],
      };
    default: {
      const never: never = row.type;
      throw new Error(`no feed entry for ${String(never)}`);
    }
  }
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

export function entryHtml(e: EntryText): string {
  const paragraphs = e.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`);
  const links = e.links.map((l) => `<p><a href="${escapeHtml(l.href)}">${escapeHtml(l.label)}</a></p>`);
  return [...paragraphs, ...links].join('');
}
