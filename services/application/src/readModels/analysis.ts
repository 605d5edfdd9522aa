import { sql, type Kysely, type SqlBool } from 'kysely';
import type { DomainEvent, DraftNode } from '@gopy/schemas';
import { vietnamDay } from '@gopy/domain/vietnamTime';
import { compiledStatement } from './compiledStatement';
import type { ReadDb, ReadModelDatabase, ReadTx } from './database';
import type { DigestTables } from './digests';
import { BatchCounters, COUNTER_ROWS_PER_STATEMENT, type ProjectionContext, type ReadModel } from './projection';

/**
 * Feedback analysis of a policy's rounds, kept up to date by the projector so that a page of figures never scans the
 * comments. Counters sit at the grain (policy, round, node, category, channel, stance, day); a figure sums them with
 * GROUP BY over an index range of this small table, so every figure can be filtered by category, channel and node.
 * Only visible comments count: withdrawing, hiding or redacting one takes it out of every counter, restoring puts it back.
 *
 * Tables:
 * - analysis_comments(comment_id, policy_id, round, node_key, category, channel, stance, day, participant_key,
 *   withdrawn, hidden, redacted, group_id): what each comment contributes, so a change can be undone exactly.
 * - analysis_counts(policy_id, round, node_key, category, channel, stance, day, comments)
 * - analysis_participants(policy_id, round, node_key, category, channel, participant_key, comments): one row per
 *   participant per cell (rows at zero are removed), for distinct participants under any filter.
 * - analysis_groups(group_id, policy_id, round, representative_comment_id, comment_ids_json, status confirmed|undone,
 *   confirmed_by, confirmed_at, undone_by, undone_at, undone_reason, seq): confirmed near-duplicate groups.
 * - analysis_group_cells(group_id, policy_id, round, node_key, category, channel, members): visible members of each
 *   confirmed group per cell; a group counts once among the distinct arguments of any filter it reaches.
 *
 * `node_key` is the anchor node's id, or '' for comments on the whole draft. `day` is the calendar day in
 * Asia/Ho_Chi_Minh on which the feedback was received.
 */
export interface AnalysisCommentsTable {
  comment_id: string;
  policy_id: string;
  round: number;
  node_key: string;
  category: string;
  channel: string;
  stance: string;
  day: string;
  participant_key: string;
  withdrawn: number;
  hidden: number;
  redacted: number;
  group_id: string | null;
}

export interface AnalysisCountsTable {
  policy_id: string;
  round: number;
  node_key: string;
  category: string;
  channel: string;
  stance: string;
  day: string;
  comments: number;
}

export interface AnalysisParticipantsTable {
  policy_id: string;
  round: number;
  node_key: string;
  category: string;
  channel: string;
  participant_key: string;
  comments: number;
}

export interface AnalysisGroupsTable {
  group_id: string;
  policy_id: string;
  round: number;
  representative_comment_id: string;
  comment_ids_json: string;
  status: string;
  confirmed_by: string;
  confirmed_at: string;
  undone_by: string | null;
  undone_at: string | null;
  undone_reason: string | null;
  seq: number;
}

export interface AnalysisGroupCellsTable {
  group_id: string;
  policy_id: string;
  round: number;
  node_key: string;
  category: string;
  channel: string;
  members: number;
}

export type AnalysisTables = {
  analysis_comments: AnalysisCommentsTable;
  analysis_counts: AnalysisCountsTable;
  analysis_participants: AnalysisParticipantsTable;
  analysis_groups: AnalysisGroupsTable;
  analysis_group_cells: AnalysisGroupCellsTable;
};

type AnalysisDb = Kysely<ReadModelDatabase & AnalysisTables>;

const isCounted = (c: Pick<AnalysisCommentsTable, 'withdrawn' | 'hidden' | 'redacted'>) =>
  Number(c.withdrawn) === 0 && Number(c.hidden) === 0 && Number(c.redacted) === 0;

