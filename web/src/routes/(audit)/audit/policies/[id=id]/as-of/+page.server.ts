import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { fromLocalInput, toLocalInput } from '$lib/format';
import { GraphQLRequestError } from '$lib/server/api';
import { fetchPolicyAsOf, fetchPolicyTitle, snapshotNodes } from '$lib/server/gql/audit';

// The policy "as of" a moment: a date and time (Vietnam time, to the second, compared with when events were
// recorded) or a position in the log. Without either, now. Two GET forms, so every view has its own address.
export const load: PageServerLoad = async (event) => {
  const params = event.url.searchParams;
  const at = (params.get('at') ?? '').trim();
  const position = (params.get('position') ?? '').trim();
  const fieldErrors: Record<string, string> = {};

  let asOf: string;
  let mode: 'now' | 'time' | 'position';
  if (position) {
    if (!/^[\w:.,()/-]{1,100}$/.test(position)) fieldErrors.position = m.audit_invalid_position();
    asOf = position;
    mode = 'position';
  } else if (at) {
    const iso = fromLocalInput(at);
    if (!iso) fieldErrors.at = m.audit_invalid_time();
    asOf = iso ?? '';
    mode = 'time';
  } else {
    asOf = new Date().toISOString();
    mode = 'now';
  }

  const base = { at: at || (mode === 'now' ? toLocalInput(asOf) : ''), position, mode, fieldErrors };
  if (Object.keys(fieldErrors).length > 0) {
    const policy = await fetchPolicyTitle(event, event.params.id);
    if (!policy) error(404, { message: m.error_policy_not_found() });
    return { ...base, policyId: policy.id, currentTitle: policy.title, snapshot: null, nodes: [], asOfLabel: '' };
  }

  let snapshot;
  try {
    snapshot = await fetchPolicyAsOf(event, event.params.id, asOf);
  } catch (e) {
    // A position the log does not know reads as a mistake in the form, not a broken page.
    if (mode === 'position' && e instanceof GraphQLRequestError) {
      const policy = await fetchPolicyTitle(event, event.params.id);
      if (!policy) error(404, { message: m.error_policy_not_found() });
      return {
        ...base,
        fieldErrors: { position: m.audit_invalid_position() },
        policyId: policy.id,
        currentTitle: policy.title,
        snapshot: null,
        nodes: [],
        asOfLabel: '',
      };
    }
    throw e;
  }
  const policy = await fetchPolicyTitle(event, event.params.id);
  if (!policy) error(404, { message: m.error_policy_not_found() });
  return {
    ...base,
    policyId: policy.id,
    currentTitle: policy.title,
    snapshot,
    nodes: snapshot ? snapshotNodes(snapshot.nodesJson) : [],
    asOfLabel: mode === 'position' ? position : asOf,
  };
};
