// The follow / unfollow form of the policy page (a plain POST; enhanced when JavaScript runs).
import { fail, type RequestEvent } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { done, refused } from '$lib/server/forms';
import { followPolicy } from '$lib/server/gql/search';

export const FOLLOW_FORM_ID = 'follow';

export async function followAction(event: RequestEvent<{ id: string }>) {
  const form = await event.request.formData();
  const follow = form.get('follow') !== 'false';
  const state = { formId: FOLLOW_FORM_ID };
  if (!event.locals.token) return fail(401, { ...state, message: m.search_follow_sign_in() });
  const result = await followPolicy(event, event.params.id, follow);
  if (!result.ok) return refused(result.error, [], state);
  return done(follow ? m.search_followed_notice() : m.search_unfollowed_notice(), state);
}