/** Inserts a submitted comment's contribution unless it is already there (rows affected: 1 or 0). */
const insertComment = compiledStatement((db, p: AnalysisCommentsTable) =>
  db
    .withTables<AnalysisTables>()
    .insertInto('analysis_comments')
    .values({
      comment_id: p.comment_id,
      policy_id: p.policy_id,
      round: p.round,
      node_key: p.node_key,
      category: p.category,
      channel: p.channel,
      stance: p.stance,
      day: p.day,
      participant_key: p.participant_key,
      withdrawn: p.withdrawn,
      hidden: p.hidden,
      redacted: p.redacted,
      group_id: p.group_id,
    })
    .onConflict((oc) => oc.column('comment_id').doNothing()),
);

type CountsKey = Omit<AnalysisCountsTable, 'comments'>;
type ParticipantsKey = Omit<AnalysisParticipantsTable, 'comments'>;

/**
 * The counters and participants of the cells, gathered over a projector batch and written at its end: nothing reads
 * them while the batch is applied. Every cell touched is written, also when its increments add up to zero: one
 * comment counted and uncounted in the same batch leaves its counter row at 0, as one event at a time would.
 */
const counts = new BatchCounters<CountsKey>();
const participants = new BatchCounters<ParticipantsKey>();

/** Adds `delta` (±1) of one comment to the counters and the participants of its cell, and to its group's cell. */
async function contribute(tx: ReadTx, c: AnalysisCommentsTable, delta: number, stance = c.stance) {
  addToCount(tx, c, stance, delta);
  const participant = {
    policy_id: c.policy_id,
    round: Number(c.round),
    node_key: c.node_key,
    category: c.category,
    channel: c.channel,
    participant_key: c.participant_key,
  };
  participants.add(
    tx,
    [
      participant.policy_id,
      participant.round,
      participant.node_key,
      participant.category,
      participant.channel,
      participant.participant_key,
    ].join('\u0000'),
    participant,
    delta,
  );
  if (c.group_id) await groupCell(tx.withTables<AnalysisTables>(), c.group_id, c, delta);
}

function addToCount(tx: ReadTx, c: AnalysisCommentsTable, stance: string, delta: number) {
  const cell = {
    policy_id: c.policy_id,
    round: Number(c.round),
    node_key: c.node_key,
    category: c.category,
    channel: c.channel,
    stance,
    day: c.day,
  };
  counts.add(
    tx,
    [cell.policy_id, cell.round, cell.node_key, cell.category, cell.channel, cell.stance, cell.day].join('\u0000'),
    cell,
    delta,
  );
}

async function writeCounters(tx: ReadTx): Promise<void> {
  const t = tx.withTables<AnalysisTables>();
  const cells = counts.takeAll(tx);
  for (let i = 0; i < cells.length; i += COUNTER_ROWS_PER_STATEMENT) {
    await t
      .insertInto('analysis_counts')
      .values(cells.slice(i, i + COUNTER_ROWS_PER_STATEMENT).map((e) => ({ ...e.key, comments: e.delta })))
      .onConflict((oc) =>
        oc
          .columns(['policy_id', 'round', 'node_key', 'category', 'channel', 'stance', 'day'])
          .doUpdateSet((eb) => ({ comments: eb('analysis_counts.comments', '+', eb.ref('excluded.comments')) })),
      )
      .execute();
  }
  const people = participants.takeAll(tx);
  for (let i = 0; i < people.length; i += COUNTER_ROWS_PER_STATEMENT) {
    await t
      .insertInto('analysis_participants')
      .values(people.slice(i, i + COUNTER_ROWS_PER_STATEMENT).map((e) => ({ ...e.key, comments: e.delta })))
      .onConflict((oc) =>
        oc
          .columns(['policy_id', 'round', 'node_key', 'category', 'channel', 'participant_key'])
          .doUpdateSet((eb) => ({ comments: eb('analysis_participants.comments', '+', eb.ref('excluded.comments')) })),
      )
      .execute();
  }
  // A participant's row counts their visible comments in the cell; it goes when that reaches zero, which only a
  // batch that took some away can do.
  for (const { key } of people.filter((e) => e.delta <= 0)) {
    await t
      .deleteFrom('analysis_participants')
      .where('policy_id', '=', key.policy_id)
      .where('round', '=', key.round)
      .where('node_key', '=', key.node_key)
      .where('category', '=', key.category)
      .where('channel', '=', key.channel)
      .where('participant_key', '=', key.participant_key)
      .where('comments', '<=', 0)
      .execute();
  }
}

