/**
 * Who may call what, for every mutation of the printed schema, as every kind of caller: signed out, an unconfirmed
 * account, a confirmed participant, a pupil with consent, and each organisation role (staff, moderator, spokesperson,
 * policymaker, admin, auditor) held in the target's own organisation and in another one. Each mutation is aimed at a
 * target in a known state where the caller's role is the only reason to refuse, and the outcome is compared with
 * EXPECTED below, written from DESIGN.md's table of roles (and, where it is silent, the README and the issues that
 * settled it), not from the code's role lists. A refusal must be the typed FORBIDDEN (signed in) or UNAUTHENTICATED
 * (signed out) member of the result union, in Vietnamese and English, and must store nothing: the log's head is read
 * before and after. A mutation the table lacks fails the test, so a new one cannot slip by.
 */
import { randomUUID } from 'node:crypto';
import { isEnumType, isListType, isNonNullType, isScalarType, isUnionType, type GraphQLField } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLOSE_CONSULTATION,
  ERROR_FIELDS,
  draftTree,
  draftedPolicy,
  expectRefusal,
  ok,
  openPolicy,
  signIn,
  signUp,
  stopPlatform,
  submitComment,
  uniqueEmail,
  VIETNAMESE_LETTER,
  verificationToken,
  verifiedParticipant,
  waitForMail,
  eventually,
  client,
  type Client,
  type ResultUnion,
} from './support';
import {
  ACTOR_KEYS,
  issuePupil,
  printedSchema,
  recordConsent,
  GRANT,
  signedInPupil,
  startWorld,
  type Actor,
  type ActorKey,
  type World,
} from './securityWorld';

/* ------------------------------------------------------------------ who may (written from DESIGN.md) */

type Rule = (a: Actor) => boolean;

const inOwn =
  (...roles: Actor['role'][]): Rule =>
  (a) =>
    a.org === 'own' && roles.includes(a.role);

/** Anyone, signed in or not: the session's own mutations (the token or the password is the proof). */
const ANYONE: Rule = () => true;
/**
 * A participant: any account with a confirmed email, or a pupil's account its school issued once consent is recorded
 * ("every verified account is a participant", README); staff of any organisation are participants too. Auditors read
 * everything and write nothing (DESIGN.md), so never.
 */
const PARTICIPANT: Rule = (a) => a.signedIn && a.verified && a.role !== 'auditor';
/** Any signed-in account, for what only concerns its own account (its notifications); never an auditor. */
const OWN_ACCOUNT: Rule = (a) => a.signedIn && a.role !== 'auditor';
/** The comment's author (the target comments of AUTHOR mutations are the participant's). */
const AUTHOR: Rule = (a) => a.key === 'participant';
/**
 * The drafting body's work: staff of the organisation that owns the target (DESIGN.md: staff propose, draft, run
 * rounds, record offline feedback, tag comments into themes, write responses), or an admin of it standing in (README:
 * "staff or admin (may propose and run consultations there)").
 */
const STAFF_WORK = inOwn('staff', 'admin');
/** DESIGN.md: a moderator hides and restores comments; nobody else. */
const MODERATOR = inOwn('moderator');
/** DESIGN.md: "the only role that approves and publishes a response digest or an official reply". */
const SPOKESPERSON = inOwn('spokesperson');
/** DESIGN.md: a policymaker enacts. */
const POLICYMAKER = inOwn('policymaker');
/** DESIGN.md: admins manage organisations, members and roles (an organisation's own, or a new one under it). */
const ADMIN = inOwn('admin');
/** Issue 9: a person asks to be forgotten and "an admin carries it out"; accounts belong to no organisation. */
const ANY_ADMIN: Rule = (a) => a.role === 'admin';
/**
 * The organisation's communication duties (DESIGN.md's communication plan: spot a surge early, speak through the
 * spokesperson, send semester reports upward): its staff and its spokesperson, an admin standing in (issue 11).
 */
const COMMUNICATION = inOwn('staff', 'spokesperson', 'admin');
/** Reading and weighing the feedback: the drafting body and the leader who reads it (DESIGN.md, issue 8). */
const ANALYSIS = inOwn('staff', 'admin', 'policymaker');
/** Ending a policy before enactment: the drafting body (issue 2, "staff withdraw a policy") or the leader who enacts. */
const WITHDRAWAL = inOwn('staff', 'admin', 'policymaker');

/* ------------------------------------------------------------------ calling a mutation from the schema */

const schema = printedSchema();
const mutationFields = schema.getMutationType()!.getFields();
const MUTATIONS = Object.keys(mutationFields).sort();

