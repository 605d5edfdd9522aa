// Reading `availableActions`: the site offers a button, a form or a link when the API says the action is possible,
// and shows the API's refusal otherwise. No lifecycle rule is decided here.
import type { ActionRefusal, Availability } from '$lib/types';

/** The API's answer for one action; an action it did not list is not offered. */
export function availability<A extends string>(
  list: readonly Availability<A>[] | undefined,
  action: A,
): Availability<A> {
  return list?.find((a) => a.action === action) ?? { action, allowed: false, refusal: null };
}

export const allowed = <A extends string>(list: readonly Availability<A>[] | undefined, action: A): boolean =>
  availability(list, action).allowed;

export const refusal = <A extends string>(
  list: readonly Availability<A>[] | undefined,
  action: A,
): ActionRefusal | null => availability(list, action).refusal;

/** The refusals of some actions, each message once, in the order asked: why those steps are not possible now. */
export function reasonsWhyNot<A extends string>(list: readonly Availability<A>[] | undefined, actions: readonly A[]) {
  const messages: string[] = [];
  for (const action of actions) {
    const message = refusal(list, action)?.message;
    if (message && !messages.includes(message)) messages.push(message);
  }
  return messages;
}
