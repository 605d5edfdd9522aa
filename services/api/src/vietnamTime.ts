/**
 * Instants as people in Vietnam read them on a notice or in a feed: always in Asia/Ho_Chi_Minh (UTC+7 all year),
 * whatever the server's zone. Vietnamese writes "23 giờ 59 ngày 15/01/2027"; English "23:59 on 15 January 2027".
 */
export type NoticeLang = 'vi' | 'en';

export const VIETNAM_TIME_ZONE = 'Asia/Ho_Chi_Minh';

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

const formatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: VIETNAM_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

function partsOf(iso: string): { year: string; month: string; day: string; hour: string; minute: string } {
  const out: Record<string, string> = {};
  for (const p of formatter.formatToParts(new Date(iso))) out[p.type] = p.value;
  return { year: out.year!, month: out.month!, day: out.day!, hour: out.hour!, minute: out.minute! };
}

/** vi "23 giờ 59 ngày 15/01/2027" · en "23:59 on 15 January 2027". */
export function formatInstant(iso: string, lang: NoticeLang): string {
  const p = partsOf(iso);
  if (lang === 'vi') return `${Number(p.hour)} giờ ${p.minute} ngày ${p.day}/${p.month}/${p.year}`;
  return `${p.hour}:${p.minute} on ${Number(p.day)} ${EN_MONTHS[Number(p.month) - 1]} ${p.year}`;
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
