import { describe, expect, it } from 'vitest';
import { fromLocalInput, startOfDay, toLocalInput } from './format';

describe("the site's Vietnam time", () => {
  it('starts a day in Vietnam at 17:00 UTC the day before, and the next one a day later', () => {
    expect(startOfDay('2027-03-10')).toBe('2027-03-09T17:00:00.000Z');
    expect(startOfDay('2027-03-31', 1)).toBe('2027-03-31T17:00:00.000Z');
  });

  it('reads and writes datetime-local fields in Vietnam time', () => {
    expect(fromLocalInput('2027-01-15T23:59')).toBe('2027-01-15T16:59:00.000Z');
    expect(toLocalInput('2027-01-15T16:59:00.000Z')).toBe('2027-01-15T23:59');
    expect(fromLocalInput('15/01/2027')).toBeNull();
  });
});
