/**
 * The rebuild benchmark on a small generated log, twice, with the CPU time per event of ours and of the baseline: on a
 * machine shared with other work, CPU per event moves far less than events per second.
 *   node --import tsx tests/bench/tools/rebuildPair.ts [events=8000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rebuildBaseline, rebuildOurs } from '../benchmarks/rebuild';
import { createWorld, generateCommentsFast, openRuntime } from '../lib/fixture';

const n = Number(process.argv[2] ?? 8000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-pair-'));
const runtime = await openRuntime(dir);
const world = await createWorld(runtime, { participants: 200 });
await generateCommentsFast(runtime, world, n);
await runtime.close();
for (let i = 0; i < 2; i++) {
  let c = process.cpuUsage();
  const ours = await rebuildOurs(dir, path.join(dir, `ours-${i}.sqlite`));
  const oc = process.cpuUsage(c);
  c = process.cpuUsage();
  const base = rebuildBaseline(dir, path.join(dir, `ours-${i}.sqlite`), path.join(dir, `base-${i}.sqlite`));
  const bc = process.cpuUsage(c);
  console.log(
    `cpu µs/event ours ${Math.round((oc.user + oc.system) / ours.events)} baseline ${Math.round((bc.user + bc.system) / base.events)} cpu ratio ${((bc.user + bc.system) / base.events / ((oc.user + oc.system) / ours.events)).toFixed(3)}`,
  );
  console.log(
    `ours ${Math.round(ours.eventsPerSecond)}/s baseline ${Math.round(base.eventsPerSecond)}/s ratio ${(ours.eventsPerSecond / base.eventsPerSecond).toFixed(3)} load ${os.loadavg()[0]!.toFixed(1)}`,
  );
  if (i === 1) console.log(JSON.stringify(base.rowCheck));
}
fs.rmSync(dir, { recursive: true, force: true });
