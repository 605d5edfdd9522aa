import { createHash } from 'node:crypto';

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

const sha256 = (...parts: Buffer[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/**
 * The Merkle tree hash of RFC 6962 (Certificate Transparency), computed as the leaves stream past: it keeps only the
 * roots of the perfect subtrees (one per bit of the count), so a log of any length costs O(log n) memory.
 * Leaf = SHA-256(0x00 ‖ event hash bytes); node = SHA-256(0x01 ‖ left ‖ right); the empty tree is SHA-256("").
 */
export class StreamingMerkle {
  /** Perfect subtree roots, largest (leftmost) first, with their sizes. */
  private readonly stack: { size: number; hash: Buffer }[] = [];
  count = 0;

  add(eventHashHex: string): void {
    let node = { size: 1, hash: sha256(LEAF, Buffer.from(eventHashHex, 'hex')) };
    while (this.stack.length > 0 && this.stack[this.stack.length - 1]!.size === node.size) {
      const left = this.stack.pop()!;
      node = { size: left.size * 2, hash: sha256(NODE, left.hash, node.hash) };
    }
    this.stack.push(node);
    this.count += 1;
  }

  /** The root over every leaf added so far (hex). */
  root(): string {
    if (this.stack.length === 0) return sha256().toString('hex');
    let acc = this.stack[this.stack.length - 1]!.hash;
    for (let i = this.stack.length - 2; i >= 0; i--) acc = sha256(NODE, this.stack[i]!.hash, acc);
    return acc.toString('hex');
  }
}

/** The Merkle root of a list of event hashes (hex), as StreamingMerkle computes it. */
export function merkleRoot(hashes: Iterable<string>): string {
  const m = new StreamingMerkle();
  for (const h of hashes) m.add(h);
  return m.root();
}
