import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createWorld, openRuntime, submitViaCommands } from '../lib/fixture';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-scratch-'));
const rt = await openRuntime(dir);
const world = await createWorld(rt, { participants: 200 });
for (const c of (process.env.CS ?? "64").split(",").map(Number)) {
  const r = await submitViaCommands(rt, world, 1000, { concurrency: c });
  console.log(c, Math.round(r.appended / r.seconds), (rt.store as any).stats());
}
await rt.close();
