import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../integrity';

/** The stream holding the signed checkpoints. */
export const CHECKPOINT_STREAM = 'audit-checkpoints';
export const CHECKPOINT_EVENT_TYPE = 'CheckpointSealed';

export { checkpointEventId } from '../ids';

/** What a checkpoint signs: position-independent facts about the log prefix it covers. */
export interface CheckpointBody {
  count: number;
  merkleRoot: string;
  lastEventId: string | null;
  lastHash: string | null;
  previousCheckpointHash: string | null;
}

export interface CheckpointData extends CheckpointBody {
  algorithm: 'Ed25519';
  keyFingerprint: string;
  signature: string;
}

/** The exact bytes signed: canonical JSON (RFC 8785) of the body with a version tag, UTF-8. */
export function signedBytes(body: CheckpointBody): Buffer {
  const { count, merkleRoot, lastEventId, lastHash, previousCheckpointHash } = body;
  return Buffer.from(
    canonicalJson({ v: 'gopy-checkpoint-1', count, merkleRoot, lastEventId, lastHash, previousCheckpointHash }),
    'utf8',
  );
}

export function publicKeyPem(key: KeyObject): string {
  return (key.type === 'private' ? createPublicKey(key) : key).export({ type: 'spki', format: 'pem' }).toString();
}

/** SHA-256 (hex) of the public key's SPKI DER. */
export function keyFingerprint(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(pub.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/** Reads an Ed25519 private key given as PEM or as base64 of PKCS#8 DER. */
export function parsePrivateKey(text: string): KeyObject {
  const trimmed = text.trim();
  const key = trimmed.includes('-----BEGIN')
    ? createPrivateKey(trimmed)
    : createPrivateKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`the seal key must be Ed25519, got ${key.asymmetricKeyType}`);
  return key;
}

export function parsePublicKey(pem: string): KeyObject {
  const key = createPublicKey(pem.trim());
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`the audit key must be Ed25519, got ${key.asymmetricKeyType}`);
  return key;
}

export function signCheckpoint(privateKey: KeyObject, body: CheckpointBody): CheckpointData {
  return {
    ...body,
    algorithm: 'Ed25519',
    keyFingerprint: keyFingerprint(privateKey),
    signature: sign(null, signedBytes(body), privateKey).toString('base64'),
  };
}

export function checkSignature(publicKey: KeyObject, data: CheckpointData): boolean {
  try {
    return verify(null, signedBytes(data), publicKey, Buffer.from(data.signature, 'base64'));
  } catch {
    return false;
  }
}
