/**
 * CPU profile of the write path alone: comments through CommandHandlers.comment, one at a time and 64 in flight,
 * with the projector stopped (its work is measured by the rebuild benchmark), and the top functions of each.
 *   node --import tsx tests/bench/tools/profileAppend.ts [--count=3000] [--projector]
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWorld, openRuntime, submitViaCommands } from '../lib/fixture';
import { topFunctions } from './topFunctions';

const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const count = arg('count', 3_000);
const withProjector = process.argv.includes('--projector');
const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '../results/profiles/append-by-mode');
fs.mkdirSync(out, { recursive: true });

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-profile-append-'));
const runtime = await openRuntime(dir);
const world = await createWorld(runtime, { participants: 200 });
if (!withProjector) await runtime.projector.stop();
await submitViaCommands(runtime, world, 300, { concurrency: 8 });
for (const concurrency of [1, 64]) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  const cpuBefore = process.cpuUsage();
  const r = await submitViaCommands(runtime, world, count, { concurrency });
  const cpu = process.cpuUsage(cpuBefore);
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  const file = path.join(out, `concurrency-${concurrency}.cpuprofile`);
  fs.writeFileSync(file, JSON.stringify(profile));
  // CPU time per comment moves much less than throughput when other processes share the machine.
  const cpuMicros = Math.round((cpu.user + cpu.system) / r.appended);
  console.log(
    `\n=== ${count} comments, ${concurrency} in flight: ${Math.round(r.appended / r.seconds)} events/s, ${cpuMicros} µs CPU per comment — ${file}`,
  );
  console.log(topFunctions(file, 30));
}
await runtime.close();
fs.rmSync(dir, { recursive: true, force: true });
