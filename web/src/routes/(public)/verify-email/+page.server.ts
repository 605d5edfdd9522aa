import type { Actions, PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { verifyEmail } from '$lib/server/api';
import { done, invalid, refused, text } from '$lib/server/forms';

// The mail's link opens this page; the reader confirms with a button. A GET never changes anything, so a mail
// scanner that follows links cannot verify an address on its own.
export const load: PageServerLoad = ({ url }) => ({ token: url.searchParams.get('token') ?? '' });

export const actions: Actions = {
  default: async (event) => {
    const form = await event.request.formData();
    const token = text(form, 'token');
    if (!token) return invalid({ message: m.verify_missing_token() });
    const result = await verifyEmail(event, token);
    if (!result.ok) return refused(result.error, []);
    return done(m.verify_done());
  },
};
