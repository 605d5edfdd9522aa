import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createWorld, openRuntime } from '../lib/fixture';
import { commentLoad } from '../lib/http';
import { startApi } from '../lib/servers';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-scratch-'));
const rt = await openRuntime(dir);
const world = await createWorld(rt, { participants: 100 });
await rt.projector.catchUpOnce();
await rt.close();
const api = await startApi(dir, 'scratch');
for (const c of [1, 8, 64]) {
  console.log(c, os.loadavg(), await commentLoad(api.baseUrl, { tokens: world.participants.map((p) => p.token), policyId: world.policyId, seconds: 10, keyPrefix: 'c' + c, connections: c }));
}
await api.stop();
console.log(api.platform.output().slice(-3000));
