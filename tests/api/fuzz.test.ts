/**
 * Property-based fuzzing of the GraphQL inputs (fast-check). For every mutation with arguments, every query with
 * arguments and the fields with arguments one level below them (a policy's comments, analysis, diff…; a viewer's
 * notifications…), arbitrary argument values are derived from the printed schema's input types: strings with control
 * characters, lone surrogates, formulas and very long ones; huge, negative and fractional numbers; malformed ids,
 * dates, instants, log positions, cursors and periods next to real ones taken from the running platform; nested lists;
 * input objects with fields missing or extra; wrong enum values; values of the wrong type and nulls. Each is sent as
 * variables or inline as literals, by a signed-in member of staff and by a participant. Properties: never an HTTP 5xx,
 * never an INTERNAL error, and for a mutation, nothing stored unless it answered success.
 *
 * `npm test` runs GOPY_FUZZ_RUNS (default 4) runs per field and caller, each field within GOPY_FUZZ_FIELD_MS (default
 * 4000 ms); e.g. GOPY_FUZZ_RUNS=300 GOPY_FUZZ_FIELD_MS=120000 for a longer search. A failure names the field, the
 * caller, fast-check's seed and the shrunk arguments; GOPY_FUZZ_SEED replays it.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  isInterfaceType,
  getNamedType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../support/platform';
import {
  CLOSE_CONSULTATION,
  ERROR_FIELDS,
  expectRefusal,
  openPolicy,
  signInAs,
  stopPlatform,
  submitComment,
  ok,
  verifiedParticipant,
  staffOrganizationId,
  type Client,
  type ResultUnion,
} from './support';
import { LogWatch, printedSchema } from './securityWorld';

const RUNS = Number(process.env.GOPY_FUZZ_RUNS ?? 4);
const FIELD_MS = Number(process.env.GOPY_FUZZ_FIELD_MS ?? 4000);
const SEED = process.env.GOPY_FUZZ_SEED === undefined ? undefined : Number(process.env.GOPY_FUZZ_SEED);

const schema = printedSchema();

/* ------------------------------------------------------------------ what is fuzzed */

interface Target {
  /** e.g. `submitComment`, `policies`, `policy.comments` */
  name: string;
  operation: 'mutation' | 'query';
  field: GraphQLField<unknown, unknown>;
  /** For a nested field: the query around it, `{}` marking where the field goes. */
  wrap?: () => string;
}

/** Nothing to generate for a field without arguments, and signOut would end the session the other runs use. */
const mutationTargets: Target[] = Object.values(schema.getMutationType()!.getFields())
  .filter((f) => f.args.length > 0)
  .map((field) => ({ name: field.name, operation: 'mutation' as const, field }));

const queryTargets: Target[] = Object.values(schema.getQueryType()!.getFields())
  .filter((f) => f.args.length > 0)
  .map((field) => ({ name: field.name, operation: 'query' as const, field }));

const ids: Record<string, string[]> = {};
const nestedParents: Record<string, () => string> = {
  Policy: () => `policy(id: "${ids.policy![0]}") { {} }`,
  Viewer: () => `viewer { {} }`,
  Organization: () => `organizations { {} }`,
  Digest: () => `digest(id: "${ids.digest![0]}") { {} }`,
  DigestTheme: () => `digest(id: "${ids.digest![0]}") { themes { {} } }`,
};
const nestedTargets: Target[] = Object.entries(nestedParents).flatMap(([typeName, wrap]) => {
  const type = schema.getType(typeName);
  if (!isObjectType(type)) throw new Error(`${typeName} is no longer an object type of the schema`);
  return Object.values(type.getFields())
    .filter((f) => f.args.length > 0)
    .map((field) => ({ name: `${typeName}.${field.name}`, operation: 'query' as const, field, wrap }));
});

/* ------------------------------------------------------------------ values, from the schema's input types */

/** Strings that have broken parsers, documents and spreadsheets before. */
const NASTY = [
  '\u0000',
  '\u0007',
  '\u001b[31m',
  '\b',
  '\r',
  '\r\n',
  '\u0085',
  '\u2028',
  '\u202e',
  '\u200b',
  '\ufeff',
  '\ud800',
  '\udfff',
  '\ufffe',
  '\uffff',
  '\u{10ffff}',
  'e\u0301',
  'hoà',
  'hòa',
  'Ðường',
  '=1+1',
  '+SUM(A1:A9)',
  '-2+3',
  '@cmd',
  "'; DROP TABLE policies; --",
  '../../../etc/passwd',
  '<script>alert(1)</script>',
  '%00',
  '${7*7}',
  '\\',
  '"',
  '💥',
  '__proto__',
  'constructor',
];

