import type { DomainEvent } from '@gopy/schemas';
import type { ReadDb, ReadTx } from './database';
import type { ReadModel } from './projection';

/**
 * Files attached in the log: scans of offline feedback (CommentSubmitted.attachments) and a version's documents
 * (DraftVersionPublished.attachments). The bytes are in the blob store; this table says which comment or version each
 * belongs to, so downloads can be authorised and listed.
 */
export interface AttachmentsTable {
  attachment_id: string;
  policy_id: string;
  /** Set for a comment's attachment (a scanned letter). */
  comment_id: string | null;
  /** Set for a version's document. */
  version: number | null;
  kind: string;
  sha256: string;
  media_type: string;
  size: number;
  /** Empty once the comment it came with was redacted (its name was sealed with the comment's key). */
  file_name: string;
  seq: number;
}

type Db = { attachments: AttachmentsTable };

export interface AttachmentRow {
  attachmentId: string;
  policyId: string;
  commentId: string | null;
  version: number | null;
  kind: string;
  sha256: string;
  mediaType: string;
  size: number;
  fileName: string;
}

function toRow(r: AttachmentsTable): AttachmentRow {
  return {
    attachmentId: r.attachment_id,
    policyId: r.policy_id,
    commentId: r.comment_id,
    version: r.version === null ? null : Number(r.version),
    kind: r.kind,
    sha256: r.sha256,
    mediaType: r.media_type,
    size: Number(r.size),
    fileName: r.file_name,
  };
}

export const attachmentsReadModel: ReadModel = {
  name: 'attachments',
  tables: ['attachments'],
  async createTables(db) {
    await db
      .withTables<Db>()
      .schema.createTable('attachments')
      .ifNotExists()
      .addColumn('attachment_id', 'text', (c) => c.primaryKey())
      .addColumn('policy_id', 'text', (c) => c.notNull())
      .addColumn('comment_id', 'text')
      .addColumn('version', 'integer')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('media_type', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('file_name', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('attachments_comment').ifNotExists().on('attachments').columns(['comment_id', 'seq']).execute();
    await db.schema.createIndex('attachments_version').ifNotExists().on('attachments').columns(['policy_id', 'version', 'seq']).execute();
  },
  async evolve(tx: ReadTx, event: DomainEvent) {
    const t = tx.withTables<Db>();
    switch (event.type) {
      case 'CommentSubmitted': {
        const d = event.data;
        for (const [i, a] of d.attachments.entries()) {
          await t
            .insertInto('attachments')
            .values({
              attachment_id: a.attachmentId,
              policy_id: d.policyId,
              comment_id: d.commentId,
              version: null,
              kind: a.kind,
              sha256: a.sha256,
              media_type: a.mediaType,
              size: a.size,
              // Sealed with the comment's key: after a redaction a rebuild cannot read it.
              file_name: typeof a.fileName === 'string' ? a.fileName : '',
              seq: i,
            })
            .onConflict((oc) => oc.column('attachment_id').doNothing())
            .execute();
        }
        return;
      }
      case 'DraftVersionPublished': {
        const d = event.data;
        for (const [i, a] of d.attachments.entries()) {
          await t
            .insertInto('attachments')
            .values({
              attachment_id: a.attachmentId,
              policy_id: d.policyId,
              comment_id: null,
              version: d.version,
              kind: a.kind,
              sha256: a.sha256,
              media_type: a.mediaType,
              size: a.size,
              file_name: a.fileName,
              seq: i,
            })
            .onConflict((oc) => oc.column('attachment_id').doNothing())
            .execute();
        }
        return;
      }
      case 'CommentRedacted':
        await t.updateTable('attachments').set({ file_name: '' }).where('comment_id', '=', event.data.commentId).execute();
        return;
      default:
        return;
    }
  },
};

export const attachmentQueries = {
  async byId(db: ReadDb, attachmentId: string): Promise<AttachmentRow | undefined> {
    const row = await db.withTables<Db>().selectFrom('attachments').selectAll().where('attachment_id', '=', attachmentId).executeTakeFirst();
    return row ? toRow(row) : undefined;
  },
  async ofComments(db: ReadDb, commentIds: readonly string[]): Promise<Map<string, AttachmentRow[]>> {
    const out = new Map<string, AttachmentRow[]>();
    if (commentIds.length === 0) return out;
    const rows = await db.withTables<Db>().selectFrom('attachments').selectAll().where('comment_id', 'in', [...commentIds]).orderBy('seq').execute();
    for (const r of rows) {
      const list = out.get(r.comment_id!) ?? [];
      list.push(toRow(r));
      out.set(r.comment_id!, list);
    }
    return out;
  },
  async ofVersion(db: ReadDb, policyId: string, version: number): Promise<AttachmentRow[]> {
    const rows = await db
      .withTables<Db>()
      .selectFrom('attachments')
      .selectAll()
      .where('policy_id', '=', policyId)
      .where('version', '=', version)
      .orderBy('seq')
      .execute();
    return rows.map(toRow);
  },
};
