/**
 * Early warning of a communication crisis: is the activity of this hour of a consultation round out of line with the
 * round's own recent past? Pure arithmetic over counts; the surge detector (a process manager) gathers the counts from
 * the read models and records what this returns.
 */

/** What happened in one clock hour of a round (online comments only: staff typing in a pile of letters is no surge). */
export interface HourActivity {
  /** ISO instant of the start of the hour (UTC, minutes and seconds zero). */
  hourStart: string;
  comments: number;
  oppose: number;
  flags: number;
}

export interface SurgeThresholds {
  /** How many hours before the current one make the baseline. */
  baselineHours: number;
  /** With fewer complete hours of history (a round just opened) nothing is compared, so the opening rush raises nothing. */
  minBaselineHours: number;
  /** Comments in the hour must reach this many and `commentsFactor` × the baseline's hourly mean. */
  minComments: number;
  commentsFactor: number;
  /** The oppose share is compared only over at least this many comments, in the hour and in the baseline. */
  minCommentsForShare: number;
  /** The hour's oppose share must exceed the baseline share by this much and be a majority. */
  opposeShareRise: number;
  /** Flags in the hour must reach this many and `flagsFactor` × the baseline's hourly mean. */
  minFlags: number;
  flagsFactor: number;
}

export const defaultSurgeThresholds: SurgeThresholds = {
  baselineHours: 24,
  minBaselineHours: 3,
  minComments: 20,
  commentsFactor: 3,
  minCommentsForShare: 10,
  opposeShareRise: 0.25,
  minFlags: 5,
  flagsFactor: 3,
};

export type SurgeSignalKind = 'comments_per_hour' | 'oppose_share' | 'flags_per_hour';

export interface SurgeSignal {
  signal: SurgeSignalKind;
  observed: number;
  baseline: number;
}

const HOUR_MS = 3_600_000;

/** The start of the clock hour holding `instant`. */
export function hourStartOf(instant: string): string {
  const ms = Date.parse(instant);
  return new Date(ms - (((ms % HOUR_MS) + HOUR_MS) % HOUR_MS)).toISOString();
}

/**
 * The signals the current hour raises against the baseline: the `baselineHours` complete hours before it, but none before
 * the round opened. Hours missing from `history` had no activity and count as zeros.
 */
export function evaluateSurge(
  current: HourActivity,
  history: readonly HourActivity[],
  roundOpenedAt: string,
  thresholds: SurgeThresholds = defaultSurgeThresholds,
): SurgeSignal[] {
  const currentStart = Date.parse(current.hourStart);
  // Only whole hours after the opening count: the opening hour is partial and usually the busiest of all.
  const opened = Date.parse(roundOpenedAt);
  const openHour = Date.parse(hourStartOf(roundOpenedAt));
  const firstWhole = opened === openHour ? openHour : openHour + HOUR_MS;
  const baselineStart = Math.max(currentStart - thresholds.baselineHours * HOUR_MS, firstWhole);
  const hours = Math.max(0, Math.floor((currentStart - baselineStart) / HOUR_MS));
  if (hours < thresholds.minBaselineHours) return [];

  const window = history.filter((h) => {
    const t = Date.parse(h.hourStart);
    return t >= baselineStart && t < currentStart;
  });
  const sum = (pick: (h: HourActivity) => number) => window.reduce((n, h) => n + pick(h), 0);
  const baseComments = sum((h) => h.comments);
  const baseOppose = sum((h) => h.oppose);
  const baseFlags = sum((h) => h.flags);
  const signals: SurgeSignal[] = [];

  const commentsMean = hours > 0 ? baseComments / hours : 0;
  if (
    current.comments >= thresholds.minComments &&
    current.comments >= thresholds.commentsFactor * Math.max(commentsMean, 1)
  ) {
    signals.push({ signal: 'comments_per_hour', observed: current.comments, baseline: round3(commentsMean) });
  }

  if (current.comments >= thresholds.minCommentsForShare && baseComments >= thresholds.minCommentsForShare) {
    const share = current.oppose / current.comments;
    const baseShare = baseOppose / baseComments;
    if (share > 0.5 && share - baseShare >= thresholds.opposeShareRise) {
      signals.push({ signal: 'oppose_share', observed: round3(share), baseline: round3(baseShare) });
    }
  }

  const flagsMean = hours > 0 ? baseFlags / hours : 0;
  if (current.flags >= thresholds.minFlags && current.flags >= thresholds.flagsFactor * Math.max(flagsMean, 1)) {
    signals.push({ signal: 'flags_per_hour', observed: current.flags, baseline: round3(flagsMean) });
  }
  return signals;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
