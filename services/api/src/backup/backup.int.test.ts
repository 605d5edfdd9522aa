import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERASED_NAME } from '@gopy/application/readModels/index';
import { eraseAccount } from '../auditErasure';
import { ConfigError, loadConfig, type Config } from '@gopy/composition/config';
import { seedDemo, type DemoAccount } from '@gopy/composition/demo';
import { redactComment } from '../redaction';
import { openEmbeddedRuntime, type Runtime } from '@gopy/composition/runtime';
import { readManifest, restoreBackup, takeBackup } from './backup';
import { BackupError, loadBackupKey } from './backupCrypto';
import { ErasureLedger } from './erasures';
import { restoreWithReapply, verifyBackup } from './operations';

const KEY = loadBackupKey({ GOPY_BACKUP_KEY: 'ab'.repeat(32) });
const OTHER_KEY = loadBackupKey({ GOPY_BACKUP_KEY: Buffer.alloc(32, 7).toString('base64') });
const ENV = { GOPY_DEMO: '0', GOPY_SERVE_WEB: '0' };

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? filesUnder(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

/** The files under a folder that hold this text (UTF-8), as paths relative to it. */
function holding(dir: string, text: string): string[] {
  const needle = Buffer.from(text, 'utf8');
  return filesUnder(dir)
    .filter((f) => fs.readFileSync(f).includes(needle))
    .map((f) => path.relative(dir, f));
}

describe('backups of the embedded store', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-backup-'));
  const dataDir = path.join(root, 'data');
  const config: Config = loadConfig({ ...ENV, GOPY_DATA_DIR: dataDir });
  const say: string[] = [];
  let runtime: Runtime;
  let accounts: DemoAccount[];

  beforeAll(async () => {
    runtime = await openEmbeddedRuntime(config, { log: () => {} });
    runtime.projector.start();
    accounts = await seedDemo(runtime);
    await runtime.projector.waitFor((await runtime.store.headPosition())!, 30_000);
  }, 120_000);

  afterAll(async () => {
    await runtime?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('refuses to run without a backup key, or with one that is not 32 bytes, saying how to make one', () => {
    expect(() => loadBackupKey({})).toThrow(ConfigError);
    expect(() => loadBackupKey({})).toThrow(/GOPY_BACKUP_KEY is not set.*openssl rand -hex 32/);
    expect(() => loadBackupKey({ GOPY_BACKUP_KEY: 'abc' })).toThrow(/must be 32 bytes/);
  });

  it('after a restore, an account erased and a comment redacted after the backup stay unreadable (from the newer log, and from the ledger alone)', async () => {
    const backup = path.join(root, 'before-erasure');
    const ledger = ErasureLedger.in(path.join(root, 'ledger'));
    await takeBackup(config, backup, KEY, { ledger });

    // The person to erase: a demo participant with a comment; the comment to redact: another one.
    const rows = await runtime.readDb
      .selectFrom('comments')
      .innerJoin('accounts', 'accounts.id', 'comments.author_account_id')
      .select(['comments.id', 'comments.body', 'accounts.id as accountId', 'accounts.display_name'])
      .where('comments.status', '=', 'visible')
      .execute();
    const person = rows[0]!;
    const other = rows.find((r) => r.accountId !== person.accountId && r.id !== person.id)!;
    expect(other).toBeDefined();
    const email = accounts.find((a) => a.displayName === person.display_name)?.email;
    const admin = accounts.find((a) => a.roles.includes('admin'))!;
    const [adminRow] = await runtime.readDb
      .selectFrom('accounts')
      .select('id')
      .where('display_name', '=', admin.displayName)
      .execute();
    const adminPrincipal = { accountId: adminRow!.id, rolesIn: async () => ['admin' as const, 'moderator' as const] };
    await eraseAccount(runtime, adminPrincipal, ['admin'], person.accountId, 'Đơn yêu cầu số 7/2026', 'anonymous');
    await redactComment(runtime, adminPrincipal, other.id, 'Số điện thoại của người khác');
    // The server would have written these as it projected them; a later backup writes them too.
    await takeBackup(config, path.join(root, 'after-erasure'), KEY, { ledger });
    expect(ledger.read().map((r) => r.kind)).toEqual(['AccountErased', 'CommentRedacted']);

    // Restored without re-applying, the old backup brings the person back: that is what the re-apply is for.
    const plain = path.join(root, 'plain-restore');
    await restoreWithReapply(backup, { ...config, dataDir: plain }, KEY, [], (m) => say.push(m), {});
    expect(holding(plain, person.display_name)).toContain('read.sqlite');
    expect(holding(plain, other.body!)).toContain('read.sqlite');

    for (const [name, sources] of [
      ['from-newer-log', [`sqlite:${dataDir}`]],
      ['from-ledger', [ledger.file]],
    ] as const) {
      const target = path.join(root, name);
      const { reapply } = await restoreWithReapply(
        backup,
        { ...config, dataDir: target },
        KEY,
        [...sources],
        (m) => say.push(m),
        {},
      );
      expect(reapply!.reapplied.map((r) => r.kind)).toEqual(['AccountErased', 'CommentRedacted']);

      // Nothing in the restored folder holds the name, the email or the redacted text, in any file (but the demo's
      // list of its sign-ins, demo-accounts.json, which only a demo install has).
      for (const text of [person.display_name, other.body!, ...(email ? [email] : [])])
        expect(
          holding(target, text).filter((f) => f !== 'demo-accounts.json'),
          `${name}: "${text}"`,
        ).toEqual([]);

      const restored = await openEmbeddedRuntime({ ...config, dataDir: target }, { log: () => {} });
      try {
        await restored.projector.catchUpOnce();
        const account = await restored.readDb
          .selectFrom('accounts')
          .select(['display_name', 'erased'])
          .where('id', '=', person.accountId)
          .executeTakeFirstOrThrow();
        expect(account).toEqual({ display_name: ERASED_NAME, erased: 1 });
        const comment = await restored.readDb
          .selectFrom('comments')
          .select(['status', 'body'])
          .where('id', '=', other.id)
          .executeTakeFirstOrThrow();
        expect(comment.body ?? '').not.toContain(other.body!);
        // The person's key is gone: their registration no longer decrypts.
        const types: string[] = [];
        for await (const e of restored.store.readStream(`account-${person.accountId}`)) types.push(e.type);
        expect(types).toContain('AccountErased');
      } finally {
        await restored.close();
      }
    }
  }, 180_000);

  it('verifies a good backup, and refuses a changed byte, a changed manifest and a wrong key', async () => {
    const backup = path.join(root, 'to-verify');
    const { manifest } = await takeBackup(config, backup, KEY);
    expect(manifest.log!.events).toBeGreaterThan(0);
    expect(await verifyBackup(backup, KEY, config, (m) => say.push(m), {})).toBe(true);

    await expect(restoreBackup(backup, path.join(root, 'wrong-key'), OTHER_KEY)).rejects.toThrow(
      /wrong backup key: this backup was encrypted with the key whose fingerprint is [0-9a-f]{16}/,
    );
    await expect(verifyBackup(backup, OTHER_KEY, config, () => {}, {})).rejects.toThrow(BackupError);

    // One byte of the event log's file changed.
    const events = readManifest(backup, KEY).contents.find((c) => c.path === 'events.sqlite')!;
    const file = path.join(backup, events.name);
    const bytes = fs.readFileSync(file);
    const middle = Math.floor(bytes.length / 2);
    bytes.writeUInt8(bytes.readUInt8(middle) ^ 0x01, middle);
    fs.writeFileSync(file, bytes);
    await expect(verifyBackup(backup, KEY, config, () => {}, {})).rejects.toThrow(
      /events\.sqlite\) was changed or damaged/,
    );
    const target = path.join(root, 'tampered');
    await expect(restoreBackup(backup, target, KEY)).rejects.toThrow(BackupError);
    expect(fs.readdirSync(target)).toEqual([]);

    // The manifest changed (a head position moved back).
    bytes.writeUInt8(bytes.readUInt8(middle) ^ 0x01, middle);
    fs.writeFileSync(file, bytes);
    const manifestFile = path.join(backup, 'manifest.json');
    const text = fs.readFileSync(manifestFile, 'utf8');
    fs.writeFileSync(manifestFile, text.replace(`"events": ${manifest.log!.events}`, '"events": 1'));
    await expect(verifyBackup(backup, KEY, config, () => {}, {})).rejects.toThrow(/its MAC does not match/);
  }, 180_000);

  it('refuses to restore into a data folder that is not empty', async () => {
    const backup = path.join(root, 'for-restore');
    await takeBackup(config, backup, KEY);
    await expect(restoreBackup(backup, dataDir, KEY)).rejects.toThrow(/is not empty: refusing/);
  }, 60_000);
});
