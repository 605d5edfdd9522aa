import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runJob, type Logger } from '@gopy/application/logging';
import { privateFolder } from '@gopy/adapters/privateFiles';
import { MANIFEST_FILE } from './backup/backup';
import type { Metrics } from '@gopy/composition/ops/metrics';

/** The `gopy` command (services/api/bin/gopy.js): this file sits at the same depth compiled (dist/) or not (src/). */
const GOPY_BIN = fileURLToPath(new URL('../bin/gopy.js', import.meta.url));

/** Backups this schedule names and rotates: gopy-backup-<UTC time>. */
const PREFIX = 'gopy-backup-';

export function backupFolderName(at: Date): string {
  return `${PREFIX}${at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

/**
 * Scheduled backups of `gopy serve` (GOPY_BACKUP_DIR, GOPY_BACKUP_INTERVAL, GOPY_BACKUP_KEEP). Each run is the
 * `gopy backup --to` command as a child process, so the copy and its encryption never hold up this process's requests;
 * it writes gopy-backup-<time> in the folder and the erasure ledger beside them. Then the oldest backups beyond `keep`
 * are deleted (never the ledger). Each run is logged and counted (gopy_scheduler_runs_total{job="backup"}, the gauges
 * gopy_backup_last_success_timestamp_seconds and gopy_backup_last_size_bytes).
 */
export class BackupSchedule {
  private timer: ReturnType<typeof setInterval> | undefined;
  private child: ChildProcess | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly options: {
      dir: string;
      intervalMs: number;
      keep: number;
      env: NodeJS.ProcessEnv;
      logger: Logger;
      metrics: Metrics;
      now?: () => Date;
    },
  ) {}

  start(): void {
    privateFolder(this.options.dir, (m) => this.options.logger.warn(m));
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.runOnce().finally(() => (this.running = undefined));
    }, this.options.intervalMs);
    this.timer.unref();
    this.options.logger.info(
      { dir: this.options.dir, intervalMs: this.options.intervalMs, keep: this.options.keep },
      'scheduled backups on',
    );
  }

  /** One backup and the rotation after it (also what the timer runs). */
  runOnce(): Promise<void> {
    return runJob('backup', { logger: this.options.logger, monitor: this.options.metrics }, async () => {
      const at = (this.options.now ?? (() => new Date()))();
      const folder = path.join(this.options.dir, backupFolderName(at));
      this.removePartials();
      const output = await this.runBackupCommand(folder);
      const bytes = fs.readdirSync(folder).reduce((n, f) => n + fs.statSync(path.join(folder, f)).size, 0);
      this.options.metrics.backupTaken(bytes, new Date());
      const removed = this.rotate();
      this.options.logger.info({ folder, bytes, removed }, output || `backup written to ${folder}`);
    });
  }

  private runBackupCommand(folder: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [GOPY_BIN, 'backup', '--to', folder], {
        env: { ...this.options.env, GOPY_BACKUP_DIR: this.options.dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.child = child;
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        this.child = undefined;
        if (code === 0) resolve(stdout.trim());
        else reject(new Error(`gopy backup exited with ${signal ?? code}: ${stderr.trim().slice(-2_000)}`));
      });
    });
  }

  /** Backups of this schedule, oldest first (only complete ones: a manifest is written last). */
  backups(): string[] {
    if (!fs.existsSync(this.options.dir)) return [];
    return fs
      .readdirSync(this.options.dir)
      .filter((name) => name.startsWith(PREFIX) && fs.existsSync(path.join(this.options.dir, name, MANIFEST_FILE)))
      .sort();
  }

  private rotate(): string[] {
    const all = this.backups();
    const old = all.slice(0, Math.max(0, all.length - this.options.keep));
    for (const name of old) fs.rmSync(path.join(this.options.dir, name), { recursive: true, force: true });
    return old;
  }

  /** Folders a backup cut short (the process stopped during it) left behind. */
  private removePartials(): void {
    for (const name of fs.readdirSync(this.options.dir)) {
      if (name.startsWith(`.${PREFIX}`) && name.includes('.partial-'))
        fs.rmSync(path.join(this.options.dir, name), { recursive: true, force: true });
    }
  }

  /** Stops the timer; a backup under way is stopped (its partial folder is removed by the next run). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.child?.kill('SIGTERM');
    await this.running;
  }
}
