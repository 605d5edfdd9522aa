import type { DomainEvent, EventOf, ThemeDecisions } from '@gopy/schemas';
import { unreachable } from './shared';

export const digestEventTypes = [
  'DigestStarted',
  'ThemeDefined',
  'CommentsAssignedToTheme',
  'ThemeAnswered',
  'DigestApproved',
  'DigestPublished',
] as const;
export type DigestEventType = (typeof digestEventTypes)[number];
export type DigestEvent = EventOf<DigestEventType>;

export function isDigestEvent(event: DomainEvent): event is DigestEvent {
  return (digestEventTypes as readonly string[]).includes(event.type);
}

export type ThemeDecision = (typeof ThemeDecisions)[number];

export interface ThemeAnswer {
  decision: ThemeDecision;
  explanation: string;
  sectionsChanged: string[];
}

export interface DigestTheme {
  themeId: string;
  title: string;
  description: string;
  commentIds: string[];
  answer: ThemeAnswer | null;
}

/**
 * The response digest of one consultation round ("bản tổng hợp, tiếp thu, giải trình ý kiến"): themes grouping the
 * round's comments, each answered with a decision. Staff draft it; a spokesperson approves and publishes it.
 */
export interface DigestState {
  exists: boolean;
  digestId: string | null;
  policyId: string | null;
  round: number;
  /** In the order they were first defined; defining a theme again renames it. */
  themes: DigestTheme[];
  /** Any change after approval withdraws it: what is published is exactly what the spokesperson approved. */
  approved: boolean;
  published: boolean;
}

export const initialDigestState: DigestState = {
  exists: false,
  digestId: null,
  policyId: null,
  round: 0,
  themes: [],
  approved: false,
  published: false,
};

export function findTheme(state: DigestState, themeId: string): DigestTheme | undefined {
  return state.themes.find((t) => t.themeId === themeId);
}

/** Comment ids that sit in at least one answered theme. */
export function answeredCommentIds(state: DigestState): Set<string> {
  return new Set(state.themes.filter((t) => t.answer !== null).flatMap((t) => t.commentIds));
}

function updateTheme(state: DigestState, themeId: string, change: (theme: DigestTheme) => DigestTheme): DigestState {
  return { ...state, approved: false, themes: state.themes.map((t) => (t.themeId === themeId ? change(t) : t)) };
}

export function evolveDigest(state: DigestState, event: DigestEvent): DigestState {
  switch (event.type) {
    case 'DigestStarted':
      return {
        ...initialDigestState,
        exists: true,
        digestId: event.data.digestId,
        policyId: event.data.policyId,
        round: event.data.round,
      };
    case 'ThemeDefined': {
      const { themeId, title, description } = event.data;
      if (findTheme(state, themeId)) return updateTheme(state, themeId, (t) => ({ ...t, title, description }));
      return {
        ...state,
        approved: false,
        themes: [...state.themes, { themeId, title, description, commentIds: [], answer: null }],
      };
    }
    case 'CommentsAssignedToTheme': {
      const { themeId, commentIds, unassignedCommentIds } = event.data;
      const removed = new Set(unassignedCommentIds);
      return updateTheme(state, themeId, (t) => ({
        ...t,
        commentIds: [...new Set([...t.commentIds.filter((id) => !removed.has(id)), ...commentIds])],
      }));
    }
    case 'ThemeAnswered': {
      const { themeId, decision, explanation, sectionsChanged } = event.data;
      return updateTheme(state, themeId, (t) => ({ ...t, answer: { decision, explanation, sectionsChanged } }));
    }
    case 'DigestApproved':
      return { ...state, approved: true };
    case 'DigestPublished':
      return { ...state, published: true };
    default:
      return unreachable(event);
  }
}

export function foldDigest(events: readonly DigestEvent[], state: DigestState = initialDigestState): DigestState {
  return events.reduce(evolveDigest, state);
}
