import fs from 'node:fs';
import path from 'node:path';
import type { Principal } from '@gopy/application/commands';
import type { EventStore } from '@gopy/application/eventStore';
import type { Role } from '@gopy/schemas';
import { eraseAccount, type ErasureComments } from '../auditErasure';
import { redactComment } from '../redaction';
import type { Runtime } from '@gopy/composition/runtime';

/**
 * What a restore must not bring back: the erasures and redactions recorded after its backup was taken. Each is known
 * by ids only (an account, a comment, who asked, the request reference): nothing here is personal data once the key
 * is destroyed, which is why it may live outside the backups, in the clear.
 */
export type ErasureRecord =
  | {
      kind: 'AccountErased';
      accountId: string;
      erasedBy: string;
      requestReference: string;
      /** What the person chose for their comments; erasures before the choice existed kept them anonymous. */
      comments?: ErasureComments;
      eventId: string;
      recordedAt: string;
    }
  | {
      kind: 'CommentRedacted';
      commentId: string;
      redactedBy: string;
      /** The moderator's reason, when read from a log; the ledger does not keep it (it is free text). */
      reason?: string;
      eventId: string;
      recordedAt: string;
    };

export const ERASURE_EVENT_TYPES = ['AccountErased', 'CommentRedacted'];

/** The record of an AccountErased or CommentRedacted event, or undefined for any other event. */
export function erasureRecordOf(event: {
  type: string;
  eventId: string;
  data: unknown;
  recordedAt: string;
}): ErasureRecord | undefined {
  const data = (typeof event.data === 'string' ? JSON.parse(event.data) : event.data) as Record<string, unknown>;
  if (event.type === 'AccountErased')
    return {
      kind: 'AccountErased',
      accountId: String(data.accountId),
      erasedBy: String(data.erasedBy),
      requestReference: String(data.requestReference ?? ''),
      comments: data.comments === 'destroyed' ? 'destroyed' : 'anonymous',
      eventId: event.eventId,
      recordedAt: event.recordedAt,
    };
  if (event.type === 'CommentRedacted')
    return {
      kind: 'CommentRedacted',
      commentId: String(data.commentId),
      redactedBy: String(data.redactedBy),
      reason: String(data.reason ?? ''),
      eventId: event.eventId,
      recordedAt: event.recordedAt,
    };
  return undefined;
}

/** Every erasure and redaction a log holds, oldest first. */
export async function erasuresInLog(store: EventStore): Promise<ErasureRecord[]> {
  const out: ErasureRecord[] = [];
  for await (const recorded of store.readAll({ filter: { eventTypes: ERASURE_EVENT_TYPES } })) {
    const metadata = JSON.parse(recorded.metadata) as { recordedAt?: string };
    const record = erasureRecordOf({
      type: recorded.type,
      eventId: recorded.eventId,
      data: recorded.data,
      recordedAt: metadata.recordedAt ?? '',
    });
    if (record) out.push(record);
  }
  return out;
}

/** The ledger's file name inside the backup folder (GOPY_BACKUP_DIR), beside the backups it outlives. */
export const LEDGER_FILE = 'erasure-ledger.jsonl';

/**
 * The erasure ledger: one JSON line per erasure or redaction, appended by the server as each is projected and by every
 * backup from the log it copies. It lives beside the backups, not in them and not on the data disk: when the disk
 * fails, the newest log is gone, and the ledger is what tells a restore of an older backup whom to erase again.
 * Rotation never deletes it; records are never removed (an erasure stays due for every older backup).
 */
export class ErasureLedger {
  constructor(readonly file: string) {}

  static in(folder: string): ErasureLedger {
    return new ErasureLedger(path.join(folder, LEDGER_FILE));
  }

  read(): ErasureRecord[] {
    if (!fs.existsSync(this.file)) return [];
    const out: ErasureRecord[] = [];
    for (const line of fs.readFileSync(this.file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        out.push(JSON.parse(line) as ErasureRecord);
      } catch {
        // A line cut short by a crash while it was written: the same record is written again by the next backup.
      }
    }
    return out;
  }

