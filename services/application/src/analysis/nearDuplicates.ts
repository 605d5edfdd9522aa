import { foldedWords } from './vietnameseText';

/**
 * Near-duplicate detection over comment texts: word shingles of the folded text (vietnameseText.ts), a MinHash signature
 * per text, locality-sensitive hashing by bands to find candidate pairs without comparing every pair, then a pair is
 * kept when its estimated Jaccard similarity reaches the threshold; groups are the connected components of kept pairs
 * (a campaign letter edited a little by each sender joins through the letters close to it). Everything is seeded
 * with constants, so the same texts always give the same groups.
 */
export interface NearDuplicateOptions {
  /** Words per shingle. Texts shorter than this are one shingle of all their words. */
  shingleSize?: number;
  /** Number of MinHash functions; must equal bands × rows. */
  numHashes?: number;
  bands?: number;
  /** Estimated Jaccard similarity at or above which two texts are grouped, 0..1. */
  threshold?: number;
  /**
   * Texts with fewer folded words than this are left out: "Đồng ý với dự thảo." and "Không đồng ý với dự thảo." share
   * most of their shingles and say the opposite; a short remark is not a campaign.
   */
  minWords?: number;
}

export const defaultNearDuplicateOptions: Required<NearDuplicateOptions> = {
  shingleSize: 3,
  numHashes: 128,
  bands: 32,
  threshold: 0.6,
  minWords: 8,
};

export interface TextItem {
  id: string;
  text: string;
}

export interface NearDuplicateGroup {
  /** In the order the items were given; the first is the representative (the earliest, when given oldest first). */
  ids: string[];
  representativeId: string;
  /** The lowest estimated similarity among the pairs that joined the group. */
  minSimilarity: number;
}

/** FNV-1a over UTF-16 code units, 32 bits. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** MurmurHash3's finaliser: a bijection on 32 bits that mixes every input bit into every output bit. */
function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32, seeded with a constant: the seeds of the hash family are the same in every process and every run. */
function seeds(count: number): Uint32Array {
  let state = 0x6a09e667;
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (t ^ (t >>> 14)) >>> 0;
  }
  return out;
}

const seedCache = new Map<number, Uint32Array>();
function seedsFor(count: number): Uint32Array {
  let s = seedCache.get(count);
  if (!s) seedCache.set(count, (s = seeds(count)));
  return s;
}

/** The distinct word shingles of a text, hashed to 32 bits. */
export function shingles(text: string, size = defaultNearDuplicateOptions.shingleSize): Set<number> {
  const words = foldedWords(text);
  const out = new Set<number>();
  if (words.length === 0) return out;
  if (words.length < size) {
    out.add(fnv1a(words.join(' ')));
    return out;
  }
  for (let i = 0; i + size <= words.length; i++) out.add(fnv1a(words.slice(i, i + size).join(' ')));
  return out;
}

export function minHashSignature(
  shingleHashes: Set<number>,
  numHashes = defaultNearDuplicateOptions.numHashes,
): Uint32Array {
  const s = seedsFor(numHashes);
  const sig = new Uint32Array(numHashes).fill(0xffffffff);
  for (const h of shingleHashes) {
    for (let i = 0; i < numHashes; i++) {
      const v = fmix32(h ^ s[i]!);
      if (v < sig[i]!) sig[i] = v;
    }
  }
  return sig;
}

/** The share of signature positions where two signatures agree: an unbiased estimate of the Jaccard similarity. */
export function estimatedSimilarity(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return a.length === 0 ? 0 : same / a.length;
}

/** Exact Jaccard similarity of two shingle sets (for tests and for checking the estimate). */
export function jaccard(a: Set<number>, b: Set<number>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

class UnionFind {
  private readonly parent: number[];
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    let root = i;
    while (this.parent[root] !== root) root = this.parent[root]!;
    while (this.parent[i] !== root) {
      const next = this.parent[i]!;
      this.parent[i] = root;
      i = next;
    }
    return root;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    // The smaller index stays root, so a group's root is its first item whatever the order of unions.
    if (ra < rb) this.parent[rb] = ra;
    else if (rb < ra) this.parent[ra] = rb;
  }
}

/**
 * Groups of two or more items whose texts are the same or nearly the same. Items are compared only within an LSH
 * bucket, so the cost grows with the number of texts, not with the number of pairs.
 */
export function findNearDuplicates(
  items: readonly TextItem[],
  options: NearDuplicateOptions = {},
): NearDuplicateGroup[] {
  const o = { ...defaultNearDuplicateOptions, ...options };
  if (o.numHashes % o.bands !== 0)
    throw new Error(`numHashes (${o.numHashes}) must be a multiple of bands (${o.bands})`);
  const rows = o.numHashes / o.bands;
  const signatures: (Uint32Array | null)[] = items.map((item) =>
    foldedWords(item.text).length < o.minWords
      ? null
      : minHashSignature(shingles(item.text, o.shingleSize), o.numHashes),
  );
  const uf = new UnionFind(items.length);
  const checked = new Set<string>();
  const pairSimilarity = new Map<string, number>();
  for (let band = 0; band < o.bands; band++) {
    const buckets = new Map<string, number[]>();
    signatures.forEach((sig, i) => {
      if (!sig) return;
      const key = Array.from(sig.subarray(band * rows, (band + 1) * rows)).join(',');
      const bucket = buckets.get(key);
      if (bucket) bucket.push(i);
      else buckets.set(key, [i]);
    });
    for (const bucket of buckets.values()) {
      for (let x = 0; x < bucket.length; x++) {
        for (let y = x + 1; y < bucket.length; y++) {
          const a = bucket[x]!;
          const b = bucket[y]!;
          const key = `${a}:${b}`;
          if (checked.has(key)) continue;
          checked.add(key);
          const similarity = estimatedSimilarity(signatures[a]!, signatures[b]!);
          if (similarity >= o.threshold) {
            uf.union(a, b);
            pairSimilarity.set(key, similarity);
          }
        }
      }
    }
  }
  const members = new Map<number, number[]>();
  for (let i = 0; i < items.length; i++) {
    if (!signatures[i]) continue;
    const root = uf.find(i);
    const list = members.get(root);
    if (list) list.push(i);
    else members.set(root, [i]);
  }
  const minByRoot = new Map<number, number>();
  for (const [key, similarity] of pairSimilarity) {
    const root = uf.find(Number(key.split(':')[0]));
    minByRoot.set(root, Math.min(minByRoot.get(root) ?? 1, similarity));
  }
  return [...members.entries()]
    .filter(([, list]) => list.length > 1)
    .sort(([a], [b]) => a - b)
    .map(([root, list]) => ({
      ids: list.map((i) => items[i]!.id),
      representativeId: items[list[0]!]!.id,
      minSimilarity: minByRoot.get(root) ?? 1,
    }));
}
