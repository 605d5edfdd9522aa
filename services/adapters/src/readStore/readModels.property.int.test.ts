/**
 * The read models against an independent fold of the log, for generated histories.
 *
 * fast-check generates a list of actions (propose, draft, open, comment, reply, edit, withdraw, flag, hide, restore,
 * redact, endorse, official replies, tags, themes, digests, duplicate groups, the clock moving on...). Each is run through
 * the application's command handlers and so through the real deciders and write path into a SQLite event store; a
 * refusal by a decider is part of the history (nothing is appended). The real projector applies the log to SQLite after
 * every action (batches of one command, as the embedded runtime does) and, at the end, to a fresh PostgreSQL schema in
 * one replay with a generated batch size. Then the rows of the policies, comments, comment counts, digests and analysis
 * read models, the analysis figures under every filter and the theme counts of the digest page are compared with what
 * `expectedFrom(log)` below folds from the same log: a plain reduction of the events written for this test, sharing no
 * code with the projections.
 *
 * `npm test` runs GOPY_PROPERTY_RUNS (default 30) histories; e.g. GOPY_PROPERTY_RUNS=500 for a longer search, and
 * GOPY_PROPERTY_SEED (with GOPY_PROPERTY_PATH) to replay a failure fast-check reported.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { v5 as uuidv5 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FlagReasons,
  StakeholderCategories,
  Stances,
  ThemeDecisions,
  streams,
  type DomainEvent,
  type DraftNode,
  type EventMetadata,
  type Role,
} from '@gopy/schemas';
import { DomainError } from '@gopy/domain/errors';
import { AnalysisCommands } from '@gopy/application/analysisCommands';
import { CommandHandlers, commentIdFor, policyAggregate, type Principal } from '@gopy/application/commands';
import { DigestHandlers } from '@gopy/application/digests';
import { Projector } from '@gopy/application/projector';
import { allReadModels, analysisQueries, digestQueries, type ReadDb } from '@gopy/application/readModels/index';
import { WritePath, decodeRecorded } from '@gopy/application/writePath';
import { openSqliteEventStore, type SqliteEventStore } from '../eventStore/sqliteEventStore';
import { SqliteKeyStore } from '../keyStore/sqliteKeyStore';
import { createThrowawayDatabase } from '../postgres/throwawayDatabase';
import { openPostgresReadStore } from './postgresReadStore';
import { openSqliteReadStore } from './sqliteReadStore';

const RUNS = Number(process.env.GOPY_PROPERTY_RUNS ?? 30);
const SEED = process.env.GOPY_PROPERTY_SEED === undefined ? undefined : Number(process.env.GOPY_PROPERTY_SEED);
const PATH = process.env.GOPY_PROPERTY_PATH;

/* ------------------------------------------------------------------ the world each history starts from */

const NS = '0b7d3c52-5d1e-4f7a-9f0e-2b6c1a9d4e70';
const id = (name: string) => uuidv5(name, NS);
const ORG = id('org');
const PARTICIPANTS = ['An', 'Bình', 'Chi', 'Dũng'].map((name, i) => ({
  accountId: id(`participant-${i}`),
  displayName: `Nguyễn Văn ${name}`,
  category: (['parent', 'teacher', 'school_manager', 'citizen'] as const)[i]!,
}));
const principal = (accountId: string, roles: Role[]): Principal => ({ accountId, rolesIn: async () => roles });
const STAFF = principal(id('staff'), ['staff']);
const MODERATOR = principal(id('moderator'), ['moderator']);
const SPOKESPERSON = principal(id('spokesperson'), ['spokesperson']);
const POLICYMAKER = principal(id('policymaker'), ['policymaker']);
const SCHEDULER = principal('00000000-0000-0000-0000-000000000000', []);
const participant = (i: number) => principal(PARTICIPANTS[i % PARTICIPANTS.length]!.accountId, ['participant']);

/** The nodes a policy's versions are drawn from: ids and kinds are stable, numbers change between versions. */
const NODE_POOL: { key: string; kind: DraftNode['kind']; parent: string | null }[] = [
  { key: 'c1', kind: 'chapter', parent: null },
  { key: 'a1', kind: 'article', parent: 'c1' },
  { key: 'k1', kind: 'clause', parent: 'a1' },
  { key: 'k2', kind: 'clause', parent: 'a1' },
  { key: 'p1', kind: 'point', parent: 'k1' },
  { key: 'a2', kind: 'article', parent: null },
  { key: 'k3', kind: 'clause', parent: 'a2' },
];
const nodeId = (policyId: string, key: string) => id(`${policyId}-node-${key}`);

/** A version's tree: the nodes whose bit is set in `shape` (and whose parent is kept), renumbered by `numbering`. */
function treeOf(policyId: string, shape: number, numbering: number): DraftNode[] {
  const kept = new Set(NODE_POOL.filter((n, i) => i === 0 || (shape >> i) & 1).map((n) => n.key));
  const build = (parent: string | null): DraftNode[] =>
    NODE_POOL.filter((n) => n.parent === parent && kept.has(n.key)).map((n, i) => ({
      nodeId: nodeId(policyId, n.key),
      kind: n.kind,
      number: n.kind === 'point' ? 'abc'[(i + numbering) % 3]! : String(i + 1 + (numbering % 3)),
      heading: n.kind === 'chapter' || n.kind === 'article' ? `Tiêu đề ${n.key} (${numbering})` : '',
      text: `Nội dung ${n.key}, bản ${numbering}.`,
      children: build(n.key),
    }));
  return build(null);
}

/* ------------------------------------------------------------------ actions */

