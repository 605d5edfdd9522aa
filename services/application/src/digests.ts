import { v7 as uuidv7 } from 'uuid';
import { digestIdFor, roundAnsweredEventId } from './ids';
import { streams, type Role } from '@gopy/schemas';
import { answeredCommentIds, initialDigestState, type DigestState } from '@gopy/domain/digest';
import { decideDigest, DIGEST_ROLES, type DigestCommand } from '@gopy/domain/digestDecider';
import { actingRole } from '@gopy/domain/shared';
import { IllegalStateError, ValidationError } from '@gopy/domain/errors';
import { initialPolicyState, type PolicyState } from '@gopy/domain/policy';
import {
  CommandHandlers,
  digestAggregate,
  policyAggregate,
  type CommandOptions,
  type CommandResult,
  type Principal,
} from './commands';
import type { ReadConsistency } from './consistency';
import type { Clock } from './ports';
import type { ReadDb } from './readModels/database';
import type { CommandContext, WritePath } from './writePath';

type WithoutContext<C> = C extends unknown ? Omit<C, 'now' | 'actor'> : never;
/** What callers send: the publish counts are taken by the handler, never by the caller. */
export type DigestCommandInput = Exclude<WithoutContext<DigestCommand>, { type: 'PublishDigest' | 'StartDigest' }>;

export { digestIdFor, roundAnsweredEventId };

/** Counts of a round's comments taken from the read models in one transaction, with the position they stand at. */
export interface CoverageCount {
  visibleCount: number;
  coveredCount: number;
  /** Every comment of the round in the read models, whatever its status now. */
  receivedCount: number;
  countedAtPosition: string | null;
}

export interface PublishOutcome {
  /** Where DigestPublished was written (undefined when this call only finished an interrupted publication). */
  digestPosition: string | undefined;
  /** Where RoundAnswered was written. */
  roundAnsweredPosition: string | undefined;
}

export interface DigestHandlerDeps {
  writePath: WritePath;
  clock: Clock;
  readDb: ReadDb;
  /** When given, counts wait until the read models show the comments' latest changes. */
  consistency?: ReadConsistency;
}

/**
 * Digest commands: load the policy (the digest answers its current round, and roles are those in its owning
 * organisation), load the digest stream, decide, append with the loaded revision. Publishing is a process of two steps:
 * DigestPublished on the digest stream, then RoundAnswered on the policy stream; the second is retried by any later
 * publish call and carries a deterministic event id, so a crash between the two never leaves a round unanswered for good.
 */
export class DigestHandlers {
  private readonly policies: CommandHandlers;

  constructor(private readonly deps: DigestHandlerDeps) {
    this.policies = new CommandHandlers(deps.writePath, deps.clock);
  }

  private loadPolicy(policyId: string): Promise<PolicyState> {
    return this.deps.writePath
      .load(streams.policy(policyId), initialPolicyState, policyAggregate.evolve)
      .then((l) => l.state);
  }

  async loadDigest(policyId: string, round: number): Promise<DigestState> {
    return (await this.deps.writePath.load(streams.digest(policyId, round), initialDigestState, digestAggregate.evolve))
      .state;
  }

  private async run(
    input: WithoutContext<DigestCommand>,
    principal: Principal,
    o: CommandOptions,
    prepare?: (state: DigestState) => Promise<Partial<DigestCommand>>,
  ): Promise<CommandResult<DigestState>> {
    return this.deps.writePath.execute(
      streams.digest(input.policyId, input.round),
      digestAggregate,
      input,
      async (command, state) => {
        const now = this.deps.clock.now().toISOString();
        const policy = await this.loadPolicy(command.policyId);
        const roles = await principal.rolesIn(policy.owningOrganizationId);
        const extra = prepare ? await prepare(state) : {};
        const events = decideDigest(
          { ...command, ...extra, now, actor: { accountId: principal.accountId, roles } } as DigestCommand,
          state,
          policy,
        );
        return { events, context: this.context(principal, roles, policy.owningOrganizationId, now, o) };
      },
    );
  }

  private context(
    principal: Principal,
    roles: Role[],
    organizationId: string | null,
    now: string,
    o: CommandOptions,
  ): CommandContext {
    return {
      actor: {
        accountId: principal.accountId,
        role: actingRole(roles, DIGEST_ROLES),
        organizationId,
      },
      occurredAt: o.occurredAt ?? now,
      correlationId: o.correlationId ?? uuidv7(),
      causationId: o.causationId ?? null,
    };
  }

  /** Starts the digest of a round; its id is derived from the policy and round. */
  start(
    policyId: string,
    round: number,
    principal: Principal,
    o: CommandOptions = {},
  ): Promise<CommandResult<DigestState>> {
    return this.run({ type: 'StartDigest', policyId, round, digestId: digestIdFor(policyId, round) }, principal, o);
  }

  /** Define, assign, answer, approve. Assigned comments must be comments of the digest's policy and round. */
  async execute(
    command: DigestCommandInput,
    principal: Principal,
    o: CommandOptions = {},
  ): Promise<CommandResult<DigestState>> {
    if (command.type === 'AssignCommentsToTheme')
      await this.requireRoundComments(command.policyId, command.round, command.commentIds);
    return this.run(command, principal, o);
  }

