import { sql } from 'kysely';
import { defaultReportDeadlines, periodRange, type ReportDeadlines } from '@gopy/domain/report';
import type { Principal } from './commands';
import { semesterReportId } from './ids';
import type { ReadDb } from './readModels/database';
import { organizationQueries, type OrganizationRow } from './readModels/organizations';
import { semesterReportQueries, type SemesterReportRow } from './readModels/semesterReports';
import type { ReportCommands } from './reports';

/**
 * The figures of an organisation's semester report, compiled from the read models. Every figure is a count, so a
 * district's rollup is the sum of its schools' figures (coverage is recomputed from the summed counts).
 */
export interface SemesterFigures {
  /** Consultation rounds open at some moment of the period. */
  consultations: number;
  /** Those rounds' policies by their stage now (proposed, drafting, consultation, review, enacted, withdrawn). */
  consultationsByStage: Record<string, number>;
  /** Visible comments received in the period (by any channel), by stakeholder category and by channel. */
  comments: number;
  commentsByCategory: Record<string, number>;
  commentsByChannel: Record<string, number>;
  /** Of those, the ones that sit in an answered theme of a digest. */
  coveredComments: number;
  digestsPublished: number;
  incidents: number;
  alerts: number;
}

export const emptyFigures = (): SemesterFigures => ({
  consultations: 0,
  consultationsByStage: {},
  comments: 0,
  commentsByCategory: {},
  commentsByChannel: {},
  coveredComments: 0,
  digestsPublished: 0,
  incidents: 0,
  alerts: 0,
});

/** Response coverage: the share of visible comments answered in a digest (null with no comments). */
export const coverageOf = (f: SemesterFigures): number | null =>
  f.comments === 0 ? null : f.coveredComments / f.comments;

function addInto(target: Record<string, number>, source: Record<string, number>): void {
  for (const [k, v] of Object.entries(source)) target[k] = (target[k] ?? 0) + v;
}

export function sumFigures(list: readonly SemesterFigures[]): SemesterFigures {
  const total = emptyFigures();
  for (const f of list) {
    total.consultations += f.consultations;
    addInto(total.consultationsByStage, f.consultationsByStage);
    total.comments += f.comments;
    addInto(total.commentsByCategory, f.commentsByCategory);
    addInto(total.commentsByChannel, f.commentsByChannel);
    total.coveredComments += f.coveredComments;
    total.digestsPublished += f.digestsPublished;
    total.incidents += f.incidents;
    total.alerts += f.alerts;
  }
  return total;
}

const counts = (rows: { key: string; n: number | string | bigint }[]) =>
  Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]));

