import { describe, expect, it } from 'vitest';
import { formatCalendarDate, formatInstant } from './vietnamTime';

describe('notice and feed dates', () => {
  it('writes an instant in Vietnam time, whatever the server zone', () => {
    expect(formatInstant('2027-01-15T16:59:00.000Z', 'vi')).toBe('23 giờ 59 ngày 15/01/2027');
    expect(formatInstant('2027-01-15T16:59:00.000Z', 'en')).toBe('23:59 on 15 January 2027');
    expect(formatInstant('2027-01-15T17:05:00.000Z', 'vi')).toBe('0 giờ 05 ngày 16/01/2027');
    expect(formatInstant('2027-01-15T17:05:00.000Z', 'en')).toBe('00:05 on 16 January 2027');
  });

  it('writes a calendar date', () => {
    expect(formatCalendarDate('2027-03-09', 'vi')).toBe('09/03/2027');
    expect(formatCalendarDate('2027-03-09', 'en')).toBe('9 March 2027');
  });
});
