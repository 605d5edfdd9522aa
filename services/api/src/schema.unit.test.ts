import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEvent, upcasters } from '@gopy/schemas';
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
    // Earlier versions stay beside the current one (the log still holds them; upcasters read them as current).
    const earlier = Object.entries(upcasters).flatMap(([type, steps]) =>
      Object.keys(steps ?? {}).map((v) => `${type}.v${v}.json`),
    );
    expect(fs.readdirSync(dir).sort()).toEqual([...Object.keys(exported).map((n) => `${n}.json`), ...earlier].sort());
    for (const [name, schema] of Object.entries(exported)) {
      expect(JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')), name).toEqual(schema);
    }
  });

  it('reads v1 events as v2: a v1 version is a working draft, a v1 enactment has no known decision date', () => {
    const policyId = '0b6c1f3e-6a55-4c1e-9d0a-5f1f6f3b7a01';
    const by = 'a1111111-1111-4111-8111-111111111111';
    const v1Version = {
      policyId,
      version: 2,
      title: 'Dự thảo',
      nodes: [],
      changeNote: '',
      attachments: [],
      publishedBy: by,
    };
    expect(parseEvent('DraftVersionPublished', 1, v1Version).data).toEqual({
      ...v1Version,
      revisesRound: null,
      amendsVersion: null,
    });
    const v1Enacted = { policyId, version: 1, decisionNumber: '15/QĐ-UBND', effectiveDate: '2025-09-01', signedBy: by };
    expect(parseEvent('PolicyEnacted', 1, v1Enacted).data).toEqual({ ...v1Enacted, decisionDate: null });
    // The current version is read as written, and a v2 without the new fields is refused.
    expect(() => parseEvent('PolicyEnacted', 2, v1Enacted)).toThrow();
  });
});
