import { sql } from 'kysely';
import { notificationIdFor } from '../ids';
import type { DomainEvent } from '@gopy/schemas';
import type { ReadDb, ReadTx } from './database';
import type { ProjectionContext, ReadModel } from './projection';
import type { DigestTables } from './digests';

/**
 * In-app notifications, derived from the log (rebuildable): to followers when a round opens or closes or its digest is
 * published (RoundAnswered), and to a comment's author when someone replies, an official reply is posted or a published
 * digest answers the comment (comment_answered).
 * Read and mailed marks come from NotificationsRead / NotificationMailSent events, so a rebuild keeps them.
 */
export interface NotificationsTable {
  id: string;
  account_id: string;
  kind: string; // round_opened | round_closed | digest_published | reply | official_reply | comment_answered
  policy_id: string;
  round: number | null;
  comment_id: string | null;
  created_at: string;
  seq: number;
  read: number;
  mailed: number;
}

type Db = { notifications: NotificationsTable; policy_follows: { account_id: string; policy_id: string } };

export const NotificationKinds = [
  'round_opened',
  'round_closed',
  'digest_published',
  'reply',
  'official_reply',
  'comment_answered',
] as const;
export type NotificationKind = (typeof NotificationKinds)[number];

export { notificationIdFor };

async function notifyFollowers(
  tx: ReadTx,
  ctx: ProjectionContext,
  kind: NotificationKind,
  policyId: string,
  round: number,
) {
  const t = tx.withTables<Db>();
  const followers = await t
    .selectFrom('policy_follows')
    .select('account_id')
    .where('policy_id', '=', policyId)
    .execute();
  for (const f of followers) {
    await insert(tx, {
      id: notificationIdFor(ctx.streamId, kind, String(round), f.account_id),
      account_id: f.account_id,
      kind,
      policy_id: policyId,
      round,
      comment_id: null,
      created_at: ctx.metadata.recordedAt,
      seq: ctx.seq,
      read: 0,
      mailed: 0,
    });
  }
}

