import { searchTokens } from '../readModels/search';

/**
 * Normalising Vietnamese for comparing what people wrote. The same sentence arrives precomposed (NFC) or decomposed
 * (NFD), with the tone on either vowel of "oa/oe/uy" ("hoà"/"hòa", "thuý"/"thúy"), in any case, with or without
 * diacritics (typed on a phone without a Vietnamese keyboard), and with any punctuation and spacing.
 */

/** The five tone marks, as combining characters after NFD. The other marks (ă â ê ô ơ ư) belong to the letter. */
const TONE_MARKS: Record<string, string> = {
  '\u0300': 'f', // huyền
  '\u0301': 's', // sắc
  '\u0309': 'r', // hỏi
  '\u0303': 'x', // ngã
  '\u0323': 'j', // nặng
};
const TONE_MARK = /[\u0300\u0301\u0309\u0303\u0323]/gu;

/**
 * Words folded to plain letters and digits: NFC/NFD alike, lower case, every diacritic stripped, đ → d, punctuation and
 * whitespace dropped. "Không đồng ý!!" and "khong  dong y" give the same words. Shared with comment search, so the
 * two agree on what counts as the same word.
 */
export function foldedWords(text: string): string[] {
  return searchTokens(text);
}

/** The folded words joined by one space. */
export function foldVietnamese(text: string): string {
  return foldedWords(text).join(' ');
}

/**
 * Words that keep their letters' marks (ă â ê ô ơ ư đ) and tone, but not where the tone was typed: each syllable's tone
 * moves to its end as a Telex letter (f s r x j), so "hoà" and "hòa" both give "hoaf" while "ma", "má" and "mà" stay
 * apart. For comparisons that must not confuse words that differ only in tone.
 */
export function toneNeutralWords(text: string): string[] {
  const decomposed = text.normalize('NFD').toLowerCase();
  return decomposed
    .split(/[^\p{L}\p{M}\p{N}]+/u)
    .filter((w) => w.length > 0)
    .map((word) => {
      let tone = '';
      const bare = word.replace(TONE_MARK, (mark) => {
        tone = TONE_MARKS[mark] ?? tone;
        return '';
      });
      return `${bare.normalize('NFC')}${tone}`;
    });
}
