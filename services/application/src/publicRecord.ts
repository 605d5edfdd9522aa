/**
 * What the public record says about a comment that left public view: after a digest listing it was published (a dated
 * note beside its row), and in aggregate on public pages ("2 ý kiến đã bị ẩn: 1 lăng mạ, xúc phạm, 1 lộ thông tin
 * cá nhân"). The words match the site's flag reasons (web/messages c7_flag_*).
 */
type Locale = 'vi' | 'en';

export type RemovalKind = 'hidden' | 'withdrawn' | 'redacted';

const reasonText: Record<string, Record<Locale, string>> = {
  ABUSE: { vi: 'lăng mạ, xúc phạm', en: 'abusive or insulting' },
  SPAM: { vi: 'tin rác, quảng cáo', en: 'spam or advertising' },
  OFF_TOPIC: { vi: 'không liên quan', en: 'off topic' },
  PERSONAL_DATA: { vi: 'lộ thông tin cá nhân', en: 'personal data exposed' },
  MISINFORMATION: { vi: 'thông tin sai lệch', en: 'misinformation' },
  OTHER: { vi: 'lý do khác', en: 'other reason' },
};

/**
 * Why a comment left public view, as one category: a moderator's reason code (the GraphQL FlagReason value), or its
 * author's withdrawal, or redaction.
 */
export function removalCategory(kind: RemovalKind, reasonCode: string | null): string {
  if (kind === 'withdrawn') return 'WITHDRAWN';
  if (kind === 'redacted') return 'REDACTED';
  return (reasonCode ?? 'other').toUpperCase();
}

export function removalCategoryLabel(category: string, locale: Locale): string {
  if (category === 'WITHDRAWN') return locale === 'vi' ? 'tác giả rút lại' : 'withdrawn by its author';
  if (category === 'REDACTED') return locale === 'vi' ? 'đã xoá nội dung' : 'content redacted';
  return reasonText[category]?.[locale] ?? reasonText.OTHER![locale];
}

/** dd/mm/yyyy in Vietnam time (UTC+7, no daylight saving). */
export function vietnamDate(iso: string): string {
  const d = new Date(Date.parse(iso) + 7 * 3_600_000).toISOString();
  return `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;
}

/** The dated note beside a published digest's row whose comment later left public view. */
export function afterPublicationNote(kind: RemovalKind, at: string, reasonCode: string | null, locale: Locale): string {
  const date = vietnamDate(at);
  const why = removalCategoryLabel(removalCategory(kind, reasonCode), locale);
  // A redaction or withdrawal says what happened; only a moderator's hide has a reason to give.
  if (locale === 'vi') {
    const what = { hidden: 'đã ẩn', withdrawn: 'đã được tác giả rút lại', redacted: 'đã bị xoá nội dung' }[kind];
    return kind === 'hidden'
      ? `Ý kiến ${what} sau khi công bố ngày ${date} (lý do: ${why}).`
      : `Ý kiến ${what} sau khi công bố ngày ${date}.`;
  }
  const what = { hidden: 'hidden', withdrawn: 'withdrawn by its author', redacted: 'redacted' }[kind];
  return kind === 'hidden'
    ? `Comment ${what} after publication on ${date} (reason: ${why}).`
    : `Comment ${what} after publication on ${date}.`;
}

export interface RemovalCount {
  category: string;
  count: number;
}

/** "2 ý kiến đã bị ẩn: 1 lăng mạ, xúc phạm, 1 lộ thông tin cá nhân"; empty when nothing was removed. */
export function removalSummary(counts: readonly RemovalCount[], locale: Locale): string {
  const total = counts.reduce((n, c) => n + c.count, 0);
  if (total === 0) return '';
  const parts = counts.map((c) => `${c.count} ${removalCategoryLabel(c.category, locale)}`).join(', ');
  return locale === 'vi'
    ? `${total} ý kiến không còn hiển thị: ${parts}`
    : `${total} ${total === 1 ? 'comment is' : 'comments are'} no longer shown: ${parts}`;
}
