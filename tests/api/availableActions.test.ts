/**
 * Policy.availableActions, Comment.availableActions and Digest.availableActions over HTTP, against the mutations
 * themselves: for a few states and for viewers from signed out to staff, every action the field refuses is refused by
 * its mutation with the same code and rule (the state stays as it was), and every action it allows succeeds when sent
 * on a policy (or comment) brought to the same state. The full matrix of states and roles is the domain's unit test
 * (services/domain/src/actions.unit.test.ts); this one adds what only the API knows: who is signed in, whose email
 * is confirmed, and that an auditor writes nothing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerRound } from '../support/digest';
import { startPlatform, type Platform } from '../support/platform';
import {
  CLOSE_CONSULTATION,
  ENACT_POLICY,
  ERROR_FIELDS,
  EXTEND_CONSULTATION,
  OPEN_CONSULTATION,
  PUBLISH_DRAFT_VERSION,
  START_DRAFTING,
  WITHDRAW_POLICY,
  client,
  demoAccount,
  draftTree,
  draftedPolicy,
  inDays,
  ok,
  signIn,
  signInAs,
  signUp,
  staffOrganizationId,
  stopPlatform,
  submitComment,
  verifiedParticipant,
  type Client,
  type ResultUnion,
} from './support';

let platform: Platform;
let staff: Client;
let organizationId: string;
const viewers: { name: string; api: Client }[] = [];

interface Availability {
  action: string;
  allowed: boolean;
  refusal: { code: string; rule: string | null; message: string; messageVi: string; messageEn: string } | null;
}

const AVAILABILITY = `action allowed refusal { code rule message messageVi messageEn }`;

beforeAll(async () => {
  platform = await startPlatform({ demo: true });
  staff = await signInAs(platform, 'staff');
  organizationId = await staffOrganizationId(staff);
  const unverified = await signUp(platform);
  // The demo's school accounts (school1@…) are staff of a school, not of the district that owns the policies here.
  const schoolStaff = platform.demoAccounts.find((a) => a.email.startsWith('school') && a.roles.includes('staff'));
  if (!schoolStaff) throw new Error('no demo staff of a school');
  viewers.push(
    { name: 'signed out', api: client(platform.baseUrl) },
    {
      name: 'a participant whose email is not confirmed',
      api: await signIn(platform, unverified.email, unverified.password),
    },
    { name: 'a verified participant', api: (await verifiedParticipant(platform)).api },
    { name: 'staff of the organisation', api: staff },
    {
      name: 'staff of a school (another organisation)',
      api: await signIn(platform, schoolStaff.email, schoolStaff.password),
    },
    { name: 'a spokesperson', api: await signInAs(platform, 'spokesperson') },
    { name: 'a policymaker', api: await signInAs(platform, 'policymaker') },
    { name: 'a moderator', api: await signInAs(platform, 'moderator') },
    { name: 'an auditor', api: await signInAs(platform, 'auditor') },
  );
}, 180_000);

afterAll(async () => {
  await stopPlatform(platform);
});

/* ------------------------------------------------------------------ the mutation each action sends */

