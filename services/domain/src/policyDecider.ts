import {
  NodeKinds,
  StakeholderCategories,
  type AttachmentRef,
  type DraftNode,
  type NodeKind,
  type StakeholderCategory,
} from '@gopy/schemas';
import { NotFoundError } from './errors';
import {
  evolvePolicy,
  initialPolicyState,
  isLastRoundAnswered,
  isTerminal,
  type ConsultationRound,
  type PolicyEvent,
  type PolicyState,
} from './policy';
import { illegalState } from './rules';
import {
  STAFF_ROLES,
  invalid,
  isBefore,
  requireAnyRole,
  requireAttachments,
  requireCalendarDate,
  requireContext,
  requireInstant,
  requireNonNegativeInt,
  requireOneOf,
  requirePositiveInt,
  requireText,
  requireUuid,
  toMillis,
  unreachable,
  type CommandActor,
  type CommandBase,
  type Decider,
} from './shared';

interface PolicyCommandBase extends CommandBase {
  policyId: string;
}

export interface ProposePolicy extends PolicyCommandBase {
  type: 'ProposePolicy';
  owningOrganizationId: string;
  title: string;
  summary: string;
  topics: string[];
}
export interface StartDrafting extends PolicyCommandBase {
  type: 'StartDrafting';
}
export interface PublishDraftVersion extends PolicyCommandBase {
  type: 'PublishDraftVersion';
  title: string;
  nodes: DraftNode[];
  changeNote: string;
  attachments?: AttachmentRef[];
}
/** Staff attach the explanatory memorandum (tờ trình) or another document to a published version. */
export interface AttachVersionDocument extends PolicyCommandBase {
  type: 'AttachVersionDocument';
  version: number;
  documentId: string;
  kind: 'to_trinh' | 'other';
  title: string;
  file: { fileName: string; mediaType: string; sha256: string; size: number };
}
export interface OpenConsultation extends PolicyCommandBase {
  type: 'OpenConsultation';
  opensAt: string;
  closesAt: string;
  note: string;
  /**
   * The shortest round the installation allows, in days (configuration the handler passes in; fractions allowed).
   * Omitted: DEFAULT_MINIMUM_ROUND_DAYS.
   */
  minimumRoundDays?: number;
  /** Who is asked; omitted or empty lists mean everyone. */
  audience?: { stakeholderCategories: StakeholderCategory[]; organizationIds: string[] };
}
export interface ExtendConsultation extends PolicyCommandBase {
  type: 'ExtendConsultation';
  closesAt: string;
  reason: string;
}
export interface CloseConsultation extends PolicyCommandBase {
  type: 'CloseConsultation';
  closedBy: 'deadline' | 'staff';
  reason: string;
}
export interface AnswerRound extends PolicyCommandBase {
  type: 'AnswerRound';
  /** The round the digest answers; a digest of an older round must not answer a newer one. */
  round: number;
  digestId: string;
  coveredCount: number;
  visibleCount: number;
  countedAtPosition: string | null;
}
export interface EnactPolicy extends PolicyCommandBase {
  type: 'EnactPolicy';
  /** The published version enacted; the latest when not given. */
  version?: number;
  decisionNumber: string;
  /** The date the decision is signed (YYYY-MM-DD); omitted: the command's date in Vietnam. */
  decisionDate?: string;
  effectiveDate: string;
}
export interface WithdrawPolicy extends PolicyCommandBase {
  type: 'WithdrawPolicy';
  reason: string;
}

export type PolicyCommand =
  | ProposePolicy
  | StartDrafting
  | PublishDraftVersion
  | AttachVersionDocument
  | OpenConsultation
  | ExtendConsultation
  | CloseConsultation
  | AnswerRound
  | EnactPolicy
  | WithdrawPolicy;

/** A round shorter than this is refused unless the installation configures otherwise (GOPY_MIN_ROUND_DAYS). */
export const DEFAULT_MINIMUM_ROUND_DAYS = 1;
const DAY_MS = 86_400_000;
/** Vietnam is UTC+7 all year: calendar dates of decisions are Vietnamese dates. */
const VIETNAM_OFFSET_MS = 7 * 3_600_000;