function typeText(type: GraphQLField<unknown, unknown>['args'][number]['type']): string {
  return type.toString();
}

/**
 * A document for one mutation with the given arguments as variables. A required enum argument the table leaves out
 * takes the enum's first value, so a new required choice does not break an entry that does not care about it.
 */
function mutationDocument(
  name: string,
  args: Record<string, unknown>,
  data = '',
): { query: string; variables: Record<string, unknown> } {
  const field = mutationFields[name];
  if (!field) throw new Error(`no mutation ${name} in the printed schema`);
  const variables: Record<string, unknown> = {};
  for (const arg of field.args) {
    if (arg.name in args) variables[arg.name] = args[arg.name];
    else if (isNonNullType(arg.type) && arg.defaultValue === undefined) {
      const inner = arg.type.ofType;
      if (isEnumType(inner)) variables[arg.name] = inner.getValues()[0]!.name;
      else throw new Error(`${name}: the required argument ${arg.name} has no value`);
    }
  }
  for (const key of Object.keys(args))
    if (!field.args.some((a) => a.name === key)) throw new Error(`${name} has no argument ${key}`);
  const declared = field.args.filter((a) => a.name in variables);
  const signature = declared.length ? `(${declared.map((a) => `$${a.name}: ${typeText(a.type)}`).join(', ')})` : '';
  const call = declared.length ? `(${declared.map((a) => `${a.name}: $${a.name}`).join(', ')})` : '';
  let result = field.type;
  if (isNonNullType(result)) result = result.ofType;
  const selection = isUnionType(result)
    ? `{ ${ERROR_FIELDS} ${data ? `... on Mutation${name[0]!.toUpperCase()}${name.slice(1)}Success { data { ${data} } }` : ''} }`
    : isScalarType(result) || isListType(result)
      ? ''
      : `{ __typename }`;
  return { query: `mutation Matrix${signature} { ${name}${call} ${selection} }`, variables };
}

/** Calls a mutation; a refusal comes back as the union member (never thrown), success as its data. */
async function call<T = any>(api: Client, name: string, args: Record<string, unknown>, data = ''): Promise<T> {
  const { query, variables } = mutationDocument(name, args, data);
  const result = (await api.gql<Record<string, ResultUnion>>(query, variables))[name]!;
  return ok<T>(result);
}

interface Outcome {
  success: boolean;
  typename: string;
  code?: string;
  rule?: string;
  messageVi?: string;
  messageEn?: string;
  topLevel?: string;
}

async function attempt(api: Client, name: string, args: Record<string, unknown>): Promise<Outcome> {
  const { query, variables } = mutationDocument(name, args);
  const res = await api.raw<Record<string, ResultUnion | boolean | null>>(query, variables);
  if (res.errors?.length)
    return {
      success: false,
      typename: 'top-level',
      code: String(res.errors[0]!.extensions?.code ?? ''),
      topLevel: res.errors.map((e) => e.message).join('; '),
    };
  const value = res.data[name];
  if (typeof value === 'boolean') return { success: value, typename: 'Boolean' };
  if (!value) return { success: false, typename: 'null' };
  return {
    success: value.__typename.endsWith('Success'),
    typename: value.__typename,
    code: value.code,
    rule: value.rule,
    messageVi: value.messageVi,
    messageEn: value.messageEn,
  };
}

/* ------------------------------------------------------------------ targets in known states */

let w: World;
/** Writes the comments others act on (never one of the actors, so no actor is refused as its author). */
let author: Client;
let staff: Client;
let moderator: Client;
let spokesperson: Client;
let counter = 0;
const next = () => ++counter;

const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

/** A policy in drafting, no version published yet. */
function drafting(): Promise<string> {
  return draftedPolicy(staff, w.ownOrgId, { publish: false });
}

/** A policy only proposed (drafting not started). */
async function justProposed(): Promise<string> {
  const data = await call<{ policy: { id: string } }>(
    staff,
    'proposePolicy',
    { input: { organizationId: w.ownOrgId, title: `Dự thảo quy định số ${next()}`, summary: 'Tóm tắt.' } },
    'policy { id }',
  );
  return data.policy.id;
}

type Round = { policyId: string; round: number };

async function openRound(): Promise<Round> {
  const policy = await openPolicy(staff, w.ownOrgId, inDays(7));
  return { policyId: policy.id, round: policy.currentRound!.round };
}

