// Installs the benchmark package (tests/bench/package.json: the emmett peer with its native sqlite3, autocannon) on
// first use and whenever its lock file changed since, so the repository's own `npm ci` never builds them.
// Run by `npm run bench` before the benchmarks.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const lock = path.join(dir, 'package-lock.json');
// npm writes this copy of the lock at the end of every install into node_modules.
const installed = path.join(dir, 'node_modules', '.package-lock.json');

const mtime = (file) => fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs;
if ((mtime(installed) ?? -1) < mtime(lock)) {
  console.log('bench: installing the benchmark dependencies into tests/bench/node_modules (npm ci, first run only)');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