/**
 * The policy exists and can still change: every command on an existing policy asks this first. `amending`: the
 * command may start a new cycle on an enacted policy (only publishing an amending draft does).
 */
export function requireLivePolicy(state: PolicyState, policyId: string, amending = false): void {
  if (isTerminal(state) && !(amending && state.status === 'enacted')) throw illegalState('TERMINAL_STATE');
  if (state.status === 'none' || state.policyId !== policyId) {
    throw new NotFoundError('policy', policyId, {
      vi: `Không tìm thấy chính sách ${policyId}.`,
      en: `Policy ${policyId} not found.`,
    });
  }
}

/**
 * What each command asks of the policy, of the actor and of the time, before its own input is looked at. The
 * deciders below call them first; `policyActions` (actions.ts) calls the same ones to tell a viewer what is possible
 * now, so a rule is written once. A guard throws the refusal; what it cannot know (the input) stays in the decider.
 */
export const policyGuards = {
  startDrafting(state: PolicyState, actor: CommandActor): void {
    requireAnyRole(actor, STAFF_ROLES, 'STAFF_ONLY');
    if (state.status !== 'proposed') throw illegalState('NOT_PROPOSED');
  },
  /**
   * A working draft while drafting; in review, once the round is answered, the revised draft after consultation (the
   * policy stays in review, no new round); on an enacted policy, the first draft of an amendment (a new cycle).
   */
  publishDraftVersion(state: PolicyState, actor: CommandActor): void {
    requireAnyRole(actor, STAFF_ROLES, 'STAFF_ONLY');
    if (state.status === 'proposed') throw illegalState('DRAFTING_NOT_STARTED');
    if (state.status === 'consultation') throw illegalState('ROUND_STILL_OPEN');
    // Revising after a round: that round's feedback must have been answered first.
    if (state.status === 'review' && !isLastRoundAnswered(state)) throw illegalState('ROUND_NOT_ANSWERED');
  },
  openConsultation(state: PolicyState, actor: CommandActor): void {
    requireAnyRole(actor, STAFF_ROLES, 'STAFF_ONLY');
    if (state.status === 'consultation') throw illegalState('ROUND_STILL_OPEN');
    if (state.latestVersion === 0) throw illegalState('NO_PUBLISHED_VERSION');
    if (state.status === 'review' && !isLastRoundAnswered(state)) throw illegalState('ROUND_NOT_ANSWERED');
  },
  extendConsultation(state: PolicyState, actor: CommandActor, now: string): void {
    requireAnyRole(actor, STAFF_ROLES, 'STAFF_ONLY');
    const round = state.currentRound;
    // Past the deadline the round is due to close, and the scheduler closes it exactly once: too late to extend.
    if (state.status !== 'consultation' || !round || round.closed || !isBefore(now, round.closesAt)) {
      throw illegalState('ROUND_NOT_OPEN');
    }
  },
  /** Closing early is a staff decision; the deadline's close is the scheduler's (`closeAtDeadline`). */
  closeConsultation(state: PolicyState, actor: CommandActor): void {
    requireAnyRole(actor, STAFF_ROLES, 'STAFF_ONLY');
    requireRoundNotClosed(state);
  },
  closeAtDeadline(state: PolicyState, now: string): void {
    const round = requireRoundNotClosed(state);
    if (isBefore(now, round.closesAt)) throw illegalState('DEADLINE_NOT_REACHED');
  },
  enact(state: PolicyState, actor: CommandActor): void {
    requireAnyRole(actor, ['policymaker'], 'POLICYMAKER_ONLY');
    if (!state.currentRound) throw illegalState('NO_ROUND');
    if (!isLastRoundAnswered(state)) throw illegalState('ROUND_NOT_ANSWERED');
    if (state.status !== 'review') throw illegalState('NOT_IN_REVIEW');
  },
  withdraw(actor: CommandActor): void {
    requireAnyRole(actor, [...STAFF_ROLES, 'policymaker'], 'STAFF_OR_POLICYMAKER_ONLY');
  },
};

function requireRoundNotClosed(state: PolicyState): ConsultationRound {
  const round = state.currentRound;
  if (state.status !== 'consultation' || !round || round.closed) throw illegalState('ROUND_NOT_OPEN');
  return round;
}