const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...NASTY), { minLength: 1, maxLength: 6 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\n', '\t') },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('a', 'ộ', '\u0000', '='), fc.integer({ min: 1_000, max: 60_000 }))
      .map(([c, n]) => c.repeat(n)),
  },
);

const malformedId = fc.constantFrom(
  '',
  'zzz',
  '0',
  '-1',
  'null',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  ' 0190a3c4-0000-7000-8000-000000000000 ',
  '0190a3c4-0000-7000-8000-00000000000g',
  '../policies',
  '%00',
  'x'.repeat(5_000),
);

const POSITIONS = ['0', '-1', '1e309', '0x10', '99999999999999999999', '1.5', ' 1', 'MA==', '(1,2)', '', 'zzz'];
const CURSORS = ['', 'zzz', 'MA==', 'LTE=', 'OTk5OTk5OTk5OTk5OTk5OTk5OTk=', '%%%', 'null', '{"seq":1}'];
const PERIODS = ['2026-2027-S1', '2025-2026-S2', '2026-2028-S1', '9999-10000-S1', '2026-2027-S3', '-1-0-S1', 'S1', ''];
const DATES = [
  '2026-12-15',
  '2026-02-30',
  '0000-00-00',
  '9999-12-31',
  '2026-1-5',
  'yesterday',
  '',
  '2026-12-15T00:00:00Z',
];
const INSTANTS = [
  '2026-12-15T10:00:00Z',
  '2026-02-30T25:61:61Z',
  '0000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '2026-12-15',
  'yesterday',
  'now',
  '',
  '1e12',
];

function pool(name: string): string[] {
  return ids[name] ?? [];
}

/** Real values first where the argument's name says what it refers to, so runs get past "not found". */
function namedString(argName: string): fc.Arbitrary<string> | undefined {
  const n = argName.toLowerCase();
  const real = (key: string) => (pool(key).length ? fc.constantFrom(...pool(key)) : fc.constant(randomUUID()));
  if (n === 'after' || n === 'before' || n === 'asof' || n.endsWith('position'))
    return fc.oneof(real('position'), real('cursor'), fc.constantFrom(...POSITIONS, ...CURSORS), text);
  if (n === 'period') return fc.oneof(fc.constantFrom(...PERIODS), text);
  if (n.includes('email') || n === 'signinname')
    return fc.oneof(real('email'), fc.emailAddress(), fc.constantFrom('a@b', '@', 'A@EXAMPLE.VN', 'x@y.z\u0000'), text);
  if (n.includes('base64'))
    return fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('base64')),
      text,
    );
  if (n === 'sha256')
    return fc.oneof(
      real('sha256'),
      fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
      text,
    );
  if (n === 'token' || n === 'code' || n === 'password') return text;
  return undefined;
}

function idFor(argName: string): fc.Arbitrary<string | number> {
  const n = argName.toLowerCase();
  const key = n.includes('policy')
    ? 'policy'
    : n.includes('comment') || n === 'representativecommentid'
      ? 'comment'
      : n.includes('organization')
        ? 'organization'
        : n.includes('account')
          ? 'account'
          : n.includes('theme')
            ? 'theme'
            : n.includes('group')
              ? 'group'
              : n.includes('alert')
                ? 'alert'
                : n.includes('channel')
                  ? 'channel'
                  : n.includes('consent')
                    ? 'consent'
                    : n.includes('node') || n.includes('section')
                      ? 'node'
                      : 'any';
  const real = key === 'any' ? Object.values(ids).flat() : pool(key);
  return fc.oneof(
    { weight: 4, arbitrary: real.length ? fc.constantFrom(...real) : fc.uuid() },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: malformedId },
    { weight: 1, arbitrary: fc.integer() },
  );
}

const intValue = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -3, max: 5 }) },
  { weight: 2, arbitrary: fc.integer() },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      2 ** 31 - 1,
      2 ** 31,
      -(2 ** 31),
      -(2 ** 31) - 1,
      2 ** 53 + 1,
      1e300,
      -0,
      0.5,
      201,
      5_001,
    ),
  },
);

