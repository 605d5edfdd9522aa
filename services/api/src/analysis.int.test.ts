import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalysisCommands } from '@gopy/application/analysisCommands';
import { duplicateCandidates } from '@gopy/application/analysis/candidates';
import type { Principal } from '@gopy/application/commands';
import { Projector } from '@gopy/application/projector';
import {
  allReadModels,
  analysisQueries,
  type AnalysisFigures,
  type AnalysisFilter,
  type ReadDb,
} from '@gopy/application/readModels/index';
import { openPostgresReadStore } from '@gopy/adapters/readStore/postgresReadStore';
import {
  streams,
  type DomainEvent,
  type DraftNode,
  type Role,
  type Stance,
  type StakeholderCategory,
} from '@gopy/schemas';
import { loadConfig } from '@gopy/composition/config';
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

const HOUR = 3_600_000;
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `gopy_analysis_${randomUUID().replace(/-/g, '').slice(0, 12)}`;

async function admin(statement: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

const as = (accountId: string, roles: Role[]): Principal => ({
  accountId,
  rolesIn: async () => [...roles, 'participant'],
});

/** A tiny deterministic generator, so the seeded history is the same on every run. */
function lcg(seed: number) {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const node = (nodeId: string, kind: DraftNode['kind'], number: string, children: DraftNode[] = []): DraftNode => ({
  nodeId,
  kind,
  number,
  heading: '',
  text: `Nội dung ${number}`,
  children,
});

describe('analysis figures kept by the projector', () => {
  const clock = new ManualClock(Date.parse('2026-11-02T01:00:00.000Z'));
  let runtime: Runtime;
  let dataDir = '';
  const policyId = randomUUID();
  const organizationId = randomUUID();
  const staff = as(randomUUID(), ['staff']);
  const moderator = as(randomUUID(), ['moderator']);
  const ids = { chapter: randomUUID(), article1: randomUUID(), clause1: randomUUID(), article2: randomUUID() };
  const commentIds: string[] = [];
  const campaign: string[] = [];
  let pgUrl: string;
  const settle = async () => runtime.projector.waitFor((await runtime.store.headPosition())!, 30_000);
  const analysis = () => new AnalysisCommands(runtime.writePath, clock, runtime.readDb);

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-analysis-'));
    runtime = await openEmbeddedRuntime(loadConfig({ GOPY_DATA_DIR: dataDir, GOPY_DEMO: '0' }), {
      clock,
      log: () => {},
    });
    runtime.projector.start();
    const tree = [
      node(ids.chapter, 'chapter', 'I', [
        node(ids.article1, 'article', '1', [node(ids.clause1, 'clause', '1')]),
        node(ids.article2, 'article', '2'),
      ]),
    ];
    await runtime.commands.policy(
      {
        type: 'ProposePolicy',
        policyId,
        owningOrganizationId: organizationId,
        title: 'Quy định thu chi đầu năm học',
        summary: 'Dự thảo',
        topics: [],
      },
      staff,
    );
    await runtime.commands.policy({ type: 'StartDrafting', policyId }, staff);
    await runtime.commands.policy(
      { type: 'PublishDraftVersion', policyId, title: 'Dự thảo lần 1', nodes: tree, changeNote: '' },
      staff,
    );
    await runtime.commands.policy(
      {
        type: 'OpenConsultation',
        policyId,
        opensAt: clock.now().toISOString(),
        closesAt: new Date(clock.now().getTime() + 20 * 24 * HOUR).toISOString(),
        note: '',
      },
      staff,
    );

    const random = lcg(8);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const participants = Array.from({ length: 14 }, () => randomUUID());
    const categories: StakeholderCategory[] = ['parent', 'teacher', 'student', 'citizen', 'school_manager'];
    const stances: Stance[] = ['support', 'oppose', 'neutral', 'suggestion'];
    const anchors = [null, ids.article1, ids.clause1, ids.article2];
    const vocabulary =
      'học phí bán trú sĩ số giáo viên phụ huynh học sinh mầm non tiểu học trung học cơ sở miễn giảm hộ nghèo thời hạn nộp công khai minh bạch sân chơi thư viện xe đưa đón đồng phục sách giáo khoa bữa trưa'.split(
        ' ',
      );
    const letter =
      'Chúng tôi là phụ huynh trường Tiểu học Hoà Bình, đề nghị không thu thêm khoản phí bán trú vì nhiều gia đình còn khó khăn, mong Phòng xem xét.';
    const appended: number[] = [];
    for (let i = 0; i < 48; i++) {
      // Hours apart, crossing midnight in Asia/Ho_Chi_Minh (17:00Z) several times.
      clock.advance(Math.floor(random() * 9 + 1) * HOUR);
      const anchor = pick(anchors);
      const isCampaign = i % 8 === 3;
      const body = isCampaign
        ? `${letter} Người ký số ${i}.`
        : `Ý kiến ${i}: ${Array.from({ length: 12 }, () => pick(vocabulary)).join(' ')}.`;
      if (i % 5 === 4) {
        const commentId = randomUUID();
        const sender =
          i % 10 === 4
            ? { senderId: randomUUID(), name: 'Bà Nguyễn Thị Hoà', organization: null, contact: null }
            : null;
        const result = await runtime.commands.comment(
          {
            type: 'RecordOfflineFeedback',
            commentId,
            policyId,
            channel: pick(['letter', 'email', 'meeting'] as const),
            receivedAt: new Date(clock.now().getTime() - 2 * HOUR).toISOString(),
            offlineSender: sender,
            stakeholderCategory: pick(categories),
            body,
            stance: pick(stances),
            anchorNodeId: anchor,
            idempotencyKey: `offline-${i}`,
          },
          staff,
        );
        appended.push(result.appended);
        commentIds.push(commentId);
      } else {
        const author = pick(participants);
        const commentId = randomUUID();
        const result = await runtime.commands.comment(
          {
            type: 'SubmitComment',
            commentId,
            policyId,
            version: 1,
            anchorNodeId: anchor,
            parentCommentId: null,
            body,
            stance: pick(stances),
            stakeholderCategory: categories[participants.indexOf(author) % categories.length]!,
            authorAccountId: author,
            pseudonym: null,
            idempotencyKey: `web-${i}`,
          },
          as(author, []),
        );
        appended.push(result.appended);
        commentIds.push(commentId);
      }
      if (isCampaign) campaign.push(commentIds.at(-1)!);
    }
    // Every letter and every web comment was stored, once.
    expect(appended).toEqual(commentIds.map(() => 1));
    await settle();
    // What happens to comments afterwards: edits change the stance, the rest take comments out and put one back.
    const authorOf = async (id: string) =>
      (
        await runtime.readDb
          .selectFrom('comments')
          .select('author_account_id')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).author_account_id;
    const webIds = [];
    for (const id of commentIds) if ((await authorOf(id)) && !campaign.includes(id)) webIds.push(id);
    await runtime.commands.comment(
      { type: 'EditComment', commentId: webIds[0]!, body: 'Tôi đổi ý: ủng hộ.', stance: 'support' },
      as((await authorOf(webIds[0]!))!, []),
    );
    await runtime.commands.comment(
      { type: 'EditComment', commentId: webIds[1]!, body: 'Tôi đổi ý: phản đối.', stance: 'oppose' },
      as((await authorOf(webIds[1]!))!, []),
    );
    await runtime.commands.comment(
      { type: 'WithdrawComment', commentId: webIds[2]!, reason: '' },
      as((await authorOf(webIds[2]!))!, []),
    );
    await runtime.commands.comment(
      { type: 'HideComment', commentId: webIds[3]!, reasonCode: 'abuse', reason: 'Lời lẽ xúc phạm' },
      moderator,
    );
    await runtime.commands.comment(
      { type: 'HideComment', commentId: webIds[4]!, reasonCode: 'spam', reason: 'Quảng cáo' },
      moderator,
    );
    await runtime.commands.comment(
      { type: 'RestoreComment', commentId: webIds[4]!, reason: 'Xem lại: không phải quảng cáo' },
      moderator,
    );
    await runtime.commands.comment(
      { type: 'RedactComment', commentId: webIds[5]!, reason: 'Có số điện thoại' },
      moderator,
    );
    await settle();

    // Near-duplicates: the campaign is proposed, staff confirm it; another group is confirmed and undone.
    const [candidate] = await duplicateCandidates(runtime.readDb, policyId, 1);
    expect(candidate?.ids).toEqual(campaign);
    await analysis().confirmDuplicateGroup(
      {
        groupId: randomUUID(),
        policyId,
        round: 1,
        commentIds: candidate!.ids,
        representativeCommentId: candidate!.representativeId,
      },
      staff,
    );
    const undone = randomUUID();
    await analysis().confirmDuplicateGroup(
      {
        groupId: undone,
        policyId,
        round: 1,
        commentIds: [webIds[6]!, webIds[7]!],
        representativeCommentId: webIds[6]!,
      },
      staff,
    );
    await settle();
    await analysis().undoDuplicateGroup({ groupId: undone, reason: 'Hai ý kiến khác nhau' }, staff);
    // A member of the campaign is hidden afterwards: the group still counts once while any member is visible.
    await runtime.commands.comment(
      { type: 'HideComment', commentId: campaign[1]!, reasonCode: 'spam', reason: 'Gửi lặp' },
      moderator,
    );

    // Themes of the round's digest, written as the digest's events.
    const digestId = randomUUID();
    const [themeA, themeB] = [randomUUID(), randomUUID()];
    const digestEvents: DomainEvent[] = [
      { type: 'DigestStarted', data: { digestId, policyId, round: 1, startedBy: staff.accountId } },
      { type: 'ThemeDefined', data: { digestId, themeId: themeA, title: 'Khoản phí bán trú', description: '' } },
      { type: 'ThemeDefined', data: { digestId, themeId: themeB, title: 'Đối tượng miễn giảm', description: '' } },
      {
        type: 'CommentsAssignedToTheme',
        data: {
          digestId,
          themeId: themeA,
          commentIds: [...campaign, webIds[3]!, webIds[8]!],
          unassignedCommentIds: [],
        },
      },
      {
        type: 'CommentsAssignedToTheme',
        data: { digestId, themeId: themeB, commentIds: [webIds[8]!, webIds[9]!, webIds[2]!], unassignedCommentIds: [] },
      },
      {
        type: 'ThemeAnswered',
        data: {
          digestId,
          themeId: themeA,
          decision: 'partly_accepted',
          explanation: 'Giữ mức thu cũ.',
          sectionsChanged: [ids.article1],
        },
      },
    ];
    await runtime.writePath.execute(
      streams.digest(policyId, 1),
      { initialState: null, evolve: (s: null) => s },
      null,
      async () => ({
        events: digestEvents,
        context: {
          actor: { accountId: staff.accountId, role: 'staff', organizationId },
          occurredAt: clock.now().toISOString(),
          correlationId: randomUUID(),
          causationId: null,
        },
      }),
    );
    await settle();

    await admin(`CREATE DATABASE ${database}`);
    const u = new URL(serverUrl);
    u.pathname = `/${database}`;
    pgUrl = u.toString();
  }, 180_000);

  afterAll(async () => {
    await runtime?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  /** The figures computed straight from the log, in plain code: no read model, no SQL. */
  async function expectedFrom(filter: AnalysisFilter): Promise<AnalysisFigures> {
    type C = {
      node: string;
      category: string;
      channel: string;
      stance: string;
      day: string;
      participant: string;
      out: Set<string>;
      group: string | null;
    };
    const comments = new Map<string, C>();
    const groups = new Map<string, string[]>();
    const themes = new Map<string, { title: string; decision: string | null; comments: Set<string>; order: number }>();
    const dayOf = (iso: string) => new Date(Date.parse(iso) + 7 * HOUR).toISOString().slice(0, 10);
    for await (const recorded of runtime.store.readAll({})) {
      const { event } = await runtime.writePath.decode(recorded);
      switch (event.type) {
        case 'CommentSubmitted': {
          const d = event.data;
          if (d.policyId !== policyId) break;
          const participant = d.authorAccountId ?? d.offlineSender?.senderId ?? d.commentId;
          comments.set(d.commentId, {
            node: d.anchorNodeId ?? '',
            category: d.stakeholderCategory,
            channel: d.channel,
            stance: d.stance,
            day: dayOf(d.receivedAt),
            participant,
            out: new Set(),
            group: null,
          });
          break;
        }
        case 'CommentEdited':
          if (comments.has(event.data.commentId)) comments.get(event.data.commentId)!.stance = event.data.stance;
          break;
        case 'CommentWithdrawn':
          comments.get(event.data.commentId)?.out.add('withdrawn');
          break;
        case 'CommentHidden':
          comments.get(event.data.commentId)?.out.add('hidden');
          break;
        case 'CommentRestored':
          comments.get(event.data.commentId)?.out.delete('hidden');
          break;
        case 'CommentRedacted':
          comments.get(event.data.commentId)?.out.add('redacted');
          break;
        case 'DuplicateGroupConfirmed':
          groups.set(event.data.groupId, event.data.commentIds);
          break;
        case 'DuplicateGroupUndone':
          groups.delete(event.data.groupId);
          break;
        case 'ThemeDefined':
          themes.set(event.data.themeId, {
            title: event.data.title,
            decision: null,
            comments: new Set(),
            order: themes.size,
          });
          break;
        case 'CommentsAssignedToTheme':
          for (const id of event.data.commentIds) themes.get(event.data.themeId)?.comments.add(id);
          break;
        case 'ThemeAnswered':
          themes.get(event.data.themeId)!.decision = event.data.decision;
          break;
        default:
          break;
      }
    }
    const nodes =
      filter.nodeId === ids.article1 ? [ids.article1, ids.clause1] : filter.nodeId ? [filter.nodeId] : undefined;
    const counted = [...comments.entries()].filter(
      ([, c]) =>
        c.out.size === 0 &&
        (!filter.category || c.category === filter.category) &&
        (!filter.channel || c.channel === filter.channel) &&
        (!nodes || nodes.includes(c.node)),
    );
    const countedIds = new Set(counted.map(([id]) => id));
    const tally = (key: (c: C) => string) => {
      const m = new Map<string, number>();
      for (const [, c] of counted) m.set(key(c), (m.get(key(c)) ?? 0) + 1);
      return [...m.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, n]) => ({ key: k, comments: n }));
    };
    const reached = [...groups.values()]
      .map((members) => members.filter((id) => countedIds.has(id)).length)
      .filter((n) => n > 0);
    const answered = new Set<string>();
    for (const t of themes.values())
      if (t.decision) for (const id of t.comments) if (countedIds.has(id)) answered.add(id);
    return {
      comments: counted.length,
      participants: new Set(counted.map(([, c]) => c.participant)).size,
      distinctArguments: counted.length - reached.reduce((s, n) => s + n - 1, 0),
      confirmedGroups: reached.length,
      byStance: tally((c) => c.stance),
      byCategory: tally((c) => c.category),
      byChannel: tally((c) => c.channel),
      byNode: tally((c) => c.node),
      byDay: tally((c) => c.day),
      topThemes: [...themes.entries()]
        .map(([themeId, t]) => ({
          themeId,
          title: t.title,
          decision: t.decision,
          comments: [...t.comments].filter((id) => countedIds.has(id)).length,
          order: t.order,
        }))
        .filter((t) => t.comments > 0)
        .sort((a, b) => b.comments - a.comments || a.order - b.order)
        .map(({ order: _o, ...t }) => t),
      answeredComments: answered.size,
    };
  }

  const filters = (): [string, AnalysisFilter][] => [
    ['no filter', {}],
    ['parents', { category: 'parent' }],
    ['letters', { channel: 'letter' }],
    ['web', { channel: 'web' }],
    ['article 1 and below', { nodeId: ids.article1 }],
    ['clause 1', { nodeId: ids.clause1 }],
    ['teachers on the web about article 2', { category: 'teacher', channel: 'web', nodeId: ids.article2 }],
  ];

  async function check(db: ReadDb) {
    for (const [name, filter] of filters()) {
      const figures = await analysisQueries.figures(db, policyId, 1, filter);
      expect(figures, name).toEqual(await expectedFrom(filter));
    }
  }

  it('every figure, under every filter, equals the count computed from the seeded events (SQLite)', async () => {
    const all = await analysisQueries.figures(runtime.readDb, policyId, 1);
    // The seeded history exercises what it must: edits, removals, a restore, groups and themes.
    expect(all.comments).toBe(48 - 4);
    expect(all.byDay.length).toBeGreaterThan(5);
    expect(all.byChannel.map((b) => b.key)).toContain('web');
    expect(all.confirmedGroups).toBe(1);
    expect(all.distinctArguments).toBe(all.comments - (campaign.length - 2));
    expect(all.topThemes[0]!.title).toBe('Khoản phí bán trú');
    expect(all.answeredComments).toBeGreaterThan(0);
    expect(all.participants).toBeLessThan(all.comments);
    await check(runtime.readDb);
  });

  it('follows new comments and undoes as the log moves on', async () => {
    const before = await analysisQueries.figures(runtime.readDb, policyId, 1);
    const author = randomUUID();
    await runtime.commands.comment(
      {
        type: 'SubmitComment',
        commentId: randomUUID(),
        policyId,
        version: 1,
        anchorNodeId: ids.clause1,
        parentCommentId: null,
        body: 'Thêm một ý kiến mới về khoản 1.',
        stance: 'oppose',
        stakeholderCategory: 'teacher',
        authorAccountId: author,
        pseudonym: null,
        idempotencyKey: 'late',
      },
      as(author, []),
    );
    await settle();
    const after = await analysisQueries.figures(runtime.readDb, policyId, 1);
    expect(after.comments).toBe(before.comments + 1);
    expect(after.participants).toBe(before.participants + 1);
    await check(runtime.readDb);
  });

  it('lists the confirmed group and refuses a second group over the same comments', async () => {
    const groups = await analysisQueries.groups(runtime.readDb, policyId, 1);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.commentIds).toEqual(campaign);
    await expect(
      analysis().confirmDuplicateGroup(
        {
          groupId: randomUUID(),
          policyId,
          round: 1,
          commentIds: campaign.slice(0, 2),
          representativeCommentId: campaign[0]!,
        },
        staff,
      ),
    ).rejects.toMatchObject({ code: 'ILLEGAL_STATE', rule: 'COMMENT_ALREADY_GROUPED' });
    await expect(
      analysis().confirmDuplicateGroup(
        {
          groupId: randomUUID(),
          policyId,
          round: 1,
          commentIds: campaign.slice(0, 2),
          representativeCommentId: campaign[0]!,
        },
        as(randomUUID(), []),
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN', rule: 'ANALYST_ONLY' });
    // Grouped comments are no longer proposed as candidates.
    expect(await duplicateCandidates(runtime.readDb, policyId, 1)).toEqual([]);
  });

  it('gives the same figures on PostgreSQL, rebuilt from the same log', async () => {
    const read = await openPostgresReadStore(pgUrl, 'gopy_read');
    try {
      const projector = new Projector({
        store: runtime.store,
        db: read.db,
        keys: runtime.keys,
        readModels: allReadModels,
      });
      await projector.init();
      await projector.catchUpOnce();
      await check(read.db);
      expect(await analysisQueries.figures(read.db, policyId, 1, { channel: 'web' })).toEqual(
        await analysisQueries.figures(runtime.readDb, policyId, 1, { channel: 'web' }),
      );
    } finally {
      await read.close();
    }
  });
});
