import { sql } from 'kysely';
import type { DomainEvent } from '@gopy/schemas';
import type { ReadDb, ReadTx } from './database';
import type { ProjectionContext, ReadModel } from './projection';
import { commentQueries, type CommentRow } from './comments';

/**
 * Response digests ("bản tổng hợp, tiếp thu, giải trình ý kiến"), from the `digest-<policy>-<round>` streams.
 *
 * Tables (other read models and the analysis read these; their names and columns are a contract):
 * - digests(digest_id, policy_id, round, status started|approved|published, started_by, started_at, approved_by,
 *   approved_at, published_by, published_at, covered_count, visible_count, counted_at_position, seq)
 * - digest_themes(theme_id, digest_id, policy_id, round, title, description, decision (null until answered:
 *   accepted | partly_accepted | not_accepted | noted), explanation, sections_changed_json (JSON array of node ids),
 *   position (1-based order in which themes were defined))
 * - digest_theme_comments(theme_id, comment_id, policy_id, round): a comment may sit in several themes.
 *
 * - digest_entries(digest_id, theme_id, comment_id, number, removed_kind, removed_reason_code, removed_at): the rows
 *   a digest was published with (each theme's visible comments at publication, numbered through the digest), fixed
 *   from then on; a later hide, withdrawal or redaction of the comment is noted on its row (kind, reason, when),
 *   a restore clears a hide's note.
 *
 * A comment is covered when it sits in at least one theme that has a decision.
 */
export interface DigestsTable {
  digest_id: string;
  policy_id: string;
  round: number;
  status: string;
  started_by: string;
  started_at: string;
  approved_by: string | null;
  approved_at: string | null;
  published_by: string | null;
  published_at: string | null;
  covered_count: number | null;
  visible_count: number | null;
  counted_at_position: string | null;
  seq: number;
}

export interface DigestThemesTable {
  theme_id: string;
  digest_id: string;
  policy_id: string;
  round: number;
  title: string;
  description: string;
  decision: string | null;
  explanation: string | null;
  sections_changed_json: string;
  position: number;
}

export interface DigestThemeCommentsTable {
  theme_id: string;
  comment_id: string;
  policy_id: string;
  round: number;
}

export interface DigestEntriesTable {
  digest_id: string;
  theme_id: string;
  comment_id: string;
  number: number;
  removed_kind: string | null;
  removed_reason_code: string | null;
  removed_at: string | null;
}

export type DigestTables = {
  digest_entries: DigestEntriesTable;
  digests: DigestsTable;
  digest_themes: DigestThemesTable;
  digest_theme_comments: DigestThemeCommentsTable;
};

