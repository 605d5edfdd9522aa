// Words for the API's enums, in the reader's language. Kept in one place so every page says the same thing; the
// messages they use are generated from the glossary the exports and mails use (schemas/src/glossary.ts).
import { m } from '$lib/paraglide/messages';
import { hasOwnWord, type NodeKind } from '$lib/draft';
import type { PolicyStatus, Role, Round, StakeholderCategory, Stance } from '$lib/types';

export function statusLabel(status: PolicyStatus): string {
  switch (status) {
    case 'PROPOSED':
      return m.status_proposed();
    case 'DRAFTING':
      return m.status_drafting();
    case 'CONSULTATION':
      return m.status_consultation();
    case 'REVIEW':
      return m.status_review();
    case 'ENACTED':
      return m.status_enacted();
    case 'WITHDRAWN':
      return m.status_withdrawn();
  }
}

/** Where a round stands: answered once its digest is published, otherwise its phase. */
export function roundStateLabel(round: Pick<Round, 'phase' | 'answered'>): string {
  if (round.answered) return m.round_state_answered();
  switch (round.phase) {
    case 'SCHEDULED':
      return m.round_state_scheduled();
    case 'OPEN':
      return m.round_state_open();
    case 'OVER':
      return m.round_state_over();
  }
}

export function stanceLabel(stance: Stance): string {
  switch (stance) {
    case 'SUPPORT':
      return m.stance_support();
    case 'OPPOSE':
      return m.stance_oppose();
    case 'NEUTRAL':
      return m.stance_neutral();
    case 'SUGGESTION':
      return m.stance_suggestion();
  }
}

export function categoryLabel(category: StakeholderCategory): string {
  switch (category) {
    case 'STUDENT':
      return m.category_student();
    case 'PARENT':
      return m.category_parent();
    case 'TEACHER':
      return m.category_teacher();
    case 'SCHOOL_MANAGER':
      return m.category_school_manager();
    case 'PRESS':
      return m.category_press();
    case 'CITIZEN':
      return m.category_citizen();
    case 'ORGANIZATION':
      return m.category_organization();
  }
}

export function roleLabel(role: Role): string {
  switch (role) {
    case 'PARTICIPANT':
      return m.role_participant();
    case 'STAFF':
      return m.role_staff();
    case 'MODERATOR':
      return m.role_moderator();
    case 'SPOKESPERSON':
      return m.role_spokesperson();
    case 'POLICYMAKER':
      return m.role_policymaker();
    case 'AUDITOR':
      return m.role_auditor();
    case 'ADMIN':
      return m.role_admin();
  }
}

export function kindLabel(kind: NodeKind): string {
  switch (kind) {
    case 'PART':
      return m.kind_part();
    case 'CHAPTER':
      return m.kind_chapter();
    case 'SECTION':
      return m.kind_section();
    case 'ARTICLE':
      return m.kind_article();
    case 'CLAUSE':
      return m.kind_clause();
    case 'POINT':
      return m.kind_point();
  }
}

/** "Điều 2", "Chương II", "Khoản 1", "Điểm a" (or the English words). */
export function nodeLabel(kind: NodeKind, number: string): string {
  const n = number.trim();
  if (n === '') return kindLabel(kind);
  if (hasOwnWord(n)) return n;
  return m.node_label({ kind: kindLabel(kind), number: n });
}