export function decidePolicy(command: PolicyCommand, state: PolicyState): PolicyEvent[] {
  requireContext(command);
  if (command.type === 'ProposePolicy') {
    if (isTerminal(state)) throw illegalState('TERMINAL_STATE');
    return propose(command, state);
  }
  requireLivePolicy(state, command.policyId, command.type === 'PublishDraftVersion');
  switch (command.type) {
    case 'StartDrafting':
      return startDrafting(command, state);
    case 'PublishDraftVersion':
      return publishDraftVersion(command, state);
    case 'AttachVersionDocument':
      return attachVersionDocument(command, state);
    case 'OpenConsultation':
      return openConsultation(command, state);
    case 'ExtendConsultation':
      return extendConsultation(command, state);
    case 'CloseConsultation':
      return closeConsultation(command, state);
    case 'AnswerRound':
      return answerRound(command, state);
    case 'EnactPolicy':
      return enact(command, state);
    case 'WithdrawPolicy':
      return withdraw(command);
    default:
      return unreachable(command);
  }
}

function propose(command: ProposePolicy, state: PolicyState): PolicyEvent[] {
  requireAnyRole(command.actor, STAFF_ROLES, 'STAFF_ONLY');
  if (state.status !== 'none') throw illegalState('POLICY_ALREADY_EXISTS');
  const policyId = requireUuid('policyId', command.policyId);
  const owningOrganizationId = requireUuid('owningOrganizationId', command.owningOrganizationId);
  const title = requireText('title', command.title, { min: 1, max: 300 });
  const summary = requireText('summary', command.summary, { min: 0, max: 5_000 });
  if (!Array.isArray(command.topics) || command.topics.length > 20) {
    throw invalid('topics', 'Chủ đề phải là danh sách tối đa 20 mục.', 'topics must be a list of at most 20.');
  }
  const topics = [...new Set(command.topics.map((t, i) => requireText(`topics[${i}]`, t, { min: 1, max: 100 })))];
  return [
    {
      type: 'PolicyProposed',
      data: { policyId, owningOrganizationId, title, summary, topics, proposedBy: command.actor.accountId },
    },
  ];
}

function startDrafting(command: StartDrafting, state: PolicyState): PolicyEvent[] {
  policyGuards.startDrafting(state, command.actor);
  return [{ type: 'DraftingStarted', data: { policyId: command.policyId, startedBy: command.actor.accountId } }];
}

function publishDraftVersion(command: PublishDraftVersion, state: PolicyState): PolicyEvent[] {
  policyGuards.publishDraftVersion(state, command.actor);
  const title = requireText('title', command.title, { min: 1, max: 300 });
  const changeNote = requireText('changeNote', command.changeNote, { min: 0, max: 5_000 });
  const nodes = validateDraftTree(command.nodes, state.nodeKinds);
  const attachments = requireAttachments('attachments', command.attachments);
  return [
    {
      type: 'DraftVersionPublished',
      data: {
        policyId: command.policyId,
        version: state.latestVersion + 1,
        title,
        nodes,
        changeNote,
        attachments,
        publishedBy: command.actor.accountId,
        revisesRound: state.status === 'review' ? (state.currentRound as ConsultationRound).round : null,
        amendsVersion: state.status === 'enacted' ? state.enacted!.version : null,
      },
    },
  ];
}

const VERSION_DOCUMENT_KINDS = ['to_trinh', 'other'] as const;

