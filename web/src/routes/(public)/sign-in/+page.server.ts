import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { signIn } from '$lib/server/api';
import type { FormState } from '$lib/types';
import { invalid, raw, refused, required, text } from '$lib/server/forms';
import { sameOriginTarget } from '$lib/server/redirect';
import { getViewer, setSession } from '$lib/server/session';

export const load: PageServerLoad = async (event) => {
  const redirectTo = sameOriginTarget(event.url.searchParams.get('redirectTo'), event.url);
  if (await getViewer(event)) redirect(303, redirectTo);
  return { redirectTo };
};

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const email = text(form, 'email');
    const state: FormState = { values: { email } };
    const fieldErrors = required(form, ['email', 'password']);
    if (Object.keys(fieldErrors).length > 0) return invalid({ ...state, fieldErrors });

    const result = await signIn(event, email, raw(form, 'password'));
    if (!result.ok) return refused(result.error, ['email', 'password'], state);
    setSession(event, result.data.token);
    event.locals.token = result.data.token;
    redirect(303, sameOriginTarget(text(form, 'redirectTo'), event.url));
  },
};
