import { redirect } from '@sveltejs/kit';
import type { Actions } from './$types';
import type { FormState } from '$lib/types';
import { invalid, raw, refused, required, text } from '$lib/server/forms';
import { signInWithCode } from '$lib/server/gql/pupils';
import { setSession } from '$lib/server/session';

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const signInName = text(form, 'signInName').toLowerCase();
    const state: FormState = { values: { signInName, code: text(form, 'code') } };
    const fieldErrors = required(form, ['signInName', 'code', 'password']);
    if (Object.keys(fieldErrors).length > 0) return invalid({ ...state, fieldErrors });
    const result = await signInWithCode(event, signInName, text(form, 'code'), raw(form, 'password'));
    if (!result.ok) return refused(result.error, ['signInName', 'code', 'password'], state);
    setSession(event, result.data.token);
    event.locals.token = result.data.token;
    redirect(303, '/');
  },
};
