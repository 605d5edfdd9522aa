/**
 * Abuse limits over HTTP, with the limits lowered through the environment (as a load test raises them):
 * rate limits on submitComment, signUp and signIn answer the typed RateLimitedError with when to retry;
 * a body over the limit is HTTP 413 with code PAYLOAD_TOO_LARGE; depth, cost and alias limits refuse the request
 * before it runs. Never a 500, never INTERNAL (the client helper asserts both on every call).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../support/platform';
import {
  ERROR_FIELDS,
  SIGN_IN,
  SIGN_UP,
  client,
  expectRefusal,
  ok,
  openPolicy,
  signInAs,
  staffOrganizationId,
  stopPlatform,
  submitComment,
  uniqueEmail,
  verifiedParticipant,
  type Client,
  type ResultUnion,
} from './support';

let platform: Platform;
let anonymous: Client;
let participant: Client;
let policyId: string;

const BODY_LIMIT = 20_000;

beforeAll(async () => {
  platform = await startPlatform({
    env: {
      GOPY_RATE_COMMENTS_PER_MINUTE: '3',
      GOPY_RATE_SIGNUPS_PER_HOUR: '3',
      GOPY_RATE_SIGNINS_PER_MINUTE: '4',
      GOPY_BODY_LIMIT_BYTES: String(BODY_LIMIT),
      GOPY_GRAPHQL_MAX_DEPTH: '11',
      GOPY_GRAPHQL_MAX_ALIASES: '3',
      GOPY_GRAPHQL_MAX_COST: '3000',
    },
  });
  anonymous = client(platform.baseUrl);
  const staff = await signInAs(platform, 'staff');
  policyId = (await openPolicy(staff, await staffOrganizationId(staff))).id;
  participant = (await verifiedParticipant(platform)).api;
}, 180_000);

afterAll(async () => {
  await stopPlatform(platform);
});

function expectRateLimited(result: ResultUnion) {
  expectRefusal(result, { typename: 'RateLimitedError', code: 'RATE_LIMITED' });
  const retry = (result as ResultUnion & { retryAfterSeconds: number }).retryAfterSeconds;
  expect(retry).toBeGreaterThanOrEqual(1);
  return retry;
}

describe('rate limits', () => {
  it('limits comments per account and says when to retry', async () => {
    for (let i = 0; i < 3; i++)
      ok(await submitComment(participant, { policyId, body: `Góp ý số ${i + 1} về dự thảo.`, stance: 'SUPPORT' }));
    const retry = expectRateLimited(
      await submitComment(participant, { policyId, body: 'Một góp ý nữa.', stance: 'OPPOSE' }),
    );
    expect(retry).toBeLessThanOrEqual(60);
  });

  it('limits sign-in attempts per email, whether or not the password is right', async () => {
    const email = uniqueEmail('doanmatkhau');
    for (let i = 0; i < 4; i++) {
      const { signIn } = await anonymous.gql<{ signIn: ResultUnion }>(SIGN_IN, {
        email,
        password: `sai-mat-khau-${i}`,
      });
      expectRefusal(signIn, { typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED' });
    }
    const { signIn } = await anonymous.gql<{ signIn: ResultUnion }>(SIGN_IN, { email, password: 'sai-mat-khau' });
    expectRateLimited(signIn);
  });

  it('limits sign-ups per address', async () => {
    const input = () => ({
      email: uniqueEmail(),
      password: 'mật-khẩu-đủ-dài-123',
      displayName: 'Lê Văn Tám',
      stakeholderCategory: 'CITIZEN',
    });
    // verifiedParticipant signed up once already.
    for (let i = 0; i < 2; i++) ok((await anonymous.gql<{ signUp: ResultUnion }>(SIGN_UP, { input: input() })).signUp);
    expectRateLimited((await anonymous.gql<{ signUp: ResultUnion }>(SIGN_UP, { input: input() })).signUp);
  });
});

describe('request limits', () => {
  it('answers a body over the limit with HTTP 413 and PAYLOAD_TOO_LARGE, not a 500', async () => {
    const body = JSON.stringify({
      query: `{ policies(first: 1) { edges { node { id } } } }`,
      variables: { padding: 'x'.repeat(BODY_LIMIT) },
    });
    const res = await fetch(`${platform.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(413);
    const json = (await res.json()) as {
      errors: { message: string; extensions: { code: string; messageEn: string } }[];
    };
    expect(json.errors[0]!.extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect(json.errors[0]!.extensions.messageEn).toMatch(/too large/);
    // A body under the limit still works.
    const small = await fetch(`${platform.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ policies(first: 1) { edges { node { id } } } }` }),
    });
    expect(small.status).toBe(200);
  });

  it('counts a chunked body that declares no length the same way', async () => {
    const chunked = (text: string) => {
      const bytes = new TextEncoder().encode(text);
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 4_096) controller.enqueue(bytes.slice(i, i + 4_096));
          controller.close();
        },
      });
      return fetch(`${platform.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        duplex: 'half',
      } as RequestInit);
    };
    const query = `{ policies(first: 1) { edges { node { id } } } }`;
    const big = await chunked(JSON.stringify({ query, variables: { padding: 'x'.repeat(BODY_LIMIT * 2) } }));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe(
      'PAYLOAD_TOO_LARGE',
    );
    const small = await chunked(JSON.stringify({ query }));
    expect(small.status).toBe(200);
    expect(((await small.json()) as { data: { policies: unknown } }).data.policies).toBeTruthy();
  });

  const refused = async (query: string, pattern: RegExp) => {
    const res = await anonymous.raw(query);
    expect(res.errors?.length, JSON.stringify(res)).toBeGreaterThan(0);
    expect(res.errors![0]!.message).toMatch(pattern);
    expect(res.data ?? null).toBeNull();
  };

  it('refuses a query deeper than the depth limit', async () => {
    const children = (n: number): string => (n === 0 ? 'id' : `id children { ${children(n - 1)} }`);
    await refused(`{ policy(id: "${policyId}") { versions { nodes { ${children(10)} } } } }`, /depth/i);
    // The same shape within the limit is answered.
    const res = await anonymous.raw(`{ policy(id: "${policyId}") { versions { nodes { ${children(3)} } } } }`);
    expect(res.errors).toBeUndefined();
  });

  it('refuses too many aliases', async () => {
    await refused(
      `{ a: policies { totalCount } b: policies { totalCount } c: policies { totalCount } d: policies { totalCount } }`,
      /alias/i,
    );
  });

  it('refuses a query over the cost limit', async () => {
    const wide = Array.from(
      { length: 12 },
      () =>
        `... on Policy { id title summary status commentCount comments(first: 5) { edges { node { id body stance authorName } } } }`,
    ).join(' ');
    await refused(`{ policies(first: 5) { edges { node { ${wide} } } } }`, /cost/i);
  });

  it('still answers ordinary queries and mutations under the limits', async () => {
    const { signIn } = await anonymous.gql<{ signIn: ResultUnion }>(
      `mutation { signIn(email: "x@example.test", password: "y") { ${ERROR_FIELDS} } }`,
    );
    expect(signIn.__typename).toMatch(/Error$/);
  });
});