const mutation = (name: string, args: string, params: string) => `mutation(${args}) {
  ${name}(${params}) { ${ERROR_FIELDS} }
}`;
type Variables = Record<string, unknown>;
const policyCall = (doc: string, field: string, variables: (policyId: string) => Variables | Promise<Variables>) => ({
  doc,
  field,
  variables,
});
const round = (policyId: string) => ({ policyId, round: 1 });
const policyCalls: Record<string, ReturnType<typeof policyCall>> = {
  START_DRAFTING: policyCall(START_DRAFTING, 'startDrafting', (policyId) => ({ policyId })),
  PUBLISH_DRAFT_VERSION: policyCall(PUBLISH_DRAFT_VERSION, 'publishDraftVersion', (policyId) => ({
    input: { policyId, title: 'Dự thảo sửa đổi', changeNote: '', nodes: draftTree() },
  })),
  OPEN_CONSULTATION: policyCall(OPEN_CONSULTATION, 'openConsultation', (policyId) => ({
    input: { policyId, closesAt: inDays(20), note: '' },
  })),
  EXTEND_CONSULTATION: policyCall(EXTEND_CONSULTATION, 'extendConsultation', (policyId) => ({
    input: { policyId, closesAt: inDays(40), reason: 'Thêm thời gian.' },
  })),
  CLOSE_CONSULTATION: policyCall(CLOSE_CONSULTATION, 'closeConsultation', (policyId) => ({
    policyId,
    reason: 'Đủ ý kiến.',
  })),
  START_DIGEST: policyCall(
    mutation('startDigest', '$policyId: ID!, $round: Int!', 'policyId: $policyId, round: $round'),
    'startDigest',
    round,
  ),
  PUBLISH_DIGEST: policyCall(
    mutation('publishDigest', '$policyId: ID!, $round: Int!', 'policyId: $policyId, round: $round'),
    'publishDigest',
    round,
  ),
  ENACT_POLICY: policyCall(ENACT_POLICY, 'enactPolicy', (policyId) => ({
    input: { policyId, decisionNumber: '12/QĐ-PGDĐT', effectiveDate: '2027-09-01' },
  })),
  WITHDRAW_POLICY: policyCall(WITHDRAW_POLICY, 'withdrawPolicy', (policyId) => ({
    policyId,
    reason: 'Không còn phù hợp.',
  })),
  SUBMIT_COMMENT: policyCall(
    mutation('submitComment', '$input: SubmitCommentInput!', 'input: $input'),
    'submitComment',
    (policyId) => ({
      input: { policyId, body: 'Tôi đồng ý với dự thảo.', stance: 'SUPPORT', idempotencyKey: randomUUID() },
    }),
  ),
  RECORD_OFFLINE_FEEDBACK: policyCall(
    mutation('recordOfflineFeedback', '$input: RecordOfflineFeedbackInput!', 'input: $input'),
    'recordOfflineFeedback',
    // A letter received when the round opened: in time whatever has happened to the round since.
    async (policyId) => ({
      input: {
        policyId,
        channel: 'LETTER',
        receivedAt: await openingOf(policyId),
        stakeholderCategory: 'PARENT',
        body: 'Thư góp ý của phụ huynh.',
        stance: 'SUGGESTION',
        idempotencyKey: randomUUID(),
      },
    }),
  ),
};

async function openingOf(policyId: string): Promise<string> {
  const { policy } = await staff.gql<{ policy: { currentRound: { opensAt: string } | null } }>(
    `query($id: ID!) { policy(id: $id) { currentRound { opensAt } } }`,
    { id: policyId },
  );
  return policy.currentRound?.opensAt ?? new Date().toISOString();
}

async function policyActions(api: Client, policyId: string): Promise<Availability[]> {
  const { policy } = await api.gql<{ policy: { availableActions: Availability[] } }>(
    `query($id: ID!) { policy(id: $id) { availableActions { ${AVAILABILITY} } } }`,
    { id: policyId },
  );
  return policy.availableActions;
}

async function send(api: Client, call: ReturnType<typeof policyCall>, id: string): Promise<ResultUnion> {
  const res = await api.raw<Record<string, ResultUnion>>(call.doc, await call.variables(id));
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data[call.field]!;
}

/** A refused action answers, as its mutation, exactly the refusal the list gave, in both languages. */
function expectSameRefusal(result: ResultUnion, listed: Availability, where: string) {
  expect(result.__typename, `${where}: the mutation succeeded where the list refused`).not.toMatch(/Success$/);
  expect({ code: result.code, rule: result.rule ?? null }, where).toEqual({
    code: listed.refusal!.code,
    rule: listed.refusal!.rule,
  });
  expect({ vi: result.messageVi, en: result.messageEn }, where).toEqual({
    vi: listed.refusal!.messageVi,
    en: listed.refusal!.messageEn,
  });
  expect(listed.refusal!.message).toBe(listed.refusal!.messageVi);
}

/* ------------------------------------------------------------------ policy states */

const lifecycle: Record<string, (policyId: string) => Promise<void>> = {
  'drafting, version 1 published': async () => {},
  'a round open': async (policyId) => {
    ok((await send(staff, policyCalls.OPEN_CONSULTATION!, policyId)) as ResultUnion);
  },
  'closed, not answered': async (policyId) => {
    await lifecycle['a round open']!(policyId);
    ok(await send(staff, policyCalls.CLOSE_CONSULTATION!, policyId));
  },
  'the round answered': async (policyId) => {
    await lifecycle['closed, not answered']!(policyId);
    await answerRound(platform, staff, policyId, 1);
  },
};

async function policyIn(state: string): Promise<string> {
  const policyId = await draftedPolicy(staff, organizationId);
  await lifecycle[state]!(policyId);
  return policyId;
}

