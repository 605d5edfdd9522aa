import type { DomainEvent } from '@gopy/schemas';
import type { ReadDb, ReadTx } from './database';
import type { ProjectionContext, ReadModel } from './projection';

/** Each organisation's semester report per period, as compiled and submitted (`report-<org>-<period>` streams). */
export interface SemesterReportsTable {
  organization_id: string;
  period: string;
  report_id: string;
  status: string;
  figures_json: string;
  remarks: string;
  counted_at_position: string | null;
  compiled_by: string;
  compiled_at: string;
  submitted_by: string | null;
  submitted_to: string | null;
  submitted_at: string | null;
}

type Db = { semester_reports: SemesterReportsTable };

export const semesterReportsReadModel: ReadModel = {
  name: 'semesterReports',
  tables: ['semester_reports'],
  async createTables(db) {
    await db
      .withTables<Db>()
      .schema.createTable('semester_reports')
      .ifNotExists()
      .addColumn('organization_id', 'text', (c) => c.notNull())
      .addColumn('period', 'text', (c) => c.notNull())
      .addColumn('report_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('figures_json', 'text', (c) => c.notNull())
      .addColumn('remarks', 'text', (c) => c.notNull())
      .addColumn('counted_at_position', 'text')
      .addColumn('compiled_by', 'text', (c) => c.notNull())
      .addColumn('compiled_at', 'text', (c) => c.notNull())
      .addColumn('submitted_by', 'text')
      .addColumn('submitted_to', 'text')
      .addColumn('submitted_at', 'text')
      .addPrimaryKeyConstraint('semester_reports_pk', ['organization_id', 'period'])
      .execute();
    await db.schema
      .createIndex('semester_reports_to')
      .ifNotExists()
      .on('semester_reports')
      .columns(['submitted_to', 'period'])
      .execute();
  },
  async evolve(tx: ReadTx, event: DomainEvent, ctx: ProjectionContext) {
    const t = tx.withTables<Db>();
    switch (event.type) {
      case 'SemesterReportCompiled': {
        const d = event.data;
        const row = {
          report_id: d.reportId,
          status: 'compiled',
          figures_json: JSON.stringify(d.figures),
          remarks: d.remarks,
          counted_at_position: d.countedAtPosition,
          compiled_by: d.compiledBy,
          compiled_at: ctx.metadata.recordedAt,
        };
        await t
          .insertInto('semester_reports')
          .values({
            organization_id: d.organizationId,
            period: d.period,
            ...row,
            submitted_by: null,
            submitted_to: null,
            submitted_at: null,
          })
          .onConflict((oc) => oc.columns(['organization_id', 'period']).doUpdateSet(row))
          .execute();
        return;
      }
      case 'SemesterReportSubmitted':
        await t
          .updateTable('semester_reports')
          .set({
            status: 'submitted',
            submitted_by: event.data.submittedBy,
            submitted_to: event.data.submittedTo,
            submitted_at: ctx.metadata.recordedAt,
          })
          .where('organization_id', '=', event.data.organizationId)
          .where('period', '=', event.data.period)
          .execute();
        return;
      default:
        return;
    }
  },
};

export interface SemesterReportRow {
  organizationId: string;
  period: string;
  reportId: string;
  status: 'compiled' | 'submitted';
  figures: Record<string, unknown>;
  remarks: string;
  countedAtPosition: string | null;
  compiledBy: string;
  compiledAt: string;
  submittedBy: string | null;
  submittedTo: string | null;
  submittedAt: string | null;
}

const toRow = (r: SemesterReportsTable): SemesterReportRow => ({
  organizationId: r.organization_id,
  period: r.period,
  reportId: r.report_id,
  status: r.status as SemesterReportRow['status'],
  figures: JSON.parse(r.figures_json) as Record<string, unknown>,
  remarks: r.remarks,
  countedAtPosition: r.counted_at_position,
  compiledBy: r.compiled_by,
  compiledAt: r.compiled_at,
  submittedBy: r.submitted_by,
  submittedTo: r.submitted_to,
  submittedAt: r.submitted_at,
});

export const semesterReportQueries = {
  async byOrganizations(db: ReadDb, organizationIds: readonly string[], period: string): Promise<SemesterReportRow[]> {
    if (organizationIds.length === 0) return [];
    const rows = await db
      .withTables<Db>()
      .selectFrom('semester_reports')
      .selectAll()
      .where('organization_id', 'in', [...organizationIds])
      .where('period', '=', period)
      .execute();
    return rows.map(toRow);
  },
};
