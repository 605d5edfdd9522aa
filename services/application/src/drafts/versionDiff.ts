import type { DraftNode } from '@gopy/schemas';

export type NodeChange = 'added' | 'removed' | 'moved' | 'reworded' | 'renumbered' | 'unchanged';

export interface NodeSnapshot {
  nodeId: string;
  kind: DraftNode['kind'];
  number: string;
  heading: string;
  text: string;
  parentId: string | null;
  /** Index among its siblings. */
  index: number;
}

export interface NodeDiff {
  nodeId: string;
  /** Every way the node changed; `moved` and `reworded` can come together. */
  changes: NodeChange[];
  before: NodeSnapshot | null;
  after: NodeSnapshot | null;
}

/** Flattens a tree into snapshots keyed by the node's stable id, remembering where each node sat. */
export function flatten(
  nodes: DraftNode[],
  parentId: string | null = null,
  out = new Map<string, NodeSnapshot>(),
): Map<string, NodeSnapshot> {
  nodes.forEach((n, index) => {
    out.set(n.nodeId, {
      nodeId: n.nodeId,
      kind: n.kind,
      number: n.number,
      heading: n.heading,
      text: n.text,
      parentId,
      index,
    });
    flatten(n.children, n.nodeId, out);
  });
  return out;
}

/**
 * Node-by-node difference between two versions. Nodes are matched by their stable id, so renumbering is not a change
 * of content: a node whose number changed is `renumbered`; one under another parent, or in another place among the
 * same siblings relative to the nodes kept from before, is `moved`; one whose heading or text changed is `reworded`.
 * Order: the nodes of the newer version in reading order, then the removed ones in their old order.
 */
export function diffVersions(before: DraftNode[], after: DraftNode[]): NodeDiff[] {
  const a = flatten(before);
  const b = flatten(after);
  const keptOrder = (snapshots: Map<string, NodeSnapshot>, parentId: string | null, keep: (id: string) => boolean) =>
    [...snapshots.values()]
      .filter((s) => s.parentId === parentId && keep(s.nodeId))
      .sort((x, y) => x.index - y.index)
      .map((s) => s.nodeId);
  const out: NodeDiff[] = [];
  for (const [id, now] of b) {
    const then = a.get(id);
    if (!then) {
      out.push({ nodeId: id, changes: ['added'], before: null, after: now });
      continue;
    }
    const changes: NodeChange[] = [];
    let moved = then.parentId !== now.parentId;
    if (!moved) {
      // Same parent: moved if its rank among the siblings present in both versions changed.
      const inBoth = (x: string) => a.has(x) && b.has(x) && a.get(x)!.parentId === b.get(x)!.parentId;
      const rankThen = keptOrder(a, then.parentId, inBoth).indexOf(id);
      const rankNow = keptOrder(b, now.parentId, inBoth).indexOf(id);
      moved = rankThen !== rankNow;
    }
    if (moved) changes.push('moved');
    if (then.text !== now.text || then.heading !== now.heading) changes.push('reworded');
    if (then.number !== now.number) changes.push('renumbered');
    out.push({ nodeId: id, changes: changes.length ? changes : ['unchanged'], before: then, after: now });
  }
  for (const [id, then] of a) if (!b.has(id)) out.push({ nodeId: id, changes: ['removed'], before: then, after: null });
  return out;
}
