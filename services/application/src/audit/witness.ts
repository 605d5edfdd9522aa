import { verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../integrity';
import {
  CHECKPOINT_EVENT_TYPE,
  CHECKPOINT_STREAM,
  checkSignature,
  keyFingerprint,
  parsePublicKey,
  type CheckpointData,
} from './checkpoint';
import { StreamingMerkle } from './merkle';
import type { AuditRecord } from './verify';

export const WITNESS_FORMAT = 'gopy-audit-witness-1';

/**
 * One stream as it stood at the witnessed checkpoint: its newest event then, by revision, place in the whole log and
 * hash. The hash commits the whole stream up to it (each hash chains the one before), the place lets a stream that is
 * gone be named where it was, and the list names every stream, so a stream of one event that is deleted later is named.
 */
export type WitnessedStream = [streamId: string, revision: number, index: number, hash: string];

/** Everything a witness signs. */
export interface WitnessBody {
  format: typeof WITNESS_FORMAT;
  witnessedAt: string;
  /** The sealer's public key (SPKI PEM) and its fingerprint: the key the auditor trusts from now on. */
  publicKey: string;
  keyFingerprint: string;
  /** The newest checkpoint when the witness was taken: the event and the signed data it carries. */
  checkpoint: {
    eventId: string;
    revision: number;
    /** Its 0-based place in the whole log: the head of the witnessed log. */
    index: number;
    /** Its position in the store it was read from (informative: positions change when a log is copied). */
    position: string | null;
    hash: string;
    recordedAt: string | null;
    data: CheckpointData;
  };
  /** Every stream with an event at or before the checkpoint, by the place of its newest event then. */
  streams: WitnessedStream[];
}

export interface Witness extends WitnessBody {
  /** Ed25519 over the UTF-8 of the RFC 8785 canonical JSON of the body with `"v":"gopy-witness-1"`. */
  signature: string;
}

export const witnessBytes = (body: WitnessBody): Buffer =>
  Buffer.from(
    canonicalJson({
      v: 'gopy-witness-1',
      format: body.format,
      witnessedAt: body.witnessedAt,
      publicKey: body.publicKey,
      keyFingerprint: body.keyFingerprint,
      checkpoint: body.checkpoint,
      streams: body.streams,
    }),
    'utf8',
  );

export class WitnessError extends Error {}

/** Reads a witness file's text; throws WitnessError naming what is wrong with its shape. */
export function parseWitness(text: string): Witness {
  let w: Witness;
  try {
    w = JSON.parse(text) as Witness;
  } catch {
    throw new WitnessError('not a witness: the file is not JSON');
  }
  if (w?.format !== WITNESS_FORMAT) throw new WitnessError(`not a witness: format is not ${WITNESS_FORMAT}`);
  const c = w.checkpoint;
  const shapeOk =
    typeof w.signature === 'string' &&
    typeof w.publicKey === 'string' &&
    typeof c?.eventId === 'string' &&
    Number.isInteger(c.index) &&
    typeof c.hash === 'string' &&
    Number.isInteger(c.data?.count) &&
    typeof c.data?.merkleRoot === 'string' &&
    Array.isArray(w.streams) &&
    w.streams.every(
      (s) =>
        Array.isArray(s) &&
        typeof s[0] === 'string' &&
        Number.isInteger(s[1]) &&
        Number.isInteger(s[2]) &&
        typeof s[3] === 'string',
    );
  if (!shapeOk) throw new WitnessError('not a witness: a field is missing or has the wrong type');
  return w;
}

/**
 * Why a witness cannot be trusted, or null: its own signature and the checkpoint's must verify with its key, and that key
 * must be the one the log is verified with.
 */
export function witnessProblem(w: Witness, verifyingKey: KeyObject | undefined): string | null {
  let key: KeyObject;
  try {
    key = parsePublicKey(w.publicKey);
  } catch {
    return 'the witness’s public key cannot be read';
  }
  if (keyFingerprint(key) !== w.keyFingerprint) return 'the witness’s key fingerprint does not match its public key';
  if (verifyingKey && keyFingerprint(verifyingKey) !== w.keyFingerprint)
    return `the witness was signed by another key (fingerprint ${w.keyFingerprint.slice(0, 16)}…) than the one the log is verified with`;
  let signed: boolean;
  try {
    signed = verify(null, witnessBytes(w), key, Buffer.from(w.signature, 'base64'));
  } catch {
    signed = false;
  }
  if (!signed) return 'the witness’s signature does not verify (the file was changed)';
  if (!checkSignature(key, w.checkpoint.data)) return 'the witnessed checkpoint’s signature does not verify';
  return null;
}

export type WitnessDifferenceKind =
  'truncated' | 'missing-stream' | 'missing-events' | 'changed' | 'unwitnessed-stream' | 'moved' | 'merkle';

export interface WitnessDifference {
  kind: WitnessDifferenceKind;
  /** The place in the whole log where it is named: where the witness saw the event (where the log has it, for an insertion). */
  index: number;
  streamId: string | null;
  revision: number | null;
  message: string;
}

export interface WitnessReport {
  ok: boolean;
  /** Why the witness itself was not trusted; nothing was compared then. */
  problem: string | null;
  witnessedAt: string;
  checkpoint: { eventId: string; index: number; count: number; merkleRoot: string };
  streams: number;
  /** The earliest difference in log order: the first missing or changed place. */
  first: WitnessDifference | null;
  /** The first differences in log order (at most 20); `differenceCount` counts them all. */
  differences: WitnessDifference[];
  differenceCount: number;
}

const KIND_ORDER: WitnessDifferenceKind[] = [
  'truncated',
  'missing-stream',
  'missing-events',
  'changed',
  'unwitnessed-stream',
  'moved',
  'merkle',
];
const SHOWN = 20;

/**
 * Compares a log with a witness as the log streams past, in O(streams) memory: for every witnessed stream, the log must
 * hold the event at the witnessed revision, with the witnessed hash, at the witnessed place; before the witnessed
 * checkpoint, the log must hold no stream the witness did not see, and the first `count` events must give the witnessed
 * Merkle root. A log that grew since is fine: only what the witness saw is compared.
 *
 * In a partial bundle (one policy's streams) a witnessed stream that is absent may belong to another policy, so only the
 * streams present are compared, by the places the bundle's lines state.
 */
export class WitnessComparison {
  private readonly byStream = new Map<
    string,
    {
      revision: number;
      index: number;
      hash: string;
      found: boolean;
      logRevision: number;
      foundAt: number;
      same: boolean;
    }
  >();
  private readonly differences: WitnessDifference[] = [];
  private readonly reportedUnwitnessed = new Set<string>();
  private readonly merkle = new StreamingMerkle();
  private seenCheckpoint = false;
  private events = 0;

  constructor(
    private readonly witness: Witness,
    private readonly options: { partial: boolean },
  ) {
    for (const [streamId, revision, index, hash] of witness.streams)
      this.byStream.set(streamId, {
        revision,
        index,
        hash,
        found: false,
        logRevision: -1,
        foundAt: -1,
        same: false,
      });
  }

  /** One event of the log; `place` is its place in the whole log (counted, or a partial bundle's stated index). */
  observe(e: AuditRecord, place: number | undefined): void {
    const { checkpoint } = this.witness;
    const at = place ?? this.events;
    this.events += 1;
    if (!this.options.partial && at < checkpoint.data.count) this.merkle.add(e.hash);
    const w = this.byStream.get(e.streamId);
    if (w) {
      w.logRevision = Math.max(w.logRevision, e.revision);
      if (e.revision === w.revision && !w.found) {
        w.found = true;
        w.foundAt = at;
        w.same = e.hash === w.hash;
        if (!w.same) {
          this.add('changed', w.index, e.streamId, w.revision, [
            `stream ${e.streamId} revision ${w.revision} (#${w.index} when witnessed) has another hash than witnessed`,
            `it or an earlier event of its stream was rewritten and the chain recomputed`,
          ]);
        }
      }
    } else if (!this.seenCheckpoint && at <= checkpoint.index && !this.reportedUnwitnessed.has(e.streamId)) {
      this.reportedUnwitnessed.add(e.streamId);
      this.add('unwitnessed-stream', at, e.streamId, e.revision, [
        `stream ${e.streamId} (revision ${e.revision} at #${at}) was not in the log when it was witnessed`,
        'it was inserted before the witnessed checkpoint',
      ]);
    }
    if (e.eventId === checkpoint.eventId && e.streamId === CHECKPOINT_STREAM && e.type === CHECKPOINT_EVENT_TYPE)
      this.seenCheckpoint = true;
  }

  finish(): WitnessReport {
    const { checkpoint } = this.witness;
    if (!this.options.partial && !this.seenCheckpoint && this.events <= checkpoint.index) {
      this.add('truncated', this.events, null, null, [
        `the log ends after ${this.events} event(s), before the witnessed checkpoint #${checkpoint.index}`,
        `events #${this.events} to #${checkpoint.index} are missing (the log was truncated)`,
      ]);
    }
    // A removal or insertion moves every later event; only the first head each shift reaches is named.
    let shift = 0;
    for (const [streamId] of this.witness.streams) {
      const w = this.byStream.get(streamId)!;
      if (!w.found || !w.same) continue;
      const now = w.foundAt - w.index;
      if (now === shift || now === 0) {
        shift = now;
        continue;
      }
      this.add('moved', w.index, streamId, w.revision, [
        `stream ${streamId} revision ${w.revision} was #${w.index} when witnessed and is #${w.foundAt} now`,
        now < 0
          ? `the log before it holds ${-now} event(s) fewer than witnessed`
          : `the log before it holds ${now} event(s) more than witnessed`,
      ]);
      shift = now;
    }
    for (const [streamId, w] of this.byStream) {
      if (w.found) continue;
      if (w.logRevision < 0) {
        if (this.options.partial) continue;
        this.add(
          'missing-stream',
          w.index,
          streamId,
          w.revision,
          w.revision === 0
            ? [`stream ${streamId} is missing: its only event (revision 0) was #${w.index} when witnessed`]
            : [
                `stream ${streamId} is missing: all ${w.revision + 1} of its events, the newest (revision ${w.revision}) #${w.index} when witnessed`,
              ],
        );
      } else {
        this.add('missing-events', w.index, streamId, w.revision, [
          `stream ${streamId} ends at revision ${w.logRevision}, but revision ${w.revision} was #${w.index} when witnessed`,
          `its last ${w.revision - w.logRevision} event(s) are missing`,
        ]);
      }
    }
    if (
      !this.options.partial &&
      this.events >= checkpoint.data.count &&
      this.merkle.root() !== checkpoint.data.merkleRoot
    ) {
      this.add('merkle', Math.max(checkpoint.data.count - 1, 0), null, null, [
        `the first ${checkpoint.data.count} events do not give the witnessed Merkle root`,
        'events the checkpoint covers were changed, removed, inserted or reordered',
      ]);
    }
    this.differences.sort((a, b) => a.index - b.index || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
    return {
      ...this.summary(),
      ok: this.differences.length === 0,
      problem: null,
      first: this.differences[0] ?? null,
      differences: this.differences.slice(0, SHOWN),
      differenceCount: this.differences.length,
    };
  }

  summary(): Pick<WitnessReport, 'witnessedAt' | 'checkpoint' | 'streams'> {
    return WitnessComparison.summaryOf(this.witness);
  }

  static summaryOf(witness: Witness): Pick<WitnessReport, 'witnessedAt' | 'checkpoint' | 'streams'> {
    const { checkpoint } = witness;
    return {
      witnessedAt: witness.witnessedAt,
      checkpoint: {
        eventId: checkpoint.eventId,
        index: checkpoint.index,
        count: checkpoint.data.count,
        merkleRoot: checkpoint.data.merkleRoot,
      },
      streams: witness.streams.length,
    };
  }

  private add(
    kind: WitnessDifferenceKind,
    index: number,
    streamId: string | null,
    revision: number | null,
    parts: string[],
  ): void {
    this.differences.push({ kind, index, streamId, revision, message: parts.join(': ') });
  }
}
