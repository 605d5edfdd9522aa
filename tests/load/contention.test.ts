/**
 * Contention: 50 concurrent conflicting lifecycle commands on one policy end in exactly the valid transitions.
 *  - 50 × closeConsultation: one ConsultationClosed; the other 49 answer ILLEGAL_STATE (ROUND_NOT_OPEN) or CONFLICT.
 *  - 25 × extendConsultation (each a different closesAt) racing 25 × closeConsultation: one close, last in the stream;
 *    the extensions stored form a chain (each starts from the previous deadline and moves it later); every success
 *    answer has its event and every event its success answer; refusals are typed (ILLEGAL_STATE, CONFLICT, or
 *    VALIDATION for an extension no longer later than the deadline another one set). Never INTERNAL, never HTTP 5xx.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '@gopy/application/commands';
import { dataFiles } from '@gopy/composition/runtime';
import { createWorld, openRuntime, type World } from '../bench/lib/fixture';
import { startPlatform, type Platform } from '../support/platform';
import { SERVER_ENV, graphql, say, timed } from './support';

const RESULT = `__typename ... on Error { code message } ... on IllegalStateError { rule } ... on ConflictError { rule } ... on ValidationError { field } ... on InputValidationError { field }`;
const CLOSE = `mutation Close($policyId: ID!, $reason: String!) { closeConsultation(policyId: $policyId, reason: $reason) { ${RESULT} } }`;
const EXTEND = `mutation Extend($input: ExtendConsultationInput!) { extendConsultation(input: $input) { ${RESULT} } }`;

interface Answer {
  kind: 'close' | 'extend';
  closesAt?: string;
  status: number;
  typename?: string;
  code?: string;
  field?: string;
  errors?: unknown;
  error?: string;
}

function policyEvents(dataDir: string, policyId: string): { type: string; data: Record<string, unknown> }[] {
  const db = new Database(dataFiles(dataDir).events, { readonly: true });
  try {
    return (
      db.prepare('SELECT type, data FROM events WHERE stream_id = ? ORDER BY revision').all(`policy-${policyId}`) as {
        type: string;
        data: string;
      }[]
    ).map((r) => ({
      type: r.type,
      data: JSON.parse(r.data) as Record<string, unknown>,
    }));
  } finally {
    db.close();
  }
}

function isTypedRefusal(a: Answer, allowed: string[]): boolean {
  return a.status === 200 && !a.errors && a.code !== undefined && allowed.includes(a.code);
}

describe('contention: 50 concurrent lifecycle commands on one policy', () => {
  let platform: Platform;
  let dataDir: string;
  let world: World;
  let second: string;

  beforeAll(async () => {
    ({ dataDir, world, second } = await timed('prepare two policies open for comment', async () => {
      const { mkdtempSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const { join } = await import('node:path');
      const dir = mkdtempSync(join(tmpdir(), 'gopy-load-'));
      const runtime = await openRuntime(dir);
      try {
        const w = await createWorld(runtime);
        // A second policy of the same organisation, open for comment.
        const staff: Principal = { accountId: w.staffAccountId, rolesIn: async () => ['staff', 'participant'] };
        const policyId = randomUUID();
        await runtime.commands.policy(
          {
            type: 'ProposePolicy',
            policyId,
            owningOrganizationId: w.organizationId,
            title: 'Dự thảo thứ hai',
            summary: '',
            topics: [],
          },
          staff,
        );
        await runtime.commands.policy({ type: 'StartDrafting', policyId }, staff);
        await runtime.commands.policy(
          {
            type: 'PublishDraftVersion',
            policyId,
            title: 'Dự thảo thứ hai',
            nodes: [
              {
                nodeId: randomUUID(),
                kind: 'article',
                number: '1',
                heading: 'Phạm vi',
                text: 'Áp dụng cho các trường trên địa bàn.',
                children: [],
              },
            ],
            changeNote: 'Bản 1',
          },
          staff,
        );
        const now = Date.now();
        await runtime.commands.policy(
          {
            type: 'OpenConsultation',
            policyId,
            opensAt: new Date(now).toISOString(),
            closesAt: new Date(now + 30 * 86_400_000).toISOString(),
            note: '',
          },
          staff,
        );
        await runtime.projector.catchUpOnce();
        return { dataDir: dir, world: w, second: policyId };
      } finally {
        await runtime.close();
      }
    }));
    platform = await timed('start the server', () => startPlatform({ demo: false, dataDir, env: SERVER_ENV }));
  });

  afterAll(async () => {
    await platform?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function send(kind: 'close' | 'extend', policyId: string, closesAt?: string): Promise<Answer> {
    const r =
      kind === 'close'
        ? await graphql(platform.baseUrl, world.staffToken, CLOSE, { policyId, reason: 'Đủ ý kiến' })
        : await graphql(platform.baseUrl, world.staffToken, EXTEND, {
            input: { policyId, closesAt, reason: 'Gia hạn theo đề nghị của phụ huynh' },
          });
    const result = r.body?.data?.[kind === 'close' ? 'closeConsultation' : 'extendConsultation'];
    return {
      kind,
      ...(closesAt ? { closesAt } : {}),
      status: r.status,
      typename: result?.__typename,
      code: result?.code,
      field: result?.field,
      errors: r.body?.errors,
      ...(r.error ? { error: r.error } : {}),
    };
  }

  it('50 × closeConsultation: exactly one closes the round', async () => {
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 50 }, () => send('close', world.policyId)));
    say(`50 closes answered in ${((performance.now() - started) / 1000).toFixed(1)} s: ${summary(answers)}`);
    const successes = answers.filter(
      (a) => a.status === 200 && !a.errors && a.typename === 'MutationCloseConsultationSuccess',
    );
    const refusals = answers.filter((a) => isTypedRefusal(a, ['ILLEGAL_STATE', 'CONFLICT']));
    expect(answers.filter((a) => !successes.includes(a) && !refusals.includes(a))).toEqual([]);
    expect(successes).toHaveLength(1);
    const events = policyEvents(dataDir, world.policyId);
    expect(events.filter((e) => e.type === 'ConsultationClosed')).toHaveLength(1);
    expect(events.at(-1)!.type).toBe('ConsultationClosed');
  });

  it('25 × extendConsultation racing 25 × closeConsultation: a valid chain, closed once', async () => {
    const base = Date.now() + 30 * 86_400_000;
    const commands: (() => Promise<Answer>)[] = [];
    for (let i = 0; i < 25; i++) {
      commands.push(() => send('extend', second, new Date(base + (i + 1) * 3_600_000).toISOString()));
      commands.push(() => send('close', second));
    }
    const started = performance.now();
    const answers = await Promise.all(commands.map((c) => c()));
    say(
      `25 extends + 25 closes answered in ${((performance.now() - started) / 1000).toFixed(1)} s: ${summary(answers)}`,
    );
    const success = (a: Answer) =>
      a.status === 200 && !a.errors && /^Mutation(Close|Extend)ConsultationSuccess$/.test(a.typename ?? '');
    const refused = (a: Answer) =>
      isTypedRefusal(a, ['ILLEGAL_STATE', 'CONFLICT']) ||
      (a.kind === 'extend' && isTypedRefusal(a, ['VALIDATION']) && a.field === 'closesAt');
    expect(answers.filter((a) => !success(a) && !refused(a))).toEqual([]);

    const events = policyEvents(dataDir, second);
    const opened = events.findIndex((e) => e.type === 'ConsultationOpened');
    const after = events.slice(opened + 1);
    const closes = after.filter((e) => e.type === 'ConsultationClosed');
    const extensions = after.filter((e) => e.type === 'ConsultationExtended');
    expect(closes).toHaveLength(1);
    expect(after.at(-1)!.type).toBe('ConsultationClosed');
    expect(after.every((e) => e.type === 'ConsultationExtended' || e.type === 'ConsultationClosed')).toBe(true);
    // The extensions chain: each starts where the previous left the deadline and moves it later.
    let deadline = events[opened]!.data.closesAt as string;
    for (const e of extensions) {
      expect(e.data.previousClosesAt).toBe(deadline);
      expect(Date.parse(e.data.closesAt as string)).toBeGreaterThan(Date.parse(deadline));
      deadline = e.data.closesAt as string;
    }
    // Every success answer has its event, and every event its success answer.
    expect(answers.filter((a) => a.kind === 'close' && success(a))).toHaveLength(1);
    const extendedOk = answers
      .filter((a) => a.kind === 'extend' && success(a))
      .map((a) => a.closesAt)
      .sort();
    expect(extendedOk).toEqual(extensions.map((e) => e.data.closesAt as string).sort());
    say(`stored ${extensions.length} extensions then one close`);
  });
});

function summary(answers: Answer[]): string {
  const counts = new Map<string, number>();
  for (const a of answers) {
    const k = `${a.kind}:${a.status !== 200 ? `HTTP ${a.status}` : a.errors ? 'errors' : (a.code ?? a.typename)}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts.entries()].map(([k, n]) => `${k} ×${n}`).join(', ');
}