async function groupCell(t: AnalysisDb, groupId: string, c: AnalysisCommentsTable, delta: number) {
  await t
    .insertInto('analysis_group_cells')
    .values({
      group_id: groupId,
      policy_id: c.policy_id,
      round: Number(c.round),
      node_key: c.node_key,
      category: c.category,
      channel: c.channel,
      members: delta,
    })
    .onConflict((oc) =>
      oc
        .columns(['group_id', 'node_key', 'category', 'channel'])
        .doUpdateSet((eb) => ({ members: eb('analysis_group_cells.members', '+', eb.ref('excluded.members')) })),
    )
    .execute();
}

/** Applies a change of a comment's visibility flags, moving it in or out of the counters when its visibility changes. */
async function setFlags(
  tx: ReadTx,
  commentId: string,
  flags: Partial<Pick<AnalysisCommentsTable, 'withdrawn' | 'hidden' | 'redacted'>>,
) {
  const t = tx.withTables<AnalysisTables>();
  const before = await t
    .selectFrom('analysis_comments')
    .selectAll()
    .where('comment_id', '=', commentId)
    .executeTakeFirst();
  if (!before) return;
  const after = { ...before, ...flags };
  await t.updateTable('analysis_comments').set(flags).where('comment_id', '=', commentId).execute();
  const was = isCounted(before);
  const is = isCounted(after);
  if (was !== is) await contribute(tx, after, is ? 1 : -1);
}

