/**
 * TEST DOUBLE — NOT KurrentDB. The log behind `KurrentDbTestDouble` (kurrentDbTestDouble.ts): events in memory,
 * optionally mirrored to an append-only file so that a stopped double restarts with the same data.
 *
 * It reproduces the parts of KurrentDB's storage semantics that a client can observe through the gRPC API, as far as
 * the Góp ý adapter relies on them:
 * - one transaction log ($all) whose positions are (commit, prepare) pairs; an append of several events is one
 *   transaction: each event keeps its own prepare position and they share the commit position of the first one, so
 *   only the pair orders events (as on KurrentDB, where positions are byte offsets, not counters);
 * - streams with 0-based revisions, soft delete ($tb in `$$<stream>` metadata) and tombstones (`$streamDeleted`);
 * - expected-revision checks and idempotent appends as KurrentDB's index writer decides them: an exact expected
 *   revision behind the stream's head is a replay when the ids at the following revisions match (partly matching is a
 *   conflict); `any`/`stream_exists` replay when the first id is already stored in this stream. KurrentDB answers
 *   `any` from a bounded cache of recent ids; this double remembers every id (so it is more lenient, never stricter).
 *   An id already stored in ANOTHER stream is stored again, as KurrentDB does: there is no global id index;
 * - system streams and event types start with `$` and are mixed into $all (a `$settings` event is written at start).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface TestDoublePosition {
  commit: bigint;
  prepare: bigint;
}

export interface TestDoubleEvent extends TestDoublePosition {
  streamName: string;
  revision: bigint;
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  metadata: Uint8Array;
  /** .NET ticks (100 ns) since the Unix epoch, as the gRPC API reports `created`. */
  created: bigint;
}

export interface ProposedEvent {
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  metadata: Uint8Array;
}

export type ExpectedRevision =
  { kind: 'any' } | { kind: 'no_stream' } | { kind: 'stream_exists' } | { kind: 'revision'; revision: bigint };

export type AppendOutcome =
  | {
      kind: 'success';
      /** The revision of the last event written (or replayed); undefined when the stream does not exist. */
      currentRevision: bigint | undefined;
      /** The transaction's position (that of its first event), undefined for an empty append. */
      position: TestDoublePosition | undefined;
    }
  | { kind: 'wrongExpectedVersion'; currentRevision: bigint | undefined }
  | { kind: 'streamDeleted' };

export type DeleteOutcome =
  | { kind: 'success'; position: TestDoublePosition }
  | { kind: 'wrongExpectedVersion'; currentRevision: bigint | undefined }
  | { kind: 'streamDeleted' };

interface StreamState {
  /** Indexed by revision (a tombstone is not in this list). */
  events: TestDoubleEvent[];
  /** Revisions below this are hidden by a soft delete. */
  truncateBefore: bigint;
  tombstoned: boolean;
  ids: Map<string, bigint>;
}

/** KurrentDB's `long.MaxValue` revision of the `$streamDeleted` tombstone event. */
export const TOMBSTONE_REVISION = 9_223_372_036_854_775_807n;
const FIRST_LOG_POSITION = 1_024n;
const RECORD_OVERHEAD = 80;

export interface TestDoubleLogOptions {
  /** Mirror every write to this file (JSON lines) and load it at construction. */
  file?: string;
  /** Write a `$settings` system event into a new log, as a real node's log is never free of system records. */
  systemEvents?: boolean;
}

export class TestDoubleLog {
  /** $all in position order. */
  readonly all: TestDoubleEvent[] = [];
  private readonly streams = new Map<string, StreamState>();
  private nextLogPosition = FIRST_LOG_POSITION;
  private readonly listeners = new Set<() => void>();
  private readonly file: string | undefined;

