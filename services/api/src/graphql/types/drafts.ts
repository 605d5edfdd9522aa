import { diffVersions, flatten, type NodeDiff, type NodeSnapshot } from '@gopy/application/drafts/versionDiff';
import { wordDiff, type TextPart } from '@gopy/application/drafts/wordDiff';
import { policyQueries } from '@gopy/application/readModels/index';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '@gopy/domain/errors';
import { importDocx } from '../../drafts/documents';
import { rolesIn } from '../context';
import { forbiddenRole } from '../errors';
import type { DraftNode } from '@gopy/schemas';
import { builder } from '../builder';
import { Comment } from './comment';
import { NodeKindEnum } from './enums';
import { DraftNodeRef, Policy } from './policy';

const NodeChangeEnum = builder.enumType('NodeChange', {
  values: {
    ADDED: { value: 'added' },
    REMOVED: { value: 'removed' },
    MOVED: { value: 'moved' },
    REWORDED: { value: 'reworded' },
    RENUMBERED: { value: 'renumbered' },
    UNCHANGED: { value: 'unchanged' },
  } as const,
});

const NodeSnapshotRef = builder.objectRef<NodeSnapshot>('NodeSnapshot').implement({
  fields: (t) => ({
    id: t.exposeID('nodeId'),
    kind: t.field({ type: NodeKindEnum, resolve: (n) => n.kind }),
    number: t.exposeString('number'),
    heading: t.exposeString('heading'),
    text: t.exposeString('text'),
    parentId: t.exposeID('parentId', { nullable: true }),
  }),
});

const TextChangeEnum = builder.enumType('TextChange', {
  values: { SAME: { value: 'same' }, ADDED: { value: 'added' }, REMOVED: { value: 'removed' } } as const,
});

const TextPartRef = builder.objectRef<TextPart>('TextPart').implement({
  description:
    'A run of words kept, removed or added. The SAME and REMOVED parts join into the old text, SAME and ADDED into the new.',
  fields: (t) => ({
    kind: t.field({ type: TextChangeEnum, resolve: (p) => p.kind }),
    text: t.exposeString('text'),
  }),
});

const NodeDiffRef = builder.objectRef<NodeDiff>('NodeDiff').implement({
  fields: (t) => ({
    nodeId: t.exposeID('nodeId'),
    changes: t.field({ type: [NodeChangeEnum], resolve: (d) => d.changes }),
    before: t.field({ type: NodeSnapshotRef, nullable: true, resolve: (d) => d.before }),
    after: t.field({ type: NodeSnapshotRef, nullable: true, resolve: (d) => d.after }),
    textDiff: t.field({
      type: [TextPartRef],
      description: "The node's text word by word, from the old version to the new (Vietnamese words whole, in NFC).",
      resolve: (d) => wordDiff(d.before?.text ?? '', d.after?.text ?? ''),
    }),
    headingDiff: t.field({
      type: [TextPartRef],
      description: "The node's heading word by word, from the old version to the new.",
      resolve: (d) => wordDiff(d.before?.heading ?? '', d.after?.heading ?? ''),
    }),
  }),
});

builder.objectField(Policy, 'diff', (t) =>
  t.field({
    type: [NodeDiffRef],
    description:
      'Node by node, what changed from one version to another (added, removed, moved, reworded, renumbered).',
    args: { from: t.arg.int({ required: true }), to: t.arg.int({ required: true }) },
    resolve: async (p, { from, to }, ctx) => {
      const versions = await policyQueries.versions(ctx.runtime.readDb, [p.id]);
      const a = versions.find((v) => v.number === from);
      const b = versions.find((v) => v.number === to);
      if (!a || !b)
        throw new NotFoundError('version', String(a ? to : from), {
          vi: 'Không có phiên bản này.',
          en: 'No such version.',
        });
      return diffVersions(a.nodes, b.nodes);
    },
  }),
);

builder.objectFields(Comment, (t) => ({
  anchorText: t.string({
    nullable: true,
    description: 'What the commented node said in the version the comment was written on.',
    resolve: async (c, _a, ctx) => {
      if (!c.anchorNodeId) return null;
      const version = (await policyQueries.versions(ctx.runtime.readDb, [c.policyId])).find(
        (v) => v.number === c.version,
      );
      return version ? (flatten(version.nodes).get(c.anchorNodeId)?.text ?? null) : null;
    },
  }),
  anchorChangesSince: t.field({
    type: [NodeChangeEnum],
    description:
      "How the commented node changed from the comment's version to the latest one (empty for the whole draft).",
    resolve: async (c, _a, ctx) => {
      if (!c.anchorNodeId) return [];
      const versions = await policyQueries.versions(ctx.runtime.readDb, [c.policyId]);
      const then = versions.find((v) => v.number === c.version);
      const latest = versions.at(-1);
      if (!then || !latest || latest.number === then.number) return ['unchanged' as const];
      return diffVersions(then.nodes, latest.nodes).find((d) => d.nodeId === c.anchorNodeId)?.changes ?? [];
    },
  }),
}));

const DraftImportPreview = builder
  .objectRef<{ title: string; nodes: DraftNode[]; warnings: string[] }>('DraftImportPreview')
  .implement({
    description: 'A .docx read into a tree, for staff to review and then publish with publishDraftVersion.',
    fields: (t) => ({
      title: t.exposeString('title'),
      nodes: t.field({ type: [DraftNodeRef], resolve: (p) => p.nodes }),
      warnings: t.exposeStringList('warnings'),
    }),
  });

builder.mutationField('importDraftDocx', (t) =>
  t.field({
    type: DraftImportPreview,
    errors: {},
    authScopes: { signedIn: true },
    description:
      'Reads a .docx (base64) into chapters, articles, clauses and points by their Vietnamese headings. Publishes nothing.',
    args: {
      policyId: t.arg.id({ required: true }),
      fileBase64: t.arg.string({ required: true, validate: z.string().max(14_000_000) }),
    },
    resolve: async (_r, { policyId, fileBase64 }, ctx) => {
      const [policy] = await policyQueries.byIds(ctx.runtime.readDb, [String(policyId)]);
      if (!policy)
        throw new NotFoundError('policy', String(policyId), { vi: 'Không tìm thấy dự thảo.', en: 'Policy not found.' });
      const roles = rolesIn(ctx.viewer, policy.organizationId);
      if (!roles.includes('staff') && !roles.includes('admin')) throw forbiddenRole();
      try {
        return await importDocx(Buffer.from(fileBase64, 'base64'), randomUUID);
      } catch {
        throw new ValidationError('fileBase64', {
          vi: 'Tệp không phải là tài liệu .docx đọc được.',
          en: 'The file is not a readable .docx document.',
        });
      }
    },
  }),
);
