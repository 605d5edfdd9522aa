import { refusedToAuditor, auditorReadOnly } from './auditorReadOnly';
import type { Viewer } from './graphql/context';
import { emailNotVerified, notSignedIn, type TypedError } from './graphql/errors';

/** Mutations whose command is attempted only from an account with a confirmed email. */
const CONFIRMED_EMAIL_MUTATIONS: ReadonlySet<string> = new Set(['submitComment']);

/**
 * Whether the viewer may attempt a mutation at all, before its command is decided: the checks a request meets where
 * it enters, in that order (signed in, an auditor's read-only access, a confirmed email to comment). The action lists
 * answer these refusals for what the viewer cannot even attempt, and submitComment asks here for its email check.
 */
export function attemptRefusal(viewer: Viewer | null, mutation: string): TypedError | null {
  if (!viewer) return notSignedIn();
  if (refusedToAuditor(viewer, mutation)) return auditorReadOnly();
  if (CONFIRMED_EMAIL_MUTATIONS.has(mutation) && !viewer.emailVerified) return emailNotVerified();
  return null;
}
