/**
 * Starting the real API (as the README's command does, in its own process, on a prepared data folder) and the bare
 * yoga baseline, and watching the API process's peak resident memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, repoRoot, startPlatform, type Platform } from '../../support/platform';

/** Peak resident set (VmHWM) of a live process in MB, from /proc; undefined where /proc is missing. */
export function peakRssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface RssRecord {
  label: string;
  peakMb: number;
}

/** Every API process started by the benchmark, with its peak RSS (read every second and just before it stops). */
export const apiRss: RssRecord[] = [];

export interface ApiServer {
  platform: Platform;
  baseUrl: string;
  stop(): Promise<RssRecord>;
}

export async function startApi(dataDir: string, label: string, env: Record<string, string> = {}): Promise<ApiServer> {
  const platform = await startPlatform({
    demo: false,
    dataDir,
    env: { GOPY_SERVE_WEB: '0', GOPY_RATE_COMMENTS_PER_MINUTE: '0', ...env },
  });
  const record: RssRecord = { label, peakMb: 0 };
  apiRss.push(record);
  const sample = () => {
    const mb = peakRssMb(platform.process.pid);
    if (mb !== undefined) record.peakMb = Math.max(record.peakMb, mb);
  };
  const timer = setInterval(sample, 1_000);
  timer.unref();
  return {
    platform,
    baseUrl: platform.baseUrl,
    async stop() {
      sample();
      clearInterval(timer);
      await platform.stop();
      return record;
    },
  };
}

export interface BaselineServer {
  baseUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** A baseline server script of tests/bench in its own process (baselineServer.ts by default). */
export async function startBaseline(
  script = 'baselineServer.ts',
  env: Record<string, string> = {},
): Promise<BaselineServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'tests/bench', script)], {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`baseline server exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`baseline server did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    baseUrl,
    process: child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
