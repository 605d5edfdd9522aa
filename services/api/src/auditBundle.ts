import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { KeyObject } from 'node:crypto';
import type { EventStore, RecordedEvent } from '@gopy/application/eventStore';
import {
  CHECKPOINT_EVENT_TYPE,
  CHECKPOINT_STREAM,
  keyFingerprint,
  parsePublicKey,
  publicKeyPem,
} from '@gopy/application/audit/checkpoint';
import { verifyLog, type AuditRecord, type VerifyOptions, type VerifyReport } from '@gopy/application/audit/verify';

/** One line of events.jsonl: the stored strings exactly as the store keeps them, and where the event sat. */
export interface BundleLine extends AuditRecord {
  /** 0-based index of the event in the global order of the log it was exported from. */
  index: number;
}

export interface BundleManifest {
  format: 'gopy-audit-bundle-1';
  scope: 'all' | 'policy';
  policyId: string | null;
  partial: boolean;
  events: number;
  streams: string[];
  exportedAt: string;
  keyFingerprint: string;
}

const isCheckpoint = (e: { type: string; streamId: string }) =>
  e.type === CHECKPOINT_EVENT_TYPE && e.streamId === CHECKPOINT_STREAM;

/** Which streams belong to one policy: the policy, its digests, its comments (found by CommentSubmitted.policyId). */
function policyFilter(policyId: string): (e: RecordedEvent) => boolean {
  const comments = new Set<string>();
  return (e) => {
    if (
      e.streamId === `policy-${policyId}` ||
      e.streamId.startsWith(`digest-${policyId}-`) ||
      e.streamId === CHECKPOINT_STREAM
    )
      return true;
    if (e.type === 'CommentSubmitted' && e.revision === 0) {
      try {
        if ((JSON.parse(e.data) as { policyId?: string }).policyId === policyId) comments.add(e.streamId);
      } catch {
        // unreadable data is exported only when its stream is already known to belong to the policy
      }
    }
    return comments.has(e.streamId);
  };
}

