import type { DomainEvent, EventOf, StakeholderCategory } from '@gopy/schemas';
import { unreachable } from './shared';
import { vietnamClock } from './vietnamTime';

export const accountEventTypes = [
  'AccountRegistered',
  'AccountEmailVerified',
  'AccountErased',
  'PupilEnrolled',
  'ConsentRecorded',
  'ConsentWithdrawn',
] as const;
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
  email: string | null;
  displayName: string | null;
  pseudonym: string | null;
  stakeholderCategory: StakeholderCategory | null;
  personalDataKeyId: string | null;
  origin: 'self' | 'issued' | 'admin' | null;
  issuedByOrganizationId: string | null;
  preferredLocale: 'vi' | 'en';
  verified: boolean;
  /** Set when a school has enrolled the account as one of its pupils. */
  pupil: { organizationId: string; birthYear: number } | null;
  /** consentId → whose consent it is and whether it still stands. */
  consents: Record<string, { givenBy: 'guardian' | 'pupil'; active: boolean }>;
}

export const initialAccountState: AccountState = {
  status: 'none',
  accountId: null,
  email: null,
  displayName: null,
  pseudonym: null,
  stakeholderCategory: null,
  personalDataKeyId: null,
  origin: null,
  issuedByOrganizationId: null,
  preferredLocale: 'vi',
  verified: false,
  pupil: null,
  consents: {},
};

export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  switch (event.type) {
    case 'AccountRegistered': {
      const d = event.data;
      return {
        ...state,
        status: 'registered',
        accountId: d.accountId,
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
      return { ...state, status: 'erased', email: null, displayName: null, pseudonym: null };
    case 'PupilEnrolled':
      return { ...state, pupil: { organizationId: event.data.organizationId, birthYear: event.data.birthYear } };
    case 'ConsentRecorded':
      return {
        ...state,
        consents: { ...state.consents, [event.data.consentId]: { givenBy: event.data.givenBy, active: true } },
      };
    case 'ConsentWithdrawn': {
      const consent = state.consents[event.data.consentId];
      return consent
        ? { ...state, consents: { ...state.consents, [event.data.consentId]: { ...consent, active: false } } }
        : state;
    }
    default:
      return unreachable(event);
  }
}

export function foldAccount(events: readonly AccountEvent[], state: AccountState = initialAccountState): AccountState {
  return events.reduce(evolveAccount, state);
}

/** From this age (in years, counted by calendar year in Vietnam) a child's own consent is needed besides the guardian's. */
export const OWN_CONSENT_AGE = 7;

/** A pupil's age in the calendar year of `now` (Vietnam time): the rule the school applies to its class lists. */
export function pupilAge(birthYear: number, now: string): number {
  return vietnamClock(now).year - birthYear;
}

export type ConsentStatus = 'not_required' | 'given' | 'missing';

/**
 * What an account's own stream says about its taking part (commenting, endorsing, flagging), for the comment decider,
 * which reads no account itself.
 */
export interface Standing {
  /**
   * The account stands for one person who can be reached: its email address was confirmed, or, for a pupil's
   * account, the school issued it to a pupil on its class list (the school records AccountEmailVerified then: there is
   * no address, the school vouches). A sign-up nobody confirmed stands for no one: endorsing or flagging from it would
   * let one person pad endorsements or set off flag alerts with throw-away accounts.
   */
  verified: boolean;
  consent: ConsentStatus;
}

export function standingOf(
  state: Pick<AccountState, 'status' | 'verified' | 'pupil' | 'consents' | 'stakeholderCategory'>,
  now: string,
): Standing {
  return { verified: state.status === 'registered' && state.verified, consent: consentStatus(state, now) };
}

/**
 * Whether the account may take part: adults and self-registered accounts need no one's consent; an enrolled pupil needs
 * a standing guardian's consent, and from OWN_CONSENT_AGE their own too.
 */
export function consentStatus(
  state: Pick<AccountState, 'pupil' | 'consents'> & Partial<Pick<AccountState, 'stakeholderCategory'>>,
  now: string,
): ConsentStatus {
  // A 'student' account no school enrolled (registered before self-registration as a pupil was refused) has no
  // guardian on record: it takes part once a school enrols it and records consent.
  if (!state.pupil) return state.stakeholderCategory === 'student' ? 'missing' : 'not_required';
  const standing = Object.values(state.consents).filter((c) => c.active);
  const guardian = standing.some((c) => c.givenBy === 'guardian');
  const own = standing.some((c) => c.givenBy === 'pupil');
  return guardian && (own || pupilAge(state.pupil.birthYear, now) < OWN_CONSENT_AGE) ? 'given' : 'missing';
}
