import type { Actions } from './$types';
import { m } from '$lib/paraglide/messages';
import { requestPasswordReset } from '$lib/server/api';
import { done, invalid, refused, required, text } from '$lib/server/forms';

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const email = text(form, 'email');
    const fieldErrors = required(form, ['email']);
    if (Object.keys(fieldErrors).length > 0) return invalid({ fieldErrors, values: { email } });
    const result = await requestPasswordReset(event, email);
    // The API answers true whether or not the address has an account; so does this page.
    if (!result.ok) return refused(result.error, ['email'], { values: { email } });
    return done(m.forgot_done({ email }));
  },
};