const pick = fc.nat({ max: 1_000 });
const action = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('step' as const), policy: fc.nat(1), pick }) },
  {
    weight: 14,
    arbitrary: fc.record({
      k: fc.constant('submit' as const),
      policy: fc.nat(1),
      author: fc.nat(3),
      anchor: pick,
      parent: fc.option(pick, { freq: 2 }),
      stance: fc.constantFrom(...Stances),
      pseudonym: fc.boolean(),
      again: fc.constantFrom('no', 'no', 'no', 'same', 'other'),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('offline' as const),
      policy: fc.nat(1),
      anchor: pick,
      sender: fc.nat(2),
      channel: fc.constantFrom('email', 'letter', 'meeting', 'press'),
      category: fc.constantFrom(...StakeholderCategories),
      account: fc.option(fc.nat(3)),
      when: pick,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ k: fc.constant('edit' as const), target: pick, stance: fc.constantFrom(...Stances) }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('withdraw' as const), target: pick }) },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('flag' as const),
      target: pick,
      by: fc.nat(3),
      reason: fc.constantFrom(...FlagReasons),
      note: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ k: fc.constant('hide' as const), target: pick, reason: fc.constantFrom(...FlagReasons) }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('restore' as const), target: pick }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('redact' as const), target: pick }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('endorse' as const), target: pick, by: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('officialReply' as const), target: pick }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('tag' as const), target: pick, tags: fc.nat(7) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('theme' as const), policy: fc.nat(1), pick }) },
  {
    weight: 3,
    arbitrary: fc.record({
      k: fc.constant('assign' as const),
      policy: fc.nat(1),
      themes: fc.array(pick, { minLength: 1, maxLength: 2 }),
      comments: fc.array(pick, { maxLength: 4 }),
      unassign: fc.array(pick, { maxLength: 2 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('answer' as const),
      policy: fc.nat(1),
      theme: pick,
      decision: fc.constantFrom(...ThemeDecisions),
      sections: fc.nat(127),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('approve' as const), policy: fc.nat(1) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('group' as const),
      policy: fc.nat(1),
      comments: fc.array(pick, { minLength: 2, maxLength: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('ungroup' as const), pick }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('time' as const), minutes: fc.integer({ min: 5, max: 3_000 }) }) },
);
type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

const history = fc.record({
  actions: fc.array(action, { minLength: 20, maxLength: 80, size: 'max' }),
  pgBatchSize: fc.integer({ min: 1, max: 64 }),
});

/** Histories that once found a projection wrong, run before the generated ones. */
const submit = (author: number, o: Partial<Extract<Action, { k: 'submit' }>> = {}): Action => ({
  k: 'submit',
  policy: 0,
  author,
  anchor: 0,
  parent: null,
  stance: 'support',
  pseudonym: false,
  again: 'no',
  ...o,
});
const on = (k: 'withdraw' | 'restore' | 'redact', target: number): Action => ({ k, target });
const hide = (target: number): Action => ({ k: 'hide', target, reason: 'spam' });
const FOUND: { actions: Action[]; pgBatchSize: number }[] = [
  // A withdrawn comment, hidden and restored by a moderator, showed again (and counted) as visible.
  { actions: [submit(0), on('withdraw', 0), hide(0), on('restore', 0)], pgBatchSize: 2 },
  { actions: [submit(0), hide(0), on('withdraw', 0), on('restore', 0)], pgBatchSize: 1 },
  // A hidden or withdrawn reply still counted in its parent's replyCount, which the thread does not show.
  {
    actions: [submit(0), submit(1, { parent: 0 }), hide(1), submit(2, { parent: 0 }), on('withdraw', 2)],
    pgBatchSize: 5,
  },
  // A redacted pseudonymous comment: rebuilt from the log (the pseudonym's key gone), it showed its author's real name.
  { actions: [submit(0, { pseudonym: true }), on('redact', 0)], pgBatchSize: 64 },
];

/* ------------------------------------------------------------------ running a history */

interface Run {
  /** Fresh ids in every history: the projections may cache what never changes for an id (a published version). */
  policies: string[];
  store: SqliteEventStore;
  keys: SqliteKeyStore;
  readDb: ReadDb;
  close(): Promise<void>;
  projector: Projector;
  commands: CommandHandlers;
  digests: DigestHandlers;
  analysis: AnalysisCommands;
  writePath: WritePath;
  clock: { now(): Date; advance(minutes: number): void };
  /** Every comment id ever attempted, by policy (comments of both rounds and both policies). */
  comments: {
    id: string;
    policy: number;
    author: number | null;
    key: string;
    body: string;
    stance: string;
    anchor: string | null;
  }[];
  themes: Map<string, string[]>;
  groups: string[];
  counter: number;
  refused: Map<string, number>;
}

let runs = 0;

async function openRun(): Promise<Run> {
  const runNo = ++runs;
  const store = openSqliteEventStore({ filename: ':memory:' });
  const keys = new SqliteKeyStore(':memory:', randomBytes(32));
  const read = openSqliteReadStore(':memory:');
  let now = Date.parse('2026-09-07T01:00:00.000Z');
  const clock = {
    now: () => new Date(now),
    advance: (minutes: number) => {
      now += minutes * 60_000;
    },
  };
  const writePath = new WritePath({ store, keys, clock });
  const projector = new Projector({ store, db: read.db, keys, readModels: allReadModels });
  await projector.init();
  const commands = new CommandHandlers(writePath, clock);
  for (const p of PARTICIPANTS) {
    await commands.account(
      {
        type: 'RegisterAccount',
        accountId: p.accountId,
        email: `${p.accountId}@example.vn`,
        displayName: p.displayName,
        pseudonym: null,
        stakeholderCategory: p.category,
        personalDataKeyId: p.accountId,
        origin: 'self',
        issuedByOrganizationId: null,
        preferredLocale: 'vi',
      },
      null,
      ['participant'],
    );
    // Endorsing and flagging need a confirmed email (issue 15): these participants confirmed theirs.
    await commands.account({ type: 'VerifyEmail', accountId: p.accountId }, null, ['participant']);
  }
  return {
    policies: [id(`run-${runNo}-policy-0`), id(`run-${runNo}-policy-1`)],
    store,
    keys,
    readDb: read.db,
    close: async () => {
      await read.close();
      await keys.close();
      await store.close();
    },
    projector,
    commands,
    digests: new DigestHandlers({ writePath, clock, readDb: read.db }),
    analysis: new AnalysisCommands(writePath, clock, read.db),
    writePath,
    clock,
    comments: [],
    themes: new Map(),
    groups: [],
    counter: runNo * 100_000,
    refused: new Map(),
  };
}

const at = <T>(list: readonly T[], n: number): T | undefined => (list.length ? list[n % list.length] : undefined);

async function policyState(run: Run, policy: number) {
  return (
    await run.writePath.load(
      streams.policy(run.policies[policy]!),
      policyAggregate.initialState,
      policyAggregate.evolve,
    )
  ).state;
}

/** Runs one action; a refusal by the domain is recorded and the history goes on. */
async function perform(run: Run, a: Action): Promise<void> {
  const next = () => id(`run-object-${run.counter++}`);
  const comment = (n: number) => at(run.comments, n);
  try {
    switch (a.k) {
      case 'step':
        return await step(run, a.policy, a.pick);
      case 'submit': {
        const state = await policyState(run, a.policy);
        const round = state.currentRound;
        const version = round?.version ?? Math.max(1, state.latestVersion);
        const anchors = state.versions[version]?.nodeIds ?? [];
        const anchor = a.anchor % 3 === 0 ? null : (at(anchors, a.anchor) ?? null);
        const earlier =
          a.again === 'no'
            ? undefined
            : at(
                run.comments.filter((c) => c.author === a.author),
                a.anchor,
              );
        const key = earlier?.key ?? `key-${run.counter++}`;
        const body =
          earlier && a.again === 'same'
            ? earlier.body
            : `Góp ý số ${run.counter} về trường học và học phí (${a.stance}).`;
        const stance = earlier && a.again === 'same' ? earlier.stance : a.stance;
        const author = PARTICIPANTS[a.author]!;
        const commentId = commentIdFor(author.accountId, key);
        const parent = a.parent === null ? null : (comment(a.parent)?.id ?? null);
        if (!earlier)
          run.comments.push({ id: commentId, policy: a.policy, author: a.author, key, body, stance, anchor });
        await run.commands.comment(
          {
            type: 'SubmitComment',
            commentId,
            policyId: run.policies[a.policy]!,
            version,
            anchorNodeId: earlier && a.again === 'same' ? earlier.anchor : anchor,
            parentCommentId: parent,
            body,
            stance: stance as (typeof Stances)[number],
            stakeholderCategory: author.category,
            authorAccountId: author.accountId,
            pseudonym: a.pseudonym ? `Phụ huynh ${a.author}` : null,
            idempotencyKey: key,
          },
          participant(a.author),
        );
        return;
      }
      case 'offline': {
        const state = await policyState(run, a.policy);
        const round = state.currentRound;
        const opens = Date.parse(round?.opensAt ?? run.clock.now().toISOString());
        const ends = Math.min(run.clock.now().getTime(), Date.parse(round?.closesAt ?? run.clock.now().toISOString()));
        const receivedAt = new Date(opens + Math.floor(((ends - opens) * (a.when % 100)) / 100)).toISOString();
        const anchors = state.versions[round?.version ?? 0]?.nodeIds ?? [];
        const commentId = next();
        run.comments.push({
          id: commentId,
          policy: a.policy,
          author: null,
          key: commentId,
          body: '',
          stance: '',
          anchor: null,
        });
        await run.commands.comment(
          {
            type: 'RecordOfflineFeedback',
            commentId,
            policyId: run.policies[a.policy]!,
            channel: a.channel,
            receivedAt,
            offlineSender:
              a.sender === 0
                ? null
                : {
                    senderId: next(),
                    name: 'Bà Trần Thị Hoà',
                    organization: a.sender === 2 ? 'Hội Cha mẹ học sinh Trường Tiểu học Hoà Bình' : null,
                    contact: null,
                  },
            stakeholderCategory: a.category,
            body: `Thư góp ý ${commentId.slice(0, 4)} gửi Phòng Giáo dục.`,
            stance: 'suggestion',
            anchorNodeId: a.when % 2 ? (at(anchors, a.when) ?? null) : null,
            authorAccountId: a.account === null ? null : PARTICIPANTS[a.account]!.accountId,
            idempotencyKey: commentId,
          },
          STAFF,
        );
        return;
      }
      case 'edit': {
        const c = comment(a.target);
        if (!c) return;
        await run.commands.comment(
          { type: 'EditComment', commentId: c.id, body: `Sửa lại: ${run.counter++}`, stance: a.stance },
          participant(c.author ?? 0),
        );
        return;
      }
      case 'withdraw': {
        const c = comment(a.target);
        if (!c) return;
        await run.commands.comment(
          { type: 'WithdrawComment', commentId: c.id, reason: 'Tôi rút lại.' },
          participant(c.author ?? 0),
        );
        return;
      }
      case 'flag': {
        const c = comment(a.target);
        if (!c) return;
        await run.commands.comment(
          {
            type: 'FlagComment',
            commentId: c.id,
            flagId: next(),
            reason: a.reason,
            note: a.note ? 'Có thông tin cá nhân.' : null,
          },
          participant(a.by),
        );
        return;
      }
      case 'hide': {
        const c = comment(a.target);
        if (!c) return;
        await run.commands.comment(
          { type: 'HideComment', commentId: c.id, reasonCode: a.reason, reason: `Ẩn vì ${a.reason}.` },
          MODERATOR,
        );
        return;
      }
      case 'restore': {
        const c = comment(a.target);
        if (!c) return;
        await run.commands.comment({ type: 'RestoreComment', commentId: c.id, reason: 'Khôi phục.' }, MODERATOR);
        return;
      }
      case 'redact': {
        const c = comment(a.target);
        if (!c) return;
        await run.commands.comment({ type: 'RedactComment', commentId: c.id, reason: 'Lộ số điện thoại.' }, MODERATOR);
        // As the API does after the event: the comment's key goes, and with it everything the comment said.
        await run.keys.destroyKey(`comment:${c.id}`);
        return;
      }
      case 'endorse': {
        const c = comment(a.target);
        if (!c) return;
        await run.commands.comment({ type: 'EndorseComment', commentId: c.id }, participant(a.by));
        return;
      }
      case 'officialReply': {
        const c = comment(a.target);
        if (!c) return;
        await run.commands.comment(
          { type: 'PostOfficialReply', commentId: c.id, replyId: next(), body: 'Phòng Giáo dục xin trả lời như sau.' },
          SPOKESPERSON,
        );
        return;
      }
      case 'tag': {
        const c = comment(a.target);
        if (!c) return;
        const names = ['học phí', 'bán trú', 'sĩ số'];
        await run.commands.comment(
          {
            type: 'TagComment',
            commentId: c.id,
            added: names.filter((_, i) => (a.tags >> i) & 1),
            removed: names.filter((_, i) => !((a.tags >> i) & 1) && i < 2),
          },
          STAFF,
        );
        return;
      }
      case 'theme':
        return await defineTheme(run, a.policy, a.pick);
      case 'assign': {
        const { policyId, round, themes } = await digestOf(run, a.policy);
        const ids = (list: number[]) => [...new Set(list.map((n) => comment(n)?.id).filter((x): x is string => !!x))];
        const unassigned = ids(a.unassign);
        const commentIds = ids(a.comments).filter((x) => !unassigned.includes(x));
        await run.digests.execute(
          {
            type: 'AssignCommentsToTheme',
            policyId,
            round,
            themeIds: [...new Set(a.themes.map((n) => at(themes, n)).filter((x): x is string => !!x))],
            commentIds,
            unassignedCommentIds: unassigned,
          },
          STAFF,
        );
        return;
      }
      case 'answer': {
        const { policyId, round, themes } = await digestOf(run, a.policy);
        const themeId = at(themes, a.theme);
        if (!themeId) return;
        await run.digests.execute(
          {
            type: 'AnswerTheme',
            policyId,
            round,
            themeId,
            decision: a.decision,
            explanation: a.decision === 'accepted' ? '' : 'Giải trình của cơ quan soạn thảo.',
            sectionsChanged: NODE_POOL.filter((_, i) => (a.sections >> i) & 1).map((n) =>
              nodeId(run.policies[a.policy]!, n.key),
            ),
          },
          STAFF,
        );
        return;
      }
      case 'approve': {
        const { policyId, round } = await digestOf(run, a.policy);
        await run.digests.execute({ type: 'ApproveDigest', policyId, round }, SPOKESPERSON);
        return;
      }
      case 'group': {
        const state = await policyState(run, a.policy);
        const round = state.currentRound?.round ?? 1;
        const ofPolicy = run.comments.filter((c) => c.policy === a.policy);
        const commentIds = [...new Set(a.comments.map((n) => at(ofPolicy, n)?.id).filter((x): x is string => !!x))];
        const groupId = next();
        await run.analysis.confirmDuplicateGroup(
          {
            groupId,
            policyId: run.policies[a.policy]!,
            round,
            commentIds,
            representativeCommentId: commentIds[0] ?? '',
          },
          STAFF,
        );
        run.groups.push(groupId);
        return;
      }
      case 'ungroup': {
        const groupId = at(run.groups, a.pick);
        if (!groupId) return;
        await run.analysis.undoDuplicateGroup({ groupId, reason: 'Hai ý kiến khác nhau.' }, POLICYMAKER);
        return;
      }
      case 'time':
        run.clock.advance(a.minutes);
        return;
      default:
        return a satisfies never;
    }
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    const why = `${a.k}: ${err.code}${'rule' in err ? ` ${String(err.rule)}` : ''}`;
    run.refused.set(why, (run.refused.get(why) ?? 0) + 1);
  } finally {
    // The handlers that read the read models (digests, analysis) see the log as it is, as with read-your-writes.
    await run.projector.catchUpOnce();
  }
}

async function digestOf(run: Run, policy: number) {
  const policyId = run.policies[policy]!;
  const round = (await policyState(run, policy)).currentRound?.round ?? 1;
  const digest = await run.digests.loadDigest(policyId, round);
  return { policyId, round, themes: digest.themes.map((t) => t.themeId) };
}

async function defineTheme(run: Run, policy: number, n: number): Promise<void> {
  const policyId = run.policies[policy]!;
  const round = (await policyState(run, policy)).currentRound?.round ?? 1;
  if (!(await run.digests.loadDigest(policyId, round)).exists) await run.digests.start(policyId, round, STAFF);
  const { themes } = await digestOf(run, policy);
  const themeId = n % 3 === 0 && themes.length ? at(themes, n)! : id(`run-object-${run.counter++}`);
  await run.digests.execute(
    {
      type: 'DefineTheme',
      policyId,
      round,
      themeId,
      title: `Nhóm ý kiến ${n}`,
      description: n % 2 ? 'Về học phí' : '',
    },
    STAFF,
  );
}

/** The next lifecycle step of a policy, as staff, the scheduler, the spokesperson or a policymaker would take it. */
async function step(run: Run, policy: number, n: number): Promise<void> {
  const policyId = run.policies[policy]!;
  const state = await policyState(run, policy);
  const now = run.clock.now().getTime();
  const publish = () =>
    run.commands.policy(
      {
        type: 'PublishDraftVersion',
        policyId,
        title: `Dự thảo quy định thu học phí, bản ${state.latestVersion + 1}`,
        nodes: treeOf(policyId, n, state.latestVersion + n),
        changeNote: state.latestVersion ? 'Tiếp thu ý kiến.' : '',
      },
      STAFF,
    );
  const open = () =>
    run.commands.policy(
      {
        type: 'OpenConsultation',
        policyId,
        opensAt: new Date(now).toISOString(),
        closesAt: new Date(now + (1 + (n % 3)) * 86_400_000).toISOString(),
        note: '',
      },
      STAFF,
    );
  if (n % 17 === 16 && state.status !== 'none') {
    await run.commands.policy({ type: 'WithdrawPolicy', policyId, reason: 'Không còn phù hợp.' }, POLICYMAKER);
    return;
  }
  switch (state.status) {
    case 'none':
      await run.commands.policy(
        {
          type: 'ProposePolicy',
          policyId,
          owningOrganizationId: ORG,
          title: `Quy định thu học phí ${policy}`,
          summary: 'Tóm tắt.',
          topics: ['học phí'],
        },
        STAFF,
      );
      return;
    case 'proposed':
      await run.commands.policy({ type: 'StartDrafting', policyId }, STAFF);
      return;
    case 'drafting':
      await (state.latestVersion === 0 || n % 3 === 0 ? publish() : open());
      return;
    case 'consultation': {
      const round = state.currentRound!;
      if (n % 4 === 0) {
        await run.commands.policy(
          {
            type: 'ExtendConsultation',
            policyId,
            closesAt: new Date(Date.parse(round.closesAt) + 86_400_000).toISOString(),
            reason: 'Gia hạn theo đề nghị của phụ huynh.',
          },
          STAFF,
        );
      } else if (n % 4 === 1) {
        await run.commands.policy(
          { type: 'CloseConsultation', policyId, closedBy: 'staff', reason: 'Đủ ý kiến.' },
          STAFF,
        );
      } else {
        // The deadline passes and the scheduler closes the round, dated at the deadline.
        run.clock.advance(Math.max(0, Math.ceil((Date.parse(round.closesAt) - now) / 60_000)) + 1 + (n % 90));
        await run.commands.policy(
          { type: 'CloseConsultation', policyId, closedBy: 'deadline', reason: '' },
          SCHEDULER,
          { systemActor: true },
        );
      }
      return;
    }
    case 'review':
      if (!state.currentRound!.answered) return await answerRound(run, policy, n);
      if (n % 3 === 0)
        await run.commands.policy(
          {
            type: 'EnactPolicy',
            policyId,
            version: state.latestVersion,
            decisionNumber: `${n}/QĐ-PGDĐT`,
            effectiveDate: '2026-12-01',
          },
          POLICYMAKER,
        );
      else await (n % 3 === 1 ? publish() : open());
      return;
    case 'enacted':
    case 'withdrawn':
      return;
    default:
      return state.status satisfies never;
  }
}

/** The whole digest of the round at once: every visible comment in an answered theme, approved and published. */
async function answerRound(run: Run, policy: number, n: number): Promise<void> {
  await defineTheme(run, policy, 1);
  await run.projector.catchUpOnce();
  const { policyId, round, themes } = await digestOf(run, policy);
  const visible = await run.readDb
    .selectFrom('comments')
    .select('id')
    .where('policy_id', '=', policyId)
    .where('round', '=', round)
    .where('status', '=', 'visible')
    .execute();
  if (visible.length) {
    await run.digests.execute(
      {
        type: 'AssignCommentsToTheme',
        policyId,
        round,
        themeIds: [themes[0]!],
        commentIds: visible.map((c) => c.id),
        unassignedCommentIds: [],
      },
      STAFF,
    );
  }
  const digest = await run.digests.loadDigest(policyId, round);
  for (const theme of digest.themes.filter((t) => t.answer === null)) {
    await run.digests.execute(
      {
        type: 'AnswerTheme',
        policyId,
        round,
        themeId: theme.themeId,
        decision: n % 2 ? 'accepted' : 'noted',
        explanation: '',
        sectionsChanged: [],
      },
      STAFF,
    );
  }
  if (!(await run.digests.loadDigest(policyId, round)).approved)
    await run.digests.execute({ type: 'ApproveDigest', policyId, round }, SPOKESPERSON);
  await run.projector.catchUpOnce();
  await run.digests.publish(policyId, round, SPOKESPERSON);
}

/* ------------------------------------------------------------------ the independent fold */

type Row = Record<string, unknown>;

interface Expected {
  tables: Record<string, Row[]>;
  /** Non-zero counters only: the projections may keep rows at zero. */
  counters: Record<string, Row[]>;
  figures: { policyId: string; round: number; filter: Record<string, string>; figures: unknown }[];
  themeCounts: Map<string, number>;
}

const LABEL: Record<DraftNode['kind'], string> = {
  part: 'Phần',
  chapter: 'Chương',
  section: 'Mục',
  article: 'Điều',
  clause: 'Khoản',
  point: 'Điểm',
};

function flatten(nodes: DraftNode[]): DraftNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children)]);
}

