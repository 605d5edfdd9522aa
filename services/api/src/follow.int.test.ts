import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '@gopy/application/commands';
import { NotificationMailDigest } from '@gopy/application/notifications/mailDigest';
import { vietnamDay } from '@gopy/domain/vietnamTime';
import type { Mailer } from '@gopy/application/ports';
import { Projector } from '@gopy/application/projector';
import { allReadModels, notificationQueries } from '@gopy/application/readModels/index';
import { openSqliteReadStore } from '@gopy/adapters/readStore/sqliteReadStore';
import { loadConfig } from '@gopy/composition/config';
import { seedDemo } from '@gopy/composition/demo';
import { openEmbeddedRuntime, type Runtime } from '@gopy/composition/runtime';

class ManualClock {
  constructor(private t: number) {}
  now() {
    return new Date(this.t);
  }
  advance(ms: number) {
    this.t += ms;
  }
}

describe('notifications and the daily mail', () => {
  let runtime: Runtime;
  let dataDir: string;
  const clock = new ManualClock(Date.parse('2026-11-20T03:00:00.000Z'));
  const sent: { to: string; subject: string; text: string }[] = [];
  const mailer: Mailer = { send: async (m) => void sent.push(m) };
  let follower: string;
  let staff: Principal;
  let policyId: string;

  const digest = () =>
    new NotificationMailDigest({
      db: runtime.readDb,
      writePath: runtime.writePath,
      follows: runtime.follows,
      mailer,
      clock,
      projector: runtime.projector,
      publicUrl: 'http://gopy.test',
      intervalMs: 60_000,
      minAgeMs: 60_000,
    });
  const settle = async () => runtime.projector.waitFor((await runtime.store.headPosition())!, 20_000);

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-follow-'));
    runtime = await openEmbeddedRuntime(loadConfig({ GOPY_DATA_DIR: dataDir }), { clock, log: () => {} });
    runtime.projector.start();
    await seedDemo(runtime);
    await settle();
    follower = await runtime.accounts.signUp(
      {
        email: 'theodoi@example.vn',
        password: 'mật khẩu dài 123',
        displayName: 'Người theo dõi',
        pseudonym: null,
        stakeholderCategory: 'parent',
        locale: 'vi',
      },
      { origin: 'admin', verified: true },
    );
    const drafting = await runtime.readDb
      .selectFrom('policies')
      .select(['id', 'organization_id'])
      .where('status', '=', 'drafting')
      .executeTakeFirstOrThrow();
    policyId = drafting.id;
    const staffRow = await runtime.readDb
      .selectFrom('memberships')
      .select('account_id')
      .where('organization_id', '=', drafting.organization_id)
      .where('roles', 'like', '%staff%')
      .executeTakeFirstOrThrow();
    staff = { accountId: staffRow.account_id, rolesIn: async () => ['staff'] };
    await runtime.follows.setFollowing(follower, policyId, true);
    await runtime.commands.policy(
      {
        type: 'OpenConsultation',
        policyId,
        opensAt: clock.now().toISOString(),
        closesAt: new Date(clock.now().getTime() + 3 * 86_400_000).toISOString(),
        note: '',
      },
      staff,
    );
    await settle();
  }, 60_000);

  afterAll(async () => {
    await runtime?.close();
  });

  it('waits until a notification is old enough, then sends one mail, once, even from two processes', async () => {
    expect(await digest().tick()).toBe(0);
    clock.advance(120_000);
    const [a, b] = [digest(), digest()];
    const counts = await Promise.all([a.tick(), b.tick()]);
    expect(counts[0]! + counts[1]!).toBe(1);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toBe('theodoi@example.vn');
    expect(sent[0]!.subject).toBe('Góp ý: 1 thông báo mới về các dự thảo bạn theo dõi');
    await settle();
    expect(await notificationQueries.unmailed(runtime.readDb, clock.now().toISOString())).toEqual([]);
  });

  it('keeps later notifications of the day for the next day', async () => {
    await runtime.commands.policy(
      { type: 'CloseConsultation', policyId, closedBy: 'staff', reason: 'Đủ ý kiến' },
      staff,
    );
    await settle();
    clock.advance(120_000);
    expect(await digest().tick()).toBe(0);
    expect(sent).toHaveLength(1);
    clock.advance(86_400_000);
    expect(await digest().tick()).toBe(1);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.text).toContain('Đợt lấy ý kiến đã kết thúc');
  });

  it('keeps read and mailed marks through a rebuild, so a rebuild never mails again', async () => {
    const [first] = await notificationQueries.page(runtime.readDb, follower, 1);
    await runtime.follows.markRead(follower, [first!.id]);
    await settle();
    const before = await notificationQueries.page(runtime.readDb, follower, 10);
    const fresh = openSqliteReadStore(path.join(dataDir, `rebuild-${randomUUID()}.sqlite`));
    try {
      const projector = new Projector({
        store: runtime.store,
        db: fresh.db,
        keys: runtime.keys,
        readModels: allReadModels,
      });
      await projector.init();
      await projector.catchUpOnce();
      const after = await notificationQueries.page(fresh.db, follower, 10);
      expect(after).toEqual(before);
      expect(after.map((n) => [n.kind, n.read, n.mailed])).toEqual([
        ['round_closed', true, true],
        ['round_opened', false, true],
      ]);
    } finally {
      await fresh.close();
    }
    expect(vietnamDay(new Date('2026-11-20T17:30:00.000Z'))).toBe('2026-11-21');
  });
});
