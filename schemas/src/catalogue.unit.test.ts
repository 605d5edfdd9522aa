import { describe, expect, it } from 'vitest';
import { eventCatalogue, parseEvent, upcast } from './catalogue';

const accountId = '0190a1b2-0000-7000-8000-000000000003';
/** An AccountRegistered as version 1 stored it (sealed fields as the write path writes them). */
const registeredV1 = {
  accountId,
  emailLookup: 'ab'.repeat(32),
  email: { v: 1, keyId: `person:${accountId}`, iv: 'AAAA', ct: 'AAAA', tag: 'AAAA' },
  displayName: { v: 1, keyId: `person:${accountId}`, iv: 'AAAA', ct: 'AAAA', tag: 'AAAA' },
  pseudonym: null,
  stakeholderCategory: 'parent',
  personalDataKeyId: accountId,
  origin: 'self',
  issuedByOrganizationId: null,
  preferredLocale: 'vi',
};

describe('account events of older versions (issue 15, finding 6)', () => {
  it('AccountRegistered is at version 2 and carries no email lookup', () => {
    expect(eventCatalogue.AccountRegistered.version).toBe(2);
    expect(Object.keys(eventCatalogue.AccountRegistered.schema.shape)).not.toContain('emailLookup');
  });

  it('reads a version 1 AccountRegistered without its email lookup', () => {
    expect(upcast('AccountRegistered', 1, registeredV1)).not.toHaveProperty('emailLookup');
  });

  it('reads a version 1 AccountErased as comments kept anonymous', () => {
    const erased = { accountId, erasedBy: accountId, requestReference: 'Đơn số 1' };
    expect(parseEvent('AccountErased', 1, erased)).toEqual({
      type: 'AccountErased',
      data: { ...erased, comments: 'anonymous' },
    });
  });
});
