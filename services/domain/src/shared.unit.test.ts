import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors';
import { Roles } from '@gopy/schemas';
import { ANALYST_ROLES } from './analysisDecider';
import { DIGEST_ROLES } from './digestDecider';
import { admitText } from './text';
import {
  actingRole,
  isBefore,
  normalizeText,
  requireCalendarDate,
  requireInstant,
  requireText,
  requireUuid,
  ROLE_PRECEDENCE,
} from './shared';

describe('normalizeText', () => {
  it('composes decomposed Vietnamese (NFD) into NFC', () => {
    const nfd = 'Góp ý về học phí'.normalize('NFD');
    expect(nfd.length).toBeGreaterThan('Góp ý về học phí'.length);
    expect(normalizeText(nfd)).toBe('Góp ý về học phí');
    expect(normalizeText(nfd).normalize('NFC')).toBe(normalizeText(nfd));
  });

  it('keeps both tone placements (hoà, hòa) as they were written, each in NFC', () => {
    const oldStyle = 'hoà'.normalize('NFD');
    const newStyle = 'hòa'.normalize('NFD');
    expect(normalizeText(oldStyle)).toBe('hoà');
    expect(normalizeText(newStyle)).toBe('hòa');
    expect(normalizeText(oldStyle)).not.toBe(normalizeText(newStyle));
  });

  it('trims surrounding whitespace, including non-breaking spaces', () => {
    expect(normalizeText('\u00a0 Điều 1 \n')).toBe('Điều 1');
  });
});

describe('requireText', () => {
  it('measures the length after normalisation', () => {
    const nfd = 'ộ'.repeat(10).normalize('NFD');
    expect(nfd.length).toBe(30);
    expect(requireText('body', nfd, { min: 1, max: 10 })).toBe('ộ'.repeat(10));
  });

  it('names the field it refuses', () => {
    expect(() => requireText('title', 42, { min: 1, max: 10 })).toThrow(ValidationError);
  });
});

describe('refusals name the field in words, never its code name', () => {
  const refusal = (run: () => unknown): ValidationError => {
    try {
      run();
    } catch (err) {
      if (err instanceof ValidationError) return err;
      throw err;
    }
    throw new Error('not refused');
  };

  it('says "Ngày có hiệu lực", not effectiveDate', () => {
    const err = refusal(() => requireCalendarDate('effectiveDate', '2026-13-45'));
    expect(err.field).toBe('effectiveDate');
    expect(err.messages).toEqual({
      vi: 'Ngày có hiệu lực phải là ngày hợp lệ (dd/mm/yyyy).',
      en: 'Effective date must be a valid date (dd/mm/yyyy).',
    });
  });

  it.each([
    ['closesAt', () => requireInstant('closesAt', 'mai'), 'Hạn góp ý', 'Deadline'],
    ['title', () => requireText('title', 'x'.repeat(11), { min: 1, max: 10 }), 'Tiêu đề', 'Title'],
    ['input.policyId', () => requireUuid('input.policyId', 'abc'), 'Dự thảo', 'Policy'],
    ['offlineSender.name', () => admitText('offlineSender.name', 'a\u0000'), 'Tên người gửi', "Sender's name"],
    [
      'nodes[2].children[0].heading',
      () => requireText('nodes[2].children[0].heading', 1, { min: 0, max: 9 }),
      'Tiêu đề',
      'Heading',
    ],
  ])('%s', (field, run, vi, en) => {
    const err = refusal(run);
    expect(err.field).toBe(field);
    expect(err.messages.vi).toMatch(new RegExp(`^${vi}[ :]`));
    expect(err.messages.en).toMatch(new RegExp(`^${en}[ :]`));
    // No code name (camelCase, a dotted path) anywhere in either message.
    for (const message of Object.values(err.messages))
      expect(message).not.toMatch(/\b[a-z]+[A-Z]\w*|\b[a-z]{2,}\.[a-z]{2,}/);
  });
});

describe('isBefore', () => {
  it('compares instants as time, not as strings', () => {
    expect(isBefore('2025-03-01T00:00:00Z', '2025-03-01T00:00:00.001Z')).toBe(true);
    expect(isBefore('2025-03-01T00:00:00.000Z', '2025-03-01T00:00:00Z')).toBe(false);
  });
});

describe('actingRole: the role written into event metadata', () => {
  it('is the most specific role the actor holds', () => {
    expect(actingRole(['participant', 'staff', 'moderator'])).toBe('moderator');
    expect(actingRole(['admin', 'policymaker'])).toBe('policymaker');
    expect(actingRole(['auditor', 'participant'])).toBe('auditor');
    expect(actingRole([])).toBe('participant');
  });

  it('is chosen among the roles competent for the command', () => {
    // A spokesperson who is also a policymaker acts on a digest as spokesperson.
    expect(actingRole(['policymaker', 'spokesperson'], DIGEST_ROLES)).toBe('spokesperson');
    expect(actingRole(['moderator', 'admin'], DIGEST_ROLES)).toBe('admin');
    // A moderator who is also staff analyses feedback as staff.
    expect(actingRole(['moderator', 'staff'], ANALYST_ROLES)).toBe('staff');
    expect(actingRole(['staff', 'policymaker'], ANALYST_ROLES)).toBe('policymaker');
    expect(actingRole(['moderator'], ANALYST_ROLES)).toBe('participant');
  });

  it('orders every role exactly once', () => {
    expect([...ROLE_PRECEDENCE].sort()).toEqual([...Roles].sort());
  });
});
