import { v7 as uuidv7 } from 'uuid';
import { streams, type DomainEvent, type Role } from '@gopy/schemas';
import {
  ANALYST_ROLES,
  decideAnalysis,
  evolveAnalysis,
  initialAnalysisState,
  isAnalysisEvent,
  type AnalysisCommand,
  type AnalysisState,
} from '@gopy/domain/analysisDecider';
import { NotFoundError } from '@gopy/domain/errors';
import { actingRole } from '@gopy/domain/shared';
import type { Principal, CommandResult } from './commands';
import type { Clock } from './ports';
import { analysisQueries } from './readModels/analysis';
import type { ReadDb } from './readModels/database';
import { policyQueries } from './readModels/policies';
import type { CommandContext, WritePath } from './writePath';

export const analysisAggregate = {
  initialState: initialAnalysisState,
  evolve: (state: AnalysisState, event: DomainEvent): AnalysisState =>
    isAnalysisEvent(event) ? evolveAnalysis(state, event) : state,
};

export interface ConfirmDuplicateGroupInput {
  groupId: string;
  policyId: string;
  round: number;
  commentIds: string[];
  representativeCommentId: string;
}

export interface UndoDuplicateGroupInput {
  groupId: string;
  reason: string;
}

/**
 * Analysts' commands on a round (stream `analysis-<policy>-<round>`): confirm a group of near-duplicate comments, undo
 * it. The owning organisation and the comments of the round come from the read models; the decider judges.
 */
export class AnalysisCommands {
  constructor(
    private readonly writePath: WritePath,
    private readonly clock: Clock,
    private readonly db: ReadDb,
  ) {}

  private async owningOrganization(policyId: string, round: number): Promise<string> {
    const [policy] = await policyQueries.byIds(this.db, [policyId]);
    if (!policy)
      throw new NotFoundError('policy', policyId, { vi: 'Không tìm thấy dự thảo.', en: 'Policy not found.' });
    const rounds = await policyQueries.rounds(this.db, [policyId]);
    if (!rounds.some((r) => r.round === round)) {
      throw new NotFoundError('round', String(round), {
        vi: `Dự thảo không có đợt lấy ý kiến ${round}.`,
        en: `The policy has no consultation round ${round}.`,
      });
    }
    return policy.organizationId;
  }

  private async run(
    policyId: string,
    round: number,
    principal: Principal,
    build: (now: string, actor: { accountId: string; roles: Role[] }) => Promise<AnalysisCommand>,
  ): Promise<CommandResult<AnalysisState>> {
    const organizationId = await this.owningOrganization(policyId, round);
    const roles = await principal.rolesIn(organizationId);
    const now = this.clock.now().toISOString();
    const input = await build(now, { accountId: principal.accountId, roles });
    return this.writePath.execute(
      streams.analysis(policyId, round),
      analysisAggregate,
      input,
      async (command, state) => {
        const events = decideAnalysis(command, state);
        const context: CommandContext = {
          actor: {
            accountId: principal.accountId,
            role: actingRole(roles, ANALYST_ROLES),
            organizationId,
          },
          occurredAt: now,
          correlationId: uuidv7(),
          causationId: null,
        };
        return { events, context };
      },
    );
  }

  async confirmDuplicateGroup(
    input: ConfirmDuplicateGroupInput,
    principal: Principal,
  ): Promise<CommandResult<AnalysisState>> {
    return this.run(input.policyId, input.round, principal, async (now, actor) => ({
      type: 'ConfirmDuplicateGroup',
      now,
      actor,
      ...input,
      commentsOfRound: await analysisQueries.commentsOfRound(
        this.db,
        input.policyId,
        input.round,
        input.commentIds.filter((id) => typeof id === 'string'),
      ),
    }));
  }

  async undoDuplicateGroup(
    input: UndoDuplicateGroupInput,
    principal: Principal,
  ): Promise<CommandResult<AnalysisState>> {
    const group = await analysisQueries.group(this.db, input.groupId);
    if (!group)
      throw new NotFoundError('duplicateGroup', input.groupId, {
        vi: 'Không tìm thấy nhóm ý kiến trùng lặp.',
        en: 'Duplicate group not found.',
      });
    return this.run(group.policyId, group.round, principal, async (now, actor) => ({
      type: 'UndoDuplicateGroup',
      now,
      actor,
      ...input,
    }));
  }
}