/** Writes an audit bundle: events.jsonl, checkpoints.jsonl, public-key.pem, manifest.json and README.md. */
export async function exportBundle(
  store: EventStore,
  publicKey: KeyObject,
  outDir: string,
  options: { policyId?: string; now?: Date; onProgress?: (n: number) => void } = {},
): Promise<BundleManifest> {
  fs.mkdirSync(outDir, { recursive: true });
  const events = fs.createWriteStream(path.join(outDir, 'events.jsonl'), { encoding: 'utf8' });
  const checkpoints = fs.createWriteStream(path.join(outDir, 'checkpoints.jsonl'), { encoding: 'utf8' });
  const write = (s: fs.WriteStream, text: string) =>
    s.write(text) ? Promise.resolve() : new Promise<void>((r) => s.once('drain', () => r()));
  const keep = options.policyId ? policyFilter(options.policyId) : () => true;
  const streams = new Set<string>();
  let index = 0;
  let written = 0;
  for await (const e of store.readAll()) {
    if (keep(e)) {
      const line: BundleLine = {
        index,
        position: e.position,
        streamId: e.streamId,
        revision: e.revision,
        eventId: e.eventId,
        type: e.type,
        data: e.data,
        metadata: e.metadata,
        hash: e.hash,
      };
      const text = `${JSON.stringify(line)}\n`;
      await write(events, text);
      if (isCheckpoint(e)) await write(checkpoints, text);
      streams.add(e.streamId);
      written += 1;
    }
    index += 1;
    if (index % 10_000 === 0) options.onProgress?.(index);
  }
  await new Promise<void>((r) => events.end(() => r()));
  await new Promise<void>((r) => checkpoints.end(() => r()));
  const manifest: BundleManifest = {
    format: 'gopy-audit-bundle-1',
    scope: options.policyId ? 'policy' : 'all',
    policyId: options.policyId ?? null,
    partial: Boolean(options.policyId),
    events: written,
    streams: [...streams].sort(),
    exportedAt: (options.now ?? new Date()).toISOString(),
    keyFingerprint: keyFingerprint(publicKey),
  };
  fs.writeFileSync(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.writeFileSync(path.join(outDir, 'public-key.pem'), publicKeyPem(publicKey));
  fs.writeFileSync(path.join(outDir, 'README.md'), bundleReadme(manifest));
  return manifest;
}

async function* readLines(file: string): AsyncIterable<AuditRecord> {
  const rl = readline.createInterface({ input: fs.createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const l = JSON.parse(line) as BundleLine;
    yield {
      streamId: l.streamId,
      revision: l.revision,
      eventId: l.eventId,
      type: l.type,
      data: l.data,
      metadata: l.metadata,
      hash: l.hash,
      position: `#${l.index}`,
      index: l.index,
    };
  }
}

/** Verifies a bundle offline; the public key is the one given, else the bundle's own public-key.pem. */
export async function verifyBundle(
  dir: string,
  publicKeyPemText?: string,
  options: Omit<VerifyOptions, 'publicKey' | 'partial'> = {},
): Promise<{ report: VerifyReport; manifest: BundleManifest; keySource: string }> {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as BundleManifest;
  const keySource = publicKeyPemText
    ? 'the key given'
    : `${path.join(dir, 'public-key.pem')} (compare it with /.well-known/gopy-audit-key)`;
  const publicKey = parsePublicKey(publicKeyPemText ?? fs.readFileSync(path.join(dir, 'public-key.pem'), 'utf8'));
  const report = await verifyLog(() => readLines(path.join(dir, 'events.jsonl')), {
    ...options,
    publicKey,
    partial: manifest.partial,
  });
  return { report, manifest, keySource };
}

function bundleReadme(m: BundleManifest): string {
  return `# Góp ý audit bundle

${m.scope === 'all' ? 'The whole event log' : `The streams of policy ${m.policyId}: the policy, its comments, its digests`}, exported ${m.exportedAt}:
${m.events} events in ${m.streams.length} streams, and the signed checkpoints (stream \`${CHECKPOINT_STREAM}\`).

| file | what |
|---|---|
| events.jsonl | one event per line in the log's global order: \`index\` (place in the whole log), \`position\` (in the store it came from; not verified), \`streamId\`, \`revision\`, \`eventId\`, \`type\`, \`data\` and \`metadata\` (the exact stored JSON text, encrypted fields included), \`hash\` |
| checkpoints.jsonl | the \`CheckpointSealed\` events again, for convenience |
| public-key.pem | the sealer's Ed25519 public key (SPKI), fingerprint \`${m.keyFingerprint}\` |
| manifest.json | what was exported |

## Verify with the tool

    gopy audit verify --bundle <this folder> [--key <pem file from https://<site>/.well-known/gopy-audit-key>]

It exits 0 and prints a summary when everything matches, or names the first event that does not match and exits 1.
Do not trust public-key.pem alone: compare its fingerprint with the key the site publishes at /.well-known/gopy-audit-key
(or pass that key with --key).

It also reports the **unsealed tail**: the events no signed checkpoint covers (how many, their first and last place
\`#index\` and their recordedAt range). Their chains are checked, but whoever could write the log could have deleted
them, or rewritten them with recomputed hashes, without a trace. \`--require-sealed\` makes the tool fail with exit code 3
when there is such a tail; \`--json\` prints the whole report as JSON.

## Verify against a witness

A witness is a small signed file, written by \`gopy audit witness --out <file>\` or downloaded from the auditor area
(/export/audit/witness.json), that an auditor keeps away from the server. It holds the newest checkpoint when it was
taken (event count, Merkle root, its place, id and hash, its signature), the head of every stream at that checkpoint
(stream id, revision, place in the log, hash), the public key, and an Ed25519 signature over all of it.

    gopy audit verify --bundle <this folder> --witness <file>

The witness's key is then the default key. For every witnessed stream, the bundle must hold the event at the witnessed
revision, with the witnessed hash, at the witnessed place; before the witnessed checkpoint it must hold no other stream;
its first \`count\` events must give the witnessed Merkle root. The tool names the first place where this fails: a stream
that is gone (a stream of one event included) and the place its event had, a stream whose last events are gone, a head
whose hash changed, an inserted stream, a bundle that ends before the witnessed checkpoint (\`the log ends after N
event(s), before the witnessed checkpoint #M: events #N to #M are missing\`), where a removal or insertion shifted later
events, or a Merkle root that does not match. Events appended after the witness are not compared: witness again to cover
them.

## Verify by hand

1. **Chains.** For each stream, in order of \`revision\` (which must run 0, 1, 2, … without gaps):
   \`prevHash\` inside \`metadata\` must equal the previous event's \`hash\` (64 zeros for revision 0), and
   \`hash = hex(SHA-256(prevHash ‖ "\\n" ‖ UTF-8(JSON.stringify([streamId, revision, eventId, type, data, metadata]))))\`
   where \`data\` and \`metadata\` are the stored strings, unchanged.
2. **Checkpoints.** Each \`CheckpointSealed\` event's data holds \`count\`, \`merkleRoot\`, \`lastEventId\`, \`lastHash\`,
   \`previousCheckpointHash\` and an Ed25519 \`signature\` (base64) over the UTF-8 of the RFC 8785 canonical JSON of
   \`{"count","lastEventId","lastHash","merkleRoot","previousCheckpointHash","v":"gopy-checkpoint-1"}\`.
   \`previousCheckpointHash\` is the \`hash\` of the previous checkpoint event (null for the first).
3. **Coverage** (whole-log bundles only). \`merkleRoot\` is the RFC 6962 Merkle tree hash over the \`hash\` of the first
   \`count\` events in global order (leaf = SHA-256(0x00 ‖ hash bytes), node = SHA-256(0x01 ‖ left ‖ right), the split at the
   largest power of two below n); event \`count - 1\` must be \`lastEventId\` with hash \`lastHash\`.
   The checkpoint must come after those \`count\` events.

${
  m.partial
    ? `## What this partial bundle cannot prove

Checkpoints cover the whole log, and this bundle holds only one policy's streams. It proves that each stream here is
complete from its first event and unchanged (chains), and that the checkpoints are genuine and linked (signatures), but not:
- that the checkpoint counts and Merkle roots match (the other streams' events are not here);
- that no comment stream of this policy was left out of the bundle;
- anything about events appended after the newest checkpoint beyond their chains;
- against a witness, whether a witnessed stream absent here was removed or belongs to another policy (the streams that
  are here are compared with it).
Ask for a whole-log bundle (\`gopy audit export --out <dir>\`) to check those.
`
    : `## Limits

Events appended after the newest checkpoint (the unsealed tail) are chained but not yet signed. A truncation that also
removed every later checkpoint can only be seen against a witness or a checkpoint obtained earlier (see above), and only
up to that witness's checkpoint.
`
}
Encrypted fields stay encrypted: the bundle proves integrity without revealing personal data or comment bodies, and a
key erased later (a person forgotten) does not break any chain.
`;
}
