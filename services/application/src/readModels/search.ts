import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { DomainEvent } from '@gopy/schemas';
import { commentQueries, type CommentRow } from './comments';
import type { ReadDb, ReadTx } from './database';
import { compiledStatement } from './compiledStatement';
import type { ProjectionContext, ReadModel } from './projection';

/**
 * Search over public comments that ignores diacritics and their variants ("truong hoc" finds "trường học", "duong"
 * finds "đường", "hoa" finds "hoà" and "hòa"). The folding happens here, in TypeScript, so SQLite and PostgreSQL index
 * exactly the same text: each index only matches whole tokens of it.
 *
 * - SQLite: an FTS5 table `comment_search` whose rowid is the comment's seq, over the folded text.
 * - PostgreSQL: a table `comment_search` with the folded text and a GIN index on to_tsvector('simple', folded).
 * Only visible comments are in the index: hiding, withdrawing or redacting a comment takes it out, restoring puts it back.
 */

/** NFD, strip combining marks, đ/Đ → d, lower-case; then only letters and digits, one space between tokens. */
export function foldText(text: string): string {
  return searchTokens(text).join(' ');
}

export function searchTokens(text: string): string[] {
  const folded = text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase();
  return folded.split(/[^\p{L}\p{N}]+/u).filter((t) => t.length > 0);
}

export type ReadDialect = 'sqlite' | 'postgres';

/** The engine behind a Kysely instance or transaction. */
export function dialectOf(db: Pick<Kysely<unknown>, 'getExecutor'>): ReadDialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

const unindex = compiledStatement((db, p: { seq: number }) =>
  dialectOf(db) === 'sqlite'
    ? sql`DELETE FROM comment_search WHERE rowid = ${p.seq}`
    : sql`DELETE FROM comment_search WHERE seq = ${p.seq}`,
);

const insertRow = compiledStatement((db, p: { seq: number; folded: string; commentId: string; policyId: string }) =>
  dialectOf(db) === 'sqlite'
    ? sql`INSERT INTO comment_search (rowid, folded, comment_id, policy_id) VALUES (${p.seq}, ${p.folded}, ${p.commentId}, ${p.policyId})`
    : sql`INSERT INTO comment_search (seq, comment_id, policy_id, folded) VALUES (${p.seq}, ${p.commentId}, ${p.policyId}, ${p.folded})`,
);

/** Puts a comment's current text in the index if it is visible, takes it out otherwise. */
async function resync(tx: ReadTx, commentId: string) {
  const c = await tx
    .selectFrom('comments')
    .select(['seq', 'policy_id', 'status', 'body'])
    .where('id', '=', commentId)
    .executeTakeFirst();
  if (!c) return;
  const seq = Number(c.seq);
  await unindex(tx, { seq });
  if (c.status !== 'visible' || c.body === null) return;
  await insertRow(tx, { seq, folded: foldText(c.body), commentId, policyId: c.policy_id });
}

