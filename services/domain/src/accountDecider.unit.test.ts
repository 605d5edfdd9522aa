import { describe, expect, it } from 'vitest';
import { consentStatus, foldAccount, standingOf, type AccountEvent } from './account';
import {
  accountDecider,
  type EnrolPupil,
  type EraseAccount,
  type RecordConsent,
  type RegisterAccount,
  type VerifyEmail,
  type WithdrawConsent,
} from './accountDecider';
import { ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from './errors';
import { accounts, actors, ids, T } from './testkit/builders';
import { specFor } from './testkit/spec';

const given = specFor(accountDecider);

const accountId = accounts.participant;
const keyId = '3f9a1b2c-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const base = { accountId, now: T.drafting, actor: actors.participant };

const register = (over: Partial<RegisterAccount> = {}): RegisterAccount => ({
  type: 'RegisterAccount',
  ...base,
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
  comments: 'anonymous',
  ...over,
});

const registered = (
  over: Partial<Extract<AccountEvent, { type: 'AccountRegistered' }>['data']> = {},
): AccountEvent => ({
  type: 'AccountRegistered',
  data: {
    accountId,
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
const erased: AccountEvent = {
  type: 'AccountErased',
  data: { accountId, erasedBy: accountId, requestReference: 'Đơn số 12/2025', comments: 'anonymous' },
};

describe('RegisterAccount', () => {
  it('registers a participant who signs up', () => {
    given([]).when(register()).then([registered()]);
  });

  it('normalises the name and pseudonym to NFC', () => {
    given([])
      .when(register({ displayName: ' Trần Thị Hoà '.normalize('NFD'), pseudonym: 'Mẹ bé Hòa'.normalize('NFD') }))
      .then([registered({ displayName: 'Trần Thị Hoà', pseudonym: 'Mẹ bé Hòa' })]);
  });

  it('is refused to anyone registering as a pupil but a school issuing the account (it records the guardian’s consent)', () => {
    const error = given([])
      .when(register({ stakeholderCategory: 'student' }))
      .then(ValidationError, 'stakeholderCategory');
    expect(error.messages.vi).toContain('do nhà trường cấp');
    given([])
      .when(register({ actor: actors.admin, origin: 'admin', stakeholderCategory: 'student' }))
      .then(ValidationError, 'stakeholderCategory');
  });

  it('lets a school’s staff issue an account to a pupil', () => {
    given([])
      .when(
        register({
          actor: actors.staff,
          origin: 'issued',
          issuedByOrganizationId: ids.organization,
          email: 'hs.kimdong.3a.07',
          stakeholderCategory: 'student',
        }),
      )
      .then([
        registered({
          origin: 'issued',
          issuedByOrganizationId: ids.organization,
          email: 'hs.kimdong.3a.07',
          stakeholderCategory: 'student',
        }),
      ]);
  });

  it('lets an admin create an account', () => {
    given([])
      .when(register({ actor: actors.admin, origin: 'admin' }))
      .then([registered({ origin: 'admin' })]);
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
    given([])
      .when(register({ actor: actors.staff, origin: 'admin' }))
      .then(ForbiddenError, 'ADMIN_ONLY');
  });

  it.each(['no-at-sign', 'a@b', 'two@@example.vn', 'sp ace@example.vn'])('is refused with the email %s', (email) => {
    given([]).when(register({ email })).then(ValidationError, 'email');
  });

  it('is refused with an empty display name', () => {
    given([])
      .when(register({ displayName: '  ' }))
      .then(ValidationError, 'displayName');
  });

  it('is refused with a display name over 100 characters', () => {
    given([])
      .when(register({ displayName: 'a'.repeat(101) }))
      .then(ValidationError, 'displayName');
  });

  it('carries no email lookup (it lives in the auth store, which erasure empties)', () => {
    const [event] = accountDecider.decide(register(), accountDecider.initialState);
    expect(Object.keys(event!.data)).not.toContain('emailLookup');
  });

  it('is refused when an issued account names no issuing organisation', () => {
    given([])
      .when(register({ actor: actors.staff, origin: 'issued', email: 'hs.kimdong.3a.07' }))
      .then(ValidationError, 'issuedByOrganizationId');
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

  it('records the choice to destroy the comments', () => {
    given([registered()])
      .when(erase({ comments: 'destroyed' }))
      .then([{ ...erased, data: { ...erased.data, comments: 'destroyed' } } as AccountEvent]);
  });

  it('is refused without a choice for the comments', () => {
    given([registered()])
      .when(erase({ comments: 'keep' as never }))
      .then(ValidationError, 'comments');
  });

  it('lets an admin erase an account', () => {
    given([registered()])
      .when(erase({ actor: actors.admin }))
      .then([
        {
          type: 'AccountErased',
          data: { accountId, erasedBy: accounts.admin, requestReference: 'Đơn số 12/2025', comments: 'anonymous' },
        },
      ]);
  });

  it('is refused to someone else', () => {
    given([registered()])
      .when(erase({ actor: actors.otherParticipant }))
      .then(ForbiddenError, 'SELF_OR_ADMIN');
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
    expect(foldAccount([registered(), verified])).toMatchObject({
      status: 'registered',
      verified: true,
      displayName: 'Trần Thị Hoà',
    });
    expect(foldAccount([registered(), erased])).toMatchObject({
      status: 'erased',
      email: null,
      displayName: null,
      pseudonym: null,
    });
  });
});

describe('pupils and consent', () => {
  const school = ids.organization;
  // T.drafting is in 2025: a pupil born in 2019 is 6 that year, one born in 2015 is 10.
  const issued = registered({
    origin: 'issued',
    issuedByOrganizationId: school,
    email: 'hs.kimdong.6a.01',
    stakeholderCategory: 'student',
  });
  const consentId = 'c1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a5b';
  const ownConsentId = 'c2b3c4d5-e6f7-4a80-9b0c-1d2e3f4a5b6c';
  const staffBase = { ...base, actor: actors.staff };
  const enrol = (over: Partial<EnrolPupil> = {}): EnrolPupil => ({
    type: 'EnrolPupil',
    ...staffBase,
    organizationId: school,
    className: '6A',
    birthYear: 2015,
    ...over,
  });
  const guardianConsent = (over: Partial<RecordConsent> = {}): RecordConsent => ({
    type: 'RecordConsent',
    ...staffBase,
    consentId,
    givenBy: 'guardian',
    guardianName: 'Nguyễn Văn Bình',
    relationship: 'father',
    method: 'paper_form',
    ...over,
  });
  const ownConsent = (over: Partial<RecordConsent> = {}): RecordConsent =>
    guardianConsent({
      consentId: ownConsentId,
      givenBy: 'pupil',
      guardianName: null,
      relationship: null,
      method: 'in_person',
      ...over,
    });
  const withdraw = (over: Partial<WithdrawConsent> = {}): WithdrawConsent => ({
    type: 'WithdrawConsent',
    ...staffBase,
    consentId,
    reason: 'Phụ huynh đề nghị.',
    ...over,
  });
  const enrolled = (birthYear = 2015): AccountEvent => ({
    type: 'PupilEnrolled',
    data: {
      accountId,
      organizationId: school,
      personalDataKeyId: keyId,
      className: '6A',
      birthYear,
      enrolledBy: accounts.staff,
    },
  });
  const guardianRecorded: AccountEvent = {
    type: 'ConsentRecorded',
    data: {
      accountId,
      consentId,
      givenBy: 'guardian',
      guardianName: 'Nguyễn Văn Bình',
      relationship: 'father',
      method: 'paper_form',
      recordedBy: accounts.staff,
      personalDataKeyId: keyId,
    },
  };
  const ownRecorded: AccountEvent = {
    type: 'ConsentRecorded',
    data: {
      accountId,
      consentId: ownConsentId,
      givenBy: 'pupil',
      guardianName: null,
      relationship: null,
      method: 'in_person',
      recordedBy: accounts.staff,
      personalDataKeyId: keyId,
    },
  };
  const withdrawn: AccountEvent = {
    type: 'ConsentWithdrawn',
    data: { accountId, consentId, withdrawnBy: accounts.staff, reason: 'Phụ huynh đề nghị.' },
  };

  it('a school issues an account with a sign-in name, not an email, and enrols the pupil', () => {
    given([])
      .when(
        register({
          actor: actors.staff,
          origin: 'issued',
          issuedByOrganizationId: school,
          email: 'hs.kimdong.6a.01',
          stakeholderCategory: 'student',
        }),
      )
      .then([issued]);
    given([issued]).when(enrol()).then([enrolled()]);
  });
  it('refuses a sign-in name that is not one, an enrolment by anyone but staff, of an account the school did not issue, twice', () => {
    given([])
      .when(register({ actor: actors.staff, origin: 'issued', issuedByOrganizationId: school, email: 'Học Sinh' }))
      .then(ValidationError, 'email');
    given([issued])
      .when(enrol({ actor: actors.participant }))
      .then(ForbiddenError, 'STAFF_ONLY');
    given([registered()]).when(enrol()).then(IllegalStateError, 'NOT_ISSUED_BY_SCHOOL');
    given([issued])
      .when(enrol({ organizationId: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' }))
      .then(IllegalStateError, 'NOT_ISSUED_BY_SCHOOL');
    given([issued, enrolled()]).when(enrol()).then(IllegalStateError, 'ALREADY_ENROLLED');
    given([issued])
      .when(enrol({ birthYear: 1980 }))
      .then(ValidationError, 'birthYear');
  });
  it('records a guardian’s consent, then the child’s own', () => {
    given([issued, enrolled()]).when(guardianConsent()).then([guardianRecorded]);
    given([issued, enrolled(), guardianRecorded]).when(ownConsent()).then([ownRecorded]);
  });
  it('refuses consent for an account that is no pupil, twice, without the guardian’s name, from a child under 7, by a participant', () => {
    given([issued]).when(guardianConsent()).then(IllegalStateError, 'NOT_A_PUPIL');
    given([issued, enrolled(), guardianRecorded])
      .when(guardianConsent({ consentId: ownConsentId }))
      .then(IllegalStateError, 'CONSENT_ALREADY_RECORDED');
    given([issued, enrolled()])
      .when(guardianConsent({ guardianName: '' }))
      .then(ValidationError, 'guardianName');
    given([issued, enrolled()])
      .when(guardianConsent({ relationship: null }))
      .then(ValidationError, 'relationship');
    given([issued, enrolled(2019)])
      .when(ownConsent())
      .then(IllegalStateError, 'PUPIL_TOO_YOUNG_TO_CONSENT');
    given([issued, enrolled()])
      .when(guardianConsent({ actor: actors.participant }))
      .then(ForbiddenError, 'STAFF_ONLY');
  });
  it('staff or the pupil withdraw a consent; not twice; not someone else', () => {
    given([issued, enrolled(), guardianRecorded]).when(withdraw()).then([withdrawn]);
    given([issued, enrolled(), guardianRecorded])
      .when(withdraw({ actor: actors.participant }))
      .then([
        {
          type: 'ConsentWithdrawn',
          data: { accountId, consentId, withdrawnBy: accountId, reason: 'Phụ huynh đề nghị.' },
        },
      ]);
    given([issued, enrolled(), guardianRecorded, withdrawn])
      .when(withdraw())
      .then(IllegalStateError, 'CONSENT_ALREADY_WITHDRAWN');
    given([issued, enrolled()]).when(withdraw()).then(NotFoundError, 'consent');
    given([issued, enrolled(), guardianRecorded])
      .when(withdraw({ actor: actors.otherParticipant }))
      .then(ForbiddenError, 'STAFF_ONLY');
  });
  it('whether the account may take part', () => {
    const at = T.drafting;
    expect(consentStatus(foldAccount([registered()]), at)).toBe('not_required');
    // A pupil's account before the school enrols it (and records consent) cannot take part yet.
    expect(consentStatus(foldAccount([issued]), at)).toBe('missing');
    // A 'student' who registered themself before that was refused has no guardian on record either.
    expect(consentStatus(foldAccount([registered({ stakeholderCategory: 'student' })]), at)).toBe('missing');
    expect(consentStatus(foldAccount([issued, enrolled()]), at)).toBe('missing');
    // Ten years old: the guardian's consent is not enough.
    expect(consentStatus(foldAccount([issued, enrolled(), guardianRecorded]), at)).toBe('missing');
    expect(consentStatus(foldAccount([issued, enrolled(), guardianRecorded, ownRecorded]), at)).toBe('given');
    // Six years old: the guardian's consent is enough.
    expect(consentStatus(foldAccount([issued, enrolled(2019), guardianRecorded]), at)).toBe('given');
    expect(consentStatus(foldAccount([issued, enrolled(2019), guardianRecorded, withdrawn]), at)).toBe('missing');
  });

  it('its standing to endorse and flag: a confirmed email, or a pupil’s account the school issued and vouched for', () => {
    const at = T.drafting;
    expect(standingOf(foldAccount([registered()]), at)).toEqual({ verified: false, consent: 'not_required' });
    expect(standingOf(foldAccount([registered(), verified]), at)).toEqual({ verified: true, consent: 'not_required' });
    expect(standingOf(foldAccount([registered(), verified, erased]), at).verified).toBe(false);
    // The school records AccountEmailVerified when it issues the account: what stands is the consent.
    expect(standingOf(foldAccount([issued, verified, enrolled()]), at)).toEqual({ verified: true, consent: 'missing' });
    expect(standingOf(foldAccount([issued, verified, enrolled(2019), guardianRecorded]), at)).toEqual({
      verified: true,
      consent: 'given',
    });
    expect(standingOf(foldAccount([]), at).verified).toBe(false);
  });
});