export const digestsReadModel: ReadModel = {
  name: 'digests',
  tables: ['digests', 'digest_themes', 'digest_theme_comments', 'digest_entries'],
  async createTables(db) {
    const t = db.withTables<DigestTables>();
    await t.schema
      .createTable('digests')
      .ifNotExists()
      .addColumn('digest_id', 'text', (c) => c.primaryKey())
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('round', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('started_by', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('approved_by', 'text')
      .addColumn('approved_at', 'text')
      .addColumn('published_by', 'text')
      .addColumn('published_at', 'text')
      .addColumn('covered_count', 'integer')
      .addColumn('visible_count', 'integer')
      .addColumn('counted_at_position', 'text')
      .addColumn('seq', 'integer', (c) => c.notNull())
      .execute();
    await t.schema
      .createIndex('digests_policy_round')
      .ifNotExists()
      .unique()
      .on('digests')
      .columns(['policy_id', 'round'])
      .execute();
    await t.schema
      .createTable('digest_themes')
      .ifNotExists()
      .addColumn('theme_id', 'text', (c) => c.primaryKey())
      .addColumn('digest_id', 'text', (c) => c.notNull())
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('round', 'integer', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('decision', 'text')
      .addColumn('explanation', 'text')
      .addColumn('sections_changed_json', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .execute();
    await t.schema
      .createIndex('digest_themes_digest')
      .ifNotExists()
      .on('digest_themes')
      .columns(['digest_id', 'position'])
      .execute();
    await t.schema
      .createIndex('digest_themes_policy_round')
      .ifNotExists()
      .on('digest_themes')
      .columns(['policy_id', 'round'])
      .execute();
    await t.schema
      .createTable('digest_theme_comments')
      .ifNotExists()
      .addColumn('theme_id', 'text', (c) => c.notNull())
      .addColumn('comment_id', 'text', (c) => c.notNull())
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('round', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('digest_theme_comments_pk', ['theme_id', 'comment_id'])
      .execute();
    await t.schema
      .createIndex('digest_theme_comments_comment')
      .ifNotExists()
      .on('digest_theme_comments')
      .column('comment_id')
      .execute();
    await t.schema
      .createTable('digest_entries')
      .ifNotExists()
      .addColumn('digest_id', 'text', (c) => c.notNull())
      .addColumn('theme_id', 'text', (c) => c.notNull())
      .addColumn('comment_id', 'text', (c) => c.notNull())
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('removed_kind', 'text')
      .addColumn('removed_reason_code', 'text')
      .addColumn('removed_at', 'text')
      .addPrimaryKeyConstraint('digest_entries_pk', ['theme_id', 'comment_id'])
      .execute();
    await t.schema
      .createIndex('digest_entries_comment')
      .ifNotExists()
      .on('digest_entries')
      .column('comment_id')
      .execute();
    await t.schema
      .createIndex('digest_entries_digest')
      .ifNotExists()
      .on('digest_entries')
      .columns(['digest_id', 'number'])
      .execute();
    await t.schema
      .createIndex('digest_theme_comments_policy_round')
      .ifNotExists()
      .on('digest_theme_comments')
      .columns(['policy_id', 'round'])
      .execute();
  },
  async evolve(tx: ReadTx, event: DomainEvent, ctx: ProjectionContext) {
    const t = tx.withTables<DigestTables>();
    switch (event.type) {
      case 'DigestStarted': {
        const d = event.data;
        await t
          .insertInto('digests')
          .values({
            digest_id: d.digestId,
            policy_id: d.policyId,
            round: d.round,
            status: 'started',
            started_by: d.startedBy,
            started_at: ctx.metadata.recordedAt,
            approved_by: null,
            approved_at: null,
            published_by: null,
            published_at: null,
            covered_count: null,
            visible_count: null,
            counted_at_position: null,
            seq: ctx.seq,
          })
          .onConflict((oc) => oc.column('digest_id').doNothing())
          .execute();
        return;
      }
      case 'ThemeDefined': {
        const d = event.data;
        const digest = await t
          .selectFrom('digests')
          .select(['policy_id', 'round'])
          .where('digest_id', '=', d.digestId)
          .executeTakeFirst();
        if (!digest) return;
        const existing = await t
          .selectFrom('digest_themes')
          .select('theme_id')
          .where('theme_id', '=', d.themeId)
          .executeTakeFirst();
        if (existing) {
          // Defining a theme again renames it; its comments and answer stay.
          await t
            .updateTable('digest_themes')
            .set({ title: d.title, description: d.description })
            .where('theme_id', '=', d.themeId)
            .execute();
        } else {
          const count = await t
            .selectFrom('digest_themes')
            .select(sql<number>`count(*)`.as('n'))
            .where('digest_id', '=', d.digestId)
            .executeTakeFirstOrThrow();
          await t
            .insertInto('digest_themes')
            .values({
              theme_id: d.themeId,
              digest_id: d.digestId,
              policy_id: digest.policy_id,
              round: Number(digest.round),
              title: d.title,
              description: d.description,
              decision: null,
              explanation: null,
              sections_changed_json: '[]',
              position: Number(count.n) + 1,
            })
            .execute();
        }
        await withdrawApproval(tx, d.digestId);
        return;
      }
      case 'CommentsAssignedToTheme': {
        const d = event.data;
        const theme = await t
          .selectFrom('digest_themes')
          .select(['policy_id', 'round'])
          .where('theme_id', '=', d.themeId)
          .executeTakeFirst();
        if (!theme) return;
        for (const commentId of d.commentIds) {
          await t
            .insertInto('digest_theme_comments')
            .values({
              theme_id: d.themeId,
              comment_id: commentId,
              policy_id: theme.policy_id,
              round: Number(theme.round),
            })
            .onConflict((oc) => oc.columns(['theme_id', 'comment_id']).doNothing())
            .execute();
        }
        if (d.unassignedCommentIds.length > 0) {
          await t
            .deleteFrom('digest_theme_comments')
            .where('theme_id', '=', d.themeId)
            .where('comment_id', 'in', d.unassignedCommentIds)
            .execute();
        }
        await withdrawApproval(tx, d.digestId);
        return;
      }
      case 'ThemeAnswered': {
        const d = event.data;
        await t
          .updateTable('digest_themes')
          .set({
            decision: d.decision,
            explanation: d.explanation,
            sections_changed_json: JSON.stringify(d.sectionsChanged),
          })
          .where('theme_id', '=', d.themeId)
          .execute();
        await withdrawApproval(tx, d.digestId);
        return;
      }
      case 'DigestApproved':
        await t
          .updateTable('digests')
          .set({ status: 'approved', approved_by: event.data.approvedBy, approved_at: ctx.metadata.recordedAt })
          .where('digest_id', '=', event.data.digestId)
          .execute();
        return;
      case 'DigestPublished': {
        const d = event.data;
        await t
          .updateTable('digests')
          .set({
            status: 'published',
            published_by: d.publishedBy,
            published_at: ctx.metadata.recordedAt,
            covered_count: d.coveredCount,
            visible_count: d.visibleCount,
            counted_at_position: d.countedAtPosition,
          })
          .where('digest_id', '=', d.digestId)
          .execute();
        await fixEntries(tx, d.digestId);
        return;
      }
      case 'CommentHidden':
        return noteRemoval(tx, event.data.commentId, 'hidden', event.data.reasonCode, ctx.metadata.recordedAt);
      case 'CommentWithdrawn':
        return noteRemoval(tx, event.data.commentId, 'withdrawn', null, ctx.metadata.recordedAt);
      case 'CommentRedacted':
        return noteRemoval(tx, event.data.commentId, 'redacted', null, ctx.metadata.recordedAt);
      case 'CommentRestored':
        // Back in public view as it was published: only a hide's note goes (a withdrawal or redaction stays).
        await t
          .updateTable('digest_entries')
          .set({ removed_kind: null, removed_reason_code: null, removed_at: null })
          .where('comment_id', '=', event.data.commentId)
          .where('removed_kind', '=', 'hidden')
          .execute();
        return;
      default:
        return;
    }
  },
};

/**
 * The rows the digest is published with: each theme's comments visible now (at the publication event), in the order
 * the page shows them (themes in order, oldest comment first), numbered through the whole digest.
 */
async function fixEntries(tx: ReadTx, digestId: string) {
  const t = tx.withTables<DigestTables>();
  const rows = await t
    .selectFrom('digest_theme_comments')
    .innerJoin('digest_themes', 'digest_themes.theme_id', 'digest_theme_comments.theme_id')
    .innerJoin('comments', 'comments.id', 'digest_theme_comments.comment_id')
    .select(['digest_theme_comments.theme_id as theme_id', 'digest_theme_comments.comment_id as comment_id'])
    .where('digest_themes.digest_id', '=', digestId)
    .where('comments.status', '=', 'visible')
    .orderBy('digest_themes.position')
    .orderBy('comments.seq')
    .execute();
  for (const [i, r] of rows.entries()) {
    await t
      .insertInto('digest_entries')
      .values({
        digest_id: digestId,
        theme_id: r.theme_id,
        comment_id: r.comment_id,
        number: i + 1,
        removed_kind: null,
        removed_reason_code: null,
        removed_at: null,
      })
      .onConflict((oc) => oc.columns(['theme_id', 'comment_id']).doNothing())
      .execute();
  }
}

/** A published row's comment left public view: dated on the row, never dropped from it. */
async function noteRemoval(tx: ReadTx, commentId: string, kind: string, reasonCode: string | null, at: string) {
  await tx
    .withTables<DigestTables>()
    .updateTable('digest_entries')
    .set({ removed_kind: kind, removed_reason_code: reasonCode, removed_at: at })
    .where('comment_id', '=', commentId)
    .execute();
}

/** A change after approval needs a new approval: the spokesperson approves exactly what is published. */
async function withdrawApproval(tx: ReadTx, digestId: string) {
  await tx
    .withTables<DigestTables>()
    .updateTable('digests')
    .set({ status: 'started', approved_by: null, approved_at: null })
    .where('digest_id', '=', digestId)
    .where('status', '=', 'approved')
    .execute();
}

export interface DigestRow {
  id: string;
  policyId: string;
  round: number;
  status: 'started' | 'approved' | 'published';
  startedAt: string;
  approvedAt: string | null;
  publishedAt: string | null;
  coveredCount: number | null;
  visibleCount: number | null;
  countedAtPosition: string | null;
}

export interface DigestThemeRow {
  id: string;
  digestId: string;
  policyId: string;
  round: number;
  title: string;
  description: string;
  decision: string | null;
  explanation: string | null;
  sectionsChanged: string[];
  position: number;
}

/** The answer a comment got: the theme of the published digest it sits in. */
export interface CommentAnswerRow {
  commentId: string;
  theme: DigestThemeRow;
}

function toDigest(r: DigestsTable): DigestRow {
  return {
    id: r.digest_id,
    policyId: r.policy_id,
    round: Number(r.round),
    status: r.status as DigestRow['status'],
    startedAt: r.started_at,
    approvedAt: r.approved_at,
    publishedAt: r.published_at,
    coveredCount: r.covered_count === null ? null : Number(r.covered_count),
    visibleCount: r.visible_count === null ? null : Number(r.visible_count),
    countedAtPosition: r.counted_at_position,
  };
}

function toTheme(r: DigestThemesTable): DigestThemeRow {
  return {
    id: r.theme_id,
    digestId: r.digest_id,
    policyId: r.policy_id,
    round: Number(r.round),
    title: r.title,
    description: r.description,
    decision: r.decision,
    explanation: r.explanation,
    sectionsChanged: JSON.parse(r.sections_changed_json) as string[],
    position: Number(r.position),
  };
}

export interface RoundCommentFilter {
  policyId: string;
  round: number;
  /** Only comments in no theme of the digest yet. */
  unassignedOnly?: boolean;
  themeId?: string;
  nodeId?: string;
  stakeholderCategory?: string;
  channel?: string;
  stance?: string;
}

export interface DigestEntryRow {
  digestId: string;
  themeId: string;
  commentId: string;
  number: number;
  removedKind: 'hidden' | 'withdrawn' | 'redacted' | null;
  removedReasonCode: string | null;
  removedAt: string | null;
}

export const digestQueries = {
  /** The rows each theme was published with, in the digest's numbering. */
  async entries(db: ReadDb, themeIds: readonly string[]): Promise<DigestEntryRow[]> {
    if (themeIds.length === 0) return [];
    const rows = await db
      .withTables<DigestTables>()
      .selectFrom('digest_entries')
      .selectAll()
      .where('theme_id', 'in', [...themeIds])
      .orderBy('number')
      .execute();
    return rows.map((r) => ({
      digestId: r.digest_id,
      themeId: r.theme_id,
      commentId: r.comment_id,
      number: Number(r.number),
      removedKind: r.removed_kind as DigestEntryRow['removedKind'],
      removedReasonCode: r.removed_reason_code,
      removedAt: r.removed_at,
    }));
  },
  /** Rows of a published digest whose comment left public view since, by category (a comment counted once). */
  async removedSincePublication(
    db: ReadDb,
    digestId: string,
  ): Promise<{ kind: string; reasonCode: string | null; count: number }[]> {
    const rows = await db
      .withTables<DigestTables>()
      .selectFrom('digest_entries')
      .select(['removed_kind', 'removed_reason_code', sql<number>`count(distinct comment_id)`.as('n')])
      .where('digest_id', '=', digestId)
      .where('removed_kind', 'is not', null)
      .groupBy(['removed_kind', 'removed_reason_code'])
      .orderBy('removed_kind')
      .orderBy('removed_reason_code')
      .execute();
    return rows.map((r) => ({ kind: r.removed_kind!, reasonCode: r.removed_reason_code, count: Number(r.n) }));
  },
  async byIds(db: ReadDb, ids: readonly string[]): Promise<DigestRow[]> {
    if (ids.length === 0) return [];
    const rows = await db
      .withTables<DigestTables>()
      .selectFrom('digests')
      .selectAll()
      .where('digest_id', 'in', [...ids])
      .execute();
    return rows.map(toDigest);
  },
  async byRound(db: ReadDb, policyId: string, round: number): Promise<DigestRow | undefined> {
    const row = await db
      .withTables<DigestTables>()
      .selectFrom('digests')
      .selectAll()
      .where('policy_id', '=', policyId)
      .where('round', '=', round)
      .executeTakeFirst();
    return row ? toDigest(row) : undefined;
  },
  /** Themes of each digest, in the order they were defined. */
  async themes(db: ReadDb, digestIds: readonly string[]): Promise<DigestThemeRow[]> {
    if (digestIds.length === 0) return [];
    const rows = await db
      .withTables<DigestTables>()
      .selectFrom('digest_themes')
      .selectAll()
      .where('digest_id', 'in', [...digestIds])
      .orderBy('digest_id')
      .orderBy('position')
      .execute();
    return rows.map(toTheme);
  },
  async themesByIds(db: ReadDb, themeIds: readonly string[]): Promise<DigestThemeRow[]> {
    if (themeIds.length === 0) return [];
    return (
      await db
        .withTables<DigestTables>()
        .selectFrom('digest_themes')
        .selectAll()
        .where('theme_id', 'in', [...themeIds])
        .execute()
    ).map(toTheme);
  },
  /** Visible comments of a theme, newest first, keyset-paged on the comments' seq. */
  async themeComments(db: ReadDb, themeId: string, first: number, beforeSeq?: number) {
    let q = db
      .withTables<DigestTables>()
      .selectFrom('comments')
      .innerJoin('digest_theme_comments', 'digest_theme_comments.comment_id', 'comments.id')
      .select('comments.id')
      .where('digest_theme_comments.theme_id', '=', themeId)
      .where('comments.status', '=', 'visible');
    if (beforeSeq !== undefined) q = q.where('comments.seq', '<', beforeSeq);
    return inOrder(db, await q.orderBy('comments.seq', 'desc').limit(first).execute());
  },
  async themeCommentCounts(db: ReadDb, themeIds: readonly string[]): Promise<Map<string, number>> {
    if (themeIds.length === 0) return new Map();
    const rows = await db
      .withTables<DigestTables>()
      .selectFrom('digest_theme_comments')
      .innerJoin('comments', 'comments.id', 'digest_theme_comments.comment_id')
      .select(['digest_theme_comments.theme_id as theme_id', sql<number>`count(*)`.as('n')])
      .where('digest_theme_comments.theme_id', 'in', [...themeIds])
      // A comment destroyed with its author's erasure still counted in the theme when it was given.
      .where((eb) => eb.or([eb('comments.status', '=', 'visible'), eb('comments.destroyed_with_author', '=', 1)]))
      .groupBy('digest_theme_comments.theme_id')
      .execute();
    return new Map(rows.map((r) => [r.theme_id, Number(r.n)]));
  },
  /** Theme ids each comment sits in (any digest state: for staff drafting the digest). */
  async themeIdsOf(db: ReadDb, commentIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (commentIds.length === 0) return out;
    const rows = await db
      .withTables<DigestTables>()
      .selectFrom('digest_theme_comments')
      .innerJoin('digest_themes', 'digest_themes.theme_id', 'digest_theme_comments.theme_id')
      .select(['digest_theme_comments.comment_id as comment_id', 'digest_theme_comments.theme_id as theme_id'])
      .where('digest_theme_comments.comment_id', 'in', [...commentIds])
      .orderBy('digest_themes.position')
      .execute();
    for (const r of rows) out.set(r.comment_id, [...(out.get(r.comment_id) ?? []), r.theme_id]);
    return out;
  },
  /** The answers of published digests, per comment (the first theme, in the digest's order, when it sits in several). */
  async publishedAnswers(db: ReadDb, commentIds: readonly string[]): Promise<Map<string, DigestThemeRow[]>> {
    const out = new Map<string, DigestThemeRow[]>();
    if (commentIds.length === 0) return out;
    const rows = await db
      .withTables<DigestTables>()
      .selectFrom('digest_theme_comments')
      .innerJoin('digest_themes', 'digest_themes.theme_id', 'digest_theme_comments.theme_id')
      .innerJoin('digests', 'digests.digest_id', 'digest_themes.digest_id')
      .selectAll('digest_themes')
      .select('digest_theme_comments.comment_id as comment_id')
      .where('digest_theme_comments.comment_id', 'in', [...commentIds])
      .where('digests.status', '=', 'published')
      .where('digest_themes.decision', 'is not', null)
      .orderBy('digest_themes.position')
      .execute();
    for (const r of rows) out.set(r.comment_id, [...(out.get(r.comment_id) ?? []), toTheme(r)]);
    return out;
  },
  /** The round's visible comments for assigning them to themes, filtered, newest first, keyset-paged on seq. */
  async roundComments(db: ReadDb, f: RoundCommentFilter, first: number, beforeSeq?: number) {
    let q = db
      .withTables<DigestTables>()
      .selectFrom('comments')
      .select('comments.id')
      .where('comments.policy_id', '=', f.policyId)
      .where('comments.round', '=', f.round)
      .where('comments.status', '=', 'visible');
    if (f.nodeId) q = q.where('comments.anchor_node_id', '=', f.nodeId);
    if (f.stakeholderCategory) q = q.where('comments.stakeholder_category', '=', f.stakeholderCategory);
    if (f.channel) q = q.where('comments.channel', '=', f.channel);
    if (f.stance) q = q.where('comments.stance', '=', f.stance);
    if (f.themeId) {
      const themeId = f.themeId;
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('digest_theme_comments')
            .select('comment_id')
            .whereRef('digest_theme_comments.comment_id', '=', 'comments.id')
            .where('digest_theme_comments.theme_id', '=', themeId),
        ),
      );
    }
    if (f.unassignedOnly) {
      q = q.where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('digest_theme_comments')
              .innerJoin('digest_themes', 'digest_themes.theme_id', 'digest_theme_comments.theme_id')
              .select('digest_theme_comments.comment_id')
              .whereRef('digest_theme_comments.comment_id', '=', 'comments.id')
              .where('digest_themes.policy_id', '=', f.policyId)
              .where('digest_themes.round', '=', f.round),
          ),
        ),
      );
    }
    if (beforeSeq !== undefined) q = q.where('comments.seq', '<', beforeSeq);
    return inOrder(db, await q.orderBy('comments.seq', 'desc').limit(first).execute());
  },
};

