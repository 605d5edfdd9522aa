/**
 * Start-up time and idle memory of `gopy serve` as the README starts it: a fresh data folder (so the demo data is
 * loaded), the site served from web/build. Prints the time until the process listens, the time until the home page
 * answers, and VmRSS after it has been idle; then starts it again on the same folder (no demo load this time).
 *   node --import tsx tests/bench/tools/startupRss.ts [--idle=10] [--runs=3] [-- node services/api/bin/gopy.js serve]
 * Everything after `--` is the command (default: `node services/api/bin/gopy.js serve`).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, repoRoot } from '../../support/platform';

const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const idleSeconds = arg('idle', 10);
const runs = arg('runs', 3);
const dash = process.argv.indexOf('--');
const command = dash >= 0 ? process.argv.slice(dash + 1) : [process.execPath, 'services/api/bin/gopy.js', 'serve'];

function status(pid: number): { rssMb: number; hwmMb: number } {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

interface Run {
  listeningMs: number;
  firstPageMs: number;
  rssAfterStartMb: number;
  rssIdleMb: number;
  peakMb: number;
}

async function once(dataDir: string): Promise<Run> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(command[0]!, command.slice(1), {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      GOPY_DATA_DIR: dataDir,
      GOPY_DEMO: '1',
      GOPY_PUBLIC_URL: `http://127.0.0.1:${port}`,
      SMTP_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listening = new Promise<number>((resolve, reject) => {
    const look = (d: Buffer) => {
      output += d.toString();
      if (/listening on/.test(output)) resolve(performance.now() - started);
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  try {
    const listeningMs = await listening;
    const res = await fetch(`http://127.0.0.1:${port}/`);
    const body = await res.text();
    if (!res.ok || !body.includes('<html')) throw new Error(`home page answered ${res.status}`);
    const firstPageMs = performance.now() - started;
    const rssAfterStartMb = status(child.pid!).rssMb;
    await sleep(idleSeconds * 1000);
    const { rssMb, hwmMb } = status(child.pid!);
    return { listeningMs, firstPageMs, rssAfterStartMb, rssIdleMb: rssMb, peakMb: hwmMb };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

const fmt = (r: Run) =>
  `listening ${(r.listeningMs / 1000).toFixed(2)} s, home page ${(r.firstPageMs / 1000).toFixed(2)} s, ` +
  `RSS ${r.rssAfterStartMb.toFixed(0)} MB after the first page, ${r.rssIdleMb.toFixed(0)} MB after ${idleSeconds} s idle, ` +
  `peak ${r.peakMb.toFixed(0)} MB`;

console.log(`command: ${command.join(' ')}  (load average ${os.loadavg()[0]!.toFixed(2)})`);
for (let i = 0; i < runs; i++) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-startup-'));
  try {
    console.log(`run ${i + 1} fresh data folder (demo load): ${fmt(await once(dataDir))}`);
    console.log(`run ${i + 1} second start, same folder:      ${fmt(await once(dataDir))}`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
