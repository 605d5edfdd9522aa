import type { FormState } from '$lib/types';

/** What every node of the draft needs to show its comment form, passed down the tree unchanged. */
export interface NodeContext {
	/** The round is open: show the comment forms. */
	commenting: boolean;
	signedIn: boolean;
	keyBase: string;
	form: FormState | null | undefined;
	signInHref: (anchor: string) => string;
}
