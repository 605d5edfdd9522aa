import type { Selectable } from 'kysely';
import type { DomainEvent, DraftNode } from '@gopy/schemas';
import type { CommentState } from '@gopy/domain/comment';
import { compiledStatement } from './compiledStatement';
import type { CommentRevisionsTable, CommentsTable, ReadDb, ReadTx } from './database';
import { BatchCounters, COUNTER_ROWS_PER_STATEMENT, type ProjectionContext, type ReadModel } from './projection';

const kindLabel: Record<DraftNode['kind'], string> = {
  part: 'Phần',
  chapter: 'Chương',
  section: 'Mục',
  article: 'Điều',
  clause: 'Khoản',
  point: 'Điểm',
};

export function findNode(nodes: DraftNode[], nodeId: string): DraftNode | undefined {
  for (const n of nodes) {
    if (n.nodeId === nodeId) return n;
    const hit = findNode(n.children, nodeId);
    if (hit) return hit;
  }
  return undefined;
}

/** "Điều 2", "Khoản 1", "Điểm a": how a node is named in Vietnamese legal drafting. */
export function nodeLabel(node: DraftNode): string {
  return `${kindLabel[node.kind]} ${node.number}`.trim();
}

/**
 * Node labels of published versions, by policy and version number. A published version never changes, so its tree
 * is parsed once, not once per comment on one of its nodes.
 */
const versionLabels = new Map<string, Map<string, string>>();
const VERSION_LABELS_KEPT = 200;

function labelsOf(nodes: DraftNode[], into = new Map<string, string>()): Map<string, string> {
  for (const n of nodes) {
    into.set(n.nodeId, nodeLabel(n));
    labelsOf(n.children, into);
  }
  return into;
}

async function anchorLabelOf(tx: ReadTx, policyId: string, version: number, nodeId: string): Promise<string | null> {
  const key = `${policyId}:${version}`;
  let labels = versionLabels.get(key);
  if (!labels) {
    const row = await tx
      .selectFrom('policy_versions')
      .select('nodes')
      .where('policy_id', '=', policyId)
      .where('number', '=', version)
      .executeTakeFirst();
    // Not published (yet) in this database: look again next time rather than remember an empty tree.
    if (!row) return null;
    labels = labelsOf(JSON.parse(row.nodes) as DraftNode[]);
    versionLabels.set(key, labels);
    if (versionLabels.size > VERSION_LABELS_KEPT) versionLabels.delete(versionLabels.keys().next().value as string);
  }
  return labels.get(nodeId) ?? null;
}

// The statements of a comment's submission, compiled once per engine: the bulk of any log is submissions.
const displayNameOf = compiledStatement((db, p: { id: string }) =>
  db.selectFrom('accounts').select('display_name').where('id', '=', p.id),
);

const insertComment = compiledStatement((db, p: Omit<CommentsTable, 'destroyed_with_author'>) =>
  db.insertInto('comments').values({
    id: p.id,
    policy_id: p.policy_id,
    round: p.round,
    version: p.version,
    anchor_node_id: p.anchor_node_id,
    anchor_label: p.anchor_label,
    parent_id: p.parent_id,
    author_account_id: p.author_account_id,
    author_name: p.author_name,
    body: p.body,
    stance: p.stance,
    stakeholder_category: p.stakeholder_category,
    channel: p.channel,
    status: p.status,
    submitted_at: p.submitted_at,
    received_at: p.received_at,
    edited: p.edited,
    seq: p.seq,
    endorsement_count: p.endorsement_count,
    flag_count: p.flag_count,
    reply_count: p.reply_count,
    hidden_reason: p.hidden_reason,
    hidden_reason_code: p.hidden_reason_code,
    recorded_by: p.recorded_by,
  }),
);

const insertRevision = compiledStatement((db, p: CommentRevisionsTable) =>
  db
    .insertInto('comment_revisions')
    .values({ comment_id: p.comment_id, revision: p.revision, body: p.body, stance: p.stance, at: p.at }),
);