/** The calendar day in Vietnam (UTC+7, no daylight saving) of an instant. */
function dayInVietnam(instant: string): string {
  const t = new Date(Date.parse(instant) + 7 * 3_600_000);
  return `${t.getUTCFullYear()}-${String(t.getUTCMonth() + 1).padStart(2, '0')}-${String(t.getUTCDate()).padStart(2, '0')}`;
}

interface FoldedComment {
  row: Row;
  withdrawn: boolean;
  hidden: boolean;
  redacted: boolean;
  participantKey: string;
  day: string;
  groupId: string | null;
}

const statusOf = (c: FoldedComment) =>
  c.redacted ? 'redacted' : c.withdrawn ? 'withdrawn' : c.hidden ? 'hidden' : 'visible';

/** What every read model should hold after `log`, computed from the events alone. */
function expectedFrom(log: { event: DomainEvent; metadata: EventMetadata }[]): Expected {
  const policies = new Map<string, Row>();
  const versions: Row[] = [];
  const rounds = new Map<string, Row>();
  const displayNames = new Map<string, string>();
  const comments = new Map<string, FoldedComment>();
  const revisions = new Map<string, Row[]>();
  const flags: Row[] = [];
  const officialReplies: Row[] = [];
  const endorsements: Row[] = [];
  const digests = new Map<string, Row>();
  const themes = new Map<string, Row & { comments: Set<string> }>();
  const groups = new Map<string, Row & { members: string[] }>();

  log.forEach(({ event, metadata }, index) => {
    const seq = index + 1;
    const touch = (policyId: string, change: Row) =>
      Object.assign(policies.get(policyId)!, change, { updated_at: metadata.occurredAt, seq });
    const withdrawApproval = (digestId: string) => {
      const digest = digests.get(digestId)!;
      if (digest.status === 'approved')
        Object.assign(digest, { status: 'started', approved_by: null, approved_at: null });
    };
    const d = event.data as Record<string, any>;
    switch (event.type) {
      case 'AccountRegistered':
        displayNames.set(d.accountId, d.displayName);
        break;
      case 'PolicyProposed':
        policies.set(d.policyId, {
          id: d.policyId,
          organization_id: d.owningOrganizationId,
          title: d.title,
          summary: d.summary,
          status: 'proposed',
          current_version: null,
          current_round: null,
          proposed_at: metadata.occurredAt,
          updated_at: metadata.occurredAt,
          enactment: null,
          withdrawal_reason: null,
          comment_count: 0,
          seq,
        });
        break;
      case 'DraftingStarted':
        touch(d.policyId, { status: 'drafting' });
        break;
      case 'DraftVersionPublished':
        versions.push({
          policy_id: d.policyId,
          number: d.version,
          title: d.title,
          change_note: d.changeNote,
          published_at: metadata.occurredAt,
          nodes: d.nodes,
          revises_round: d.revisesRound,
          amends_version: d.amendsVersion,
        });
        // A revision after an answered round stays in review; a working draft or an amendment's draft is drafting.
        touch(d.policyId, {
          status: d.revisesRound !== null ? 'review' : 'drafting',
          current_version: d.version,
          title: d.title,
        });
        break;
      case 'ConsultationOpened':
        rounds.set(`${d.policyId}/${d.round}`, {
          policy_id: d.policyId,
          round: d.round,
          version: d.version,
          opens_at: d.opensAt,
          closes_at: d.closesAt,
          closed_at: null,
          closed_by: null,
          answered: 0,
        });
        touch(d.policyId, { status: 'consultation', current_round: d.round });
        break;
      case 'ConsultationExtended':
        rounds.get(`${d.policyId}/${d.round}`)!.closes_at = d.closesAt;
        touch(d.policyId, {});
        break;
      case 'ConsultationClosed':
        Object.assign(rounds.get(`${d.policyId}/${d.round}`)!, { closed_at: d.closedAt, closed_by: d.closedBy });
        touch(d.policyId, { status: 'review' });
        break;
      case 'RoundAnswered':
        rounds.get(`${d.policyId}/${d.round}`)!.answered = 1;
        touch(d.policyId, {});
        break;
      case 'PolicyEnacted':
        touch(d.policyId, {
          status: 'enacted',
          enactment: {
            version: d.version,
            decisionNumber: d.decisionNumber,
            decisionDate: d.decisionDate,
            effectiveDate: d.effectiveDate,
            enactedAt: metadata.occurredAt,
          },
        });
        break;
      case 'PolicyWithdrawn':
        touch(d.policyId, { status: 'withdrawn', withdrawal_reason: d.reason });
        break;
      case 'CommentSubmitted': {
        (policies.get(d.policyId)!.comment_count as number) += 1;
        const version = versions.find((v) => v.policy_id === d.policyId && v.number === d.version);
        const node = d.anchorNodeId
          ? flatten((version?.nodes ?? []) as DraftNode[]).find((n) => n.nodeId === d.anchorNodeId)
          : undefined;
        const offlineOrganization =
          d.channel !== 'web' && d.offlineSender ? (d.offlineSender.organization ?? null) : null;
        comments.set(d.commentId, {
          row: {
            id: d.commentId,
            policy_id: d.policyId,
            round: d.round,
            version: d.version,
            anchor_node_id: d.anchorNodeId,
            anchor_label: node ? `${LABEL[node.kind]} ${node.number}` : null,
            parent_id: d.parentCommentId,
            author_account_id: d.authorAccountId,
            author_name:
              d.pseudonym ||
              offlineOrganization ||
              (d.authorAccountId ? displayNames.get(d.authorAccountId) : '') ||
              '',
            body: d.body,
            stance: d.stance,
            stakeholder_category: d.stakeholderCategory,
            channel: d.channel,
            submitted_at: metadata.recordedAt,
            received_at: d.receivedAt,
            edited: 0,
            seq,
            endorsement_count: 0,
            flag_count: 0,
            hidden_reason: null,
            hidden_reason_code: null,
            recorded_by: d.recordedBy,
          },
          withdrawn: false,
          hidden: false,
          redacted: false,
          participantKey: d.authorAccountId
            ? `account:${d.authorAccountId}`
            : d.offlineSender
              ? `sender:${d.offlineSender.senderId}`
              : `comment:${d.commentId}`,
          day: dayInVietnam(d.receivedAt),
          groupId: null,
        });
        revisions.set(d.commentId, [
          { comment_id: d.commentId, revision: 1, body: d.body, stance: d.stance, at: metadata.recordedAt },
        ]);
        break;
      }
      case 'CommentEdited': {
        const c = comments.get(d.commentId)!;
        Object.assign(c.row, { body: d.body, stance: d.stance, edited: 1 });
        const list = revisions.get(d.commentId)!;
        list.push({
          comment_id: d.commentId,
          revision: list.length + 1,
          body: d.body,
          stance: d.stance,
          at: metadata.recordedAt,
        });
        break;
      }
      case 'CommentWithdrawn':
        comments.get(d.commentId)!.withdrawn = true;
        break;
      case 'CommentHidden': {
        const c = comments.get(d.commentId)!;
        c.hidden = true;
        Object.assign(c.row, { hidden_reason: d.reason, hidden_reason_code: d.reasonCode });
        for (const f of flags) if (f.comment_id === d.commentId && f.status === 'open') f.status = 'hidden';
        break;
      }
      case 'CommentRestored': {
        const c = comments.get(d.commentId)!;
        c.hidden = false;
        Object.assign(c.row, { hidden_reason: null, hidden_reason_code: null });
        for (const f of flags) if (f.comment_id === d.commentId && f.status === 'open') f.status = 'dismissed';
        break;
      }
      case 'CommentRedacted':
        comments.get(d.commentId)!.redacted = true;
        for (const f of flags) if (f.comment_id === d.commentId) f.status = 'redacted';
        break;
      case 'CommentFlagged':
        (comments.get(d.commentId)!.row.flag_count as number) += 1;
        flags.push({
          flag_id: d.flagId,
          comment_id: d.commentId,
          policy_id: comments.get(d.commentId)!.row.policy_id,
          flagged_by: d.flaggedBy,
          reason: d.reason,
          note: d.note,
          at: metadata.recordedAt,
          status: 'open',
        });
        break;
      case 'CommentEndorsed':
        (comments.get(d.commentId)!.row.endorsement_count as number) += 1;
        endorsements.push({ comment_id: d.commentId, account_id: d.endorsedBy });
        break;
      case 'OfficialReplyPosted':
        officialReplies.push({
          reply_id: d.replyId,
          comment_id: d.commentId,
          policy_id: comments.get(d.commentId)!.row.policy_id,
          body: d.body,
          posted_by: d.postedBy,
          at: metadata.recordedAt,
          seq,
        });
        break;
      case 'DigestStarted':
        digests.set(d.digestId, {
          digest_id: d.digestId,
          policy_id: d.policyId,
          round: d.round,
          status: 'started',
          started_by: d.startedBy,
          started_at: metadata.recordedAt,
          approved_by: null,
          approved_at: null,
          published_by: null,
          published_at: null,
          covered_count: null,
          visible_count: null,
          counted_at_position: null,
          seq,
        });
        break;
      case 'ThemeDefined': {
        const digest = digests.get(d.digestId)!;
        const theme = themes.get(d.themeId);
        if (theme) Object.assign(theme, { title: d.title, description: d.description });
        else
          themes.set(d.themeId, {
            theme_id: d.themeId,
            digest_id: d.digestId,
            policy_id: digest.policy_id,
            round: digest.round,
            title: d.title,
            description: d.description,
            decision: null,
            explanation: null,
            sections_changed_json: [],
            position: [...themes.values()].filter((t) => t.digest_id === d.digestId).length + 1,
            comments: new Set(),
          });
        withdrawApproval(d.digestId);
        break;
      }
      case 'CommentsAssignedToTheme': {
        const theme = themes.get(d.themeId)!;
        for (const c of d.commentIds) theme.comments.add(c);
        for (const c of d.unassignedCommentIds) theme.comments.delete(c);
        withdrawApproval(d.digestId);
        break;
      }
      case 'ThemeAnswered':
        Object.assign(themes.get(d.themeId)!, {
          decision: d.decision,
          explanation: d.explanation,
          sections_changed_json: d.sectionsChanged,
        });
        withdrawApproval(d.digestId);
        break;
      case 'DigestApproved':
        Object.assign(digests.get(d.digestId)!, {
          status: 'approved',
          approved_by: d.approvedBy,
          approved_at: metadata.recordedAt,
        });
        break;
      case 'DigestPublished':
        Object.assign(digests.get(d.digestId)!, {
          status: 'published',
          published_by: d.publishedBy,
          published_at: metadata.recordedAt,
          covered_count: d.coveredCount,
          visible_count: d.visibleCount,
          counted_at_position: d.countedAtPosition,
        });
        break;
      case 'DuplicateGroupConfirmed':
        groups.set(d.groupId, {
          group_id: d.groupId,
          policy_id: d.policyId,
          round: d.round,
          representative_comment_id: d.representativeCommentId,
          comment_ids_json: d.commentIds,
          status: 'confirmed',
          confirmed_by: d.confirmedBy,
          confirmed_at: metadata.recordedAt,
          undone_by: null,
          undone_at: null,
          undone_reason: null,
          seq,
          members: d.commentIds,
        });
        for (const c of d.commentIds) comments.get(c)!.groupId = d.groupId;
        break;
      case 'DuplicateGroupUndone': {
        const group = groups.get(d.groupId)!;
        Object.assign(group, {
          status: 'undone',
          undone_by: d.undoneBy,
          undone_at: metadata.recordedAt,
          undone_reason: d.reason,
          seq,
        });
        for (const c of comments.values()) if (c.groupId === d.groupId) c.groupId = null;
        break;
      }
      default:
        break;
    }
  });

  const all = [...comments.values()];
  const visible = all.filter((c) => statusOf(c) === 'visible');
  const commentRows = all.map((c) => ({
    ...c.row,
    status: statusOf(c),
    // A redacted comment's key is gone, and with it the pseudonym a web comment may have used: such a comment names
    // nobody, rather than its author's own name. Offline feedback never carries a pseudonym and keeps its name.
    author_name: c.redacted && c.row.channel === 'web' ? '' : c.row.author_name,
    body: c.redacted ? null : c.row.body,
    reply_count: visible.filter((r) => r.row.parent_id === c.row.id).length,
  }));
  const redacted = new Set(all.filter((c) => c.redacted).map((c) => c.row.id));

  const count = <K extends string>(
    items: FoldedComment[],
    keyOf: (c: FoldedComment) => Record<K, unknown>,
    as: string,
  ) => {
    const out = new Map<string, Row>();
    for (const c of items) {
      const key = keyOf(c);
      const k = JSON.stringify(key);
      const row = out.get(k) ?? { ...key, [as]: 0 };
      (row[as] as number) += 1;
      out.set(k, row);
    }
    return [...out.values()];
  };
  const cell = (c: FoldedComment) => ({
    policy_id: c.row.policy_id,
    round: c.row.round,
    node_key: c.row.anchor_node_id ?? '',
    category: c.row.stakeholder_category,
    channel: c.row.channel,
  });
  const counted = all.filter((c) => !c.withdrawn && !c.hidden && !c.redacted);
  const liveGroup = (c: FoldedComment) =>
    c.groupId !== null && groups.get(c.groupId)!.status === 'confirmed' ? c.groupId : null;

  const figures: Expected['figures'] = [];
  for (const round of rounds.values()) {
    const policyId = round.policy_id as string;
    const ofRound = counted.filter((c) => c.row.policy_id === policyId && c.row.round === round.round);
    const policyNodes = versions.filter((v) => v.policy_id === policyId).map((v) => flatten(v.nodes as DraftNode[]));
    const filters: Record<string, string>[] = [
      {},
      ...[...new Set(all.map((c) => c.row.stakeholder_category as string))].map((category) => ({ category })),
      ...[...new Set(all.map((c) => c.row.channel as string))].map((channel) => ({ channel })),
      ...[...new Set(policyNodes.flat().map((n) => n.nodeId))].map((nodeId) => ({ nodeId })),
      { category: 'parent', channel: 'web' },
    ];
    const roundThemes = [...themes.values()].filter((t) => t.policy_id === policyId && t.round === round.round);
    for (const filter of filters) {
      const below = new Set<string>();
      if (filter.nodeId) {
        below.add(filter.nodeId);
        for (const tree of policyNodes) {
          const top = tree.find((n) => n.nodeId === filter.nodeId);
          for (const n of top ? flatten([top]) : []) below.add(n.nodeId);
        }
      }
      const chosen = ofRound.filter(
        (c) =>
          (!filter.category || c.row.stakeholder_category === filter.category) &&
          (!filter.channel || c.row.channel === filter.channel) &&
          (!filter.nodeId || below.has((c.row.anchor_node_id as string | null) ?? '')),
      );
      const buckets = (keyOf: (c: FoldedComment) => string) =>
        [...new Set(chosen.map(keyOf))]
          .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
          .map((key) => ({ key, comments: chosen.filter((c) => keyOf(c) === key).length }));
      const reached = [...new Set(chosen.map(liveGroup).filter((g): g is string => g !== null))];
      const folded = reached.reduce((s, g) => s + chosen.filter((c) => liveGroup(c) === g).length - 1, 0);
      figures.push({
        policyId,
        round: round.round as number,
        filter,
        figures: {
          comments: chosen.length,
          participants: new Set(chosen.map((c) => c.participantKey)).size,
          distinctArguments: chosen.length - folded,
          confirmedGroups: reached.length,
          byStance: buckets((c) => c.row.stance as string),
          byCategory: buckets((c) => c.row.stakeholder_category as string),
          byChannel: buckets((c) => c.row.channel as string),
          byNode: buckets((c) => (c.row.anchor_node_id as string | null) ?? ''),
          byDay: buckets((c) => c.day),
          topThemes: roundThemes
            .map((t) => ({
              themeId: t.theme_id,
              title: t.title,
              decision: t.decision,
              comments: chosen.filter((c) => t.comments.has(c.row.id as string)).length,
              position: t.position as number,
            }))
            .filter((t) => t.comments > 0)
            .sort((a, b) => b.comments - a.comments || a.position - b.position)
            .map(({ position: _position, ...t }) => t),
          answeredComments: chosen.filter((c) =>
            roundThemes.some((t) => t.decision !== null && t.comments.has(c.row.id as string)),
          ).length,
        },
      });
    }
  }

  const scopeCounts = [
    ...count(visible, (c) => ({ policy_id: c.row.policy_id, scope: '' }), 'visible'),
    ...count(
      visible,
      (c) => ({ policy_id: c.row.policy_id, scope: c.row.anchor_node_id ? `node:${c.row.anchor_node_id}` : 'whole' }),
      'visible',
    ),
  ];
  return {
    tables: {
      policies: [...policies.values()],
      policy_versions: versions,
      rounds: [...rounds.values()],
      comments: commentRows,
      comment_revisions: [...revisions.values()]
        .flat()
        .map((r) => (redacted.has(r.comment_id as string) ? { ...r, body: null } : r)),
      comment_flags: flags.map((f) => (redacted.has(f.comment_id as string) ? { ...f, note: null } : f)),
      official_replies: officialReplies,
      comment_endorsements: endorsements,
      digests: [...digests.values()],
      digest_themes: [...themes.values()].map(({ comments: _c, ...t }) => t),
      digest_theme_comments: [...themes.values()].flatMap((t) =>
        [...t.comments].map((c) => ({ theme_id: t.theme_id, comment_id: c, policy_id: t.policy_id, round: t.round })),
      ),
      analysis_comments: all.map((c) => ({
        comment_id: c.row.id,
        ...cell(c),
        stance: c.row.stance,
        day: c.day,
        participant_key: c.participantKey,
        withdrawn: c.withdrawn ? 1 : 0,
        hidden: c.hidden ? 1 : 0,
        redacted: c.redacted ? 1 : 0,
        group_id: liveGroup(c),
      })),
      analysis_groups: [...groups.values()].map(({ members: _m, ...g }) => g),
      analysis_participants: count(counted, (c) => ({ ...cell(c), participant_key: c.participantKey }), 'comments'),
    },
    counters: {
      comment_counts: scopeCounts,
      analysis_counts: count(counted, (c) => ({ ...cell(c), stance: c.row.stance, day: c.day }), 'comments'),
      analysis_group_cells: count(
        counted.filter((c) => liveGroup(c) !== null),
        (c) => ({ group_id: liveGroup(c), ...cell(c) }),
        'members',
      ),
    },
    figures,
    themeCounts: new Map(
      [...themes.values()].map((t) => [
        t.theme_id as string,
        [...t.comments].filter((c) => visible.some((v) => v.row.id === c)).length,
      ]),
    ),
  };
}

