import { v5 as uuidv5 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { commentIdFor, ID_NAMESPACES, isLowerCaseUuid, isUuid, nameBasedId, semesterReportId } from './ids';

const COMMENT_ID_NAMESPACE = ID_NAMESPACES.comment;

describe('name-based ids', () => {
  it('are the ids the uuid library gives for a well-formed name (comment ids already in logs keep theirs)', () => {
    for (const name of ['a:b', 'tài-khoản:khoá-thử-💥', 'hoà\u0301', '\u0000\t\n', ''])
      expect(nameBasedId(name, COMMENT_ID_NAMESPACE)).toBe(uuidv5(name, COMMENT_ID_NAMESPACE));
  });

  it('are made for a name with a lone surrogate instead of throwing, for the text step to refuse the field', () => {
    const account = '0190a3c4-0000-7000-8000-000000000000';
    expect(() => uuidv5(`${account}:\ud800`, COMMENT_ID_NAMESPACE)).toThrow(URIError);
    expect(commentIdFor(account, '\ud800')).toMatch(/^[0-9a-f-]{36}$/);
    expect(commentIdFor(account, 'khóa\udfff')).not.toBe(commentIdFor(account, '\ud800'));
    expect(semesterReportId(account, '2026-2027-S1\ud800')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('recognising ids', () => {
  it('accepts a canonical UUID in either case and nothing else', () => {
    expect(isUuid('0190a3c4-0000-7000-8000-00000000abcd')).toBe(true);
    expect(isUuid('0190A3C4-0000-7000-8000-00000000ABCD')).toBe(true);
    for (const bad of [
      '',
      '0190a3c40000700080000000000abcd',
      '0190a3c4-0000-7000-8000-00000000abcg',
      ' 0190a3c4-0000-7000-8000-00000000abcd',
      7,
    ])
      expect(isUuid(bad)).toBe(false);
  });

  it('tells a lower-case UUID from an upper-case one', () => {
    expect(isLowerCaseUuid('0190a3c4-0000-7000-8000-00000000abcd')).toBe(true);
    expect(isLowerCaseUuid('0190a3c4-0000-7000-8000-00000000ABCD')).toBe(false);
  });

  it('keeps one namespace per kind of derived id', () => {
    const namespaces = Object.values(ID_NAMESPACES);
    expect(new Set(namespaces).size).toBe(namespaces.length);
    for (const ns of namespaces) expect(isLowerCaseUuid(ns)).toBe(true);
  });
});
