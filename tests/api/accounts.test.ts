/**
 * Accounts and roles over HTTP: password reset by mail, and an administrator granting and removing roles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../support/platform';
import {
  ERROR_FIELDS,
  PROPOSE_POLICY,
  SIGN_IN,
  client,
  expectRefusal,
  mailsTo,
  ok,
  signIn,
  signInAs,
  sleep,
  staffOrganizationId,
  uniqueEmail,
  verifiedParticipant,
  waitForMail,
  type Client,
  type NewAccount,
  type PolicyView,
  type ResultUnion,
  stopPlatform,
} from './support';

const REQUEST_RESET = `mutation($email: String!) { requestPasswordReset(email: $email) }`;
const RESET_PASSWORD = `mutation($token: String!, $password: String!) {
  resetPassword(token: $token, password: $password) { ${ERROR_FIELDS} ... on MutationResetPasswordSuccess { data } }
}`;
const GRANT_ROLES = `mutation($organizationId: ID!, $email: String!, $roles: [Role!]!) {
  grantRoles(organizationId: $organizationId, email: $email, roles: $roles) {
    ${ERROR_FIELDS}
    ... on MutationGrantRolesSuccess { data { roles account { id displayName } organization { id name } } }
  }
}`;
const MEMBERS = `query($organizationId: ID!) { members(organizationId: $organizationId) { roles account { id displayName } } }`;

let platform: Platform;
let anonymous: Client;
let organizationId: string;

beforeAll(async () => {
  platform = await startPlatform();
  anonymous = client(platform.baseUrl);
  organizationId = await staffOrganizationId(await signInAs(platform, 'staff'));
});

afterAll(async () => {
  await stopPlatform(platform);
});

const signInResult = async (email: string, password: string) =>
  (await anonymous.gql<{ signIn: ResultUnion }>(SIGN_IN, { email, password })).signIn;

describe('password reset', () => {
  let account: NewAccount & { api: Client };
  let resetToken: string;
  const newPassword = 'mật-khẩu-mới-an-toàn-456';

  it('requestPasswordReset mails a link to /reset-password', async () => {
    account = await verifiedParticipant(platform);
    const { requestPasswordReset } = await anonymous.gql<{ requestPasswordReset: boolean }>(REQUEST_RESET, {
      email: account.email,
    });
    expect(requestPasswordReset).toBe(true);
    const escaped = platform.baseUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const { mail, match } = await waitForMail(
      platform,
      account.email,
      new RegExp(`${escaped}/reset-password\\?token=([A-Za-z0-9_-]+)`),
    );
    expect(mail.subject).toMatch(/mật khẩu/);
    resetToken = match[1]!;
  });

  it('a too short new password is refused and leaves the token usable (VALIDATION field password)', async () => {
    const { resetPassword } = await anonymous.gql<{ resetPassword: ResultUnion }>(RESET_PASSWORD, {
      token: resetToken,
      password: 'ngắn',
    });
    expectRefusal(resetPassword, { typename: 'ValidationError', code: 'VALIDATION', field: 'password' });
  });

  it('a bad reset token is refused (VALIDATION field token)', async () => {
    const { resetPassword } = await anonymous.gql<{ resetPassword: ResultUnion }>(RESET_PASSWORD, {
      token: 'khong-hop-le',
      password: newPassword,
    });
    expectRefusal(resetPassword, { typename: 'ValidationError', code: 'VALIDATION', field: 'token' });
  });

  it('resetPassword sets the new password: the old one fails, the new one works, old sessions end', async () => {
    const { resetPassword } = await anonymous.gql<{ resetPassword: ResultUnion }>(RESET_PASSWORD, {
      token: resetToken,
      password: newPassword,
    });
    expect(ok<boolean>(resetPassword)).toBe(true);
    expectRefusal(await signInResult(account.email, account.password), {
      typename: 'UnauthenticatedError',
      code: 'UNAUTHENTICATED',
    });
    const fresh = await signIn(platform, account.email, newPassword);
    const { viewer } = await fresh.gql<{ viewer: { account: { id: string } } }>(`{ viewer { account { id } } }`);
    expect(viewer.account.id).toBe(account.id);
    const old = await account.api.gql<{ viewer: null }>(`{ viewer { account { id } } }`);
    expect(old.viewer).toBeNull();
  });

  it('a reset token works only once (VALIDATION field token)', async () => {
    const { resetPassword } = await anonymous.gql<{ resetPassword: ResultUnion }>(RESET_PASSWORD, {
      token: resetToken,
      password: 'một-mật-khẩu-khác-789',
    });
    expectRefusal(resetPassword, { typename: 'ValidationError', code: 'VALIDATION', field: 'token' });
    ok(await signInResult(account.email, newPassword));
  });

  it('for an unknown email it still answers true and sends no mail', async () => {
    const unknown = uniqueEmail('khong-ton-tai');
    const before = (await platform.readMails()).length;
    const { requestPasswordReset } = await anonymous.gql<{ requestPasswordReset: boolean }>(REQUEST_RESET, {
      email: unknown,
    });
    expect(requestPasswordReset).toBe(true);
    await sleep(1_000);
    expect(await mailsTo(platform, unknown)).toEqual([]);
    expect((await platform.readMails()).length).toBe(before);
  });
});

describe('granting roles', () => {
  let admin: Client;
  let person: NewAccount & { api: Client };

  const members = async () =>
    (
      await admin.gql<{ members: { roles: string[]; account: { id: string; displayName: string } }[] }>(MEMBERS, {
        organizationId,
      })
    ).members;
  const grant = async (api: Client, email: string, roles: string[]) =>
    (await api.gql<{ grantRoles: ResultUnion }>(GRANT_ROLES, { organizationId, email, roles })).grantRoles;
  const proposeAs = async (api: Client) =>
    (
      await api.gql<{ proposePolicy: ResultUnion }>(PROPOSE_POLICY, {
        input: { organizationId, title: 'Quy định về hoạt động ngoại khoá', summary: 'Đề xuất của cán bộ mới.' },
      })
    ).proposePolicy;

  beforeAll(async () => {
    admin = await signInAs(platform, 'admin');
    person = await verifiedParticipant(platform, { displayName: 'Ngô Thị Thuỷ' });
  });

  it('before the grant, the participant may not propose (FORBIDDEN STAFF_ONLY)', async () => {
    expectRefusal(await proposeAs(person.api), { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'STAFF_ONLY' });
    expect((await members()).map((m) => m.account.id)).not.toContain(person.id);
  });

  it('only an administrator grants roles (FORBIDDEN ADMIN_ONLY for staff, UNAUTHENTICATED signed out)', async () => {
    const staff = await signInAs(platform, 'staff');
    expectRefusal(await grant(staff, person.email, ['STAFF']), {
      typename: 'ForbiddenError',
      code: 'FORBIDDEN',
      rule: 'ADMIN_ONLY',
    });
    expectRefusal(await grant(person.api, person.email, ['ADMIN']), {
      typename: 'ForbiddenError',
      code: 'FORBIDDEN',
      rule: 'ADMIN_ONLY',
    });
    expectRefusal(await grant(anonymous, person.email, ['STAFF']), {
      typename: 'UnauthenticatedError',
      code: 'UNAUTHENTICATED',
    });
    expect((await members()).map((m) => m.account.id)).not.toContain(person.id);
  });

  it('a grant to an email without an account is NOT_FOUND', async () => {
    expectRefusal(await grant(admin, uniqueEmail('chua-dang-ky'), ['STAFF']), {
      typename: 'NotFoundError',
      code: 'NOT_FOUND',
    });
  });

  it('the admin grants STAFF; the member is listed and may propose a policy', async () => {
    const membership = ok<{ roles: string[]; account: { id: string }; organization: { id: string; name: string } }>(
      await grant(admin, person.email, ['STAFF']),
    );
    expect(membership).toMatchObject({
      roles: ['STAFF'],
      account: { id: person.id },
      organization: { id: organizationId },
    });
    expect((await members()).find((m) => m.account.id === person.id)).toEqual({
      roles: ['STAFF'],
      account: { id: person.id, displayName: 'Ngô Thị Thuỷ' },
    });
    const { viewer } = await person.api.gql<{ viewer: { staffOrganizations: { id: string }[] } }>(
      `{ viewer { staffOrganizations { id } } }`,
    );
    expect(viewer.staffOrganizations.map((o) => o.id)).toEqual([organizationId]);
    const { policy } = ok<{ policy: PolicyView }>(await proposeAs(person.api));
    expect(policy.status).toBe('PROPOSED');
    expect(policy.owningOrganization.id).toBe(organizationId);
  });

  it('the admin changes the roles of a member', async () => {
    ok(await grant(admin, person.email, ['STAFF', 'MODERATOR']));
    expect((await members()).find((m) => m.account.id === person.id)?.roles.sort()).toEqual(['MODERATOR', 'STAFF']);
  });

  it('grantRoles with [] removes the member, who may no longer propose', async () => {
    const removed = ok<{ roles: string[] }>(await grant(admin, person.email, []));
    expect(removed.roles).toEqual([]);
    expect((await members()).map((m) => m.account.id)).not.toContain(person.id);
    const { viewer } = await person.api.gql<{ viewer: { staffOrganizations: { id: string }[] } }>(
      `{ viewer { staffOrganizations { id } } }`,
    );
    expect(viewer.staffOrganizations).toEqual([]);
    expectRefusal(await proposeAs(person.api), { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'STAFF_ONLY' });
  });

  it('removing someone who is not a member is refused (ILLEGAL_STATE NOT_A_MEMBER)', async () => {
    expectRefusal(await grant(admin, person.email, []), {
      typename: 'IllegalStateError',
      code: 'ILLEGAL_STATE',
      rule: 'NOT_A_MEMBER',
    });
  });
});