/** A value of the wrong kind for any position: the schema's coercion must refuse it, typed. */
const wrongKind: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constant({}),
  fc.constant([]),
  fc.constant(true),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.constant('x'),
  fc.constant({ nested: { deeper: [1, 'a', null] } }),
);

/**
 * Values for an input type. `strict`: shaped as GraphQL's own coercion accepts (right kinds, enum names, required
 * fields present, no unknown fields), so the run reaches the resolvers with hostile content; otherwise anything may
 * be of the wrong kind, null, missing or extra, for the coercion and the scalars to refuse.
 */
function valueFor(type: GraphQLInputType, argName: string, depth: number, strict: boolean): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) {
    if (strict) return nonNullValue(type.ofType, argName, depth, strict);
    return fc.oneof(
      { weight: 12, arbitrary: nonNullValue(type.ofType, argName, depth, strict) },
      { weight: 1, arbitrary: wrongKind },
    );
  }
  const inner = nonNullValue(type, argName, depth, strict);
  return fc.oneof({ weight: 8, arbitrary: inner }, { weight: 1, arbitrary: fc.constant(null) });
}

/** One of `arbitrary`, or (not strict) now and then a value of the wrong kind. */
function orWrong(strict: boolean, arbitrary: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return strict ? arbitrary : fc.oneof({ weight: 8, arbitrary }, { weight: 1, arbitrary: wrongKind });
}

function nonNullValue(type: GraphQLInputType, argName: string, depth: number, strict: boolean): fc.Arbitrary<unknown> {
  if (isListType(type)) {
    const item = valueFor(type.ofType, argName, depth + 1, strict);
    return fc.oneof(
      { weight: 6, arbitrary: fc.array(item, { maxLength: depth > 2 ? 1 : 4 }) },
      { weight: 1, arbitrary: item },
      { weight: strict ? 0 : 1, arbitrary: fc.array(fc.array(item, { maxLength: 2 }), { maxLength: 2 }) },
      { weight: depth > 1 ? 0 : 1, arbitrary: fc.array(item, { minLength: 200, maxLength: 400 }) },
    );
  }
  if (isEnumType(type)) {
    const names = type.getValues().map((v) => v.name);
    if (strict) return fc.constantFrom(...names);
    return fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...names) },
      { weight: 1, arbitrary: fc.constantFrom(...names.map((v) => v.toLowerCase()), 'NOT_A_VALUE', '', 'WEB ') },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }) },
    );
  }
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    // Deep draft trees are bounded: a node's children get fewer chances to nest.
    const entries = fields.map((f) => {
      const value =
        depth > 3 && isListType(isNonNullType(f.type) ? f.type.ofType : f.type)
          ? fc.constant([])
          : valueFor(f.type, f.name, depth + 1, strict);
      if (strict && isNonNullType(f.type)) return value;
      return fc.option(value, { nil: undefined, freq: isNonNullType(f.type) ? 12 : 3 });
    });
    const extraField = strict ? fc.constant(undefined) : fc.option(text, { nil: undefined, freq: 6 });
    const object = fc.tuple(...entries, extraField).map((values) => {
      const out: Record<string, unknown> = {};
      fields.forEach((f, i) => {
        if (values[i] !== undefined) out[f.name] = values[i];
      });
      const extra = values[fields.length];
      if (extra !== undefined) out.notInTheSchema = extra;
      return out;
    });
    return orWrong(strict, object);
  }
  if (isScalarType(type)) {
    const named = type.name === 'String' || type.name === 'ID' ? namedString(argName) : undefined;
    if (named) return orWrong(strict, named);
    switch (type.name) {
      case 'ID':
        return strict ? idFor(argName).map(String) : idFor(argName);
      case 'String':
        return orWrong(strict, text);
      case 'Int':
        return orWrong(strict, strict ? fc.oneof(fc.integer({ min: -3, max: 5 }), fc.integer()) : intValue);
      case 'Float':
        return orWrong(
          strict,
          fc.oneof(
            { weight: 6, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
            { weight: 2, arbitrary: fc.constantFrom(0, -1, 1, 0.5, 1e308, -1e308, 5e-324) },
          ),
        );
      case 'Boolean':
        return orWrong(strict, fc.boolean());
      case 'DateTime':
        return orWrong(
          strict,
          fc.oneof(
            { weight: 3, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
            {
              weight: 3,
              arbitrary: fc
                .integer({ min: -400 * 86_400, max: 400 * 86_400 })
                .map((s) => new Date(Date.now() + s * 1000).toISOString()),
            },
            { weight: 2, arbitrary: fc.constantFrom(...INSTANTS) },
          ),
        );
      case 'Date':
        return orWrong(
          strict,
          fc.oneof(
            { weight: 2, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)) },
            { weight: 2, arbitrary: fc.constantFrom(...DATES) },
          ),
        );
      default:
        return orWrong(strict, text);
    }
  }
  throw new Error(`no values for the input type ${String(type)}`);
}

