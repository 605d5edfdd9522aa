import { describe, expect, it } from 'vitest';
import { wordDiff, type TextPart } from './wordDiff';

const join = (parts: TextPart[], side: 'before' | 'after') =>
  parts
    .filter((p) => p.kind === 'same' || p.kind === (side === 'before' ? 'removed' : 'added'))
    .map((p) => p.text)
    .join('');
const changed = (parts: TextPart[]) => parts.filter((p) => p.kind !== 'same');

/** An article of about 5,000 characters: 28 clauses of Vietnamese legal prose. */
function longArticle(clause7: string): string {
  return Array.from({ length: 28 }, (_, i) =>
    i === 6
      ? clause7
      : `${i + 1}. Nhà trường công khai các khoản thu, chi của năm học ${2020 + i} trên bảng tin và trang thông tin điện tử của trường, bảo đảm cha mẹ học sinh được biết và góp ý trước ngày ${i + 1} tháng 9.`,
  ).join('\n');
}

describe('wordDiff', () => {
  it('shows a changed clause inside a 5,000-character article as just that change', () => {
    const before = longArticle('7. Học sinh được miễn học phí theo quy định của Hội đồng nhân dân tỉnh.');
    const after = longArticle('7. Học sinh được miễn, giảm học phí theo quy định của Hội đồng nhân dân tỉnh.');
    expect(before.length).toBeGreaterThan(4_900);
    const parts = wordDiff(before, after);
    expect(changed(parts)).toEqual([{ kind: 'added', text: ', giảm' }]);
    expect(join(parts, 'before')).toBe(before);
    expect(join(parts, 'after')).toBe(after);
  });

  it('replaces whole Vietnamese words, never a letter or a tone mark', () => {
    const parts = wordDiff('Học sinh được hưởng chế độ ưu tiên.', 'Học sinh được hưởng chế độ ưu đãi.');
    expect(changed(parts)).toEqual([
      { kind: 'removed', text: 'tiên' },
      { kind: 'added', text: 'đãi' },
    ]);
    // A word that differs only by its tone mark is a different word, removed and added whole.
    expect(changed(wordDiff('mức thu học phí', 'mức thu hóc phí'))).toEqual([
      { kind: 'removed', text: 'học' },
      { kind: 'added', text: 'hóc' },
    ]);
  });

  it('compares in NFC: the same words typed decomposed are not a change', () => {
    const nfc = 'Điều 3. Trường tiểu học tổ chức họp cha mẹ học sinh.';
    expect(changed(wordDiff(nfc, nfc.normalize('NFD')))).toEqual([]);
    const parts = wordDiff(
      nfc.normalize('NFD'),
      'Điều 3. Trường tiểu học tổ chức gặp cha mẹ học sinh.'.normalize('NFD'),
    );
    expect(changed(parts)).toEqual([
      { kind: 'removed', text: 'họp' },
      { kind: 'added', text: 'gặp' },
    ]);
    for (const p of parts) expect(p.text).toBe(p.text.normalize('NFC'));
  });

  it('keeps a combining mark with its letter where NFC has no precomposed form', () => {
    // "x̉" (x + combining hook above) has no precomposed code point: it must not split into "x" and a stray mark.
    const parts = wordDiff('chữ x\u0309 cuối', 'chữ q\u0309 cuối');
    expect(changed(parts)).toEqual([
      { kind: 'removed', text: 'x\u0309' },
      { kind: 'added', text: 'q\u0309' },
    ]);
  });

  it('gives exactly the two texts back, whitespace and line breaks included', () => {
    const before = 'a b  c\nđiều 1';
    const after = 'a  c d\nđiều 2';
    const parts = wordDiff(before, after);
    expect(join(parts, 'before')).toBe(before);
    expect(join(parts, 'after')).toBe(after);
  });

  it('treats empty texts as an addition or a removal', () => {
    expect(wordDiff('', 'Khoản mới.')).toEqual([{ kind: 'added', text: 'Khoản mới.' }]);
    expect(wordDiff('Khoản cũ.', '')).toEqual([{ kind: 'removed', text: 'Khoản cũ.' }]);
    expect(wordDiff('', '')).toEqual([]);
  });
});