/** How a published digest answered one person's comment. */
export interface PersonalAnswerRow {
  commentId: string;
  body: string | null;
  anchorLabel: string | null;
  themeId: string;
  decision: string;
}

/**
 * One person's comments answered by the published digest of a round, in the digest's order: each comment once, with
 * the decision of the first answered theme it sits in.
 */
export async function answersFor(
  db: ReadDb,
  accountId: string,
  policyId: string,
  round: number,
): Promise<PersonalAnswerRow[]> {
  const rows = await db
    .withTables<DigestTables>()
    .selectFrom('digests')
    .innerJoin('digest_themes', 'digest_themes.digest_id', 'digests.digest_id')
    .innerJoin('digest_theme_comments', 'digest_theme_comments.theme_id', 'digest_themes.theme_id')
    .innerJoin('comments', 'comments.id', 'digest_theme_comments.comment_id')
    .select([
      'comments.id as comment_id',
      'comments.body as body',
      'comments.anchor_label as anchor_label',
      'comments.seq as comment_seq',
      'digest_themes.theme_id as theme_id',
      'digest_themes.decision as decision',
    ])
    .where('digests.policy_id', '=', policyId)
    .where('digests.round', '=', round)
    .where('digests.status', '=', 'published')
    .where('digest_themes.decision', 'is not', null)
    .where('comments.author_account_id', '=', accountId)
    .orderBy('digest_themes.position')
    .orderBy('comments.seq')
    .execute();
  const out = new Map<string, PersonalAnswerRow>();
  for (const r of rows) {
    if (out.has(r.comment_id)) continue;
    out.set(r.comment_id, {
      commentId: r.comment_id,
      body: r.body,
      anchorLabel: r.anchor_label,
      themeId: r.theme_id,
      decision: r.decision!,
    });
  }
  return [...out.values()];
}

/** The comments' rows as the comments read model shapes them, in the order given. */
async function inOrder(db: ReadDb, rows: { id: string }[]): Promise<CommentRow[]> {
  const byId = new Map(
    (
      await commentQueries.byIds(
        db,
        rows.map((r) => r.id),
      )
    ).map((c) => [c.id, c]),
  );
  return rows.map((r) => byId.get(r.id)).filter((c): c is CommentRow => c !== undefined);
}