/** Arguments for a field: each present (required ones nearly always), sometimes one the field does not have. */
function argumentsFor(field: GraphQLField<unknown, unknown>, strict: boolean): fc.Arbitrary<Record<string, unknown>> {
  const entries = field.args.map((a: GraphQLArgument) =>
    strict && isNonNullType(a.type)
      ? valueFor(a.type, a.name, 0, strict)
      : fc.option(valueFor(a.type, a.name, 0, strict), { nil: undefined, freq: isNonNullType(a.type) ? 15 : 2 }),
  );
  return fc.tuple(...entries).map((values) => {
    const out: Record<string, unknown> = {};
    field.args.forEach((a, i) => {
      if (values[i] !== undefined) out[a.name] = values[i];
    });
    return out;
  });
}

/* ------------------------------------------------------------------ documents */

function selection(type: GraphQLOutputType): string {
  const named = getNamedType(type);
  if (isUnionType(named)) return `{ __typename ... on Error { code } }`;
  if (isObjectType(named) || isInterfaceType(named)) return `{ __typename }`;
  return '';
}

/** A GraphQL literal for a value (the schema's type decides whether a string is written as an enum name). */
function literal(value: unknown, type: GraphQLInputType | undefined): string {
  const inner = type && isNonNullType(type) ? type.ofType : type;
  if (value === null) return 'null';
  if (Array.isArray(value))
    return `[${value.map((v) => literal(v, inner && isListType(inner) ? inner.ofType : undefined)).join(', ')}]`;
  if (typeof value === 'object') {
    const fields = inner && isInputObjectType(inner) ? inner.getFields() : {};
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${literal(v, fields[k]?.type)}`)
      .join(', ')}}`;
  }
  if (typeof value === 'string' && inner && isEnumType(inner) && /^[_A-Za-z][_0-9A-Za-z]*$/.test(value)) return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '0';
  return JSON.stringify(value);
}

function documentFor(
  target: Target,
  args: Record<string, unknown>,
  inline: boolean,
): { query: string; variables: Record<string, unknown> } {
  const present = target.field.args.filter((a) => a.name in args);
  const call = present.length
    ? `(${present.map((a) => `${a.name}: ${inline ? literal(args[a.name], a.type) : `$${a.name}`}`).join(', ')})`
    : '';
  const signature =
    !inline && present.length ? `(${present.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ')})` : '';
  const body = `fuzzed: ${target.field.name}${call} ${selection(target.field.type)}`;
  const query = `${target.operation} Fuzz${signature} { ${target.wrap ? target.wrap().replace('{}', body) : body} }`;
  return { query, variables: inline ? {} : Object.fromEntries(present.map((a) => [a.name, args[a.name]])) };
}

/* ------------------------------------------------------------------ the platform, the callers and the pools */

let platform: Platform;
let log: LogWatch;
const callers: Record<'staff' | 'participant', Client> = {} as never;
const stats = { requests: 0, succeeded: 0, refused: 0, httpStatuses: new Map<number, number>() };

