import type { DomainEvent, EventOf, StakeholderCategory } from '@gopy/schemas';
import { unreachable } from './shared';

export const accountEventTypes = ['AccountRegistered', 'AccountEmailVerified', 'AccountErased'] as const;
export type AccountEventType = (typeof accountEventTypes)[number];
export type AccountEvent = EventOf<AccountEventType>;

export function isAccountEvent(event: DomainEvent): event is AccountEvent {
  return (accountEventTypes as readonly string[]).includes(event.type);
}

export type AccountStatus = 'none' | 'registered' | 'erased';

/** Personal data is plaintext here (unsealed by the loader) and gone once the account is erased. */
export interface AccountState {
  status: AccountStatus;
  accountId: string | null;
  emailLookup: string | null;
  email: string | null;
  displayName: string | null;
  pseudonym: string | null;
  stakeholderCategory: StakeholderCategory | null;
  personalDataKeyId: string | null;
  origin: 'self' | 'issued' | 'admin' | null;
  issuedByOrganizationId: string | null;
  preferredLocale: 'vi' | 'en';
  verified: boolean;
}

export const initialAccountState: AccountState = {
  status: 'none',
  accountId: null,
  emailLookup: null,
  email: null,
  displayName: null,
  pseudonym: null,
  stakeholderCategory: null,
  personalDataKeyId: null,
  origin: null,
  issuedByOrganizationId: null,
  preferredLocale: 'vi',
  verified: false,
};

export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  switch (event.type) {
    case 'AccountRegistered': {
      const d = event.data;
      return {
        ...state,
        status: 'registered',
        accountId: d.accountId,
        emailLookup: d.emailLookup,
        email: d.email,
        displayName: d.displayName,
        pseudonym: d.pseudonym,
        stakeholderCategory: d.stakeholderCategory,
        personalDataKeyId: d.personalDataKeyId,
        origin: d.origin,
        issuedByOrganizationId: d.issuedByOrganizationId,
        preferredLocale: d.preferredLocale,
      };
    }
    case 'AccountEmailVerified':
      return { ...state, verified: true };
    case 'AccountErased':
      return { ...state, status: 'erased', email: null, displayName: null, pseudonym: null, emailLookup: null };
    default:
      return unreachable(event);
  }
}

export function foldAccount(events: readonly AccountEvent[], state: AccountState = initialAccountState): AccountState {
  return events.reduce(evolveAccount, state);
}