/* ------------------------------------------------------------------ comparing */

const JSON_COLUMNS = new Set(['nodes', 'enactment', 'comment_ids_json', 'sections_changed_json']);

/** Rows as both engines give them, in one form: numbers as numbers, JSON parsed, sorted by their whole content. */
function normalise(rows: Row[], keep?: string[]): Row[] {
  return rows
    .map((row) => {
      const out: Row = {};
      for (const [k, v] of Object.entries(row)) {
        if (keep && !keep.includes(k)) continue;
        out[k] =
          typeof v === 'bigint'
            ? Number(v)
            : JSON_COLUMNS.has(k) && typeof v === 'string'
              ? JSON.parse(v)
              : typeof v === 'string' && /^-?\d+$/.test(v) && ['comments', 'members', 'visible'].includes(k)
                ? Number(v)
                : v;
      }
      return out;
    })
    .sort((a, b) => {
      const x = JSON.stringify(a);
      const y = JSON.stringify(b);
      return x < y ? -1 : x > y ? 1 : 0;
    });
}

async function compare(engine: string, db: ReadDb, expected: Expected): Promise<void> {
  const untyped = db as unknown as ReadDb & { selectFrom(t: string): any };
  for (const [table, rows] of Object.entries(expected.tables)) {
    const actual = (await untyped.selectFrom(table).selectAll().execute()) as Row[];
    const columns = Object.keys(rows[0] ?? actual[0] ?? {});
    expect(normalise(actual, columns), `${engine}: table ${table}`).toEqual(normalise(rows, columns));
  }
  for (const [table, rows] of Object.entries(expected.counters)) {
    const column = table === 'comment_counts' ? 'visible' : table === 'analysis_group_cells' ? 'members' : 'comments';
    const actual = ((await untyped.selectFrom(table).selectAll().execute()) as Row[]).filter(
      (r) => Number(r[column]) !== 0,
    );
    const columns = Object.keys(rows[0] ?? actual[0] ?? {});
    expect(normalise(actual, columns), `${engine}: counters ${table}`).toEqual(normalise(rows, columns));
  }
  for (const f of expected.figures) {
    const got = await analysisQueries.figures(db, f.policyId, f.round, f.filter);
    expect(got, `${engine}: analysis figures of round ${f.round} under ${JSON.stringify(f.filter)}`).toEqual(f.figures);
  }
  const themeIds = [...expected.themeCounts.keys()];
  const counts = await digestQueries.themeCommentCounts(db, themeIds);
  expect(
    Object.fromEntries(themeIds.map((t) => [t, counts.get(t) ?? 0])),
    `${engine}: the comments each theme of a digest page shows`,
  ).toEqual(Object.fromEntries(expected.themeCounts));
}

