import type { DraftNode, NodeKind } from '@gopy/schemas';

/**
 * Vietnamese legal drafts as plain paragraphs, the way they are typed in a word processor:
 *   Phần thứ nhất / Phần I        → part          Chương I (heading on the same or the next paragraph) → chapter
 *   Mục 1                          → section       Điều 1. Heading → article
 *   1. text   (within an article)  → clause        a) text / đ) text → point
 * Any other paragraph continues the text of the node above it. Numbers are kept as written (display only).
 */
export interface ParsedDraft {
  title: string;
  nodes: DraftNode[];
  warnings: string[];
}

const patterns: { kind: NodeKind; re: RegExp }[] = [
  { kind: 'part', re: /^Phần\s+(thứ\s+[\p{L}]+|[IVXLC]+|\d+)\s*[.:–-]?\s*(.*)$/iu },
  { kind: 'chapter', re: /^Chương\s+([IVXLC]+|\d+)\s*[.:–-]?\s*(.*)$/u },
  { kind: 'section', re: /^Mục\s+(\d+)\s*[.:–-]?\s*(.*)$/u },
  { kind: 'article', re: /^Điều\s+(\d+[a-z]?)\s*[.:]\s*(.*)$/u },
  { kind: 'clause', re: /^(\d+)\.\s+(.*)$/u },
  { kind: 'point', re: /^([a-zđ])\)\s+(.*)$/u },
];

const depth: Record<NodeKind, number> = { part: 0, chapter: 1, section: 2, article: 3, clause: 4, point: 5 };
/** Headings are for the structural levels; clauses and points carry text. */
const hasHeading = (kind: NodeKind) => depth[kind] <= depth.article;

export function parseLegalParagraphs(paragraphs: string[], newId: () => string): ParsedDraft {
  const roots: DraftNode[] = [];
  const stack: DraftNode[] = [];
  const warnings: string[] = [];
  const titleLines: string[] = [];
  let awaitingHeading: DraftNode | null = null;
  for (const raw of paragraphs) {
    const line = raw.normalize('NFC').replace(/\s+/g, ' ').trim();
    if (!line) continue;
    const match = patterns.map((p) => ({ kind: p.kind, m: p.re.exec(line) })).find((x) => x.m);
    // A numbered paragraph is a clause only inside an article, a lettered one a point only inside a clause.
    const fits =
      match &&
      !(match.kind === 'clause' && !stack.some((n) => n.kind === 'article')) &&
      !(match.kind === 'point' && !stack.some((n) => n.kind === 'clause'));
    if (match && fits) {
      const [, number = '', rest = ''] = match.m!;
      const node: DraftNode = {
        nodeId: newId(),
        kind: match.kind,
        number,
        heading: hasHeading(match.kind) ? rest : '',
        text: hasHeading(match.kind) ? '' : rest,
        children: [],
      };
      while (stack.length && depth[stack.at(-1)!.kind] >= depth[node.kind]) stack.pop();
      (stack.length ? stack.at(-1)!.children : roots).push(node);
      stack.push(node);
      awaitingHeading =
        (node.kind === 'part' || node.kind === 'chapter' || node.kind === 'section') && !rest ? node : null;
      continue;
    }
    if (awaitingHeading) {
      awaitingHeading.heading = line;
      awaitingHeading = null;
      continue;
    }
    const current = stack.at(-1);
    if (!current) {
      titleLines.push(line);
      continue;
    }
    current.text = current.text ? `${current.text}\n${line}` : line;
  }
  if (roots.length === 0)
    warnings.push(
      'Không nhận ra chương, điều, khoản hay điểm nào. / No chapters, articles, clauses or points were recognised.',
    );
  return { title: titleLines.join(' '), nodes: roots, warnings };
}

const kindWord: Record<NodeKind, string> = {
  part: 'Phần',
  chapter: 'Chương',
  section: 'Mục',
  article: 'Điều',
  clause: '',
  point: '',
};

/** The paragraphs a node is written as, the inverse of parseLegalParagraphs. */
export function legalParagraphs(
  node: DraftNode,
): { text: string; kind: NodeKind; role: 'label' | 'heading' | 'body' }[] {
  const out: { text: string; kind: NodeKind; role: 'label' | 'heading' | 'body' }[] = [];
  const bodyLines = node.text ? node.text.split('\n') : [];
  switch (node.kind) {
    case 'part':
    case 'chapter':
    case 'section':
      out.push({ text: `${kindWord[node.kind]} ${node.number}`, kind: node.kind, role: 'label' });
      if (node.heading) out.push({ text: node.heading, kind: node.kind, role: 'heading' });
      for (const l of bodyLines) out.push({ text: l, kind: node.kind, role: 'body' });
      break;
    case 'article':
      out.push({ text: `Điều ${node.number}. ${node.heading}`.trimEnd(), kind: node.kind, role: 'label' });
      for (const l of bodyLines) out.push({ text: l, kind: node.kind, role: 'body' });
      break;
    case 'clause':
    case 'point': {
      const [first = '', ...more] = bodyLines;
      out.push({ text: `${node.number}${node.kind === 'clause' ? '.' : ')'} ${first}`, kind: node.kind, role: 'body' });
      for (const l of more) out.push({ text: l, kind: node.kind, role: 'body' });
      break;
    }
  }
  for (const child of node.children) out.push(...legalParagraphs(child));
  return out;
}
