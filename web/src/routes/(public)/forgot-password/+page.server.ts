import type { Actions } from './$types';
import { m } from '$lib/paraglide/messages';
import { requestPasswordReset } from '$lib/server/api';
import type { FormState } from '$lib/types';
import { invalid, refused, required, text } from '$lib/server/forms';

export const actions: Actions = {
	default: async (event) => {
		const form = await event.request.formData();
		const email = text(form, 'email');
		const fieldErrors = required(form, ['email']);
		if (Object.keys(fieldErrors).length > 0) return invalid({ fieldErrors, values: { email } });
		const result = await requestPasswordReset(event, email);
		// The API answers true whether or not the address has an account; so does this page.
		if (!result.ok) return refused(result.error, ['email'], { values: { email } });
		return { ok: true, notice: m.forgot_done({ email }) } satisfies FormState;
	},
};