async function comment(by: Client, policyId: string): Promise<string> {
  const result = await submitComment(by, {
    policyId,
    body: `Ý kiến thứ ${next()} về dự thảo: đề nghị làm rõ phạm vi áp dụng.`,
    stance: 'SUGGESTION',
  });
  return ok<{ comment: { id: string } }>(result).comment.id;
}

async function close(policyId: string): Promise<void> {
  ok(
    (await staff.gql<{ closeConsultation: ResultUnion }>(CLOSE_CONSULTATION, { policyId, reason: 'Đủ ý kiến.' }))
      .closeConsultation,
  );
}

/** A round closed after `comments` comments, its digest started (no themes yet). */
async function closedWithDigest(comments = 0): Promise<Round & { commentIds: string[] }> {
  const round = await openRound();
  const commentIds: string[] = [];
  for (let i = 0; i < comments; i++) commentIds.push(await comment(author, round.policyId));
  await close(round.policyId);
  await call(staff, 'startDigest', round);
  return { ...round, commentIds };
}

async function theme(round: Round): Promise<string> {
  return (
    await call<{ theme: { id: string } }>(
      staff,
      'defineTheme',
      { ...pick(round), title: `Nhóm ý kiến ${next()}`, description: 'Về phạm vi áp dụng.' },
      'theme { id }',
    )
  ).theme.id;
}

async function hidden(): Promise<string> {
  const id = await comment(author, sharedOpen.policyId);
  await call(moderator, 'hideComment', { commentId: id, reason: 'Lời lẽ xúc phạm.', reasonCode: 'ABUSE' });
  return id;
}

/** An alert of the own organisation nobody has acknowledged: a burst of comments in a new round raises one. */
const usedAlerts = new Set<string>();
async function unacknowledgedAlert(): Promise<string> {
  const query = `query A($org: ID!) { alerts(organizationId: $org, unacknowledgedOnly: true) { id } }`;
  const free = async () =>
    (await staff.gql<{ alerts: { id: string }[] }>(query, { org: w.ownOrgId })).alerts.find(
      (a) => !usedAlerts.has(a.id),
    );
  let alert = await free();
  if (!alert) {
    const round = await openRound();
    for (let i = 0; i < 3; i++) await comment(author, round.policyId);
    alert = await eventually(free, 20_000, 'a surge alert on the own organisation');
  }
  usedAlerts.add(alert.id);
  return alert.id;
}

async function freshAccount(): Promise<{ email: string; password: string; id: string }> {
  const person = await verifiedParticipant(w.platform);
  const { viewer } = await person.api.gql<{ viewer: { account: { id: string } } }>(`{ viewer { account { id } } }`);
  return { email: person.email, password: person.password, id: viewer.account.id };
}

let sharedOpen: Round;
let sharedComment: string;
let participantComment: string;
let docxBase64: string;
let uploaded: { fileName: string; mediaType: string; sha256: string };

/* ------------------------------------------------------------------ the table */

interface Entry<T = any> {
  /** Who may: written from DESIGN.md, never from the code's role lists. */
  who: Rule;
  /** A target in a known state where only the caller's role can be the reason to refuse. */
  target: () => Promise<T>;
  args: (target: T, actor: Actor) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /**
   * After a success: `reuse` when the target still lets the next caller succeed (a new comment, another endorser),
   * `fresh` when the success used it up (a round closed, a token spent) and the next caller gets a new one.
   */
  after: 'reuse' | 'fresh';
  /** Call with a session of its own (signOut would end the caller's session the other calls use). */
  ownSession?: boolean;
  /**
   * Call as a fresh account standing where the actor stands (the same kind of account, the same role in the same
   * organisation, password TWIN_PASSWORD): a success ends its caller (eraseMyAccount), so the world's own actors must
   * not make it.
   */
  twin?: boolean;
}

const TWIN_PASSWORD = 'mật-khẩu-của-người-thay-thế-2026';

async function twinOf(actor: Actor): Promise<Client> {
  if (!actor.signedIn) return actor.api;
  if (actor.key === 'pupil') return (await signedInPupil(w.platform, TWIN_PASSWORD)).api;
  if (actor.key === 'unverified') {
    const person = await signUp(w.platform, { password: TWIN_PASSWORD });
    return signIn(w.platform, person.email, TWIN_PASSWORD);
  }
  const person = await verifiedParticipant(w.platform, { password: TWIN_PASSWORD });
  if (actor.role) {
    const admin = w.actor(actor.org === 'own' ? 'admin' : 'admin@other').api;
    const organizationId = actor.org === 'own' ? w.ownOrgId : w.otherOrgId;
    ok(
      (
        await admin.gql<{ grantRoles: ResultUnion }>(GRANT, {
          org: organizationId,
          email: person.email,
          roles: [actor.role.toUpperCase()],
        })
      ).grantRoles,
    );
  }
  return person.api;
}

