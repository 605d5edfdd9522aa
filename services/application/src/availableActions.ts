import { streams } from '@gopy/schemas';
import {
  commentActions,
  digestActions,
  policyActions,
  type ActionAvailability,
  type ActionViewer,
  type CommentActionType,
  type DigestActionType,
  type DigestCoverage,
  type PolicyActionType,
} from '@gopy/domain/actions';
import type { DigestState } from '@gopy/domain/digest';
import type { PolicyState } from '@gopy/domain/policy';
import { commentAggregate, digestAggregate, policyAggregate, standingOfAccount, type Principal } from './commands';
import { countCoverage } from './digests';
import type { Clock } from './ports';
import type { ReadDb } from './readModels/database';
import type { WritePath } from './writePath';

export interface AvailableActionsDeps {
  writePath: WritePath;
  clock: Clock;
  readDb: ReadDb;
}

/**
 * What a signed-in viewer may do now with a policy, a comment or a digest: the domain's action lists, over the states
 * the command handlers decide on (folded from the streams, not the read models), the viewer's roles in the owning
 * organisation and the clock's `now`, read here as the handlers read them. Who may attempt a command at all (signed
 * in, a confirmed email, an auditor's read-only access) is asked where requests enter, before this.
 */
export class AvailableActions {
  constructor(private readonly deps: AvailableActionsDeps) {}

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  private async policyState(policyId: string): Promise<PolicyState> {
    return (await this.deps.writePath.loadCached(streams.policy(policyId), policyAggregate)).state;
  }

  private async digestState(policyId: string, round: number): Promise<DigestState> {
    const { writePath } = this.deps;
    return (await writePath.load(streams.digest(policyId, round), digestAggregate.initialState, digestAggregate.evolve))
      .state;
  }

  private async viewer(principal: Principal, policy: PolicyState, now: string): Promise<ActionViewer> {
    const [roles, standing] = await Promise.all([
      principal.rolesIn(policy.owningOrganizationId),
      standingOfAccount(this.deps.writePath, principal.accountId, now),
    ]);
    return { actor: { accountId: principal.accountId, roles }, standing };
  }

  /** Only an approved digest waiting to be published is held to its count: the one publishing would take now. */
  private async coverage(digest: DigestState): Promise<DigestCoverage | null> {
    if (!digest.exists || !digest.approved || digest.published || !digest.policyId) return null;
    return countCoverage(this.deps.readDb, digest.policyId, digest.round, digest);
  }

  async forPolicy(policyId: string, principal: Principal): Promise<ActionAvailability<PolicyActionType>[]> {
    const now = this.now();
    const policy = await this.policyState(policyId);
    const round = policy.currentRound?.round;
    const digest = round === undefined ? digestAggregate.initialState : await this.digestState(policyId, round);
    const [viewer, coverage] = await Promise.all([this.viewer(principal, policy, now), this.coverage(digest)]);
    return policyActions(policy, digest, viewer, now, coverage);
  }

  /** Many comments at once (a page of them): each policy and the viewer's standing are read once. */
  async forComments(
    commentIds: readonly string[],
    principal: Principal,
  ): Promise<ActionAvailability<CommentActionType>[][]> {
    const now = this.now();
    const { writePath } = this.deps;
    const comments = await Promise.all(
      commentIds.map(
        async (id) =>
          (await writePath.load(streams.comment(id), commentAggregate.initialState, commentAggregate.evolve)).state,
      ),
    );
    const policies = new Map<string, Promise<{ policy: PolicyState; viewer: ActionViewer }>>();
    const contextOf = (policyId: string) => {
      let context = policies.get(policyId);
      if (!context) {
        context = this.policyState(policyId).then(async (policy) => ({
          policy,
          viewer: await this.viewer(principal, policy, now),
        }));
        policies.set(policyId, context);
      }
      return context;
    };
    return Promise.all(
      comments.map(async (comment) => {
        const { policy, viewer } = await contextOf(comment.policyId ?? '');
        return commentActions(comment, policy, viewer, now);
      }),
    );
  }

  async forDigest(
    policyId: string,
    round: number,
    principal: Principal,
  ): Promise<ActionAvailability<DigestActionType>[]> {
    const now = this.now();
    const [policy, digest] = await Promise.all([this.policyState(policyId), this.digestState(policyId, round)]);
    const [viewer, coverage] = await Promise.all([this.viewer(principal, policy, now), this.coverage(digest)]);
    return digestActions(digest, policy, viewer, coverage);
  }
}
