/**
 * Instants as people in Vietnam read them on a notice or in a feed: always in Asia/Ho_Chi_Minh (UTC+7 all year),
 * whatever the server's zone. Vietnamese writes "23 giờ 59 ngày 15/01/2027"; English "23:59 on 15 January 2027".
 */
import { VIETNAM_OFFSET, VIETNAM_OFFSET_MS, vietnamClock } from '@gopy/domain/vietnamTime';

export type NoticeLang = 'vi' | 'en';

const EN_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const two = (n: number) => String(n).padStart(2, '0');

/** vi "23 giờ 59 ngày 15/01/2027" · en "23:59 on 15 January 2027". */
export function formatInstant(iso: string, lang: NoticeLang): string {
  const p = vietnamClock(iso);
  if (lang === 'vi') return `${p.hour} giờ ${two(p.minute)} ngày ${two(p.day)}/${two(p.month)}/${p.year}`;
  return `${two(p.hour)}:${two(p.minute)} on ${p.day} ${EN_MONTHS[p.month - 1]} ${p.year}`;
}

/** A calendar date (YYYY-MM-DD): vi "15/01/2027" · en "15 January 2027". */
export function formatCalendarDate(date: string, lang: NoticeLang): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!m) return date;
  return lang === 'vi' ? `${m[3]}/${m[2]}/${m[1]}` : `${Number(m[3])} ${EN_MONTHS[Number(m[2]) - 1]} ${m[1]}`;
}

/** `?lang=en` asks for English; anything else is Vietnamese, the site's first language. */
export function langOf(query: unknown): NoticeLang {
  return query === 'en' ? 'en' : 'vi';
}

/**
 * An instant for an export's cell: ISO 8601 in Vietnam time with the offset stated, "2026-12-08T14:30:05+07:00", which
 * a reader sees as the site shows it and every spreadsheet or program still reads as the same instant. Whole seconds.
 */
export function vietnamIso(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms + VIETNAM_OFFSET_MS).toISOString().slice(0, 19)}${VIETNAM_OFFSET}`;
}

/** An instant for a document's text: vi "14 giờ 30 ngày 08/12/2026 (GMT+7)" · en "14:30 on 8 December 2026 (GMT+7)". */
export function formatInstantWithOffset(iso: string, lang: NoticeLang): string {
  return `${formatInstant(iso, lang)} (GMT+7)`;
}
