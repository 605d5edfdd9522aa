import type { Actions, PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { resetPassword } from '$lib/server/api';
import { done, invalid, raw, refused, required, text } from '$lib/server/forms';

export const load: PageServerLoad = ({ url }) => ({ token: url.searchParams.get('token') ?? '' });

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const token = text(form, 'token');
    if (!token) return invalid({ message: m.reset_missing_token() });
    const fieldErrors = required(form, ['password', 'confirm']);
    const password = raw(form, 'password');
    if (password && raw(form, 'confirm') && password !== raw(form, 'confirm')) fieldErrors.confirm = m.reset_mismatch();
    if (Object.keys(fieldErrors).length > 0) return invalid({ fieldErrors });
    const result = await resetPassword(event, token, password);
    if (!result.ok) return refused(result.error, ['password']);
    return done(m.reset_done());
  },
};
