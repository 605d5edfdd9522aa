/**
 * CPU profiles of the API process under one workload at a time: the policy page query, then comment submissions,
 * each in a fresh API process on the same data folder, and the top functions of each.
 *   node --import tsx tests/bench/tools/profileApi.ts [--events=100000] [--seconds=10]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWorld, generateCommentsFast, openRuntime, project } from '../lib/fixture';
import { commentLoad, POLICY_PAGE_QUERY, queryLoad } from '../lib/http';
import { startApi } from '../lib/servers';
import { topFunctions } from './topFunctions';

const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const events = arg('events', 100_000);
const seconds = arg('seconds', 10);
const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '../results/profiles/api-by-workload');
fs.rmSync(out, { recursive: true, force: true });

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-profile-'));
const runtime = await openRuntime(dir);
const world = await createWorld(runtime, { participants: 500 });
await generateCommentsFast(runtime, world, events - 1_000);
await project(runtime);
await runtime.close();

const workloads: [string, (url: string) => Promise<unknown>][] = [
  [
    'policy_page',
    (url) =>
      queryLoad(url, {
        query: POLICY_PAGE_QUERY,
        variables: { id: world.policyId, first: 20 },
        expect: '"policy":{"id"',
        seconds,
      }),
  ],
  [
    'comment_http',
    (url) =>
      commentLoad(url, {
        tokens: world.participants.map((p) => p.token),
        policyId: world.policyId,
        seconds,
        keyPrefix: `profile-${Date.now()}`,
      }),
  ],
];
for (const [name, load] of workloads) {
  const profileDir = path.join(out, name);
  const api = await startApi(dir, `profile-${name}`, {
    NODE_OPTIONS: `--import ${path.join(here, 'cpuProfilePreload.mjs')}`,
    GOPY_BENCH_PROFILE_DIR: profileDir,
  });
  const result = (await load(api.baseUrl)) as { rps: number; p99: number };
  await api.stop();
  const file = fs.readdirSync(profileDir).map((f) => path.join(profileDir, f))[0]!;
  console.log(`\n=== ${name} on ${events} events: ${result.rps}/s, p99 ${result.p99} ms — ${file}`);
  console.log(topFunctions(file, 25));
}
fs.rmSync(dir, { recursive: true, force: true });
