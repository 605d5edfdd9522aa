/**
 * Auditors read everything and write nothing. The schema is introspected, so a mutation added later is covered
 * without touching this file: an auditor calls every mutation with plausible arguments (real ids of the demo
 * data, so a refusal cannot come from a missing policy or comment) and each one must be refused with a typed
 * FORBIDDEN or UNAUTHENTICATED error, and the log must not grow. Only the account's own session mutations are
 * left out, by name, below.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../support/platform';
import { ERROR_FIELDS, ok, signInAs, stopPlatform, type Client, type ResultUnion } from './support';

/**
 * What an auditor may call: their own session and credentials. None of them is a write by the auditor to the
 * log (sessions and password hashes live in the auth store, not in events); signUp and verifyEmail act for a
 * new, signed-out person.
 */
const ACCOUNT_SELF_MUTATIONS = [
  'signIn',
  'signInWithCode',
  'signOut',
  'signUp',
  'verifyEmail',
  'requestPasswordReset',
  'resetPassword',
];

const REFUSAL_CODES = new Set(['FORBIDDEN', 'UNAUTHENTICATED']);

/**
 * Mutations that check their target or input before the caller's role, and whose target the demo data lacks or
 * whose input the generic arguments here cannot make valid (no surge alert has fired, no digest theme is defined,
 * no pupil exists, a file must be a real document). They are still called, must still be
 * refused with exactly this code and must still write nothing; their role refusals are covered by their own suites.
 */
const NO_TARGET_IN_DEMO: Record<string, string> = {
  acknowledgeAlert: 'NOT_FOUND',
  assignCommentsToTheme: 'VALIDATION',
  attachVersionDocument: 'VALIDATION',
  recordConsent: 'NOT_FOUND',
  withdrawConsent: 'NOT_FOUND',
};

interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}
interface InputValue {
  name: string;
  type: TypeRef;
  defaultValue: string | null;
}
interface FullType {
  kind: string;
  name: string;
  fields: { name: string; args: InputValue[]; type: TypeRef }[] | null;
  inputFields: InputValue[] | null;
  enumValues: { name: string }[] | null;
  possibleTypes: { name: string }[] | null;
}

const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }';
const INTROSPECTION = `{
  __schema {
    mutationType { name }
    types {
      kind name
      fields { name type { ${TYPE_REF} } args { name defaultValue type { ${TYPE_REF} } } }
      inputFields { name defaultValue type { ${TYPE_REF} } }
      enumValues { name }
      possibleTypes { name }
    }
  }
}`;

function named(type: TypeRef): TypeRef {
  return type.ofType ? named(type.ofType) : type;
}

let platform: Platform;
let auditor: Client;
let auditorId: string;
let types: Map<string, FullType>;
let ids: Record<string, string>;
let mutations: FullType['fields'] & object;

beforeAll(async () => {
  platform = await startPlatform({
    demo: true,
    // Nothing in the background may append while the log is being counted.
    env: { GOPY_SEAL_INTERVAL_MS: '3600000', GOPY_NOTIFY_MAIL_INTERVAL_MS: '3600000' },
  });
  auditor = await signInAs(platform, 'auditor');
  const { __schema } = await auditor.gql<{ __schema: { mutationType: { name: string }; types: FullType[] } }>(
    INTROSPECTION,
  );
  types = new Map(__schema.types.map((t) => [t.name, t]));
  mutations = types.get(__schema.mutationType.name)!.fields!;

  // Real ids from the demo data, so no refusal can be a NOT_FOUND in disguise.
  const data = await auditor.gql<{
    viewer: { account: { id: string } };
    organizations: { id: string; kind: string }[];
    policies: {
      edges: {
        node: {
          id: string;
          status: string;
          currentRound: { round: number } | null;
          comments: { edges: { node: { id: string } }[] };
        };
      }[];
    };
  }>(`{
    viewer { account { id } }
    organizations { id kind }
    policies(first: 50) { edges { node { id status currentRound { round } comments(first: 2) { edges { node { id } } } } } }
  }`);
  auditorId = data.viewer.account.id;
  const open = data.policies.edges
    .map((e) => e.node)
    .find((p) => p.status === 'CONSULTATION' && p.comments.edges.length > 1);
  if (!open) throw new Error('the demo data has no policy in consultation with a comment');
  const district = data.organizations.find((o) => o.kind === 'DISTRICT_OFFICE') ?? data.organizations[0]!;
  ids = {
    policyId: open.id,
    commentId: open.comments.edges[0]!.node.id,
    parentCommentId: open.comments.edges[0]!.node.id,
    organizationId: district.id,
    accountId: auditorId,
  };

  // A duplicate group, so undoDuplicateGroup has a real target to refuse.
  const staff = await signInAs(platform, 'staff');
  const [first, second] = open.comments.edges.map((e) => e.node.id);
  const { confirmDuplicateGroup } = await staff.gql<{ confirmDuplicateGroup: ResultUnion }>(
    `mutation($input: ConfirmDuplicateGroupInput!) { confirmDuplicateGroup(input: $input) {
      ${ERROR_FIELDS} ... on MutationConfirmDuplicateGroupSuccess { data { group { id } } } } }`,
    {
      input: {
        policyId: open.id,
        round: open.currentRound!.round,
        commentIds: [first, second],
        representativeCommentId: first,
      },
    },
  );
  ids.groupId = ok<{ group: { id: string } }>(confirmDuplicateGroup).group.id;
}, 180_000);

