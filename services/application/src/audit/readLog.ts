import type { DomainEvent, Role } from '@gopy/schemas';
import { v7 as uuidv7 } from 'uuid';
import type { EventStore } from '../eventStore';
import type { WritePath } from '../writePath';

export interface SensitiveRead {
  readerAccountId: string;
  /** The role the data was read under: an auditor or admin anywhere, or the reader's role in the owning organisation. */
  readerRole: Role;
  subjectKind: string;
  subjectId: string;
  field: string;
}

/** The stream of one reader's sensitive reads: `audit-reads-<accountId>` (category `audit`). */
export const readLogStream = (accountId: string) => `audit-reads-${accountId}`;

/**
 * Records that someone read hidden content or personal data, or exported it (what, not the content itself). Called
 * before the data is served: a read that could not be recorded is not served.
 */
export async function recordSensitiveRead(writePath: WritePath, now: Date, read: SensitiveRead): Promise<void> {
  await writePath.execute(
    readLogStream(read.readerAccountId),
    { initialState: null, evolve: (s: null) => s },
    read,
    async (read) => ({
      events: [
        {
          type: 'SensitiveDataRead',
          data: {
            readerAccountId: read.readerAccountId,
            subjectKind: read.subjectKind,
            subjectId: read.subjectId,
            field: read.field,
          },
        } as DomainEvent,
      ],
      context: {
        actor: { accountId: read.readerAccountId, role: read.readerRole, organizationId: null },
        occurredAt: now.toISOString(),
        correlationId: uuidv7(),
        causationId: null,
      },
    }),
  );
}

export interface ReadLogEntry {
  eventId: string;
  /** The read's own position in the log. */
  position: string;
  recordedAt: string;
  readerAccountId: string;
  readerRole: string;
  subjectKind: string;
  subjectId: string;
  field: string;
}

/** The newest `first` sensitive reads, newest first. */
export async function readLog(store: EventStore, first: number): Promise<ReadLogEntry[]> {
  const ring: ReadLogEntry[] = [];
  for await (const r of store.readAll({ filter: { eventTypes: ['SensitiveDataRead'] } })) {
    const d = JSON.parse(r.data) as { readerAccountId: string; subjectKind: string; subjectId: string; field: string };
    const m = JSON.parse(r.metadata) as { recordedAt: string; actor: { role: string } };
    ring.push({
      eventId: r.eventId,
      position: r.position,
      recordedAt: m.recordedAt,
      readerAccountId: d.readerAccountId,
      readerRole: m.actor.role,
      subjectKind: d.subjectKind,
      subjectId: d.subjectId,
      field: d.field,
    });
    if (ring.length > first) ring.shift();
  }
  return ring.reverse();
}
