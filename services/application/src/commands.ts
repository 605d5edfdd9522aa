import { v7 as uuidv7 } from 'uuid';
import { streams, type DomainEvent, type Role } from '@gopy/schemas';
import { decideComment, type CommentCommand } from '@gopy/domain/commentDecider';
import { decideAccount, type AccountCommand } from '@gopy/domain/accountDecider';
import {
  evolveAccount,
  initialAccountState,
  isAccountEvent,
  standingOf,
  type AccountState,
  type Standing,
} from '@gopy/domain/account';
import { decideOrganization, type OrganizationCommand } from '@gopy/domain/organizationDecider';
import {
  evolveOrganization,
  initialOrganizationState,
  isOrganizationEvent,
  type OrganizationState,
} from '@gopy/domain/organization';
import { evolveComment, initialCommentState, isCommentEvent, type CommentState } from '@gopy/domain/comment';
import { evolveDigest, initialDigestState, isDigestEvent, type DigestState } from '@gopy/domain/digest';
import { evolvePolicy, initialPolicyState, isPolicyEvent, type PolicyState } from '@gopy/domain/policy';
import { decidePolicy, type PolicyCommand } from '@gopy/domain/policyDecider';
import { actingRole } from '@gopy/domain/shared';
import { commentIdFor } from './ids';
import type { Clock } from './ports';
import type { AppendOutcome, CommandContext, WritePath } from './writePath';

/** Who is acting: an account, and how to learn its roles in an organisation (from the read models). */
export interface Principal {
  accountId: string;
  rolesIn(organizationId: string | null): Promise<Role[]>;
}

export { commentIdFor };

export const policyAggregate = {
  initialState: initialPolicyState,
  evolve: (state: PolicyState, event: DomainEvent): PolicyState =>
    isPolicyEvent(event) ? evolvePolicy(state, event) : state,
};
export const commentAggregate = {
  initialState: initialCommentState,
  evolve: (state: CommentState, event: DomainEvent): CommentState =>
    isCommentEvent(event) ? evolveComment(state, event) : state,
};

export const digestAggregate = {
  initialState: initialDigestState,
  evolve: (state: DigestState, event: DomainEvent): DigestState =>
    isDigestEvent(event) ? evolveDigest(state, event) : state,
};

export const accountAggregate = {
  initialState: initialAccountState,
  evolve: (state: AccountState, event: DomainEvent): AccountState =>
    isAccountEvent(event) ? evolveAccount(state, event) : state,
};
type StandingState = Pick<AccountState, 'status' | 'verified' | 'pupil' | 'consents' | 'stakeholderCategory'>;
/**
 * What an account's stream says about its taking part (Standing), folded without its personal data: the fold cache
 * (`loadCached`) may keep it, as it must not keep an email or a name that erasure destroys.
 */
export const standingAggregate = {
  initialState: {
    status: initialAccountState.status,
    verified: initialAccountState.verified,
    pupil: initialAccountState.pupil,
    consents: initialAccountState.consents,
    stakeholderCategory: initialAccountState.stakeholderCategory,
  } as StandingState,
  evolve: (state: StandingState, event: DomainEvent): StandingState => {
    if (!isAccountEvent(event)) return state;
    const { status, verified, pupil, consents, stakeholderCategory } = evolveAccount(
      { ...initialAccountState, ...state },
      event,
    );
    return { status, verified, pupil, consents, stakeholderCategory };
  },
};

export const organizationAggregate = {
  initialState: initialOrganizationState,
  evolve: (state: OrganizationState, event: DomainEvent): OrganizationState =>
    isOrganizationEvent(event) ? evolveOrganization(state, event) : state,
};

type WithoutContext<C> = C extends unknown ? Omit<C, 'now' | 'actor'> : never;
export type PolicyCommandInput = WithoutContext<PolicyCommand>;
/** The handler adds what the actor's account says (`actorStanding`), never the caller. */
type WithoutStanding<C> = C extends unknown ? Omit<C, 'actorStanding'> : never;
export type CommentCommandInput = WithoutStanding<WithoutContext<CommentCommand>>;
export type AccountCommandInput = WithoutContext<AccountCommand>;
export type OrganizationCommandInput = WithoutContext<OrganizationCommand>;

export interface CommandOptions {
  correlationId?: string;
  causationId?: string | null;
  /** Business time when it differs from the moment of the command (e.g. a deadline that fell while the server was down). */
  occurredAt?: string;
  /** Deterministic event ids for process managers, so a repeated run appends nothing twice. */
  eventIds?: (index: number, event: DomainEvent) => string;
  /** Replaces the principal's roles, for the system's own process managers. */
  systemActor?: boolean;
}

export type CommandResult<S> = AppendOutcome & { events: DomainEvent[]; state: S };

/**
 * Command handlers: load, authorise (roles), decide, append. The only path by which anything enters the log. Each
 * takes the caller's `input` and decides on the `command` the write path admitted from it (NFC text, no control
 * characters): inside the callbacks only that admitted copy is in scope.
 */
export class CommandHandlers {
  constructor(
    private readonly writePath: WritePath,
    private readonly clock: Clock,
  ) {}

  private context(
    principal: Principal | null,
    roles: Role[],
    organizationId: string | null,
    now: string,
    o: CommandOptions,
  ): CommandContext {
    return {
      actor:
        o.systemActor || !principal
          ? { accountId: null, role: 'system', organizationId }
          : { accountId: principal.accountId, role: actingRole(roles), organizationId },
      occurredAt: o.occurredAt ?? now,
      correlationId: o.correlationId ?? uuidv7(),
      causationId: o.causationId ?? null,
    };
  }

