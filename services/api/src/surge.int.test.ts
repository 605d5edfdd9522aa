import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commentIdFor, type Principal } from '@gopy/application/commands';
import { alertMailer, surgeAlertId, SurgeDetector } from '@gopy/application/reports';
import { alertQueries } from '@gopy/application/readModels/index';
import { ForbiddenError, IllegalStateError } from '@gopy/domain/errors';
import { reportingPeriodOf } from '@gopy/domain/report';
import type { Role, Stance } from '@gopy/schemas';
import { loadConfig } from '@gopy/composition/config';
import { seedDemo } from '@gopy/composition/demo';
import { openEmbeddedRuntime, type Runtime } from '@gopy/composition/runtime';

class ManualClock {
  constructor(private t: number) {}
  now() {
    return new Date(this.t);
  }
  set(iso: string) {
    this.t = Date.parse(iso);
  }
}

const principal = (accountId: string, roles: Role[] = ['participant']): Principal => ({
  accountId,
  rolesIn: async () => roles,
});

/**
 * The surge detector over a real embedded runtime with a hand-driven clock: a steady flow of comments for hours raises
 * nothing; a burst, mostly opposed, raises one alert per signal, once; flags raise their own; staff acknowledge.
 */
describe('early warning: the surge detector', () => {
  let runtime: Runtime;
  let dataDir: string;
  const clock = new ManualClock(Date.parse('2026-11-20T02:00:00.000Z'));
  let policyId: string;
  let organizationId: string;
  let staff: Principal;
  let detector: SurgeDetector;
  const author = randomUUID();
  const mails: { to: string; subject: string; text: string }[] = [];
  let n = 0;

  const settle = async () => runtime.projector.waitFor((await runtime.store.headPosition())!, 20_000);
  async function comment(at: string, stance: Stance): Promise<string> {
    clock.set(at);
    const key = `surge-${n++}`;
    const commentId = commentIdFor(author, key);
    await runtime.commands.comment(
      {
        type: 'SubmitComment',
        commentId,
        policyId,
        version: 1,
        anchorNodeId: null,
        parentCommentId: null,
        body: `Ý kiến số ${n} về dự thảo.`,
        stance,
        stakeholderCategory: 'parent',
        authorAccountId: author,
        pseudonym: null,
        idempotencyKey: key,
      },
      principal(author),
    );
    return commentId;
  }
  const atMinute = (hour: string, minute: number) => `2026-11-20T${hour}:${String(minute).padStart(2, '0')}:00.000Z`;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-surge-'));
    runtime = await openEmbeddedRuntime(loadConfig({ GOPY_DATA_DIR: dataDir }), { clock, log: () => {} });
    runtime.projector.start();
    await seedDemo(runtime);
    await settle();
    const drafting = await runtime.readDb
      .selectFrom('policies')
      .select(['id', 'organization_id'])
      .where('status', '=', 'drafting')
      .executeTakeFirstOrThrow();
    policyId = drafting.id;
    organizationId = drafting.organization_id;
    const staffRow = await runtime.readDb
      .selectFrom('memberships')
      .select('account_id')
      .where('organization_id', '=', organizationId)
      .where('roles', 'like', '%staff%')
      .executeTakeFirstOrThrow();
    staff = principal(staffRow.account_id, ['staff']);
    clock.set('2026-11-20T02:10:00.000Z');
    await runtime.commands.policy(
      {
        type: 'OpenConsultation',
        policyId,
        opensAt: clock.now().toISOString(),
        closesAt: '2026-11-30T10:00:00.000Z',
        note: '',
      },
      staff,
    );
    await settle();
    detector = new SurgeDetector({
      db: runtime.readDb,
      reports: runtime.reports,
      clock,
      projector: runtime.projector,
      onAlert: alertMailer({
        db: runtime.readDb,
        writePath: runtime.writePath,
        mailer: { send: async (m) => void mails.push(m) },
        publicUrl: 'http://gopy.test',
      }),
    });
  }, 90_000);

  afterAll(async () => {
    await runtime?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const alertsOfPolicy = async () =>
    (await alertQueries.forOrganizations(runtime.readDb, [organizationId])).filter((a) => a.policyId === policyId);

  it('a steady flow for hours raises nothing', async () => {
    // Four comments an hour (one opposed) from 03:00 to 10:59, the detector passing at the end of every hour.
    for (const hour of ['03', '04', '05', '06', '07', '08', '09', '10']) {
      for (const [minute, stance] of [
        [5, 'support'],
        [20, 'oppose'],
        [35, 'neutral'],
        [50, 'suggestion'],
      ] as const)
        await comment(atMinute(hour, minute), stance);
      await settle();
      clock.set(atMinute(hour, 59));
      expect(await detector.tick()).toBe(0);
    }
    expect(await alertsOfPolicy()).toEqual([]);
  });

  it('a burst of opposition raises one alert per signal, with its evidence, and only once', async () => {
    const burst: string[] = [];
    for (let i = 0; i < 30; i++) burst.push(await comment(atMinute('11', 1 + i), i < 24 ? 'oppose' : 'support'));
    await settle();
    clock.set(atMinute('11', 40));
    expect(await detector.tick()).toBe(2);
    await settle();
    const alerts = await alertsOfPolicy();
    expect(alerts.map((a) => a.signal).sort()).toEqual(['comments_per_hour', 'oppose_share']);
    const volume = alerts.find((a) => a.signal === 'comments_per_hour')!;
    // The baseline is the eight whole hours 03:00–10:59 at four comments each.
    expect(volume).toMatchObject({
      round: 1,
      observed: 30,
      baseline: 4,
      windowStart: '2026-11-20T11:00:00.000Z',
      windowEnd: '2026-11-20T11:40:00.000Z',
    });
    expect(volume.alertId).toBe(surgeAlertId(policyId, 1, 'comments_per_hour', '2026-11-20T11:00:00.000Z'));
    expect(volume.evidenceCommentIds).toHaveLength(20);
    for (const id of volume.evidenceCommentIds) expect(burst).toContain(id);
    const opposition = alerts.find((a) => a.signal === 'oppose_share')!;
    expect(opposition).toMatchObject({ observed: 0.8, baseline: 0.25 });
    // A second pass in the same hour, or a second detector, sees the same alerts and records nothing.
    clock.set(atMinute('11', 55));
    expect(await detector.tick()).toBe(0);
    expect(
      await new SurgeDetector({
        db: runtime.readDb,
        reports: runtime.reports,
        clock,
        projector: runtime.projector,
      }).tick(),
    ).toBe(0);
    await settle();
    expect(await alertsOfPolicy()).toHaveLength(2);
    // Each alert was mailed once to the organisation's staff member and its spokesperson, in Vietnamese.
    expect(mails.map((m) => m.to).sort()).toEqual([
      'spokesperson@demo.gopy.vn',
      'spokesperson@demo.gopy.vn',
      'staff@demo.gopy.vn',
      'staff@demo.gopy.vn',
    ]);
    expect(mails.map((m) => m.text).join('\n')).toContain(
      'Số góp ý tăng đột biến: 30 góp ý trong giờ này (bình thường 4 góp ý/giờ).',
    );
    expect(mails.map((m) => m.text).join('\n')).toContain(
      'Tỷ lệ ý kiến “Không đồng ý” tăng: 80% trong giờ này (trước đó 25%).',
    );
    expect(mails[0]!.text).toContain('http://gopy.test/staff');
  });

  it('a wave of flags raises its own alert', async () => {
    const targets = await runtime.readDb
      .selectFrom('comments')
      .select('id')
      .where('policy_id', '=', policyId)
      .limit(6)
      .execute();
    clock.set(atMinute('12', 10));
    for (const t of targets) {
      // Flagging needs a confirmed account (issue 15): each flag comes from one.
      const flagger = await runtime.accounts.signUp(
        {
          email: `flag-${randomUUID().slice(0, 8)}@example.vn`,
          password: 'mật-khẩu-đủ-dài-123',
          displayName: 'Người báo cáo',
          pseudonym: null,
          stakeholderCategory: 'citizen',
          locale: 'vi',
        },
        { verified: true },
      );
      await runtime.commands.comment(
        { type: 'FlagComment', commentId: t.id, flagId: randomUUID(), reason: 'abuse', note: null },
        principal(flagger),
      );
    }
    await settle();
    clock.set(atMinute('12', 20));
    expect(await detector.tick()).toBe(1);
    await settle();
    const flags = (await alertsOfPolicy()).find((a) => a.signal === 'flags_per_hour')!;
    expect(flags).toMatchObject({ observed: 6, baseline: 0 });
    expect(flags.evidenceCommentIds.sort()).toEqual(targets.map((t) => t.id).sort());
  });

  it('does nothing while the read models are being rebuilt', async () => {
    const rebuilding = new SurgeDetector({
      db: runtime.readDb,
      reports: runtime.reports,
      clock,
      projector: { isCaughtUp: false },
    });
    for (let i = 0; i < 30; i++) await comment(atMinute('13', 1 + i), 'oppose');
    await settle();
    clock.set(atMinute('13', 45));
    expect(await rebuilding.tick()).toBe(0);
  });

  it('staff acknowledge an alert once; a participant may not', async () => {
    const [alert] = await alertsOfPolicy();
    const ack = {
      type: 'AcknowledgeAlert' as const,
      organizationId,
      period: reportingPeriodOf(alert!.windowStart),
      alertId: alert!.alertId,
      note: 'Đã họp với ban đại diện cha mẹ học sinh.',
    };
    await expect(runtime.reports.execute(ack, principal(author))).rejects.toBeInstanceOf(ForbiddenError);
    await runtime.reports.execute(ack, staff);
    await settle();
    expect(await alertQueries.byId(runtime.readDb, alert!.alertId)).toMatchObject({
      acknowledgedBy: staff.accountId,
      acknowledgementNote: ack.note,
    });
    await expect(runtime.reports.execute(ack, staff)).rejects.toBeInstanceOf(IllegalStateError);
  });
});
