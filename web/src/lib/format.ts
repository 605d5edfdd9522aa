// Dates, times and numbers in the reader's locale. Every instant is shown in Asia/Ho_Chi_Minh, where the
// consultations happen, whatever the reader's machine says. This is the site's one Vietnam-time module (the site
// talks to the services over GraphQL only, so it cannot import services/domain/src/vietnamTime.ts; the two agree
// on the fixed UTC+7 offset).
import { getLocale } from '$lib/paraglide/runtime';

export const TIME_ZONE = 'Asia/Ho_Chi_Minh';
/** Vietnam keeps UTC+7 all year (no daylight saving), which makes form input conversion exact. */
const VIETNAM_OFFSET = '+07:00';

type Locale = 'vi' | 'en';

function intlLocale(locale: Locale): string {
  return locale === 'en' ? 'en-GB' : 'vi-VN';
}

function parts(date: Date, options: Intl.DateTimeFormatOptions, locale: Locale): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of new Intl.DateTimeFormat(intlLocale(locale), { ...options, timeZone: TIME_ZONE }).formatToParts(
    date,
  )) {
    out[part.type] = part.value;
  }
  return out;
}

/** vi: 15/12/2026 17:00 · en: 15 Dec 2026, 17:00 */
export function formatDateTime(iso: string, locale: Locale = getLocale()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  if (locale === 'vi') {
    const p = parts(
      date,
      { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
      locale,
    );
    return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
  }
  return new Intl.DateTimeFormat(intlLocale(locale), {
    dateStyle: 'medium',
    timeStyle: 'short',
    hourCycle: 'h23',
    timeZone: TIME_ZONE,
  }).format(date);
}

/** A calendar date (YYYY-MM-DD, no time zone): vi 15/12/2026 · en 15 Dec 2026. */
export function formatDate(isoDate: string, locale: Locale = getLocale()): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate);
  if (!match) return isoDate;
  const [, y, mo, d] = match;
  if (locale === 'vi') return `${d}/${mo}/${y}`;
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d))),
  );
}

/** The date part of an instant, in Vietnam. */
export function formatDayOf(iso: string, locale: Locale = getLocale()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const p = parts(date, { day: '2-digit', month: '2-digit', year: 'numeric' }, 'vi');
  return formatDate(`${p.year}-${p.month}-${p.day}`, locale);
}

export function formatNumber(n: number, locale: Locale = getLocale()): string {
  return new Intl.NumberFormat(intlLocale(locale)).format(n);
}

/** Whole days left until `closesAt` counted from `now`, rounded up (a round closing in 3 hours has 1 day left). */
export function daysLeft(closesAt: string, now: string): number {
  const ms = new Date(closesAt).getTime() - new Date(now).getTime();
  return Math.max(0, Math.ceil(ms / 86_400_000));
}

/** English plural category for a count (Vietnamese has none). */
export function isOne(n: number, locale: Locale = getLocale()): boolean {
  return new Intl.PluralRules(intlLocale(locale)).select(n) === 'one';
}

/** Value for <input type="datetime-local"> showing an instant in Vietnam time. */
export function toLocalInput(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const p = parts(
    date,
    { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
    'vi',
  );
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** The start of a calendar date (YYYY-MM-DD) in Vietnam, `plusDays` later, as a UTC ISO instant. */
export function startOfDay(date: string, plusDays = 0): string {
  const d = new Date(`${date}T00:00:00${VIETNAM_OFFSET}`);
  d.setUTCDate(d.getUTCDate() + plusDays);
  return d.toISOString();
}

/** Reads <input type="datetime-local"> (Vietnam time) into a UTC ISO instant; null when not a valid value. */
export function fromLocalInput(value: string): string | null {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/.exec(value.trim());
  if (!match) return null;
  const date = new Date(`${match[1]}T${match[2]}${match[3] ?? ':00'}${VIETNAM_OFFSET}`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export function isIsoDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.getUTCDate() === Number(match[3]) && date.getUTCMonth() === Number(match[2]) - 1;
}
