import { StakeholderCategories, accountEvents, type StakeholderCategory } from '@gopy/schemas';
import { NotFoundError } from './errors';
import {
  evolveAccount,
  initialAccountState,
  OWN_CONSENT_AGE,
  pupilAge,
  type AccountEvent,
  type AccountState,
} from './account';
import { forbidden, illegalState } from './rules';
import {
  STAFF_ROLES,
  invalid,
  optionalText,
  optionalUuid,
  requireAnyRole,
  requireContext,
  requireOneOf,
  requireText,
  requireUuid,
  unreachable,
  type CommandBase,
  type Decider,
} from './shared';

interface AccountCommandBase extends CommandBase {
  accountId: string;
}

export interface RegisterAccount extends AccountCommandBase {
  type: 'RegisterAccount';
  email: string;
  displayName: string;
  pseudonym: string | null;
  stakeholderCategory: StakeholderCategory;
  personalDataKeyId: string;
  /** `self` for sign-up; `issued` for pupils' accounts a school hands out; `admin` for accounts an admin creates. */
  origin: 'self' | 'issued' | 'admin';
  issuedByOrganizationId: string | null;
  preferredLocale: 'vi' | 'en';
}
export interface VerifyEmail extends AccountCommandBase {
  type: 'VerifyEmail';
}
export interface EraseAccount extends AccountCommandBase {
  type: 'EraseAccount';
  /** The request asking for erasure (e.g. a letter's reference); never personal data. */
  requestReference: string;
  /** Whether the person's comments stay as anonymous contributions or have their bodies destroyed. */
  comments: 'anonymous' | 'destroyed';
}

/** A school enrols a pupil it issued the account to. */
export interface EnrolPupil extends AccountCommandBase {
  type: 'EnrolPupil';
  organizationId: string;
  className: string;
  birthYear: number;
}
/** The school records a guardian's consent, or the child's own, to the child's account taking part. */
export interface RecordConsent extends AccountCommandBase {
  type: 'RecordConsent';
  consentId: string;
  givenBy: 'guardian' | 'pupil';
  guardianName: string | null;
  relationship: 'mother' | 'father' | 'guardian' | 'other' | null;
  method: 'paper_form' | 'in_person' | 'electronic';
}
export interface WithdrawConsent extends AccountCommandBase {
  type: 'WithdrawConsent';
  consentId: string;
  reason: string;
}

export type AccountCommand =
  RegisterAccount | VerifyEmail | EraseAccount | EnrolPupil | RecordConsent | WithdrawConsent;

export function decideAccount(command: AccountCommand, state: AccountState): AccountEvent[] {
  requireContext(command);
  if (state.status === 'erased') throw illegalState('ACCOUNT_ERASED');
  if (command.type === 'RegisterAccount') return register(command, state);
  if (state.status === 'none' || state.accountId !== command.accountId) {
    throw new NotFoundError('account', command.accountId, {
      vi: `Không tìm thấy tài khoản ${command.accountId}.`,
      en: `Account ${command.accountId} not found.`,
    });
  }
  switch (command.type) {
    case 'VerifyEmail':
      return state.verified ? [] : [{ type: 'AccountEmailVerified', data: { accountId: command.accountId } }];
    case 'EraseAccount':
      return erase(command);
    case 'EnrolPupil':
      return enrol(command, state);
    case 'RecordConsent':
      return recordConsent(command, state);
    case 'WithdrawConsent':
      return withdrawConsent(command, state);
    default:
      return unreachable(command);
  }
}

/** Deliberately loose: one @, no spaces, a dot in the domain. The real check is the verification email. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Sign-in names of issued accounts: lower-case letters, digits, dots and hyphens (e.g. `hs.kimdong.6a.01`). */
export const SIGN_IN_NAME = /^[a-z0-9][a-z0-9.-]{2,63}$/;

function register(command: RegisterAccount, state: AccountState): AccountEvent[] {
  const origin = requireOneOf('origin', command.origin, ['self', 'issued', 'admin'] as const);
  // A school issues accounts to its pupils; only staff of that school may do it. Self sign-up needs no role.
  if (origin === 'issued') requireAnyRole(command.actor, STAFF_ROLES, 'STAFF_ONLY');
  if (origin === 'admin') requireAnyRole(command.actor, ['admin'], 'ADMIN_ONLY');
  if (state.status !== 'none') throw illegalState('ACCOUNT_ALREADY_EXISTS');
  const accountId = requireUuid('accountId', command.accountId);
  const email = requireText('email', command.email, { min: 3, max: 254 });
  // An issued account signs in with the sign-in name the school printed for it, carried in the email field.
  if (origin === 'issued' ? !SIGN_IN_NAME.test(email) : !EMAIL.test(email)) {
    throw invalid('email', 'Địa chỉ email không hợp lệ.', 'The email address is not valid.');
  }
  const displayName = requireText('displayName', command.displayName, { min: 1, max: 100 });
  const pseudonym = optionalText('pseudonym', command.pseudonym, { min: 1, max: 100 });
  const stakeholderCategory = requireOneOf('stakeholderCategory', command.stakeholderCategory, StakeholderCategories);
  // A pupil takes part through an account the school issues, where the school records the guardian's consent: nobody
  // else can vouch that a guardian agreed, so no one registers themself (or is registered by an admin) as a pupil.
  if (stakeholderCategory === 'student' && origin !== 'issued') {
    throw invalid(
      'stakeholderCategory',
      'Học sinh tham gia bằng tài khoản do nhà trường cấp (nhà trường ghi nhận sự đồng ý của cha mẹ hoặc người giám hộ); không tự đăng ký với tư cách học sinh được.',
      'Pupils take part with an account their school issues (the school records their guardian’s consent); nobody can register as a pupil themselves.',
    );
  }
  const personalDataKeyId = requireUuid('personalDataKeyId', command.personalDataKeyId);
  const issuedByOrganizationId = optionalUuid('issuedByOrganizationId', command.issuedByOrganizationId);
  if ((origin === 'issued') !== (issuedByOrganizationId !== null)) {
    throw invalid(
      'issuedByOrganizationId',
      'Chỉ tài khoản do trường cấp mới ghi tổ chức cấp, và phải ghi.',
      'issuedByOrganizationId is required for issued accounts and only for them.',
    );
  }
  const preferredLocale = requireOneOf('preferredLocale', command.preferredLocale, ['vi', 'en'] as const);
  return [
    {
      type: 'AccountRegistered',
      data: {
        accountId,
        email,
        displayName,
        pseudonym,
        stakeholderCategory,
        personalDataKeyId,
        origin,
        issuedByOrganizationId,
        preferredLocale,
      },
    },
  ];
}

