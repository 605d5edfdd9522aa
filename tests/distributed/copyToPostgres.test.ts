import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createThrowawayDatabase } from '../support/postgres';
import { graphqlClient, repoRoot, startPlatform, type Platform } from '../support/platform';

let database: { url: string; drop(): Promise<void> };

const pageQuery = `{
  policies(first: 20) { totalCount edges { node { id title status commentCount
    currentVersion { number nodes { id kind number heading text children { id number text children { id number text } } } }
    rounds { round version opensAt closesAt closedAt }
    enactment { decisionNumber effectiveDate }
    comments(first: 20) { totalCount edges { node { id body stance authorName anchorLabel channel submittedAt } } } } } }
  organizations { id name kind levels }
}`;

describe('moving a log: demo data copied from SQLite to PostgreSQL serves the same pages', () => {
  // The page query is deeper and costlier than any page of the site: raise the armor's cost limit for it.
  const secrets = { GOPY_MASTER_KEY: 'e'.repeat(64), GOPY_LOOKUP_KEY: 'f'.repeat(64), GOPY_GRAPHQL_MAX_COST: '200000' };
  let onSqlite: Platform | undefined;
  let onPostgres: Platform | undefined;

  afterAll(async () => {
    await onSqlite?.stop();
    await onPostgres?.stop();
    await database?.drop();
  });

  it('copies, verifies the chains, and answers the same queries and site pages', async () => {
    database = await createThrowawayDatabase('gopy_move');
    onSqlite = await startPlatform({ env: secrets });
    const before = await graphqlClient(onSqlite.baseUrl)(pageQuery);
    expect(before.errors).toBeUndefined();
    const homeBefore = await (await fetch(`${onSqlite.baseUrl}/`)).text();
    await onSqlite.stop();

    const out = execFileSync(
      process.execPath,
      [
        path.join(repoRoot, 'services/api/bin/gopy.js'),
        'store',
        'copy',
        '--from',
        `sqlite:${onSqlite.dataDir}`,
        '--to',
        `postgres:${database.url}`,
      ],
      {
        cwd: repoRoot,
        env: { ...process.env, ...secrets, GOPY_DATA_DIR: onSqlite.dataDir },
        encoding: 'utf8',
      },
    );
    expect(out).toMatch(/verified on the target/);

    const pgDir = fs.mkdtempSync(path.join(path.dirname(onSqlite.dataDir), 'gopy-pg-'));
    onPostgres = await startPlatform({
      dataDir: pgDir,
      env: {
        ...secrets,
        GOPY_EVENT_STORE: 'postgres',
        GOPY_READ_STORE: 'postgres',
        DATABASE_URL: database.url,
        GOPY_DEMO: '0',
      },
    });
    const after = await graphqlClient(onPostgres.baseUrl)(pageQuery);
    expect(after.errors).toBeUndefined();
    expect(after.data).toEqual(before.data);
    const homeAfter = await (await fetch(`${onPostgres.baseUrl}/`)).text();
    expect(homeAfter.length).toBeGreaterThan(0);
    // The same policies are listed on the site's home page (titles in Vietnamese).
    const titles = (before.data as { policies: { edges: { node: { title: string } }[] } }).policies.edges.map(
      (e) => e.node.title,
    );
    const listedBefore = titles.filter((title) => homeBefore.includes(title));
    expect(listedBefore.length, 'the home page listed policies before the copy').toBeGreaterThan(0);
    expect(titles.filter((title) => homeAfter.includes(title))).toEqual(listedBefore);
  });
});
