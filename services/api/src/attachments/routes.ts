import express, { type Request } from 'express';
import { attachmentQueries, policyQueries } from '@gopy/application/readModels/index';
import { hasRoleAnywhere, type Viewer } from '../graphql/context';
import type { Role } from '@gopy/schemas';
import { COMMENT_FILE_READER_ROLES, mayReadCommentFile, uploadOrganizations } from '../access';
import type { Runtime } from '@gopy/composition/runtime';
import { recordSensitiveRead } from '@gopy/application/audit/readLog';
import { ATTACHMENT_MEDIA_TYPES, MAX_ATTACHMENT_BYTES, blobStoreOf } from './blobs';
import { isUuid } from '@gopy/application/ids';

function refuse(res: express.Response, status: number, code: string, vi: string, en: string) {
  res.status(status).json({ error: { code, messageVi: vi, messageEn: en, message: `${vi} / ${en}` } });
}

/** The file name a browser saves, safe in the header whatever the original name holds. */
function contentDisposition(fileName: string): string {
  const fallback =
    fileName
      .normalize('NFD')
      .replace(/[^\x20-\x7e]/g, '')
      .replace(/["\\]/g, '_')
      .trim() || 'tep-dinh-kem';
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(fileName || fallback)}`;
}

/**
 * POST /attachments: staff upload a file (the request body, its media type in Content-Type); it is stored encrypted
 * for the organisations they are staff or admin of, and its SHA-256 answered, to be referenced there by
 * recordOfflineFeedback or attachVersionDocument.
 * GET /attachments/:id: a version's documents for anyone; a scanned letter only for the owning organisation's staff,
 * moderators and admins, and for auditors. Anyone else is answered exactly as for an id that does not exist, so the
 * answer never tells that a scan exists.
 */
export function attachmentRoutes(runtime: Runtime, viewerOf: (req: Request) => Promise<Viewer | null>): express.Router {
  const router = express.Router();
  const blobs = blobStoreOf(runtime);

  router.post(
    '/attachments',
    express.raw({ type: () => true, limit: MAX_ATTACHMENT_BYTES }),
    async (req, res, next) => {
      try {
        // A cross-site form could post a file with the session cookie; a header it cannot send proves it is not one.
        if (req.headers.cookie && !req.headers.authorization && !req.headers['x-gopy-csrf']) {
          return refuse(res, 403, 'FORBIDDEN', 'Yêu cầu không hợp lệ.', 'Invalid request.');
        }
        const viewer = await viewerOf(req);
        if (!viewer) return refuse(res, 401, 'UNAUTHENTICATED', 'Vui lòng đăng nhập.', 'Please sign in.');
        if (uploadOrganizations(viewer).length === 0) {
          return refuse(
            res,
            403,
            'FORBIDDEN',
            'Chỉ cán bộ soạn thảo được đính kèm tệp.',
            'Only staff may attach files.',
          );
        }
        const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (!ATTACHMENT_MEDIA_TYPES.has(mediaType)) {
          return refuse(
            res,
            400,
            'VALIDATION',
            'Loại tệp này không được đính kèm (PDF, ảnh, Word hoặc văn bản).',
            'This kind of file cannot be attached (PDF, image, Word or text).',
          );
        }
        const body = req.body as unknown;
        if (!Buffer.isBuffer(body) || body.length === 0)
          return refuse(res, 400, 'VALIDATION', 'Tệp trống.', 'The file is empty.');
        const { sha256, size } = await blobs.put(body, uploadOrganizations(viewer));
        res.status(201).json({ sha256, size, mediaType });
      } catch (error) {
        if ((error as { type?: string }).type === 'entity.too.large') {
          return refuse(
            res,
            413,
            'PAYLOAD_TOO_LARGE',
            'Tệp quá lớn (tối đa 20 MB).',
            'The file is too large (at most 20 MB).',
          );
        }
        next(error);
      }
    },
  );

  router.get('/attachments/:attachmentId', async (req, res, next) => {
    try {
      const id = req.params.attachmentId;
      const notFound = () => refuse(res, 404, 'NOT_FOUND', 'Không tìm thấy tệp.', 'File not found.');
      const row = isUuid(id) ? await attachmentQueries.byId(runtime.readDb, id) : undefined;
      if (!row) return notFound();
      let reader: { accountId: string; role: Role } | undefined;
      if (row.commentId) {
        const [policy] = await policyQueries.byIds(runtime.readDb, [row.policyId]);
        const viewer = await viewerOf(req);
        if (!viewer || !mayReadCommentFile(viewer, policy?.organizationId)) return notFound();
        // The role the read is recorded under: auditor anywhere, else the reader's role in the owning organisation.
        const role: Role = hasRoleAnywhere(viewer, 'auditor')
          ? 'auditor'
          : (viewer.memberships.get(policy?.organizationId ?? '') ?? []).find((r) =>
              COMMENT_FILE_READER_ROLES.includes(r),
            )!;
        reader = { accountId: viewer.accountId, role };
      }
      const bytes = await blobs.get(row.sha256);
      if (!bytes) return refuse(res, 404, 'NOT_FOUND', 'Tệp không còn đọc được.', 'The file can no longer be read.');
      if (reader) {
        // A scanned letter carries its writer's name and address: recorded before it is sent.
        await recordSensitiveRead(runtime.writePath, runtime.clock.now(), {
          readerAccountId: reader.accountId,
          readerRole: reader.role,
          subjectKind: 'attachment',
          subjectId: row.attachmentId,
          field: 'export:attachment',
        });
      }
      res.setHeader('Content-Type', row.mediaType);
      res.setHeader('Content-Disposition', contentDisposition(row.fileName));
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Cache-Control', row.commentId ? 'private, no-store' : 'public, max-age=3600');
      res.send(bytes);
    } catch (error) {
      next(error);
    }
  });
  return router;
}
