import type { FormState } from '$lib/types';

/**
 * What a new comment can meet on this page, from the API's SUBMIT_COMMENT and the round's phase: the form, a link to
 * sign in, the refusal's message (email not confirmed, consent missing, an auditor's read-only access…), or nothing
 * when the round is not taking comments.
 */
export type CommentEntry = { kind: 'form' } | { kind: 'sign-in' } | { kind: 'refused'; message: string } | null;

/** What every node of the draft needs to show its comment form, passed down the tree unchanged. */
export interface NodeContext {
  entry: CommentEntry;
  pseudonym: string | null;
  keyBase: string;
  form: FormState | null | undefined;
  signInHref: (anchor: string) => string;
}
