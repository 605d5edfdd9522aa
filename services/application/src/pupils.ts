import { randomBytes, randomUUID } from 'node:crypto';
import { ValidationError } from '@gopy/domain/errors';
import { forbidden } from '@gopy/domain/rules';
import { normalizeText } from '@gopy/domain/shared';
import type { AccountService } from './accounts';
import type { CommandHandlers, Principal } from './commands';
import type { Clock } from './ports';

export interface PupilInput {
  displayName: string;
  birthYear: number;
}

export interface IssuedPupil {
  accountId: string;
  displayName: string;
  signInName: string;
  /** The one-time sign-in code, shown once (on the printed class list) and stored only as a hash. */
  code: string;
}

/** Lower-case ASCII for sign-in names: Vietnamese letters folded (đ → d), anything else dropped. */
function slug(text: string): string {
  return normalizeText(text)
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '')
    .slice(0, 12);
}

/**
 * Pupils' accounts: a school issues them in bulk from a class list (each with a sign-in name and a one-time code),
 * enrols each pupil with their class and year of birth, and records the consents the law asks for children.
 */
export class PupilAccounts {
  constructor(private readonly deps: { commands: CommandHandlers; accounts: AccountService; clock: Clock }) {}

  async issueClass(
    organizationId: string,
    className: string,
    pupils: readonly PupilInput[],
    principal: Principal,
  ): Promise<IssuedPupil[]> {
    const roles = await principal.rolesIn(organizationId);
    // Who may issue is asked before what is issued: a refusal tells an outsider nothing about the list.
    if (!roles.some((r) => r === 'staff' || r === 'admin')) throw forbidden('STAFF_ONLY');
    if (pupils.length === 0 || pupils.length > 200) {
      throw new ValidationError('pupils', {
        vi: 'Danh sách lớp cần từ 1 đến 200 học sinh.',
        en: 'A class list holds 1 to 200 pupils.',
      });
    }
    // Check the whole list first, so a bad row issues nothing rather than half a class.
    const thisYear = this.deps.clock.now().getUTCFullYear();
    for (const [i, pupil] of pupils.entries()) {
      const name = typeof pupil.displayName === 'string' ? normalizeText(pupil.displayName) : '';
      if (name.length < 1 || name.length > 100) {
        throw new ValidationError(`pupils[${i}].displayName`, {
          vi: `Dòng ${i + 1}: họ tên cần từ 1 đến 100 ký tự.`,
          en: `Row ${i + 1}: the name needs 1 to 100 characters.`,
        });
      }
      if (!Number.isInteger(pupil.birthYear) || pupil.birthYear < thisYear - 25 || pupil.birthYear > thisYear - 2) {
        throw new ValidationError(`pupils[${i}].birthYear`, {
          vi: `Dòng ${i + 1}: năm sinh không hợp lệ.`,
          en: `Row ${i + 1}: the year of birth is not plausible.`,
        });
      }
    }
    const classSlug = slug(className) || 'lop';
    const issued: IssuedPupil[] = [];
    for (const [i, pupil] of pupils.entries()) {
      const accountId = randomUUID();
      // A random tail keeps names unguessable from the class list and unique across years.
      let reservation: { lookup: string; reserved: boolean; signInName: string } | undefined;
      for (let attempt = 0; attempt < 5 && !reservation?.reserved; attempt++) {
        const signInName = `hs.${classSlug}.${String(i + 1).padStart(2, '0')}${randomBytes(3).toString('hex')}`;
        reservation = { ...(await this.deps.accounts.reserveSignInName(accountId, signInName)), signInName };
      }
      if (!reservation?.reserved) throw new Error('could not find a free sign-in name');
      try {
        await this.deps.commands.account(
          {
            type: 'RegisterAccount',
            accountId,
            email: reservation.signInName,
            displayName: pupil.displayName,
            pseudonym: null,
            stakeholderCategory: 'student',
            personalDataKeyId: accountId,
            origin: 'issued',
            issuedByOrganizationId: organizationId,
            preferredLocale: 'vi',
          },
          principal,
          roles,
        );
        await this.deps.commands.account(
          { type: 'EnrolPupil', accountId, organizationId, className, birthYear: pupil.birthYear },
          principal,
          roles,
        );
        // The school vouches for the account; there is no email to confirm.
        await this.deps.commands.account({ type: 'VerifyEmail', accountId }, null, ['participant']);
      } catch (err) {
        await this.deps.accounts.forgetCredential(accountId);
        throw err;
      }
      issued.push({
        accountId,
        displayName: normalizeText(pupil.displayName),
        signInName: reservation.signInName,
        code: await this.deps.accounts.issueSignInCode(accountId, reservation.signInName),
      });
    }
    return issued;
  }
}
