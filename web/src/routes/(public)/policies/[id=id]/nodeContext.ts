import type { FormState } from '$lib/types';

/** What every node of the draft needs to show its comment form, passed down the tree unchanged. */
export interface NodeContext {
  /** The round is open: show the comment forms. */
  commenting: boolean;
  signedIn: boolean;
  /** Only verified accounts may comment; others are told to confirm their email first. */
  emailVerified: boolean;
  pseudonym: string | null;
  keyBase: string;
  form: FormState | null | undefined;
  signInHref: (anchor: string) => string;
}
