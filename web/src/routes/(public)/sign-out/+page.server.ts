import { redirect } from '@sveltejs/kit';
import type { Actions } from './$types';
import { signOut } from '$lib/server/api';
import { clearSession } from '$lib/server/session';

export const actions: Actions = {
  default: async (event) => {
    if (event.locals.token) {
      try {
        await signOut(event);
      } catch {
        // Signing out must always work for the reader, even when the API is down; the cookie goes anyway.
      }
    }
    clearSession(event);
    event.locals.token = null;
    redirect(303, '/');
  },
};
