import { redirect } from '@sveltejs/kit';
import type { Actions } from './$types';
import { cookieName, cookieMaxAge, isLocale } from '$lib/paraglide/runtime';
import { sameOriginTarget } from '$lib/server/redirect';
import { isHttps } from '$lib/server/session';

export const actions: Actions = {
  // A plain form POST, so the switch works without JavaScript; the redirect reloads the same page in the
  // chosen language.
  default: async (event) => {
    const { request, cookies } = event;
    const form = await request.formData();
    const locale = String(form.get('locale') ?? '');
    if (isLocale(locale)) {
      cookies.set(cookieName, locale, {
        path: '/',
        httpOnly: false,
        sameSite: 'lax',
        secure: isHttps(event),
        maxAge: cookieMaxAge,
      });
    }
    redirect(303, sameOriginTarget(form.get('redirectTo'), event.url));
  },
};
