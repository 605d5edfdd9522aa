/**
 * Vietnam time, the one place it is computed. Consultations, deadlines, reporting periods and daily counts all happen
 * in Asia/Ho_Chi_Minh, which keeps UTC+7 all year (no daylight saving), so the arithmetic is a fixed offset and needs
 * no time-zone database. Pure: instants come in, nothing reads the clock.
 */

export const VIETNAM_TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** UTC+7 in milliseconds. */
export const VIETNAM_OFFSET_MS = 7 * 3_600_000;

/** UTC+7 as ISO 8601 writes it. */
export const VIETNAM_OFFSET = '+07:00';

/** An instant's wall-clock reading in Vietnam (month 1–12). */
export interface VietnamClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

function millisOf(instant: string | Date): number {
  return typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
}

/** The wall clock in Vietnam at an instant. */
export function vietnamClock(instant: string | Date): VietnamClock {
  const local = new Date(millisOf(instant) + VIETNAM_OFFSET_MS);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
  };
}

/** The calendar day (YYYY-MM-DD) in Vietnam of an instant. */
export function vietnamDay(instant: string | Date): string {
  return new Date(millisOf(instant) + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

/** Midnight at the start of a day in Vietnam (month 1–12; days past the month's end roll over), as a UTC instant. */
export function vietnamMidnight(year: number, month: number, day: number): string {
  return new Date(Date.UTC(year, month - 1, day) - VIETNAM_OFFSET_MS).toISOString();
}

/** Midnight at the start of a calendar date (YYYY-MM-DD) in Vietnam, `plusDays` later, as a UTC instant. */
export function startOfVietnamDay(date: string, plusDays = 0): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`not a calendar date: ${date}`);
  return vietnamMidnight(Number(m[1]), Number(m[2]), Number(m[3]) + plusDays);
}