afterAll(async () => {
  await stopPlatform(platform);
});

/** A plausible value for an argument or input field, by its name first, then by its type. */
function valueFor(name: string, type: TypeRef, depth = 0): unknown {
  if (type.kind === 'NON_NULL') return valueFor(name, type.ofType!, depth);
  if (type.kind === 'LIST') return [valueFor(name, type.ofType!, depth + 1)];
  if (ids[name]) return ids[name];
  const t = types.get(type.name!)!;
  switch (t.kind) {
    case 'ENUM':
      return t.enumValues![0]!.name;
    case 'INPUT_OBJECT': {
      const out: Record<string, unknown> = {};
      for (const field of t.inputFields!) {
        const required = field.type.kind === 'NON_NULL' && field.defaultValue === null;
        if (!required) continue;
        // A node tree: one node with no children is enough.
        out[field.name] = field.name === 'children' || depth > 2 ? [] : valueFor(field.name, field.type, depth + 1);
      }
      return out;
    }
    case 'SCALAR':
      break;
    default:
      throw new Error(`no value for ${name}: ${t.kind} ${t.name}`);
  }
  switch (t.name) {
    case 'ID':
      return randomUUID();
    case 'Int':
      return 1;
    case 'Float':
      return 1;
    case 'Boolean':
      return true;
    case 'Date':
      return new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    case 'DateTime':
      return new Date(Date.now() + 30 * 86_400_000).toISOString();
    case 'String':
      // An account that exists, so grantRoles cannot answer "no such account" first.
      if (/email/i.test(name)) return platform.demoAccounts.find((a) => a.roles.includes('participant'))!.email;
      if (name === 'period') return '2026-2027-S1';
      if (/base64/i.test(name)) return Buffer.from('Điều 1. Phạm vi').toString('base64');
      if (/^(number)$/.test(name)) return '1';
      return 'Kiểm toán viên thử ghi: phải bị từ chối.';
    default:
      return 'x';
  }
}

/** Declares every argument as a variable so the values travel as JSON, typed as the schema types them. */
function typeText(type: TypeRef): string {
  if (type.kind === 'NON_NULL') return `${typeText(type.ofType!)}!`;
  if (type.kind === 'LIST') return `[${typeText(type.ofType!)}]`;
  return type.name!;
}

interface Outcome {
  mutation: string;
  code: string | null;
  how: 'union' | 'top-level' | 'none';
  detail: string;
  /** A refusal returned in the union says why in both languages. */
  bilingual?: boolean;
}

