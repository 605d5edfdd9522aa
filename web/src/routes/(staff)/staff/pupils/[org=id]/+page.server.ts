import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { done, invalid, refused, text } from '$lib/server/forms';
import { fetchPupils, issuePupilAccounts, recordConsent, withdrawConsent } from '$lib/server/gql/pupils';
import { requireViewer } from '$lib/server/session';

export const load: PageServerLoad = async (event) => {
  const viewer = await requireViewer(event);
  const membership = viewer.memberships.find((mb) => mb.organization.id === event.params.org);
  if (
    !membership ||
    membership.organization.kind !== 'SCHOOL' ||
    !membership.roles.some((r) => r === 'STAFF' || r === 'ADMIN')
  ) {
    error(403, { message: m.error_forbidden() });
  }
  return { organization: membership.organization, pupils: await fetchPupils(event, event.params.org) };
};

/** One pupil per line: "Họ và tên, năm sinh" (a comma, semicolon or tab before the year). */
function parseClassList(list: string): {
  pupils: { displayName: string; birthYear: number }[];
  badLine: number | null;
} {
  const pupils: { displayName: string; birthYear: number }[] = [];
  const lines = list
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  for (const [i, line] of lines.entries()) {
    const match = /^(.+?)[,;\t]\s*(\d{4})$/.exec(line);
    if (!match) return { pupils, badLine: i + 1 };
    pupils.push({ displayName: match[1]!.trim(), birthYear: Number(match[2]) });
  }
  return { pupils, badLine: null };
}

export const actions: Actions = {
  issue: async (event) => {
    const form = await event.request.formData();
    const className = text(form, 'className');
    const list = text(form, 'classList');
    const state = { formId: 'issue', values: { className, classList: list } };
    const fieldErrors: Record<string, string> = {};
    if (!className) fieldErrors.className = m.error_required();
    const { pupils, badLine } = parseClassList(list);
    if (badLine !== null) fieldErrors.classList = m.pupil_bad_line({ line: String(badLine) });
    else if (pupils.length === 0) fieldErrors.classList = m.error_required();
    if (Object.keys(fieldErrors).length > 0) return invalid({ ...state, fieldErrors });
    const result = await issuePupilAccounts(event, event.params.org, className, pupils);
    if (!result.ok) return refused(result.error, { className: 'className', pupils: 'classList' }, state);
    return {
      ...done(m.pupil_issued_notice({ count: String(result.data.pupils.length) }), { formId: 'issue' }),
      issued: result.data.pupils,
      className,
    };
  },
  consent: async (event) => {
    const form = await event.request.formData();
    const accountId = text(form, 'accountId');
    const givenBy = text(form, 'givenBy') === 'PUPIL' ? 'PUPIL' : 'GUARDIAN';
    const formId = `consent-${accountId}-${givenBy}`;
    const result = await recordConsent(event, {
      accountId,
      givenBy,
      guardianName: givenBy === 'GUARDIAN' ? text(form, 'guardianName') : null,
      relationship: givenBy === 'GUARDIAN' ? text(form, 'relationship') || null : null,
      method: text(form, 'method') || 'PAPER_FORM',
    });
    if (!result.ok) return refused(result.error, ['guardianName', 'relationship', 'method'], { formId });
    return done(m.pupil_consent_recorded(), { formId });
  },
  withdraw: async (event) => {
    const form = await event.request.formData();
    const accountId = text(form, 'accountId');
    const formId = `withdraw-${accountId}`;
    const result = await withdrawConsent(event, accountId, text(form, 'consentId'), text(form, 'reason'));
    if (!result.ok) return refused(result.error, ['reason'], { formId });
    return done(m.pupil_consent_withdrawn(), { formId });
  },
};
