import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { merkleRoot } from './merkle';

/** RFC 6962 §2.1 as written: MTH(D[n]) = SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])), k the largest power of two < n. */
function reference(leaves: Buffer[]): Buffer {
  const h = (...p: Buffer[]) => p.reduce((acc, b) => acc.update(b), createHash('sha256')).digest();
  if (leaves.length === 0) return h();
  if (leaves.length === 1) return h(Buffer.from([0]), leaves[0]!);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return h(Buffer.from([1]), reference(leaves.slice(0, k)), reference(leaves.slice(k)));
}

describe('streaming Merkle root', () => {
  it('equals the RFC 6962 tree hash for every size from 0 to 70', () => {
    const hashes = Array.from({ length: 70 }, (_v, i) => createHash('sha256').update(String(i)).digest('hex'));
    for (let n = 0; n <= 70; n++) {
      expect(merkleRoot(hashes.slice(0, n))).toBe(
        reference(hashes.slice(0, n).map((x) => Buffer.from(x, 'hex'))).toString('hex'),
      );
    }
  });
});