const policyOfComment = compiledStatement((db, p: { id: string }) =>
  db.selectFrom('comments').select('policy_id').where('id', '=', p.id),
);

/**
 * The parent a reply is shown under: only a comment of the same policy. The decider refuses any other since issue 15,
 * but older logs may hold a reply to another policy's comment, which must not show on that policy's page nor count there.
 */
async function parentInPolicy(tx: ReadTx, parentId: string | null, policyId: string): Promise<string | null> {
  if (!parentId) return null;
  const parent = (await policyOfComment(tx, { id: parentId })).rows[0];
  return parent?.policy_id === policyId ? parentId : null;
}

const addReply = compiledStatement((db, p: { id: string }) =>
  db
    .updateTable('comments')
    .set((eb) => ({ reply_count: eb('reply_count', '+', 1) }))
    .where('id', '=', p.id),
);

export const commentsReadModel: ReadModel = {
  tables: [
    'comments',
    'comment_revisions',
    'comment_flags',
    'official_replies',
    'comment_endorsements',
    'comment_counts',
  ],
  name: 'comments',
  async createTables(db) {
    await db.schema
      .createTable('comments')
      .ifNotExists()
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('round', 'integer', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('anchor_node_id', 'text')
      .addColumn('anchor_label', 'text')
      .addColumn('parent_id', 'text')
      .addColumn('author_account_id', 'text')
      .addColumn('author_name', 'text', (c) => c.notNull())
      .addColumn('body', 'text')
      .addColumn('stance', 'text', (c) => c.notNull())
      .addColumn('stakeholder_category', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('submitted_at', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('edited', 'integer', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('endorsement_count', 'integer', (c) => c.notNull())
      .addColumn('flag_count', 'integer', (c) => c.notNull())
      .addColumn('reply_count', 'integer', (c) => c.notNull())
      .addColumn('hidden_reason', 'text')
      .addColumn('hidden_reason_code', 'text')
      .addColumn('recorded_by', 'text')
      .addColumn('destroyed_with_author', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createTable('comment_revisions')
      .ifNotExists()
      .addColumn('comment_id', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('body', 'text')
      .addColumn('stance', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('comment_revisions_pk', ['comment_id', 'revision'])
      .execute();
    await db.schema
      .createTable('comment_flags')
      .ifNotExists()
      .addColumn('flag_id', 'text', (c) => c.primaryKey())
      .addColumn('comment_id', 'text', (c) => c.notNull())
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('flagged_by', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('comment_flags_status')
      .ifNotExists()
      .on('comment_flags')
      .columns(['status', 'at'])
      .execute();
    await db.schema
      .createTable('official_replies')
      .ifNotExists()
      .addColumn('reply_id', 'text', (c) => c.primaryKey())
      .addColumn('comment_id', 'text', (c) => c.notNull())
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('posted_by', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('official_replies_comment')
      .ifNotExists()
      .on('official_replies')
      .column('comment_id')
      .execute();
    await db.schema
      .createTable('comment_endorsements')
      .ifNotExists()
      .addColumn('comment_id', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('comment_endorsements_pk', ['comment_id', 'account_id'])
      .execute();
    // Visible comments per policy (scope ''), per node ('node:<id>') and on the whole draft ('whole'): the page's
    // totalCount reads one row instead of counting up to every comment of the policy on each request.
    await db.schema
      .createTable('comment_counts')
      .ifNotExists()
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('visible', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('comment_counts_pk', ['policy_id', 'scope'])
      .execute();
    await db.schema.createIndex('comments_parent').ifNotExists().on('comments').column('parent_id').execute();
    // Keyset paging: newest first per policy, per node, per author.
    await db.schema
      .createIndex('comments_policy_seq')
      .ifNotExists()
      .on('comments')
      .columns(['policy_id', 'status', 'seq'])
      .execute();
    await db.schema
      .createIndex('comments_policy_node_seq')
      .ifNotExists()
      .on('comments')
      .columns(['policy_id', 'anchor_node_id', 'status', 'seq'])
      .execute();
    await db.schema
      .createIndex('comments_author_seq')
      .ifNotExists()
      .on('comments')
      .columns(['author_account_id', 'seq'])
      .execute();
  },
  endBatch: writeVisibleCounts,
  async evolve(tx: ReadTx, event: DomainEvent, ctx: ProjectionContext) {
    switch (event.type) {
      case 'CommentSubmitted': {
        const d = event.data;
        const anchorLabel = d.anchorNodeId ? await anchorLabelOf(tx, d.policyId, d.version, d.anchorNodeId) : null;
        const parentId = await parentInPolicy(tx, d.parentCommentId, d.policyId);
        let authorName = d.pseudonym ?? '';
        // A null body means the comment's key is gone (redacted): its pseudonym, sealed with that key, is gone too, and
        // the author's own name must not stand in for it. Offline feedback never carries a pseudonym.
        const pseudonymUnreadable = d.channel === 'web' && d.body === null;
        if (!authorName && d.channel !== 'web' && d.offlineSender) {
          // Offline senders are named publicly only by their organisation, if any; their names stay sealed.
          authorName = d.offlineSender.organization ?? '';
        }
        if (!authorName && d.authorAccountId && !pseudonymUnreadable) {
          // The account's pseudonym shows only when the comment asked for it (then it is in the event itself).
          const account = await displayNameOf(tx, { id: d.authorAccountId });
          authorName = account.rows[0]?.display_name ?? '';
        }
        await insertComment(tx, {
          id: d.commentId,
          policy_id: d.policyId,
          round: d.round,
          version: d.version,
          anchor_node_id: d.anchorNodeId,
          anchor_label: anchorLabel,
          parent_id: parentId,
          author_account_id: d.authorAccountId,
          author_name: authorName,
          body: d.body,
          stance: d.stance,
          stakeholder_category: d.stakeholderCategory,
          channel: d.channel,
          status: 'visible',
          submitted_at: ctx.metadata.recordedAt,
          received_at: d.receivedAt,
          edited: 0,
          seq: ctx.seq,
          endorsement_count: 0,
          flag_count: 0,
          reply_count: 0,
          hidden_reason: null,
          hidden_reason_code: null,
          recorded_by: d.recordedBy,
        });
        await insertRevision(tx, {
          comment_id: d.commentId,
          revision: 1,
          body: d.body,
          stance: d.stance,
          at: ctx.metadata.recordedAt,
        });
        await countVisible(tx, d.policyId, d.anchorNodeId, 1);
        if (parentId) await addReply(tx, { id: parentId });
        return;
      }
      case 'CommentEdited': {
        await tx
          .updateTable('comments')
          .set({ body: event.data.body, stance: event.data.stance, edited: 1 })
          .where('id', '=', event.data.commentId)
          .execute();
        const last = await tx
          .selectFrom('comment_revisions')
          .select((eb) => eb.fn.max('revision').as('n'))
          .where('comment_id', '=', event.data.commentId)
          .executeTakeFirst();
        await tx
          .insertInto('comment_revisions')
          .values({
            comment_id: event.data.commentId,
            revision: Number(last?.n ?? 0) + 1,
            body: event.data.body,
            stance: event.data.stance,
            at: ctx.metadata.recordedAt,
          })
          .execute();
        return;
      }
      case 'CommentFlagged': {
        const d = event.data;
        const comment = await tx
          .selectFrom('comments')
          .select('policy_id')
          .where('id', '=', d.commentId)
          .executeTakeFirst();
        await tx
          .insertInto('comment_flags')
          .values({
            flag_id: d.flagId,
            comment_id: d.commentId,
            policy_id: comment?.policy_id ?? '',
            flagged_by: d.flaggedBy,
            reason: d.reason,
            note: d.note,
            at: ctx.metadata.recordedAt,
            status: 'open',
          })
          .execute();
        await tx
          .updateTable('comments')
          .set((eb) => ({ flag_count: eb('flag_count', '+', 1) }))
          .where('id', '=', d.commentId)
          .execute();
        return;
      }
      case 'CommentEndorsed':
        await tx
          .insertInto('comment_endorsements')
          .values({ comment_id: event.data.commentId, account_id: event.data.endorsedBy })
          .execute();
        await tx
          .updateTable('comments')
          .set((eb) => ({ endorsement_count: eb('endorsement_count', '+', 1) }))
          .where('id', '=', event.data.commentId)
          .execute();
        return;
      case 'OfficialReplyPosted': {
        const comment = await tx
          .selectFrom('comments')
          .select('policy_id')
          .where('id', '=', event.data.commentId)
          .executeTakeFirst();
        await tx
          .insertInto('official_replies')
          .values({
            reply_id: event.data.replyId,
            comment_id: event.data.commentId,
            policy_id: comment?.policy_id ?? '',
            body: event.data.body,
            posted_by: event.data.postedBy,
            at: ctx.metadata.recordedAt,
            seq: ctx.seq,
          })
          .execute();
        return;
      }
      case 'CommentWithdrawn':
        await changeStatus(tx, event.data.commentId, (status) => (status === 'redacted' ? status : 'withdrawn'));
        return;
      case 'CommentHidden':
        // Hiding a comment its author withdrew (or one redacted) leaves it so; restoring it later must not show it.
        await changeStatus(tx, event.data.commentId, (status) => (status === 'visible' ? 'hidden' : status));
        await tx
          .updateTable('comments')
          .set({ hidden_reason: event.data.reason, hidden_reason_code: event.data.reasonCode })
          .where('id', '=', event.data.commentId)
          .execute();
        await tx
          .updateTable('comment_flags')
          .set({ status: 'hidden' })
          .where('comment_id', '=', event.data.commentId)
          .where('status', '=', 'open')
          .execute();
        return;
      case 'CommentRestored':
        await changeStatus(tx, event.data.commentId, (status) => (status === 'hidden' ? 'visible' : status));
        await tx
          .updateTable('comments')
          .set({ hidden_reason: null, hidden_reason_code: null })
          .where('id', '=', event.data.commentId)
          .execute();
        await tx
          .updateTable('comment_flags')
          .set({ status: 'dismissed' })
          .where('comment_id', '=', event.data.commentId)
          .where('status', '=', 'open')
          .execute();
        return;
      case 'AccountErased':
        if (event.data.comments === 'destroyed') await destroyCommentsOf(tx, event.data.accountId);
        return;
      case 'CommentRedacted':
        // The comment's key is destroyed with this event: nothing it said can be shown again, nor rebuilt.
        await changeStatus(tx, event.data.commentId, () => 'redacted');
        await tx.updateTable('comments').set({ body: null }).where('id', '=', event.data.commentId).execute();
        // What a rebuild can still say of its author (see CommentSubmitted): a pseudonym is unreadable from now on.
        await tx
          .updateTable('comments')
          .set({ author_name: '' })
          .where('id', '=', event.data.commentId)
          .where('channel', '=', 'web')
          .execute();
        await tx
          .updateTable('comment_revisions')
          .set({ body: null })
          .where('comment_id', '=', event.data.commentId)
          .execute();
        await tx
          .updateTable('comment_flags')
          .set({ note: null, status: 'redacted' })
          .where('comment_id', '=', event.data.commentId)
          .execute();
        return;
      default:
        return;
    }
  },
};

/**
 * The person erased their account and chose to destroy their comments: every comment's key was shredded with the
 * event, so nothing they wrote can be shown again, nor rebuilt. Each shows as withdrawn by its author; one that was
 * visible keeps its place in the counts of the digests' themes (`destroyed_with_author`). Flag notes on it were
 * sealed with its key and go too.
 */
async function destroyCommentsOf(tx: ReadTx, accountId: string): Promise<void> {
  const mine = await tx
    .selectFrom('comments')
    .select(['id', 'status'])
    .where('author_account_id', '=', accountId)
    .execute();
  for (const c of mine) {
    await changeStatus(tx, c.id, (status) => (status === 'redacted' ? status : 'withdrawn'));
    await tx
      .updateTable('comments')
      .set({ body: null, destroyed_with_author: c.status === 'visible' ? 1 : 0 })
      .where('id', '=', c.id)
      .execute();
    await tx.updateTable('comment_revisions').set({ body: null }).where('comment_id', '=', c.id).execute();
    await tx.updateTable('comment_flags').set({ note: null }).where('comment_id', '=', c.id).execute();
  }
}

/**
 * A comment's status is the strongest of what happened to it: redacted, then withdrawn, then hidden, else visible
 * (a withdrawn comment that a moderator hides and restores stays withdrawn). A change in or out of `visible` moves it
 * in the visible counts and in its parent's reply count (replies count as the thread shows them: visible ones).
 */
async function changeStatus(tx: ReadTx, commentId: string, next: (status: string) => string): Promise<void> {
  const row = await tx
    .selectFrom('comments')
    .select(['policy_id', 'anchor_node_id', 'status', 'parent_id'])
    .where('id', '=', commentId)
    .executeTakeFirst();
  if (!row) return;
  const status = next(row.status);
  if (status === row.status) return;
  const delta = (status === 'visible' ? 1 : 0) - (row.status === 'visible' ? 1 : 0);
  if (delta !== 0) {
    await countVisible(tx, row.policy_id, row.anchor_node_id, delta);
    if (row.parent_id) {
      await tx
        .updateTable('comments')
        .set((eb) => ({ reply_count: eb('reply_count', '+', delta) }))
        .where('id', '=', row.parent_id)
        .execute();
    }
  }
  await tx.updateTable('comments').set({ status }).where('id', '=', commentId).execute();
}

interface CommentCountsTable {
  policy_id: string;
  scope: string;
  visible: number;
}
type CountsDb = { comment_counts: CommentCountsTable };

function nodeScope(anchorNodeId: string | null): string {
  return anchorNodeId ? `node:${anchorNodeId}` : 'whole';
}

const visibleCounts = new BatchCounters<{ policyId: string; scope: string }>();

/** Adds `delta` to the policy's visible count and to its node's (or the whole draft's), written at the batch's end. */
async function countVisible(tx: ReadTx, policyId: string, anchorNodeId: string | null, delta: number): Promise<void> {
  const scope = nodeScope(anchorNodeId);
  visibleCounts.add(tx, `${policyId}\u0000`, { policyId, scope: '' }, delta);
  visibleCounts.add(tx, `${policyId}\u0000${scope}`, { policyId, scope }, delta);
}

async function writeVisibleCounts(tx: ReadTx): Promise<void> {
  const all = visibleCounts.take(tx);
  for (let i = 0; i < all.length; i += COUNTER_ROWS_PER_STATEMENT) {
    await tx
      .withTables<CountsDb>()
      .insertInto('comment_counts')
      .values(
        all
          .slice(i, i + COUNTER_ROWS_PER_STATEMENT)
          .map((e) => ({ policy_id: e.key.policyId, scope: e.key.scope, visible: e.delta })),
      )
      .onConflict((oc) =>
        oc
          .columns(['policy_id', 'scope'])
          .doUpdateSet((eb) => ({ visible: eb('comment_counts.visible', '+', eb.ref('excluded.visible')) })),
      )
      .execute();
  }
}

export interface CommentRow {
  id: string;
  policyId: string;
  round: number;
  version: number;
  anchorNodeId: string | null;
  anchorLabel: string | null;
  parentId: string | null;
  authorAccountId: string | null;
  authorName: string;
  body: string | null;
  stance: string;
  stakeholderCategory: string;
  channel: string;
  status: string;
  submittedAt: string;
  receivedAt: string;
  edited: boolean;
  seq: number;
  endorsementCount: number;
  flagCount: number;
  replyCount: number;
  hiddenReason: string | null;
  hiddenReasonCode: string | null;
  recordedBy: string | null;
}

function toComment(r: Selectable<CommentsTable>): CommentRow {
  return {
    id: r.id,
    policyId: r.policy_id,
    round: Number(r.round),
    version: Number(r.version),
    anchorNodeId: r.anchor_node_id,
    anchorLabel: r.anchor_label,
    parentId: r.parent_id,
    authorAccountId: r.author_account_id,
    authorName: r.author_name,
    body: r.body,
    stance: r.stance,
    stakeholderCategory: r.stakeholder_category,
    channel: r.channel,
    status: r.status,
    submittedAt: r.submitted_at,
    receivedAt: r.received_at,
    edited: Number(r.edited) === 1,
    seq: Number(r.seq),
    endorsementCount: Number(r.endorsement_count),
    flagCount: Number(r.flag_count),
    replyCount: Number(r.reply_count),
    hiddenReason: r.hidden_reason,
    hiddenReasonCode: r.hidden_reason_code,
    recordedBy: r.recorded_by,
  };
}

/**
 * The row the read model will hold for a comment, built from the comment's folded state, for a mutation that must
 * answer before the projector has caught up (overload). `seq` is 0: the comment has no place in the pages yet.
 */
export function commentRowFromState(
  state: CommentState,
  known: { submittedAt: string; authorName: string; anchorLabel: string | null },
): CommentRow {
  if (!state.exists || !state.commentId || !state.policyId) throw new Error('No comment in this state');
  return {
    id: state.commentId,
    policyId: state.policyId,
    round: state.round,
    version: state.version,
    anchorNodeId: state.anchorNodeId,
    anchorLabel: known.anchorLabel,
    parentId: state.parentCommentId,
    authorAccountId: state.authorAccountId,
    authorName: known.authorName,
    body: state.body,
    stance: state.stance ?? 'neutral',
    stakeholderCategory: state.stakeholderCategory ?? 'citizen',
    channel: state.channel ?? 'web',
    status: state.redacted ? 'redacted' : state.withdrawn ? 'withdrawn' : state.hidden ? 'hidden' : 'visible',
    submittedAt: known.submittedAt,
    receivedAt: state.receivedAt ?? known.submittedAt,
    edited: false,
    seq: 0,
    endorsementCount: state.endorsedBy.length,
    flagCount: state.flaggedBy.length,
    replyCount: 0,
    hiddenReason: null,
    hiddenReasonCode: null,
    recordedBy: state.recordedBy,
  };
}

export interface CommentPageOptions {
  policyId: string;
  first: number;
  beforeSeq?: number;
  nodeId?: string;
  wholeDraftOnly?: boolean;
}

export const commentQueries = {
  /** Public comments of a policy, newest first, keyset-paged on seq: cost independent of how many come after. */
  async page(db: ReadDb, o: CommentPageOptions): Promise<CommentRow[]> {
    let q = db.selectFrom('comments').selectAll().where('policy_id', '=', o.policyId).where('status', '=', 'visible');
    if (o.nodeId) q = q.where('anchor_node_id', '=', o.nodeId);
    else if (o.wholeDraftOnly) q = q.where('anchor_node_id', 'is', null);
    if (o.beforeSeq !== undefined) q = q.where('seq', '<', o.beforeSeq);
    return (await q.orderBy('seq', 'desc').limit(o.first).execute()).map(toComment);
  },
  /** Visible comments of a policy (or of one node, or on the whole draft), from the counters kept by the projector. */
  async count(db: ReadDb, o: Omit<CommentPageOptions, 'first' | 'beforeSeq'>): Promise<number> {
    const scope = o.nodeId ? nodeScope(o.nodeId) : o.wholeDraftOnly ? 'whole' : '';
    const counted = await db
      .withTables<CountsDb>()
      .selectFrom('comment_counts')
      .select('visible')
      .where('policy_id', '=', o.policyId)
      .where('scope', '=', scope)
      .executeTakeFirst();
    // No counter row means no comment was ever counted there.
    return counted ? Number(counted.visible) : 0;
  },
  /** Comments of a policy no longer public, by status and hide reason: how many, never which. */
  async removedCounts(
    db: ReadDb,
    policyId: string,
  ): Promise<{ status: string; reasonCode: string | null; count: number }[]> {
    const rows = await db
      .selectFrom('comments')
      .select(['status', 'hidden_reason_code', (eb) => eb.fn.countAll<number>().as('n')])
      .where('policy_id', '=', policyId)
      .where('status', '!=', 'visible')
      .groupBy(['status', 'hidden_reason_code'])
      .orderBy('status')
      .orderBy('hidden_reason_code')
      .execute();
    return rows.map((r) => ({ status: r.status, reasonCode: r.hidden_reason_code, count: Number(r.n) }));
  },
  /** The same count by scanning the comments: what the counters must always equal. */
  async countByScan(db: ReadDb, o: Omit<CommentPageOptions, 'first' | 'beforeSeq'>): Promise<number> {
    let q = db
      .selectFrom('comments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('policy_id', '=', o.policyId)
      .where('status', '=', 'visible');
    if (o.nodeId) q = q.where('anchor_node_id', '=', o.nodeId);
    else if (o.wholeDraftOnly) q = q.where('anchor_node_id', 'is', null);
    return Number((await q.executeTakeFirstOrThrow()).n);
  },
  async byAuthor(db: ReadDb, accountId: string, first: number, beforeSeq?: number): Promise<CommentRow[]> {
    let q = db.selectFrom('comments').selectAll().where('author_account_id', '=', accountId);
    if (beforeSeq !== undefined) q = q.where('seq', '<', beforeSeq);
    return (await q.orderBy('seq', 'desc').limit(first).execute()).map(toComment);
  },
  async revisions(db: ReadDb, commentIds: readonly string[]) {
    if (commentIds.length === 0) return [];
    return db
      .selectFrom('comment_revisions')
      .selectAll()
      .where('comment_id', 'in', [...commentIds])
      .orderBy('revision')
      .execute();
  },
  async replies(db: ReadDb, parentIds: readonly string[]): Promise<CommentRow[]> {
    if (parentIds.length === 0) return [];
    return (
      await db
        .selectFrom('comments')
        .selectAll()
        .where('parent_id', 'in', [...parentIds])
        .where('status', '=', 'visible')
        .orderBy('seq', 'asc')
        .execute()
    ).map(toComment);
  },
  async officialReplies(db: ReadDb, commentIds: readonly string[]) {
    if (commentIds.length === 0) return [];
    return db
      .selectFrom('official_replies')
      .selectAll()
      .where('comment_id', 'in', [...commentIds])
      .orderBy('seq')
      .execute();
  },
  async endorsedBy(db: ReadDb, accountId: string, commentIds: readonly string[]): Promise<Set<string>> {
    if (commentIds.length === 0) return new Set();
    const rows = await db
      .selectFrom('comment_endorsements')
      .select('comment_id')
      .where('account_id', '=', accountId)
      .where('comment_id', 'in', [...commentIds])
      .execute();
    return new Set(rows.map((r) => r.comment_id));
  },
  /** The moderator queue: open flags, oldest first, with their comments. */
  async openFlags(db: ReadDb, policyIds: readonly string[] | 'all', first: number) {
    let q = db.selectFrom('comment_flags').selectAll().where('status', '=', 'open');
    if (policyIds !== 'all') q = q.where('policy_id', 'in', policyIds.length ? [...policyIds] : ['']);
    return q.orderBy('at').limit(first).execute();
  },
  async byIds(db: ReadDb, ids: readonly string[]): Promise<CommentRow[]> {
    if (ids.length === 0) return [];
    return (
      await db
        .selectFrom('comments')
        .selectAll()
        .where('id', 'in', [...ids])
        .execute()
    ).map(toComment);
  },
};
