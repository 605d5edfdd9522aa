import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createWorld, openRuntime, submitViaCommands } from '../lib/fixture';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-scratch-'));
const rt = await openRuntime(dir);
const world = await createWorld(rt, { participants: 200 });
const store: any = rt.store;
const timers: Record<string, number> = {};
function wrap(obj: any, name: string, label: string) {
  const orig = obj[name].bind(obj);
  obj[name] = (...a: any[]) => { const t = performance.now(); const r = orig(...a); timers[label] = (timers[label] ?? 0) + performance.now() - t; return r; };
}
wrap(store, 'flush', 'flush(sync)');
const origAppend = store.append.bind(store);
let appendWait = 0;
store.append = async (...a: any[]) => { const t = performance.now(); try { return await origAppend(...a); } finally { appendWait += performance.now() - t; } };
const origLoad = rt.writePath.load.bind(rt.writePath);
let loadWait = 0;
(rt.writePath as any).load = async (...a: any[]) => { const t = performance.now(); try { return await (origLoad as any)(...a); } finally { loadWait += performance.now() - t; } };
const h = monitorEventLoopDelay({ resolution: 10 }); h.enable();
for (const c of (process.env.CS ?? '64').split(',').map(Number)) {
  const t = performance.now();
  const r = await submitViaCommands(rt, world, Number(process.env.N ?? 500), { concurrency: c });
  console.log(c, Math.round(r.appended / r.seconds), 'wall ms', Math.round(performance.now() - t), timers, 'appendWait(sum)', Math.round(appendWait), 'loadWait(sum)', Math.round(loadWait), 'loopdelay max ms', h.max / 1e6, 'mean', h.mean / 1e6, store.stats());
  appendWait = 0; loadWait = 0; for (const k in timers) timers[k] = 0; h.reset();
}
await rt.close();
