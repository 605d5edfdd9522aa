import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { attachmentQueries, policyQueries, type AttachmentRow } from '@gopy/application/readModels/index';
import { NotFoundError, ValidationError } from '@gopy/domain/errors';
import { forbidden } from '@gopy/domain/rules';
import { STAFF_ROLES } from '@gopy/domain/shared';
import type { AttachmentRef } from '@gopy/schemas';
import { builder } from '../builder';
import { hasRoleAnywhere, rolesIn, type GraphQLContext } from '../context';
import { ATTACHMENT_MEDIA_TYPES, blobStoreOf } from '../../attachments/blobs';
import { Comment } from './comment';
import { Policy } from './policy';
import { principalOf } from '../../principal';
import { notSignedIn } from '../errors';

export const AttachmentInput = builder.inputType('AttachmentInput', {
  description: 'A file uploaded to POST /attachments, referenced by the SHA-256 it answered.',
  fields: (t) => ({
    sha256: t.string({ required: true, validate: z.string().regex(/^[0-9a-f]{64}$/) }),
    fileName: t.string({ required: true, validate: z.string().min(1).max(300) }),
    mediaType: t.string({ required: true, validate: z.string().min(1).max(200) }),
  }),
});

/**
 * The references an event of `organizationId` records for uploaded files. Only staff and admins of that organisation
 * cite files (the deciders' own rule, checked here first so that nobody else learns anything from the answer), and
 * only files uploaded for that organisation: a file uploaded elsewhere, or never, is the same VALIDATION error, so a
 * known SHA-256 neither fetches another organisation's scan nor tells that it exists.
 */
export async function attachmentRefs(
  ctx: GraphQLContext,
  inputs: readonly { sha256: string; fileName: string; mediaType: string }[],
  kind: AttachmentRef['kind'],
  organizationId: string,
): Promise<AttachmentRef[]> {
  if (inputs.length === 0) return [];
  if (!ctx.viewer) throw notSignedIn();
  if (!rolesIn(ctx.viewer, organizationId).some((r) => STAFF_ROLES.includes(r))) throw forbidden('STAFF_ONLY');
  if (inputs.length > 20) {
    throw new ValidationError('attachments', {
      vi: 'Đính kèm tối đa 20 tệp.',
      en: 'At most 20 files may be attached.',
    });
  }
  const blobs = blobStoreOf(ctx.runtime);
  const refs: AttachmentRef[] = [];
  for (const [i, input] of inputs.entries()) {
    const mediaType = input.mediaType.trim().toLowerCase();
    if (!ATTACHMENT_MEDIA_TYPES.has(mediaType)) {
      throw new ValidationError(`attachments[${i}].mediaType`, {
        vi: 'Loại tệp này không được đính kèm.',
        en: 'This kind of file cannot be attached.',
      });
    }
    const bytes = (await blobs.ownedBy(input.sha256, organizationId)) ? await blobs.get(input.sha256) : undefined;
    if (!bytes) {
      throw new ValidationError(`attachments[${i}].sha256`, {
        vi: 'Không tìm thấy tệp đính kèm: hãy tải tệp lên trước.',
        en: 'No such attachment: upload the file first.',
      });
    }
    refs.push({
      attachmentId: randomUUID(),
      sha256: input.sha256,
      mediaType,
      size: bytes.length,
      fileName: input.fileName.normalize('NFC').trim(),
      kind,
    });
  }
  return refs;
}

const Attachment = builder.objectRef<AttachmentRow>('Attachment').implement({
  description: 'A file kept encrypted outside the log; the event that attached it records its SHA-256.',
  fields: (t) => ({
    id: t.exposeID('attachmentId'),
    kind: t.exposeString('kind', { description: 'scan | memorandum | annex | other' }),
    fileName: t.exposeString('fileName'),
    mediaType: t.exposeString('mediaType'),
    size: t.exposeInt('size'),
    sha256: t.exposeString('sha256'),
    url: t.string({
      description: 'Where to download it (GET, with the session).',
      resolve: (a) => `/attachments/${a.attachmentId}`,
    }),
  }),
});

