// The draft tree as Vietnamese legal texts are built: phần → chương → mục → điều → khoản → điểm.
// A node's id is stable across versions; its number and heading are display only.

export type NodeKind = 'PART' | 'CHAPTER' | 'SECTION' | 'ARTICLE' | 'CLAUSE' | 'POINT';

export const NODE_KINDS: readonly NodeKind[] = ['PART', 'CHAPTER', 'SECTION', 'ARTICLE', 'CLAUSE', 'POINT'];

export interface DraftNode {
  id: string;
  kind: NodeKind;
  number: string;
  heading: string;
  text: string;
  children: DraftNode[];
}

/** Which kinds may sit directly under a node of a kind (or at the top, 'ROOT'), most usual first. */
export const CHILD_KINDS: Record<NodeKind | 'ROOT', readonly NodeKind[]> = {
  ROOT: ['CHAPTER', 'ARTICLE', 'PART'],
  PART: ['CHAPTER'],
  CHAPTER: ['ARTICLE', 'SECTION'],
  SECTION: ['ARTICLE'],
  ARTICLE: ['CLAUSE'],
  CLAUSE: ['POINT'],
  POINT: [],
};

/** Points are lettered with the Vietnamese alphabet as legal texts do (đ after d; no f, j, w, z). */
const POINT_LETTERS = [
  'a',
  'b',
  'c',
  'd',
  'đ',
  'e',
  'g',
  'h',
  'i',
  'k',
  'l',
  'm',
  'n',
  'o',
  'p',
  'q',
  'r',
  's',
  't',
  'u',
  'v',
  'x',
  'y',
];

export function roman(n: number): string {
  const table: [number, string][] = [
    [1000, 'M'],
    [900, 'CM'],
    [500, 'D'],
    [400, 'CD'],
    [100, 'C'],
    [90, 'XC'],
    [50, 'L'],
    [40, 'XL'],
    [10, 'X'],
    [9, 'IX'],
    [5, 'V'],
    [4, 'IV'],
    [1, 'I'],
  ];
  let out = '';
  let rest = n;
  for (const [value, symbol] of table) {
    while (rest >= value) {
      out += symbol;
      rest -= value;
    }
  }
  return out;
}

export function pointLetter(n: number): string {
  const letters = POINT_LETTERS.length;
  if (n <= letters) return POINT_LETTERS[n - 1]!;
  return `${POINT_LETTERS[Math.floor((n - 1) / letters) - 1]}${POINT_LETTERS[(n - 1) % letters]}`;
}

interface Numberable {
  kind: NodeKind;
  children: Numberable[];
}

/**
 * Automatic numbers, keyed by the node object: chapters (Roman) and articles (Arabic) run through the whole
 * document; parts run through the document; sections restart in each chapter, clauses in each article and
 * points (letters) in each clause.
 */
export function autoNumbers<T extends Numberable>(roots: T[]): Map<T, string> {
  const numbers = new Map<T, string>();
  const global = { PART: 0, CHAPTER: 0, ARTICLE: 0 };
  const walk = (nodes: T[]) => {
    const local = { SECTION: 0, CLAUSE: 0, POINT: 0 };
    for (const node of nodes) {
      switch (node.kind) {
        case 'PART':
          numbers.set(node, String(++global.PART));
          break;
        case 'CHAPTER':
          numbers.set(node, roman(++global.CHAPTER));
          break;
        case 'ARTICLE':
          numbers.set(node, String(++global.ARTICLE));
          break;
        case 'SECTION':
          numbers.set(node, String(++local.SECTION));
          break;
        case 'CLAUSE':
          numbers.set(node, String(++local.CLAUSE));
          break;
        case 'POINT':
          numbers.set(node, pointLetter(++local.POINT));
          break;
        default: {
          const exhaustive: never = node.kind;
          throw new Error(`unknown node kind ${String(exhaustive)}`);
        }
      }
      walk(node.children as T[]);
    }
  };
  walk(roots);
  return numbers;
}

/** Depth-first list of nodes (document order). */
export function flatten<T extends { children: T[] }>(roots: T[]): T[] {
  const out: T[] = [];
  const walk = (nodes: T[]) => {
    for (const node of nodes) {
      out.push(node);
      walk(node.children);
    }
  };
  walk(roots);
  return out;
}

/** A number that already carries its word ("Điều 2") is shown as is; a bare one ("2") gets the kind's word. */
export function hasOwnWord(number: string): boolean {
  return /\s/.test(number.trim());
}
