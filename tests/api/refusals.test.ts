/**
 * Refusals that are not tied to one lifecycle step: authentication, roles, input validation, unknown ids, the
 * language of messages, and requests refused before any resolver runs. Each answer must be a typed refusal with a
 * stable code, never HTTP 500 and never INTERNAL (the client helper asserts that on every call).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../support/platform';
import {
  ERROR_FIELDS,
  PROPOSE_POLICY,
  SIGN_IN,
  SIGN_UP,
  START_DRAFTING,
  SUBMIT_COMMENT,
  VERIFY_EMAIL,
  client,
  demoAccount,
  expectEnglish,
  expectRefusal,
  expectVietnamese,
  openPolicy,
  signInAs,
  signUp,
  staffOrganizationId,
  submitComment,
  uniqueEmail,
  verifiedParticipant,
  type Client,
  type ResultUnion,
  stopPlatform,
} from './support';

let platform: Platform;
let anonymous: Client;
let staff: Client;
let organizationId: string;
let openPolicyId: string;

beforeAll(async () => {
  platform = await startPlatform();
  anonymous = client(platform.baseUrl);
  staff = await signInAs(platform, 'staff');
  organizationId = await staffOrganizationId(staff);
  openPolicyId = (await openPolicy(staff, organizationId)).id;
});

afterAll(async () => {
  await stopPlatform(platform);
});

const propose = (api: Client, title = 'Quy định mới về đồng phục học sinh') =>
  api
    .gql<{ proposePolicy: ResultUnion }>(PROPOSE_POLICY, { input: { organizationId, title, summary: '' } })
    .then((d) => d.proposePolicy);

const signUpInput = (overrides: Record<string, unknown> = {}) => ({
  email: uniqueEmail(),
  password: 'mật-khẩu-đủ-dài-123',
  displayName: 'Phạm Văn Bình',
  stakeholderCategory: 'CITIZEN',
  ...overrides,
});

describe('authentication', () => {
  it('a mutation without a session is UNAUTHENTICATED', async () => {
    expectRefusal(await propose(anonymous), { typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED' });
  });

  it('an unknown or expired session token is UNAUTHENTICATED', async () => {
    expectRefusal(await propose(client(platform.baseUrl, 'not-a-real-session-token')), {
      typename: 'UnauthenticatedError',
      code: 'UNAUTHENTICATED',
    });
    const { viewer } = await client(platform.baseUrl, 'not-a-real-session-token').gql<{ viewer: null }>(
      `{ viewer { account { id } } }`,
    );
    expect(viewer).toBeNull();
  });

  it('a wrong password is UNAUTHENTICATED, with the same answer as an unknown email', async () => {
    const staffAccount = demoAccount(platform, 'staff');
    const wrong = (
      await anonymous.gql<{ signIn: ResultUnion }>(SIGN_IN, { email: staffAccount.email, password: 'sai-mật-khẩu-rồi' })
    ).signIn;
    expectRefusal(wrong, { typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED' });
    const unknown = (
      await anonymous.gql<{ signIn: ResultUnion }>(SIGN_IN, {
        email: uniqueEmail('khong-co'),
        password: 'sai-mật-khẩu-rồi',
      })
    ).signIn;
    expectRefusal(unknown, { typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED' });
    expect(unknown).toEqual(wrong);
  });

  it('signing out ends the session', async () => {
    const participant = await verifiedParticipant(platform);
    const { signOut } = await participant.api.gql<{ signOut: boolean }>(`mutation { signOut }`);
    expect(signOut).toBe(true);
    const { viewer } = await participant.api.gql<{ viewer: null }>(`{ viewer { account { id } } }`);
    expect(viewer).toBeNull();
    expectRefusal(
      await submitComment(participant.api, { policyId: openPolicyId, body: 'Sau khi đăng xuất', stance: 'NEUTRAL' }),
      {
        typename: 'UnauthenticatedError',
        code: 'UNAUTHENTICATED',
      },
    );
  });
});

describe('roles', () => {
  it('a participant cannot propose a policy (FORBIDDEN STAFF_ONLY)', async () => {
    const participant = await signInAs(platform, 'participant');
    expectRefusal(await propose(participant), { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'STAFF_ONLY' });
  });

  it('staff cannot propose for an organisation they do not belong to (FORBIDDEN STAFF_ONLY)', async () => {
    const result = (
      await staff.gql<{ proposePolicy: ResultUnion }>(PROPOSE_POLICY, {
        input: { organizationId: randomUUID(), title: 'Chính sách', summary: '' },
      })
    ).proposePolicy;
    expectRefusal(result, { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'STAFF_ONLY' });
  });

  it('a moderator cannot start drafting (FORBIDDEN STAFF_ONLY)', async () => {
    const { policies } = await anonymous.gql<{ policies: { edges: { node: { id: string } }[] } }>(
      `{ policies(status: PROPOSED, first: 1) { edges { node { id } } } }`,
    );
    const moderator = await signInAs(platform, 'moderator');
    const { startDrafting } = await moderator.gql<{ startDrafting: ResultUnion }>(START_DRAFTING, {
      policyId: policies.edges[0]!.node.id,
    });
    expectRefusal(startDrafting, { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'STAFF_ONLY' });
  });

  it('a participant who has not verified the email cannot comment (FORBIDDEN EMAIL_NOT_VERIFIED)', async () => {
    const account = await signUp(platform);
    const { signIn } = await anonymous.gql<{ signIn: ResultUnion & { data?: { token: string } } }>(SIGN_IN, {
      email: account.email,
      password: account.password,
    });
    const api = client(platform.baseUrl, signIn.data!.token);
    expectRefusal(
      await submitComment(api, { policyId: openPolicyId, body: 'Chưa xác nhận email', stance: 'SUPPORT' }),
      {
        typename: 'ForbiddenError',
        code: 'FORBIDDEN',
        rule: 'EMAIL_NOT_VERIFIED',
      },
    );
  });
});

describe('validation', () => {
  it('a malformed email on sign-up is VALIDATION field email', async () => {
    const { signUp: result } = await anonymous.gql<{ signUp: ResultUnion }>(SIGN_UP, {
      input: signUpInput({ email: 'không-phải-email' }),
    });
    expectRefusal(result, { typename: 'ValidationError', code: 'VALIDATION', field: 'email' });
  });

  it('a too short password on sign-up is VALIDATION field password', async () => {
    const { signUp: result } = await anonymous.gql<{ signUp: ResultUnion }>(SIGN_UP, {
      input: signUpInput({ password: 'ngắn' }),
    });
    expectRefusal(result, { typename: 'ValidationError', code: 'VALIDATION', field: 'password' });
  });

  it('an email already registered answers like a new one, whatever its case (no account enumeration)', async () => {
    const taken = demoAccount(platform, 'staff').email;
    const fresh = await signUp(platform);
    for (const email of [taken, taken.toUpperCase(), fresh.email]) {
      const { signUp: result } = await anonymous.gql<{ signUp: ResultUnion }>(SIGN_UP, {
        input: signUpInput({ email }),
      });
      // The same answer as for a new address; the mail to the address says it is registered already.
      expect(result.__typename, JSON.stringify(result)).toBe('MutationSignUpSuccess');
    }
  });

  it('a bad verification token is VALIDATION field token', async () => {
    const { verifyEmail } = await anonymous.gql<{ verifyEmail: ResultUnion }>(VERIFY_EMAIL, { token: 'khong-hop-le' });
    expectRefusal(verifyEmail, { typename: 'ValidationError', code: 'VALIDATION', field: 'token' });
  });

  it('an empty title is VALIDATION field title', async () => {
    expectRefusal(await propose(staff, '   '), { typename: 'ValidationError', code: 'VALIDATION', field: 'title' });
  });

  it('an empty comment is VALIDATION field body', async () => {
    const participant = await verifiedParticipant(platform);
    expectRefusal(await submitComment(participant.api, { policyId: openPolicyId, body: '  ', stance: 'SUPPORT' }), {
      typename: 'ValidationError',
      code: 'VALIDATION',
      field: 'body',
    });
  });

  // The errors plugin hands resolvers a proxy of the error, so InputValidationError is recognised by its issues.
  it('an argument refused by its schema is a typed InputValidationError (VALIDATION with the field)', async () => {
    const participant = await verifiedParticipant(platform);
    const { submitComment: result } = await participant.api.gql<{ submitComment: ResultUnion }>(SUBMIT_COMMENT, {
      input: { policyId: openPolicyId, body: 'Góp ý', stance: 'SUPPORT', idempotencyKey: '' },
    });
    const refusal = expectRefusal(result, { typename: 'InputValidationError', code: 'VALIDATION' });
    expect(refusal.field).toMatch(/idempotencyKey/);
  });
});

describe('unknown things', () => {
  it('an unknown policy is NOT_FOUND', async () => {
    const { startDrafting } = await staff.gql<{ startDrafting: ResultUnion }>(START_DRAFTING, {
      policyId: randomUUID(),
    });
    expectRefusal(startDrafting, { typename: 'NotFoundError', code: 'NOT_FOUND' });
    const { startDrafting: notAnId } = await staff.gql<{ startDrafting: ResultUnion }>(START_DRAFTING, {
      policyId: 'khong-phai-uuid',
    });
    expectRefusal(notAnId, { typename: 'NotFoundError', code: 'NOT_FOUND' });
  });

  it('an unknown field is a GraphQL validation error, not INTERNAL', async () => {
    const res = await anonymous.raw(`{ policies(first: 1) { edges { node { khongCo } } } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('language of messages', () => {
  it('`message` is Vietnamese by default and English with accept-language: en', async () => {
    const participantAccount = demoAccount(platform, 'participant');
    const { signIn } = await anonymous.gql<{ signIn: ResultUnion & { data?: { token: string } } }>(SIGN_IN, {
      email: participantAccount.email,
      password: participantAccount.password,
    });
    const token = signIn.data!.token;
    const vi = await propose(client(platform.baseUrl, token));
    expectRefusal(vi, { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'STAFF_ONLY', locale: 'vi' });
    expectVietnamese(vi.message!);
    const viExplicit = await propose(client(platform.baseUrl, token, 'vi'));
    expect(viExplicit.message).toBe(vi.messageVi);
    const en = await propose(client(platform.baseUrl, token, 'en'));
    expectRefusal(en, { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'STAFF_ONLY', locale: 'en' });
    expectEnglish(en.message!);
    expect(en.message).toBe(vi.messageEn);
    // Code, rule and both messages do not depend on the language asked for.
    expect({ ...en, message: undefined }).toEqual({ ...vi, message: undefined });
  });

  it('a browser-style accept-language header choosing English is honoured', async () => {
    const res = await fetch(`${platform.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-language': 'en-US,en;q=0.9,vi;q=0.8' },
      body: JSON.stringify({
        query: `mutation($t: String!) { verifyEmail(token: $t) { ${ERROR_FIELDS} } }`,
        variables: { t: 'sai' },
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { verifyEmail: ResultUnion } };
    expectRefusal(body.data.verifyEmail, {
      typename: 'ValidationError',
      code: 'VALIDATION',
      field: 'token',
      locale: 'en',
    });
  });

  it('every kind of refusal is answered in the language asked for', async () => {
    const en = client(platform.baseUrl, undefined, 'en');
    const signInEn = (
      await en.gql<{ signIn: ResultUnion }>(SIGN_IN, { email: uniqueEmail(), password: 'mật-khẩu-sai-123' })
    ).signIn;
    expectRefusal(signInEn, { typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED', locale: 'en' });
    const signUpEn = (await en.gql<{ signUp: ResultUnion }>(SIGN_UP, { input: signUpInput({ password: 'ngắn' }) }))
      .signUp;
    expectRefusal(signUpEn, { typename: 'ValidationError', code: 'VALIDATION', field: 'password', locale: 'en' });
    const staffEn = await signInAs(platform, 'staff', 'en');
    const notFound = (await staffEn.gql<{ startDrafting: ResultUnion }>(START_DRAFTING, { policyId: randomUUID() }))
      .startDrafting;
    expectRefusal(notFound, { typename: 'NotFoundError', code: 'NOT_FOUND', locale: 'en' });
  });
});

/**
 * Refusals that happen outside any result union (paging arguments, scalars, parsing, a query field's scope) can only
 * travel as top-level errors. They are still refusals with a stable code, not unexpected failures, so they must not
 * be masked as INTERNAL (services/api/src/app.ts `maskedErrors.maskError` lets them through with their code).
 */
