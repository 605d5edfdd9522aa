/**
 * The replay proof at scale: builds a log of at least N events (default 1,000,000) in a fresh data folder through the
 * real write path (tests/bench/lib/fixture.ts), projects it into the live read models, then runs the real
 * `gopy rebuild --verify` on it as its own process and prints what it says, with the times of each step.
 *
 *   node --import tsx tests/bench/tools/rebuildVerifyLarge.ts [--events=1000000] [--dir=/tmp/gopy-1m]
 *
 * A long run (tens of minutes on two cores); not part of `npm test`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWorld, generateCommentsFast, openRuntime, project } from '../lib/fixture';

const arg = (name: string, fallback: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const target = Number(arg('events', '1000000'));
const dir = arg('dir', fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-rebuild-verify-')));
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

async function main(): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const runtime = await openRuntime(dir);
  let started = performance.now();
  const world = await createWorld(runtime, { participants: 2_000 });
  let head = Number((await runtime.store.headPosition()) ?? 0);
  log(`world: ${head} events (2,000 participants) in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  started = performance.now();
  while (head < target) {
    await generateCommentsFast(runtime, world, Math.min(100_000, target - head));
    head = Number(await runtime.store.headPosition());
    log(`log: ${head} events`);
  }
  const generated = (performance.now() - started) / 1000;
  log(`generated to ${head} events in ${generated.toFixed(0)} s`);
  const projected = await project(runtime);
  log(`live read models: ${projected.applied} events projected in ${projected.seconds.toFixed(0)} s`);
  await runtime.close();

  started = performance.now();
  const child = spawn(process.execPath, [path.join(repoRoot, 'services/api/bin/gopy.js'), 'rebuild', '--verify'], {
    cwd: repoRoot,
    env: { ...process.env, GOPY_DATA_DIR: dir, GOPY_DEMO: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  // Peak resident memory of the verifying process (VmHWM), read while it runs.
  let peakKb = 0;
  const watch = setInterval(() => {
    try {
      const hwm = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
    } catch {
      // The process has ended.
    }
  }, 500);
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  clearInterval(watch);
  const seconds = (performance.now() - started) / 1000;
  // The progress bar redraws with carriage returns; keep its last state and every other line.
  const lines = out
    .split('\n')
    .map((l) => l.split('\r').filter(Boolean).at(-1) ?? '')
    .filter(Boolean);
  for (const line of lines) console.log(`  | ${line}`);
  log(
    `gopy rebuild --verify: exit ${code} after ${seconds.toFixed(0)} s (${Math.round(head / seconds)} events/s including the comparison), peak RSS ${Math.round(peakKb / 1024)} MB`,
  );
  process.exitCode = code;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
