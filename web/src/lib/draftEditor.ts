// The working tree of the draft editor. It travels with every form post (one set of fields per node, in
// document order), so each add / move / delete is a plain form action that works without JavaScript:
// the action rebuilds the tree from the posted fields, applies the operation and renders the new tree.
import { CHILD_KINDS, NODE_KINDS, autoNumbers, type DraftNode, type NodeKind } from './draft';

export interface EditNode {
  /** Stable key within the editor: the node id for nodes of a published version, `new-…` for new ones. */
  key: string;
  /** The id of the node in the previous version ('' for a new node): kept so comments stay anchored. */
  id: string;
  kind: NodeKind;
  /** '' means "number automatically". */
  number: string;
  heading: string;
  text: string;
  children: EditNode[];
}

export const MAX_NODES = 1000;

/** Field names posted once per node, in document order (pre-order). */
export const NODE_FIELDS = {
  key: 'node_key',
  id: 'node_id',
  parent: 'node_parent',
  kind: 'node_kind',
  number: 'node_number',
  heading: 'node_heading',
  text: 'node_text',
} as const;

export function newKey(): string {
  return `new-${crypto.randomUUID()}`;
}

/** The editor's tree from a published version; numbers equal to the automatic ones become automatic. */
export function fromDraft(nodes: DraftNode[]): EditNode[] {
  const convert = (list: DraftNode[]): EditNode[] =>
    list.map((n) => ({
      key: n.id,
      id: n.id,
      kind: n.kind,
      number: n.number,
      heading: n.heading,
      text: n.text,
      children: convert(n.children),
    }));
  const tree = convert(nodes);
  const auto = autoNumbers(tree);
  for (const [node, number] of auto) if (node.number.trim() === number) node.number = '';
  return tree;
}

export class TreeFormError extends Error {
  override name = 'TreeFormError';
}

/** Rebuilds the tree from the posted per-node fields. Throws TreeFormError when they do not fit together. */
export function parseTree(form: FormData): EditNode[] {
  const column = (name: string) => form.getAll(name).map((v) => (typeof v === 'string' ? v : ''));
  const keys = column(NODE_FIELDS.key);
  const ids = column(NODE_FIELDS.id);
  const parents = column(NODE_FIELDS.parent);
  const kinds = column(NODE_FIELDS.kind);
  const numbers = column(NODE_FIELDS.number);
  const headings = column(NODE_FIELDS.heading);
  const texts = column(NODE_FIELDS.text);
  const count = keys.length;
  if (count > MAX_NODES) throw new TreeFormError('too many nodes');
  for (const list of [ids, parents, kinds, numbers, headings, texts]) {
    if (list.length !== count) throw new TreeFormError('node fields do not line up');
  }
  const roots: EditNode[] = [];
  const byKey = new Map<string, EditNode>();
  for (let i = 0; i < count; i++) {
    const key = keys[i]!.trim();
    const kind = kinds[i] as NodeKind;
    if (!key || byKey.has(key)) throw new TreeFormError('missing or repeated node key');
    if (!NODE_KINDS.includes(kind)) throw new TreeFormError('unknown node kind');
    const node: EditNode = {
      key,
      id: ids[i]!.trim(),
      kind,
      number: numbers[i]!.normalize('NFC').trim(),
      heading: headings[i]!.normalize('NFC').trim(),
      text: texts[i]!.normalize('NFC').replace(/\r\n?/g, '\n').trim(),
      children: [],
    };
    const parentKey = parents[i]!.trim();
    if (parentKey) {
      // Pre-order: a parent always comes before its children.
      const parent = byKey.get(parentKey);
      if (!parent) throw new TreeFormError('parent not found before child');
      parent.children.push(node);
    } else {
      roots.push(node);
    }
    byKey.set(key, node);
  }
  return roots;
}

interface Located {
  node: EditNode;
  siblings: EditNode[];
  index: number;
  parent: EditNode | null;
}

function locate(roots: EditNode[], key: string): Located | null {
  const walk = (list: EditNode[], parent: EditNode | null): Located | null => {
    for (let index = 0; index < list.length; index++) {
      const node = list[index]!;
      if (node.key === key) return { node, siblings: list, index, parent };
      const found = walk(node.children, node);
      if (found) return found;
    }
    return null;
  };
  return walk(roots, null);
}

const NEW_KEY = /^new-[0-9A-Za-z-]{1,80}$/;

/**
 * A node the editor adds. The key may come with the button that asks for it, so the page that answers can
 * already point at the new node (`formaction="?/edit#ed-<key>"` scrolls there without JavaScript).
 */
function blank(tree: EditNode[], kind: NodeKind, proposedKey: string): EditNode {
  const key = NEW_KEY.test(proposedKey) && !locate(tree, proposedKey) ? proposedKey : newKey();
  return { key, id: '', kind, number: '', heading: '', text: '', children: [] };
}

