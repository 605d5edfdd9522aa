import { describe, expect, it } from 'vitest';
import { afterPublicationNote, removalCategory, removalSummary, vietnamDate } from './publicRecord';

describe('the public record’s words', () => {
  it('dates a note in Vietnam time: 20:00 UTC is the next day in Hà Nội', () => {
    expect(vietnamDate('2026-12-07T20:00:00.000Z')).toBe('08/12/2026');
    expect(vietnamDate('2026-12-07T16:59:59.000Z')).toBe('07/12/2026');
  });

  it('says when and why a row left public view, in Vietnamese and English', () => {
    const at = '2026-12-08T01:00:00.000Z';
    expect(afterPublicationNote('hidden', at, 'personal_data', 'vi')).toBe(
      'Ý kiến đã ẩn sau khi công bố ngày 08/12/2026 (lý do: lộ thông tin cá nhân).',
    );
    expect(afterPublicationNote('hidden', at, 'abuse', 'en')).toBe(
      'Comment hidden after publication on 08/12/2026 (reason: abusive or insulting).',
    );
    expect(afterPublicationNote('withdrawn', at, null, 'vi')).toBe(
      'Ý kiến đã được tác giả rút lại sau khi công bố ngày 08/12/2026.',
    );
    expect(afterPublicationNote('redacted', at, null, 'en')).toBe('Comment redacted after publication on 08/12/2026.');
  });

  it('counts what is no longer shown by category, and says nothing when nothing is', () => {
    expect(removalCategory('hidden', 'off_topic')).toBe('OFF_TOPIC');
    expect(removalCategory('withdrawn', 'spam')).toBe('WITHDRAWN');
    const counts = [
      { category: 'ABUSE', count: 1 },
      { category: 'PERSONAL_DATA', count: 1 },
    ];
    expect(removalSummary(counts, 'vi')).toBe(
      '2 ý kiến không còn hiển thị: 1 lăng mạ, xúc phạm, 1 lộ thông tin cá nhân',
    );
    expect(removalSummary(counts, 'en')).toBe(
      '2 comments are no longer shown: 1 abusive or insulting, 1 personal data exposed',
    );
    expect(removalSummary([], 'vi')).toBe('');
  });
});
