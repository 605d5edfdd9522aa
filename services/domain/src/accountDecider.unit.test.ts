import { describe, expect, it } from 'vitest';
import { foldAccount, type AccountEvent } from './account';
import { accountDecider, type EraseAccount, type RegisterAccount, type VerifyEmail } from './accountDecider';
import { ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from './errors';
import { accounts, actors, ids, T } from './testkit/builders';
import { specFor } from './testkit/spec';

const given = specFor(accountDecider);

const accountId = accounts.participant;
const keyId = '3f9a1b2c-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const lookup = 'ab'.repeat(32);
const base = { accountId, now: T.drafting, actor: actors.participant };

const register = (over: Partial<RegisterAccount> = {}): RegisterAccount => ({
  type: 'RegisterAccount',
  ...base,
  emailLookup: lookup,
  email: 'phuhuynh@example.vn',
  displayName: 'Trần Thị Hoà',
  pseudonym: null,
  stakeholderCategory: 'parent',
  personalDataKeyId: keyId,
  origin: 'self',
  issuedByOrganizationId: null,
  preferredLocale: 'vi',
  ...over,
});
const verify = (over: Partial<VerifyEmail> = {}): VerifyEmail => ({ type: 'VerifyEmail', ...base, ...over });
const erase = (over: Partial<EraseAccount> = {}): EraseAccount => ({
  type: 'EraseAccount',
  ...base,
  requestReference: 'Đơn số 12/2025',
  ...over,
});

const registered = (over: Partial<Extract<AccountEvent, { type: 'AccountRegistered' }>['data']> = {}): AccountEvent => ({
  type: 'AccountRegistered',
  data: {
    accountId,
    emailLookup: lookup,
    email: 'phuhuynh@example.vn',
    displayName: 'Trần Thị Hoà',
    pseudonym: null,
    stakeholderCategory: 'parent',
    personalDataKeyId: keyId,
    origin: 'self',
    issuedByOrganizationId: null,
    preferredLocale: 'vi',
    ...over,
  },
});
const verified: AccountEvent = { type: 'AccountEmailVerified', data: { accountId } };
const erased: AccountEvent = { type: 'AccountErased', data: { accountId, erasedBy: accountId, requestReference: 'Đơn số 12/2025' } };

describe('RegisterAccount', () => {
  it('registers a participant who signs up', () => {
    given([]).when(register()).then([registered()]);
  });

  it('normalises the name and pseudonym to NFC', () => {
    given([])
      .when(register({ displayName: ' Trần Thị Hoà '.normalize('NFD'), pseudonym: 'Mẹ bé Hòa'.normalize('NFD') }))
      .then([registered({ displayName: 'Trần Thị Hoà', pseudonym: 'Mẹ bé Hòa' })]);
  });

  it('lets a school’s staff issue an account to a pupil', () => {
    given([])
      .when(register({ actor: actors.staff, origin: 'issued', issuedByOrganizationId: ids.organization, stakeholderCategory: 'student' }))
      .then([registered({ origin: 'issued', issuedByOrganizationId: ids.organization, stakeholderCategory: 'student' })]);
  });

  it('lets an admin create an account', () => {
    given([]).when(register({ actor: actors.admin, origin: 'admin' })).then([registered({ origin: 'admin' })]);
  });

  it('is refused when the account exists', () => {
    given([registered()]).when(register()).then(IllegalStateError, 'ACCOUNT_ALREADY_EXISTS');
  });

  it('is refused when an issued account is not issued by staff', () => {
    given([])
      .when(register({ origin: 'issued', issuedByOrganizationId: ids.organization }))
      .then(ForbiddenError, 'STAFF_ONLY');
  });

  it('is refused when an admin-created account is not created by an admin', () => {
    given([]).when(register({ actor: actors.staff, origin: 'admin' })).then(ForbiddenError, 'ADMIN_ONLY');
  });

  it.each(['no-at-sign', 'a@b', 'two@@example.vn', 'sp ace@example.vn'])('is refused with the email %s', (email) => {
    given([]).when(register({ email })).then(ValidationError, 'email');
  });

  it('is refused with an empty display name', () => {
    given([]).when(register({ displayName: '  ' })).then(ValidationError, 'displayName');
  });

  it('is refused with a display name over 100 characters', () => {
    given([]).when(register({ displayName: 'a'.repeat(101) })).then(ValidationError, 'displayName');
  });

  it('is refused with an email lookup that is not an HMAC', () => {
    given([]).when(register({ emailLookup: 'phuhuynh@example.vn' })).then(ValidationError, 'emailLookup');
  });

  it('is refused when an issued account names no issuing organisation', () => {
    given([]).when(register({ actor: actors.staff, origin: 'issued' })).then(ValidationError, 'issuedByOrganizationId');
  });
});

describe('VerifyEmail', () => {
  it('marks the email verified', () => {
    given([registered()]).when(verify()).then([verified]);
  });

  it('does nothing when already verified', () => {
    given([registered(), verified]).when(verify()).then([]);
  });

  it('is refused on an account that does not exist', () => {
    given([]).when(verify()).then(NotFoundError, 'account');
  });

  it('is refused on an erased account', () => {
    given([registered(), erased]).when(verify()).then(IllegalStateError, 'ACCOUNT_ERASED');
  });
});

describe('EraseAccount', () => {
  it('lets the account holder erase their account', () => {
    given([registered()]).when(erase()).then([erased]);
  });

  it('lets an admin erase an account', () => {
    given([registered()])
      .when(erase({ actor: actors.admin }))
      .then([{ type: 'AccountErased', data: { accountId, erasedBy: accounts.admin, requestReference: 'Đơn số 12/2025' } }]);
  });

  it('is refused to someone else', () => {
    given([registered()]).when(erase({ actor: actors.otherParticipant })).then(ForbiddenError, 'SELF_OR_ADMIN');
  });

  it.each([
    ['erase', erase()],
    ['register', register()],
  ])('is refused (%s) once erased', (_, command) => {
    given([registered(), erased]).when(command).then(IllegalStateError, 'ACCOUNT_ERASED');
  });
});

describe('evolveAccount', () => {
  it('forgets personal data once erased', () => {
    expect(foldAccount([registered(), verified])).toMatchObject({ status: 'registered', verified: true, displayName: 'Trần Thị Hoà' });
    expect(foldAccount([registered(), erased])).toMatchObject({ status: 'erased', email: null, displayName: null, pseudonym: null });
  });
});
