import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { isIsoDate, startOfDay } from '$lib/format';
import { queryTerms } from '$lib/highlight';
import { GraphQLRequestError } from '$lib/server/api';
import {
  CHANNELS,
  fetchSearchPolicy,
  searchComments,
  type Channel,
  type SearchHit,
  type SearchNode,
} from '$lib/server/gql/search';
import { STAKEHOLDER_CATEGORIES, STANCES, type Page, type StakeholderCategory, type Stance } from '$lib/types';

const PAGE_SIZE = 20;
const QUERY_MAX = 200;

function flattenNodes(nodes: SearchNode[], out: SearchNode[] = []): SearchNode[] {
  for (const n of nodes) {
    out.push(n);
    if (n.children) flattenNodes(n.children, out);
  }
  return out;
}

// Searching a policy's comments: a GET form (the address can be shared, the back button works, no JavaScript
// needed). Words match without diacritics; the filters narrow by node, stance, category, channel and date.
export const load: PageServerLoad = async (event) => {
  const params = event.url.searchParams;
  const get = (name: string) => (params.get(name) ?? '').normalize('NFC').trim();
  const values = {
    q: get('q').slice(0, QUERY_MAX),
    node: get('node'),
    stance: get('stance'),
    category: get('category'),
    channel: get('channel'),
    from: get('from'),
    to: get('to'),
  };
  const after = params.get('after') || null;
  const submitted = [...params.keys()].some((k) => k in values);

  const policy = await fetchSearchPolicy(event, event.params.id);
  if (!policy) error(404, { message: m.error_policy_not_found() });
  const nodes = flattenNodes(policy.currentVersion?.nodes ?? []);

  const fieldErrors: Record<string, string> = {};
  if (submitted && queryTerms(values.q).length === 0) fieldErrors.q = m.search_empty_query();
  if (values.node && !nodes.some((n) => n.id === values.node)) fieldErrors.node = m.search_invalid_choice();
  if (values.stance && !STANCES.includes(values.stance as Stance)) fieldErrors.stance = m.search_invalid_choice();
  if (values.category && !STAKEHOLDER_CATEGORIES.includes(values.category as StakeholderCategory))
    fieldErrors.category = m.search_invalid_choice();
  if (values.channel && !CHANNELS.includes(values.channel as Channel)) fieldErrors.channel = m.search_invalid_choice();
  if (values.from && !isIsoDate(values.from)) fieldErrors.from = m.search_invalid_date();
  if (values.to && !isIsoDate(values.to)) fieldErrors.to = m.search_invalid_date();
  if (!fieldErrors.from && !fieldErrors.to && values.from && values.to && values.to < values.from)
    fieldErrors.to = m.search_invalid_range();

  let results: Page<SearchHit> | null = null;
  if (submitted && Object.keys(fieldErrors).length === 0) {
    const filter = {
      query: values.q,
      nodeId: values.node || null,
      stance: (values.stance || null) as Stance | null,
      category: (values.category || null) as StakeholderCategory | null,
      channel: (values.channel || null) as Channel | null,
      from: values.from ? startOfDay(values.from) : null,
      // "to" is a whole day: up to the start of the next one.
      to: values.to ? startOfDay(values.to, 1) : null,
      first: PAGE_SIZE,
      after,
    };
    try {
      results = await searchComments(event, policy.id, filter);
    } catch (e) {
      // A stale or hand-edited paging cursor: the first page of the same search instead of an error.
      if (!after || !(e instanceof GraphQLRequestError)) throw e;
      results = await searchComments(event, policy.id, { ...filter, after: null });
    }
  }

  return {
    policy: { id: policy.id, title: policy.title, commentCount: policy.commentCount },
    nodeOptions: nodes.map((n) => ({ id: n.id, kind: n.kind, number: n.number, heading: n.heading })),
    values,
    after,
    fieldErrors,
    submitted,
    results,
  };
};