  /** Appends the records not in the ledger yet (by event id); answers how many were new. */
  add(records: ErasureRecord[]): number {
    const known = new Set(this.read().map((r) => r.eventId));
    const fresh = records.filter((r) => !known.has(r.eventId));
    if (fresh.length === 0) return 0;
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    // The ledger holds ids and request references only; the moderator's free-text reason stays in the log.
    const lines = fresh.map((r) => JSON.stringify(r.kind === 'CommentRedacted' ? { ...r, reason: undefined } : r));
    fs.appendFileSync(this.file, `${lines.join('\n')}\n`, { mode: 0o600 });
    return fresh.length;
  }
}

/** The ledger of this install: GOPY_ERASURE_LEDGER, else erasure-ledger.jsonl in GOPY_BACKUP_DIR or `fallbackDir`. */
export function ledgerOf(env: NodeJS.ProcessEnv, fallbackDir?: string): ErasureLedger | undefined {
  if (env.GOPY_ERASURE_LEDGER) return new ErasureLedger(path.resolve(env.GOPY_ERASURE_LEDGER));
  const dir = env.GOPY_BACKUP_DIR || fallbackDir;
  return dir ? ErasureLedger.in(path.resolve(dir)) : undefined;
}

/** Follows what the server projects and writes each erasure and redaction into the ledger as it happens. */
export function recordErasuresAsProjected(runtime: Runtime, ledger: ErasureLedger): void {
  runtime.changes.on('applied', (batch) => {
    const records = batch.events
      .map((e) =>
        erasureRecordOf({
          type: e.event.type,
          eventId: e.recorded.eventId,
          data: e.event.data,
          recordedAt: e.metadata.recordedAt,
        }),
      )
      .filter((r): r is ErasureRecord => r !== undefined);
    if (records.length === 0) return;
    try {
      ledger.add(records);
    } catch (err) {
      runtime.logger.error(
        { err, ledger: ledger.file },
        'could not write the erasure ledger: the next backup writes these records again',
      );
    }
  });
}

export interface ReapplyReport {
  /** Erasures and redactions applied again to the restored log. */
  reapplied: ErasureRecord[];
  /** Already in the restored log. */
  alreadyThere: number;
  /** About data the backup does not hold (an account or comment created after it): nothing to erase there. */
  notInBackup: ErasureRecord[];
}

/** The principal a re-applied erasure or redaction acts as: the person who made it, with the role it needed. */
function actingAs(accountId: string, role: Role): Principal {
  return { accountId, rolesIn: async () => [role] };
}

/**
 * Re-applies erasures and redactions to a restored store through the platform's own code paths: eraseAccount (the
 * AccountErased event, the key destroyed, sign-in secrets forgotten, mails deleted, WALs checkpointed) and
 * redactComment (CommentRedacted, the comment's key destroyed). The read models must be caught up.
 */
export async function reapplyErasures(runtime: Runtime, records: ErasureRecord[]): Promise<ReapplyReport> {
  const report: ReapplyReport = { reapplied: [], alreadyThere: 0, notInBackup: [] };
  const seen = new Set<string>();
  for (const record of records) {
    const target = record.kind === 'AccountErased' ? `account-${record.accountId}` : `comment-${record.commentId}`;
    if (seen.has(`${record.kind}:${target}`)) continue;
    seen.add(`${record.kind}:${target}`);
    const types: string[] = [];
    for await (const e of runtime.store.readStream(target)) types.push(e.type);
    if (types.length === 0) {
      report.notInBackup.push(record);
      continue;
    }
    if (types.includes(record.kind)) {
      report.alreadyThere += 1;
      continue;
    }
    if (record.kind === 'AccountErased') {
      await eraseAccount(
        runtime,
        actingAs(record.erasedBy, 'admin'),
        ['admin'],
        record.accountId,
        record.requestReference,
        record.comments ?? 'anonymous',
      );
    } else {
      await redactComment(
        runtime,
        actingAs(record.redactedBy, 'moderator'),
        record.commentId,
        record.reason || `re-applied after a restore: redacted at ${record.recordedAt}`,
        { systemActor: true },
      );
    }
    report.reapplied.push(record);
  }
  return report;
}