async function insert(tx: ReadTx, row: NotificationsTable) {
  await tx
    .withTables<Db>()
    .insertInto('notifications')
    .values(row)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

async function notifyAuthor(
  tx: ReadTx,
  ctx: ProjectionContext,
  kind: NotificationKind,
  commentId: string,
  actorAccountId: string | null,
  /** For a reply: the policy it was written on; its parent's author hears of it only when the parent is there too. */
  replyPolicyId?: string,
) {
  const parent = await tx
    .selectFrom('comments')
    .select(['author_account_id', 'policy_id', 'round'])
    .where('id', '=', commentId)
    .executeTakeFirst();
  if (!parent?.author_account_id || parent.author_account_id === actorAccountId) return;
  if (replyPolicyId !== undefined && parent.policy_id !== replyPolicyId) return;
  await insert(tx, {
    id: notificationIdFor(ctx.streamId, kind, commentId, parent.author_account_id),
    account_id: parent.author_account_id,
    kind,
    policy_id: parent.policy_id,
    round: Number(parent.round),
    comment_id: commentId,
    created_at: ctx.metadata.recordedAt,
    seq: ctx.seq,
    read: 0,
    mailed: 0,
  });
}

/**
 * Each person with a comment in an answered theme of the published digest hears of it once: one notification per
 * person and digest, however many of their comments it answers (which ones, and how, are read from the published
 * digest, which no longer changes: `digestQueries.answersFor`).
 */
async function notifyAnsweredAuthors(tx: ReadTx, ctx: ProjectionContext, digestId: string) {
  const digest = await tx
    .withTables<DigestTables>()
    .selectFrom('digests')
    .select(['policy_id', 'round'])
    .where('digest_id', '=', digestId)
    .executeTakeFirst();
  if (!digest) return;
  const authors = await tx
    .withTables<DigestTables>()
    .selectFrom('digest_theme_comments')
    .innerJoin('digest_themes', 'digest_themes.theme_id', 'digest_theme_comments.theme_id')
    .innerJoin('comments', 'comments.id', 'digest_theme_comments.comment_id')
    .select(['comments.author_account_id as account_id'])
    .where('digest_themes.digest_id', '=', digestId)
    .where('digest_themes.decision', 'is not', null)
    .where('comments.author_account_id', 'is not', null)
    .distinct()
    .execute();
  for (const { account_id } of authors) {
    await insert(tx, {
      id: notificationIdFor(ctx.streamId, 'comment_answered', digestId, account_id!),
      account_id: account_id!,
      kind: 'comment_answered',
      policy_id: digest.policy_id,
      round: Number(digest.round),
      comment_id: null,
      created_at: ctx.metadata.recordedAt,
      seq: ctx.seq,
      read: 0,
      mailed: 0,
    });
  }
}

async function mark(tx: ReadTx, column: 'read' | 'mailed', accountId: string, ids: readonly string[]) {
  if (ids.length === 0) return;
  await tx
    .withTables<Db>()
    .updateTable('notifications')
    .set({ [column]: 1 })
    .where('account_id', '=', accountId)
    .where('id', 'in', [...ids])
    .execute();
}

export const notificationsReadModel: ReadModel = {
  name: 'notifications',
  tables: ['notifications'],
  async createTables(db) {
    await db
      .withTables<Db>()
      .schema.createTable('notifications')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('round', 'integer')
      .addColumn('comment_id', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('read', 'integer', (c) => c.notNull())
      .addColumn('mailed', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('notifications_account_seq')
      .ifNotExists()
      .on('notifications')
      .columns(['account_id', 'seq'])
      .execute();
    await db.schema
      .createIndex('notifications_unmailed')
      .ifNotExists()
      .on('notifications')
      .columns(['mailed', 'created_at'])
      .execute();
  },
  // Runs after the comments and follows read models.
  async evolve(tx: ReadTx, event: DomainEvent, ctx: ProjectionContext) {
    switch (event.type) {
      case 'ConsultationOpened':
        return notifyFollowers(tx, ctx, 'round_opened', event.data.policyId, event.data.round);
      case 'ConsultationClosed':
        return notifyFollowers(tx, ctx, 'round_closed', event.data.policyId, event.data.round);
      case 'RoundAnswered':
        return notifyFollowers(tx, ctx, 'digest_published', event.data.policyId, event.data.round);
      case 'CommentSubmitted':
        if (event.data.parentCommentId)
          await notifyAuthor(
            tx,
            ctx,
            'reply',
            event.data.parentCommentId,
            event.data.authorAccountId,
            event.data.policyId,
          );
        return;
      case 'OfficialReplyPosted':
        return notifyAuthor(tx, ctx, 'official_reply', event.data.commentId, null);
      case 'DigestPublished':
        return notifyAnsweredAuthors(tx, ctx, event.data.digestId);
      case 'NotificationsRead':
        return mark(tx, 'read', event.data.accountId, event.data.notificationIds);
      case 'NotificationMailSent':
        return mark(tx, 'mailed', event.data.accountId, event.data.notificationIds);
      default:
        return;
    }
  },
};

export interface NotificationRow {
  id: string;
  accountId: string;
  kind: NotificationKind;
  policyId: string;
  round: number | null;
  commentId: string | null;
  createdAt: string;
  seq: number;
  read: boolean;
  mailed: boolean;
}

function toRow(r: NotificationsTable): NotificationRow {
  return {
    id: r.id,
    accountId: r.account_id,
    kind: r.kind as NotificationKind,
    policyId: r.policy_id,
    round: r.round === null ? null : Number(r.round),
    commentId: r.comment_id,
    createdAt: r.created_at,
    seq: Number(r.seq),
    read: Number(r.read) === 1,
    mailed: Number(r.mailed) === 1,
  };
}

export const notificationQueries = {
  /** Newest first, keyset-paged on seq (several notifications of one event share it, so ties break on id). */
  async page(db: ReadDb, accountId: string, first: number, beforeSeq?: number): Promise<NotificationRow[]> {
    let q = db.withTables<Db>().selectFrom('notifications').selectAll().where('account_id', '=', accountId);
    if (beforeSeq !== undefined) q = q.where('seq', '<', beforeSeq);
    return (await q.orderBy('seq', 'desc').orderBy('id').limit(first).execute()).map(toRow);
  },
  async unreadCount(db: ReadDb, accountId: string): Promise<number> {
    const r = await db
      .withTables<Db>()
      .selectFrom('notifications')
      .select(sql<number>`count(*)`.as('n'))
      .where('account_id', '=', accountId)
      .where('read', '=', 0)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },
  async unreadIds(db: ReadDb, accountId: string, limit = 1_000): Promise<string[]> {
    const rows = await db
      .withTables<Db>()
      .selectFrom('notifications')
      .select('id')
      .where('account_id', '=', accountId)
      .where('read', '=', 0)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  },
  /** Not yet mailed and created at or before `cutoff`, oldest first, for the daily mail. */
  async unmailed(db: ReadDb, cutoff: string, limit = 5_000): Promise<NotificationRow[]> {
    const rows = await db
      .withTables<Db>()
      .selectFrom('notifications')
      .selectAll()
      .where('mailed', '=', 0)
      .where('created_at', '<=', cutoff)
      .orderBy('created_at')
      .limit(limit)
      .execute();
    return rows.map(toRow);
  },
};
