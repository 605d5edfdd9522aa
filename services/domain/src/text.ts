import { fieldNames } from '@gopy/schemas';
import { ValidationError } from './errors';

/**
 * What the log accepts as text, for every string of every command (issue 15): Unicode NFC, line breaks as LF, and no
 * character that has no business in typed text. The write path applies `admitCommand` once, where commands enter and
 * before anything decides on them; `requireText` applies the same rule to a decider's own fields, so a decider called
 * directly (tests, tools) is held to it too.
 */

/**
 * C0 and C1 controls (tab and line feed excepted; CR is folded into LF first), DEL, unpaired surrogates and the
 * Unicode noncharacters. They are never typed, render as nothing or as boxes, and documents built from the text
 * (.docx, .xlsx) become unreadable with some of them (XML 1.0 forbids NUL and most C0 controls).
 */
const FORBIDDEN = /(?![\t\n])[\p{Cc}\p{Cs}\p{Noncharacter_Code_Point}]/u;

function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** CR LF and a lone CR become LF: browsers post text areas with CR LF, other clients send LF. */
function foldLineBreaks(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/**
 * One string as the log will hold it: line breaks as LF, NFC (Vietnamese arrives both precomposed and decomposed, and
 * with either tone placement, hoà/hòa; NFC makes equal-looking text compare and hash equal). Refuses, naming `field`,
 * a string holding a forbidden character. Leading and trailing spaces are the field's business (`requireText` trims).
 */
export function admitText(field: string, text: string): string {
  const folded = foldLineBreaks(text);
  const bad = FORBIDDEN.exec(folded);
  if (bad) {
    const at = codePoint(bad[0]);
    const name = fieldNames(field);
    throw new ValidationError(field, {
      vi: `${name.vi} chứa ký tự không được phép (${at}); chỉ được dùng chữ, số, dấu câu, dấu cách, tab và xuống dòng.`,
      en: `${name.en} contains a character that is not allowed (${at}); only letters, digits, punctuation, spaces, tabs and line breaks are.`,
    });
  }
  return folded.normalize('NFC');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * The boundary step of the write path: every string anywhere in a command (nested objects and lists included) passes
 * `admitText`, the refusal naming its path as the API names fields (`body`, `nodes[0].children[2].text`,
 * `offlineSender.name`). Returns a copy; anything that is not a string, a plain object or a list is kept as it is.
 */
export function admitCommand<C>(command: C): C {
  return admitValue(command, '') as C;
}

function admitValue(value: unknown, path: string): unknown {
  if (typeof value === 'string') return admitText(path || 'input', value);
  if (Array.isArray(value)) return value.map((item, i) => admitValue(item, `${path}[${i}]`));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = admitValue(inner, path ? `${path}.${key}` : key);
    return out;
  }
  return value;
}

/** Compares as the log would store it: a body stored before line breaks were folded equals the same body with LF. */
export function sameText(stored: string, admitted: string): boolean {
  return stored === admitted || foldLineBreaks(stored) === admitted;
}

/** NFC and trimmed: for text compared or displayed outside a command (sign-in names, class lists). */
export function normalizeText(text: string): string {
  return text.normalize('NFC').trim();
}