/** FNV-1a, 32 bits: a short stable key for a button, from the page's seed and the operation. */
function shortHash(input: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < input.length; i++) {
    hash ^= input.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

/** The key a new node will get if this button is pressed (same on server and in the browser). */
export function proposedKey(seed: string, op: string): string {
  return `new-${seed}-${shortHash(op)}`;
}

export interface OpResult {
  tree: EditNode[];
  /** The node to bring into view (and focus) after the operation. */
  focus: string | null;
}

/**
 * Applies one editor operation, named by the pressed button's value:
 * `add:<parentKey|ROOT>:<KIND>[:<newKey>]` (append a child), `after:<key>[:<newKey>]` (a sibling of the same
 * kind after it),
 * `up:<key>`, `down:<key>`, `delete:<key>` (with its subtree), `renumber` (every number automatic again),
 * `refresh` (nothing: just recompute the automatic numbers).
 */
export function applyOp(tree: EditNode[], op: string): OpResult {
  const [verb = '', target = '', extra = '', last = ''] = op.split(':');
  switch (verb) {
    case 'refresh':
      return { tree, focus: null };
    case 'renumber': {
      const clear = (list: EditNode[]) => {
        for (const n of list) {
          n.number = '';
          clear(n.children);
        }
      };
      clear(tree);
      return { tree, focus: null };
    }
    case 'add': {
      const kind = extra as NodeKind;
      if (target === 'ROOT') {
        if (!CHILD_KINDS.ROOT.includes(kind)) return { tree, focus: null };
        const node = blank(tree, kind, last);
        tree.push(node);
        return { tree, focus: node.key };
      }
      const found = locate(tree, target);
      if (!found || !CHILD_KINDS[found.node.kind].includes(kind)) return { tree, focus: null };
      const node = blank(tree, kind, last);
      found.node.children.push(node);
      return { tree, focus: node.key };
    }
    case 'after': {
      const found = locate(tree, target);
      if (!found) return { tree, focus: null };
      const node = blank(tree, found.node.kind, extra);
      found.siblings.splice(found.index + 1, 0, node);
      return { tree, focus: node.key };
    }
    case 'up':
    case 'down': {
      const found = locate(tree, target);
      if (!found) return { tree, focus: null };
      const to = verb === 'up' ? found.index - 1 : found.index + 1;
      if (to < 0 || to >= found.siblings.length) return { tree, focus: found.node.key };
      found.siblings.splice(found.index, 1);
      found.siblings.splice(to, 0, found.node);
      return { tree, focus: found.node.key };
    }
    case 'delete': {
      const found = locate(tree, target);
      if (!found) return { tree, focus: null };
      found.siblings.splice(found.index, 1);
      const next = found.siblings[found.index] ?? found.siblings[found.index - 1] ?? found.parent;
      return { tree, focus: next?.key ?? null };
    }
    default:
      return { tree, focus: null };
  }
}

/** The numbers shown and published: the typed one, or the automatic one when none was typed. */
export function effectiveNumbers(tree: EditNode[]): Map<string, { number: string; auto: string }> {
  const auto = autoNumbers(tree);
  const out = new Map<string, { number: string; auto: string }>();
  for (const [node, number] of auto) out.set(node.key, { number: node.number || number, auto: number });
  return out;
}

export interface DraftNodeInput {
  id?: string;
  kind: NodeKind;
  number: string;
  heading: string;
  text: string;
  children: DraftNodeInput[];
}

/** The tree as the API's DraftNodeInput: ids kept for existing nodes, omitted for new ones. */
export function toInput(tree: EditNode[]): DraftNodeInput[] {
  const numbers = effectiveNumbers(tree);
  const convert = (list: EditNode[]): DraftNodeInput[] =>
    list.map((n) => ({
      ...(n.id ? { id: n.id } : {}),
      kind: n.kind,
      number: numbers.get(n.key)?.number ?? n.number,
      heading: n.heading,
      text: n.text,
      children: convert(n.children),
    }));
  return convert(tree);
}

export function countNodes(tree: EditNode[]): number {
  return tree.reduce((sum, n) => sum + 1 + countNodes(n.children), 0);
}

/**
 * Where an API validation error about a node points, e.g. `nodes.1.children.0.heading` or
 * `input.nodes[1].children[0].text`: the node's key and the field, or null.
 */
export function nodeErrorTarget(tree: EditNode[], apiField: string | undefined): { key: string; field: string } | null {
  if (!apiField) return null;
  const match = /nodes((?:[.[]\d+]?(?:\.children)?)+)\.?(\w+)?$/.exec(apiField.replace(/^input\./, ''));
  if (!match) return null;
  const indexes = [...match[1]!.matchAll(/\d+/g)].map((m) => Number(m[0]));
  let list = tree;
  let node: EditNode | undefined;
  for (const index of indexes) {
    node = list[index];
    if (!node) return null;
    list = node.children;
  }
  return node ? { key: node.key, field: match[2] ?? 'text' } : null;
}

export function flattenEdit(tree: EditNode[]): EditNode[] {
  return tree.flatMap((n) => [n, ...flattenEdit(n.children)]);
}
