/**
 * An online backup: participants comment through the API without pause while `gopy backup --to` runs; the backup is
 * restored elsewhere with `gopy restore`. Every comment acknowledged at or before the backup's head position is in the
 * restored log, none after it is (the copy is one instant of the log), and `gopy backup verify` passes.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readManifest } from '@gopy/api/backup/backup';
import { loadBackupKey } from '@gopy/api/backup/backupCrypto';
import { repoRoot, startPlatform, type Platform } from '../support/platform';
import {
  SERVER_ENV,
  commentEventsPerStream,
  commentInput,
  prepareDataDir,
  say,
  submitComment,
  succeeded,
  timed,
  within,
  type Outcome,
} from './support';

const run = promisify(execFile);
const GOPY = path.join(repoRoot, 'services/api/bin/gopy.js');
const PARTICIPANTS = 20;
const CLIENTS = 4;
/** Acknowledged comments before the backup starts, and after it has finished. */
const ACKS_AROUND = 40;
const BACKUP_KEY = 'c4'.repeat(32);

describe('online backup while participants comment', () => {
  let platform: Platform | undefined;
  let dataDir: string | undefined;
  let passed = false;

  afterAll(async () => {
    await platform?.stop();
    if (dataDir && passed) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every comment acknowledged before the backup’s head position, restores elsewhere and verifies', async () => {
    const prepared = await timed(`prepare ${PARTICIPANTS} accounts`, () =>
      within(300_000, 'a data folder', prepareDataDir(PARTICIPANTS)),
    );
    dataDir = prepared.dataDir;
    const world = prepared.world;
    const server = await timed('start the server', () =>
      startPlatform({ demo: false, dataDir: prepared.dataDir, env: SERVER_ENV }),
    );
    platform = server;
    const backupDir = path.join(prepared.dataDir, '..', `${path.basename(prepared.dataDir)}-backup`);
    const restoredDir = path.join(prepared.dataDir, '..', `${path.basename(prepared.dataDir)}-restored`);
    const ledger = `${restoredDir}-erasure-ledger.jsonl`;
    const env = {
      ...process.env,
      GOPY_DATA_DIR: prepared.dataDir,
      GOPY_BACKUP_KEY: BACKUP_KEY,
      GOPY_ERASURE_LEDGER: ledger,
      GOPY_DEMO: '0',
    };

    const outcomes: Outcome[] = [];
    let acks = 0;
    let next = 0;
    let stop = false;
    const waiters: { at: number; wake: () => void }[] = [];
    const acknowledged = (count: number) =>
      new Promise<void>((resolve) => (acks >= count ? resolve() : waiters.push({ at: count, wake: resolve })));
    const clients = Array.from({ length: CLIENTS }, async () => {
      while (!stop) {
        const n = next++;
        const outcome = await submitComment(
          server.baseUrl,
          world.participants[n % PARTICIPANTS]!.token,
          commentInput(world.policyId, `backup-${n}`, n),
        );
        outcomes.push(outcome);
        if (succeeded(outcome)) {
          acks += 1;
          for (const w of waiters.filter((x) => acks >= x.at)) w.wake();
        }
      }
    });

    await within(120_000, `${ACKS_AROUND} acknowledged comments`, acknowledged(ACKS_AROUND));
    const acksAtStart = acks;
    const backup = await timed('gopy backup --to (while commenting)', () =>
      within(300_000, 'gopy backup', run(process.execPath, [GOPY, 'backup', '--to', backupDir], { env })),
    );
    say(backup.stdout.trim());
    const acksAtEnd = acks;
    await within(120_000, `${ACKS_AROUND} more acknowledged comments`, acknowledged(acksAtEnd + ACKS_AROUND));
    stop = true;
    await within(60_000, 'the clients to finish', Promise.all(clients));
    say(`${acks} comments acknowledged; ${acksAtEnd - acksAtStart} while the backup ran`);

    const { manifest } = readManifest(backupDir, loadBackupKey({ GOPY_BACKUP_KEY: BACKUP_KEY }));
    const head = manifest.log!.headPosition!;
    await timed('gopy restore --from', () =>
      within(
        300_000,
        'gopy restore',
        run(process.execPath, [GOPY, 'restore', '--from', backupDir, '--data-dir', restoredDir], { env }),
      ),
    );
    const restored = commentEventsPerStream(restoredDir);
    const ok = outcomes.filter(succeeded);
    const before = ok.filter((o) => o.position! <= head);
    const after = ok.filter((o) => o.position! > head);
    say(`backup head ${head}: ${before.length} acknowledged before it, ${after.length} after`);
    expect(before.length).toBeGreaterThanOrEqual(ACKS_AROUND);
    expect(after.length).toBeGreaterThanOrEqual(ACKS_AROUND);
    expect(before.filter((o) => restored.get(o.commentId!) !== 1).map((o) => o.commentId)).toEqual([]);
    expect(after.filter((o) => restored.has(o.commentId!)).map((o) => o.commentId)).toEqual([]);
    expect(restored.size).toBe(before.length);

    const verify = await timed('gopy backup verify', () =>
      within(300_000, 'gopy backup verify', run(process.execPath, [GOPY, 'backup', 'verify', backupDir], { env })),
    );
    expect(verify.stdout).toContain('Backup verified');
    fs.rmSync(backupDir, { recursive: true, force: true });
    fs.rmSync(restoredDir, { recursive: true, force: true });
    fs.rmSync(ledger, { force: true });
    passed = true;
  }, 900_000);
});