/** Every id of the pool's kind that a selection returns, gathered from the platform as a client would see it. */
async function gatherIds(staff: Client, auditor: Client): Promise<void> {
  const add = (key: string, ...values: (string | undefined | null)[]) => {
    ids[key] ??= [];
    for (const v of values) if (v && !ids[key].includes(v)) ids[key].push(v);
  };
  const data = await auditor.gql<{
    organizations: { id: string; channels: { id: string }[] }[];
    policies: { edges: { cursor: string; node: { id: string } }[] };
    viewer: { account: { id: string } };
  }>(
    `{ organizations { id channels { id } } viewer { account { id } } policies(first: 50) { edges { cursor node { id } } } }`,
  );
  add('organization', ...data.organizations.map((o) => o.id));
  add('channel', ...data.organizations.flatMap((o) => o.channels.map((c) => c.id)));
  add('account', data.viewer.account.id);
  for (const { cursor, node } of data.policies.edges) {
    add('policy', node.id);
    add('cursor', cursor);
    const { policy } = await auditor.gql<{ policy: any }>(
      `query P($id: ID!) { policy(id: $id) { currentVersion { nodes { id children { id } } }
        digest(round: 1) { id themes { id } } comments(first: 10) { edges { cursor node { id } } } } }`,
      { id: node.id },
    );
    for (const n of policy.currentVersion?.nodes ?? []) add('node', n.id, ...(n.children ?? []).map((c: any) => c.id));
    if (policy.digest) {
      add('digest', policy.digest.id);
      add('theme', ...policy.digest.themes.map((t: any) => t.id));
    }
    for (const c of policy.comments.edges) {
      add('comment', c.node.id);
      add('cursor', c.cursor);
    }
  }
  const { viewer } = await staff.gql<{ viewer: { account: { id: string } } }>(`{ viewer { account { id } } }`);
  add('account', viewer.account.id);
  const logged = await log.appended();
  add(
    'position',
    ...logged.filter((_, i) => i % Math.max(1, Math.floor(logged.length / 10)) === 0).map((e) => e.position),
  );
  add('email', ...platform.demoAccounts.map((a) => a.email));
}