describe('top-level refusals', () => {
  const COMMENTS = `query($id: ID!, $first: Int, $after: String) { policy(id: $id) { comments(first: $first, after: $after) { totalCount } } }`;

  it('an invalid `after` cursor is VALIDATION (field after), not INTERNAL', async () => {
    const res = await anonymous.raw(COMMENTS, { id: openPolicyId, first: 2, after: 'khong-phai-con-tro' });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION', field: 'after' });
  });

  it('a page size out of range is VALIDATION (field first), not INTERNAL', async () => {
    const res = await anonymous.raw(COMMENTS, { id: openPolicyId, first: 1000 });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION', field: 'first' });
  });

  it('a malformed DateTime variable is a GraphQL input error, not INTERNAL', async () => {
    const res = await staff.raw(
      `mutation($input: OpenConsultationInput!) { openConsultation(input: $input) { __typename } }`,
      { input: { policyId: openPolicyId, closesAt: 'ngày mai' } },
    );
    expect(res.errors?.length).toBeGreaterThan(0);
  });

  it('a query that does not parse is a GraphQL syntax error, not INTERNAL', async () => {
    const res = await anonymous.raw(`{ policies(first: 1) { `);
    expect(res.errors?.length).toBeGreaterThan(0);
  });

  it('members(organizationId) asked by a non-admin is FORBIDDEN, not INTERNAL', async () => {
    const res = await staff.raw(`query($o: ID!) { members(organizationId: $o) { roles } }`, { o: organizationId });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('members(organizationId) asked without a session is UNAUTHENTICATED, not INTERNAL', async () => {
    const res = await anonymous.raw(`query($o: ID!) { members(organizationId: $o) { roles } }`, { o: organizationId });
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