async function callAsAuditor(field: NonNullable<FullType['fields']>[number]): Promise<Outcome> {
  const variables: Record<string, unknown> = {};
  const declared: string[] = [];
  const passed: string[] = [];
  for (const arg of field.args) {
    const required = arg.type.kind === 'NON_NULL' && arg.defaultValue === null;
    if (!required) continue;
    variables[arg.name] = valueFor(arg.name, arg.type);
    declared.push(`$${arg.name}: ${typeText(arg.type)}`);
    passed.push(`${arg.name}: $${arg.name}`);
  }
  const result = named(field.type);
  const selection =
    types.get(result.name!)!.kind === 'UNION' || types.get(result.name!)!.kind === 'OBJECT'
      ? `{ __typename ... on Error { code message messageVi messageEn } }`
      : '';
  const query = `mutation Attempt${declared.length ? `(${declared.join(', ')})` : ''} {
    ${field.name}${passed.length ? `(${passed.join(', ')})` : ''} ${selection}
  }`;
  const res = await auditor.raw<
    Record<string, { __typename?: string; code?: string; messageVi?: string; messageEn?: string } | null>
  >(query, variables);
  const value = res.data?.[field.name];
  if (value && typeof value === 'object' && typeof value.code === 'string') {
    return {
      mutation: field.name,
      code: value.code,
      how: 'union',
      detail: value.__typename ?? '',
      bilingual: Boolean(value.messageVi) && Boolean(value.messageEn),
    };
  }
  const top = res.errors?.[0];
  if (top)
    return { mutation: field.name, code: String(top.extensions?.code ?? ''), how: 'top-level', detail: top.message };
  return { mutation: field.name, code: null, how: 'none', detail: JSON.stringify(value) };
}

async function logSize(): Promise<number> {
  const { auditVerification } = await auditor.gql<{ auditVerification: { events: number; ok: boolean } }>(
    `{ auditVerification { events ok } }`,
  );
  expect(auditVerification.ok).toBe(true);
  return auditVerification.events;
}

async function eventsByAuditor(): Promise<string[]> {
  const { auditEvents } = await auditor.gql<{ auditEvents: { events: { type: string }[] } }>(
    `query ByActor($actor: ID) { auditEvents(actorAccountId: $actor, first: 500) { events { type } } }`,
    { actor: auditorId },
  );
  return auditEvents.events.map((e) => e.type);
}

describe('an auditor writes nothing', () => {
  it('lists the account-self exceptions by their names in the schema', () => {
    const names = mutations.map((f) => f.name);
    for (const name of ACCOUNT_SELF_MUTATIONS) expect(names, `${name} is no longer in the schema`).toContain(name);
    // Every other mutation is attempted below; a schema with only exceptions would test nothing.
    expect(names.filter((n) => !ACCOUNT_SELF_MUTATIONS.includes(n)).length).toBeGreaterThan(20);
  });

  it('is refused every other mutation with a typed FORBIDDEN or UNAUTHENTICATED, and the log does not grow', async () => {
    const before = await logSize();
    // Seeding wrote the auditor's own account events (registration, verified email); nothing may follow them.
    const byAuditorBefore = await eventsByAuditor();

    const outcomes: Outcome[] = [];
    for (const field of mutations) {
      if (ACCOUNT_SELF_MUTATIONS.includes(field.name)) continue;
      outcomes.push(await callAsAuditor(field));
    }
    const allowed = outcomes.filter(
      (o) => !o.code || !(REFUSAL_CODES.has(o.code) || NO_TARGET_IN_DEMO[o.mutation] === o.code),
    );
    expect(
      allowed,
      `mutations an auditor was not refused:\n${allowed.map((o) => `${o.mutation}: ${o.code ?? 'accepted'} ${o.detail}`).join('\n')}`,
    ).toEqual([]);
    // The exceptions above are exactly the mutations that answered so (a fixed one must leave the list).
    expect(
      outcomes
        .filter((o) => o.code && !REFUSAL_CODES.has(o.code))
        .map((o) => o.mutation)
        .sort(),
    ).toEqual(Object.keys(NO_TARGET_IN_DEMO).sort());
    expect(
      outcomes.filter((o) => o.how === 'union' && !o.bilingual).map((o) => o.mutation),
      'refusals without a message in Vietnamese and in English',
    ).toEqual([]);

    expect(await eventsByAuditor()).toEqual(byAuditorBefore);
    expect(await logSize()).toBe(before);
  });
});
