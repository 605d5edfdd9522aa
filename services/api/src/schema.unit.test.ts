import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportJsonSchemas } from '@gopy/schemas/jsonSchema';
import { printedSchema } from './graphql/schema';

const root = path.resolve(import.meta.dirname, '../../..');

describe('checked-in schemas', () => {
  it('schemas/graphql/schema.graphql is the schema printed from Pothos (run `npx gopy schema print` when this fails)', () => {
    expect(fs.readFileSync(path.join(root, 'schemas/graphql/schema.graphql'), 'utf8')).toBe(printedSchema());
  });

  it('schemas/json holds the JSON Schema of every event type exported from zod', () => {
    const dir = path.join(root, 'schemas/json');
    const exported = exportJsonSchemas();
    expect(fs.readdirSync(dir).sort()).toEqual(
      Object.keys(exported)
        .map((n) => `${n}.json`)
        .sort(),
    );
    for (const [name, schema] of Object.entries(exported)) {
      expect(JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')), name).toEqual(schema);
    }
  });
});