describe.each(Object.keys(lifecycle))('Policy.availableActions: %s', (state) => {
  it('refuses as the mutations refuse, and what it allows succeeds', async () => {
    const policyId = await policyIn(state);
    let allowedSomewhere = 0;
    for (const { name, api } of viewers) {
      const listed = await policyActions(api, policyId);
      expect(listed.map((a) => a.action).sort()).toEqual(Object.keys(policyCalls).sort());
      for (const action of listed) {
        const where = `${state}, ${name}, ${action.action}`;
        const call = policyCalls[action.action]!;
        // Starting the round's digest again is a retry, acknowledged (see 'START_DIGEST once started').
        if (action.refusal?.rule === 'DIGEST_ALREADY_STARTED') continue;
        if (!action.allowed) {
          expectSameRefusal(await send(api, call, policyId), action, where);
          continue;
        }
        allowedSomewhere++;
        // Sent on a policy of its own in the same state, so the refusals above all see this one's state.
        const result = await send(api, call, await policyIn(state));
        expect(result.__typename, `${where}: ${JSON.stringify(result)}`).toMatch(/Success$/);
      }
      // Nothing refused changed the policy: the same viewer sees the same list.
      expect(await policyActions(api, policyId)).toEqual(listed);
    }
    expect(allowedSomewhere).toBeGreaterThan(0);
  }, 300_000);
});

describe('Policy.availableActions: who cannot even attempt', () => {
  it('answers UNAUTHENTICATED to the signed out, EMAIL_NOT_VERIFIED for comments from an unconfirmed account, AUDITOR_READ_ONLY to an auditor', async () => {
    const policyId = await policyIn('a round open');
    const of = async (viewer: string, action: string) =>
      (await policyActions(viewers.find((v) => v.name === viewer)!.api, policyId)).find((a) => a.action === action)!;
    expect((await of('signed out', 'SUBMIT_COMMENT')).refusal).toMatchObject({ code: 'UNAUTHENTICATED', rule: null });
    expect((await of('signed out', 'WITHDRAW_POLICY')).refusal).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect((await of('a participant whose email is not confirmed', 'SUBMIT_COMMENT')).refusal).toMatchObject({
      code: 'FORBIDDEN',
      rule: 'EMAIL_NOT_VERIFIED',
    });
    expect((await of('an auditor', 'SUBMIT_COMMENT')).refusal).toMatchObject({
      code: 'FORBIDDEN',
      rule: 'AUDITOR_READ_ONLY',
    });
    expect((await of('a verified participant', 'SUBMIT_COMMENT')).allowed).toBe(true);
    expect((await of('staff of the organisation', 'CLOSE_CONSULTATION')).allowed).toBe(true);
    expect((await of('staff of a school (another organisation)', 'CLOSE_CONSULTATION')).refusal).toMatchObject({
      code: 'FORBIDDEN',
      rule: 'STAFF_ONLY',
    });
  }, 120_000);

  it('answers in the language asked for', async () => {
    const policyId = await policyIn('closed, not answered');
    const english = client(platform.baseUrl, viewers.find((v) => v.name === 'a policymaker')!.api.token, 'en');
    const enact = (await policyActions(english, policyId)).find((a) => a.action === 'ENACT_POLICY')!;
    expect(enact.refusal).toMatchObject({ code: 'ILLEGAL_STATE', rule: 'ROUND_NOT_ANSWERED' });
    expect(enact.refusal!.message).toBe(enact.refusal!.messageEn);
  }, 120_000);
});

describe('ConsultationRound.phase', () => {
  it('is OPEN while the round takes comments and OVER once it is closed', async () => {
    const query = `query($id: ID!) { policy(id: $id) { currentRound { phase isOpen } } }`;
    const open = await policyIn('a round open');
    expect((await staff.gql<any>(query, { id: open })).policy.currentRound).toEqual({ phase: 'OPEN', isOpen: true });
    const closed = await policyIn('closed, not answered');
    expect((await staff.gql<any>(query, { id: closed })).policy.currentRound).toEqual({ phase: 'OVER', isOpen: false });
  }, 120_000);
});

/* ------------------------------------------------------------------ comments */

const commentCalls: Record<
  string,
  { doc: string; field: string; variables: (commentId: string, policyId: string) => Record<string, unknown> }
