import type { AnalysisTables } from '../readModels/analysis';
import type { ReadDb } from '../readModels/database';
import { findNearDuplicates, type NearDuplicateGroup, type NearDuplicateOptions } from './nearDuplicates';

/**
 * Candidate near-duplicate groups of a round, computed on demand from its visible comments that are in no confirmed
 * group yet (oldest first, so the earliest comment of a group represents it). Staff confirm or dismiss them.
 */
export async function duplicateCandidates(
  db: ReadDb,
  policyId: string,
  round: number,
  options: NearDuplicateOptions = {},
): Promise<NearDuplicateGroup[]> {
  const rows = await db
    .withTables<AnalysisTables>()
    .selectFrom('comments as c')
    .innerJoin('analysis_comments as a', 'a.comment_id', 'c.id')
    .select(['c.id', 'c.body'])
    .where('c.policy_id', '=', policyId)
    .where('c.round', '=', round)
    .where('c.status', '=', 'visible')
    .where('c.body', 'is not', null)
    .where('a.group_id', 'is', null)
    .orderBy('c.seq', 'asc')
    .execute();
  return findNearDuplicates(
    rows.map((r) => ({ id: r.id, text: r.body ?? '' })),
    options,
  );
}
