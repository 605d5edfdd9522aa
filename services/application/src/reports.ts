import { v7 as uuidv7 } from 'uuid';
import { surgeAlertId } from './ids';
import { stanceLabels, streams, type DomainEvent, type Role } from '@gopy/schemas';
import {
  evolveReport,
  initialReportState,
  isReportEvent,
  reportingPeriodOf,
  type ReportState,
} from '@gopy/domain/report';
import { decideReport, type ReportCommand } from '@gopy/domain/reportDecider';
import { actingRole } from '@gopy/domain/shared';
import { defaultSurgeThresholds, evaluateSurge, hourStartOf, type SurgeThresholds } from '@gopy/domain/surge';
import type { CommandOptions, Principal } from './commands';
import { SYSTEM_ACCOUNT } from './commands';
import type { Projector } from './projector';
import type { Clock, Mailer } from './ports';
import { logUnexpected, runJob, silentLogger, type JobMonitor, type Logger } from './logging';
import { mailAddressOf } from './notifications/mailDigest';
import { alertQueries } from './readModels/alerts';
import { organizationQueries } from './readModels/organizations';
import { policyQueries } from './readModels/policies';
import type { ReadDb } from './readModels/database';
import type { WritePath } from './writePath';

export const reportAggregate = {
  initialState: initialReportState,
  evolve: (state: ReportState, event: DomainEvent): ReportState =>
    isReportEvent(event) ? evolveReport(state, event) : state,
};

type WithoutContext<C> = C extends unknown ? Omit<C, 'now' | 'actor'> : never;
export type ReportCommandInput = WithoutContext<ReportCommand>;

/** Commands on an organisation's `report-<org>-<period>` stream: alerts, their acknowledgement, incidents, semester reports. */
export class ReportCommands {
  constructor(
    private readonly writePath: WritePath,
    private readonly clock: Clock,
  ) {}

  async execute(input: ReportCommandInput, principal: Principal | null, o: CommandOptions = {}) {
    const now = this.clock.now().toISOString();
    return this.writePath.execute(
      streams.report(input.organizationId, input.period),
      reportAggregate,
      input,
      async (command, state) => {
        const roles: Role[] = o.systemActor
          ? ['staff']
          : principal
            ? await principal.rolesIn(command.organizationId)
            : [];
        const accountId = o.systemActor || !principal ? SYSTEM_ACCOUNT : principal.accountId;
        const events = decideReport({ ...command, now, actor: { accountId, roles } } as ReportCommand, state);
        return {
          events,
          context: {
            actor:
              o.systemActor || !principal
                ? { accountId: null, role: 'system' as const, organizationId: command.organizationId }
                : { accountId: principal.accountId, role: actingRole(roles), organizationId: command.organizationId },
            occurredAt: o.occurredAt ?? now,
            correlationId: o.correlationId ?? uuidv7(),
            causationId: o.causationId ?? null,
          },
        };
      },
      o.eventIds ? { eventIds: o.eventIds } : {},
    );
  }
}

export { surgeAlertId };

export interface RaisedAlert {
  organizationId: string;
  policyId: string;
  round: number;
  signal: 'comments_per_hour' | 'oppose_share' | 'flags_per_hour';
  observed: number;
  baseline: number;
  hourStart: string;
}

/** The words of an alert mail, in the reader's language. */
export function alertMail(
  alert: RaisedAlert,
  policyTitle: string,
  link: string,
  locale: 'vi' | 'en',
): { subject: string; text: string } {
  const pct = (n: number) => `${Math.round(n * 100)}%`;
  const vi = {
    comments_per_hour: `Số góp ý tăng đột biến: ${alert.observed} góp ý trong giờ này (bình thường ${alert.baseline} góp ý/giờ).`,
    oppose_share: `Tỷ lệ ý kiến “${stanceLabels.oppose.vi}” tăng: ${pct(alert.observed)} trong giờ này (trước đó ${pct(alert.baseline)}).`,
    flags_per_hour: `Nhiều báo cáo vi phạm: ${alert.observed} lượt trong giờ này (bình thường ${alert.baseline} lượt/giờ).`,
  };
  const en = {
    comments_per_hour: `Comments surging: ${alert.observed} in this hour (usually ${alert.baseline} an hour).`,
    oppose_share: `Opposition rising: ${pct(alert.observed)} in this hour (before: ${pct(alert.baseline)}).`,
    flags_per_hour: `Many flags: ${alert.observed} in this hour (usually ${alert.baseline} an hour).`,
  };
  return locale === 'en'
    ? {
        subject: `Góp ý: alert on “${policyTitle}”`,
        text: `${en[alert.signal]}\n\nRound ${alert.round} of “${policyTitle}”.\nSee and acknowledge it on the staff dashboard: ${link}`,
      }
    : {
        subject: `Góp ý: cảnh báo về “${policyTitle}”`,
        text: `${vi[alert.signal]}\n\nĐợt ${alert.round} của dự thảo “${policyTitle}”.\nXem và xác nhận tại khu vực cán bộ: ${link}`,
      };
}

/** Mails each staff member and spokesperson of the organisation when an alert is raised. */
export function alertMailer(deps: { db: ReadDb; writePath: WritePath; mailer: Mailer; publicUrl: string }) {
  return async (alert: RaisedAlert): Promise<void> => {
    const [policy] = await policyQueries.byIds(deps.db, [alert.policyId]);
    const members = (await organizationQueries.members(deps.db, alert.organizationId)).filter((m) =>
      m.roles.some((r) => r === 'staff' || r === 'spokesperson'),
    );
    for (const member of members) {
      const address = await mailAddressOf(deps.writePath, member.accountId);
      if (!address) continue;
      await deps.mailer.send({
        to: address.email,
        ...alertMail(alert, policy?.title ?? alert.policyId, `${deps.publicUrl}/staff`, address.locale),
      });
    }
  };
}

