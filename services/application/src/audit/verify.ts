import type { KeyObject } from 'node:crypto';
import { GENESIS_HASH } from '@gopy/schemas';
import { eventHash } from '../integrity';
import {
  CHECKPOINT_EVENT_TYPE,
  CHECKPOINT_STREAM,
  checkSignature,
  keyFingerprint,
  type CheckpointData,
} from './checkpoint';
import { StreamingMerkle } from './merkle';
import { WitnessComparison, witnessProblem, type Witness, type WitnessReport } from './witness';

/** An event exactly as stored: raw data and metadata text, before any parsing or upcasting. */
export interface AuditRecord {
  streamId: string;
  revision: number;
  eventId: string;
  type: string;
  data: string;
  metadata: string;
  hash: string;
  /** Where it sits in its store, when known (only for messages; never verified). */
  position?: string;
  /**
   * Its 0-based place in the whole log, when the source says so (a partial bundle's lines); a whole log's place is
   * counted while reading, never taken from the source.
   */
  index?: number;
}

export interface VerifyFailure {
  /** 0-based index of the event in global order (in the source that was read). */
  index: number;
  eventId: string;
  streamId: string;
  revision: number;
  position?: string;
  reason: string;
}

export interface VerifyReport {
  ok: boolean;
  events: number;
  streams: number;
  checkpoints: number;
  /** The newest checkpoint checked, if any. */
  lastCheckpoint: { count: number; merkleRoot: string; eventId: string } | null;
  /** Events after the newest checkpoint: their chains are checked, but no signature covers them yet. */
  eventsAfterLastCheckpoint: number;
  /**
   * The unsealed tail: every event the newest checkpoint's Merkle root does not cover (all of them when there is no
   * checkpoint), the checkpoint itself excepted. Their chains are checked, but deleting or rewriting them (hashes
   * recomputed) leaves no trace. Null when there is none, or when verification stopped at a failure before the end.
   */
  unsealedTail: UnsealedTail | null;
  /** The option was given and there is an unsealed tail: the report is not ok for that reason alone. */
  unsealedTailRefused: boolean;
  failure: VerifyFailure | null;
  /** What this run could not check, in plain words. */
  notChecked: string[];
  /** The comparison with a witnessed checkpoint, when one was given. */
  witness: WitnessReport | null;
}

export interface UnsealedTail {
  events: number;
  /** 0-based places in the whole log of the first and last unsealed event. */
  firstIndex: number;
  lastIndex: number;
  /** Their positions in the source (the store's opaque position, or `#index` in a bundle), when known. */
  firstPosition: string | null;
  lastPosition: string | null;
  firstEventId: string;
  lastEventId: string;
  /** The earliest and latest recordedAt among them (the server clock, from the stored metadata). */
  recordedFrom: string | null;
  recordedTo: string | null;
}

export interface VerifyOptions {
  /** The sealer's public key; without it, checkpoint signatures are not checked (and the report says so). */
  publicKey?: KeyObject;
  /**
   * A partial log (one policy's bundle): every stream is complete, but the global order is not, so checkpoint counts
   * and Merkle roots, which cover the whole log, cannot be recomputed.
   */
  partial?: boolean;
  /** Fail when any event is not covered by a signed checkpoint (`gopy audit verify --require-sealed`). */
  requireSealed?: boolean;
  /** A witnessed checkpoint kept outside the server: the log must still hold what it saw. */
  witness?: Witness;
}

