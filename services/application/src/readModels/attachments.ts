import type { DomainEvent } from '@gopy/schemas';
import type { ReadDb, ReadTx } from './database';
import type { ProjectionContext, ReadModel } from './projection';

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
  /** A version document's title ("Tờ trình số 12/TTr-PGDĐT"); null for scans. */
  title: string | null;
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
  title: string | null;
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
    title: r.title,
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
      .addColumn('title', 'text')
      .addColumn('seq', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('attachments_comment')
      .ifNotExists()
      .on('attachments')
      .columns(['comment_id', 'seq'])
      .execute();
    await db.schema
      .createIndex('attachments_version')
      .ifNotExists()
      .on('attachments')
      .columns(['policy_id', 'version', 'seq'])
      .execute();
  },
  async evolve(tx: ReadTx, event: DomainEvent, ctx: ProjectionContext) {
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
              title: null,
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
              title: null,
              seq: i,
            })
            .onConflict((oc) => oc.column('attachment_id').doNothing())
            .execute();
        }
        return;
      }
      case 'VersionDocumentAttached': {
        const d = event.data;
        await t
          .insertInto('attachments')
          .values({
            attachment_id: d.documentId,
            policy_id: d.policyId,
            comment_id: null,
            version: d.version,
            kind: d.kind,
            sha256: d.sha256,
            media_type: d.mediaType,
            size: d.size,
            file_name: d.fileName,
            title: d.title,
            // After the files published with the version (seq 0…), in the order they were attached.
            seq: ctx.seq,
          })
          .onConflict((oc) => oc.column('attachment_id').doNothing())
          .execute();
        return;
      }
      case 'CommentRedacted':
        await t
          .updateTable('attachments')
          .set({ file_name: '' })
          .where('comment_id', '=', event.data.commentId)
          .execute();
        return;
      default:
        return;
    }
  },
};

export const attachmentQueries = {
  async byId(db: ReadDb, attachmentId: string): Promise<AttachmentRow | undefined> {
    const row = await db
      .withTables<Db>()
      .selectFrom('attachments')
      .selectAll()
      .where('attachment_id', '=', attachmentId)
      .executeTakeFirst();
    return row ? toRow(row) : undefined;
  },
  async ofComments(db: ReadDb, commentIds: readonly string[]): Promise<Map<string, AttachmentRow[]>> {
    const out = new Map<string, AttachmentRow[]>();
    if (commentIds.length === 0) return out;
    const rows = await db
      .withTables<Db>()
      .selectFrom('attachments')
      .selectAll()
      .where('comment_id', 'in', [...commentIds])
      .orderBy('seq')
      .execute();
    for (const r of rows) {
      const list = out.get(r.comment_id!) ?? [];
      list.push(toRow(r));
      out.set(r.comment_id!, list);
    }
    return out;
  },
  /** Every version document of a policy, by version then in the order attached. */
  async ofPolicyVersions(db: ReadDb, policyId: string): Promise<AttachmentRow[]> {
    const rows = await db
      .withTables<Db>()
      .selectFrom('attachments')
      .selectAll()
      .where('policy_id', '=', policyId)
      .where('version', 'is not', null)
      .orderBy('version')
      .orderBy('seq')
      .execute();
    return rows.map(toRow);
  },
};
