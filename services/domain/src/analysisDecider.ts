import type { DomainEvent, EventOf, Role } from '@gopy/schemas';
import { ForbiddenError, IllegalStateError, NotFoundError } from './errors';
import { hasAnyRole, invalid, requireContext, requireText, requireUuid, unreachable, type CommandBase } from './shared';

/**
 * The analysis of one consultation round (stream `analysis-<policy>-<round>`): which comments analysts confirmed as
 * near-duplicates of each other. A confirmed group counts once among the round's distinct arguments; undoing it is
 * another event, so the log keeps both the judgement and its reversal.
 */
export const analysisEventTypes = ['DuplicateGroupConfirmed', 'DuplicateGroupUndone'] as const;
export type AnalysisEventType = (typeof analysisEventTypes)[number];
export type AnalysisEvent = EventOf<AnalysisEventType>;

export function isAnalysisEvent(event: DomainEvent): event is AnalysisEvent {
  return (analysisEventTypes as readonly string[]).includes(event.type);
}

export interface DuplicateGroupState {
  commentIds: string[];
  representativeCommentId: string;
  undone: boolean;
}

export interface AnalysisState {
  groups: Map<string, DuplicateGroupState>;
  /** comment id → the confirmed (not undone) group it is in. */
  groupOf: Map<string, string>;
}

export const initialAnalysisState: AnalysisState = { groups: new Map(), groupOf: new Map() };

export function evolveAnalysis(state: AnalysisState, event: AnalysisEvent): AnalysisState {
  switch (event.type) {
    case 'DuplicateGroupConfirmed': {
      const d = event.data;
      const groups = new Map(state.groups).set(d.groupId, {
        commentIds: d.commentIds,
        representativeCommentId: d.representativeCommentId,
        undone: false,
      });
      const groupOf = new Map(state.groupOf);
      for (const id of d.commentIds) groupOf.set(id, d.groupId);
      return { groups, groupOf };
    }
    case 'DuplicateGroupUndone': {
      const group = state.groups.get(event.data.groupId);
      if (!group) return state;
      const groups = new Map(state.groups).set(event.data.groupId, { ...group, undone: true });
      const groupOf = new Map(state.groupOf);
      for (const id of group.commentIds) if (groupOf.get(id) === event.data.groupId) groupOf.delete(id);
      return { groups, groupOf };
    }
    default:
      return unreachable(event);
  }
}

/** Staff of the owning organisation (or an admin standing in for them) and its policymakers read and group feedback. */
export const ANALYST_ROLES: readonly Role[] = ['staff', 'admin', 'policymaker'];

export const analysisRules = {
  ANALYST_ONLY: {
    vi: 'Chỉ cán bộ soạn thảo hoặc lãnh đạo của cơ quan chủ trì được gộp ý kiến trùng lặp.',
    en: 'Only staff or a policymaker of the owning organisation may group duplicate comments.',
  },
  DUPLICATE_GROUP_EXISTS: {
    vi: 'Nhóm ý kiến trùng lặp này đã được xác nhận.',
    en: 'This duplicate group has already been confirmed.',
  },
  COMMENT_ALREADY_GROUPED: {
    vi: 'Có ý kiến đã thuộc một nhóm trùng lặp khác; hãy bỏ nhóm đó trước.',
    en: 'A comment is already in another duplicate group; undo that group first.',
  },
  GROUP_ALREADY_UNDONE: {
    vi: 'Nhóm ý kiến trùng lặp này đã được bỏ từ trước.',
    en: 'This duplicate group has already been undone.',
  },
} as const;

export interface ConfirmDuplicateGroup extends CommandBase {
  type: 'ConfirmDuplicateGroup';
  groupId: string;
  policyId: string;
  round: number;
  commentIds: string[];
  representativeCommentId: string;
  /** The comments of this policy and round that exist, as the handler found them: the domain does no I/O. */
  commentsOfRound: ReadonlySet<string>;
}