function attachVersionDocument(command: AttachVersionDocument, state: PolicyState): PolicyEvent[] {
  requireAnyRole(command.actor, STAFF_ROLES, 'STAFF_ONLY');
  if (!Number.isInteger(command.version) || !state.versions[command.version]) {
    throw new NotFoundError('version', String(command.version), {
      vi: `Không có phiên bản ${command.version}.`,
      en: `There is no version ${command.version}.`,
    });
  }
  const documentId = requireUuid('documentId', command.documentId);
  const kind = requireOneOf('kind', command.kind, VERSION_DOCUMENT_KINDS);
  const title = requireText('title', command.title, { min: 1, max: 300 });
  const file = command.file ?? ({} as AttachVersionDocument['file']);
  const fileName = requireText('file.fileName', file.fileName, { min: 1, max: 300 });
  const mediaType = requireText('file.mediaType', file.mediaType, { min: 1, max: 200 });
  if (typeof file.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(file.sha256)) {
    throw invalid('file.sha256', 'Mã băm SHA-256 của tệp không hợp lệ.', 'The SHA-256 of the file is invalid.');
  }
  const size = requireNonNegativeInt('file.size', file.size);
  return [
    {
      type: 'VersionDocumentAttached',
      data: {
        policyId: command.policyId,
        version: command.version,
        documentId,
        kind,
        title,
        fileName,
        mediaType,
        sha256: file.sha256,
        size,
        attachedBy: command.actor.accountId,
      },
    },
  ];
}

const kindRank: Record<NodeKind, number> = Object.fromEntries(NodeKinds.map((k, i) => [k, i])) as Record<
  NodeKind,
  number
>;

/**
 * A legal text nests phần > chương > mục > điều > khoản > điểm; a level may be skipped (an article directly under a
 * chapter) but never inverted. Node ids are stable across versions, so a kept id must keep its kind: comments
 * anchored to "Điều 5" must not silently end up anchored to a clause.
 */
export function validateDraftTree(nodes: unknown, previousKinds: Record<string, NodeKind>): DraftNode[] {
  if (!Array.isArray(nodes) || nodes.length === 0) {
    throw invalid('nodes', 'Dự thảo phải có ít nhất một mục.', 'A draft must have at least one node.');
  }
  const seen = new Set<string>();
  const walk = (list: unknown[], path: string, parentKind: NodeKind | null): DraftNode[] =>
    list.map((raw, i) => {
      const at = `${path}[${i}]`;
      if (!raw || typeof raw !== 'object') throw invalid(at, 'Mục dự thảo không hợp lệ.', 'Invalid draft node.');
      const node = raw as Partial<DraftNode>;
      const nodeId = requireUuid(`${at}.nodeId`, node.nodeId);
      if (seen.has(nodeId)) {
        throw invalid(`${at}.nodeId`, 'Mã mục bị trùng trong dự thảo.', 'Node ids must be unique within a draft.');
      }
      seen.add(nodeId);
      const kind = requireOneOf(`${at}.kind`, node.kind, NodeKinds);
      if (parentKind !== null && kindRank[kind] <= kindRank[parentKind]) {
        throw invalid(
          `${at}.kind`,
          `Một ${vietnameseKind[kind]} không thể nằm trong một ${vietnameseKind[parentKind]}.`,
          `A ${kind} cannot sit inside a ${parentKind}.`,
        );
      }
      const previousKind = previousKinds[nodeId];
      if (previousKind !== undefined && previousKind !== kind) {
        throw invalid(
          `${at}.kind`,
          `Mục này trước đây là ${vietnameseKind[previousKind]}; mục giữ nguyên mã phải giữ nguyên loại.`,
          `This node was a ${previousKind}; a node keeping its id must keep its kind.`,
        );
      }
      const number = requireText(`${at}.number`, node.number, { min: 1, max: 20 });
      const heading = requireText(`${at}.heading`, node.heading ?? '', { min: 0, max: 500 });
      const text = requireText(`${at}.text`, node.text ?? '', { min: 0, max: 20_000 });
      const children = node.children ?? [];
      if (!Array.isArray(children))
        throw invalid(`${at}.children`, 'Danh sách mục con không hợp lệ.', 'children must be a list.');
      return { nodeId, kind, number, heading, text, children: walk(children, `${at}.children`, kind) };
    });
  return walk(nodes, 'nodes', null);
}

const vietnameseKind: Record<NodeKind, string> = {
  part: 'phần',
  chapter: 'chương',
  section: 'mục',
  article: 'điều',
  clause: 'khoản',
  point: 'điểm',
};

