/**
 * Peak memory of the comment exports (CSV and XLSX) of one round, at 10,000 and at 100,000 comments.
 *
 *   node --import tsx tests/bench/exportMemory.ts [--count=100000] [--cap=64] [--keep]
 *
 * Builds one data folder with the fixtures of the benchmarks (real events, sealed bodies), noting the log position once
 * 10,000 comments are in, then runs each export in a fresh child process, into a sink that counts bytes, sampling RSS
 * every 20 ms and reading VmHWM (the kernel's peak RSS) at the end. Exporting at the earlier position gives the
 * 10,000-comment file from the same log, so the two sizes differ only in the number of rows. The largest export runs
 * once more with V8's old space capped (--cap, default 64 MB): finishing within the cap shows what is really retained.
 * Numbers are printed, not asserted.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Position } from '@gopy/application/eventStore';
import { commentRowsAt, writeCommentsCsv, writeCommentsXlsx, type ExportMeta } from '@gopy/api/exports/comments';
import { createWorld, generateCommentsFast, loadWorld, openRuntime } from './lib/fixture';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string | undefined]));
const self = fileURLToPath(import.meta.url);

function vmHwmMb(): number {
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function child(dataDir: string, format: 'csv' | 'xlsx', position: string) {
  const runtime = await openRuntime(dataDir);
  const world = loadWorld(dataDir);
  let peak = process.memoryUsage().rss;
  const baseline = peak;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  let bytes = 0;
  let rows = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done();
    },
  });
  const started = performance.now();
  const source = commentRowsAt(runtime, world.policyId, 1, position as Position, {
    includeHidden: false,
    locale: 'vi',
  });
  async function* counted() {
    for await (const row of source) {
      rows += 1;
      yield row;
    }
  }
  const meta: ExportMeta = {
    policyId: world.policyId,
    policyTitle: '',
    round: 1,
    position,
    includeHidden: false,
    locale: 'vi',
  };
  if (format === 'csv') await writeCommentsCsv(counted(), meta, sink);
  else await writeCommentsXlsx(counted(), meta, sink);
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  const seconds = (performance.now() - started) / 1000;
  await runtime.close();
  const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
  console.log(
    JSON.stringify({
      format,
      rows,
      bytes,
      seconds: Math.round(seconds * 10) / 10,
      rssBeforeMb: mb(baseline),
      rssPeakSampledMb: mb(peak),
      vmHwmMb: Math.round(vmHwmMb() * 10) / 10,
    }),
  );
}

async function main() {
  const count = Number(args.get('count') ?? 100_000);
  const small = Math.min(10_000, count);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-export-bench-'));
  console.log(`data folder ${dataDir}`);
  const runtime = await openRuntime(dataDir);
  const world = await createWorld(runtime, { participants: 200 });
  const t = performance.now();
  await generateCommentsFast(runtime, world, small);
  const smallPosition = (await runtime.store.headPosition())! as Position;
  if (count > small) await generateCommentsFast(runtime, world, count - small);
  const fullPosition = (await runtime.store.headPosition())! as Position;
  console.log(`generated ${count} comments in ${Math.round((performance.now() - t) / 1000)} s`);
  await runtime.close();
  const results = [];
  // V8 lets its heap grow before it collects, so a default run's peak includes garbage not yet collected. The capped
  // runs (--max-old-space-size) show what is really retained: they finish within the cap whatever the count.
  const cap = Number(args.get('cap') ?? 64);
  const runs: [string, Position, string[]][] = [
    [`${small}`, smallPosition, []],
    [`${count}`, fullPosition, []],
    [`${count}`, fullPosition, [`--max-old-space-size=${cap}`]],
  ];
  for (const [label, position, flags] of runs) {
    for (const format of ['csv', 'xlsx'] as const) {
      const run = spawnSync(
        process.execPath,
        [...flags, '--import', 'tsx', self, '--child', dataDir, format, position],
        { encoding: 'utf8', maxBuffer: 1 << 20 },
      );
      if (run.status !== 0) throw new Error(`export child failed: ${run.stderr}`);
      const line = run.stdout.trim().split('\n').at(-1)!;
      const result = { comments: label, heap: flags.length ? `old space ≤ ${cap} MB` : 'default', ...JSON.parse(line) };
      results.push(result);
      console.log(JSON.stringify(result));
    }
  }
  console.log('\n| comments | format | V8 heap | rows | size | time | RSS before | peak RSS (VmHWM) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.comments} | ${r.format} | ${r.heap} | ${r.rows} | ${(r.bytes / 1024 / 1024).toFixed(1)} MB | ${r.seconds} s | ${r.rssBeforeMb} MB | ${r.vmHwmMb} MB |`,
    );
  }
  if (!args.has('keep')) fs.rmSync(dataDir, { recursive: true, force: true });
}

if (process.argv[2] === '--child') {
  await child(process.argv[3]!, process.argv[4] as 'csv' | 'xlsx', process.argv[5]!);
} else {
  await main();
}