> = {
  REPLY_TO_COMMENT: {
    doc: mutation('submitComment', '$input: SubmitCommentInput!', 'input: $input'),
    field: 'submitComment',
    variables: (parentCommentId, policyId) => ({
      input: { policyId, parentCommentId, body: 'Tôi cũng nghĩ vậy.', stance: 'SUPPORT', idempotencyKey: randomUUID() },
    }),
  },
  EDIT_COMMENT: {
    doc: mutation(
      'editComment',
      '$commentId: ID!',
      'commentId: $commentId, body: "Tôi sửa lại ý kiến.", stance: OPPOSE',
    ),
    field: 'editComment',
    variables: (commentId) => ({ commentId }),
  },
  WITHDRAW_COMMENT: {
    doc: mutation('withdrawComment', '$commentId: ID!', 'commentId: $commentId'),
    field: 'withdrawComment',
    variables: (commentId) => ({ commentId }),
  },
  ENDORSE_COMMENT: {
    doc: mutation('endorseComment', '$commentId: ID!', 'commentId: $commentId'),
    field: 'endorseComment',
    variables: (commentId) => ({ commentId }),
  },
  FLAG_COMMENT: {
    doc: mutation('flagComment', '$commentId: ID!', 'commentId: $commentId, reason: SPAM'),
    field: 'flagComment',
    variables: (commentId) => ({ commentId }),
  },
  HIDE_COMMENT: {
    doc: mutation(
      'hideComment',
      '$commentId: ID!',
      'commentId: $commentId, reasonCode: ABUSE, reason: "Lời lẽ xúc phạm."',
    ),
    field: 'hideComment',
    variables: (commentId) => ({ commentId }),
  },
  RESTORE_COMMENT: {
    doc: mutation('restoreComment', '$commentId: ID!', 'commentId: $commentId, reason: "Đã xem lại."'),
    field: 'restoreComment',
    variables: (commentId) => ({ commentId }),
  },
  REDACT_COMMENT: {
    doc: mutation('redactComment', '$commentId: ID!', 'commentId: $commentId, reason: "Lộ số điện thoại."'),
    field: 'redactComment',
    variables: (commentId) => ({ commentId }),
  },
  POST_OFFICIAL_REPLY: {
    doc: mutation('postOfficialReply', '$commentId: ID!', 'commentId: $commentId, body: "Ban soạn thảo xin tiếp thu."'),
    field: 'postOfficialReply',
    variables: (commentId) => ({ commentId }),
  },
};

describe('Comment.availableActions', () => {
  it('refuses as the mutations refuse, and what it allows succeeds, on a comment in an open round', async () => {
    const author = viewers.find((v) => v.name === 'a verified participant')!.api;
    const policyId = await policyIn('a round open');
    const aComment = async () =>
      ok<{ comment: { id: string } }>(
        await submitComment(author, { policyId, body: `Ý kiến ${randomUUID().slice(0, 6)}`, stance: 'SUGGESTION' }),
      ).comment.id;
    const commentId = await aComment();
    const listOf = async (api: Client, id: string) => {
      const { policy } = await api.gql<{
        policy: { comments: { edges: { node: { id: string; availableActions: Availability[] } }[] } };
      }>(
        `query($policyId: ID!) { policy(id: $policyId) { comments(first: 50) { edges { node { id availableActions { ${AVAILABILITY} } } } } } }`,
        { policyId },
      );
      const found = policy.comments.edges.find((e) => e.node.id === id);
      if (!found) throw new Error(`comment ${id} is not on its policy's first page`);
      return found.node.availableActions;
    };
    let allowedSomewhere = 0;
    for (const { name, api } of viewers) {
      const listed = await listOf(api, commentId);
      expect(listed.map((a) => a.action).sort()).toEqual(Object.keys(commentCalls).sort());
      for (const action of listed) {
        const where = `${name}, ${action.action}`;
        const call = commentCalls[action.action]!;
        const sent = async (id: string) => {
          const res = await api.raw<Record<string, ResultUnion>>(call.doc, call.variables(id, policyId));
          expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
          return res.data[call.field]!;
        };
        if (!action.allowed) {
          expectSameRefusal(await sent(commentId), action, where);
          continue;
        }
        allowedSomewhere++;
        const result = await sent(await aComment());
        expect(result.__typename, `${where}: ${JSON.stringify(result)}`).toMatch(/Success$/);
      }
      expect(await listOf(api, commentId)).toEqual(listed);
    }
    expect(allowedSomewhere).toBeGreaterThan(0);
  }, 300_000);
});

/* ------------------------------------------------------------------ digests */

