import { diffVersions, flatten, type NodeDiff, type NodeSnapshot } from '@gopy/application/drafts/versionDiff';
import { policyQueries } from '@gopy/application/readModels/index';
import { NotFoundError } from '@gopy/domain/errors';
import { builder } from '../builder';
import { Comment } from './comment';
import { NodeKindEnum } from './enums';
import { Policy } from './policy';

const NodeChangeEnum = builder.enumType('NodeChange', {
  values: { ADDED: { value: 'added' }, REMOVED: { value: 'removed' }, MOVED: { value: 'moved' }, REWORDED: { value: 'reworded' }, RENUMBERED: { value: 'renumbered' }, UNCHANGED: { value: 'unchanged' } } as const,
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

const NodeDiffRef = builder.objectRef<NodeDiff>('NodeDiff').implement({
  fields: (t) => ({
    nodeId: t.exposeID('nodeId'),
    changes: t.field({ type: [NodeChangeEnum], resolve: (d) => d.changes }),
    before: t.field({ type: NodeSnapshotRef, nullable: true, resolve: (d) => d.before }),
    after: t.field({ type: NodeSnapshotRef, nullable: true, resolve: (d) => d.after }),
  }),
});

builder.objectField(Policy, 'diff', (t) =>
  t.field({
    type: [NodeDiffRef],
    description: 'Node by node, what changed from one version to another (added, removed, moved, reworded, renumbered).',
    args: { from: t.arg.int({ required: true }), to: t.arg.int({ required: true }) },
    resolve: async (p, { from, to }, ctx) => {
      const versions = await policyQueries.versions(ctx.runtime.readDb, [p.id]);
      const a = versions.find((v) => v.number === from);
      const b = versions.find((v) => v.number === to);
      if (!a || !b) throw new NotFoundError('version', String(a ? to : from), { vi: 'Không có phiên bản này.', en: 'No such version.' });
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
      const version = (await policyQueries.versions(ctx.runtime.readDb, [c.policyId])).find((v) => v.number === c.version);
      return version ? (flatten(version.nodes).get(c.anchorNodeId)?.text ?? null) : null;
    },
  }),
  anchorChangesSince: t.field({
    type: [NodeChangeEnum],
    description: "How the commented node changed from the comment's version to the latest one (empty for the whole draft).",
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