function erase(command: EraseAccount): AccountEvent[] {
  if (command.actor.accountId !== command.accountId && !command.actor.roles.includes('admin'))
    throw forbidden('SELF_OR_ADMIN');
  const requestReference = requireText('requestReference', command.requestReference ?? '', { min: 0, max: 200 });
  const comments = requireOneOf('comments', command.comments, accountEvents.ErasureCommentChoices);
  return [
    {
      type: 'AccountErased',
      data: { accountId: command.accountId, erasedBy: command.actor.accountId, requestReference, comments },
    },
  ];
}

function enrol(command: EnrolPupil, state: AccountState): AccountEvent[] {
  requireAnyRole(command.actor, STAFF_ROLES, 'STAFF_ONLY');
  const organizationId = requireUuid('organizationId', command.organizationId);
  if (state.origin !== 'issued' || state.issuedByOrganizationId !== organizationId)
    throw illegalState('NOT_ISSUED_BY_SCHOOL');
  if (state.pupil) throw illegalState('ALREADY_ENROLLED');
  const className = requireText('className', command.className, { min: 1, max: 50 });
  const birthYear = command.birthYear;
  const year = new Date(Date.parse(command.now)).getUTCFullYear();
  if (!Number.isInteger(birthYear) || birthYear < year - 25 || birthYear > year - 2) {
    throw invalid('birthYear', 'Năm sinh không hợp lệ.', 'The year of birth is not plausible for a pupil.');
  }
  return [
    {
      type: 'PupilEnrolled',
      data: {
        accountId: command.accountId,
        organizationId,
        personalDataKeyId: state.personalDataKeyId!,
        className,
        birthYear,
        enrolledBy: command.actor.accountId,
      },
    },
  ];
}

function recordConsent(command: RecordConsent, state: AccountState): AccountEvent[] {
  requireAnyRole(command.actor, STAFF_ROLES, 'STAFF_ONLY');
  if (!state.pupil) throw illegalState('NOT_A_PUPIL');
  const consentId = requireUuid('consentId', command.consentId);
  if (state.consents[consentId]) throw illegalState('CONSENT_ALREADY_RECORDED');
  const givenBy = requireOneOf('givenBy', command.givenBy, ['guardian', 'pupil'] as const);
  if (Object.values(state.consents).some((c) => c.active && c.givenBy === givenBy))
    throw illegalState('CONSENT_ALREADY_RECORDED');
  if (givenBy === 'pupil' && pupilAge(state.pupil.birthYear, command.now) < OWN_CONSENT_AGE)
    throw illegalState('PUPIL_TOO_YOUNG_TO_CONSENT');
  const guardianName =
    givenBy === 'guardian' ? requireText('guardianName', command.guardianName, { min: 1, max: 100 }) : null;
  const relationship =
    givenBy === 'guardian'
      ? requireOneOf('relationship', command.relationship, ['mother', 'father', 'guardian', 'other'] as const)
      : null;
  const method = requireOneOf('method', command.method, ['paper_form', 'in_person', 'electronic'] as const);
  return [
    {
      type: 'ConsentRecorded',
      data: {
        accountId: command.accountId,
        consentId,
        givenBy,
        guardianName,
        relationship,
        method,
        recordedBy: command.actor.accountId,
        personalDataKeyId: state.personalDataKeyId!,
      },
    },
  ];
}

function withdrawConsent(command: WithdrawConsent, state: AccountState): AccountEvent[] {
  // The school withdraws it on the guardian's word; the pupil may withdraw their own account's consent themselves.
  if (command.actor.accountId !== command.accountId) requireAnyRole(command.actor, STAFF_ROLES, 'STAFF_ONLY');
  const consentId = requireUuid('consentId', command.consentId);
  const consent = state.consents[consentId];
  if (!consent) {
    throw new NotFoundError('consent', consentId, {
      vi: `Không tìm thấy sự đồng ý ${consentId}.`,
      en: `Consent ${consentId} not found.`,
    });
  }
  if (!consent.active) throw illegalState('CONSENT_ALREADY_WITHDRAWN');
  const reason = requireText('reason', command.reason ?? '', { min: 0, max: 2_000 });
  return [
    {
      type: 'ConsentWithdrawn',
      data: { accountId: command.accountId, consentId, withdrawnBy: command.actor.accountId, reason },
    },
  ];
}

export const accountDecider: Decider<AccountCommand, AccountState, AccountEvent> = {
  decide: decideAccount,
  evolve: evolveAccount,
  initialState: initialAccountState,
};