  private async requireRoundComments(policyId: string, round: number, commentIds: readonly string[]): Promise<void> {
    if (!Array.isArray(commentIds) || commentIds.length === 0) return; // the decider names the empty list
    const ids = [...new Set(commentIds)].filter((id) => typeof id === 'string');
    const known = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.deps.readDb
        .selectFrom('comments')
        .select('id')
        .where('policy_id', '=', policyId)
        .where('round', '=', round)
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const r of rows) known.add(r.id);
    }
    const index = commentIds.findIndex((id) => !known.has(id));
    if (index >= 0) {
      throw new ValidationError(`commentIds[${index}]`, {
        vi: 'Góp ý được chọn không thuộc đợt lấy ý kiến này.',
        en: 'A chosen comment does not belong to this consultation round.',
      });
    }
  }

  /**
   * Visible comments of the round and how many of them sit in an answered theme of `digest`, counted from the read
   * models in one transaction, together with the position the read models stood at.
   */
  async coverage(policyId: string, round: number, digest: DigestState): Promise<CoverageCount> {
    if (this.deps.consistency) {
      const head = await this.deps.writePath.store.headPosition();
      if (head !== undefined) await this.deps.consistency.waitFor(head);
    }
    return countCoverage(this.deps.readDb, policyId, round, digest);
  }

  /**
   * Publishes the approved digest with the counts taken now, then records RoundAnswered on the policy. Called again
   * after a crash between the two, it only finishes the second step; once both are done it is refused as any change
   * to a published digest is.
   */
  async publish(
    policyId: string,
    round: number,
    principal: Principal,
    o: CommandOptions = {},
  ): Promise<PublishOutcome> {
    const correlationId = o.correlationId ?? uuidv7();
    const publishCommand = {
      type: 'PublishDigest',
      policyId,
      round,
      coveredCount: 0,
      visibleCount: 0,
      receivedCount: 0,
      countedAtPosition: null,
    } as const;
    const current = await this.loadDigest(policyId, round);
    const policy = await this.loadPolicy(policyId);
    const unfinished = current.published && !(policy.currentRound?.round === round && policy.currentRound.answered);
    const digest = unfinished
      ? undefined
      : await this.run(publishCommand, principal, { ...o, correlationId }, async (state) =>
          state.exists && state.approved && !state.published ? this.coverage(policyId, round, state) : {},
        );
    const answered = await this.answerRound(policyId, round, principal, {
      ...o,
      correlationId,
      causationId: o.causationId ?? null,
    });
    return { digestPosition: digest?.position, roundAnsweredPosition: answered };
  }

  /**
   * The process step: a published digest answers its round on the policy stream, once (deterministic event id).
   * Returns the position of RoundAnswered, or undefined when the digest is not published or the round was answered.
   */
  async answerRound(
    policyId: string,
    round: number,
    principal: Principal,
    o: CommandOptions = {},
  ): Promise<string | undefined> {
    const { events, state } = await this.readPublished(policyId, round);
    if (!state.published || !events) return undefined;
    const policy = await this.loadPolicy(policyId);
    if (policy.currentRound?.round === round && policy.currentRound.answered) return undefined;
    try {
      const result = await this.policies.policy(
        {
          type: 'AnswerRound',
          policyId,
          round,
          digestId: state.digestId!,
          coveredCount: events.coveredCount,
          visibleCount: events.visibleCount,
          countedAtPosition: events.countedAtPosition,
        },
        principal,
        { ...o, eventIds: () => roundAnsweredEventId(state.digestId!) },
      );
      return result.position;
    } catch (err) {
      // Answered meanwhile by a concurrent retry of the same step: done.
      if (err instanceof IllegalStateError && err.rule === 'ROUND_ALREADY_ANSWERED') return undefined;
      throw err;
    }
  }

  private async readPublished(policyId: string, round: number) {
    let state = initialDigestState;
    let published: { coveredCount: number; visibleCount: number; countedAtPosition: string | null } | null = null;
    for await (const { event } of this.deps.writePath.readStream(streams.digest(policyId, round))) {
      state = digestAggregate.evolve(state, event);
      if (event.type === 'DigestPublished') published = event.data;
    }
    return { state, events: published };
  }
}

/**
 * Visible comments of the round and how many of them sit in an answered theme of `digest`, counted from the read
 * models in one transaction, with the position the read models stood at: what publishing holds the digest to.
 */
export function countCoverage(
  readDb: ReadDb,
  policyId: string,
  round: number,
  digest: DigestState,
): Promise<CoverageCount> {
  const answered = answeredCommentIds(digest);
  return readDb.transaction().execute(async (tx) => {
    const checkpoint = await tx
      .selectFrom('projector_checkpoint')
      .select('position')
      .where('name', '=', 'main')
      .executeTakeFirst();
    const all = await tx
      .selectFrom('comments')
      .select(['id', 'status'])
      .where('policy_id', '=', policyId)
      .where('round', '=', round)
      .execute();
    const visible = all.filter((c) => c.status === 'visible');
    return {
      receivedCount: all.length,
      visibleCount: visible.length,
      coveredCount: visible.filter((c) => answered.has(c.id)).length,
      countedAtPosition: checkpoint?.position ?? null,
    };
  });
}
