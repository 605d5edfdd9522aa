import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createWorld, generateComments, openRuntime, project } from '../lib/fixture';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-scratch-'));
const rt = await openRuntime(dir);
const world = await createWorld(rt, { participants: 200 });
const mode = process.argv[2] ?? 'gen';
const r = await generateComments(rt, world, 20000, { concurrency: 64 });
console.log('gen', Math.round(r.appended / r.seconds), '/s');
if (mode === 'proj') { const p = await project(rt); console.log('project', Math.round(p.applied / p.seconds), '/s'); }
await rt.close();
