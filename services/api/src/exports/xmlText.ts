/**
 * Characters XML 1.0 does not allow anywhere in a document (`Char` production: tab, LF, CR, U+0020–U+D7FF,
 * U+E000–U+FFFD, U+10000–U+10FFFF), unpaired surrogates included. A .docx or .xlsx holding one is refused by Word
 * and Excel as corrupt. Commands can no longer bring them in (the write path's boundary step), but logs written before
 * may hold them, and a log is never rewritten: every document writer drops them on the way out.
 */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

export function xmlText(text: string): string {
  return text.replace(NOT_XML_CHAR, '');
}

/** The same for every string in a document's data (nested objects and lists), before a writer lays it out. */
export function xmlSafe<T>(value: T): T {
  if (typeof value === 'string') return xmlText(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => xmlSafe(v)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, xmlSafe(v)])) as T;
  }
  return value;
}
