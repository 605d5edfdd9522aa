import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';
import { signUp } from '$lib/server/api';
import { STAKEHOLDER_CATEGORIES, type FormState, type StakeholderCategory } from '$lib/types';
import { done, invalid, raw, refused, required, text, values } from '$lib/server/forms';
import { getViewer } from '$lib/server/session';

const FIELDS = ['email', 'displayName', 'pseudonym', 'stakeholderCategory'] as const;

export const load: PageServerLoad = async (event) => {
  if (await getViewer(event)) redirect(303, '/');
  return {};
};

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const state: FormState = { values: values(form, FIELDS) };
    const password = raw(form, 'password');
    const fieldErrors = required(form, ['email', 'password', 'displayName', 'stakeholderCategory']);
    const email = text(form, 'email');
    if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) fieldErrors.email = m.error_email();
    const category = text(form, 'stakeholderCategory');
    if (category && !STAKEHOLDER_CATEGORIES.includes(category as StakeholderCategory)) {
      fieldErrors.stakeholderCategory = m.error_required();
    }
    if (Object.keys(fieldErrors).length > 0) return invalid({ ...state, fieldErrors });

    const result = await signUp(event, {
      email,
      password,
      displayName: text(form, 'displayName'),
      pseudonym: text(form, 'pseudonym') || null,
      stakeholderCategory: category as StakeholderCategory,
      locale: getLocale() === 'en' ? 'EN' : 'VI',
    });
    if (!result.ok)
      return refused(result.error, ['email', 'password', 'displayName', 'pseudonym', 'stakeholderCategory'], state);
    return done(m.sign_up_done({ email }));
  },
};
