import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Channels, StakeholderCategories, Stances } from './common';
import { ThemeDecisions } from './events/digest';
import { glossary, glossaryLabel, PolicyStatuses, siteMessages, type Label } from './glossary';
import { messagesFile } from './glossarySync';

const schema = fs.readFileSync(new URL('../graphql/schema.graphql', import.meta.url), 'utf8');
function graphqlEnum(name: string): string[] {
  const body = new RegExp(`^enum ${name} \\{([^}]*)\\}`, 'm').exec(schema);
  if (!body) throw new Error(`enum ${name} is not in schema.graphql`);
  return body[1]!
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[A-Z_]+$/.test(l))
    .map((v) => v.toLowerCase());
}

const groups: [keyof typeof glossary, readonly string[], string | null][] = [
  ['stance', Stances, 'Stance'],
  ['stakeholderCategory', StakeholderCategories, 'StakeholderCategory'],
  ['channel', Channels, 'Channel'],
  ['outcome', ThemeDecisions, 'ThemeDecision'],
  ['policyStatus', PolicyStatuses, 'PolicyStatus'],
  ['roundState', [...graphqlEnum('RoundPhase'), 'answered'], null],
  ['commentStatus', ['visible', 'hidden', 'withdrawn', 'redacted'], null],
];

describe('the glossary of labels', () => {
  it.each(groups)('gives every %s value a Vietnamese and an English word, each told apart', (group, values, gql) => {
    const labels = glossary[group].labels as Record<string, Label>;
    expect(Object.keys(labels).sort()).toEqual([...values].sort());
    if (gql) expect(graphqlEnum(gql).sort()).toEqual([...values].sort());
    for (const locale of ['vi', 'en'] as const) {
      const words = values.map((v) => labels[v]![locale]);
      for (const w of words) expect(w).toMatch(/^\S(.*\S)?$/u);
      expect(new Set(words).size).toBe(words.length);
    }
  });

  it('uses the education sector’s words', () => {
    expect(glossaryLabel('stance', 'support', 'vi')).toBe('Đồng ý');
    expect(glossaryLabel('stance', 'oppose', 'vi')).toBe('Không đồng ý');
    expect(glossaryLabel('stakeholderCategory', 'parent', 'vi')).toBe('Cha mẹ học sinh');
    expect(glossaryLabel('stakeholderCategory', 'citizen', 'vi')).toBe('Người dân');
    expect(glossaryLabel('outcome', 'partly_accepted', 'vi')).toBe('Tiếp thu một phần');
    expect(glossaryLabel('outcome', 'not_accepted', 'en')).toBe('Not accepted');
    // A value from a newer build is shown as it is, not as a failure.
    expect(glossaryLabel('channel', 'carrier_pigeon', 'vi')).toBe('carrier_pigeon');
  });

  it.each(['vi', 'en'] as const)('is what the site says (web/messages/%s.json)', (locale) => {
    const site = JSON.parse(fs.readFileSync(messagesFile(locale), 'utf8')) as Record<string, string>;
    const expected = siteMessages(locale);
    expect(Object.keys(expected).length).toBeGreaterThan(30);
    // On failure: node --import tsx schemas/src/glossarySync.ts
    expect(Object.fromEntries(Object.keys(expected).map((k) => [k, site[k]]))).toEqual(expected);
  });
});
