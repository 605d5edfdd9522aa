import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, isInputObjectType, isInterfaceType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { fieldLabels } from '@gopy/schemas';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Every argument and input field of the printed schema: what a VALIDATION error can name. */
function schemaFieldNames(): Set<string> {
  const schema = buildSchema(fs.readFileSync(path.join(root, 'schemas/graphql/schema.graphql'), 'utf8'));
  const names = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isInputObjectType(type)) for (const f of Object.values(type.getFields())) names.add(f.name);
    if (isObjectType(type) || isInterfaceType(type))
      for (const f of Object.values(type.getFields())) for (const a of f.args) names.add(a.name);
  }
  return names;
}

/** The fields the services' own checks name: the first argument of require…/optional…/invalid…/admitText/ValidationError. */
function namedInCode(): Set<string> {
  const names = new Set<string>();
  const call =
    /\b(?:require[A-Za-z]*|optional[A-Za-z]*|invalid(?:Field)?|notAList|admitText|new ValidationError)\(\s*(['`])([^'`]+)\1/g;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.ts$/.test(entry.name) && !/\.test\.ts$|testing\.ts$/.test(entry.name)) {
        for (const m of fs.readFileSync(file, 'utf8').matchAll(call)) {
          // `${at}.heading`, `${field}[${i}]`, `pupils[${i}].birthYear`: the named tail, positions aside.
          const tail = m[2]!
            .replace(/\$\{[^}]*\}/g, '')
            .replace(/\[\]/g, '')
            .replace(/^\./, '');
          if (tail && !tail.startsWith('-')) names.add(tail);
        }
      }
    }
  };
  for (const dir of ['services/domain/src', 'services/application/src', 'services/api/src/graphql'])
    walk(path.join(root, dir));
  return names;
}

const known = (name: string) => {
  const segments = name.split('.');
  return segments.some((_, i) => Object.hasOwn(fieldLabels, segments.slice(i).join('.')));
};

describe('field names in words', () => {
  it('names every argument and input field of the GraphQL schema in Vietnamese and English', () => {
    const names = schemaFieldNames();
    expect(names.size).toBeGreaterThan(80);
    expect([...names].filter((n) => !known(n))).toEqual([]);
  });

  it('names every field the deciders and resolvers refuse', () => {
    const names = namedInCode();
    expect(names).toContain('effectiveDate');
    expect(names).toContain('offlineSender.name');
    expect([...names].filter((n) => !known(n))).toEqual([]);
  });

  it('has two non-empty words for each, none of them a code name', () => {
    for (const [key, label] of Object.entries(fieldLabels)) {
      expect(label.vi, key).toMatch(/^\p{Lu}/u);
      expect(label.en, key).toMatch(/^\p{Lu}/u);
      for (const word of [label.vi, label.en]) expect(word, key).not.toMatch(/\b[a-z]+[A-Z]\w*/);
    }
  });
});
