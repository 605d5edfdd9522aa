import { v7 as uuidv7 } from 'uuid';
import type { DomainEvent } from '@gopy/schemas';
import type { CommandContext, WritePath } from '../writePath';

/** Stream of one participant's follows, read marks and notification mails. */
export const followStream = (accountId: string) => `follow-${accountId}`;

export interface FollowState {
  following: Set<string>;
  /** Days (Asia/Ho_Chi_Minh) on which a notification mail was sent. */
  mailedDays: Set<string>;
}

export const followAggregate = {
  initialState: { following: new Set<string>(), mailedDays: new Set<string>() } as FollowState,
  evolve(state: FollowState, event: DomainEvent): FollowState {
    switch (event.type) {
      case 'PolicyFollowed':
        return { ...state, following: new Set([...state.following, event.data.policyId]) };
      case 'PolicyUnfollowed': {
        const following = new Set(state.following);
        following.delete(event.data.policyId);
        return { ...state, following };
      }
      case 'NotificationMailSent':
        return { ...state, mailedDays: new Set([...state.mailedDays, event.data.day]) };
      default:
        return state;
    }
  },
};

function context(accountId: string | null, occurredAt: string): CommandContext {
  return {
    actor: accountId
      ? { accountId, role: 'participant', organizationId: null }
      : { accountId: null, role: 'system', organizationId: null },
    occurredAt,
    correlationId: uuidv7(),
    causationId: null,
  };
}

/** Follow, unfollow, mark read, record a day's mail: each idempotent (a repeat appends nothing). */
export class FollowCommands {
  constructor(
    private readonly writePath: WritePath,
    private readonly now: () => Date,
  ) {}

  async setFollowing(accountId: string, policyId: string, follow: boolean) {
    return this.writePath.execute(
      followStream(accountId),
      followAggregate,
      { accountId, policyId },
      async ({ accountId, policyId }, state) => {
        const already = state.following.has(policyId);
        const events: DomainEvent[] =
          follow === already
            ? []
            : [{ type: follow ? 'PolicyFollowed' : 'PolicyUnfollowed', data: { accountId, policyId } } as DomainEvent];
        return { events, context: context(accountId, this.now().toISOString()) };
      },
    );
  }

  async markRead(accountId: string, notificationIds: string[]) {
    return this.writePath.execute(
      followStream(accountId),
      followAggregate,
      { accountId, notificationIds },
      async ({ accountId, notificationIds }) => ({
        events: notificationIds.length ? [{ type: 'NotificationsRead', data: { accountId, notificationIds } }] : [],
        context: context(accountId, this.now().toISOString()),
      }),
    );
  }

  /**
   * Records the day's mail before it is sent. At most once a day, never twice: the state refuses a second mail that
   * day, and two processes recording at once append at the same expected revision, so one of them conflicts, reloads
   * and finds the day taken. (The event id is not derived from the day: the store would acknowledge the second append
   * of the same id as a replay, and both would send.) Returns false when that day's mail was already recorded.
   */
  async recordMail(accountId: string, day: string, notificationIds: string[]): Promise<boolean> {
    const outcome = await this.writePath.execute(
      followStream(accountId),
      followAggregate,
      { accountId, day, notificationIds },
      async ({ accountId, day, notificationIds }, state) => ({
        events: state.mailedDays.has(day)
          ? []
          : [{ type: 'NotificationMailSent', data: { accountId, day, notificationIds } }],
        context: context(null, this.now().toISOString()),
      }),
    );
    return outcome.appended > 0;
  }
}