builder.objectField(Comment, 'attachments', (t) =>
  t.field({
    type: [Attachment],
    description:
      "Scans that came with offline feedback: for the owning organisation's staff, moderators and admins, and auditors; empty for anyone else.",
    resolve: async (c, _a, ctx) => {
      if (!ctx.viewer) return [];
      const [policy] = await policyQueries.byIds(ctx.runtime.readDb, [c.policyId]);
      const roles = rolesIn(ctx.viewer, policy?.organizationId ?? null);
      const allowed =
        roles.some((r) => r === 'staff' || r === 'moderator' || r === 'admin') ||
        hasRoleAnywhere(ctx.viewer, 'auditor');
      if (!allowed) return [];
      return (await attachmentQueries.ofComments(ctx.runtime.readDb, [c.id])).get(c.id) ?? [];
    },
  }),
);

/* ------------------------------------------------------------------ version documents (tờ trình and others) */

builder.objectFields(Attachment, (t) => ({
  version: t.int({
    nullable: true,
    description: 'The version a document accompanies; null for a scan.',
    resolve: (a) => a.version,
  }),
  title: t.string({
    nullable: true,
    description: "A version document's title; null for a scan.",
    resolve: (a) => a.title,
  }),
}));

const VersionDocumentKindEnum = builder.enumType('VersionDocumentKind', {
  values: {
    TO_TRINH: { value: 'to_trinh', description: 'The explanatory memorandum (tờ trình).' },
    OTHER: { value: 'other' },
  } as const,
});

builder.objectField(Policy, 'documents', (t) =>
  t.field({
    type: [Attachment],
    description: 'Documents that accompany its versions (tờ trình and others), public like the versions themselves.',
    resolve: (p, _a, ctx) => attachmentQueries.ofPolicyVersions(ctx.runtime.readDb, p.id),
  }),
);

const VersionDocumentPayload = builder
  .objectRef<{ position: string; policyId: string; documentId: string }>('VersionDocumentPayload')
  .implement({
    fields: (t) => ({
      position: t.exposeString('position'),
      document: t.field({
        type: Attachment,
        nullable: true,
        resolve: async (p, _a, ctx) => (await attachmentQueries.byId(ctx.runtime.readDb, p.documentId)) ?? null,
      }),
    }),
  });

builder.mutationField('attachVersionDocument', (t) =>
  t.field({
    type: VersionDocumentPayload,
    errors: {},
    authScopes: { signedIn: true },
    description:
      'Staff attach the explanatory memorandum (tờ trình) or another document, uploaded first to POST /attachments, to a published version.',
    args: {
      policyId: t.arg.id({ required: true }),
      version: t.arg.int({ required: true }),
      kind: t.arg({ type: VersionDocumentKindEnum, required: true }),
      title: t.arg.string({ required: true, validate: z.string().max(300) }),
      file: t.arg({ type: AttachmentInput, required: true }),
    },
    resolve: async (_r, a, ctx) => {
      const policyId = String(a.policyId);
      const [policy] = z.uuid().safeParse(policyId).success
        ? await policyQueries.byIds(ctx.runtime.readDb, [policyId])
        : [];
      if (!policy)
        throw new NotFoundError('policy', policyId, { vi: 'Không tìm thấy dự thảo.', en: 'Policy not found.' });
      const [ref] = await attachmentRefs(ctx, [a.file], 'other', policy.organizationId);
      const documentId = randomUUID();
      const result = await ctx.runtime.commands.policy(
        {
          type: 'AttachVersionDocument',
          policyId,
          version: a.version,
          documentId,
          kind: a.kind,
          title: a.title,
          file: { fileName: ref!.fileName, mediaType: ref!.mediaType, sha256: ref!.sha256, size: ref!.size },
        },
        principalOf(ctx),
      );
      if (result.position) await ctx.runtime.consistency.waitFor(result.position);
      return { position: result.position ?? '', policyId, documentId };
    },
  }),
);
