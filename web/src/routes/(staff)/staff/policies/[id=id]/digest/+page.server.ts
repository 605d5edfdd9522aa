import { error } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import {
  THEME_DECISIONS,
  answerTheme,
  approveDigest,
  assignComments,
  defineTheme,
  fetchStaffDigest,
  publishDigest,
  startDigest,
  type StaffDigestFilter,
  type ThemeDecision,
} from '$lib/server/gql/digest';
import { done, invalid, refused, text, values } from '$lib/server/forms';
import { requireRole, STAFF_AREA_ROLES } from '$lib/server/session';
import { OFFLINE_CHANNELS, type Channel } from '$lib/commentTypes';
import { STAKEHOLDER_CATEGORIES, type FormState, type StakeholderCategory } from '$lib/types';

const DIGEST_ROLES = [...STAFF_AREA_ROLES, 'SPOKESPERSON'] as const;

function filterFrom(url: URL): StaffDigestFilter & { after: string | null } {
  const p = url.searchParams;
  const category = p.get('category') ?? '';
  const channel = p.get('channel') ?? '';
  return {
    unassignedOnly: p.get('unassigned') === '1' || undefined,
    themeId: p.get('theme') || undefined,
    nodeId: p.get('node') || undefined,
    stakeholderCategory: STAKEHOLDER_CATEGORIES.includes(category as StakeholderCategory)
      ? (category as StakeholderCategory)
      : undefined,
    channel: (['WEB', ...OFFLINE_CHANNELS] as string[]).includes(channel) ? (channel as Channel) : undefined,
    after: p.get('after') || null,
  };
}

export const load: PageServerLoad = async (event) => {
  await requireRole(event, DIGEST_ROLES);
  const { after, ...filter } = filterFrom(event.url);
  const result = await fetchStaffDigest(event, event.params.id, filter, after);
  if (!result) error(404, { message: m.error_policy_not_found() });
  return { ...result, filter: { ...filter, after } };
};

/** The round the page works on: posted with every form, so a form answers the round it was rendered for. */
function roundOf(form: FormData): number {
  const round = Number(text(form, 'round'));
  return Number.isSafeInteger(round) && round > 0 ? round : 0;
}

export const actions: Actions = {
  start: async (event) => {
    const form = await event.request.formData();
    const result = await startDigest(event, event.params.id, roundOf(form));
    if (!result.ok) return refused(result.error, [], { formId: 'start' });
    return done(m.digest_started_done(), { formId: 'start' });
  },

  define: async (event) => {
    const form = await event.request.formData();
    const themeId = text(form, 'themeId') || null;
    const formId = themeId ? `rename-${themeId}` : 'define';
    const state: FormState = { formId, values: values(form, ['title', 'description']) };
    const title = state.values!.title!;
    if (!title) return invalid({ ...state, fieldErrors: { title: m.error_required() } });
    if (title.length > 300) return invalid({ ...state, fieldErrors: { title: m.error_too_long({ max: '300' }) } });
    const result = await defineTheme(event, event.params.id, roundOf(form), {
      themeId,
      title,
      description: state.values!.description ?? '',
    });
    if (!result.ok) return refused(result.error, ['title', 'description'], state);
    return done(m.digest_theme_done(), { formId });
  },

  assign: async (event) => {
    const form = await event.request.formData();
    const commentIds = form.getAll('commentIds').map(String);
    const themeIds = form.getAll('themeIds').map(String);
    const unassign = text(form, 'mode') === 'unassign';
    const state: FormState = { formId: 'assign' };
    const fieldErrors: Record<string, string> = {};
    if (commentIds.length === 0) fieldErrors.commentIds = m.digest_choose_comments();
    if (themeIds.length === 0) fieldErrors.themeIds = m.digest_choose_themes();
    if (Object.keys(fieldErrors).length > 0) return invalid({ ...state, fieldErrors });
    const result = await assignComments(event, event.params.id, roundOf(form), {
      themeIds,
      commentIds: unassign ? [] : commentIds,
      unassignedCommentIds: unassign ? commentIds : [],
    });
    if (!result.ok)
      return refused(
        result.error,
        { commentIds: 'commentIds', themeIds: 'themeIds', unassignedCommentIds: 'commentIds' },
        state,
      );
    return done(unassign ? m.digest_unassign_done() : m.digest_assign_done(), state);
  },

  answer: async (event) => {
    const form = await event.request.formData();
    const themeId = text(form, 'themeId');
    const formId = `answer-${themeId}`;
    const state: FormState = { formId, values: values(form, ['decision', 'explanation']) };
    const decision = state.values!.decision as ThemeDecision;
    if (!THEME_DECISIONS.includes(decision))
      return invalid({ ...state, fieldErrors: { decision: m.digest_choose_decision() } });
    const explanation = state.values!.explanation ?? '';
    if ((decision === 'NOT_ACCEPTED' || decision === 'PARTLY_ACCEPTED') && !explanation) {
      return invalid({ ...state, fieldErrors: { explanation: m.digest_explanation_hint() } });
    }
    const result = await answerTheme(event, event.params.id, roundOf(form), {
      themeId,
      decision,
      explanation,
      sectionsChanged: form.getAll('sectionsChanged').map(String),
    });
    if (!result.ok)
      return refused(
        result.error,
        { decision: 'decision', explanation: 'explanation', sectionsChanged: 'sectionsChanged' },
        state,
      );
    return done(m.digest_answer_done(), { formId });
  },

  approve: async (event) => {
    const form = await event.request.formData();
    const result = await approveDigest(event, event.params.id, roundOf(form));
    if (!result.ok) return refused(result.error, [], { formId: 'approve' });
    return done(m.digest_approve_done(), { formId: 'approve' });
  },

  publish: async (event) => {
    const form = await event.request.formData();
    const result = await publishDigest(event, event.params.id, roundOf(form));
    if (!result.ok) return refused(result.error, [], { formId: 'approve' });
    return done(m.digest_publish_done(), { formId: 'approve' });
  },
};
