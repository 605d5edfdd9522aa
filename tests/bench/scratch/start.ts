import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createWorld, generateCommentsFast, openRuntime, project } from '../lib/fixture';
import { startApi } from '../lib/servers';
const dir = process.env.DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-scratch-'));
if (!process.env.DIR) {
  const rt = await openRuntime(dir);
  const world = await createWorld(rt, { participants: 200 });
  await generateCommentsFast(rt, world, Number(process.env.N ?? 20000));
  console.log(await project(rt));
  await rt.close();
}
console.log(dir);
let t = performance.now();
const api = await startApi(dir, 'x');
console.log('start ms', performance.now() - t);
console.log(api.platform.output());
await api.stop();
t = performance.now();
const api2 = await startApi(dir, 'x');
console.log('restart ms', performance.now() - t);
await api2.stop();