  async policy(
    input: PolicyCommandInput,
    principal: Principal | null,
    o: CommandOptions = {},
  ): Promise<CommandResult<PolicyState>> {
    const now = this.clock.now().toISOString();
    return this.writePath.execute(
      streams.policy(input.policyId),
      policyAggregate,
      input,
      async (command, state) => {
        const orgId = command.type === 'ProposePolicy' ? command.owningOrganizationId : state.owningOrganizationId;
        const roles: Role[] = o.systemActor ? ['staff'] : principal ? await principal.rolesIn(orgId) : [];
        const events = decidePolicy(
          { ...command, now, actor: { accountId: principal?.accountId ?? SYSTEM_ACCOUNT, roles } } as PolicyCommand,
          state,
        );
        return { events, context: this.context(principal, roles, orgId, now, o) };
      },
      o.eventIds ? { eventIds: o.eventIds } : {},
    );
  }

  /**
   * Account commands. The actor is the account itself (sign-up, verification) or an admin (erasure), so the caller
   * states the roles it acts with; `principal` null means the system (e.g. `gopy admin create`).
   */
  async account(
    input: AccountCommandInput,
    principal: Principal | null,
    roles: Role[],
    o: CommandOptions = {},
  ): Promise<CommandResult<AccountState>> {
    const now = this.clock.now().toISOString();
    return this.writePath.execute(streams.account(input.accountId), accountAggregate, input, async (command, state) => {
      const actorId = principal?.accountId ?? command.accountId;
      const events = decideAccount({ ...command, now, actor: { accountId: actorId, roles } } as AccountCommand, state);
      const context = this.context(
        principal ?? { accountId: actorId, rolesIn: async () => roles },
        roles,
        null,
        now,
        o,
      );
      return { events, context };
    });
  }

  /** Organisation commands: an admin of the organisation (or, for a new one, of its parent); system for bootstrap. */
  async organization(
    input: OrganizationCommandInput,
    principal: Principal | null,
    o: CommandOptions = {},
  ): Promise<CommandResult<OrganizationState>> {
    const now = this.clock.now().toISOString();
    return this.writePath.execute(
      streams.organization(input.organizationId),
      organizationAggregate,
      input,
      async (command, state) => {
        const scopeOrg =
          command.type === 'RegisterOrganization'
            ? command.parentOrganizationId
            : (state.organizationId ?? command.organizationId);
        const roles: Role[] = o.systemActor ? ['admin'] : principal ? await principal.rolesIn(scopeOrg) : [];
        const events = decideOrganization(
          {
            ...command,
            now,
            actor: { accountId: principal?.accountId ?? SYSTEM_ACCOUNT, roles },
          } as OrganizationCommand,
          state,
        );
        return { events, context: this.context(principal, roles, command.organizationId, now, o) };
      },
    );
  }

  /** Comment commands are decided against the comment's stream and the policy's current state. */
  async comment(
    input: CommentCommandInput,
    principal: Principal,
    o: CommandOptions = {},
  ): Promise<CommandResult<CommentState>> {
    const now = this.clock.now().toISOString();
    return this.writePath.execute(streams.comment(input.commentId), commentAggregate, input, async (command, state) => {
      const pid = ('policyId' in command ? command.policyId : undefined) ?? state.policyId;
      // The policy is only read here (the append is to the comment's stream), so its folded state may come from the
      // cache, which is brought up to the stream's current revision first.
      const policy = pid
        ? (await this.writePath.loadCached(streams.policy(pid), policyAggregate)).state
        : initialPolicyState;
      const roles = await principal.rolesIn(policy.owningOrganizationId);
      // Offline feedback is recorded until the round's digest is approved.
      const digest =
        command.type === 'RecordOfflineFeedback' && pid && policy.currentRound
          ? (
              await this.writePath.load(
                streams.digest(pid, policy.currentRound.round),
                digestAggregate.initialState,
                digestAggregate.evolve,
              )
            ).state
          : digestAggregate.initialState;
      // Taking part needs standing: a pupil's account needs consent to comment, and endorsing or flagging needs a
      // confirmed account besides. The acting account's own stream says (for a comment, the author is the actor).
      const standing =
        command.type === 'SubmitComment' || command.type === 'EndorseComment' || command.type === 'FlagComment'
          ? await standingOfAccount(this.writePath, principal.accountId, now)
          : undefined;
      const authorConsent = command.type === 'SubmitComment' ? standing?.consent : undefined;
      // A reply is decided against the comment it answers (its policy, round and visibility).
      const parent =
        command.type === 'SubmitComment' && command.parentCommentId
          ? (
              await this.writePath.load(
                streams.comment(command.parentCommentId),
                commentAggregate.initialState,
                commentAggregate.evolve,
              )
            ).state
          : commentAggregate.initialState;
      const events = decideComment(
        {
          ...command,
          ...(authorConsent ? { authorConsent } : {}),
          ...(command.type === 'EndorseComment' || command.type === 'FlagComment' ? { actorStanding: standing } : {}),
          now,
          actor: { accountId: principal.accountId, roles },
        } as CommentCommand,
        state,
        policy,
        digest,
        parent,
      );
      return { events, context: this.context(principal, roles, policy.owningOrganizationId, now, o) };
    });
  }
}

/** What an account's own stream says about its taking part at `now` (confirmed, a pupil's consent). */
export async function standingOfAccount(writePath: WritePath, accountId: string, now: string): Promise<Standing> {
  return standingOf((await writePath.loadCached(streams.account(accountId), standingAggregate)).state, now);
}

/** The account id the domain sees for the system's own commands (deadline scheduler); metadata records role `system`. */
export const SYSTEM_ACCOUNT = '00000000-0000-0000-0000-000000000000';
