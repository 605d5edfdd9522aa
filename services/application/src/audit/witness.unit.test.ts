import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '@gopy/schemas';
import { canonicalJson, eventHash } from '../integrity';
import { CHECKPOINT_EVENT_TYPE, CHECKPOINT_STREAM, signCheckpoint } from './checkpoint';
import { merkleRoot } from './merkle';
import { verifyLog, type AuditRecord } from './verify';
import { parseWitness, type Witness } from './witness';
import { witnessNewestCheckpoint } from './witnessCapture';

const { privateKey } = generateKeyPairSync('ed25519');
const publicKey = createPublicKey(privateKey);

/** A log built event by event with real hash chains; `seal()` appends a signed checkpoint over everything so far. */
function aLog() {
  const records: AuditRecord[] = [];
  const heads = new Map<string, { revision: number; hash: string }>();
  let lastCheckpointHash: string | null = null;
  const append = (streamId: string, type = 'Happened', data: unknown = { n: records.length }) => {
    const head = heads.get(streamId);
    const prevHash = head?.hash ?? GENESIS_HASH;
    const fields = {
      streamId,
      revision: head ? head.revision + 1 : 0,
      eventId: `00000000-0000-7000-8000-${String(records.length).padStart(12, '0')}`,
      type,
      data: canonicalJson(data),
      metadata: canonicalJson({
        prevHash,
        recordedAt: new Date(Date.UTC(2027, 0, 1, 0, records.length)).toISOString(),
      }),
    };
    const record = { ...fields, hash: eventHash(prevHash, fields) };
    records.push(record);
    heads.set(streamId, { revision: fields.revision, hash: record.hash });
    return record;
  };
  return {
    records,
    append,
    seal() {
      const last = records.at(-1) ?? null;
      const data = signCheckpoint(privateKey, {
        count: records.length,
        merkleRoot: merkleRoot(records.map((r) => r.hash)),
        lastEventId: last?.eventId ?? null,
        lastHash: last?.hash ?? null,
        previousCheckpointHash: lastCheckpointHash,
      });
      lastCheckpointHash = append(CHECKPOINT_STREAM, CHECKPOINT_EVENT_TYPE, data).hash;
    },
  };
}

const source = (records: AuditRecord[]) => () =>
  (async function* () {
    yield* records;
  })();

/** Ten streams: a policy with three events, comments of one event each, an organisation, sealed after event 11. */
async function aWitnessedLog() {
  const log = aLog();
  log.append('org-1');
  log.append('policy-1');
  for (let i = 1; i <= 6; i++) log.append(`comment-${i}`);
  log.append('policy-1');
  log.append('org-1');
  log.append('policy-1');
  log.append('comment-7');
  log.seal();
  const witness = await witnessNewestCheckpoint(source(log.records), privateKey, new Date('2027-01-02T00:00:00Z'));
  return { log, witness };
}

const verifyAgainst = (records: AuditRecord[], witness: Witness) => verifyLog(source(records), { publicKey, witness });