const none = async () => null;

const EXPECTED: Record<string, Entry> = {
  /* policies */
  proposePolicy: {
    who: STAFF_WORK,
    target: none,
    args: () => ({
      input: { organizationId: w.ownOrgId, title: `Quy định mới ${next()}`, summary: 'Tóm tắt.', topics: ['thư viện'] },
    }),
    after: 'reuse',
  },
  startDrafting: { who: STAFF_WORK, target: justProposed, args: (policyId) => ({ policyId }), after: 'fresh' },
  publishDraftVersion: {
    who: STAFF_WORK,
    target: drafting,
    args: (policyId) => ({
      input: { policyId, title: 'Bản dự thảo', changeNote: `Lần ${next()}`, nodes: draftTree() },
    }),
    after: 'reuse',
  },
  openConsultation: {
    who: STAFF_WORK,
    target: () => draftedPolicy(staff, w.ownOrgId),
    args: (policyId) => ({ input: { policyId, closesAt: inDays(10), note: 'Lấy ý kiến.' } }),
    after: 'fresh',
  },
  extendConsultation: {
    who: STAFF_WORK,
    target: openRound,
    args: (r: Round) => ({ input: { policyId: r.policyId, closesAt: inDays(30), reason: 'Thêm thời gian.' } }),
    after: 'fresh',
  },
  closeConsultation: {
    who: STAFF_WORK,
    target: openRound,
    args: (r: Round) => ({ policyId: r.policyId, reason: 'Đủ ý kiến.' }),
    after: 'fresh',
  },
  enactPolicy: {
    who: POLICYMAKER,
    target: async () => {
      const round = await closedWithDigest();
      await call(spokesperson, 'approveDigest', pick(round));
      await call(spokesperson, 'publishDigest', pick(round));
      return round.policyId;
    },
    args: (policyId) => ({ input: { policyId, decisionNumber: `${next()}/QĐ-PGDĐT`, effectiveDate: '2027-09-01' } }),
    after: 'fresh',
  },
  withdrawPolicy: {
    who: WITHDRAWAL,
    target: () => draftedPolicy(staff, w.ownOrgId),
    args: (policyId) => ({ policyId, reason: 'Không còn phù hợp.' }),
    after: 'fresh',
  },
  importDraftDocx: {
    who: STAFF_WORK,
    target: () => draftedPolicy(staff, w.ownOrgId),
    args: (policyId) => ({ policyId, fileBase64: docxBase64 }),
    after: 'reuse',
  },
  attachVersionDocument: {
    who: STAFF_WORK,
    target: () => draftedPolicy(staff, w.ownOrgId),
    args: (policyId) => ({ policyId, version: 1, kind: 'TO_TRINH', title: `Tờ trình ${next()}`, file: uploaded }),
    after: 'reuse',
  },

  /* comments */
  submitComment: {
    who: PARTICIPANT,
    target: async () => sharedOpen.policyId,
    args: (policyId) => ({
      input: { policyId, body: 'Tôi đồng ý với dự thảo.', stance: 'SUPPORT', idempotencyKey: randomUUID() },
    }),
    after: 'reuse',
  },
  editComment: {
    who: AUTHOR,
    target: async () => participantComment,
    args: (commentId) => ({ commentId, body: `Tôi sửa ý kiến lần ${next()}.`, stance: 'NEUTRAL' }),
    after: 'reuse',
  },
  withdrawComment: {
    who: AUTHOR,
    target: () => comment(w.actor('participant').api, sharedOpen.policyId),
    args: (commentId) => ({ commentId, reason: 'Tôi đổi ý.' }),
    after: 'fresh',
  },
  endorseComment: {
    who: PARTICIPANT,
    target: async () => sharedComment,
    args: (commentId) => ({ commentId }),
    after: 'reuse',
  },
  flagComment: {
    who: PARTICIPANT,
    target: async () => sharedComment,
    args: (commentId) => ({ commentId, reason: 'OFF_TOPIC', note: 'Không liên quan.' }),
    after: 'reuse',
  },
  hideComment: {
    who: MODERATOR,
    target: () => comment(author, sharedOpen.policyId),
    args: (commentId) => ({ commentId, reason: 'Lời lẽ xúc phạm.', reasonCode: 'ABUSE' }),
    after: 'fresh',
  },
  restoreComment: {
    who: MODERATOR,
    target: hidden,
    args: (commentId) => ({ commentId, reason: 'Đã xem lại.' }),
    after: 'fresh',
  },
  redactComment: {
    who: MODERATOR,
    target: () => comment(author, sharedOpen.policyId),
    args: (commentId) => ({ commentId, reason: 'Có số điện thoại cá nhân.' }),
    after: 'fresh',
  },
  postOfficialReply: {
    who: SPOKESPERSON,
    target: async () => sharedComment,
    args: (commentId) => ({ commentId, body: 'Cơ quan soạn thảo xin tiếp thu.' }),
    after: 'reuse',
  },
  recordOfflineFeedback: {
    who: STAFF_WORK,
    target: async () => sharedOpen.policyId,
    args: (policyId) => ({
      input: {
        policyId,
        channel: 'LETTER',
        receivedAt: new Date().toISOString(),
        stakeholderCategory: 'PARENT',
        body: 'Thư góp ý của phụ huynh.',
        stance: 'SUGGESTION',
        idempotencyKey: randomUUID(),
      },
    }),
    after: 'reuse',
  },

  /* digests */
  startDigest: {
    who: STAFF_WORK,
    target: async () => {
      const round = await openRound();
      await close(round.policyId);
      return round;
    },
    args: (r: Round) => ({ ...r }),
    after: 'fresh',
  },
  defineTheme: {
    who: STAFF_WORK,
    target: () => closedWithDigest(),
    args: (r: Round) => ({ policyId: r.policyId, round: r.round, title: `Nhóm ${next()}`, description: 'Mô tả.' }),
    after: 'reuse',
  },
  assignCommentsToTheme: {
    who: STAFF_WORK,
    target: async () => {
      const round = await closedWithDigest(1);
      return { ...round, themeId: await theme(round) };
    },
    args: (t: Round & { commentIds: string[]; themeId: string }) => ({
      policyId: t.policyId,
      round: t.round,
      themeIds: [t.themeId],
      commentIds: t.commentIds,
    }),
    after: 'reuse',
  },
  answerTheme: {
    who: STAFF_WORK,
    target: async () => {
      const round = await closedWithDigest();
      return { ...round, themeId: await theme(round) };
    },
    args: (t: Round & { themeId: string }) => ({
      policyId: t.policyId,
      round: t.round,
      themeId: t.themeId,
      decision: 'ACCEPTED',
      explanation: 'Tiếp thu.',
    }),
    after: 'reuse',
  },
  approveDigest: {
    who: SPOKESPERSON,
    target: () => closedWithDigest(),
    args: (r: Round) => ({ ...pick(r) }),
    after: 'fresh',
  },
  publishDigest: {
    who: SPOKESPERSON,
    target: async () => {
      const round = await closedWithDigest();
      await call(spokesperson, 'approveDigest', pick(round));
      return round;
    },
    args: (r: Round) => ({ ...pick(r) }),
    after: 'fresh',
  },

  /* analysis */
  confirmDuplicateGroup: {
    who: ANALYSIS,
    target: async () => [await comment(author, sharedOpen.policyId), await comment(author, sharedOpen.policyId)],
    args: ([first, second]: string[]) => ({
      input: {
        policyId: sharedOpen.policyId,
        round: sharedOpen.round,
        commentIds: [first, second],
        representativeCommentId: first,
      },
    }),
    after: 'fresh',
  },
  undoDuplicateGroup: {
    who: ANALYSIS,
    target: async () => {
      const [first, second] = [await comment(author, sharedOpen.policyId), await comment(author, sharedOpen.policyId)];
      const data = await call<{ group: { id: string } }>(
        staff,
        'confirmDuplicateGroup',
        { input: { ...sharedOpen, commentIds: [first, second], representativeCommentId: first } },
        'group { id }',
      );
      return data.group.id;
    },
    args: (groupId) => ({ groupId, reason: 'Không trùng lặp.' }),
    after: 'fresh',
  },

  /* organisations */
  grantRoles: {
    who: ADMIN,
    target: freshAccount,
    args: (person: { email: string }) => ({ organizationId: w.ownOrgId, email: person.email, roles: ['MODERATOR'] }),
    after: 'fresh',
  },
  registerOrganization: {
    who: ADMIN,
    target: none,
    args: () => ({
      parentOrganizationId: w.ownOrgId,
      name: `Trường Tiểu học số ${next()}`,
      kind: 'SCHOOL',
      levels: ['TH'],
    }),
    after: 'reuse',
  },
  addCommunicationChannel: {
    who: STAFF_WORK,
    target: none,
    args: () => ({ organizationId: w.ownOrgId, kind: 'ZALO_PAGE', name: `Trang Zalo ${next()}` }),
    after: 'reuse',
  },
  retireCommunicationChannel: {
    who: STAFF_WORK,
    target: async () =>
      (
        await call<{ channel: { id: string } }>(
          staff,
          'addCommunicationChannel',
          { organizationId: w.ownOrgId, kind: 'EMAIL_LIST', name: `Danh sách thư ${next()}` },
          'channel { id }',
        )
      ).channel.id,
    args: (channelId) => ({ organizationId: w.ownOrgId, channelId, reason: 'Không dùng nữa.' }),
    after: 'fresh',
  },

  /* early warning and reports */
  acknowledgeAlert: {
    who: COMMUNICATION,
    target: unacknowledgedAlert,
    args: (alertId) => ({ alertId, note: 'Đã xem.' }),
    after: 'fresh',
  },
  reportIncident: {
    who: COMMUNICATION,
    target: none,
    args: () => ({ organizationId: w.ownOrgId, summary: `Sự việc ${next()} trên mạng xã hội.` }),
    after: 'reuse',
  },
  compileSemesterReport: {
    who: COMMUNICATION,
    target: none,
    args: () => ({ organizationId: w.ownOrgId, period: '2024-2025-S1', remarks: 'Không có gì bất thường.' }),
    after: 'reuse',
  },
  submitSemesterReport: {
    who: COMMUNICATION,
    target: async () => {
      const first = 2000 + next();
      const period = `${first}-${first + 1}-S2`;
      await call(staff, 'compileSemesterReport', { organizationId: w.ownOrgId, period, remarks: '' });
      return period;
    },
    args: (period) => ({ organizationId: w.ownOrgId, period }),
    after: 'fresh',
  },

  /* pupils */
  issuePupilAccounts: {
    who: STAFF_WORK,
    target: none,
    args: () => ({
      organizationId: w.ownOrgId,
      className: '6A',
      pupils: [{ displayName: 'Trần Gia Huy', birthYear: new Date().getUTCFullYear() - 11 }],
    }),
    after: 'reuse',
  },
  recordConsent: {
    who: STAFF_WORK,
    target: async () => (await issuePupil(staff, w.ownOrgId)).accountId,
    args: (accountId) => ({
      accountId,
      givenBy: 'GUARDIAN',
      guardianName: 'Trần Thị Mai',
      relationship: 'MOTHER',
      method: 'PAPER_FORM',
    }),
    after: 'fresh',
  },
  withdrawConsent: {
    who: STAFF_WORK,
    target: async () => {
      const pupil = await issuePupil(staff, w.ownOrgId);
      return { accountId: pupil.accountId, consentId: await recordConsent(staff, pupil.accountId) };
    },
    args: (t: { accountId: string; consentId: string }) => ({ ...t, reason: 'Phụ huynh đề nghị.' }),
    after: 'fresh',
  },

  /* following */
  followPolicy: {
    who: PARTICIPANT,
    target: async () => sharedOpen.policyId,
    args: (policyId) => ({ policyId }),
    after: 'reuse',
  },
  unfollowPolicy: {
    who: PARTICIPANT,
    target: async () => sharedOpen.policyId,
    args: (policyId) => ({ policyId }),
    after: 'reuse',
  },
  markNotificationsRead: { who: OWN_ACCOUNT, target: none, args: () => ({}), after: 'reuse' },

  /* accounts and sessions: the token, the code or the password is the proof, whoever sends it */
  signUp: {
    who: ANYONE,
    target: none,
    args: () => ({
      input: {
        email: uniqueEmail(),
        password: 'mật-khẩu-đủ-dài-123',
        displayName: 'Ngô Văn Năm',
        stakeholderCategory: 'CITIZEN',
      },
    }),
    after: 'reuse',
  },
  verifyEmail: {
    who: ANYONE,
    target: async () => verificationToken(w.platform, (await signUp(w.platform)).email),
    args: (token) => ({ token }),
    after: 'fresh',
  },
  signIn: {
    who: ANYONE,
    target: freshAccount,
    args: (person: { email: string; password: string }) => ({ email: person.email, password: person.password }),
    after: 'reuse',
  },
  signInWithCode: {
    who: ANYONE,
    target: () => issuePupil(staff, w.ownOrgId),
    args: (pupil: { signInName: string; code: string }) => ({
      signInName: pupil.signInName,
      code: pupil.code,
      password: 'mật-khẩu-học-sinh-mới-1',
    }),
    after: 'fresh',
  },
  signOut: { who: ANYONE, target: none, args: () => ({}), after: 'reuse', ownSession: true },
  requestPasswordReset: {
    who: ANYONE,
    target: async () => (await freshAccount()).email,
    args: (email) => ({ email }),
    after: 'reuse',
  },
  resetPassword: {
    who: ANYONE,
    target: async () => {
      const person = await signUp(w.platform);
      await client(w.platform.baseUrl).gql(`mutation R($e: String!) { requestPasswordReset(email: $e) }`, {
        e: person.email,
      });
      const escaped = w.platform.baseUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const { match } = await waitForMail(
        w.platform,
        person.email,
        new RegExp(`${escaped}/reset-password\\?token=([A-Za-z0-9_-]+)`),
      );
      return match[1]!;
    },
    args: (token) => ({ token, password: 'mật-khẩu-mới-đủ-dài-456' }),
    after: 'fresh',
  },
  eraseAccount: {
    who: ANY_ADMIN,
    target: async () => (await freshAccount()).id,
    args: (accountId) => ({ accountId, requestReference: `Đơn số ${next()}`, comments: 'DESTROY' }),
    after: 'fresh',
  },
  // Anyone signed in erases their own account (and no one else's: there is no target but the caller), except an
  // auditor, who changes nothing; the caller is a twin, since a success erases it.
  eraseMyAccount: {
    who: (a) => a.signedIn && a.role !== 'auditor',
    target: none,
    args: () => ({ password: TWIN_PASSWORD, comments: 'ANONYMOUS' }),
    after: 'reuse',
    twin: true,
  },
};

