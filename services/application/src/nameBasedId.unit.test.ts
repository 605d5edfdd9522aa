import { v5 as uuidv5 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { commentIdFor, COMMENT_ID_NAMESPACE } from './commands';
import { nameBasedId } from './nameBasedId';
import { semesterReportId } from './semesterReports';

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
