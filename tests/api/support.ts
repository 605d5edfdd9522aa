/**
 * Shared helpers for the API suites. Everything goes over HTTP to a real server started by tests/support/platform.ts;
 * nothing here imports service code.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { DemoAccount, Mail, Platform } from '../support/platform';

export type Locale = 'vi' | 'en';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** Letters that only Vietnamese writing uses (with its tone marks); a message in Vietnamese has at least one. */
export const VIETNAMESE_LETTER = /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/i;

/** English text: no Vietnamese letters, plain Latin with ordinary punctuation, and at least a few English words. */
export function expectEnglish(text: string): void {
  expect(text, `"${text}" should be English`).not.toMatch(VIETNAMESE_LETTER);
  expect(text).toMatch(/\b(the|a|an|is|be|to|of|not|no|only|this|your|you|must|has|have|may|can|was|at|in|for|or)\b/i);
}

export function expectVietnamese(text: string): void {
  expect(text, `"${text}" should be Vietnamese`).toMatch(VIETNAMESE_LETTER);
}

/** Every member of a result union is either `<Name>Success { data }` or implements Error. */
export const ERROR_FIELDS = `
  __typename
  ... on Error { code message messageVi messageEn }
  ... on IllegalStateError { rule }
  ... on ForbiddenError { rule }
  ... on ConflictError { rule }
  ... on ValidationError { field }
  ... on InputValidationError { field }
  ... on RateLimitedError { retryAfterSeconds }
`;

/**
 * A GraphQL client over HTTP. Every call asserts what must hold for any request, refused or not:
 * no HTTP 5xx and no top-level error masked as INTERNAL (an unexpected failure on the server).
 */
export function client(baseUrl: string, token?: string, locale?: Locale) {
  async function raw<T = Record<string, any>>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<GraphQLResponse<T>> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
    };
    if (locale) headers['accept-language'] = locale;
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    const where = `${query.trim().split('\n')[0]} ${JSON.stringify(variables)}`;
    expect(res.status, `HTTP ${res.status} for ${where}: ${text}`).toBeLessThan(500);
    let body: GraphQLResponse<T>;
    try {
      body = JSON.parse(text) as GraphQLResponse<T>;
    } catch {
      throw new Error(`not JSON (HTTP ${res.status}) for ${where}: ${text}`);
    }
    const internal = (body.errors ?? []).filter((e) => e.extensions?.code === 'INTERNAL');
    expect(internal, `INTERNAL error for ${where}: ${JSON.stringify(body.errors)}`).toEqual([]);
    return { ...body, status: res.status };
  }

  /** A query or mutation that must answer without any top-level error. */
  async function gql<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await raw<T>(query, variables);
    expect(
      res.errors,
      `top-level errors for ${query.trim().split('\n')[0]}: ${JSON.stringify(res.errors)}`,
    ).toBeUndefined();
    expect(res.status).toBe(200);
    return res.data;
  }

  return { raw, gql, token, baseUrl };
}
export type Client = ReturnType<typeof client>;

/** A mutation result union member, as selected with ERROR_FIELDS. */
export interface ResultUnion {
  __typename: string;
  data?: any;
  code?: string;
  message?: string;
  messageVi?: string;
  messageEn?: string;
  rule?: string;
  field?: string;
}

/** Asserts a result union answered success and returns its data. */
export function ok<T = any>(result: ResultUnion): T {
  expect(result.__typename, `expected success, got ${JSON.stringify(result)}`).toMatch(/Success$/);
  return result.data as T;
}

export interface ExpectedRefusal {
  typename: string;
  code: string;
  rule?: string;
  field?: string;
  /** The language of `message` (the request's locale); Vietnamese by default. */
  locale?: Locale;
}