describe('a witnessed checkpoint', () => {
  it('records every stream head up to the checkpoint, and the log verifies against it after growing', async () => {
    const { log, witness } = await aWitnessedLog();
    expect(witness.checkpoint).toMatchObject({ index: 12, revision: 0 });
    expect(witness.checkpoint.data.count).toBe(12);
    expect(witness.streams.map(([s, r, i]) => [s, r, i])).toEqual([
      ['comment-1', 0, 2],
      ['comment-2', 0, 3],
      ['comment-3', 0, 4],
      ['comment-4', 0, 5],
      ['comment-5', 0, 6],
      ['comment-6', 0, 7],
      ['org-1', 1, 9],
      ['policy-1', 2, 10],
      ['comment-7', 0, 11],
      [CHECKPOINT_STREAM, 0, 12],
    ]);
    expect(parseWitness(JSON.stringify(witness))).toEqual(witness);
    log.append('policy-1');
    log.append('comment-8');
    const report = await verifyAgainst(log.records, witness);
    expect(report.ok).toBe(true);
    expect(report.witness).toMatchObject({ ok: true, differenceCount: 0 });
  });

  it('names a deleted stream of one event at its place, and the shift it causes once', async () => {
    const { log, witness } = await aWitnessedLog();
    const records = log.records.filter((r) => r.streamId !== 'comment-3');
    const report = await verifyAgainst(records, witness);
    expect(report.ok).toBe(false);
    expect(report.witness!.differences.map((d) => [d.kind, d.streamId, d.index])).toEqual([
      ['missing-stream', 'comment-3', 4],
      ['moved', 'comment-4', 5],
      ['merkle', null, 11],
    ]);
    expect(report.witness!.differences[1]!.message).toContain(
      'the log before it holds 1 event(s) fewer than witnessed',
    );
  });

  it('names the last events of a stream that were deleted, and a stream inserted before the checkpoint', async () => {
    const { log, witness } = await aWitnessedLog();
    const withoutHead = log.records.filter((r) => !(r.streamId === 'policy-1' && r.revision === 2));
    expect((await verifyAgainst(withoutHead, witness)).witness!.first).toMatchObject({
      kind: 'missing-events',
      streamId: 'policy-1',
      index: 10,
      message:
        'stream policy-1 ends at revision 1, but revision 2 was #10 when witnessed: its last 1 event(s) are missing',
    });
    const other = aLog().append('comment-99');
    const inserted = [...log.records.slice(0, 5), other, ...log.records.slice(5)];
    expect((await verifyAgainst(inserted, witness)).witness!.first).toMatchObject({
      kind: 'unwitnessed-stream',
      streamId: 'comment-99',
      index: 5,
    });
  });

  it('reports a truncated log from the first missing place', async () => {
    const { log, witness } = await aWitnessedLog();
    const report = await verifyAgainst(log.records.slice(0, 9), witness);
    expect(report.failure).toBeNull();
    expect(report.witness!.first).toMatchObject({ kind: 'truncated', index: 9 });
    expect(report.witness!.differences.map((d) => [d.kind, d.streamId])).toEqual([
      ['truncated', null],
      ['missing-events', 'org-1'],
      ['missing-events', 'policy-1'],
      ['missing-stream', 'comment-7'],
      ['missing-stream', CHECKPOINT_STREAM],
    ]);
  });

  it('sees reordered events through the Merkle root', async () => {
    const { log, witness } = await aWitnessedLog();
    const swapped = [...log.records];
    [swapped[2], swapped[3]] = [swapped[3]!, swapped[2]!];
    const report = await verifyAgainst(swapped, witness);
    expect(report.witness!.differences.map((d) => d.kind)).toEqual(['moved', 'moved', 'merkle']);
  });

  it('is refused when changed, when signed by another key, or when it is not a witness', async () => {
    const { log, witness } = await aWitnessedLog();
    const changed = { ...witness, streams: witness.streams.slice(1) };
    expect((await verifyAgainst(log.records, changed)).witness).toMatchObject({
      ok: false,
      problem: 'the witness’s signature does not verify (the file was changed)',
    });
    const otherKey = createPublicKey(generateKeyPairSync('ed25519').privateKey);
    const report = await verifyLog(source(log.records), { publicKey: otherKey, witness });
    expect(report.witness!.problem).toMatch(/^the witness was signed by another key/);
    expect(() => parseWitness('{"format":"something else"}')).toThrow(/not a witness/);
    expect(() => parseWitness('not json')).toThrow(/not JSON/);
  });

  it('is not taken of a log that does not verify, nor of a log without a checkpoint', async () => {
    const { log } = await aWitnessedLog();
    const broken = log.records.map((r, i) => (i === 3 ? { ...r, data: '{"n":99}' } : r));
    await expect(witnessNewestCheckpoint(source(broken), privateKey, new Date())).rejects.toThrow(
      /the log does not verify, so it is not witnessed: event #3/,
    );
    const unsealed = aLog();
    unsealed.append('org-1');
    await expect(witnessNewestCheckpoint(source(unsealed.records), privateKey, new Date())).rejects.toThrow(
      /no checkpoint yet/,
    );
  });
});

describe('verifying a log that grows while it is read', () => {
  it('verifies the events the first pass saw, also when a checkpoint is sealed between the passes', async () => {
    const { log } = await aWitnessedLog();
    const before = [...log.records];
    log.append('comment-8');
    log.seal();
    let calls = 0;
    const growing = () => {
      calls += 1;
      return source(calls === 1 ? before : log.records)();
    };
    const report = await verifyLog(growing, { publicKey });
    expect(report.failure).toBeNull();
    expect(report.events).toBe(before.length);
    expect(report.checkpoints).toBe(1);
  });
});
