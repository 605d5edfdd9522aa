import { organizationQueries, semesterReportQueries, type SemesterReportRow } from '@gopy/application/readModels/index';
import {
  compileFigures,
  coverageOf,
  type ChildReportStatus,
  type ReportingOverview,
  type SemesterFigures,
} from '@gopy/application/semesterReports';
import { NotFoundError, ValidationError } from '@gopy/domain/errors';
import { reportingPeriodOf } from '@gopy/domain/report';
import { builder } from '../builder';
import type { GraphQLContext } from '../context';
import { principalOf } from '../../principal';
import { requireReader } from './alerts';
import { Organization } from './organization';

const PERIOD = /^(\d{4})-(\d{4})-S[12]$/;

const ReportCount = builder.objectRef<{ key: string; count: number }>('ReportCount').implement({
  fields: (t) => ({ key: t.exposeString('key'), count: t.exposeInt('count') }),
});
const asCounts = (r: Record<string, number>) =>
  Object.entries(r)
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => a.key.localeCompare(b.key));

const Figures = builder.objectRef<SemesterFigures>('SemesterFigures').implement({
  description: "A semester's figures, counted from the read models; a district's rollup is the sum of its schools'.",
  fields: (t) => ({
    consultations: t.exposeInt('consultations', {
      description: 'Consultation rounds open at some moment of the period.',
    }),
    consultationsByStage: t.field({ type: [ReportCount], resolve: (f) => asCounts(f.consultationsByStage) }),
    comments: t.exposeInt('comments', { description: 'Visible comments received in the period, by every channel.' }),
    commentsByCategory: t.field({ type: [ReportCount], resolve: (f) => asCounts(f.commentsByCategory) }),
    commentsByChannel: t.field({ type: [ReportCount], resolve: (f) => asCounts(f.commentsByChannel) }),
    coveredComments: t.exposeInt('coveredComments'),
    responseCoverage: t.float({
      nullable: true,
      description: 'coveredComments / comments (null without comments).',
      resolve: (f) => coverageOf(f),
    }),
    digestsPublished: t.exposeInt('digestsPublished'),
    incidents: t.exposeInt('incidents'),
    alerts: t.exposeInt('alerts'),
  }),
});

const ReportStatusEnum = builder.enumType('SemesterReportStatus', {
  values: { COMPILED: { value: 'compiled' }, SUBMITTED: { value: 'submitted' } } as const,
});
const SubmissionStatusEnum = builder.enumType('SubmissionStatus', {
  description: 'Where a member organisation stands for a period: submitted; compiled but not sent; not yet due; late.',
  values: {
    SUBMITTED: { value: 'submitted' },
    COMPILED: { value: 'compiled' },
    DUE: { value: 'due' },
    LATE: { value: 'late' },
  } as const,
});

const SemesterReport = builder.objectRef<SemesterReportRow>('SemesterReport').implement({
  fields: (t) => ({
    id: t.exposeID('reportId'),
    organization: t.field({ type: Organization, resolve: (r) => r.organizationId }),
    period: t.exposeString('period'),
    status: t.field({ type: ReportStatusEnum, resolve: (r) => r.status }),
    figures: t.field({ type: Figures, resolve: (r) => r.figures as unknown as SemesterFigures }),
    remarks: t.exposeString('remarks'),
    countedAtPosition: t.exposeString('countedAtPosition', {
      nullable: true,
      description: 'The log position the figures were counted at.',
    }),
    compiledAt: t.field({ type: 'DateTime', resolve: (r) => r.compiledAt }),
    submittedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.submittedAt }),
    submittedTo: t.field({ type: Organization, nullable: true, resolve: (r) => r.submittedTo }),
  }),
});

const ChildStatus = builder.objectRef<ChildReportStatus>('MemberReportStatus').implement({
  fields: (t) => ({
    organization: t.field({ type: Organization, resolve: (c) => c.organization.id }),
    status: t.field({ type: SubmissionStatusEnum, resolve: (c) => c.status }),
    report: t.field({ type: SemesterReport, nullable: true, resolve: (c) => c.report }),
    figures: t.field({ type: Figures, description: 'Counted now from the read models.', resolve: (c) => c.figures }),
  }),
});

const Overview = builder.objectRef<ReportingOverview>('ReportingOverview').implement({
  fields: (t) => ({
    period: t.exposeString('period'),
    deadline: t.field({ type: 'DateTime', resolve: (o) => o.deadline }),
    members: t.field({ type: [ChildStatus], resolve: (o) => o.children }),
    rollup: t.field({ type: Figures, resolve: (o) => o.rollup }),
    late: t.field({ type: [Organization], resolve: (o) => o.late.map((l) => l.id) }),
  }),
});

function requirePeriod(period: string): string {
  if (!PERIOD.test(period) || Number(period.slice(5, 9)) !== Number(period.slice(0, 4)) + 1) {
    throw new ValidationError('period', {
      vi: 'Kỳ báo cáo phải có dạng 2026-2027-S1.',
      en: 'A period looks like 2026-2027-S1.',
    });
  }
  return period;
}

