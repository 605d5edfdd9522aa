import type { DomainEvent, DraftNode } from '@gopy/schemas';
import type { CommentsTable, ReadDb, ReadTx } from './database';
import type { ProjectionContext, ReadModel } from './projection';

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

export const commentsReadModel: ReadModel = {
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
      .execute();
    // Keyset paging: newest first per policy, per node, per author.
    await db.schema.createIndex('comments_policy_seq').ifNotExists().on('comments').columns(['policy_id', 'status', 'seq']).execute();
    await db.schema
      .createIndex('comments_policy_node_seq')
      .ifNotExists()
      .on('comments')
      .columns(['policy_id', 'anchor_node_id', 'status', 'seq'])
      .execute();
    await db.schema.createIndex('comments_author_seq').ifNotExists().on('comments').columns(['author_account_id', 'seq']).execute();
  },
  async evolve(tx: ReadTx, event: DomainEvent, ctx: ProjectionContext) {
    switch (event.type) {
      case 'CommentSubmitted': {
        const d = event.data;
        let anchorLabel: string | null = null;
        if (d.anchorNodeId) {
          const version = await tx
            .selectFrom('policy_versions')
            .select('nodes')
            .where('policy_id', '=', d.policyId)
            .where('number', '=', d.version)
            .executeTakeFirst();
          const node = version ? findNode(JSON.parse(version.nodes) as DraftNode[], d.anchorNodeId) : undefined;
          anchorLabel = node ? nodeLabel(node) : null;
        }
        let authorName = d.pseudonym ?? '';
        if (!authorName && d.authorAccountId) {
          const account = await tx.selectFrom('accounts').select(['display_name', 'pseudonym']).where('id', '=', d.authorAccountId).executeTakeFirst();
          authorName = account?.pseudonym ?? account?.display_name ?? '';
        }
        await tx
          .insertInto('comments')
          .values({
            id: d.commentId,
            policy_id: d.policyId,
            round: d.round,
            version: d.version,
            anchor_node_id: d.anchorNodeId,
            anchor_label: anchorLabel,
            parent_id: d.parentCommentId,
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
          })
          .execute();
        return;
      }
      case 'CommentEdited':
        await tx
          .updateTable('comments')
          .set({ body: event.data.body, stance: event.data.stance, edited: 1 })
          .where('id', '=', event.data.commentId)
          .execute();
        return;
      case 'CommentWithdrawn':
        await setStatus(tx, event.data.commentId, 'withdrawn');
        return;
      case 'CommentHidden':
        await setStatus(tx, event.data.commentId, 'hidden');
        return;
      case 'CommentRestored':
        await setStatus(tx, event.data.commentId, 'visible');
        return;
      case 'CommentRedacted':
        await tx.updateTable('comments').set({ status: 'redacted', body: null }).where('id', '=', event.data.commentId).execute();
        return;
      default:
        return;
    }
  },
};

async function setStatus(tx: ReadTx, id: string, status: string) {
  await tx.updateTable('comments').set({ status }).where('id', '=', id).execute();
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
}

function toComment(r: CommentsTable): CommentRow {
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
  async count(db: ReadDb, o: Omit<CommentPageOptions, 'first' | 'beforeSeq'>): Promise<number> {
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
  async byIds(db: ReadDb, ids: readonly string[]): Promise<CommentRow[]> {
    if (ids.length === 0) return [];
    return (await db.selectFrom('comments').selectAll().where('id', 'in', [...ids]).execute()).map(toComment);
  },
};
