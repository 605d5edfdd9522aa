// Marks the words of a search in a comment the way the search matched them: without diacritics and their
// variants, so "truong hoc" marks "trường học" and "duong" marks "Đường" (đ does not decompose in Unicode).

export interface Segment {
  text: string;
  match: boolean;
}

/** One character folded: tone and vowel marks dropped, đ → d, lower case. May be empty (a lone combining mark). */
function foldChar(ch: string): string {
  return ch.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase();
}

export function fold(text: string): string {
  return [...text.normalize('NFC')].map(foldChar).join('');
}

/** The words of a query, folded, longest first (so a longer word wins where two overlap). */
export function queryTerms(query: string): string[] {
  const words = fold(query)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
  return [...new Set(words)].sort((a, b) => b.length - a.length);
}

/** Splits `text` into marked and unmarked runs; the text itself is returned unchanged (NFC), only split. */
export function highlight(text: string, query: string): Segment[] {
  const source = [...text.normalize('NFC')];
  const terms = queryTerms(query);
  if (terms.length === 0 || source.length === 0) return source.length ? [{ text: source.join(''), match: false }] : [];

  // folded[i] comes from source[owner[i]].
  let folded = '';
  const owner: number[] = [];
  source.forEach((ch, i) => {
    const f = foldChar(ch);
    for (let k = 0; k < f.length; k++) owner.push(i);
    folded += f;
  });

  const marked = new Array<boolean>(source.length).fill(false);
  for (const term of terms) {
    let from = 0;
    for (;;) {
      const at = folded.indexOf(term, from);
      if (at === -1) break;
      for (let k = at; k < at + term.length; k++) marked[owner[k]!] = true;
      from = at + term.length;
    }
  }

  const out: Segment[] = [];
  source.forEach((ch, i) => {
    const last = out.at(-1);
    if (last && last.match === marked[i]) last.text += ch;
    else out.push({ text: ch, match: marked[i]! });
  });
  return out;
}
