import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysisReadModel, type AnalysisTables } from '@gopy/application/readModels/analysis';
import type { ProjectionContext, ReadDb } from '@gopy/application/readModels/index';
import type { DomainEvent, EventMetadata } from '@gopy/schemas';
import { createThrowawayDatabase } from '../postgres/throwawayDatabase';
import { openPostgresReadStore } from './postgresReadStore';
import { openSqliteReadStore } from './sqliteReadStore';

const policyId = randomUUID();
const nodeId = randomUUID();
const [ana, binh] = [randomUUID(), randomUUID()];

function aComment(
  commentId: string,
  author: string,
  o: { stance?: string; node?: string | null; category?: string } = {},
): DomainEvent {
  return {
    type: 'CommentSubmitted',
    data: {
      commentId,
      policyId,
      round: 1,
      version: 1,
      anchorNodeId: o.node === undefined ? nodeId : o.node,
      parentCommentId: null,
      body: 'x',
      stance: o.stance ?? 'support',
      stakeholderCategory: o.category ?? 'citizen',
      channel: 'web',
      authorAccountId: author,
      pseudonym: null,
      offlineSender: null,
      recordedBy: null,
      idempotencyKey: commentId,
      receivedAt: '2026-03-01T18:30:00.000Z',
      attachments: [],
    },
  } as unknown as DomainEvent;
}

const ids = Array.from({ length: 6 }, () => randomUUID());
const on = (type: string, commentId: string, extra: Record<string, unknown> = {}) =>
  ({ type, data: { commentId, ...extra } }) as unknown as DomainEvent;

/** Comments counted and uncounted within one batch, in cells that exist before it and in cells it creates. */
const log: DomainEvent[] = [
  aComment(ids[0]!, ana),
  aComment(ids[1]!, ana),
  aComment(ids[2]!, binh, { stance: 'oppose', node: null }),
  on('CommentHidden', ids[0]!, { reason: 'r', reasonCode: 'spam', hiddenBy: randomUUID() }),
  on('CommentEdited', ids[1]!, { body: 'y', stance: 'neutral', editedBy: ana }),
  aComment(ids[3]!, binh, { category: 'teacher' }),
  on('CommentWithdrawn', ids[3]!, { withdrawnBy: binh }),
  on('CommentRestored', ids[0]!, { restoredBy: randomUUID() }),
  on('CommentHidden', ids[2]!, { reason: 'r', reasonCode: 'spam', hiddenBy: randomUUID() }),
  aComment(ids[4]!, ana, { stance: 'oppose', node: null }),
  on('CommentRedacted', ids[4]!, { redactedBy: randomUUID() }),
  aComment(ids[5]!, binh),
  on('CommentEdited', ids[5]!, { body: 'z', stance: 'oppose', editedBy: binh }),
  on('CommentHidden', ids[5]!, { reason: 'r', reasonCode: 'spam', hiddenBy: randomUUID() }),
];

async function apply(db: ReadDb, batchSize: number): Promise<void> {
  await analysisReadModel.createTables(db);
  for (let i = 0; i < log.length; i += batchSize) {
    await db.transaction().execute(async (tx) => {
      for (const [j, event] of log.slice(i, i + batchSize).entries()) {
        const ctx: ProjectionContext = {
          eventId: `event-${i + j}`,
          metadata: { recordedAt: '2026-03-01T19:00:00.000Z' } as EventMetadata,
          streamId: 's',
          position: String(i + j),
          seq: i + j + 1,
        };
        await analysisReadModel.evolve(tx, event, ctx);
      }
      await analysisReadModel.endBatch?.(tx);
    });
  }
}

async function rows(db: ReadDb) {
  const t = db.withTables<AnalysisTables>();
  const sorted = (r: Record<string, unknown>[]) =>
    r.map((x) => JSON.stringify(Object.entries(x).map(([k, v]) => [k, typeof v === 'string' ? v : Number(v)]))).sort();
  return {
    comments: sorted(await t.selectFrom('analysis_comments').selectAll().execute()),
    counts: sorted(await t.selectFrom('analysis_counts').selectAll().execute()),
    participants: sorted(await t.selectFrom('analysis_participants').selectAll().execute()),
  };
}

const engines: [
  string,
  () => Promise<{ open(schema: string): Promise<{ db: ReadDb; close(): Promise<void> }>; drop(): Promise<void> }>,
][] = [
  [
    'SQLite',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-analysis-batches-'));
      return {
        open: async (name) => openSqliteReadStore(path.join(dir, `${name}.sqlite`)),
        drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
      };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const database = await createThrowawayDatabase('gopy_analysis_batches');
      return { open: (schema) => openPostgresReadStore(database.url, schema), drop: database.drop };
    },
  ],
];

describe.each(engines)('analysis counters on %s', (_name, engine) => {
  let server: Awaited<ReturnType<(typeof engines)[number][1]>>;
  beforeAll(async () => {
    server = await engine();
  });
  afterAll(async () => {
    await server?.drop();
  });

  it('leave the same rows gathered over one batch as written one event at a time', async () => {
    const one = await server.open('one_at_a_time');
    const all = await server.open('one_batch');
    try {
      await apply(one.db, 1);
      await apply(all.db, log.length);
      const expected = await rows(one.db);
      // The cases the batch must keep: a counter row at zero, and no participant row at zero.
      expect(expected.counts.some((r) => r.includes('["comments",0]'))).toBe(true);
      expect(expected.participants.some((r) => r.includes('["comments",0]'))).toBe(false);
      expect(await rows(all.db)).toEqual(expected);
    } finally {
      await one.close();
      await all.close();
    }
  });
});
