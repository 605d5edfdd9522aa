import { diffArrays } from 'diff';

/** One run of a text diff: words kept, taken out or put in, in reading order. */
export interface TextPart {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

/**
 * Vietnamese words by Unicode's word rules (ICU): a letter and its tone marks stay one word even where a mark has no
 * precomposed form, which jsdiff's own tokenizer (diffWordsWithSpace) would split off. Every space run and
 * punctuation mark is a token of its own, so the parts join back into exactly the texts given (diffWords, by
 * contrast, folds whitespace changes away).
 */
const segmenter = new Intl.Segmenter('vi', { granularity: 'word' });

function tokens(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

/** Beyond this the texts are shown as one removal and one addition: still correct, only coarse. */
const TIMEOUT_MS = 2_000;

/**
 * Word-level changes between two texts of a draft node (jsdiff's Myers diff over the words), in NFC:
 * a changed clause in a long article is shown as just that clause. The `same` and `removed` parts join into the old
 * text, the `same` and `added` parts into the new one.
 */
export function wordDiff(before: string, after: string): TextPart[] {
  const a = before.normalize('NFC');
  const b = after.normalize('NFC');
  if (a === b) return a ? [{ kind: 'same', text: a }] : [];
  const changes = diffArrays(tokens(a), tokens(b), { timeout: TIMEOUT_MS });
  if (!changes) {
    const coarse: TextPart[] = [];
    if (a) coarse.push({ kind: 'removed', text: a });
    if (b) coarse.push({ kind: 'added', text: b });
    return coarse;
  }
  const raw: TextPart[] = [];
  for (const c of changes) {
    const text = c.value.join('');
    if (text) raw.push({ kind: c.added ? 'added' : c.removed ? 'removed' : 'same', text });
  }
  return readable(raw);
}

function push(parts: TextPart[], kind: TextPart['kind'], text: string): void {
  if (!text) return;
  const last = parts.at(-1);
  if (last && last.kind === kind) last.text += text;
  else parts.push({ kind, text });
}

const isSpace = (text: string) => /^\s+$/u.test(text);

/**
 * Changes separated only by a space become one change, as a reader sees them ("miễn" → "miễn, giảm" is one addition
 * ", giảm", not "," and "giảm" around a kept space); spaces both sides share at its ends stay outside it.
 */
function readable(raw: TextPart[]): TextPart[] {
  const parts: TextPart[] = [];
  let i = 0;
  while (i < raw.length) {
    const part = raw[i]!;
    if (part.kind === 'same') {
      push(parts, 'same', part.text);
      i++;
      continue;
    }
    let removed = '';
    let added = '';
    while (i < raw.length) {
      const p = raw[i]!;
      if (p.kind === 'removed') removed += p.text;
      else if (p.kind === 'added') added += p.text;
      else if (isSpace(p.text) && raw[i + 1] && raw[i + 1]!.kind !== 'same') {
        removed += p.text;
        added += p.text;
      } else break;
      i++;
    }
    let head = 0;
    while (head < removed.length && head < added.length && removed[head] === added[head] && /\s/u.test(removed[head]!))
      head++;
    let tail = 0;
    while (
      tail < removed.length - head &&
      tail < added.length - head &&
      removed[removed.length - 1 - tail] === added[added.length - 1 - tail] &&
      /\s/u.test(removed[removed.length - 1 - tail]!)
    )
      tail++;
    push(parts, 'same', removed.slice(0, head));
    push(parts, 'removed', removed.slice(head, removed.length - tail));
    push(parts, 'added', added.slice(head, added.length - tail));
    push(parts, 'same', removed.slice(removed.length - tail));
  }
  return parts;
}
