import { describe, expect, it } from 'vitest';
import { xmlSafe, xmlText } from './xmlText';

describe('xmlText', () => {
  it('drops what XML 1.0 forbids: C0 controls but tab, LF and CR; unpaired surrogates; U+FFFE and U+FFFF', () => {
    expect(xmlText('a\u0000b\u0007c\u000bd\u001fe\ud83df\udc4dg\ufffeh\uffffi')).toBe('abcdefghi');
  });

  it('keeps tab, LF, CR, Vietnamese, emoji (surrogate pairs) and what XML allows though it discourages', () => {
    const kept = 'Góp ý\t\r\n👍🏽 𠀀 \u007f\u0085\ufdd0';
    expect(xmlText(kept)).toBe(kept);
  });

  it('cleans every string of a document’s data and keeps the rest', () => {
    expect(xmlSafe({ title: 'T\u0000', rows: [{ no: 1, feedback: 'a\u0007b', at: null }], flags: [true] })).toEqual({
      title: 'T',
      rows: [{ no: 1, feedback: 'ab', at: null }],
      flags: [true],
    });
  });
});
