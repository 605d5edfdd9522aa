/**
 * Tamper evidence at the tail, over the public contract: `auditVerification` reports the events no checkpoint covers,
 * auditors (only) download a signed witness of the newest checkpoint, and the command line checks the log against it.
 * The server seals once an hour here, so the test decides when a checkpoint exists (`gopy audit seal`).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startPlatform, type Platform } from '../support/platform';
import { ERROR_FIELDS, ok, signInAs, stopPlatform, type ResultUnion } from './support';

const FOLLOW = `mutation Follow($policyId: ID!) { followPolicy(policyId: $policyId) { ${ERROR_FIELDS} ... on MutationFollowPolicySuccess { data { following } } } }`;

const run = promisify(execFile);
const gopy = (platform: Platform, ...args: string[]) =>
  run(process.execPath, [path.join(repoRoot, 'services/api/bin/gopy.js'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, GOPY_DATA_DIR: platform.dataDir, GOPY_DEMO: '0' },
  });

const VERIFICATION = `{ auditVerification {
  ok events lastCheckpointCount
  unsealedTail { events firstIndex lastIndex firstPosition lastPosition firstEventId lastEventId recordedFrom recordedTo }
} }`;

interface Verification {
  ok: boolean;
  events: number;
  lastCheckpointCount: number | null;
  unsealedTail: {
    events: number;
    firstIndex: number;
    lastIndex: number;
    firstPosition: string | null;
    lastPosition: string | null;
    recordedFrom: string | null;
    recordedTo: string | null;
  } | null;
}

let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform({ demo: true, env: { GOPY_SEAL_INTERVAL_MS: '3600000' } });
});

afterAll(async () => {
  await stopPlatform(platform);
});

describe('the unsealed tail and the witnessed checkpoint', () => {
  it('reports the unsealed tail, offers auditors a witness once a checkpoint exists, and the log verifies against it', async () => {
    const auditor = await signInAs(platform, 'auditor');
    const url = `${platform.baseUrl}/export/audit/witness.json`;
    const download = (token?: string) => fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});

    // Nothing sealed yet: every event is in the tail, and there is nothing to witness.
    const before = (await auditor.gql<{ auditVerification: Verification }>(VERIFICATION)).auditVerification;
    expect(before.ok).toBe(true);
    expect(before.lastCheckpointCount).toBeNull();
    expect(before.unsealedTail).toMatchObject({ events: before.events, firstIndex: 0, lastIndex: before.events - 1 });
    expect(before.unsealedTail!.recordedFrom! <= before.unsealedTail!.recordedTo!).toBe(true);
    const none = await download(auditor.token);
    expect(none.status).toBe(409);
    expect(await none.text()).toMatch(/^Chưa lập được bản chứng thực.*Not witnessed: the log has no checkpoint yet/);

    const sealed = await gopy(platform, 'audit', 'seal');
    expect(sealed.stdout).toMatch(/^Sealed a checkpoint over \d+ events/);
    const after = (await auditor.gql<{ auditVerification: Verification }>(VERIFICATION)).auditVerification;
    expect(after.ok).toBe(true);
    expect(after.lastCheckpointCount).toBeGreaterThanOrEqual(before.events);
    // Whatever the server appended since the seal (the checkpoint itself excepted) is the tail now.
    expect(after.unsealedTail?.events ?? 0).toBe(after.events - after.lastCheckpointCount! - 1);

    // A participant follows a policy: that event is unsealed until the next checkpoint.
    const participant = await signInAs(platform, 'participant');
    const { policies } = await participant.gql<{ policies: { edges: { node: { id: string } }[] } }>(
      '{ policies(first: 1) { edges { node { id } } } }',
    );
    ok(
      (
        await participant.gql<{ followPolicy: ResultUnion }>(FOLLOW, {
          policyId: policies.edges[0]!.node.id,
        })
      ).followPolicy,
    );
    const followed = (await auditor.gql<{ auditVerification: Verification }>(VERIFICATION)).auditVerification;
    expect(followed.unsealedTail).toMatchObject({ lastIndex: followed.events - 1 });
    expect(followed.unsealedTail!.events).toBeGreaterThanOrEqual(1);
    expect(followed.unsealedTail!.lastPosition).toBeTruthy();
    expect(Date.parse(followed.unsealedTail!.recordedTo!)).toBeGreaterThan(
      Date.parse(before.unsealedTail!.recordedTo!),
    );

    // Only auditors download the witness.
    expect((await download()).status).toBe(401);
    expect((await download(participant.token)).status).toBe(403);
    const res = await download(auditor.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="gopy-witness-\d+\.json"$/);
    const text = await res.text();
    const witness = JSON.parse(text) as {
      format: string;
      checkpoint: { index: number; data: { count: number } };
      streams: unknown[];
    };
    expect(witness.format).toBe('gopy-audit-witness-1');
    expect(witness.checkpoint.data.count).toBe(after.lastCheckpointCount);
    expect(witness.streams.length).toBeGreaterThan(10);

    // The auditor keeps the file and checks the log against it later.
    const file = path.join(platform.dataDir, 'kept-witness.json');
    fs.writeFileSync(file, text);
    const checked = await gopy(platform, 'audit', 'verify', '--witness', file);
    expect(checked.stdout).toContain('every witnessed stream, place and the Merkle root match');
  });
});
