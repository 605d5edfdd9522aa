import { deadlineCloseEventId } from './ids';
import { IllegalStateError } from '@gopy/domain/errors';
import type { CommandHandlers } from './commands';
import type { Projector } from './projector';
import type { Clock } from './ports';
import { runJob, type JobMonitor, type Logger } from './logging';
import { policyQueries } from './readModels/policies';
import type { ReadDb } from './readModels/database';

export { deadlineCloseEventId };

/**
 * Closes each round when its closing time passes, exactly once: the event id is deterministic and the append uses the
 * loaded revision. Rounds whose deadline passed while the server was down are closed at start, dated at their deadline.
 * It acts only when the projector has caught up (never during a rebuild or before the read models are current).
 */
export class DeadlineScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly deps: {
      db: ReadDb;
      commands: CommandHandlers;
      clock: Clock;
      projector: Projector;
      intervalMs?: number;
      logger?: Logger;
      monitor?: JobMonitor;
    },
  ) {}

  start(): void {
    this.timer = setInterval(
      () => void runJob('deadline_scheduler', this.deps, () => this.tick()),
      this.deps.intervalMs ?? 1_000,
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass; returns how many rounds it closed. */
  async tick(): Promise<number> {
    if (this.running || !this.deps.projector.isCaughtUp) return 0;
    let closed = 0;
    const run = (async () => {
      const now = this.deps.clock.now().toISOString();
      for (const round of await policyQueries.roundsDue(this.deps.db, now)) {
        try {
          const r = await this.deps.commands.policy(
            { type: 'CloseConsultation', policyId: round.policyId, closedBy: 'deadline', reason: '' },
            null,
            {
              systemActor: true,
              occurredAt: round.closesAt,
              eventIds: () => deadlineCloseEventId(round.policyId, round.round),
            },
          );
          if (r.appended > 0) {
            closed += 1;
            this.deps.logger?.info(
              { policyId: round.policyId, round: round.round, closesAt: round.closesAt },
              `closed round ${round.round} of policy ${round.policyId} at its deadline ${round.closesAt}`,
            );
          }
        } catch (err) {
          // Closed by staff or withdrawn meanwhile: the read model has not caught up yet; nothing to do.
          if (!(err instanceof IllegalStateError)) throw err;
        }
      }
    })();
    this.running = run;
    try {
      await run;
    } finally {
      this.running = undefined;
    }
    return closed;
  }
}
