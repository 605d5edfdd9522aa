import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_STREAM } from '@gopy/application/audit/checkpoint';
import type { Witness } from '@gopy/application/audit/witness';
import { eventHash } from '@gopy/application/integrity';
import { createThrowawayDatabase } from '@gopy/adapters/postgres/throwawayDatabase';
import { exportBundle, verifyBundle } from './auditBundle';
import { loadSealKey } from '@gopy/composition/auditKeys';
import { verifyStore, witnessStore } from './auditCli';
import { loadConfig, type Config } from '@gopy/composition/config';
import { seedDemo } from '@gopy/composition/demo';
import { dataFiles, openEventStore, openRuntime } from '@gopy/composition/runtime';

const keysEnv = { GOPY_MASTER_KEY: 'e'.repeat(64), GOPY_LOOKUP_KEY: 'f'.repeat(64), GOPY_DEMO: '0' };

interface Row {
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  hash: string;
}

/** Raw SQL on the stored events, as someone with database access would tamper with them. */
interface RawEvents {
  rows(): Promise<Row[]>;
  exec(sql: string, params?: unknown[]): Promise<void>;
  /** Keeps a copy of the table, to put back after each tampering. */
  backup(): Promise<void>;
  restore(): Promise<void>;
}

function sqliteRaw(dataDir: string): RawEvents {
  const open = () => new Database(dataFiles(dataDir).events);
  const run = (fn: (db: Database.Database) => void) => {
    const db = open();
    try {
      fn(db);
    } finally {
      db.close();
    }
  };
  return {
    async rows() {
      const db = open();
      try {
        return db
          .prepare('SELECT stream_id, revision, event_id, type, data, metadata, hash FROM events ORDER BY position')
          .all() as Row[];
      } finally {
        db.close();
      }
    },
    async exec(sql, params = []) {
      run((db) => db.prepare(sql.replace(/\$\d+/g, '?')).run(...params));
    },
    async backup() {
      run((db) => db.exec('DROP TABLE IF EXISTS events_backup; CREATE TABLE events_backup AS SELECT * FROM events'));
    },
    async restore() {
      run((db) => db.exec('DELETE FROM events; INSERT INTO events SELECT * FROM events_backup'));
    },
  };
}

function postgresRaw(url: string): RawEvents {
  const run = async <T>(fn: (c: pg.Client) => Promise<T>) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  return {
    rows: () =>
      run(
        async (c) =>
          (
            await c.query<Row>(
              'SELECT stream_id, revision::int AS revision, event_id::text AS event_id, type, data, metadata, hash FROM gopy_events.events ORDER BY transaction_id, sequence',
            )
          ).rows,
      ),
    exec: (sql, params = []) =>
      run(async (c) => void (await c.query(sql.replace(/\bevents\b/, 'gopy_events.events'), params))),
    backup: () =>
      run(
        async (c) =>
          void (await c.query(
            'DROP TABLE IF EXISTS gopy_events.events_backup; CREATE TABLE gopy_events.events_backup AS SELECT * FROM gopy_events.events',
          )),
      ),
    restore: () =>
      run(
        async (c) =>
          void (await c.query(
            'DELETE FROM gopy_events.events; INSERT INTO gopy_events.events SELECT * FROM gopy_events.events_backup',
          )),
      ),
  };
}

/** Changes one character of a string (the first letter after `from`), as a one-byte edit of the stored text. */
function flipOneByte(text: string, from = 5): string {
  for (let i = from; i < text.length; i++) {
    const ch = text[i]!;
    if (/[a-z]/.test(ch)) return text.slice(0, i) + (ch === 'a' ? 'b' : 'a') + text.slice(i + 1);
  }
  throw new Error('no letter to change');
}

/**
 * Rewrites an event's stored data and recomputes its hash, as someone with database access who knows the (public) hash
 * rule would: its own chain link still checks. Answers the new hash.
 */