function pick(r: Round): Round {
  return { policyId: r.policyId, round: r.round };
}

/* ------------------------------------------------------------------ running it */

/** Refused callers first on the shared target, then those allowed (each on a target a success did not use up). */
function order(entry: Entry): Actor[] {
  const actors = ACTOR_KEYS.map((k) => w.actor(k));
  return [...actors.filter((a) => !entry.who(a)), ...actors.filter((a) => entry.who(a))];
}

const cells: { mutation: string; actor: ActorKey; allowed: boolean }[] = [];

async function sessionFor(actor: Actor, entry: Entry): Promise<Client> {
  if (entry.twin) return twinOf(actor);
  if (!entry.ownSession || !actor.credentials) return actor.api;
  return signIn(w.platform, actor.credentials.email, actor.credentials.password);
}

async function checkMutation(name: string): Promise<string[]> {
  const entry = EXPECTED[name];
  if (!entry) return [`${name}: no entry in EXPECTED (add who may call it, a target and its arguments)`];
  const problems: string[] = [];
  let target = await entry.target();
  let usedUp = false;
  for (const actor of order(entry)) {
    if (usedUp) {
      target = await entry.target();
      usedUp = false;
    }
    const args = await entry.args(target, actor);
    const api = await sessionFor(actor, entry);
    await w.log.appended(); // the head, after whatever the set-up wrote
    const outcome = await attempt(api, name, args);
    const stored = await w.log.appendedByRequests();
    const allowed = entry.who(actor);
    cells.push({ mutation: name, actor: actor.key, allowed });
    const seen = `${outcome.typename} ${outcome.code ?? ''} ${outcome.rule ?? ''} ${outcome.topLevel ?? ''}`.trim();
    if (outcome.success) {
      if (entry.after === 'fresh') usedUp = true;
      if (!allowed)
        problems.push(`${actor.key}: succeeded, but may not (stored ${stored.map((e) => e.type).join(', ')})`);
      continue;
    }
    if (allowed) {
      problems.push(`${actor.key}: refused (${seen}), but may`);
      continue;
    }
    const expected = actor.signedIn
      ? { typename: 'ForbiddenError', code: 'FORBIDDEN' }
      : { typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED' };
    if (outcome.typename !== expected.typename || outcome.code !== expected.code)
      problems.push(`${actor.key}: refused as ${seen}, expected ${expected.typename} ${expected.code}`);
    if (
      !VIETNAMESE_LETTER.test(outcome.messageVi ?? '') ||
      !outcome.messageEn ||
      VIETNAMESE_LETTER.test(outcome.messageEn)
    )
      problems.push(`${actor.key}: refused without a message in Vietnamese and one in English (${seen})`);
    if (stored.length > 0)
      problems.push(`${actor.key}: refused, yet stored ${stored.map((e) => `${e.type} on ${e.streamId}`).join(', ')}`);
  }
  return problems;
}

beforeAll(async () => {
  w = await startWorld({
    // A burst of three comments in a round's first hour raises an alert to acknowledge.
    GOPY_SURGE_INTERVAL_MS: '300',
    GOPY_SURGE_MIN_BASELINE_HOURS: '0',
    GOPY_SURGE_MIN_COMMENTS: '3',
  });
  staff = w.actor('staff').api;
  moderator = w.actor('moderator').api;
  spokesperson = w.actor('spokesperson').api;
  author = (await verifiedParticipant(w.platform, { displayName: 'Võ Thị Sáu' })).api;
  sharedOpen = await openRound();
  sharedComment = await comment(author, sharedOpen.policyId);
  participantComment = await comment(w.actor('participant').api, sharedOpen.policyId);
  // A real .docx: the version download of a drafted policy, as staff would import it back.
  const drafted = await draftedPolicy(staff, w.ownOrgId);
  const docx = await fetch(`${w.platform.baseUrl}/export/policies/${drafted}/versions/1.docx`, {
    headers: { authorization: `Bearer ${staff.token}` },
  });
  expect(docx.status).toBe(200);
  docxBase64 = Buffer.from(await docx.arrayBuffer()).toString('base64');
  const pdf = Buffer.from('%PDF-1.4\n% Tờ trình dự thảo\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
  const upload = await fetch(`${w.platform.baseUrl}/attachments`, {
    method: 'POST',
    headers: { 'content-type': 'application/pdf', authorization: `Bearer ${staff.token}` },
    body: new Uint8Array(pdf),
  });
  expect(upload.status).toBe(201);
  const { sha256 } = (await upload.json()) as { sha256: string };
  uploaded = { fileName: 'to-trinh.pdf', mediaType: 'application/pdf', sha256 };
}, 300_000);

afterAll(async () => {
  await stopPlatform(w?.platform);
  if (cells.length) {
    const allowed = cells.filter((c) => c.allowed).length;
    console.log(
      `authorisation matrix: ${new Set(cells.map((c) => c.mutation)).size} mutations × ${ACTOR_KEYS.length} callers = ${cells.length} calls (${allowed} allowed, ${cells.length - allowed} refused)`,
    );
  }
});

describe('the authorisation matrix', () => {
  it('has an entry for every mutation of the printed schema, and none for a mutation it no longer has', () => {
    expect(
      MUTATIONS.filter((m) => !(m in EXPECTED)),
      'mutations without an entry in EXPECTED',
    ).toEqual([]);
    expect(
      Object.keys(EXPECTED).filter((m) => !MUTATIONS.includes(m)),
      'entries of mutations gone',
    ).toEqual([]);
  });

  for (const name of MUTATIONS) {
    it(`${name}: allowed exactly for whom DESIGN.md says, refused otherwise with nothing stored`, async () => {
      expect(await checkMutation(name)).toEqual([]);
    });
  }
});

describe('found by the matrix', () => {
  it('an unconfirmed account may not follow a policy: its notification mails would go to an address nobody confirmed', async () => {
    const unverified = w.actor('unverified').api;
    for (const name of ['followPolicy', 'unfollowPolicy']) {
      const { query, variables } = mutationDocument(name, { policyId: sharedOpen.policyId });
      await w.log.appended();
      const result = (await unverified.gql<Record<string, ResultUnion>>(query, variables))[name]!;
      expectRefusal(result, { typename: 'ForbiddenError', code: 'FORBIDDEN', rule: 'EMAIL_NOT_VERIFIED' });
      expect(await w.log.appendedByRequests()).toEqual([]);
    }
  });
});

describe('a refusal tells nothing about its target', () => {
  it('grantRoles refuses a registered and an unknown email alike to whoever may not grant (no account enumeration)', async () => {
    const registered = w.actor('participant').credentials!.email;
    for (const key of ['participant', 'unverified', 'staff', 'admin@other'] as ActorKey[]) {
      const answers: string[] = [];
      for (const email of [registered, uniqueEmail()]) {
        const outcome = await attempt(w.actor(key).api, 'grantRoles', {
          organizationId: w.ownOrgId,
          email,
          roles: ['STAFF'],
        });
        answers.push(`${outcome.typename} ${outcome.code} ${outcome.rule}`);
      }
      expect(answers, key).toEqual(['ForbiddenError FORBIDDEN ADMIN_ONLY', 'ForbiddenError FORBIDDEN ADMIN_ONLY']);
    }
  });
});
