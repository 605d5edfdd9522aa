import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { graphql } from 'graphql';
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commentIdFor, type Principal } from '@gopy/application/commands';
import { loadConfig } from '@gopy/composition/config';
import { seedDemo } from '@gopy/composition/demo';
import type { GraphQLContext } from './graphql/context';
import { schema } from './graphql/schema';
import { openEmbeddedRuntime, type Runtime } from '@gopy/composition/runtime';

/**
 * Scale: the policy page's query costs the same number of SQL statements and reads the same number of rows whatever
 * the number of comments (no N+1, keyset paging), and a later page reached by the cursor reads no more than the first.
 * CI size: 20,000 comments; GOPY_LOAD_FULL=1 for 100,000.
 */
const LARGE = process.env.GOPY_LOAD_FULL === '1' ? 100_000 : 20_000;

/** Counts the statements a Kysely instance runs and the rows they return. */
class QueryCounter implements KyselyPlugin {
  queries = 0;
  rows = 0;
  reset() {
    this.queries = 0;
    this.rows = 0;
  }
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.queries += 1;
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.rows += args.result.rows.length;
    return args.result;
  }
}

const PAGE = `query Page($id: ID!, $first: Int!, $after: String) {
  policy(id: $id) {
    id title summary status commentCount viewerFollows
    currentRound { round opensAt closesAt }
    comments(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id policyId round version anchorNodeId anchorLabel parentCommentId body stance stakeholderCategory channel authorName status edited submittedAt receivedAt } }
    }
  }
}`;

const SEARCH = `query Search($id: ID!, $q: String!, $first: Int!, $after: String) {
  searchComments(policyId: $id, query: $q, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id body stance authorName } }
  }
}`;