async function rewriteWithHash(raw: RawEvents, row: Row, data: string): Promise<string> {
  const prevHash = (JSON.parse(row.metadata) as { prevHash: string }).prevHash;
  const hash = eventHash(prevHash, {
    streamId: row.stream_id,
    revision: row.revision,
    eventId: row.event_id,
    type: row.type,
    data,
    metadata: row.metadata,
  });
  await raw.exec('UPDATE events SET data = $1, hash = $2 WHERE event_id = $3', [data, hash, row.event_id]);
  return hash;
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`gopy audit on ${engine}: checkpoints, tampering, truncation, bundles`, () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `gopy-audit-${engine}-`));
    let database: { url: string; drop(): Promise<void> } | undefined;
    let url = '';
    let config: Config;
    let raw: RawEvents;
    let publicKeyPem: string;
    let policyId: string;

    let witness: Witness;

    const verify = async (options: { requireSealed?: boolean; witness?: Witness } = {}) => {
      const store = await openEventStore(config);
      try {
        return await verifyStore(store, publicKeyPem, options);
      } finally {
        await store.close();
      }
    };

    beforeAll(async () => {
      if (engine === 'postgres') {
        database = await createThrowawayDatabase('gopy_audit');
        url = database.url;
      }
      config = loadConfig({
        ...keysEnv,
        GOPY_DATA_DIR: dataDir,
        ...(engine === 'postgres' ? { GOPY_EVENT_STORE: 'postgres', DATABASE_URL: url } : {}),
      });
      raw = engine === 'postgres' ? postgresRaw(url) : sqliteRaw(dataDir);
      const runtime = await openRuntime(config, { log: () => {} });
      try {
        await seedDemo(runtime);
        expect((await runtime.sealer.seal()).sealed).toBe(true);
        // Sealing again with nothing new appends nothing.
        expect((await runtime.sealer.seal()).sealed).toBe(false);
        await runtime.commands.organization(
          {
            type: 'RegisterOrganization',
            organizationId: randomUUID(),
            name: 'Trường THCS Lê Lợi',
            kind: 'school',
            levels: ['THCS'],
            schoolType: 'public',
            parentOrganizationId: null,
          },
          null,
          { systemActor: true },
        );
        expect((await runtime.sealer.seal()).sealed).toBe(true);
        await runtime.commands.organization(
          {
            type: 'RegisterOrganization',
            organizationId: randomUUID(),
            name: 'Trường TH Kim Đồng',
            kind: 'school',
            levels: ['TH'],
            schoolType: 'public',
            parentOrganizationId: null,
          },
          null,
          { systemActor: true },
        );
      } finally {
        await runtime.close();
      }
      publicKeyPem = (await import('node:crypto'))
        .createPublicKey(loadSealKey(config, () => {}))
        .export({ type: 'spki', format: 'pem' })
        .toString();
      policyId = (await raw.rows()).find((r) => r.type === 'PolicyProposed')!.stream_id.slice('policy-'.length);
      await raw.backup();
      const store = await openEventStore(config);
      try {
        witness = await witnessStore(store, config, new Date('2027-01-04T08:00:00Z'));
      } finally {
        await store.close();
      }
    }, 120_000);

    afterAll(async () => {
      await database?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('verifies an untouched log: every chain and both signed checkpoints', async () => {
      const report = await verify();
      expect(report.failure).toBeNull();
      expect(report.ok).toBe(true);
      expect(report.checkpoints).toBe(2);
      expect(report.eventsAfterLastCheckpoint).toBe(1);
      expect(report.events).toBe((await raw.rows()).length);
      expect(report.unsealedTail).toMatchObject({ events: 1, firstIndex: report.events - 1 });
    });

    it('reports the unsealed tail, and refuses it with requireSealed, when the event after the newest checkpoint is rewritten', async () => {
      const rows = await raw.rows();
      const last = rows.at(-1)!;
      expect(last.type).toBe('OrganizationRegistered');
      const recordedAt = (JSON.parse(last.metadata) as { recordedAt: string }).recordedAt;
      const tail = {
        events: 1,
        firstIndex: rows.length - 1,
        lastIndex: rows.length - 1,
        firstEventId: last.event_id,
        lastEventId: last.event_id,
        recordedFrom: recordedAt,
        recordedTo: recordedAt,
      };
      try {
        await rewriteWithHash(raw, last, last.data.replace('Kim Đồng', 'Kim Đông'));
        // The rewrite itself cannot be seen (nothing signed covers it), so the report says what is unprotected.
        const report = await verify();
        expect(report.failure).toBeNull();
        expect(report.unsealedTail).toMatchObject(tail);
        expect(report.unsealedTail!.firstPosition).toBeTruthy();
        const strict = await verify({ requireSealed: true });
        expect(strict.ok).toBe(false);
        expect(strict.unsealedTailRefused).toBe(true);
        expect(strict.failure).toBeNull();
        expect(strict.unsealedTail).toMatchObject(tail);
      } finally {
        await raw.restore();
      }
    });

    it('a clean log verifies against its witness, also after it grew past the witnessed checkpoint', async () => {
      const rows = await raw.rows();
      const checkpoints = rows.filter((r) => r.stream_id === CHECKPOINT_STREAM);
      expect(witness.checkpoint.eventId).toBe(checkpoints.at(-1)!.event_id);
      expect(witness.checkpoint.index).toBe(rows.length - 2);
      expect(witness.streams.length).toBe(new Set(rows.slice(0, rows.length - 1).map((r) => r.stream_id)).size);
      const report = await verify({ witness });
      expect(report.ok).toBe(true);
      expect(report.witness).toMatchObject({ ok: true, problem: null, first: null, differenceCount: 0 });
    });

    it('names a deleted stream of one event, and the place it had, against the witness', async () => {
      const rows = await raw.rows();
      const sizes = new Map<string, number>();
      for (const r of rows) sizes.set(r.stream_id, (sizes.get(r.stream_id) ?? 0) + 1);
      const firstCheckpoint = rows.findIndex((r) => r.stream_id === CHECKPOINT_STREAM);
      const singles = rows
        .map((r, index) => ({ ...r, index }))
        .filter((r) => sizes.get(r.stream_id) === 1 && r.stream_id !== CHECKPOINT_STREAM);
      // One in the middle of the first checkpoint's events, one just before the witnessed checkpoint.
      const middle = singles
        .filter((r) => r.index < firstCheckpoint)
        .reduce((a, b) => (Math.abs(b.index - firstCheckpoint / 2) < Math.abs(a.index - firstCheckpoint / 2) ? b : a));
      const beforeWitnessed = singles.filter((r) => r.index < witness.checkpoint.index).at(-1)!;
      expect(beforeWitnessed.index).toBeGreaterThan(firstCheckpoint);
      for (const gone of [middle, beforeWitnessed]) {
        try {
          await raw.exec('DELETE FROM events WHERE event_id = $1', [gone.event_id]);
          // Alone, the log shows a checkpoint that no longer matches, not what is missing.
          const alone = await verify();
          expect(alone.ok).toBe(false);
          expect(alone.failure!.streamId).toBe(CHECKPOINT_STREAM);
          expect(alone.failure!.reason).not.toContain(gone.stream_id);
          const report = await verify({ witness });
          expect(report.ok).toBe(false);
          expect(report.witness!.first).toMatchObject({
            kind: 'missing-stream',
            streamId: gone.stream_id,
            revision: 0,
            index: gone.index,
          });
          expect(report.witness!.first!.message).toContain(
            `stream ${gone.stream_id} is missing: its only event (revision 0) was #${gone.index} when witnessed`,
          );
        } finally {
          await raw.restore();
        }
      }
    });

    it('names an event rewritten before the witnessed checkpoint, chain recomputed, by its stream', async () => {
      const rows = await raw.rows();
      const sizes = new Map<string, number>();
      for (const r of rows) sizes.set(r.stream_id, (sizes.get(r.stream_id) ?? 0) + 1);
      const index = rows.findIndex((r, i) => i > 10 && sizes.get(r.stream_id) === 1);
      const target = rows[index]!;
      try {
        await rewriteWithHash(raw, target, flipOneByte(target.data));
        const report = await verify({ witness });
        expect(report.ok).toBe(false);
        expect(report.witness!.first).toMatchObject({
          kind: 'changed',
          streamId: target.stream_id,
          revision: 0,
          index,
        });
      } finally {
        await raw.restore();
      }
    });

    it('reports a log truncated at its tail, checkpoint included, against the witness, naming what is gone', async () => {
      const rows = await raw.rows();
      const cut = witness.checkpoint.index - 1;
      const gone = rows.slice(cut);
      expect(gone.map((r) => r.stream_id)).toContain(CHECKPOINT_STREAM);
      try {
        for (const r of gone) await raw.exec('DELETE FROM events WHERE event_id = $1', [r.event_id]);
        // Alone, a log cut before its newest checkpoint still verifies.
        expect((await verify()).ok).toBe(true);
        const report = await verify({ witness });
        expect(report.ok).toBe(false);
        expect(report.witness!.first).toMatchObject({ kind: 'truncated', index: cut });
        expect(report.witness!.first!.message).toBe(
          `the log ends after ${cut} event(s), before the witnessed checkpoint #${witness.checkpoint.index}: events #${cut} to #${witness.checkpoint.index} are missing (the log was truncated)`,
        );
        const named = report.witness!.differences.map((d) => [d.kind, d.streamId, d.index]);
        expect(named).toContainEqual(['missing-stream', rows[cut]!.stream_id, cut]);
        expect(named).toContainEqual(['missing-events', CHECKPOINT_STREAM, witness.checkpoint.index]);
      } finally {
        await raw.restore();
      }
    });

    it('refuses a witness that was changed or signed with another key', async () => {
      const changed: Witness = {
        ...witness,
        streams: witness.streams.map((s, i) => (i === 3 ? [s[0], s[1], s[2], '0'.repeat(64)] : s)),
      };
      const report = await verify({ witness: changed });
      expect(report.ok).toBe(false);
      expect(report.witness!.problem).toMatch(/signature does not verify/);
      const { generateKeyPairSync } = await import('node:crypto');
      const { witnessNewestCheckpoint } = await import('@gopy/application/audit/witnessCapture');
      const store = await openEventStore(config);
      try {
        await expect(
          witnessNewestCheckpoint(() => store.readAll(), generateKeyPairSync('ed25519').privateKey, new Date()),
        ).rejects.toThrow(/another key/);
      } finally {
        await store.close();
      }
    });

    it('names the event when one byte of its stored data is changed', async () => {
      const rows = await raw.rows();
      const target = rows[Math.floor(rows.length / 2)]!;
      try {
        await raw.exec('UPDATE events SET data = $1 WHERE event_id = $2', [flipOneByte(target.data), target.event_id]);
        const report = await verify();
        expect(report.ok).toBe(false);
        expect(report.failure).toMatchObject({
          eventId: target.event_id,
          streamId: target.stream_id,
          revision: target.revision,
        });
        expect(report.failure!.reason).toMatch(/hash/);
      } finally {
        await raw.restore();
      }
    });

    it('fails when events in the middle of a stream are deleted, naming the event after the gap', async () => {
      const rows = await raw.rows();
      const byStream = new Map<string, Row[]>();
      for (const r of rows) byStream.set(r.stream_id, [...(byStream.get(r.stream_id) ?? []), r]);
      const stream = [...byStream.values()].find((s) => s.length >= 3 && s[0]!.stream_id !== CHECKPOINT_STREAM)!;
      try {
        await raw.exec('DELETE FROM events WHERE event_id = $1', [stream[1]!.event_id]);
        const report = await verify();
        expect(report.ok).toBe(false);
        expect(report.failure).toMatchObject({ eventId: stream[2]!.event_id, revision: 2 });
        expect(report.failure!.reason).toMatch(/missing/);
      } finally {
        await raw.restore();
      }
    });

    it('fails at the checkpoint when the newest events it covers are deleted', async () => {
      const rows = await raw.rows();
      const firstCheckpoint = rows.findIndex((r) => r.stream_id === CHECKPOINT_STREAM);
      const covered = rows.slice(firstCheckpoint - 3, firstCheckpoint);
      try {
        for (const r of covered) await raw.exec('DELETE FROM events WHERE event_id = $1', [r.event_id]);
        const report = await verify();
        expect(report.ok).toBe(false);
        expect(report.failure).toMatchObject({ eventId: rows[firstCheckpoint]!.event_id, streamId: CHECKPOINT_STREAM });
        expect(report.failure!.reason).toMatch(/covers \d+ events but only \d+ precede it/);
      } finally {
        await raw.restore();
      }
    });

    it('fails when a checkpoint is re-signed with another key', async () => {
      const { generateKeyPairSync } = await import('node:crypto');
      const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const store = await openEventStore(config);
      try {
        const report = await verifyStore(store, other);
        expect(report.ok).toBe(false);
        expect(report.failure!.streamId).toBe(CHECKPOINT_STREAM);
        expect(report.failure!.reason).toMatch(/another key/);
      } finally {
        await store.close();
      }
    });

    it('exports the whole log and one policy as bundles that verify offline, and names a tampered line', async () => {
      const store = await openEventStore(config);
      const all = path.join(dataDir, 'bundle-all');
      const one = path.join(dataDir, 'bundle-policy');
      try {
        await exportBundle(
          store,
          loadSealKey(config, () => {}),
          all,
        );
        await exportBundle(
          store,
          loadSealKey(config, () => {}),
          one,
          { policyId },
        );
      } finally {
        await store.close();
      }
      for (const f of ['events.jsonl', 'checkpoints.jsonl', 'public-key.pem', 'manifest.json', 'README.md'])
        expect(fs.existsSync(path.join(all, f))).toBe(true);
      const readme = fs.readFileSync(path.join(all, 'README.md'), 'utf8');
      expect(readme).toContain('gopy audit verify --bundle');
      expect(readme).toContain('gopy audit verify --bundle <this folder> --witness <file>');
      expect(readme).toContain('--require-sealed');

      const whole = await verifyBundle(all, publicKeyPem);
      expect(whole.report.failure).toBeNull();
      expect(whole.report.checkpoints).toBe(2);
      expect(whole.report.unsealedTail).toMatchObject({
        events: 1,
        firstPosition: `#${whole.report.events - 1}`,
        lastPosition: `#${whole.report.events - 1}`,
      });
      expect((await verifyBundle(all, publicKeyPem, { requireSealed: true })).report.unsealedTailRefused).toBe(true);

      const partial = await verifyBundle(one);
      expect(partial.report.ok).toBe(true);
      // The one unsealed event is an organisation's, not this policy's.
      expect(partial.report.unsealedTail).toBeNull();
      expect(partial.manifest.streams).toContain(`policy-${policyId}`);
      expect(partial.manifest.streams.some((s) => s.startsWith('comment-'))).toBe(true);
      expect(partial.manifest.streams.some((s) => s.startsWith('org-'))).toBe(false);
      expect(partial.report.notChecked.join(' ')).toMatch(/Merkle/);
      expect(fs.readFileSync(path.join(one, 'README.md'), 'utf8')).toMatch(/cannot prove/);

      // One changed byte in one line of the bundle.
      const file = path.join(all, 'events.jsonl');
      const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
      const i = Math.floor(lines.length / 3);
      const original = lines[i]!;
      const line = JSON.parse(original) as { eventId: string; data: string };
      lines[i] = JSON.stringify({ ...line, data: flipOneByte(line.data) });
      fs.writeFileSync(file, `${lines.join('\n')}\n`);
      const tampered = await verifyBundle(all, publicKeyPem);
      expect(tampered.report.ok).toBe(false);
      expect(tampered.report.failure!.eventId).toBe(line.eventId);

      // Put the byte back: it verifies again. Then remove that line (an event deleted from the middle of the log).
      lines[i] = original;
      fs.writeFileSync(file, `${lines.join('\n')}\n`);
      expect((await verifyBundle(all, publicKeyPem)).report.ok).toBe(true);
      lines.splice(i, 1);
      fs.writeFileSync(file, `${lines.join('\n')}\n`);
      expect((await verifyBundle(all, publicKeyPem)).report.ok).toBe(false);
    });

    it('checks whole and partial bundles against the witness, and names a stream left out of a whole one', async () => {
      const store = await openEventStore(config);
      const all = path.join(dataDir, 'bundle-witness-all');
      const one = path.join(dataDir, 'bundle-witness-policy');
      try {
        const key = loadSealKey(config, () => {});
        await exportBundle(store, key, all);
        await exportBundle(store, key, one, { policyId });
      } finally {
        await store.close();
      }
      expect((await verifyBundle(all, undefined, { witness })).report.witness).toMatchObject({ ok: true });
      const partial = await verifyBundle(one, undefined, { witness });
      expect(partial.report.ok).toBe(true);
      expect(partial.report.notChecked.join(' ')).toMatch(/witnessed streams absent from this partial bundle/);

      // A comment's stream of one event removed from both bundles.
      const file = (dir: string) => path.join(dir, 'events.jsonl');
      const lines = fs.readFileSync(file(one), 'utf8').trimEnd().split('\n');
      const parsed = lines.map((l) => JSON.parse(l) as { streamId: string; index: number });
      const counts = new Map<string, number>();
      for (const l of parsed) counts.set(l.streamId, (counts.get(l.streamId) ?? 0) + 1);
      const gone = parsed.find((l) => l.streamId.startsWith('comment-') && counts.get(l.streamId) === 1)!;
      for (const dir of [all, one]) {
        const kept = fs
          .readFileSync(file(dir), 'utf8')
          .trimEnd()
          .split('\n')
          .filter((l) => (JSON.parse(l) as { streamId: string }).streamId !== gone.streamId);
        fs.writeFileSync(file(dir), `${kept.join('\n')}\n`);
      }
      const whole = await verifyBundle(all, undefined, { witness });
      expect(whole.report.ok).toBe(false);
      expect(whole.report.witness!.first).toMatchObject({
        kind: 'missing-stream',
        streamId: gone.streamId,
        index: gone.index,
      });
      // A partial bundle cannot tell a stream left out from another policy's.
      expect((await verifyBundle(one, undefined, { witness })).report.witness!.ok).toBe(true);
    });

    if (engine === 'sqlite') {
      it('`gopy audit witness` writes a witness that `gopy audit verify --witness` checks a store and a bundle against', async () => {
        const run = promisify(execFile);
        const bin = path.resolve(import.meta.dirname, '../bin/gopy.js');
        const env = { ...process.env, ...keysEnv, GOPY_DATA_DIR: dataDir };
        const file = path.join(dataDir, 'witness.json');
        const bundle = path.join(dataDir, 'bundle-cli');
        const wrote = await run('node', [bin, 'audit', 'witness', '--out', file, '--store', `sqlite:${dataDir}`], {
          env,
        });
        expect(wrote.stdout).toContain(`Witnessed checkpoint #${witness.checkpoint.index}`);
        expect(wrote.stdout).toContain(`${witness.streams.length} streams`);
        const written = JSON.parse(fs.readFileSync(file, 'utf8')) as Witness;
        expect(written.streams).toEqual(witness.streams);
        const ok = await run('node', [bin, 'audit', 'verify', '--store', `sqlite:${dataDir}`, '--witness', file], {
          env,
        });
        expect(ok.stdout).toContain('every witnessed stream, place and the Merkle root match');
        await run('node', [bin, 'audit', 'export', '--out', bundle], { env });

        const rows = await raw.rows();
        const sizes = new Map<string, number>();
        for (const r of rows) sizes.set(r.stream_id, (sizes.get(r.stream_id) ?? 0) + 1);
        const index = rows.findIndex((r) => sizes.get(r.stream_id) === 1);
        const gone = rows[index]!;
        const failed = (args: string[]) =>
          run('node', [bin, 'audit', 'verify', ...args, '--witness', file], { env }).then(
            () => ({ code: 0, stdout: '' }),
            (e: { code: number; stdout: string }) => e,
          );
        try {
          await raw.exec('DELETE FROM events WHERE event_id = $1', [gone.event_id]);
          const store = await failed(['--store', `sqlite:${dataDir}`]);
          expect(store.code).toBe(1);
          expect(store.stdout).toContain(
            `the first at #${index}: stream ${gone.stream_id} is missing: its only event (revision 0) was #${index} when witnessed`,
          );
        } finally {
          await raw.restore();
        }
        const lines = fs.readFileSync(path.join(bundle, 'events.jsonl'), 'utf8').trimEnd().split('\n');
        // The bundle cut before the witnessed checkpoint's last covered event: what was seen last is gone.
        const at = witness.checkpoint.index - 1;
        fs.writeFileSync(path.join(bundle, 'events.jsonl'), `${lines.slice(0, at).join('\n')}\n`);
        const cut = await failed(['--bundle', bundle]);
        expect(cut.code).toBe(1);
        expect(cut.stdout).toContain(`public key: the witness’s`);
        expect(cut.stdout).toContain(`the first at #${at}: the log ends after ${at} event(s)`);
      });

      it('`gopy audit verify` exits 0 on an untouched store and 1 naming the event on a tampered one', async () => {
        const run = promisify(execFile);
        const bin = path.resolve(import.meta.dirname, '../bin/gopy.js');
        const env = { ...process.env, ...keysEnv, GOPY_DATA_DIR: dataDir };
        const ok = await run('node', [bin, 'audit', 'verify', '--store', `sqlite:${dataDir}`], { env });
        expect(ok.stdout).toMatch(/^OK: /);
        const rows = await raw.rows();
        const target = rows[5]!;
        try {
          await raw.exec('UPDATE events SET data = $1 WHERE event_id = $2', [
            flipOneByte(target.data),
            target.event_id,
          ]);
          const failed = await run('node', [bin, 'audit', 'verify', '--store', `sqlite:${dataDir}`], { env }).then(
            () => ({ code: 0, stdout: '' }),
            (e: { code: number; stdout: string }) => e,
          );
          expect(failed.code).toBe(1);
          expect(failed.stdout).toContain(target.event_id);
        } finally {
          await raw.restore();
        }
      });

      it('`gopy audit verify --require-sealed` exits 3 naming the unsealed tail; --json carries it', async () => {
        const run = promisify(execFile);
        const bin = path.resolve(import.meta.dirname, '../bin/gopy.js');
        const env = { ...process.env, ...keysEnv, GOPY_DATA_DIR: dataDir };
        const rows = await raw.rows();
        const plain = await run('node', [bin, 'audit', 'verify', '--store', `sqlite:${dataDir}`], { env });
        expect(plain.stdout).toContain(
          `Unsealed tail: 1 event(s) not covered by a signed checkpoint (#${rows.length - 1}`,
        );
        const refused = await run(
          'node',
          [bin, 'audit', 'verify', '--store', `sqlite:${dataDir}`, '--require-sealed'],
          {
            env,
          },
        ).then(
          () => ({ code: 0, stdout: '' }),
          (e: { code: number; stdout: string }) => e,
        );
        expect(refused.code).toBe(3);
        expect(refused.stdout).toMatch(/^NOT SEALED: .*1 event\(s\) are not covered by a signed checkpoint/);
        const json = await run('node', [bin, 'audit', 'verify', '--store', `sqlite:${dataDir}`, '--json'], { env });
        const report = JSON.parse(json.stdout) as {
          ok: boolean;
          unsealedTail: { events: number; lastEventId: string };
        };
        expect(report.ok).toBe(true);
        expect(report.unsealedTail).toMatchObject({ events: 1, lastEventId: rows.at(-1)!.event_id });
      });
    }
  });
}
