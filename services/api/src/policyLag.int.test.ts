import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '@gopy/application/commands';
import { policyQueries } from '@gopy/application/readModels/index';
import { loadConfig } from '@gopy/composition/config';
import { openEmbeddedRuntime, type Runtime } from '@gopy/composition/runtime';
import { buildApp } from './app';
import { anOffice } from './smallWorld.testing';

const START_DRAFTING = `mutation ($policyId: ID!) {
  startDrafting(policyId: $policyId) {
    __typename
    ... on MutationStartDraftingSuccess { data { position readModelBehind } }
    ... on Error { code }
  }
}`;

interface Answer {
  data?: {
    startDrafting: { __typename: string; code?: string; data?: { position: string; readModelBehind: boolean } };
  };
  errors?: unknown[];
}

/**
 * A policy command finds its target from the policy's stream, never from the read model: a policy stored a moment
 * ago, which the projector has not shown yet, is found (no false NOT_FOUND), and an unknown one is still NOT_FOUND.
 */
describe('policy commands while the read models lag behind', () => {
  let runtime: Runtime;
  let server: Server;
  let url: string;
  let token: string;
  let staff: Principal;
  let officeId: string;

  const startDrafting = async (policyId: string): Promise<Answer> => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: START_DRAFTING, variables: { policyId } }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Answer;
  };

  beforeAll(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-policy-lag-'));
    runtime = await openEmbeddedRuntime(loadConfig({ GOPY_DATA_DIR: dataDir, GOPY_DEMO: '0', GOPY_SERVE_WEB: '0' }), {
      log: () => {},
    });
    runtime.projector.start();
    const email = 'can-bo@example.vn';
    const password = 'mật khẩu dài 123';
    const accountId = await runtime.accounts.signUp(
      { email, password, displayName: 'Cán bộ', pseudonym: null, stakeholderCategory: 'parent', locale: 'vi' },
      { origin: 'admin', verified: true },
    );
    officeId = await anOffice(runtime);
    await runtime.commands.organization(
      { type: 'AddMember', organizationId: officeId, accountId, roles: ['staff'] },
      null,
      { systemActor: true },
    );
    staff = { accountId, rolesIn: async () => ['staff', 'participant'] };
    await runtime.projector.waitFor((await runtime.store.headPosition())!, 20_000);
    token = (await runtime.accounts.signIn(email, password)).token;
    const app = await buildApp(runtime);
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  }, 90_000);

  afterAll(async () => {
    if (server) await new Promise((r) => server.close(r));
    await runtime?.close();
  });

  it('finds a policy the read model does not show yet', async () => {
    await runtime.projector.stop();
    const policyId = randomUUID();
    try {
      await runtime.commands.policy(
        {
          type: 'ProposePolicy',
          policyId,
          owningOrganizationId: officeId,
          title: 'Quy định về đồng phục học sinh',
          summary: 'Dự thảo',
          topics: [],
        },
        staff,
      );
      expect(await policyQueries.byIds(runtime.readDb, [policyId])).toEqual([]);
      const answer = await startDrafting(policyId);
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.startDrafting.__typename).toBe('MutationStartDraftingSuccess');
      expect(answer.data?.startDrafting.data?.position).not.toBe('');
      expect(answer.data?.startDrafting.data?.readModelBehind).toBe(true);
    } finally {
      runtime.projector.start();
    }
  }, 60_000);

  it('still refuses a policy no stream holds as NOT_FOUND', async () => {
    const answer = await startDrafting(randomUUID());
    expect(answer.data?.startDrafting.code).toBe('NOT_FOUND');
    const malformed = await startDrafting('khong-phai-ma');
    expect(malformed.data?.startDrafting.code).toBe('NOT_FOUND');
  });
});