function parseCheckpoint(data: string): CheckpointData | undefined {
  try {
    const d = JSON.parse(data) as CheckpointData;
    return typeof d.count === 'number' && typeof d.merkleRoot === 'string' && typeof d.signature === 'string'
      ? d
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies a log from its stored bytes: every stream's hash chain (prevHash in the metadata, the hash recomputed over the
 * stored text, revisions contiguous from 0), and every checkpoint (signature, chain of checkpoints, event count and Merkle
 * root of the events it covers). Stops at the first event that does not match and names it. Reports the unsealed tail:
 * what no checkpoint covers yet.
 *
 * `source` is read twice (first only to learn which prefixes checkpoints cover and which checkpoint is the newest), so it
 * is a function returning a fresh iterable: a live store's readAll, or a bundle's lines.
 */
export async function verifyLog(
  source: () => AsyncIterable<AuditRecord>,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const partial = options.partial ?? false;
  const covered = new Set<number>();
  let newest: { count: number; eventId: string } | undefined;
  const problem = options.witness ? witnessProblem(options.witness, options.publicKey) : null;
  const comparison = options.witness && !problem ? new WitnessComparison(options.witness, { partial }) : undefined;
  // The length read now bounds the second pass: a live log grows meanwhile, and a checkpoint sealed in between would
  // cover a prefix this pass did not note.
  let length = 0;
  for await (const e of source()) {
    if (e.type === CHECKPOINT_EVENT_TYPE && e.streamId === CHECKPOINT_STREAM) {
      const c = parseCheckpoint(e.data);
      if (c) {
        covered.add(c.count);
        newest = { count: c.count, eventId: e.eventId };
      }
    }
    comparison?.observe(e, partial ? e.index : length);
    length += 1;
  }
  const witness: WitnessReport | null = comparison
    ? comparison.finish()
    : options.witness
      ? {
          ...WitnessComparison.summaryOf(options.witness),
          ok: false,
          problem,
          first: null,
          differences: [],
          differenceCount: 0,
        }
      : null;
  const expectedFingerprint = options.publicKey ? keyFingerprint(options.publicKey) : undefined;
  const prefixes = new Map<number, { root: string; eventId: string | null; hash: string | null }>();
  const merkle = new StreamingMerkle();
  if (covered.has(0)) prefixes.set(0, { root: merkle.root(), eventId: null, hash: null });
  const streams = new Map<string, { revision: number; hash: string }>();
  let index = 0;
  let checkpoints = 0;
  let lastCheckpoint: VerifyReport['lastCheckpoint'] = null;
  let lastCheckpointIndex = -1;
  let previousCheckpointHash: string | null = null;
  let tail: UnsealedTail | null = null;
  let seenNewest = false;
  const report = (failure: VerifyFailure | null): VerifyReport => {
    const unsealedTail = failure ? null : tail;
    const unsealedTailRefused = Boolean(options.requireSealed && !failure && tail);
    return {
      ok: failure === null && !unsealedTailRefused && (witness?.ok ?? true),
      events: failure ? failure.index : index,
      streams: streams.size,
      checkpoints,
      lastCheckpoint,
      eventsAfterLastCheckpoint: (failure ? failure.index : index) - (lastCheckpointIndex + 1),
      unsealedTail,
      unsealedTailRefused,
      failure,
      notChecked: [
        ...(options.publicKey ? [] : ['checkpoint signatures (no public key given)']),
        ...(partial
          ? [
              'checkpoint event counts and Merkle roots (they cover the whole log; this is a partial bundle)',
              'that no whole stream was left out of the bundle',
            ]
          : []),
        'events appended after the newest checkpoint are chained but not yet signed',
        witness
          ? 'a truncation after the witnessed checkpoint that also removed every later checkpoint (witness a newer one)'
          : 'a truncation that also removed every checkpoint after the cut (compare the newest checkpoint with one published elsewhere)',
        ...(witness && partial
          ? ['witnessed streams absent from this partial bundle (they may belong to another policy)']
          : []),
      ],
      witness,
    };
  };

  for await (const e of source()) {
    if (index >= length) break;
    const fail = (reason: string) =>
      report({
        index,
        eventId: e.eventId,
        streamId: e.streamId,
        revision: e.revision,
        ...(e.position ? { position: e.position } : {}),
        reason,
      });
    const prev = streams.get(e.streamId);
    const expectedRevision = prev ? prev.revision + 1 : 0;
    if (e.revision !== expectedRevision) {
      return fail(
        e.revision > expectedRevision
          ? `revision ${e.revision} follows ${expectedRevision - 1} in its stream: ${e.revision - expectedRevision} event(s) before it are missing`
          : `revision ${e.revision} repeats or goes back (expected ${expectedRevision})`,
      );
    }
    let metadata: { prevHash?: unknown; recordedAt?: unknown };
    try {
      metadata = JSON.parse(e.metadata) as typeof metadata;
    } catch {
      return fail('stored metadata is not valid JSON (changed after writing)');
    }
    const metadataPrevHash = metadata.prevHash;
    const recomputed = eventHash(metadataPrevHash === undefined ? '' : String(metadataPrevHash), e);
    if (recomputed !== e.hash) return fail('stored bytes do not match the stored hash (changed after writing)');
    const prevHash = prev?.hash ?? GENESIS_HASH;
    if (metadataPrevHash !== prevHash)
      return fail(`prevHash does not match the hash of the previous event of the stream (${prevHash.slice(0, 12)}…)`);

    if (e.type === CHECKPOINT_EVENT_TYPE && e.streamId === CHECKPOINT_STREAM) {
      const c = parseCheckpoint(e.data);
      if (!c) return fail('checkpoint data is unreadable');
      if (options.publicKey) {
        if (c.keyFingerprint !== expectedFingerprint)
          return fail(`checkpoint was signed by another key (fingerprint ${c.keyFingerprint.slice(0, 16)}…)`);
        if (!checkSignature(options.publicKey, c)) return fail('checkpoint signature does not verify');
      }
      if (c.previousCheckpointHash !== previousCheckpointHash)
        return fail('checkpoint does not link to the previous checkpoint');
      if (!partial) {
        if (c.count > index) {
          return fail(
            `checkpoint covers ${c.count} events but only ${index} precede it: ${c.count - index} event(s) it covers are missing` +
              (c.lastEventId ? ` (the last covered event was ${c.lastEventId})` : ''),
          );
        }
        const at = prefixes.get(c.count);
        if (!at || at.root !== c.merkleRoot) {
          return fail(
            `checkpoint Merkle root over the first ${c.count} events does not match: events it covers were changed, removed, added or reordered`,
          );
        }
        if (at.eventId !== c.lastEventId || at.hash !== c.lastHash)
          return fail(`checkpoint names ${c.lastEventId} as its last covered event, but the log has ${at.eventId}`);
      }
      checkpoints += 1;
      lastCheckpoint = { count: c.count, merkleRoot: c.merkleRoot, eventId: e.eventId };
      lastCheckpointIndex = index;
      previousCheckpointHash = e.hash;
    }

    // A whole log's place is counted here; a partial bundle only knows it from its lines.
    const place = partial ? e.index : index;
    const unsealed =
      newest === undefined ||
      (e.eventId !== newest.eventId && (place === undefined ? seenNewest : place >= newest.count));
    if (e.eventId === newest?.eventId) seenNewest = true;
    if (unsealed) {
      const recordedAt = typeof metadata.recordedAt === 'string' ? metadata.recordedAt : null;
      const at = place ?? index;
      const position = e.position ?? null;
      if (!tail) {
        tail = {
          events: 0,
          firstIndex: at,
          lastIndex: at,
          firstPosition: position,
          lastPosition: position,
          firstEventId: e.eventId,
          lastEventId: e.eventId,
          recordedFrom: recordedAt,
          recordedTo: recordedAt,
        };
      }
      tail.events += 1;
      tail.lastIndex = at;
      tail.lastPosition = position;
      tail.lastEventId = e.eventId;
      if (recordedAt && (!tail.recordedFrom || recordedAt < tail.recordedFrom)) tail.recordedFrom = recordedAt;
      if (recordedAt && (!tail.recordedTo || recordedAt > tail.recordedTo)) tail.recordedTo = recordedAt;
    }

    streams.set(e.streamId, { revision: e.revision, hash: e.hash });
    if (!partial) {
      merkle.add(e.hash);
      if (covered.has(merkle.count))
        prefixes.set(merkle.count, { root: merkle.root(), eventId: e.eventId, hash: e.hash });
    }
    index += 1;
  }
  return report(null);
}

/** The unsealed tail in one sentence, or that there is none. */
export function describeTail(r: VerifyReport): string {
  const t = r.unsealedTail;
  if (!t) return 'Unsealed tail: none (the newest checkpoint covers every event).';
  const where = t.firstPosition && t.lastPosition ? `, positions ${t.firstPosition}–${t.lastPosition}` : '';
  const when = t.recordedFrom && t.recordedTo ? `, recorded ${t.recordedFrom} to ${t.recordedTo}` : '';
  return `Unsealed tail: ${t.events} event(s) not covered by a signed checkpoint (#${t.firstIndex}–#${t.lastIndex}${where}${when}); their chains hold, but deleting or rewriting them would leave no trace until they are sealed.`;
}

/** One line of a report for people. */
export function describeReport(r: VerifyReport): string {
  if (r.unsealedTailRefused)
    return `NOT SEALED: every chain and checkpoint holds, but ${r.unsealedTail?.events ?? 0} event(s) are not covered by a signed checkpoint and --require-sealed was given; seal them (gopy audit seal) and verify again.`;
  if (r.failure) {
    const f = r.failure;
    return `FAILED at event #${f.index} ${f.eventId} (stream ${f.streamId}, revision ${f.revision}${f.position ? `, position ${f.position}` : ''}): ${f.reason}`;
  }
  const cp = r.lastCheckpoint
    ? `${r.checkpoints} checkpoint(s) verified, the newest covering ${r.lastCheckpoint.count} events (Merkle root ${r.lastCheckpoint.merkleRoot})`
    : 'no checkpoint found';
  return `OK: ${r.events} events in ${r.streams} streams, every chain intact; ${cp}; ${r.eventsAfterLastCheckpoint} event(s) after the newest checkpoint.`;
}

/** The comparison with a witness, for people: a verdict line, then the first differences. */
export function describeWitness(w: WitnessReport): string[] {
  const head = `Against the witness of ${w.witnessedAt} (checkpoint #${w.checkpoint.index} over ${w.checkpoint.count} events, ${w.streams} streams)`;
  if (w.problem) return [`${head}: WITNESS REJECTED: ${w.problem}.`];
  if (w.ok) return [`${head}: every witnessed stream, place and the Merkle root match.`];
  return [
    `${head}: ${w.differenceCount} difference(s); the first at #${w.first!.index}: ${w.first!.message}.`,
    ...w.differences.slice(1).map((d) => `  #${d.index}: ${d.message}.`),
    ...(w.differenceCount > w.differences.length
      ? [`  … and ${w.differenceCount - w.differences.length} more (--json lists the first ${w.differences.length}).`]
      : []),
  ];
}
