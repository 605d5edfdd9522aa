import type { Actions, PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { eraseMyAccount, type ErasureComments } from '$lib/server/gql/erasure';
import { invalid, raw, refused, text } from '$lib/server/forms';
import { clearSession, requireViewer } from '$lib/server/session';

const CHOICES: readonly ErasureComments[] = ['ANONYMOUS', 'DESTROY'];

export const load: PageServerLoad = async (event) => {
  // After the erase action (a POST) the reader is signed out and the page shows the report; its actions check anyway.
  if (event.request.method === 'GET') await requireViewer(event);
  return {};
};

function choiceOf(form: FormData): ErasureComments | null {
  const value = text(form, 'comments');
  return CHOICES.includes(value as ErasureComments) ? (value as ErasureComments) : null;
}

export const actions: Actions = {
  /** First step: the choice is made; the page asks to confirm it with the password. */
  review: async (event) => {
    await requireViewer(event);
    const form = await event.request.formData();
    const comments = choiceOf(form);
    if (!comments) return invalid({ values: {}, fieldErrors: { comments: m.error_required() } });
    return { values: { comments } };
  },
  /** Second step: the password again, then the erasure; the session ends with the account. */
  erase: async (event) => {
    await requireViewer(event);
    const form = await event.request.formData();
    const comments = choiceOf(form);
    const password = raw(form, 'password');
    if (!comments) return invalid({ values: {}, fieldErrors: { comments: m.error_required() } });
    if (!password) return invalid({ values: { comments }, fieldErrors: { password: m.error_required() } });
    const result = await eraseMyAccount(event, password, comments);
    if (!result.ok) return refused(result.error, ['password', 'comments'], { values: { comments } });
    clearSession(event);
    event.locals.token = null;
    // The header is drawn after the action: it must show a signed-out reader.
    event.locals.viewer = Promise.resolve(null);
    return { report: result.data };
  },
};