describe(`a policy with ${LARGE.toLocaleString('en')} comments`, () => {
  let runtime: Runtime;
  let policyId: string;
  const counter = new QueryCounter();
  const authors = Array.from({ length: 50 }, () => randomUUID());
  let submitted = 0;

  async function addComments(n: number) {
    const principal = (accountId: string): Principal => ({ accountId, rolesIn: async () => ['participant'] });
    const bodies = [
      'Trường học cần thêm sân chơi.',
      'Đường đến trường xấu.',
      'Tôi đồng ý với dự thảo.',
      'Mức thu hơi cao so với thu nhập.',
    ];
    for (let start = 0; start < n; start += 200) {
      await Promise.all(
        Array.from({ length: Math.min(200, n - start) }, (_v, j) => {
          const i = submitted + start + j;
          const author = authors[i % authors.length]!;
          const key = `scale-${i}`;
          return runtime.commands.comment(
            {
              type: 'SubmitComment',
              commentId: commentIdFor(author, key),
              policyId,
              version: 1,
              anchorNodeId: null,
              parentCommentId: null,
              body: `${bodies[i % bodies.length]} (${i})`,
              stance: 'support',
              stakeholderCategory: 'parent',
              authorAccountId: author,
              pseudonym: null,
              idempotencyKey: key,
            },
            principal(author),
          );
        }),
      );
    }
    submitted += n;
    await runtime.projector.waitFor((await runtime.store.headPosition())!, 600_000);
  }

  async function run(query: string, variables: Record<string, unknown>) {
    const context: GraphQLContext = { runtime, viewer: null, locale: 'vi', sessionToken: undefined, setCookie() {} };
    counter.reset();
    const result = await graphql({ schema, source: query, variableValues: variables, contextValue: context });
    expect(result.errors).toBeUndefined();
    return { data: result.data as Record<string, any>, queries: counter.queries, rows: counter.rows };
  }

  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-scale-'));
    runtime = await openEmbeddedRuntime(loadConfig({ GOPY_DATA_DIR: dataDir }), { log: () => {} });
    runtime.projector.start();
    await seedDemo(runtime);
    await runtime.projector.waitFor((await runtime.store.headPosition())!, 20_000);
    policyId = (
      await runtime.readDb
        .selectFrom('policies')
        .select('id')
        .where('status', '=', 'consultation')
        .executeTakeFirstOrThrow()
    ).id;
    // The API reads through the counter; the projector keeps its own connection.
    (runtime as { readDb: Runtime['readDb'] }).readDb = runtime.readDb.withPlugin(counter);
  }, 60_000);

  afterAll(async () => {
    await runtime?.close();
  });

  it('runs as many SQL statements for a page of 20 as for a page of 5, and as many with 30 comments as with many', async () => {
    await addComments(30);
    const small20 = await run(PAGE, { id: policyId, first: 20 });
    const small5 = await run(PAGE, { id: policyId, first: 5 });
    expect(small20.data.policy.comments.edges).toHaveLength(20);
    expect(small20.queries).toBe(small5.queries);
    expect(small20.queries).toBeLessThanOrEqual(8);

    await addComments(LARGE - 30);
    const large = await run(PAGE, { id: policyId, first: 20 });
    expect(large.data.policy.commentCount).toBeGreaterThanOrEqual(LARGE);
    expect(large.data.policy.comments.totalCount).toBeGreaterThanOrEqual(LARGE);
    expect(large.queries).toBe(small20.queries);
    // Rows read: the page (one extra to know there is a next one) and a few single-row lookups, never the rest.
    expect(large.rows).toBe(small20.rows);
    expect(large.rows).toBeLessThan(60);
  }, 600_000);

  it('serves a later page through the cursor reading no more rows than the first', async () => {
    const first = await run(PAGE, { id: policyId, first: 20 });
    let after: string = first.data.policy.comments.pageInfo.endCursor;
    const seen = new Set<string>(first.data.policy.comments.edges.map((e: { node: { id: string } }) => e.node.id));
    for (let page = 2; page <= 5; page++) {
      const next = await run(PAGE, { id: policyId, first: 20, after });
      expect(next.queries).toBe(first.queries);
      expect(next.rows).toBe(first.rows);
      for (const e of next.data.policy.comments.edges as { node: { id: string } }[]) {
        expect(seen.has(e.node.id)).toBe(false);
        seen.add(e.node.id);
      }
      after = next.data.policy.comments.pageInfo.endCursor;
    }
    expect(seen.size).toBe(100);
    // The keyset query reads through the (policy, status, seq) index, not the table.
    const plan = await runtime.readDb
      .selectFrom('comments')
      .selectAll()
      .where('policy_id', '=', policyId)
      .where('status', '=', 'visible')
      .where('seq', '<', 1_000_000)
      .orderBy('seq', 'desc')
      .limit(21)
      .compile();
    const sqlite = (
      runtime.readDb as unknown as {
        getExecutor(): {
          provideConnection<T>(
            f: (c: { executeQuery(q: unknown): Promise<{ rows: { detail: string }[] }> }) => Promise<T>,
          ): Promise<T>;
        };
      }
    ).getExecutor();
    const details = await sqlite.provideConnection(async (c) =>
      (await c.executeQuery({ ...plan, sql: `EXPLAIN QUERY PLAN ${plan.sql}` })).rows.map((r) => r.detail),
    );
    expect(details.join('\n')).toMatch(/USING INDEX comments_policy_seq/);
    expect(details.join('\n')).not.toMatch(/TEMP B-TREE/);
  }, 120_000);

  it('searches the large policy a page at a time', async () => {
    const first = await run(SEARCH, { id: policyId, q: 'truong hoc', first: 20 });
    expect(first.data.searchComments.edges).toHaveLength(20);
    expect(first.data.searchComments.pageInfo.hasNextPage).toBe(true);
    const second = await run(SEARCH, {
      id: policyId,
      q: 'truong hoc',
      first: 20,
      after: first.data.searchComments.pageInfo.endCursor,
    });
    expect(second.data.searchComments.edges).toHaveLength(20);
    expect(second.queries).toBe(first.queries);
    expect(second.rows).toBe(first.rows);
  }, 120_000);
});
