import { describe, expect, it } from 'vitest';
import { evaluateSurge, hourStartOf, type HourActivity } from './surge';

const opened = '2026-11-20T01:30:00.000Z';
const hour = (iso: string, comments: number, oppose = 0, flags = 0): HourActivity => ({
  hourStart: iso,
  comments,
  oppose,
  flags,
});

/** `count` hours of the same activity starting at `from` (an hour start). */
function steady(from: string, count: number, comments: number, oppose = 0, flags = 0): HourActivity[] {
  return Array.from({ length: count }, (_, i) =>
    hour(new Date(Date.parse(from) + i * 3_600_000).toISOString(), comments, oppose, flags),
  );
}

describe('hourStartOf', () => {
  it('floors to the clock hour in UTC', () => {
    expect(hourStartOf('2026-11-20T01:30:59.123Z')).toBe('2026-11-20T01:00:00.000Z');
    expect(hourStartOf('2026-11-20T02:00:00Z')).toBe('2026-11-20T02:00:00.000Z');
  });
});

describe('evaluateSurge', () => {
  // Whole hours start at 02:00 (the round opened at 01:30); ten steady hours 02:00–11:00.
  const history = steady('2026-11-20T02:00:00.000Z', 10, 5, 1, 0);
  const at12 = '2026-11-20T12:00:00.000Z';

  it('a steady flow raises nothing', () => {
    expect(evaluateSurge(hour(at12, 6, 1, 0), history, opened)).toEqual([]);
  });

  it('a burst of comments against a quiet baseline is a surge, with the baseline it was measured against', () => {
    expect(evaluateSurge(hour(at12, 60, 10, 0), history, opened)).toEqual([
      { signal: 'comments_per_hour', observed: 60, baseline: 5 },
    ]);
  });

  it('below the floor it is no surge, however quiet the baseline was', () => {
    const quiet = steady('2026-11-20T02:00:00.000Z', 10, 0);
    expect(evaluateSurge(hour(at12, 19), quiet, opened)).toEqual([]);
    expect(evaluateSurge(hour(at12, 20), quiet, opened)).toEqual([
      { signal: 'comments_per_hour', observed: 20, baseline: 0 },
    ]);
  });

  it('a turn to opposition is a signal even when the volume is ordinary', () => {
    const signals = evaluateSurge(hour(at12, 12, 10, 0), history, opened);
    expect(signals).toEqual([{ signal: 'oppose_share', observed: 0.833, baseline: 0.2 }]);
  });

  it('a round that has always been opposed raises no oppose signal', () => {
    const opposed = steady('2026-11-20T02:00:00.000Z', 10, 5, 4, 0);
    expect(evaluateSurge(hour(at12, 12, 10, 0), opposed, opened)).toEqual([]);
  });

  it('a wave of flags is a signal', () => {
    expect(evaluateSurge(hour(at12, 5, 1, 6), history, opened)).toEqual([
      { signal: 'flags_per_hour', observed: 6, baseline: 0 },
    ]);
  });

  it('hours with no activity count as zeros in the baseline', () => {
    // Only two busy hours out of ten: the mean is 4 per hour, not 20.
    const sparse = [hour('2026-11-20T03:00:00.000Z', 20), hour('2026-11-20T09:00:00.000Z', 20)];
    expect(evaluateSurge(hour(at12, 20), sparse, opened)).toEqual([
      { signal: 'comments_per_hour', observed: 20, baseline: 4 },
    ]);
  });

  it('only the last 24 hours make the baseline', () => {
    const old = steady('2026-11-20T02:00:00.000Z', 10, 50);
    const recent = steady('2026-11-21T00:00:00.000Z', 24, 2);
    const signals = evaluateSurge(hour('2026-11-22T00:00:00.000Z', 30), [...old, ...recent], opened);
    expect(signals).toEqual([{ signal: 'comments_per_hour', observed: 30, baseline: 2 }]);
  });

  it('in the first hours of a round there is no baseline, so the opening rush raises nothing', () => {
    expect(evaluateSurge(hour('2026-11-20T01:00:00.000Z', 300), [], opened)).toEqual([]);
    expect(
      evaluateSurge(hour('2026-11-20T04:00:00.000Z', 300), steady('2026-11-20T02:00:00.000Z', 2, 1), opened),
    ).toEqual([]);
    // Three whole hours (02, 03, 04) make a baseline.
    expect(
      evaluateSurge(hour('2026-11-20T05:00:00.000Z', 300), steady('2026-11-20T02:00:00.000Z', 3, 1), opened),
    ).toHaveLength(1);
  });
});
