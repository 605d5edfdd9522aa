import type { DomainEvent, DraftNode, EventOf, NodeKind } from '@gopy/schemas';
import { toMillis, unreachable } from './shared';

export const policyEventTypes = [
  'PolicyProposed',
  'DraftingStarted',
  'DraftVersionPublished',
  'VersionDocumentAttached',
  'ConsultationOpened',
  'ConsultationExtended',
  'ConsultationClosed',
  'RoundAnswered',
  'PolicyEnacted',
  'PolicyWithdrawn',
] as const;
export type PolicyEventType = (typeof policyEventTypes)[number];
export type PolicyEvent = EventOf<PolicyEventType>;

export function isPolicyEvent(event: DomainEvent): event is PolicyEvent {
  return (policyEventTypes as readonly string[]).includes(event.type);
}

export type PolicyStatus = 'none' | 'proposed' | 'drafting' | 'consultation' | 'review' | 'enacted' | 'withdrawn';

export interface PublishedVersion {
  title: string;
  nodes: DraftNode[];
  /** Every node id of this version, for anchoring comments without walking the tree. */
  nodeIds: string[];
}

export interface ConsultationRound {
  round: number;
  version: number;
  opensAt: string;
  closesAt: string;
  closed: boolean;
  closedAt: string | null;
  closedBy: 'deadline' | 'staff' | null;
  answered: boolean;
  digestId: string | null;
}

export interface PolicyState {
  status: PolicyStatus;
  policyId: string | null;
  owningOrganizationId: string | null;
  title: string;
  summary: string;
  topics: string[];
  versions: Record<number, PublishedVersion>;
  /** 0 until the first version is published. */
  latestVersion: number;
  /** The kind each node id has ever had: a kept node id must keep its kind in later versions. */
  nodeKinds: Record<string, NodeKind>;
  /** The last round opened, if any; earlier rounds are answered history and decide nothing. */
  currentRound: ConsultationRound | null;
  /** The decision in force: the last enactment, kept while an amendment of it is drafted and consulted on. */
  enacted: {
    version: number;
    decisionNumber: string;
    decisionDate: string | null;
    effectiveDate: string;
    signedBy: string;
  } | null;
  withdrawnReason: string | null;
}

export const initialPolicyState: PolicyState = {
  status: 'none',
  policyId: null,
  owningOrganizationId: null,
  title: '',
  summary: '',
  topics: [],
  versions: {},
  latestVersion: 0,
  nodeKinds: {},
  currentRound: null,
  enacted: null,
  withdrawnReason: null,
};

/**
 * Whether nothing more can happen to the policy. An enacted policy is not: publishing an amending draft starts a new
 * cycle on it (see `policyGuards.publishDraftVersion`), every other command waits for that.
 */
export function isTerminal(state: PolicyState): boolean {
  return state.status === 'enacted' || state.status === 'withdrawn';
}

/** What the round rules read of a policy: its status and its current round's calendar. */
export interface RoundCalendar {
  status: PolicyStatus;
  currentRound: Pick<ConsultationRound, 'opensAt' | 'closesAt' | 'closed'> | null;
}

/** A participant may comment when the round has started, its deadline has not passed, and nobody closed it. */
export function isRoundOpen(state: RoundCalendar, now: string): boolean {
  return roundPhase(state, now) === 'open';
}

/**
 * Where the current round stands at `now`, for the commenting rule and for what a page says about the round: not
 * yet open (scheduled), open, or over (its deadline passed, it was closed, or the policy moved on). Null: no round.
 */
export type RoundPhase = 'scheduled' | 'open' | 'over';
export function roundPhase(state: RoundCalendar, now: string): RoundPhase | null {
  const round = state.currentRound;
  if (!round) return null;
  if (state.status !== 'consultation' || round.closed) return 'over';
  const t = toMillis(now);
  if (t < toMillis(round.opensAt)) return 'scheduled';
  return t < toMillis(round.closesAt) ? 'open' : 'over';
}

/**
 * Whether the last round is answered, for the steps that wait on it (enacting, revising, a new round): a RoundAnswered
 * is recorded, which only a published digest covering every visible comment of the round appends.
 */
export function isLastRoundAnswered(state: PolicyState): boolean {
  return state.currentRound?.answered === true;
}

/** When the round stopped taking feedback: its close if it was closed early, otherwise its deadline. */
export function roundEndedAt(round: ConsultationRound): string {
  return round.closedAt !== null && toMillis(round.closedAt) < toMillis(round.closesAt)
    ? round.closedAt
    : round.closesAt;
}

export function collectNodeIds(nodes: DraftNode[]): string[] {
  return nodes.flatMap((n) => [n.nodeId, ...collectNodeIds(n.children)]);
}

function collectNodeKinds(nodes: DraftNode[], into: Record<string, NodeKind>): Record<string, NodeKind> {
  for (const n of nodes) {
    into[n.nodeId] = n.kind;
    collectNodeKinds(n.children, into);
  }
  return into;
}

export function evolvePolicy(state: PolicyState, event: PolicyEvent): PolicyState {
  switch (event.type) {
    case 'PolicyProposed': {
      const { policyId, owningOrganizationId, title, summary, topics } = event.data;
      return { ...state, status: 'proposed', policyId, owningOrganizationId, title, summary, topics };
    }
    case 'DraftingStarted':
      return { ...state, status: 'drafting' };
    case 'DraftVersionPublished': {
      const { version, title, nodes, revisesRound } = event.data;
      return {
        ...state,
        // A revision after consultation keeps the policy in review (no new round); any other version is a working draft.
        status: revisesRound !== null ? 'review' : 'drafting',
        title,
        versions: { ...state.versions, [version]: { title, nodes, nodeIds: collectNodeIds(nodes) } },
        latestVersion: Math.max(state.latestVersion, version),
        nodeKinds: collectNodeKinds(nodes, { ...state.nodeKinds }),
      };
    }
    case 'VersionDocumentAttached':
      // Documents accompany a version; no rule of the policy depends on them.
      return state;
    case 'ConsultationOpened': {
      const { round, version, opensAt, closesAt } = event.data;
      return {
        ...state,
        status: 'consultation',
        currentRound: {
          round,
          version,
          opensAt,
          closesAt,
          closed: false,
          closedAt: null,
          closedBy: null,
          answered: false,
          digestId: null,
        },
      };
    }
    case 'ConsultationExtended':
      return state.currentRound
        ? { ...state, currentRound: { ...state.currentRound, closesAt: event.data.closesAt } }
        : state;
    case 'ConsultationClosed':
      return state.currentRound
        ? {
            ...state,
            status: 'review',
            currentRound: {
              ...state.currentRound,
              closed: true,
              closedAt: event.data.closedAt,
              closedBy: event.data.closedBy,
            },
          }
        : state;
    case 'RoundAnswered':
      return state.currentRound
        ? { ...state, currentRound: { ...state.currentRound, answered: true, digestId: event.data.digestId } }
        : state;
    case 'PolicyEnacted': {
      const { version, decisionNumber, decisionDate, effectiveDate, signedBy } = event.data;
      return {
        ...state,
        status: 'enacted',
        enacted: { version, decisionNumber, decisionDate, effectiveDate, signedBy },
      };
    }
    case 'PolicyWithdrawn':
      return { ...state, status: 'withdrawn', withdrawnReason: event.data.reason };
    default:
      return unreachable(event);
  }
}

export function foldPolicy(events: readonly PolicyEvent[], state: PolicyState = initialPolicyState): PolicyState {
  return events.reduce(evolvePolicy, state);
}