export const searchReadModel: ReadModel = {
  name: 'search',
  tables: ['comment_search'],
  async createTables(db) {
    if (dialectOf(db) === 'sqlite') {
      await sql`CREATE VIRTUAL TABLE IF NOT EXISTS comment_search USING fts5(folded, comment_id UNINDEXED, policy_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 0')`.execute(
        db,
      );
      // A row taken out (withdrawn, redacted, destroyed with its erased author) leaves no token behind in the index's
      // segments either: FTS5 otherwise keeps deleted tokens until a merge rewrites them.
      await sql`INSERT INTO comment_search (comment_search, rank) VALUES ('secure-delete', 1)`.execute(db);
      return;
    }
    await sql`CREATE TABLE IF NOT EXISTS comment_search (seq bigint PRIMARY KEY, comment_id text NOT NULL, policy_id text NOT NULL, folded text NOT NULL)`.execute(
      db,
    );
    await sql`CREATE INDEX IF NOT EXISTS comment_search_folded ON comment_search USING gin (to_tsvector('simple', folded))`.execute(
      db,
    );
    await sql`CREATE INDEX IF NOT EXISTS comment_search_policy ON comment_search (policy_id, seq)`.execute(db);
  },
  // Runs after the comments read model, so the comment's row already says its status and text.
  async evolve(tx: ReadTx, event: DomainEvent, ctx: ProjectionContext) {
    switch (event.type) {
      case 'CommentSubmitted': {
        // A new comment is visible, with the event's text, at the event's seq: no row can be in the index at that seq
        // yet (each seq is given to one event), so there is nothing to read back or take out first.
        const d = event.data;
        if (typeof d.body === 'string')
          await insertRow(tx, { seq: ctx.seq, folded: foldText(d.body), commentId: d.commentId, policyId: d.policyId });
        return;
      }
      case 'CommentEdited':
      case 'CommentHidden':
      case 'CommentRestored':
      case 'CommentWithdrawn':
      case 'CommentRedacted':
        await resync(tx, event.data.commentId);
        return;
      case 'AccountErased': {
        // Comments destroyed with their author leave the index (the comments read model has already emptied them).
        if (event.data.comments !== 'destroyed') return;
        const mine = await tx
          .selectFrom('comments')
          .select('id')
          .where('author_account_id', '=', event.data.accountId)
          .execute();
        for (const c of mine) await resync(tx, c.id);
        return;
      }
      default:
        return;
    }
  },
};

export interface SearchOptions {
  policyId: string;
  query: string;
  nodeId?: string | null;
  stance?: string | null;
  category?: string | null;
  channel?: string | null;
  /** Inclusive bounds on when the comment was received (for web comments, when it was submitted); ISO UTC. */
  from?: string | null;
  to?: string | null;
  first: number;
  beforeSeq?: number;
}

export const searchQueries = {
  /**
   * Visible comments of a policy containing every word of the query (folded), newest first, keyset-paged on seq.
   * An empty query (no letters or digits) finds nothing.
   */
  async search(db: ReadDb, o: SearchOptions, dialect: ReadDialect = dialectOf(db)): Promise<CommentRow[]> {
    const tokens = searchTokens(o.query);
    if (tokens.length === 0) return [];
    // Tokens hold only letters and digits, so quoting them cannot change the query's meaning on either engine.
    const filters = [sql`c.policy_id = ${o.policyId}`, sql`c.status = 'visible'`];
    if (o.nodeId) filters.push(sql`c.anchor_node_id = ${o.nodeId}`);
    if (o.stance) filters.push(sql`c.stance = ${o.stance}`);
    if (o.category) filters.push(sql`c.stakeholder_category = ${o.category}`);
    if (o.channel) filters.push(sql`c.channel = ${o.channel}`);
    if (o.from) filters.push(sql`c.received_at >= ${o.from}`);
    if (o.to) filters.push(sql`c.received_at <= ${o.to}`);
    if (o.beforeSeq !== undefined) filters.push(sql`c.seq < ${o.beforeSeq}`);
    const where = sql.join(filters, sql` AND `);
    const rows =
      dialect === 'sqlite'
        ? await sql<{ id: string }>`SELECT c.id FROM comment_search s JOIN comments c ON c.id = s.comment_id
            WHERE comment_search MATCH ${tokens.map((t) => `"${t}"`).join(' ')} AND s.policy_id = ${o.policyId} AND ${where}
            ORDER BY c.seq DESC LIMIT ${o.first}`.execute(db)
        : await sql<{ id: string }>`SELECT c.id FROM comment_search s JOIN comments c ON c.id = s.comment_id
            WHERE to_tsvector('simple', s.folded) @@ to_tsquery('simple', ${tokens.join(' & ')}) AND s.policy_id = ${o.policyId} AND ${where}
            ORDER BY c.seq DESC LIMIT ${o.first}`.execute(db);
    const ids = rows.rows.map((r) => r.id);
    const byId = new Map((await commentQueries.byIds(db, ids)).map((c) => [c.id, c]));
    return ids.map((id) => byId.get(id)).filter((c): c is CommentRow => c !== undefined);
  },
};
