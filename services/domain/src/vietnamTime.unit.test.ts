import { describe, expect, it } from 'vitest';
import { startOfVietnamDay, vietnamClock, vietnamDay, vietnamMidnight } from './vietnamTime';

describe('Vietnam time', () => {
  it('reads the wall clock seven hours ahead of UTC, across a day, month and year boundary', () => {
    expect(vietnamClock('2026-12-31T16:59:00.000Z')).toEqual({ year: 2026, month: 12, day: 31, hour: 23, minute: 59 });
    expect(vietnamClock('2026-12-31T17:00:00.000Z')).toEqual({ year: 2027, month: 1, day: 1, hour: 0, minute: 0 });
    expect(vietnamClock(new Date('2027-06-15T02:30:00.000Z'))).toEqual({
      year: 2027,
      month: 6,
      day: 15,
      hour: 9,
      minute: 30,
    });
  });

  it('gives the calendar day an instant falls on in Vietnam', () => {
    expect(vietnamDay('2026-11-20T16:59:59.999Z')).toBe('2026-11-20');
    expect(vietnamDay('2026-11-20T17:00:00.000Z')).toBe('2026-11-21');
    expect(vietnamDay(new Date('2026-11-20T17:30:00.000Z'))).toBe('2026-11-21');
  });

  it('agrees with the time-zone database for every hour of a year (no daylight saving)', () => {
    const zone = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', dateStyle: 'short' });
    for (let t = Date.parse('2027-01-01T00:00:00Z'); t < Date.parse('2028-01-01T00:00:00Z'); t += 3_600_000) {
      expect(vietnamDay(new Date(t))).toBe(zone.format(new Date(t)));
    }
  });

  it('starts a Vietnamese day at 17:00 UTC the day before, rolling days past the month end over', () => {
    expect(vietnamMidnight(2027, 1, 1)).toBe('2026-12-31T17:00:00.000Z');
    expect(vietnamMidnight(2027, 5, 16)).toBe('2027-05-15T17:00:00.000Z');
    expect(vietnamMidnight(2027, 2, 29)).toBe('2027-02-28T17:00:00.000Z');
    expect(startOfVietnamDay('2027-03-10')).toBe('2027-03-09T17:00:00.000Z');
    expect(startOfVietnamDay('2027-03-31', 1)).toBe('2027-03-31T17:00:00.000Z');
    expect(vietnamDay(startOfVietnamDay('2027-03-10'))).toBe('2027-03-10');
  });

  it('refuses what is not a calendar date', () => {
    expect(() => startOfVietnamDay('2027-3-10')).toThrow(RangeError);
  });
});