  constructor(options: TestDoubleLogOptions = {}) {
    this.file = options.file;
    if (this.file !== undefined && existsSync(this.file)) {
      for (const line of readFileSync(this.file, 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.store(deserialize(line), false);
      }
    } else {
      if (this.file !== undefined) mkdirSync(dirname(this.file), { recursive: true });
      if (options.systemEvents ?? true) {
        const settings = JSON.stringify({ $userStreamAcl: { $r: '$all' }, $systemStreamAcl: { $r: '$admins' } });
        this.append('$settings', { kind: 'any' }, [
          {
            id: crypto.randomUUID(),
            type: '$settings',
            contentType: 'application/json',
            data: utf8(settings),
            metadata: new Uint8Array(),
          },
        ]);
      }
    }
  }

  /** Called after every write (synchronously), for live subscriptions. Returns the unsubscribe function. */
  onWrite(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get head(): TestDoublePosition | undefined {
    return this.all.at(-1);
  }

  /** The stream as a reader sees it: undefined when absent or soft-deleted with nothing after the truncation. */
  visibleStream(name: string): { events: TestDoubleEvent[]; first: bigint; tombstoned: boolean } | undefined {
    const stream = this.streams.get(name);
    if (stream === undefined) return undefined;
    if (stream.tombstoned) return { events: [], first: 0n, tombstoned: true };
    const first = stream.truncateBefore;
    if (BigInt(stream.events.length) <= first) return undefined;
    return { events: stream.events, first, tombstoned: false };
  }

  /** Index in $all of the first event at or after (`inclusive`) / strictly after a position. */
  indexFrom(position: TestDoublePosition, inclusive: boolean): number {
    let low = 0;
    let high = this.all.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const c = comparePositions(this.all[mid]!, position);
      if (c < 0 || (c === 0 && !inclusive)) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  append(streamName: string, expected: ExpectedRevision, proposed: ProposedEvent[]): AppendOutcome {
    const stream = this.streams.get(streamName);
    if (stream?.tombstoned) return { kind: 'streamDeleted' };
    const current = currentRevision(stream);

    const replay = (from: bigint): AppendOutcome | 'conflict' | undefined => {
      // KurrentDB's CheckCommit: the first id decides whether this is a replay; a replay that matches only in part
      // ("corrupted idempotency") is answered as a wrong expected version.
      const first = stream?.events[Number(from)];
      if (first === undefined || first.id !== proposed[0]?.id) return undefined;
      for (let i = 1; i < proposed.length; i++) {
        if (stream!.events[Number(from) + i]?.id !== proposed[i]!.id) return 'conflict';
      }
      return { kind: 'success', currentRevision: from + BigInt(proposed.length) - 1n, position: first };
    };

    // `stream_exists` on an existing stream is then decided as `any`.
    if (expected.kind === 'stream_exists' && current === undefined)
      return { kind: 'wrongExpectedVersion', currentRevision: current };
    switch (expected.kind) {
      case 'stream_exists':
      case 'any': {
        const at = proposed[0] === undefined ? undefined : stream?.ids.get(proposed[0].id);
        if (at !== undefined) {
          const outcome = replay(at);
          if (outcome === 'conflict') return { kind: 'wrongExpectedVersion', currentRevision: current };
          if (outcome !== undefined) return outcome;
        }
        break;
      }
      case 'no_stream':
      case 'revision': {
        const wanted = expected.kind === 'no_stream' ? -1n : expected.revision;
        const head = current ?? -1n;
        if (wanted !== head) {
          if (wanted < head && proposed.length > 0) {
            const outcome = replay(wanted + 1n);
            if (outcome !== undefined && outcome !== 'conflict') return outcome;
          }
          return { kind: 'wrongExpectedVersion', currentRevision: current };
        }
        break;
      }
    }
    if (proposed.length === 0) return { kind: 'success', currentRevision: current, position: undefined };
    const firstRevision = current === undefined ? (stream?.truncateBefore ?? 0n) : current + 1n;
    const written = this.write(streamName, firstRevision, proposed);
    return { kind: 'success', currentRevision: written.at(-1)!.revision, position: written[0]! };
  }

  /** Soft delete (`hard` false: `$tb` metadata, the stream may be written again) or tombstone (`hard` true). */
  delete(streamName: string, expected: ExpectedRevision, hard: boolean): DeleteOutcome {
    const stream = this.streams.get(streamName);
    if (stream?.tombstoned) return { kind: 'streamDeleted' };
    const current = currentRevision(stream);
    const ok =
      expected.kind === 'any' ||
      (expected.kind === 'no_stream' && current === undefined) ||
      (expected.kind === 'stream_exists' && current !== undefined) ||
      (expected.kind === 'revision' && expected.revision === current);
    if (!ok) return { kind: 'wrongExpectedVersion', currentRevision: current };
    if (hard) {
      const [tombstone] = this.write(streamName, TOMBSTONE_REVISION, [
        {
          id: crypto.randomUUID(),
          type: '$streamDeleted',
          contentType: 'application/octet-stream',
          data: new Uint8Array(),
          metadata: new Uint8Array(),
        },
      ]);
      return { kind: 'success', position: tombstone! };
    }
    const truncateBefore = current === undefined ? 0n : current + 1n;
    const metastream = `$$${streamName}`;
    const metaHead = currentRevision(this.streams.get(metastream));
    const [meta] = this.write(metastream, metaHead === undefined ? 0n : metaHead + 1n, [
      {
        id: crypto.randomUUID(),
        type: '$metadata',
        contentType: 'application/json',
        data: utf8(JSON.stringify({ $tb: Number(truncateBefore) })),
        metadata: new Uint8Array(),
      },
    ]);
    return { kind: 'success', position: meta! };
  }

  private write(streamName: string, firstRevision: bigint, proposed: ProposedEvent[]): TestDoubleEvent[] {
    const created = BigInt(Date.now()) * 10_000n;
    const transaction = this.nextLogPosition;
    const written: TestDoubleEvent[] = [];
    proposed.forEach((event, i) => {
      const prepare = this.nextLogPosition;
      const record: TestDoubleEvent = {
        streamName,
        revision: firstRevision + BigInt(i),
        id: event.id,
        type: event.type,
        contentType: event.contentType,
        data: event.data,
        metadata: event.metadata,
        created,
        commit: transaction,
        prepare,
      };
      written.push(record);
      this.store(record, true);
    });
    for (const listener of [...this.listeners]) listener();
    return written;
  }

  /** Adds a record to the indexes (and to the file when `persist`); also replays records when loading the file. */
  private store(record: TestDoubleEvent, persist: boolean): void {
    this.all.push(record);
    this.nextLogPosition = record.prepare + BigInt(recordSize(record));
    let stream = this.streams.get(record.streamName);
    if (stream === undefined) {
      stream = { events: [], truncateBefore: 0n, tombstoned: false, ids: new Map() };
      this.streams.set(record.streamName, stream);
    }
    if (record.type === '$streamDeleted' && record.revision === TOMBSTONE_REVISION) {
      stream.tombstoned = true;
    } else {
      stream.events[Number(record.revision)] = record;
      stream.ids.set(record.id, record.revision);
    }
    if (record.streamName.startsWith('$$') && record.type === '$metadata') {
      const target = record.streamName.slice(2);
      const tb = (JSON.parse(Buffer.from(record.data).toString('utf8')) as { $tb?: number }).$tb;
      let original = this.streams.get(target);
      if (original === undefined) {
        original = { events: [], truncateBefore: 0n, tombstoned: false, ids: new Map() };
        this.streams.set(target, original);
      }
      if (typeof tb === 'number') original.truncateBefore = BigInt(tb);
    }
    if (persist && this.file !== undefined) appendFileSync(this.file, `${serialize(record)}\n`);
  }
}

function currentRevision(stream: StreamState | undefined): bigint | undefined {
  if (stream === undefined || stream.tombstoned) return undefined;
  const last = BigInt(stream.events.length) - 1n;
  // A soft-deleted stream with nothing written since counts as absent, and is recreated after its truncation point.
  return last < stream.truncateBefore ? undefined : last;
}

export function comparePositions(a: TestDoublePosition, b: TestDoublePosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

function recordSize(record: TestDoubleEvent): number {
  return (
    RECORD_OVERHEAD +
    Buffer.byteLength(record.streamName) +
    Buffer.byteLength(record.type) +
    record.data.byteLength +
    record.metadata.byteLength
  );
}

function utf8(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

function serialize(record: TestDoubleEvent): string {
  return JSON.stringify({
    s: record.streamName,
    r: record.revision.toString(),
    i: record.id,
    t: record.type,
    c: record.contentType,
    d: Buffer.from(record.data).toString('base64'),
    m: Buffer.from(record.metadata).toString('base64'),
    at: record.created.toString(),
    cp: record.commit.toString(),
    pp: record.prepare.toString(),
  });
}

function deserialize(line: string): TestDoubleEvent {
  const o = JSON.parse(line) as Record<string, string>;
  return {
    streamName: o.s!,
    revision: BigInt(o.r!),
    id: o.i!,
    type: o.t!,
    contentType: o.c!,
    data: new Uint8Array(Buffer.from(o.d!, 'base64')),
    metadata: new Uint8Array(Buffer.from(o.m!, 'base64')),
    created: BigInt(o.at!),
    commit: BigInt(o.cp!),
    prepare: BigInt(o.pp!),
  };
}
