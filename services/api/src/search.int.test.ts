import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commentIdFor, type Principal } from '@gopy/application/commands';
import { Projector } from '@gopy/application/projector';
import {
  allReadModels,
  foldText,
  searchQueries,
  type ReadDb,
  type SearchOptions,
} from '@gopy/application/readModels/index';
import { openPostgresReadStore } from '@gopy/adapters/readStore/postgresReadStore';
import type { Role, Stance } from '@gopy/schemas';
import { loadConfig } from '@gopy/composition/config';
import { seedDemo } from '@gopy/composition/demo';
import { openEmbeddedRuntime, type Runtime } from '@gopy/composition/runtime';

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `gopy_search_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
const url = (() => {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
})();

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const principal = (accountId: string, roles: Role[] = []): Principal => ({
  accountId,
  rolesIn: async () => [...roles, 'participant'],
});

describe('foldText', () => {
  it('folds diacritics, đ and both tone placements, in NFC and NFD alike', () => {
    expect(foldText('Trường học')).toBe('truong hoc');
    expect(foldText('ĐƯỜNG làng, đường xá!')).toBe('duong lang duong xa');
    expect(foldText('hoà')).toBe(foldText('hòa'));
    expect(foldText('hoà'.normalize('NFD'))).toBe('hoa');
    expect(foldText('Nguyễn'.normalize('NFD'))).toBe('nguyen');
  });
});

describe('comment search on SQLite and PostgreSQL', () => {
  let runtime: Runtime;
  let policyId: string;
  let nodeId: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${database}`);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-search-'));
    runtime = await openEmbeddedRuntime(loadConfig({ GOPY_DATA_DIR: dataDir }), { log: () => {} });
    runtime.projector.start();
    await seedDemo(runtime);
    await runtime.projector.waitFor((await runtime.store.headPosition())!, 20_000);
    const policy = await runtime.readDb
      .selectFrom('policies')
      .select(['id'])
      .where('status', '=', 'consultation')
      .executeTakeFirstOrThrow();
    policyId = policy.id;
    const version = await runtime.readDb
      .selectFrom('policy_versions')
      .select('nodes')
      .where('policy_id', '=', policyId)
      .executeTakeFirstOrThrow();
    nodeId = (JSON.parse(version.nodes) as { nodeId: string }[])[0]!.nodeId;
    const author = await runtime.accounts.signUp(
      {
        email: 'search@example.test',
        password: 'mật khẩu dài 123',
        displayName: 'Người tìm',
        pseudonym: null,
        stakeholderCategory: 'teacher',
        locale: 'vi',
      },
      { origin: 'admin', verified: true },
    );
    const samples: [string, string, Stance, string | null][] = [
      ['school', 'Trường học cần thêm sân chơi cho học sinh.', 'suggestion', nodeId],
      ['road', 'Con đường đến trường rất xấu.'.normalize('NFD'), 'oppose', null],
      ['hoa1', 'Tôi đồng ý, cần hoà nhập cho trẻ khuyết tật.', 'support', nodeId],
      ['hoa2', 'Hòa bình và hòa nhập là mục tiêu chung.', 'support', null],
      ['upper', 'ĐƯỜNG LÀNG cần sửa trước mùa mưa', 'neutral', null],
      ['hidden', 'Đường này có người nói bậy', 'oppose', null],
      ['withdrawn', 'Đường ven sông cũng hỏng', 'oppose', null],
    ];
    for (const [key, body, stance, anchor] of samples) {
      const commentId = commentIdFor(author, `search-${key}`);
      ids[key] = commentId;
      await runtime.commands.comment(
        {
          type: 'SubmitComment',
          commentId,
          policyId,
          version: 1,
          anchorNodeId: anchor,
          parentCommentId: null,
          body,
          stance,
          stakeholderCategory: 'teacher',
          authorAccountId: author,
          pseudonym: null,
          idempotencyKey: `search-${key}`,
        },
        principal(author),
      );
    }
    await runtime.commands.comment(
      { type: 'HideComment', commentId: ids.hidden!, reasonCode: 'abuse', reason: 'Ngôn từ thô tục' },
      principal(randomUUID(), ['moderator']),
    );
    await runtime.commands.comment(
      { type: 'WithdrawComment', commentId: ids.withdrawn!, reason: '' },
      principal(author),
    );
    await runtime.projector.waitFor((await runtime.store.headPosition())!, 20_000);
  }, 90_000);

  afterAll(async () => {
    await runtime?.close();
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  const cases: [string, Partial<SearchOptions>][] = [
    ['truong hoc', {}],
    ['duong', {}],
    ['DUONG', {}],
    ['đường', {}],
    ['hoa', {}],
    ['hòa nhập', {}],
    ['hoa', { nodeId: 'NODE' }],
    ['hoa', { stance: 'support' }],
    ['duong', { stance: 'support' }],
    ['duong', { category: 'teacher' }],
    ['duong', { category: 'parent' }],
    ['duong', { channel: 'web' }],
    ['duong', { channel: 'email' }],
    ['duong', { from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' }],
    ['duong', { to: '2000-01-01T00:00:00.000Z' }],
    ['noi bay', {}],
    ['ven song', {}],
    ['  ,, ', {}],
    ['"quoted" OR * NEAR(', {}],
  ];

  async function runAll(db: ReadDb) {
    const out: Record<string, string[]> = {};
    for (const [query, extra] of cases) {
      const o = { policyId, query, first: 50, ...extra, ...(extra.nodeId ? { nodeId } : {}) };
      out[`${query} ${JSON.stringify(extra)}`] = (await searchQueries.search(db, o)).map((c) => c.id);
    }
    return out;
  }

  it('ignores diacritics and their variants, applies the filters, and leaves hidden and withdrawn comments out (SQLite)', async () => {
    const found = async (query: string, extra: Partial<SearchOptions> = {}) =>
      (await searchQueries.search(runtime.readDb, { policyId, query, first: 50, ...extra })).map((c) => c.id).sort();
    expect(await found('truong hoc')).toEqual([ids.school]);
    expect(await found('duong')).toEqual([ids.road, ids.upper].sort());
    expect(await found('đường')).toEqual([ids.road, ids.upper].sort());
    expect(await found('hoa')).toEqual([ids.hoa1, ids.hoa2].sort());
    expect(await found('hoa', { nodeId })).toEqual([ids.hoa1]);
    expect(await found('duong', { stance: 'neutral' })).toEqual([ids.upper]);
    expect(await found('noi bay')).toEqual([]);
    expect(await found('ven song')).toEqual([]);
    expect(await found('  ')).toEqual([]);
    // Keyset paging: newest first, the second page starts below the first page's last seq.
    const first = await searchQueries.search(runtime.readDb, { policyId, query: 'duong', first: 1 });
    const second = await searchQueries.search(runtime.readDb, {
      policyId,
      query: 'duong',
      first: 1,
      beforeSeq: first[0]!.seq,
    });
    expect([first[0]!.id, second[0]!.id]).toEqual([ids.upper, ids.road]);
  });

  it('puts a restored comment back and takes a redacted one out', async () => {
    await runtime.commands.comment(
      { type: 'RestoreComment', commentId: ids.hidden!, reason: 'Đã xem lại' },
      principal(randomUUID(), ['moderator']),
    );
    await runtime.projector.waitFor((await runtime.store.headPosition())!, 20_000);
    expect(
      (await searchQueries.search(runtime.readDb, { policyId, query: 'noi bay', first: 5 })).map((c) => c.id),
    ).toEqual([ids.hidden]);
  });

  it('finds the same comments on PostgreSQL as on SQLite', async () => {
    const read = await openPostgresReadStore(url, 'gopy_read');
    try {
      const projector = new Projector({
        store: runtime.store,
        db: read.db,
        keys: runtime.keys,
        readModels: allReadModels,
      });
      await projector.init();
      await projector.catchUpOnce();
      const onSqlite = await runAll(runtime.readDb);
      const onPg = await runAll(read.db);
      expect(Object.values(onSqlite).some((v) => v.length > 1)).toBe(true);
      expect(onPg).toEqual(onSqlite);
    } finally {
      await read.close();
    }
  });
});
