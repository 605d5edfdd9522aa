import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createWorld, generateComments, openRuntime, project, createParticipants } from '../lib/fixture';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-scratch-'));
const rt = await openRuntime(dir);
let t = performance.now();
const world = await createWorld(rt, { participants: 0 });
console.log('world', performance.now() - t);
t = performance.now();
world.participants = await createParticipants(rt, 1000);
console.log('1000 participants ms', performance.now() - t);
for (const c of [1, 64]) {
  const r = await generateComments(rt, world, c === 1 ? 3000 : 30000, { concurrency: c });
  console.log('conc', c, r, Math.round(r.appended / r.seconds), '/s', (rt.store as any).stats());
}
const p = await project(rt);
console.log('project', p, Math.round(p.applied / p.seconds), '/s');
console.log('rss MB', process.memoryUsage().rss / 1e6);
await rt.close();
console.log(dir);
