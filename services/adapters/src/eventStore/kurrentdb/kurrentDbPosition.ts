/**
 * Positions of the KurrentDB adapter: KurrentDB's native $all position, a (commit, prepare) pair of unsigned 64-bit
 * transaction-log offsets, ordered by commit then prepare. Events appended together share a commit position and differ
 * by prepare position, so neither half alone orders $all.
 *
 * Outside the process a position is the opaque string `<commit>-<prepare>`, each half zero-padded to 20 digits (2^64
 * has 20), so that string order is position order and the string maps back to the exact native pair.
 */
import type { Position } from '@gopy/application/eventStore';

export interface NativePosition {
  commit: bigint;
  prepare: bigint;
}

const DIGITS = 20;
const MAX = (1n << 64n) - 1n;
const PATTERN = /^(\d{20})-(\d{20})$/;

/** "Before the first event": what an empty append to an absent stream answers. */
export const KURRENTDB_ZERO_POSITION = kurrentDbPosition({ commit: 0n, prepare: 0n });

export function kurrentDbPosition({ commit, prepare }: NativePosition): Position {
  for (const half of [commit, prepare]) {
    if (typeof half !== 'bigint' || half < 0n || half > MAX)
      throw new RangeError(`Not a KurrentDB position: ${String(half)}`);
  }
  return `${commit.toString().padStart(DIGITS, '0')}-${prepare.toString().padStart(DIGITS, '0')}` as Position;
}

/** The native pair behind a position of this adapter; refuses positions of other stores rather than misreading them. */
export function parseKurrentDbPosition(position: string): NativePosition {
  const match = PATTERN.exec(position);
  if (!match) throw new TypeError(`Not a KurrentDB event position: ${JSON.stringify(position)}`);
  const commit = BigInt(match[1]!);
  const prepare = BigInt(match[2]!);
  if (commit > MAX || prepare > MAX) throw new RangeError(`KurrentDB position out of range: ${position}`);
  return { commit, prepare };
}

export function compareNativePositions(a: NativePosition, b: NativePosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

export function compareKurrentDbPositions(a: Position, b: Position): number {
  return compareNativePositions(parseKurrentDbPosition(a), parseKurrentDbPosition(b));
}

export function maxNativePosition(...positions: Array<NativePosition | undefined>): NativePosition | undefined {
  let best: NativePosition | undefined;
  for (const p of positions)
    if (p !== undefined && (best === undefined || compareNativePositions(p, best) > 0)) best = p;
  return best;
}