async function reportOf(
  ctx: GraphQLContext,
  organizationId: string,
  period: string,
): Promise<SemesterReportRow | null> {
  const [row] = await semesterReportQueries.byOrganizations(ctx.runtime.readDb, [organizationId], period);
  return row ?? null;
}

builder.queryField('currentReportingPeriod', (t) =>
  t.string({
    description: 'The semester the server clock is in, e.g. 2026-2027-S1.',
    resolve: (_r, _a, ctx) => reportingPeriodOf(ctx.runtime.clock.now().toISOString()),
  }),
);

builder.queryField('semesterReport', (t) =>
  t.field({
    type: SemesterReport,
    nullable: true,
    authScopes: { signedIn: true },
    description:
      "An organisation's semester report for a period, as compiled or submitted (null before it is compiled).",
    args: { organizationId: t.arg.id({ required: true }), period: t.arg.string({ required: true }) },
    resolve: async (_r, a, ctx) => {
      await requireReader(ctx, String(a.organizationId));
      return reportOf(ctx, String(a.organizationId), requirePeriod(a.period));
    },
  }),
);

builder.queryField('semesterFigures', (t) =>
  t.field({
    type: Figures,
    authScopes: { signedIn: true },
    description: "An organisation's own figures for a period, counted now (what compiling would record).",
    args: { organizationId: t.arg.id({ required: true }), period: t.arg.string({ required: true }) },
    resolve: async (_r, a, ctx) => {
      await requireReader(ctx, String(a.organizationId));
      return compileFigures(
        ctx.runtime.readDb,
        String(a.organizationId),
        requirePeriod(a.period),
        ctx.runtime.semesterReports.deadlines,
      );
    },
  }),
);

builder.queryField('reportingOverview', (t) =>
  t.field({
    type: Overview,
    authScopes: { signedIn: true },
    description:
      "A district's (or province's) members for a period: who submitted, who is late, and their figures rolled up.",
    args: { organizationId: t.arg.id({ required: true }), period: t.arg.string({ required: true }) },
    resolve: async (_r, a, ctx) => {
      await requireReader(ctx, String(a.organizationId));
      return ctx.runtime.semesterReports.overview(String(a.organizationId), requirePeriod(a.period));
    },
  }),
);

const ReportPayload = builder
  .objectRef<{ report: SemesterReportRow; position: string }>('SemesterReportPayload')
  .implement({
    fields: (t) => ({
      report: t.field({ type: SemesterReport, resolve: (p) => p.report }),
      position: t.exposeString('position'),
    }),
  });

async function existingOrganization(ctx: GraphQLContext, organizationId: string): Promise<void> {
  const [org] = await organizationQueries.byIds(ctx.runtime.readDb, [organizationId]);
  if (!org)
    throw new NotFoundError('organization', organizationId, {
      vi: 'Không tìm thấy đơn vị.',
      en: 'Organisation not found.',
    });
}

builder.mutationField('compileSemesterReport', (t) =>
  t.field({
    type: ReportPayload,
    errors: {},
    authScopes: { signedIn: true },
    description:
      "Staff compile (or compile again) their organisation's report from the read models, with their remarks.",
    args: {
      organizationId: t.arg.id({ required: true }),
      period: t.arg.string({ required: true }),
      remarks: t.arg.string({ required: false, defaultValue: '' }),
    },
    resolve: async (_r, a, ctx) => {
      const organizationId = String(a.organizationId);
      await existingOrganization(ctx, organizationId);
      const result = await ctx.runtime.semesterReports.compile(
        organizationId,
        a.period,
        a.remarks ?? '',
        principalOf(ctx),
      );
      if (result.position) await ctx.runtime.consistency.waitFor(result.position);
      const report = await reportOf(ctx, organizationId, a.period);
      if (!report)
        throw new NotFoundError('report', organizationId, { vi: 'Không tìm thấy báo cáo.', en: 'Report not found.' });
      return { report, position: result.position ?? '' };
    },
  }),
);

builder.mutationField('submitSemesterReport', (t) =>
  t.field({
    type: ReportPayload,
    errors: {},
    authScopes: { signedIn: true },
    description: 'Sends the compiled report up to the parent organisation (the district for a school); final.',
    args: { organizationId: t.arg.id({ required: true }), period: t.arg.string({ required: true }) },
    resolve: async (_r, a, ctx) => {
      const organizationId = String(a.organizationId);
      await existingOrganization(ctx, organizationId);
      const result = await ctx.runtime.semesterReports.submit(organizationId, a.period, principalOf(ctx));
      if (result.position) await ctx.runtime.consistency.waitFor(result.position);
      const report = await reportOf(ctx, organizationId, a.period);
      if (!report)
        throw new NotFoundError('report', organizationId, { vi: 'Không tìm thấy báo cáo.', en: 'Report not found.' });
      return { report, position: result.position ?? '' };
    },
  }),
);