export interface UndoDuplicateGroup extends CommandBase {
  type: 'UndoDuplicateGroup';
  groupId: string;
  reason: string;
}

export type AnalysisCommand = ConfirmDuplicateGroup | UndoDuplicateGroup;

function requireAnalyst(command: CommandBase): void {
  if (!hasAnyRole(command.actor, ANALYST_ROLES)) throw new ForbiddenError('ANALYST_ONLY', analysisRules.ANALYST_ONLY);
}

export function decideAnalysis(command: AnalysisCommand, state: AnalysisState): AnalysisEvent[] {
  requireContext(command);
  requireAnalyst(command);
  switch (command.type) {
    case 'ConfirmDuplicateGroup': {
      requireUuid('groupId', command.groupId);
      if (!Array.isArray(command.commentIds))
        throw invalid('commentIds', 'Danh sách ý kiến không hợp lệ.', 'commentIds must be a list.');
      const commentIds = [...new Set(command.commentIds.map((id, i) => requireUuid(`commentIds[${i}]`, id)))];
      if (commentIds.length < 2) {
        throw invalid(
          'commentIds',
          'Một nhóm trùng lặp cần ít nhất hai ý kiến khác nhau.',
          'A duplicate group needs at least two different comments.',
        );
      }
      if (commentIds.length > 5_000)
        throw invalid(
          'commentIds',
          'Nhóm có quá nhiều ý kiến (tối đa 5.000).',
          'A group may hold at most 5,000 comments.',
        );
      if (!commentIds.includes(command.representativeCommentId)) {
        throw invalid(
          'representativeCommentId',
          'Ý kiến đại diện phải thuộc nhóm.',
          'The representative comment must be one of the group.',
        );
      }
      const foreign = commentIds.find((id) => !command.commentsOfRound.has(id));
      if (foreign) {
        throw invalid(
          'commentIds',
          `Ý kiến ${foreign} không thuộc đợt lấy ý kiến này.`,
          `Comment ${foreign} is not a comment of this round.`,
        );
      }
      const existing = state.groups.get(command.groupId);
      if (existing) {
        // A retry of the same confirmation is acknowledged without writing anything.
        const same =
          !existing.undone &&
          existing.commentIds.length === commentIds.length &&
          commentIds.every((id) => existing.commentIds.includes(id));
        if (same) return [];
        throw new IllegalStateError('DUPLICATE_GROUP_EXISTS', analysisRules.DUPLICATE_GROUP_EXISTS);
      }
      if (commentIds.some((id) => state.groupOf.has(id)))
        throw new IllegalStateError('COMMENT_ALREADY_GROUPED', analysisRules.COMMENT_ALREADY_GROUPED);
      return [
        {
          type: 'DuplicateGroupConfirmed',
          data: {
            groupId: command.groupId,
            policyId: command.policyId,
            round: command.round,
            commentIds,
            representativeCommentId: command.representativeCommentId,
            confirmedBy: command.actor.accountId,
          },
        },
      ];
    }
    case 'UndoDuplicateGroup': {
      const reason = requireText('reason', command.reason, { min: 1, max: 2_000 });
      const group = state.groups.get(command.groupId);
      if (!group) {
        throw new NotFoundError('duplicateGroup', command.groupId, {
          vi: 'Không tìm thấy nhóm ý kiến trùng lặp.',
          en: 'Duplicate group not found.',
        });
      }
      if (group.undone) throw new IllegalStateError('GROUP_ALREADY_UNDONE', analysisRules.GROUP_ALREADY_UNDONE);
      return [
        { type: 'DuplicateGroupUndone', data: { groupId: command.groupId, undoneBy: command.actor.accountId, reason } },
      ];
    }
    default:
      return unreachable(command);
  }
}

export const analysisDecider = { decide: decideAnalysis, evolve: evolveAnalysis, initialState: initialAnalysisState };