beforeAll(async () => {
  platform = await startPlatform({
    demo: true,
    env: {
      GOPY_SEAL_INTERVAL_MS: '3600000',
      GOPY_NOTIFY_MAIL_INTERVAL_MS: '3600000',
      GOPY_RATE_SIGNINS_PER_MINUTE: '100000',
      GOPY_RATE_SIGNUPS_PER_HOUR: '100000',
      GOPY_RATE_COMMENTS_PER_MINUTE: '100000',
    },
  });
  const staff = await signInAs(platform, 'staff');
  const auditor = await signInAs(platform, 'auditor');
  callers.staff = staff;
  callers.participant = (await verifiedParticipant(platform)).api;
  log = new LogWatch(auditor);
  // A closed round with a digest and a theme, and comments, so that runs reach the digest and analysis code.
  const orgId = await staffOrganizationId(staff);
  const open = await openPolicy(staff, orgId);
  addId('openPolicy', open.id);
  for (const body of ['Đề nghị giữ nguyên mức thu.', 'Đề nghị giảm mức thu cho xã khó khăn.'])
    ok(await submitComment(callers.participant, { policyId: open.id, body, stance: 'OPPOSE' }));
  const closing = await openPolicy(staff, orgId);
  ok(
    await submitComment(callers.participant, {
      policyId: closing.id,
      body: 'Ý kiến trước khi đóng.',
      stance: 'NEUTRAL',
    }),
  );
  ok(
    (await staff.gql<{ closeConsultation: ResultUnion }>(CLOSE_CONSULTATION, { policyId: closing.id, reason: 'Đủ.' }))
      .closeConsultation,
  );
  ok(
    (
      await staff.gql<{ startDigest: ResultUnion }>(
        `mutation($p: ID!) { startDigest(policyId: $p, round: 1) { __typename ... on Error { code message } } }`,
        { p: closing.id },
      )
    ).startDigest,
  );
  ok(
    (
      await staff.gql<{ defineTheme: ResultUnion }>(
        `mutation($p: ID!) { defineTheme(policyId: $p, round: 1, title: "Mức thu") { __typename ... on Error { code message } } }`,
        { p: closing.id },
      )
    ).defineTheme,
  );
  await gatherIds(staff, auditor);
  addId('sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
}, 240_000);

function addId(key: string, value: string) {
  (ids[key] ??= []).push(value);
}

afterAll(async () => {
  await stopPlatform(platform);
  if (stats.requests) {
    console.log(
      `fuzz: ${mutationTargets.length} mutations, ${queryTargets.length} queries and ${nestedTargets.length} nested fields; ` +
        `${stats.requests} requests (${stats.succeeded} mutations succeeded, ${stats.refused} refused or invalid), ` +
        `HTTP ${JSON.stringify(Object.fromEntries([...stats.httpStatuses].sort()))}`,
    );
  }
});

async function fuzz(target: Target, who: 'staff' | 'participant'): Promise<void> {
  const api = callers[who];
  const runs = fc.oneof(
    { weight: 2, arbitrary: argumentsFor(target.field, true) },
    { weight: 1, arbitrary: argumentsFor(target.field, false) },
  );
  const mutation = target.operation === 'mutation';
  const property = fc.asyncProperty(runs, fc.boolean(), async (args, inline) => {
    const { query, variables } = documentFor(target, args, inline);
    await log.appended();
    // support's client: the answer is below HTTP 500, JSON, and has no INTERNAL error.
    const res = await api.raw<Record<string, any>>(query, variables);
    stats.requests += 1;
    stats.httpStatuses.set(res.status, (stats.httpStatuses.get(res.status) ?? 0) + 1);
    const value = res.data?.fuzzed;
    expect([...(res.errors ?? []).map((e) => e.extensions?.code), value?.code], JSON.stringify(res)).not.toContain(
      'INTERNAL',
    );
    const success =
      !res.errors?.length &&
      (value === true || (typeof value === 'object' && value !== null && /Success$/.test(value.__typename)));
    if (mutation) stats[success ? 'succeeded' : 'refused'] += 1;
    // A query stores nothing either (policyAsOf's read log is an auditor's, and these callers are not auditors).
    const stored = (await log.appendedByRequests()).map((e) => `${e.type} on ${e.streamId}`);
    expect(mutation && success ? [] : stored, `${success ? 'answered' : 'refused'} ${JSON.stringify(res)}`).toEqual([]);
  });
  await fc.assert(property, {
    numRuns: RUNS,
    interruptAfterTimeLimit: FIELD_MS,
    ...(SEED === undefined ? {} : { seed: SEED }),
  });
}

describe('fuzzed GraphQL inputs: never a 5xx or INTERNAL, nothing stored when refused', () => {
  it('covers every mutation with arguments (signOut has none) and the queries and nested fields with them', () => {
    const mutations = Object.values(schema.getMutationType()!.getFields());
    expect(mutations.filter((f) => f.args.length === 0).map((f) => f.name)).toEqual(['signOut']);
    expect(queryTargets.length).toBeGreaterThan(10);
    expect(nestedTargets.map((t) => t.name)).toContain('Policy.comments');
  });

  for (const target of [...mutationTargets, ...queryTargets, ...nestedTargets]) {
    for (const who of ['staff', 'participant'] as const) {
      it(`${target.operation} ${target.name} as ${who}`, () => fuzz(target, who), 60_000 + FIELD_MS * 2);
    }
  }
});

describe('found by fuzzing', () => {
  it('a lone surrogate in an idempotency key or a period is VALIDATION naming the field, not INTERNAL', async () => {
    const staff = callers.staff;
    const policyId = ids.openPolicy![0]!;
    const orgId = await staffOrganizationId(staff);
    await log.appended();
    const offline = await staff.gql<{ recordOfflineFeedback: ResultUnion }>(
      `mutation($input: RecordOfflineFeedbackInput!) { recordOfflineFeedback(input: $input) { ${ERROR_FIELDS} } }`,
      {
        input: {
          policyId,
          channel: 'LETTER',
          receivedAt: new Date().toISOString(),
          stakeholderCategory: 'CITIZEN',
          body: 'Thư góp ý.',
          stance: 'NEUTRAL',
          idempotencyKey: 'thư-\ud800',
        },
      },
    );
    expectRefusal(offline.recordOfflineFeedback, {
      typename: 'ValidationError',
      code: 'VALIDATION',
      field: 'idempotencyKey',
    });
    const web = await callers.participant.gql<{ submitComment: ResultUnion }>(
      `mutation($input: SubmitCommentInput!) { submitComment(input: $input) { ${ERROR_FIELDS} } }`,
      { input: { policyId, body: 'Ý kiến.', stance: 'SUPPORT', idempotencyKey: '\udfff' } },
    );
    expectRefusal(web.submitComment, { typename: 'ValidationError', code: 'VALIDATION', field: 'idempotencyKey' });
    const report = await staff.gql<{ compileSemesterReport: ResultUnion }>(
      `mutation($org: ID!, $period: String!) { compileSemesterReport(organizationId: $org, period: $period) { ${ERROR_FIELDS} } }`,
      { org: orgId, period: '2026-2027-S1\ud800' },
    );
    expectRefusal(report.compileSemesterReport, { typename: 'ValidationError', code: 'VALIDATION', field: 'period' });
    expect(await log.appendedByRequests()).toEqual([]);
  });
});