/** One organisation's own figures for a period (not its schools'). */
export async function compileFigures(
  db: ReadDb,
  organizationId: string,
  period: string,
  deadlines: ReportDeadlines = defaultReportDeadlines,
): Promise<SemesterFigures> {
  const { start, end } = periodRange(period, deadlines);
  const rounds = db
    .selectFrom('rounds')
    .innerJoin('policies', 'policies.id', 'rounds.policy_id')
    .where('policies.organization_id', '=', organizationId)
    .where('rounds.opens_at', '<', end)
    .where((eb) => eb(eb.fn.coalesce('rounds.closed_at', 'rounds.closes_at'), '>=', start));
  const consultations = await rounds.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const byStage = await rounds
    .select(['policies.status as key', (eb) => eb.fn.count<number>('policies.id').distinct().as('n')])
    .groupBy('policies.status')
    .execute();

  const comments = db
    .selectFrom('comments')
    .innerJoin('policies', 'policies.id', 'comments.policy_id')
    .where('policies.organization_id', '=', organizationId)
    .where('comments.status', '=', 'visible')
    .where('comments.received_at', '>=', start)
    .where('comments.received_at', '<', end);
  const total = await comments.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const byCategory = await comments
    .select(['comments.stakeholder_category as key', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('comments.stakeholder_category')
    .execute();
  const byChannel = await comments
    .select(['comments.channel as key', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('comments.channel')
    .execute();
  const covered = await comments
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom(sql<{ theme_id: string; comment_id: string }>`digest_theme_comments`.as('tc'))
          .innerJoin(
            sql<{ theme_id: string; decision: string | null }>`digest_themes`.as('th'),
            'th.theme_id',
            'tc.theme_id',
          )
          .select(sql`1`.as('one'))
          .where(sql.ref('tc.comment_id'), '=', sql.ref('comments.id'))
          .where(sql.ref('th.decision'), 'is not', null),
      ),
    )
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();

  const digests = await db
    .selectFrom(sql<{ policy_id: string; status: string; published_at: string | null }>`digests`.as('d'))
    .innerJoin('policies', 'policies.id', 'd.policy_id')
    .where('policies.organization_id', '=', organizationId)
    .where(sql.ref('d.status'), '=', 'published')
    .where(sql.ref('d.published_at'), '>=', start)
    .where(sql.ref('d.published_at'), '<', end)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const incidents = await db
    .selectFrom(sql<{ organization_id: string; reported_at: string }>`incidents`.as('i'))
    .where(sql.ref('i.organization_id'), '=', organizationId)
    .where(sql.ref('i.reported_at'), '>=', start)
    .where(sql.ref('i.reported_at'), '<', end)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const alerts = await db
    .selectFrom(sql<{ organization_id: string; window_start: string }>`alerts`.as('a'))
    .where(sql.ref('a.organization_id'), '=', organizationId)
    .where(sql.ref('a.window_start'), '>=', start)
    .where(sql.ref('a.window_start'), '<', end)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();

  return {
    consultations: Number(consultations.n),
    consultationsByStage: counts(byStage),
    comments: Number(total.n),
    commentsByCategory: counts(byCategory),
    commentsByChannel: counts(byChannel),
    coveredComments: Number(covered.n),
    digestsPublished: Number(digests.n),
    incidents: Number(incidents.n),
    alerts: Number(alerts.n),
  };
}

export type SubmissionStatus = 'submitted' | 'compiled' | 'due' | 'late';

export interface ChildReportStatus {
  organization: OrganizationRow;
  status: SubmissionStatus;
  report: SemesterReportRow | null;
  figures: SemesterFigures;
}

export interface ReportingOverview {
  period: string;
  deadline: string;
  children: ChildReportStatus[];
  /** The sum of the children's figures, as compiled from the read models now. */
  rollup: SemesterFigures;
  late: OrganizationRow[];
}

export { semesterReportId };

/** Semester reports: compile from the read models, submit upward, and what a district or province sees of its members. */
export class SemesterReports {
  constructor(
    private readonly deps: { db: ReadDb; reports: ReportCommands; now: () => Date; deadlines?: ReportDeadlines },
  ) {}

  get deadlines(): ReportDeadlines {
    return this.deps.deadlines ?? defaultReportDeadlines;
  }

  async compile(organizationId: string, period: string, remarks: string, principal: Principal) {
    // The figures are checked against the period's format by the decider; compute them only for a valid one.
    const valid = /^(\d{4})-(\d{4})-S[12]$/.test(period);
    const figures = valid ? await compileFigures(this.deps.db, organizationId, period, this.deadlines) : emptyFigures();
    const checkpoint = await this.deps.db
      .selectFrom('projector_checkpoint')
      .select('position')
      .where('name', '=', 'main')
      .executeTakeFirst();
    return this.deps.reports.execute(
      {
        type: 'CompileSemesterReport',
        organizationId,
        period,
        reportId: semesterReportId(organizationId, period),
        figures: { ...figures },
        remarks,
        countedAtPosition: checkpoint?.position ?? null,
      },
      principal,
    );
  }

  async submit(organizationId: string, period: string, principal: Principal) {
    const [org] = await organizationQueries.byIds(this.deps.db, [organizationId]);
    return this.deps.reports.execute(
      { type: 'SubmitSemesterReport', organizationId, period, submittedTo: org?.parentId ?? null },
      principal,
    );
  }

  /** A district's (or province's) view of its direct members for a period: who submitted, who is late, the rollup. */
  async overview(parentOrganizationId: string, period: string): Promise<ReportingOverview> {
    const { deadline } = periodRange(period, this.deadlines);
    const children = (await organizationQueries.list(this.deps.db)).filter((o) => o.parentId === parentOrganizationId);
    const reports = new Map(
      (
        await semesterReportQueries.byOrganizations(
          this.deps.db,
          children.map((c) => c.id),
          period,
        )
      ).map((r) => [r.organizationId, r]),
    );
    const pastDeadline = this.deps.now().toISOString() >= deadline;
    const rows: ChildReportStatus[] = [];
    for (const organization of children) {
      const report = reports.get(organization.id) ?? null;
      const status: SubmissionStatus =
        report?.status === 'submitted' ? 'submitted' : pastDeadline ? 'late' : report ? 'compiled' : 'due';
      rows.push({
        organization,
        status,
        report,
        figures: await compileFigures(this.deps.db, organization.id, period, this.deadlines),
      });
    }
    return {
      period,
      deadline,
      children: rows,
      rollup: sumFigures(rows.map((r) => r.figures)),
      late: rows.filter((r) => r.status === 'late').map((r) => r.organization),
    };
  }
}
