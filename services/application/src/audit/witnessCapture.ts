import { createPublicKey, sign, type KeyObject } from 'node:crypto';
import { keyFingerprint, publicKeyPem, type CheckpointData } from './checkpoint';
import { verifyLog, type AuditRecord } from './verify';
import {
  WITNESS_FORMAT,
  WitnessError,
  witnessBytes,
  type Witness,
  type WitnessBody,
  type WitnessedStream,
} from './witness';

/**
 * Witnesses the newest checkpoint of a log: verifies the whole log first (a witness of a log that does not match would
 * vouch for the damage), then reads it again up to that checkpoint to record every stream's head, and signs the result
 * with the seal key. The file is meant to leave the server and be kept by an auditor.
 */
export async function witnessNewestCheckpoint(
  source: () => AsyncIterable<AuditRecord>,
  privateKey: KeyObject,
  now: Date,
): Promise<Witness> {
  const report = await verifyLog(source, { publicKey: createPublicKey(privateKey) });
  if (report.failure)
    throw new WitnessError(
      `the log does not verify, so it is not witnessed: event #${report.failure.index} ${report.failure.eventId}: ${report.failure.reason}`,
    );
  if (!report.lastCheckpoint) throw new WitnessError('the log has no checkpoint yet: seal one first (gopy audit seal)');
  const target = report.lastCheckpoint.eventId;
  const heads = new Map<string, { revision: number; index: number; hash: string }>();
  let index = 0;
  let checkpoint: WitnessBody['checkpoint'] | undefined;
  for await (const e of source()) {
    heads.set(e.streamId, { revision: e.revision, index, hash: e.hash });
    if (e.eventId === target) {
      const recordedAt = (JSON.parse(e.metadata) as { recordedAt?: unknown }).recordedAt;
      checkpoint = {
        eventId: e.eventId,
        revision: e.revision,
        index,
        position: e.position ?? null,
        hash: e.hash,
        recordedAt: typeof recordedAt === 'string' ? recordedAt : null,
        data: JSON.parse(e.data) as CheckpointData,
      };
      break;
    }
    index += 1;
  }
  if (!checkpoint) throw new WitnessError(`the checkpoint ${target} disappeared while it was being witnessed`);
  const body: WitnessBody = {
    format: WITNESS_FORMAT,
    witnessedAt: now.toISOString(),
    publicKey: publicKeyPem(privateKey),
    keyFingerprint: keyFingerprint(privateKey),
    checkpoint,
    streams: [...heads]
      .map(([streamId, h]): WitnessedStream => [streamId, h.revision, h.index, h.hash])
      .sort((a, b) => a[2] - b[2]),
  };
  return { ...body, signature: sign(null, witnessBytes(body), privateKey).toString('base64') };
}