function openConsultation(command: OpenConsultation, state: PolicyState): PolicyEvent[] {
  policyGuards.openConsultation(state, command.actor);
  const opensAt = requireInstant('opensAt', command.opensAt);
  const closesAt = requireInstant('closesAt', command.closesAt);
  if (!isBefore(opensAt, closesAt)) {
    throw invalid('closesAt', 'Thời hạn kết thúc phải sau thời điểm mở.', 'closesAt must be after opensAt.');
  }
  if (!isBefore(command.now, closesAt)) {
    throw invalid('closesAt', 'Thời hạn kết thúc phải ở tương lai.', 'closesAt must be in the future.');
  }
  requireMinimumRound(command, opensAt, closesAt);
  const note = requireText('note', command.note, { min: 0, max: 5_000 });
  const audience = {
    stakeholderCategories: [
      ...new Set(
        (command.audience?.stakeholderCategories ?? []).map((c, i) =>
          requireOneOf(`audience.stakeholderCategories[${i}]`, c, StakeholderCategories),
        ),
      ),
    ],
    organizationIds: [
      ...new Set(
        (command.audience?.organizationIds ?? []).map((id, i) => requireUuid(`audience.organizationIds[${i}]`, id)),
      ),
    ],
  };
  return [
    {
      type: 'ConsultationOpened',
      data: {
        policyId: command.policyId,
        round: (state.currentRound?.round ?? 0) + 1,
        version: state.latestVersion,
        opensAt,
        closesAt,
        audience,
        note,
      },
    },
  ];
}

/**
 * People must have time to read and answer: the time left to comment (from the later of opening and now to the
 * deadline) must reach the configured minimum. Closing early stays possible, with its reason shown to the public.
 */
function requireMinimumRound(command: OpenConsultation, opensAt: string, closesAt: string): void {
  const days = command.minimumRoundDays ?? DEFAULT_MINIMUM_ROUND_DAYS;
  if (typeof days !== 'number' || !Number.isFinite(days) || days < 0) {
    throw invalid(
      'minimumRoundDays',
      'Cấu hình thời gian lấy ý kiến tối thiểu không hợp lệ.',
      'The configured minimum round length is invalid.',
    );
  }
  const from = Math.max(toMillis(opensAt), toMillis(command.now));
  if (toMillis(closesAt) - from < days * DAY_MS) {
    const vi = days >= 1 && Number.isInteger(days) ? `${days} ngày` : `${Math.round(days * 24 * 60)} phút`;
    const en =
      days >= 1 && Number.isInteger(days)
        ? `${days} day${days === 1 ? '' : 's'}`
        : `${Math.round(days * 24 * 60)} minutes`;
    throw invalid(
      'closesAt',
      `Đợt lấy ý kiến phải kéo dài ít nhất ${vi} kể từ khi mở; hãy chọn hạn góp ý muộn hơn.`,
      `A consultation round must run for at least ${en} from its opening; choose a later closing time.`,
    );
  }
}

function extendConsultation(command: ExtendConsultation, state: PolicyState): PolicyEvent[] {
  policyGuards.extendConsultation(state, command.actor, command.now);
  const round = state.currentRound as ConsultationRound;
  const closesAt = requireInstant('closesAt', command.closesAt);
  if (!isBefore(round.closesAt, closesAt)) {
    throw invalid(
      'closesAt',
      'Thời hạn mới phải sau thời hạn hiện tại.',
      'The new closesAt must be later than the current one.',
    );
  }
  const reason = requireText('reason', command.reason, { min: 1, max: 2_000 });
  return [
    {
      type: 'ConsultationExtended',
      data: { policyId: command.policyId, round: round.round, previousClosesAt: round.closesAt, closesAt, reason },
    },
  ];
}

function closeConsultation(command: CloseConsultation, state: PolicyState): PolicyEvent[] {
  const closedBy = requireOneOf('closedBy', command.closedBy, ['deadline', 'staff'] as const);
  // A deadline close states a fact anyone can check (the scheduler appends it); closing early is a staff decision.
  if (closedBy === 'staff') policyGuards.closeConsultation(state, command.actor);
  else policyGuards.closeAtDeadline(state, command.now);
  const round = state.currentRound as ConsultationRound;
  const reason = requireText('reason', command.reason ?? '', { min: 0, max: 2_000 });
  // Business time: the round ended when the deadline fell, even if the scheduler ran a little later.
  const closedAt = isBefore(command.now, round.closesAt) ? command.now : round.closesAt;
  return [
    {
      type: 'ConsultationClosed',
      data: { policyId: command.policyId, round: round.round, closedAt, closedBy, reason },
    },
  ];
}

