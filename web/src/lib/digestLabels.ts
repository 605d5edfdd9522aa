import { m } from '$lib/paraglide/messages';

export type ThemeDecision = 'ACCEPTED' | 'PARTLY_ACCEPTED' | 'NOT_ACCEPTED' | 'NOTED';
export const THEME_DECISIONS: readonly ThemeDecision[] = ['ACCEPTED', 'PARTLY_ACCEPTED', 'NOT_ACCEPTED', 'NOTED'];
export type DigestStatus = 'STARTED' | 'APPROVED' | 'PUBLISHED';

export function decisionLabel(decision: ThemeDecision): string {
  switch (decision) {
    case 'ACCEPTED':
      return m.digest_decision_accepted();
    case 'PARTLY_ACCEPTED':
      return m.digest_decision_partly_accepted();
    case 'NOT_ACCEPTED':
      return m.digest_decision_not_accepted();
    case 'NOTED':
      return m.digest_decision_noted();
  }
}

export function digestStatusLabel(status: DigestStatus): string {
  switch (status) {
    case 'STARTED':
      return m.digest_status_started();
    case 'APPROVED':
      return m.digest_status_approved();
    case 'PUBLISHED':
      return m.digest_status_published();
  }
}