describe('Digest.availableActions', () => {
  it('follows the digest from started to published, and refuses as the mutations refuse', async () => {
    const spokesperson = viewers.find((v) => v.name === 'a spokesperson')!.api;
    const policyId = await policyIn('closed, not answered');
    ok(await send(staff, policyCalls.START_DIGEST!, policyId));
    const query = `query($id: ID!) { policy(id: $id) { digest(round: 1) { availableActions { ${AVAILABILITY} } } } }`;
    const listOf = async (api: Client) =>
      (await api.gql<{ policy: { digest: { availableActions: Availability[] } } }>(query, { id: policyId })).policy
        .digest.availableActions;
    const of = async (api: Client, action: string) => (await listOf(api)).find((a) => a.action === action)!;
    const approve = mutation('approveDigest', '$policyId: ID!, $round: Int!', 'policyId: $policyId, round: $round');

    // Started, no theme: staff may define one; approving is the spokesperson's and waits for nothing else here.
    expect((await of(staff, 'DEFINE_THEME')).allowed).toBe(true);
    const byStaff = await of(staff, 'APPROVE_DIGEST');
    expectSameRefusal((await staff.gql<any>(approve, round(policyId))).approveDigest, byStaff, 'staff approving');
    const publishEarly = await of(spokesperson, 'PUBLISH_DIGEST');
    expect(publishEarly.refusal).toMatchObject({ code: 'ILLEGAL_STATE', rule: 'DIGEST_NOT_APPROVED' });
    expectSameRefusal(
      await send(spokesperson, policyCalls.PUBLISH_DIGEST!, policyId),
      publishEarly,
      'publishing early',
    );

    // Approved: staff can change nothing more without withdrawing the approval; the spokesperson may publish.
    expect((await of(spokesperson, 'APPROVE_DIGEST')).allowed).toBe(true);
    ok((await spokesperson.gql<any>(approve, round(policyId))).approveDigest);
    expect((await of(spokesperson, 'PUBLISH_DIGEST')).allowed).toBe(true);
    expect((await of(spokesperson, 'APPROVE_DIGEST')).refusal).toMatchObject({ rule: 'DIGEST_ALREADY_APPROVED' });
    ok(await send(spokesperson, policyCalls.PUBLISH_DIGEST!, policyId));

    // Published: fixed for everyone.
    for (const { name, api } of viewers.filter((v) => v.name !== 'signed out')) {
      for (const action of await listOf(api)) {
        expect(action.allowed, `${name} ${action.action}`).toBe(false);
      }
    }
    const defineAfter = await of(staff, 'DEFINE_THEME');
    expect(defineAfter.refusal).toMatchObject({ code: 'ILLEGAL_STATE', rule: 'DIGEST_PUBLISHED' });
    const define = mutation(
      'defineTheme',
      '$policyId: ID!, $round: Int!',
      'policyId: $policyId, round: $round, title: "Nhóm mới"',
    );
    expectSameRefusal(
      (await staff.gql<any>(define, round(policyId))).defineTheme,
      defineAfter,
      'defining after publication',
    );
    // The policy now says the round is answered: a policymaker may enact.
    const policymaker = viewers.find((v) => v.name === 'a policymaker')!.api;
    expect((await policyActions(policymaker, policyId)).find((a) => a.action === 'ENACT_POLICY')!.allowed).toBe(true);
  }, 300_000);
});

// A repeated start of the round's digest is a retry (its id is derived from the policy and round): acknowledged,
// writing nothing, while the list says the digest is already started.
describe('START_DIGEST once started', () => {
  it('is listed as refused (DIGEST_ALREADY_STARTED) and the mutation, a retry, writes nothing', async () => {
    const policyId = await policyIn('closed, not answered');
    ok(await send(staff, policyCalls.START_DIGEST!, policyId));
    const listed = (await policyActions(staff, policyId)).find((a) => a.action === 'START_DIGEST')!;
    expect(listed.refusal).toMatchObject({ code: 'ILLEGAL_STATE', rule: 'DIGEST_ALREADY_STARTED' });
    const started = `query($id: ID!) { policy(id: $id) { digest(round: 1) { startedAt } } }`;
    const before = (await staff.gql<any>(started, { id: policyId })).policy.digest.startedAt;
    ok(await send(staff, policyCalls.START_DIGEST!, policyId));
    expect((await staff.gql<any>(started, { id: policyId })).policy.digest.startedAt).toBe(before);
  }, 120_000);
});

// Auditors and school staff appear above; this keeps the demo's roles honest for the test's names.
it('names its viewers after the roles they hold', () => {
  expect(demoAccount(platform, 'auditor').roles).toContain('auditor');
});
