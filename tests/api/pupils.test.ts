/**
 * Pupils' accounts over GraphQL: a school issues a class list with one-time sign-in codes, a pupil signs in with the
 * code, and cannot comment until the school records a guardian's consent (and, from age 7, the pupil's own).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../support/platform';
import {
  ERROR_FIELDS,
  client,
  expectRefusal,
  ok,
  signIn,
  signInAs,
  stopPlatform,
  submitComment,
  verifiedParticipant,
  type Client,
  type ResultUnion,
} from './support';

const ISSUE = `mutation Issue($org: ID!, $className: String!, $pupils: [PupilInput!]!) {
  issuePupilAccounts(organizationId: $org, className: $className, pupils: $pupils) {
    ... on MutationIssuePupilAccountsSuccess { data { pupils { accountId displayName signInName code } } } ${ERROR_FIELDS} } }`;
const SIGN_IN_WITH_CODE = `mutation First($name: String!, $code: String!, $password: String!) {
  signInWithCode(signInName: $name, code: $code, password: $password) {
    ... on MutationSignInWithCodeSuccess { data { token account { id } } } ${ERROR_FIELDS} } }`;
const RECORD = `mutation Consent($id: ID!, $givenBy: ConsentGiver!, $name: String, $relationship: GuardianRelationship, $method: ConsentMethod!) {
  recordConsent(accountId: $id, givenBy: $givenBy, guardianName: $name, relationship: $relationship, method: $method) {
    ... on MutationRecordConsentSuccess { data { pupil { consentStatus consents { id givenBy active } } } } ${ERROR_FIELDS} } }`;
const WITHDRAW = `mutation Withdraw($id: ID!, $consent: ID!) { withdrawConsent(accountId: $id, consentId: $consent, reason: "Phụ huynh đề nghị") {
  ... on MutationWithdrawConsentSuccess { data { pupil { consentStatus } } } ${ERROR_FIELDS} } }`;
const PUPILS = `query P($org: ID!) { pupils(organizationId: $org) { accountId displayName className birthYear consentStatus } }`;

interface Issued {
  accountId: string;
  displayName: string;
  signInName: string;
  code: string;
}

let platform: Platform;
let school: Client;
let schoolId: string;
let policyId: string;
const thisYear = new Date().getUTCFullYear();

beforeAll(async () => {
  platform = await startPlatform();
  const account = platform.demoAccounts.find(
    (a) => (a as { organization?: string }).organization === 'Trường Tiểu học Kim Đồng',
  )!;
  school = await signIn(platform, account.email, account.password);
  const { viewer } = await school.gql<{ viewer: { memberships: { organization: { id: string } }[] } }>(
    `{ viewer { memberships { organization { id } } } }`,
  );
  schoolId = viewer.memberships[0]!.organization.id;
  const { policies } = await school.gql<{ policies: { edges: { node: { id: string } }[] } }>(
    `{ policies(first: 5, status: CONSULTATION) { edges { node { id } } } }`,
  );
  policyId = policies.edges[0]!.node.id;
}, 180_000);

afterAll(async () => {
  await stopPlatform(platform);
});

describe("pupils' accounts", () => {
  let older: Issued;
  let younger: Issued;
  let olderApi: Client;
  let youngerApi: Client;

  it('only the school’s staff issue a class list', async () => {
    const pupils = [{ displayName: 'Nguyễn Minh Khôi', birthYear: thisYear - 10 }];
    for (const who of [await signInAs(platform, 'staff'), (await verifiedParticipant(platform)).api]) {
      const { issuePupilAccounts } = await who.gql<{ issuePupilAccounts: ResultUnion }>(ISSUE, {
        org: schoolId,
        className: '4A',
        pupils,
      });
      expectRefusal(issuePupilAccounts, { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'STAFF_ONLY' });
    }
    const auditor = await signInAs(platform, 'auditor');
    expectRefusal(
      (await auditor.gql<{ issuePupilAccounts: ResultUnion }>(ISSUE, { org: schoolId, className: '4A', pupils }))
        .issuePupilAccounts,
      {
        typename: 'ForbiddenError',
        code: 'FORBIDDEN',
        rule: 'STAFF_ONLY',
      },
    );
    expectRefusal(
      (
        await client(platform.baseUrl).gql<{ issuePupilAccounts: ResultUnion }>(ISSUE, {
          org: schoolId,
          className: '4A',
          pupils,
        })
      ).issuePupilAccounts,
      {
        typename: 'UnauthenticatedError',
        code: 'UNAUTHENTICATED',
      },
    );
    // A bad row issues nothing.
    const bad = await school.gql<{ issuePupilAccounts: ResultUnion }>(ISSUE, {
      org: schoolId,
      className: '4A',
      pupils: [...pupils, { displayName: 'Lê Thu', birthYear: 1970 }],
    });
    expectRefusal(bad.issuePupilAccounts, {
      typename: 'ValidationError',
      code: 'VALIDATION',
      field: 'pupils[1].birthYear',
    });
    expect((await school.gql<{ pupils: unknown[] }>(PUPILS, { org: schoolId })).pupils).toEqual([]);
  });

  it('issues a class with sign-in names and one-time codes; a code signs in once', async () => {
    const { issuePupilAccounts } = await school.gql<{ issuePupilAccounts: ResultUnion }>(ISSUE, {
      org: schoolId,
      className: '1A và 4A',
      pupils: [
        { displayName: 'Nguyễn Minh Khôi', birthYear: thisYear - 10 },
        { displayName: 'Trần Bảo Ngọc', birthYear: thisYear - 6 },
      ],
    });
    [older, younger] = ok<{ pupils: Issued[] }>(issuePupilAccounts).pupils as [Issued, Issued];
    expect(older.signInName).toMatch(/^hs\.1ava4a\.01[0-9a-f]{6}$/);
    expect(older.code).toMatch(/^[A-Z2-9]{12}$/);
    const first = async (i: Issued, code: string) =>
      (
        await client(platform.baseUrl).gql<{ signInWithCode: ResultUnion }>(SIGN_IN_WITH_CODE, {
          name: i.signInName,
          code,
          password: 'mật khẩu của em 1',
        })
      ).signInWithCode;
    // Another pupil's code does not open this account, and burns nothing of its own.
    expectRefusal(await first(older, younger.code), { typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED' });
    olderApi = client(platform.baseUrl, ok<{ token: string }>(await first(older, older.code)).token);
    expectRefusal(await first(older, older.code), { typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED' });
    // Before its code is used, an issued account has no password anyone knows.
    const blind = await client(platform.baseUrl).gql<{ signIn: ResultUnion }>(
      `mutation S($e: String!, $p: String!) { signIn(email: $e, password: $p) { ... on MutationSignInSuccess { data { token } } ${ERROR_FIELDS} } }`,
      { e: younger.signInName, p: 'mật khẩu của em 1' },
    );
    expectRefusal(blind.signIn, { typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED' });
    youngerApi = client(
      platform.baseUrl,
      ok<{ token: string }>(await first(younger, younger.code.toLowerCase())).token,
    );
    // Signing in with the name and the new password works from then on.
    await signIn(platform, older.signInName, 'mật khẩu của em 1');
  });

  it('a pupil without consent cannot comment; a guardian’s consent is enough under 7, not from 7', async () => {
    const comment = (api: Client) =>
      submitComment(api, { policyId, body: 'Em muốn có thêm giờ đọc sách ở thư viện.', stance: 'SUGGESTION' });
    for (const api of [olderApi, youngerApi])
      expectRefusal(await comment(api), { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'CONSENT_REQUIRED' });

    const guardian = { givenBy: 'GUARDIAN', name: 'Nguyễn Văn Bình', relationship: 'FATHER', method: 'PAPER_FORM' };
    const participant = (await verifiedParticipant(platform)).api;
    expectRefusal(
      (await participant.gql<{ recordConsent: ResultUnion }>(RECORD, { id: older.accountId, ...guardian }))
        .recordConsent,
      {
        typename: 'ForbiddenError',
        code: 'FORBIDDEN',
        rule: 'STAFF_ONLY',
      },
    );
    const noName = await school.gql<{ recordConsent: ResultUnion }>(RECORD, {
      id: older.accountId,
      ...guardian,
      name: null,
    });
    expectRefusal(noName.recordConsent, { typename: 'ValidationError', code: 'VALIDATION', field: 'guardianName' });

    expect(
      ok<{ pupil: { consentStatus: string } }>(
        (await school.gql<{ recordConsent: ResultUnion }>(RECORD, { id: older.accountId, ...guardian })).recordConsent,
      ).pupil.consentStatus,
    ).toBe('MISSING');
    expectRefusal(await comment(olderApi), { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'CONSENT_REQUIRED' });
    const own = ok<{ pupil: { consentStatus: string } }>(
      (
        await school.gql<{ recordConsent: ResultUnion }>(RECORD, {
          id: older.accountId,
          givenBy: 'PUPIL',
          method: 'IN_PERSON',
        })
      ).recordConsent,
    );
    expect(own.pupil.consentStatus).toBe('GIVEN');
    ok(await comment(olderApi));

    const tooYoung = await school.gql<{ recordConsent: ResultUnion }>(RECORD, {
      id: younger.accountId,
      givenBy: 'PUPIL',
      method: 'IN_PERSON',
    });
    expectRefusal(tooYoung.recordConsent, {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'PUPIL_TOO_YOUNG_TO_CONSENT',
    });
    const youngerConsent = ok<{ pupil: { consents: { id: string }[] } }>(
      (
        await school.gql<{ recordConsent: ResultUnion }>(RECORD, {
          id: younger.accountId,
          ...guardian,
          relationship: 'MOTHER',
          name: 'Trần Thị Hương',
        })
      ).recordConsent,
    );
    ok(await comment(youngerApi));

    // Withdrawn, the account is silent again; the comments it made stay.
    const consentId = youngerConsent.pupil.consents[0]!.id;
    expect(
      ok<{ pupil: { consentStatus: string } }>(
        (await school.gql<{ withdrawConsent: ResultUnion }>(WITHDRAW, { id: younger.accountId, consent: consentId }))
          .withdrawConsent,
      ).pupil.consentStatus,
    ).toBe('MISSING');
    expectRefusal(await comment(youngerApi), {
      typename: 'ForbiddenError',
      code: 'FORBIDDEN',
      rule: 'CONSENT_REQUIRED',
    });
    const again = await school.gql<{ withdrawConsent: ResultUnion }>(WITHDRAW, {
      id: younger.accountId,
      consent: consentId,
    });
    expectRefusal(again.withdrawConsent, {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'CONSENT_ALREADY_WITHDRAWN',
    });

    const { pupils } = await school.gql<{
      pupils: { displayName: string; className: string; consentStatus: string }[];
    }>(PUPILS, { org: schoolId });
    expect(pupils.map((p) => [p.displayName, p.className, p.consentStatus])).toEqual([
      ['Nguyễn Minh Khôi', '1A và 4A', 'GIVEN'],
      ['Trần Bảo Ngọc', '1A và 4A', 'MISSING'],
    ]);
    expect((await participant.raw(PUPILS, { org: schoolId })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