interface OpenRound {
  policyId: string;
  organizationId: string;
  round: number;
  opensAt: string;
}

/**
 * The surge detector, a process manager: every interval it compares each open round's current clock hour with that
 * round's own recent hours (evaluateSurge) and records each signal as FeedbackSurgeDetected on the owning organisation's
 * report stream, at most once per round, signal and hour (deterministic event id). It acts only when the projector has
 * caught up, so never during a rebuild, and in the distributed runtime only in the process holding the lease.
 */
export class SurgeDetector {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly deps: {
      db: ReadDb;
      reports: ReportCommands;
      clock: Clock;
      projector: Pick<Projector, 'isCaughtUp'>;
      thresholds?: SurgeThresholds;
      intervalMs?: number;
      logger?: Logger;
      monitor?: JobMonitor;
      /** Told of each alert once it is recorded (the alert mail). */
      onAlert?: (alert: RaisedAlert) => Promise<void>;
    },
  ) {}

  start(): void {
    this.timer = setInterval(
      () => void runJob('surge_detector', this.deps, () => this.tick()),
      this.deps.intervalMs ?? 60_000,
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass; returns how many alerts it recorded. */
  async tick(): Promise<number> {
    if (this.running || !this.deps.projector.isCaughtUp) return 0;
    this.running = this.pass();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async pass(): Promise<number> {
    const thresholds = this.deps.thresholds ?? defaultSurgeThresholds;
    const now = this.deps.clock.now().toISOString();
    const hourStart = hourStartOf(now);
    const since = new Date(Date.parse(hourStart) - thresholds.baselineHours * 3_600_000).toISOString();
    let raised = 0;
    for (const round of await openRounds(this.deps.db, now)) {
      const activity = await alertQueries.activitySince(this.deps.db, round.policyId, round.round, since);
      const current = activity.find((h) => h.hourStart === hourStart) ?? {
        hourStart,
        comments: 0,
        oppose: 0,
        flags: 0,
      };
      const signals = evaluateSurge(current, activity, round.opensAt, thresholds);
      for (const s of signals) {
        const alertId = surgeAlertId(round.policyId, round.round, s.signal, hourStart);
        const evidence = await evidenceFor(this.deps.db, round, s.signal, hourStart, now);
        const outcome = await this.deps.reports.execute(
          {
            type: 'RecordFeedbackSurge',
            organizationId: round.organizationId,
            period: reportingPeriodOf(hourStart),
            alertId,
            policyId: round.policyId,
            round: round.round,
            windowStart: hourStart,
            windowEnd: now,
            signal: s.signal,
            observed: s.observed,
            baseline: s.baseline,
            evidenceCommentIds: evidence,
          },
          null,
          { systemActor: true, eventIds: () => alertId },
        );
        if (outcome.appended > 0) {
          raised += 1;
          this.deps.logger?.info(
            {
              alertId,
              signal: s.signal,
              observed: s.observed,
              baseline: s.baseline,
              policyId: round.policyId,
              round: round.round,
            },
            `surge: ${s.signal} ${s.observed} against ${s.baseline} on round ${round.round} of policy ${round.policyId}`,
          );
          // The alert is in the log whatever happens to the mail; a failed mail is logged, not retried.
          await this.deps
            .onAlert?.({
              organizationId: round.organizationId,
              policyId: round.policyId,
              round: round.round,
              signal: s.signal,
              observed: s.observed,
              baseline: s.baseline,
              hourStart,
            })
            .catch((err: unknown) =>
              logUnexpected(this.deps.logger ?? silentLogger, err, 'surge alert mail failed (not retried)', {
                alertId,
              }),
            );
        }
      }
    }
    return raised;
  }
}

async function openRounds(db: ReadDb, now: string): Promise<OpenRound[]> {
  const rows = await db
    .selectFrom('rounds')
    .innerJoin('policies', 'policies.id', 'rounds.policy_id')
    .select(['rounds.policy_id', 'rounds.round', 'rounds.opens_at', 'policies.organization_id'])
    .where('rounds.closed_at', 'is', null)
    .where('rounds.opens_at', '<=', now)
    .execute();
  return rows.map((r) => ({
    policyId: r.policy_id,
    organizationId: r.organization_id,
    round: Number(r.round),
    opensAt: r.opens_at,
  }));
}

/** The comments behind a signal, newest first (at most 20): those made online in the hour, or those flagged in it. */
async function evidenceFor(
  db: ReadDb,
  round: OpenRound,
  signal: string,
  hourStart: string,
  now: string,
): Promise<string[]> {
  if (signal === 'flags_per_hour') {
    const rows = await db
      .selectFrom('comment_flags')
      .select('comment_id')
      .distinct()
      .where('policy_id', '=', round.policyId)
      .where('at', '>=', hourStart)
      .where('at', '<=', now)
      .orderBy('comment_id')
      .limit(20)
      .execute();
    return rows.map((r) => r.comment_id);
  }
  const rows = await db
    .selectFrom('comments')
    .select('id')
    .where('policy_id', '=', round.policyId)
    .where('round', '=', round.round)
    .where('channel', '=', 'web')
    .where('submitted_at', '>=', hourStart)
    .where('submitted_at', '<=', now)
    .$if(signal === 'oppose_share', (q) => q.where('stance', '=', 'oppose'))
    .orderBy('seq', 'desc')
    .limit(20)
    .execute();
  return rows.map((r) => r.id);
}