export const analysisReadModel: ReadModel = {
  name: 'analysis',
  tables: ['analysis_comments', 'analysis_counts', 'analysis_participants', 'analysis_groups', 'analysis_group_cells'],
  endBatch: writeCounters,
  async createTables(db) {
    const t = db.withTables<AnalysisTables>();
    await t.schema
      .createTable('analysis_comments')
      .ifNotExists()
      .addColumn('comment_id', 'text', (c) => c.primaryKey())
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('round', 'integer', (c) => c.notNull())
      .addColumn('node_key', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('stance', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('participant_key', 'text', (c) => c.notNull())
      .addColumn('withdrawn', 'integer', (c) => c.notNull())
      .addColumn('hidden', 'integer', (c) => c.notNull())
      .addColumn('redacted', 'integer', (c) => c.notNull())
      .addColumn('group_id', 'text')
      .execute();
    await t.schema
      .createTable('analysis_counts')
      .ifNotExists()
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('round', 'integer', (c) => c.notNull())
      .addColumn('node_key', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('stance', 'text', (c) => c.notNull())
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('comments', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('analysis_counts_pk', [
        'policy_id',
        'round',
        'node_key',
        'category',
        'channel',
        'stance',
        'day',
      ])
      .execute();
    await t.schema
      .createTable('analysis_participants')
      .ifNotExists()
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('round', 'integer', (c) => c.notNull())
      .addColumn('node_key', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('participant_key', 'text', (c) => c.notNull())
      .addColumn('comments', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('analysis_participants_pk', [
        'policy_id',
        'round',
        'node_key',
        'category',
        'channel',
        'participant_key',
      ])
      .execute();
    await t.schema
      .createTable('analysis_groups')
      .ifNotExists()
      .addColumn('group_id', 'text', (c) => c.primaryKey())
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('round', 'integer', (c) => c.notNull())
      .addColumn('representative_comment_id', 'text', (c) => c.notNull())
      .addColumn('comment_ids_json', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('confirmed_by', 'text', (c) => c.notNull())
      .addColumn('confirmed_at', 'text', (c) => c.notNull())
      .addColumn('undone_by', 'text')
      .addColumn('undone_at', 'text')
      .addColumn('undone_reason', 'text')
      .addColumn('seq', 'integer', (c) => c.notNull())
      .execute();
    await t.schema
      .createIndex('analysis_groups_round')
      .ifNotExists()
      .on('analysis_groups')
      .columns(['policy_id', 'round', 'status', 'seq'])
      .execute();
    await t.schema
      .createTable('analysis_group_cells')
      .ifNotExists()
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('round', 'integer', (c) => c.notNull())
      .addColumn('node_key', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('members', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('analysis_group_cells_pk', ['group_id', 'node_key', 'category', 'channel'])
      .execute();
    await t.schema
      .createIndex('analysis_group_cells_round')
      .ifNotExists()
      .on('analysis_group_cells')
      .columns(['policy_id', 'round'])
      .execute();
  },
  async evolve(tx: ReadTx, event: DomainEvent, ctx: ProjectionContext) {
    const t = tx.withTables<AnalysisTables>();
    switch (event.type) {
      case 'CommentSubmitted': {
        const d = event.data;
        const participant = d.authorAccountId
          ? `account:${d.authorAccountId}`
          : d.offlineSender
            ? `sender:${d.offlineSender.senderId}`
            : `comment:${d.commentId}`;
        const row: AnalysisCommentsTable = {
          comment_id: d.commentId,
          policy_id: d.policyId,
          round: d.round,
          node_key: d.anchorNodeId ?? '',
          category: d.stakeholderCategory,
          channel: d.channel,
          stance: d.stance,
          day: vietnamDay(d.receivedAt),
          participant_key: participant,
          withdrawn: 0,
          hidden: 0,
          redacted: 0,
          group_id: null,
        };
        const inserted = await insertComment(tx, row);
        if (Number(inserted.numAffectedRows ?? 0n) > 0) await contribute(tx, row, 1);
        return;
      }
      case 'CommentEdited': {
        const c = await t
          .selectFrom('analysis_comments')
          .selectAll()
          .where('comment_id', '=', event.data.commentId)
          .executeTakeFirst();
        if (!c || c.stance === event.data.stance) return;
        await t
          .updateTable('analysis_comments')
          .set({ stance: event.data.stance })
          .where('comment_id', '=', c.comment_id)
          .execute();
        if (!isCounted(c)) return;
        // Only the stance counter moves; participants and groups do not depend on the stance.
        addToCount(tx, c, c.stance, -1);
        addToCount(tx, c, event.data.stance, 1);
        return;
      }
      case 'CommentWithdrawn':
        await setFlags(tx, event.data.commentId, { withdrawn: 1 });
        return;
      case 'CommentHidden':
        await setFlags(tx, event.data.commentId, { hidden: 1 });
        return;
      case 'CommentRestored':
        await setFlags(tx, event.data.commentId, { hidden: 0 });
        return;
      case 'CommentRedacted':
        await setFlags(tx, event.data.commentId, { redacted: 1 });
        return;
      case 'DuplicateGroupConfirmed': {
        const d = event.data;
        await t
          .insertInto('analysis_groups')
          .values({
            group_id: d.groupId,
            policy_id: d.policyId,
            round: d.round,
            representative_comment_id: d.representativeCommentId,
            comment_ids_json: JSON.stringify(d.commentIds),
            status: 'confirmed',
            confirmed_by: d.confirmedBy,
            confirmed_at: ctx.metadata.recordedAt,
            undone_by: null,
            undone_at: null,
            undone_reason: null,
            seq: ctx.seq,
          })
          .execute();
        const members = await t
          .selectFrom('analysis_comments')
          .selectAll()
          .where('comment_id', 'in', d.commentIds)
          .execute();
        for (const m of members) {
          await t
            .updateTable('analysis_comments')
            .set({ group_id: d.groupId })
            .where('comment_id', '=', m.comment_id)
            .execute();
          if (isCounted(m)) await groupCell(t, d.groupId, m, 1);
        }
        return;
      }
      case 'DuplicateGroupUndone': {
        const d = event.data;
        await t
          .updateTable('analysis_groups')
          .set({
            status: 'undone',
            undone_by: d.undoneBy,
            undone_at: ctx.metadata.recordedAt,
            undone_reason: d.reason,
            seq: ctx.seq,
          })
          .where('group_id', '=', d.groupId)
          .execute();
        await t.updateTable('analysis_comments').set({ group_id: null }).where('group_id', '=', d.groupId).execute();
        await t.updateTable('analysis_group_cells').set({ members: 0 }).where('group_id', '=', d.groupId).execute();
        return;
      }
      default:
        return;
    }
  },
};

/* ------------------------------------------------------------------ queries */

export interface AnalysisFilter {
  category?: string | null;
  channel?: string | null;
  /** A node of the draft: the figures count comments on it and on every node below it. */
  nodeId?: string | null;
}

export interface Bucket {
  key: string;
  comments: number;
}

export interface ThemeFigure {
  themeId: string;
  title: string;
  decision: string | null;
  comments: number;
}

export interface AnalysisFigures {
  comments: number;
  participants: number;
  /** Confirmed near-duplicate groups count once each. */
  distinctArguments: number;
  confirmedGroups: number;
  byStance: Bucket[];
  byCategory: Bucket[];
  byChannel: Bucket[];
  /** Per anchor node; key '' is the whole draft. */
  byNode: Bucket[];
  byDay: Bucket[];
  topThemes: ThemeFigure[];
  /** Visible comments that sit in at least one answered theme. */
  answeredComments: number;
}

function subtreeIds(nodes: DraftNode[], nodeId: string): string[] | undefined {
  for (const n of nodes) {
    if (n.nodeId === nodeId) {
      const out: string[] = [];
      const walk = (x: DraftNode) => {
        out.push(x.nodeId);
        x.children.forEach(walk);
      };
      walk(n);
      return out;
    }
    const hit = subtreeIds(n.children, nodeId);
    if (hit) return hit;
  }
  return undefined;
}

/** The node keys a node filter covers: the node and its descendants in any version of the policy (ids are stable). */
async function nodeKeys(db: ReadDb, policyId: string, nodeId: string): Promise<string[]> {
  const versions = await db
    .selectFrom('policy_versions')
    .select('nodes')
    .where('policy_id', '=', policyId)
    .orderBy('number', 'desc')
    .execute();
  const keys = new Set<string>([nodeId]);
  for (const v of versions) for (const id of subtreeIds(JSON.parse(v.nodes) as DraftNode[], nodeId) ?? []) keys.add(id);
  return [...keys];
}

export const analysisQueries = {
  /** Every figure of a round under one filter: sums over the counter tables, never a scan of the comments. */
  async figures(db: ReadDb, policyId: string, round: number, filter: AnalysisFilter = {}): Promise<AnalysisFigures> {
    const t = db.withTables<AnalysisTables>().withTables<DigestTables>();
    const keys = filter.nodeId ? await nodeKeys(db, policyId, filter.nodeId) : undefined;
    // One filter for every table that has the cell's columns (counts, participants, group cells).
    const conditions = [sql`policy_id = ${policyId}`, sql`round = ${round}`];
    if (filter.category) conditions.push(sql`category = ${filter.category}`);
    if (filter.channel) conditions.push(sql`channel = ${filter.channel}`);
    if (keys) conditions.push(sql`node_key IN (${sql.join(keys)})`);
    const cell = sql<SqlBool>`${sql.join(conditions, sql` AND `)}`;
    const by = async (column: 'stance' | 'category' | 'channel' | 'node_key' | 'day'): Promise<Bucket[]> => {
      const rows = await t
        .selectFrom('analysis_counts')
        .select([column, (eb) => eb.fn.sum<number>('comments').as('n')])
        .where(cell)
        .groupBy(column)
        .execute();
      // Sorted here, by code point: the engines' collations disagree on punctuation.
      return rows
        .map((r) => ({ key: String((r as Record<string, unknown>)[column]), comments: Number(r.n) }))
        .filter((b) => b.comments > 0)
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    };
    const byStance = await by('stance');
    const comments = byStance.reduce((s, b) => s + b.comments, 0);
    const participants = await t
      .selectFrom('analysis_participants')
      .select((eb) => eb.fn.count<number>('participant_key').distinct().as('n'))
      .where(cell)
      .where('comments', '>', 0)
      .executeTakeFirstOrThrow();
    const groupRows = await t
      .selectFrom('analysis_group_cells')
      .select(['group_id', (eb) => eb.fn.sum<number>('members').as('m')])
      .where(cell)
      .groupBy('group_id')
      .execute();
    const reached = groupRows.map((g) => Number(g.m)).filter((m) => m > 0);
    const folded = reached.reduce((s, m) => s + (m - 1), 0);
    // Themes and coverage join the assignments of this round with the comments' current contribution.
    let themed = t
      .selectFrom('digest_theme_comments as tc')
      .innerJoin('digest_themes as th', 'th.theme_id', 'tc.theme_id')
      .innerJoin('analysis_comments as c', 'c.comment_id', 'tc.comment_id')
      .where('tc.policy_id', '=', policyId)
      .where('tc.round', '=', round)
      .where('c.withdrawn', '=', 0)
      .where('c.hidden', '=', 0)
      .where('c.redacted', '=', 0);
    if (filter.category) themed = themed.where('c.category', '=', filter.category);
    if (filter.channel) themed = themed.where('c.channel', '=', filter.channel);
    if (keys) themed = themed.where('c.node_key', 'in', keys);
    const themeRows = await themed
      .select([
        'th.theme_id',
        'th.title',
        'th.decision',
        'th.position',
        (eb) => eb.fn.count<number>('c.comment_id').as('n'),
      ])
      .groupBy(['th.theme_id', 'th.title', 'th.decision', 'th.position'])
      .execute();
    const answered = await themed
      .where('th.decision', 'is not', null)
      .select((eb) => eb.fn.count<number>('c.comment_id').distinct().as('n'))
      .executeTakeFirstOrThrow();
    return {
      comments,
      participants: Number(participants.n),
      distinctArguments: comments - folded,
      confirmedGroups: reached.length,
      byStance,
      byCategory: await by('category'),
      byChannel: await by('channel'),
      byNode: await by('node_key'),
      byDay: await by('day'),
      topThemes: themeRows
        .map((r) => ({
          themeId: r.theme_id,
          title: r.title,
          decision: r.decision,
          comments: Number(r.n),
          position: Number(r.position),
        }))
        .sort((a, b) => b.comments - a.comments || a.position - b.position)
        .map(({ position: _p, ...theme }) => theme),
      answeredComments: Number(answered.n),
    };
  },

  /** Confirmed (not undone) groups of a round, newest first. */
  async groups(db: ReadDb, policyId: string, round: number, status: 'confirmed' | 'undone' = 'confirmed') {
    const rows = await db
      .withTables<AnalysisTables>()
      .selectFrom('analysis_groups')
      .selectAll()
      .where('policy_id', '=', policyId)
      .where('round', '=', round)
      .where('status', '=', status)
      .orderBy('seq', 'desc')
      .execute();
    return rows.map((r) => ({
      groupId: r.group_id,
      policyId: r.policy_id,
      round: Number(r.round),
      representativeCommentId: r.representative_comment_id,
      commentIds: JSON.parse(r.comment_ids_json) as string[],
      status: r.status,
      confirmedBy: r.confirmed_by,
      confirmedAt: r.confirmed_at,
      undoneBy: r.undone_by,
      undoneAt: r.undone_at,
      undoneReason: r.undone_reason,
    }));
  },

  async group(db: ReadDb, groupId: string) {
    const r = await db
      .withTables<AnalysisTables>()
      .selectFrom('analysis_groups')
      .select(['group_id', 'policy_id', 'round', 'status'])
      .where('group_id', '=', groupId)
      .executeTakeFirst();
    return r ? { groupId: r.group_id, policyId: r.policy_id, round: Number(r.round), status: r.status } : undefined;
  },

  /** The comments of a round among `ids` (any status), for checking a group's members before deciding. */
  async commentsOfRound(db: ReadDb, policyId: string, round: number, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await db
      .withTables<AnalysisTables>()
      .selectFrom('analysis_comments')
      .select('comment_id')
      .where('policy_id', '=', policyId)
      .where('round', '=', round)
      .where('comment_id', 'in', [...ids])
      .execute();
    return new Set(rows.map((r) => r.comment_id));
  },
};
