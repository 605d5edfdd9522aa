import { error, fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import {
  confirmDuplicateGroup,
  fetchAnalysis,
  fetchDuplicateCandidates,
  undoDuplicateGroup,
  type AnalysisFilter,
} from '$lib/server/gql/analysis';
import { refused, refusalMessage, text } from '$lib/server/forms';
import { hasRoleAnywhere, requireRole, STAFF_AREA_ROLES } from '$lib/server/session';
import { OFFLINE_CHANNELS, type Channel } from '$lib/commentTypes';
import { STAKEHOLDER_CATEGORIES, type FormState, type StakeholderCategory } from '$lib/types';

const CHANNELS: readonly Channel[] = ['WEB', ...OFFLINE_CHANNELS];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The filter of the GET form; anything unknown is ignored rather than refused (it came from a URL). */
function filterOf(url: URL): AnalysisFilter {
  const category = url.searchParams.get('category') ?? '';
  const channel = url.searchParams.get('channel') ?? '';
  const nodeId = url.searchParams.get('nodeId') ?? '';
  return {
    category: STAKEHOLDER_CATEGORIES.includes(category as StakeholderCategory)
      ? (category as StakeholderCategory)
      : null,
    channel: CHANNELS.includes(channel as Channel) ? (channel as Channel) : null,
    nodeId: UUID.test(nodeId) ? nodeId : null,
  };
}

export const load: PageServerLoad = async (event) => {
  // Auditors read the analysis too (the API lets them); for them the page is read-only: no grouping tools.
  const viewer = await requireRole(event, [...STAFF_AREA_ROLES, 'AUDITOR']);
  const readOnly = !hasRoleAnywhere(viewer, STAFF_AREA_ROLES);
  const filter = filterOf(event.url);
  const roundParam = Number(event.url.searchParams.get('round'));
  const round = Number.isSafeInteger(roundParam) && roundParam > 0 ? roundParam : null;
  const found = await fetchAnalysis(event, event.params.id, round, filter);
  if (!found) error(404, { message: m.error_policy_not_found() });
  const { policy, analysis } = found;
  if (!analysis.ok) {
    if (analysis.error.code === 'FORBIDDEN') error(403, { message: refusalMessage(analysis.error) });
    if (analysis.error.code !== 'NOT_FOUND') error(400, { message: refusalMessage(analysis.error) });
    // No round yet: the page says so.
    return { policy, filter, readOnly, analysis: null, candidates: [], candidatesError: null };
  }
  if (readOnly) return { policy, filter, readOnly, analysis: analysis.data, candidates: [], candidatesError: null };
  const candidates = await fetchDuplicateCandidates(event, policy.id, analysis.data.round);
  return {
    policy,
    filter,
    readOnly,
    analysis: analysis.data,
    candidates: candidates.ok ? candidates.data : [],
    candidatesError: candidates.ok ? null : refusalMessage(candidates.error),
  };
};

export const actions: Actions = {
  confirm: async (event) => {
    await requireRole(event, STAFF_AREA_ROLES);
    const form = await event.request.formData();
    const formId = text(form, 'formId') || 'confirm';
    const commentIds = form.getAll('commentIds').filter((v): v is string => typeof v === 'string' && UUID.test(v));
    const representativeCommentId = text(form, 'representativeCommentId');
    const round = Number(text(form, 'round'));
    const state: FormState = { formId, values: { representativeCommentId } };
    const fieldErrors: Record<string, string> = {};
    if (commentIds.length < 2) fieldErrors.commentIds = m.analysis_group_needs_two();
    if (!commentIds.includes(representativeCommentId))
      fieldErrors.representativeCommentId = m.analysis_choose_representative();
    if (!Number.isSafeInteger(round) || round < 1) return fail(400, { ...state, message: m.error_unexpected() });
    if (Object.keys(fieldErrors).length > 0) return fail(400, { ...state, fieldErrors });
    const result = await confirmDuplicateGroup(event, {
      policyId: event.params.id,
      round,
      commentIds,
      representativeCommentId,
    });
    if (!result.ok) return refused(result.error, ['commentIds', 'representativeCommentId'], state);
    return { formId, ok: true, notice: m.analysis_group_confirmed(), values: {} } satisfies FormState;
  },
  undo: async (event) => {
    await requireRole(event, STAFF_AREA_ROLES);
    const form = await event.request.formData();
    const groupId = text(form, 'groupId');
    const reason = text(form, 'reason');
    const formId = `undo-${groupId}`;
    const state: FormState = { formId, values: { reason } };
    if (!reason) return fail(400, { ...state, fieldErrors: { reason: m.error_required() } });
    if (reason.length > 2000)
      return fail(400, { ...state, fieldErrors: { reason: m.error_too_long({ max: '2000' }) } });
    const result = await undoDuplicateGroup(event, groupId, reason);
    if (!result.ok) return refused(result.error, ['reason'], state);
    return { formId: 'undo', ok: true, notice: m.analysis_group_undone(), values: {} } satisfies FormState;
  },
};