/** Asserts a typed refusal: its type, code, rule or field, and messages in both languages. */
export function expectRefusal(result: ResultUnion, expected: ExpectedRefusal): ResultUnion {
  const seen = JSON.stringify(result);
  expect(result.__typename, seen).toBe(expected.typename);
  expect(result.code, seen).toBe(expected.code);
  // The rule and the field are checked when the caller names them (a refusal has one or the other, or neither).
  const named = { rule: expected.rule, field: expected.field };
  expect(
    {
      rule: named.rule === undefined ? undefined : result.rule,
      field: named.field === undefined ? undefined : result.field,
    },
    seen,
  ).toEqual(named);
  expectVietnamese(result.messageVi ?? '');
  expectEnglish(result.messageEn ?? '');
  expect(result.message, seen).toBe((expected.locale ?? 'vi') === 'en' ? result.messageEn : result.messageVi);
  return result;
}

/** Stops the platform and removes its temporary data folder (kept when GOPY_KEEP_TEST_DATA is set, for debugging). */
export async function stopPlatform(platform: Platform | undefined): Promise<void> {
  if (!platform) return;
  await platform.stop();
  const dir = path.resolve(platform.dataDir);
  if (
    !process.env.GOPY_KEEP_TEST_DATA &&
    path.basename(dir).startsWith('gopy-test-') &&
    path.dirname(dir) === path.resolve(os.tmpdir())
  ) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function demoAccount(platform: Platform, role: string): DemoAccount {
  const account = platform.demoAccounts.find((a) => a.roles.includes(role));
  if (!account)
    throw new Error(`no demo account with role ${role}: ${JSON.stringify(platform.demoAccounts.map((a) => a.roles))}`);
  return account;
}

export const SIGN_IN = `mutation SignIn($email: String!, $password: String!) {
  signIn(email: $email, password: $password) {
    ${ERROR_FIELDS}
    ... on MutationSignInSuccess { data { token account { id displayName emailVerified } } }
  }
}`;

/** Signs in and returns a client carrying the session token. */
export async function signIn(platform: Platform, email: string, password: string, locale?: Locale): Promise<Client> {
  const { signIn: result } = await client(platform.baseUrl).gql<{ signIn: ResultUnion }>(SIGN_IN, { email, password });
  const data = ok<{ token: string }>(result);
  expect(data.token).toBeTruthy();
  return client(platform.baseUrl, data.token, locale);
}

export async function signInAs(platform: Platform, role: string, locale?: Locale): Promise<Client> {
  const account = demoAccount(platform, role);
  return signIn(platform, account.email, account.password, locale);
}

export const SIGN_UP = `mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) {
    ${ERROR_FIELDS}
    ... on MutationSignUpSuccess { data { id displayName emailVerified stakeholderCategory pseudonym } }
  }
}`;

export const VERIFY_EMAIL = `mutation Verify($token: String!) {
  verifyEmail(token: $token) {
    ${ERROR_FIELDS}
    ... on MutationVerifyEmailSuccess { data { id emailVerified } }
  }
}`;

export interface NewAccount {
  email: string;
  password: string;
  displayName: string;
  id: string;
}

/** A fresh, unique address, so suites never depend on one another's accounts. */
export function uniqueEmail(prefix = 'nguoidan'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}@example.vn`;
}

export async function signUp(
  platform: Platform,
  overrides: Partial<{
    email: string;
    password: string;
    displayName: string;
    stakeholderCategory: string;
    pseudonym: string;
    locale: 'VI' | 'EN';
  }> = {},
): Promise<NewAccount> {
  const input = {
    email: overrides.email ?? uniqueEmail(),
    password: overrides.password ?? 'mật-khẩu-đủ-dài-123',
    displayName: overrides.displayName ?? 'Trần Thị Hoà',
    stakeholderCategory: overrides.stakeholderCategory ?? 'PARENT',
    ...(overrides.pseudonym ? { pseudonym: overrides.pseudonym } : {}),
    ...(overrides.locale ? { locale: overrides.locale } : {}),
  };
  const { signUp: result } = await client(platform.baseUrl).gql<{ signUp: ResultUnion }>(SIGN_UP, { input });
  const account = ok<{ id: string; emailVerified: boolean }>(result);
  expect(account.emailVerified).toBe(false);
  return { email: input.email, password: input.password, displayName: input.displayName, id: account.id };
}

/** Waits until a mail to `to` whose text matches `pattern` has been written, and returns the first match. */
export async function waitForMail(
  platform: Platform,
  to: string,
  pattern: RegExp,
  timeoutMs = 10_000,
): Promise<{ mail: Mail; match: RegExpExecArray }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const mail of await platform.readMails()) {
      const match = pattern.exec(mail.text);
      if (mail.to.toLowerCase().includes(to.toLowerCase()) && match) return { mail, match };
    }
    if (Date.now() > deadline) throw new Error(`no mail to ${to} matching ${pattern} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

export async function mailsTo(platform: Platform, to: string): Promise<Mail[]> {
  return (await platform.readMails()).filter((m) => m.to.toLowerCase().includes(to.toLowerCase()));
}

/** The token in the verification link of the mail sent to `email`. */
export async function verificationToken(platform: Platform, email: string): Promise<string> {
  const escaped = platform.baseUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const { match } = await waitForMail(platform, email, new RegExp(`${escaped}/verify-email\\?token=([A-Za-z0-9_-]+)`));
  return match[1]!;
}

/** Signs up, verifies by the mailed link and signs in: a participant who may comment. */
export async function verifiedParticipant(
  platform: Platform,
  overrides: Parameters<typeof signUp>[1] = {},
): Promise<NewAccount & { api: Client }> {
  const account = await signUp(platform, overrides);
  const token = await verificationToken(platform, account.email);
  const { verifyEmail } = await client(platform.baseUrl).gql<{ verifyEmail: ResultUnion }>(VERIFY_EMAIL, { token });
  expect(ok<{ emailVerified: boolean }>(verifyEmail).emailVerified).toBe(true);
  return { ...account, api: await signIn(platform, account.email, account.password) };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function eventually<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs: number,
  what: string,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/* ------------------------------------------------------------------ policy operations */

export const POLICY_FIELDS = `
  id title summary status withdrawalReason commentCount
  owningOrganization { id name }
  currentVersion { number title changeNote nodes { id kind number heading text children { id kind number heading text children { id kind number heading text children { id kind number heading text } } } } }
  currentRound { round version opensAt closesAt closedAt answered isOpen }
  rounds { round version opensAt closesAt closedAt answered isOpen }
  enactment { version decisionNumber effectiveDate enactedAt }
`;

const policyMutation = (
  name: string,
  signature: string,
  call: string,
) => `mutation ${name[0]!.toUpperCase()}${name.slice(1)}(${signature}) {
  ${name}(${call}) {
    ${ERROR_FIELDS}
    ... on Mutation${name[0]!.toUpperCase()}${name.slice(1)}Success { data { position policy { ${POLICY_FIELDS} } } }
  }
}`;

export const PROPOSE_POLICY = policyMutation('proposePolicy', '$input: ProposePolicyInput!', 'input: $input');
export const START_DRAFTING = policyMutation('startDrafting', '$policyId: ID!', 'policyId: $policyId');
export const PUBLISH_DRAFT_VERSION = policyMutation(
  'publishDraftVersion',
  '$input: PublishDraftVersionInput!',
  'input: $input',
);
export const OPEN_CONSULTATION = policyMutation('openConsultation', '$input: OpenConsultationInput!', 'input: $input');
export const EXTEND_CONSULTATION = policyMutation(
  'extendConsultation',
  '$input: ExtendConsultationInput!',
  'input: $input',
);
export const CLOSE_CONSULTATION = policyMutation(
  'closeConsultation',
  '$policyId: ID!, $reason: String!',
  'policyId: $policyId, reason: $reason',
);
export const ENACT_POLICY = policyMutation('enactPolicy', '$input: EnactPolicyInput!', 'input: $input');
export const WITHDRAW_POLICY = policyMutation(
  'withdrawPolicy',
  '$policyId: ID!, $reason: String!',
  'policyId: $policyId, reason: $reason',
);

export const COMMENT_FIELDS = `id policyId round version anchorNodeId anchorLabel parentCommentId body stance stakeholderCategory channel authorName status submittedAt receivedAt`;

export const SUBMIT_COMMENT = `mutation SubmitComment($input: SubmitCommentInput!) {
  submitComment(input: $input) {
    ${ERROR_FIELDS}
    ... on MutationSubmitCommentSuccess { data { position comment { ${COMMENT_FIELDS} } } }
  }
}`;

export const POLICY_QUERY = `query Policy($id: ID!) { policy(id: $id) { ${POLICY_FIELDS} } }`;

export const COMMENTS_QUERY = `query Comments($id: ID!, $first: Int, $after: String, $nodeId: ID, $wholeDraftOnly: Boolean) {
  policy(id: $id) {
    commentCount
    comments(first: $first, after: $after, nodeId: $nodeId, wholeDraftOnly: $wholeDraftOnly) {
      totalCount
      edges { cursor node { ${COMMENT_FIELDS} } }
      pageInfo { endCursor hasNextPage }
    }
  }
}`;

export interface PolicyView {
  id: string;
  title: string;
  summary: string;
  status: string;
  withdrawalReason: string | null;
  commentCount: number;
  owningOrganization: { id: string; name: string };
  currentVersion: { number: number; title: string; changeNote: string; nodes: NodeView[] } | null;
  currentRound: RoundView | null;
  rounds: RoundView[];
  enactment: { version: number; decisionNumber: string; effectiveDate: string; enactedAt: string } | null;
}
export interface NodeView {
  id: string;
  kind: string;
  number: string;
  heading: string;
  text: string;
  children?: NodeView[];
}
export interface RoundView {
  round: number;
  version: number;
  opensAt: string;
  closesAt: string;
  closedAt: string | null;
  answered: boolean;
  isOpen: boolean;
}

export async function getPolicy(api: Client, id: string): Promise<PolicyView | null> {
  return (await api.gql<{ policy: PolicyView | null }>(POLICY_QUERY, { id })).policy;
}

/** The organisation where the viewer may propose (viewer.staffOrganizations). */
export async function staffOrganizationId(api: Client): Promise<string> {
  const { viewer } = await api.gql<{ viewer: { staffOrganizations: { id: string }[] } | null }>(
    `{ viewer { staffOrganizations { id } } }`,
  );
  const id = viewer?.staffOrganizations[0]?.id;
  if (!id) throw new Error('the viewer is staff nowhere');
  return id;
}

/** A draft tree in Vietnamese: chương > điều > khoản > điểm. */
export function draftTree(): any[] {
  return [
    {
      kind: 'CHAPTER',
      number: 'I',
      heading: 'Quy định chung',
      text: '',
      children: [
        {
          kind: 'ARTICLE',
          number: '1',
          heading: 'Phạm vi điều chỉnh',
          text: 'Quy định này áp dụng cho các trường tiểu học và trung học cơ sở công lập trên địa bàn huyện.',
          children: [
            {
              kind: 'CLAUSE',
              number: '1',
              heading: '',
              text: 'Học sinh được sử dụng thư viện nhà trường miễn phí.',
              children: [
                { kind: 'POINT', number: 'a', heading: '', text: 'Mượn tối đa ba cuốn sách mỗi tuần;', children: [] },
                {
                  kind: 'POINT',
                  number: 'b',
                  heading: '',
                  text: 'Trả sách đúng hạn, giữ gìn sách cẩn thận.',
                  children: [],
                },
              ],
            },
          ],
        },
      ],
    },
  ];
}

/** Proposes a policy, starts drafting and (unless `publish` is false) publishes version 1. Returns its id. */
export async function draftedPolicy(
  staff: Client,
  organizationId: string,
  opts: { title?: string; publish?: boolean } = {},
): Promise<string> {
  const title = opts.title ?? `Quy định sử dụng thư viện trường học ${randomUUID().slice(0, 6)}`;
  const { proposePolicy } = await staff.gql<{ proposePolicy: ResultUnion }>(PROPOSE_POLICY, {
    input: { organizationId, title, summary: 'Dự thảo quy định về thư viện.', topics: ['thư viện'] },
  });
  const policyId = ok<{ policy: PolicyView }>(proposePolicy).policy.id;
  ok((await staff.gql<{ startDrafting: ResultUnion }>(START_DRAFTING, { policyId })).startDrafting);
  if (opts.publish !== false) {
    ok(
      (
        await staff.gql<{ publishDraftVersion: ResultUnion }>(PUBLISH_DRAFT_VERSION, {
          input: { policyId, title, changeNote: 'Bản dự thảo lần 1', nodes: draftTree() },
        })
      ).publishDraftVersion,
    );
  }
  return policyId;
}

export const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();
export const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

/** A drafted policy with version 1 published and a round open until `closesAt` (default: in 7 days). */
export async function openPolicy(staff: Client, organizationId: string, closesAt = inDays(7)): Promise<PolicyView> {
  const policyId = await draftedPolicy(staff, organizationId);
  const { openConsultation } = await staff.gql<{ openConsultation: ResultUnion }>(OPEN_CONSULTATION, {
    input: { policyId, closesAt, note: 'Lấy ý kiến rộng rãi.' },
  });
  return ok<{ policy: PolicyView }>(openConsultation).policy;
}

export async function submitComment(
  api: Client,
  input: {
    policyId: string;
    body: string;
    stance: string;
    idempotencyKey?: string;
    nodeId?: string | null;
    parentCommentId?: string;
  },
): Promise<ResultUnion> {
  const { submitComment: result } = await api.gql<{ submitComment: ResultUnion }>(SUBMIT_COMMENT, {
    input: { idempotencyKey: randomUUID(), ...input },
  });
  return result;
}

/* ------------------------------------------------------------------ subscriptions (SSE) */

export interface SseSubscription<T> {
  /** Every `next` payload received so far. */
  events: T[];
  /** Resolves with the first received payload that matches. */
  waitFor(match: (event: T) => boolean, timeoutMs: number): Promise<T>;
  close(): Promise<void>;
}

/**
 * Subscribes over GraphQL SSE (POST /graphql, accept: text/event-stream) and collects the `next` events.
 * Resolves once the subscription is live: yoga opens every event stream with a `:` comment, which the server reads
 * from the stream (and writes, headers included) only as it starts pulling from the subscription, i.e. once the
 * resolver is listening for changes. A change made after this resolves is pushed.
 */
export async function subscribe<T = Record<string, any>>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): Promise<SseSubscription<T>> {
  const controller = new AbortController();
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type') ?? '').toMatch(/^text\/event-stream/);
  const events: T[] = [];
  const errors: unknown[] = [];
  const waiters = new Set<() => void>();
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let opened!: () => void;
  const live = new Promise<void>((resolve) => (opened = resolve));
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        opened();
        let end: number;
        while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
          const lines = block.split(/\r?\n/);
          const event =
            lines
              .find((l) => l.startsWith('event:'))
              ?.slice(6)
              .trim() ?? 'message';
          const data = lines
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).replace(/^ /, ''))
            .join('\n');
          if (!data || event === 'complete') continue;
          const payload = JSON.parse(data) as { data?: T; errors?: unknown[] };
          if (payload.errors) errors.push(...payload.errors);
          if (payload.data) events.push(payload.data);
          for (const w of waiters) w();
        }
      }
    } catch (err) {
      if (!controller.signal.aborted) throw err;
    }
  })();
  const LIVE_WITHIN_MS = 10_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      live,
      pump.then(() => {
        throw new Error(`the event stream ended before it opened (subscription ${JSON.stringify(variables)})`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no opening bytes on the event stream within ${LIVE_WITHIN_MS} ms`)),
          LIVE_WITHIN_MS,
        );
      }),
    ]);
  } catch (err) {
    controller.abort();
    await pump.catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return {
    events,
    async waitFor(match, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        expect(errors, `subscription errors: ${JSON.stringify(errors)}`).toEqual([]);
        const found = events.find(match);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(`no matching subscription event within ${timeoutMs} ms; received ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, left);
          waiters.add(wake);
        });
      }
    },
    async close() {
      controller.abort();
      await pump.catch(() => undefined);
      expect(errors, `subscription errors: ${JSON.stringify(errors)}`).toEqual([]);
    },
  };
}

export const POLICY_CHANGED = `subscription PolicyChanged($id: ID!) { policyChanged(policyId: $id) { kind commentId position policyId } }`;
export interface PolicyChangedEvent {
  policyChanged: { kind: string; commentId: string | null; position: string; policyId: string };
}
