import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { fetchPolicyDiff } from '$lib/server/gql/drafts';

function versionParam(value: string | null): number | null | 'invalid' {
  if (value === null || value === '') return null;
  return /^\d{1,6}$/.test(value) ? Number(value) : 'invalid';
}

export const load: PageServerLoad = async (event) => {
  const { params, url } = event;
  const fromParam = versionParam(url.searchParams.get('from'));
  const toParam = versionParam(url.searchParams.get('to'));
  const fieldErrors: Record<string, string> = {};
  if (fromParam === 'invalid') fieldErrors.from = m.c7_diff_bad_version();
  if (toParam === 'invalid') fieldErrors.to = m.c7_diff_bad_version();

  // Without numbers: the latest version against the one before it.
  const base = await fetchPolicyDiff(event, params.id, null, null);
  if (!base) error(404, { message: m.error_policy_not_found() });
  const numbers = base.policy.versions.map((v) => v.number);
  const latest = numbers.at(-1) ?? null;
  let from = typeof fromParam === 'number' ? fromParam : latest !== null && latest > 1 ? latest - 1 : latest;
  let to = typeof toParam === 'number' ? toParam : latest;
  if (from !== null && !numbers.includes(from)) {
    fieldErrors.from ??= m.c7_diff_no_version({ number: String(from) });
    from = null;
  }
  if (to !== null && !numbers.includes(to)) {
    fieldErrors.to ??= m.c7_diff_no_version({ number: String(to) });
    to = null;
  }
  const result = from !== null && to !== null ? await fetchPolicyDiff(event, params.id, from, to) : null;
  return {
    policy: base.policy,
    from,
    to,
    diff: result?.diff ?? null,
    fieldErrors,
    values: {
      from: url.searchParams.get('from') ?? String(from ?? ''),
      to: url.searchParams.get('to') ?? String(to ?? ''),
    },
  };
};
