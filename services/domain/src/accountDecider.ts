import { StakeholderCategories, type StakeholderCategory } from '@gopy/schemas';
import { NotFoundError } from './errors';
import { evolveAccount, initialAccountState, type AccountEvent, type AccountState } from './account';
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
  /** HMAC of the normalised email, computed by the caller that holds the lookup key. */
  emailLookup: string;
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
}

export type AccountCommand = RegisterAccount | VerifyEmail | EraseAccount;

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
    default:
      return unreachable(command);
  }
}

/** Deliberately loose: one @, no spaces, a dot in the domain. The real check is the verification email. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function register(command: RegisterAccount, state: AccountState): AccountEvent[] {
  const origin = requireOneOf('origin', command.origin, ['self', 'issued', 'admin'] as const);
  // A school issues accounts to its pupils; only staff of that school may do it. Self sign-up needs no role.
  if (origin === 'issued') requireAnyRole(command.actor, STAFF_ROLES, 'STAFF_ONLY');
  if (origin === 'admin') requireAnyRole(command.actor, ['admin'], 'ADMIN_ONLY');
  if (state.status !== 'none') throw illegalState('ACCOUNT_ALREADY_EXISTS');
  const accountId = requireUuid('accountId', command.accountId);
  if (typeof command.emailLookup !== 'string' || !/^[0-9a-f]{64}$/.test(command.emailLookup)) {
    throw invalid('emailLookup', 'Mã tra cứu email không hợp lệ.', 'emailLookup must be 64 hexadecimal digits.');
  }
  const email = requireText('email', command.email, { min: 3, max: 254 });
  if (!EMAIL.test(email)) throw invalid('email', 'Địa chỉ email không hợp lệ.', 'The email address is not valid.');
  const displayName = requireText('displayName', command.displayName, { min: 1, max: 100 });
  const pseudonym = optionalText('pseudonym', command.pseudonym, { min: 1, max: 100 });
  const stakeholderCategory = requireOneOf('stakeholderCategory', command.stakeholderCategory, StakeholderCategories);
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
        emailLookup: command.emailLookup,
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
  if (command.actor.accountId !== command.accountId && !command.actor.roles.includes('admin')) throw forbidden('SELF_OR_ADMIN');
  const requestReference = requireText('requestReference', command.requestReference ?? '', { min: 0, max: 200 });
  return [{ type: 'AccountErased', data: { accountId: command.accountId, erasedBy: command.actor.accountId, requestReference } }];
}

export const accountDecider: Decider<AccountCommand, AccountState, AccountEvent> = {
  decide: decideAccount,
  evolve: evolveAccount,
  initialState: initialAccountState,
};