/* ------------------------------------------------------------------ the property */

describe('read models equal an independent fold of the log (generated histories, SQLite and PostgreSQL)', () => {
  let postgres: { url: string; drop(): Promise<void> };
  let schemas = 0;
  const totals = { runs: 0, events: 0, refused: 0, types: new Map<string, number>() };

  beforeAll(async () => {
    postgres = await createThrowawayDatabase('gopy_readmodels');
  });
  afterAll(async () => {
    console.log(
      `[read models] ${totals.runs} histories, ${totals.events} events, ${totals.refused} commands refused by the deciders; events by type: ` +
        JSON.stringify(Object.fromEntries([...totals.types].sort())),
    );
    await postgres?.drop();
  });

  it(`holds for ${RUNS} generated histories`, async () => {
    await fc.assert(
      fc.asyncProperty(history, async ({ actions, pgBatchSize }) => {
        const run = await openRun();
        const schema = `run_${++schemas}`;
        const pg = await openPostgresReadStore(postgres.url, schema);
        try {
          // Both policies start with a round open, so that most generated actions have something to act on.
          for (const policy of [0, 1]) for (const pick of [0, 0, 0, 1]) await perform(run, { k: 'step', policy, pick });
          for (const a of actions) await perform(run, a);
          const log: { event: DomainEvent; metadata: EventMetadata }[] = [];
          for await (const recorded of run.store.readAll()) log.push(await decodeRecorded(run.keys, recorded));
          const expected = expectedFrom(log);
          await compare('SQLite, applied command by command', run.readDb, expected);

          const replay = new Projector({
            store: run.store,
            db: pg.db,
            keys: run.keys,
            readModels: allReadModels,
            batchSize: pgBatchSize,
          });
          await replay.init();
          expect(await replay.catchUpOnce()).toBe(log.length);
          await compare(`PostgreSQL, replayed in batches of ${pgBatchSize}`, pg.db, expected);

          totals.runs += 1;
          totals.events += log.length;
          for (const n of run.refused.values()) totals.refused += n;
          for (const { event } of log) totals.types.set(event.type, (totals.types.get(event.type) ?? 0) + 1);
        } finally {
          await pg.close();
          await run.close();
          await dropSchema(postgres.url, schema);
        }
      }),
      {
        numRuns: FOUND.length + RUNS,
        examples: FOUND.map((h) => [h] as [typeof h]),
        ...(SEED === undefined ? {} : { seed: SEED }),
        ...(PATH ? { path: PATH } : {}),
      },
    );
  }, 600_000);
});

async function dropSchema(url: string, schema: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
