import { describe, expect, it } from 'vitest';
import type { DraftNode } from '@gopy/schemas';
import { diffVersions } from './versionDiff';

const n = (
  nodeId: string,
  kind: DraftNode['kind'],
  number: string,
  text: string,
  children: DraftNode[] = [],
): DraftNode => ({
  nodeId,
  kind,
  number,
  heading: '',
  text,
  children,
});
const ids = {
  ch: '00000000-0000-4000-8000-000000000001',
  a1: '00000000-0000-4000-8000-000000000002',
  a2: '00000000-0000-4000-8000-000000000003',
  a3: '00000000-0000-4000-8000-000000000004',
  k1: '00000000-0000-4000-8000-000000000005',
  ch2: '00000000-0000-4000-8000-000000000006',
};

function changesOf(before: DraftNode[], after: DraftNode[]) {
  return Object.fromEntries(diffVersions(before, after).map((d) => [d.nodeId, d.changes]));
}

describe('diffVersions: node by node, by stable id', () => {
  const v1 = [
    n(ids.ch, 'chapter', 'I', 'Quy định chung', [
      n(ids.a1, 'article', '1', 'Phạm vi'),
      n(ids.a2, 'article', '2', 'Nguyên tắc', [n(ids.k1, 'clause', '1', 'Công khai')]),
    ]),
  ];

  it('sees nothing changed between a version and itself', () => {
    expect(
      Object.values(changesOf(v1, v1))
        .flat()
        .every((c) => c === 'unchanged'),
    ).toBe(true);
  });

  it('tells added, removed and reworded nodes apart', () => {
    const v2 = [
      n(ids.ch, 'chapter', 'I', 'Quy định chung', [
        n(ids.a2, 'article', '2', 'Nguyên tắc thu, chi'),
        n(ids.a3, 'article', '3', 'Mức thu'),
      ]),
    ];
    expect(changesOf(v1, v2)).toEqual({
      [ids.ch]: ['unchanged'],
      [ids.a2]: ['reworded'],
      [ids.a3]: ['added'],
      [ids.a1]: ['removed'],
      [ids.k1]: ['removed'],
    });
  });

  it('calls a renumbered node renumbered, not reworded, and a node under another parent moved', () => {
    const v2 = [
      n(ids.ch, 'chapter', 'I', 'Quy định chung', [n(ids.a2, 'article', '1', 'Nguyên tắc')]),
      n(ids.ch2, 'chapter', 'II', 'Tổ chức thực hiện', [
        n(ids.a1, 'article', '2', 'Phạm vi'),
        n(ids.k1, 'clause', '1', 'Công khai'),
      ]),
    ];
    const c = changesOf(v1, v2);
    // Article 2 keeps its place among the siblings that stayed; only its number changed.
    expect(c[ids.a2]).toEqual(['renumbered']);
    expect(c[ids.a1]).toEqual(['moved', 'renumbered']);
    expect(c[ids.k1]).toEqual(['moved']);
    expect(c[ids.ch2]).toEqual(['added']);
  });

  it('sees a swap of two siblings as a move of both', () => {
    const v2 = [
      n(ids.ch, 'chapter', 'I', 'Quy định chung', [
        n(ids.a2, 'article', '2', 'Nguyên tắc', [n(ids.k1, 'clause', '1', 'Công khai')]),
        n(ids.a1, 'article', '1', 'Phạm vi'),
      ]),
    ];
    const c = changesOf(v1, v2);
    expect(c[ids.a1]).toEqual(['moved']);
    expect(c[ids.a2]).toEqual(['moved']);
    expect(c[ids.k1]).toEqual(['unchanged']);
  });
});
