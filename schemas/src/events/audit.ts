import { z } from 'zod';
import { Uuid } from '../common';

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * A signed checkpoint (stream `audit-checkpoints`). It signs only what survives copying the log to another store:
 * how many events precede it in global order, the Merkle root of their hashes, the last of them, and the previous
 * checkpoint's event hash — never a store position.
 */
export const CheckpointSealed = z.object({
  /** Number of events (in global order, checkpoints included) that this checkpoint covers. */
  count: z.number().int().nonnegative(),
  /** RFC 6962 Merkle tree hash over the covered events' hashes (leaf = SHA-256(0x00 ‖ hash), node = SHA-256(0x01 ‖ l ‖ r)). */
  merkleRoot: Sha256Hex,
  lastEventId: Uuid.nullable(),
  lastHash: Sha256Hex.nullable(),
  /** Event hash of the previous CheckpointSealed, or null for the first. */
  previousCheckpointHash: Sha256Hex.nullable(),
  algorithm: z.literal('Ed25519'),
  /** SHA-256 of the public key (SPKI DER), so a verifier knows which key signed. */
  keyFingerprint: Sha256Hex,
  /** Base64 Ed25519 signature over the canonical JSON of the fields above (without the signature). */
  signature: z.string().min(1).max(200),
});

/** An auditor or admin read hidden content or personal data (stream `audit-reads-<accountId>`). No content is copied. */
export const SensitiveDataRead = z.object({
  readerAccountId: Uuid,
  /** What was read, e.g. `comment`, `account`, `policyAsOf`. */
  subjectKind: z.string().min(1).max(50),
  subjectId: z.string().min(1).max(200),
  /** The API field that served it. */
  field: z.string().min(1).max(100),
});
