import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';
import { m } from '$lib/paraglide/messages';
import { fetchPolicyAsOf, type HistoryEntry } from '$lib/server/gql/audit';

export interface HistoryRow extends HistoryEntry {
  /** The comment the event belongs to, when it is one of the policy's comments. */
  comment: { id: string; author: string | null; excerpt: string | null } | null;
}

const EXCERPT = 80;

// Who did what, when, with which reason: the policy's own stream and every one of its comments' streams, in the
// order they were recorded. Read from the policy as it stands now.
export const load: PageServerLoad = async (event) => {
  const snapshot = await fetchPolicyAsOf(event, event.params.id, new Date().toISOString());
  if (!snapshot) error(404, { message: m.error_policy_not_found() });

  const rows: HistoryRow[] = snapshot.history.map((h) => ({ ...h, comment: null }));
  // Participants are named by their comments (the name they show today); staff by their role and account id.
  const names: Record<string, string> = {};
  for (const c of snapshot.comments) {
    if (c.authorAccountId && c.authorName) names[c.authorAccountId] = c.authorName;
    const excerpt = c.body ? (c.body.length > EXCERPT ? `${c.body.slice(0, EXCERPT)}…` : c.body) : null;
    for (const h of c.history) rows.push({ ...h, comment: { id: c.commentId, author: c.authorName, excerpt } });
  }
  rows.sort((a, b) =>
    a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1 : comparePositions(a.position, b.position),
  );

  return { policy: { id: snapshot.policyId, title: snapshot.title, status: snapshot.status }, rows, names };
};

/** Positions are opaque; numeric ones (SQLite) compare as numbers, others as text, which keeps equal instants stable. */
function comparePositions(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