function answerRound(command: AnswerRound, state: PolicyState): PolicyEvent[] {
  requireAnyRole(command.actor, ['spokesperson'], 'SPOKESPERSON_ONLY');
  const round = state.currentRound;
  if (!round) throw illegalState('NO_ROUND');
  if (!round.closed) throw illegalState('ROUND_STILL_OPEN');
  if (round.answered) throw illegalState('ROUND_ALREADY_ANSWERED');
  if (requirePositiveInt('round', command.round) !== round.round) throw illegalState('ROUND_MISMATCH');
  const digestId = requireUuid('digestId', command.digestId);
  const coveredCount = requireNonNegativeInt('coveredCount', command.coveredCount);
  const visibleCount = requireNonNegativeInt('visibleCount', command.visibleCount);
  const countedAtPosition =
    command.countedAtPosition === null
      ? null
      : requireText('countedAtPosition', command.countedAtPosition, { min: 1, max: 200 });
  if (coveredCount !== visibleCount) throw illegalState('DIGEST_INCOMPLETE');
  return [
    {
      type: 'RoundAnswered',
      data: { policyId: command.policyId, round: round.round, digestId, coveredCount, visibleCount, countedAtPosition },
    },
  ];
}

function enact(command: EnactPolicy, state: PolicyState): PolicyEvent[] {
  policyGuards.enact(state, command.actor);
  const version = command.version === undefined ? state.latestVersion : requirePositiveInt('version', command.version);
  if (!state.versions[version]) {
    throw invalid('version', `Không có phiên bản dự thảo số ${version}.`, `There is no draft version ${version}.`);
  }
  // What is enacted is the text as it stands after consultation: the revised version when one was published.
  if (version !== state.latestVersion) {
    throw invalid(
      'version',
      `Chỉ ban hành được phiên bản mới nhất (phiên bản ${state.latestVersion}), là bản đã chỉnh lý sau khi lấy ý kiến.`,
      `Only the latest version (version ${state.latestVersion}), as revised after consultation, can be enacted.`,
    );
  }
  const decisionNumber = requireText('decisionNumber', command.decisionNumber, { min: 1, max: 100 });
  const today = vietnamDate(command.now);
  const decisionDate =
    command.decisionDate === undefined ? today : requireCalendarDate('decisionDate', command.decisionDate);
  const effectiveDate = requireCalendarDate('effectiveDate', command.effectiveDate);
  if (Date.parse(`${decisionDate}T00:00:00+07:00`) > toMillis(command.now) + DAY_MS) {
    throw invalid(
      'decisionDate',
      `Ngày ký quyết định (${decisionDate}) không thể muộn hơn ngày mai (hôm nay là ${today}).`,
      `The decision date (${decisionDate}) cannot be later than tomorrow (today is ${today}).`,
    );
  }
  if (effectiveDate < decisionDate) {
    throw invalid(
      'effectiveDate',
      `Ngày có hiệu lực (${effectiveDate}) không thể trước ngày ký quyết định (${decisionDate}).`,
      `The effective date (${effectiveDate}) cannot be before the decision date (${decisionDate}).`,
    );
  }
  return [
    {
      type: 'PolicyEnacted',
      data: {
        policyId: command.policyId,
        version,
        decisionNumber,
        decisionDate,
        effectiveDate,
        signedBy: command.actor.accountId,
      },
    },
  ];
}

/** The calendar date in Vietnam (UTC+7) at an instant. */
export function vietnamDate(instant: string): string {
  return new Date(toMillis(instant) + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

function withdraw(command: WithdrawPolicy): PolicyEvent[] {
  policyGuards.withdraw(command.actor);
  const reason = requireText('reason', command.reason, { min: 1, max: 2_000 });
  return [{ type: 'PolicyWithdrawn', data: { policyId: command.policyId, reason } }];
}

export const policyDecider: Decider<PolicyCommand, PolicyState, PolicyEvent> = {
  decide: decidePolicy,
  evolve: evolvePolicy,
  initialState: initialPolicyState,
};
