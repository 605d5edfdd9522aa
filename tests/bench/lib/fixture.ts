/**
 * Builds benchmark and load-test data in-process, through the real command handlers and write path, into a data
 * folder on which the real server is started afterwards. Everything written here is a real event: decided by the
 * domain's deciders, stamped by the write path (ids, metadata, sealed fields with per-person and per-comment keys,
 * hash chain) and appended to the SQLite event store through group commit.
 *
 * Shortcuts, all documented in tests/bench/README.md:
 *  - accounts are made with AccountService and a cheap password hasher (argon2 costs ~25 ms a hash; 10,000 accounts
 *    would take minutes). The accounts' passwords are never used: their sessions are issued here (signIn through the
 *    same service), and the server checks sessions, not passwords.
 *  - generated comments are decided with the real comment decider against the policy state loaded once, instead of
 *    reloading the (unchanging) policy stream for every comment; generateCommentsFast also stamps them itself and
 *    writes their keys in batches (see there). submitViaCommands is the unshortened path the API takes.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { AccountService } from '@gopy/application/accounts';
import { commentAggregate, commentIdFor, policyAggregate, type Principal } from '@gopy/application/commands';
import type { EventToAppend } from '@gopy/application/eventStore';
import { canonicalJson, eventHash } from '@gopy/application/integrity';
import type { KeyStore, PasswordHasher } from '@gopy/application/ports';
import { sealEventData } from '@gopy/application/sealing';
import type { CommandContext } from '@gopy/application/writePath';
import { newDataKey, wrapKey } from '@gopy/adapters/keyStore/wrapping';
import { loadConfig } from '@gopy/composition/config';
import { dataFiles, openEmbeddedRuntime, type Runtime } from '@gopy/composition/runtime';
import { loadSecrets } from '@gopy/composition/secrets';
import { initialCommentState } from '@gopy/domain/comment';
import { decideComment } from '@gopy/domain/commentDecider';
import type { PolicyState } from '@gopy/domain/policy';
import {
  EventMetadata,
  eventCatalogue,
  GENESIS_HASH,
  streams,
  type DomainEvent,
  type DraftNode,
  type EventType,
  type Role,
  type StakeholderCategory,
} from '@gopy/schemas';

export interface Participant {
  accountId: string;
  email: string;
  token: string;
}

export interface World {
  organizationId: string;
  staffAccountId: string;
  staffToken: string;
  policyId: string;
  version: number;
  nodeIds: string[];
  participants: Participant[];
}

const WORLD_FILE = 'bench-world.json';

/** A hasher for accounts made by fixtures only: their passwords are never checked by a test. */
export const fixtureHasher: PasswordHasher = {
  hash: async (password) => `fixture$${createHash('sha256').update(password).digest('hex')}`,
  verify: async (digest, password) => digest === `fixture$${createHash('sha256').update(password).digest('hex')}`,
};

export function runtimeConfig(dataDir: string) {
  return loadConfig({ GOPY_DATA_DIR: dataDir, GOPY_DEMO: '0', SMTP_URL: '', GOPY_SERVE_WEB: '0' });
}

/** Opens the embedded runtime (store, keys, auth, read models, projector) on a data folder, quietly. */
export async function openRuntime(dataDir: string, options: { readFile?: string } = {}): Promise<Runtime> {
  return openEmbeddedRuntime(runtimeConfig(dataDir), { log: () => {}, ...options });
}

/** The account service of the runtime, with the fixture hasher instead of argon2. */
export function fixtureAccounts(runtime: Runtime): AccountService {
  const secrets = loadSecrets(runtime.config, () => {});
  return new AccountService({
    commands: runtime.commands,
    auth: runtime.auth,
    hasher: fixtureHasher,
    mailer: runtime.mailer,
    clock: runtime.clock,
    lookupKey: secrets.lookupKey,
    publicUrl: runtime.config.publicUrl,
  });
}

const PASSWORD = 'fixture-password-not-used';
const categories: StakeholderCategory[] = [
  'parent',
  'teacher',
  // Not 'student': pupils take part only with accounts their school issues, never by signing up.
  'citizen',
  'school_manager',
  'press',
  'organization',
];

/** Runs `fn` over 0..n-1 with at most `concurrency` in flight. */
export async function pool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
}

/** Verified participant accounts with a session each (the token a client sends as `Authorization: Bearer`). */
export async function createParticipants(runtime: Runtime, n: number, concurrency = 32): Promise<Participant[]> {
  const accounts = fixtureAccounts(runtime);
  const run = randomUUID().slice(0, 8);
  const out: Participant[] = new Array(n);
  await pool(n, concurrency, async (i) => {
    const email = `p${i}-${run}@bench.gopy.vn`;
    const accountId = await accounts.signUp(
      {
        email,
        password: PASSWORD,
        displayName: `Người tham gia ${i}`,
        pseudonym: null,
        stakeholderCategory: categories[i % categories.length]!,
        locale: 'vi',
      },
      { origin: 'self', verified: true },
    );
    const { token } = await accounts.signIn(email, PASSWORD);
    out[i] = { accountId, email, token };
  });
  return out;
}

function node(
  kind: DraftNode['kind'],
  number: string,
  heading: string,
  text: string,
  children: DraftNode[] = [],
): DraftNode {
  return { nodeId: randomUUID(), kind, number, heading, text, children };
}

function draft(): DraftNode[] {
  return [
    node('chapter', 'I', 'Quy định chung', '', [
      node(
        'article',
        '1',
        'Phạm vi điều chỉnh',
        'Quy định này áp dụng đối với các trường mầm non, tiểu học và trung học cơ sở công lập trên địa bàn huyện.',
        [
          node('clause', '1', '', 'Các khoản thu thỏa thuận phục vụ hoạt động giáo dục ngoài học phí.'),
          node('clause', '2', '', 'Các khoản thu hộ, chi hộ theo đề nghị của cha mẹ học sinh.'),
        ],
      ),
      node(
        'article',
        '2',
        'Nguyên tắc thu, chi',
        'Các khoản thu phải được thỏa thuận công khai với cha mẹ học sinh trước khi thu.',
      ),
    ]),
    node('chapter', 'II', 'Tổ chức thực hiện', '', [
      node('article', '3', 'Mức thu tối đa', 'Mức thu tiền ăn bán trú không vượt quá 30.000 đồng/học sinh/ngày.'),
    ]),
  ];
}

function flatten(nodes: DraftNode[]): string[] {
  return nodes.flatMap((n) => [n.nodeId, ...flatten(n.children)]);
}

/**
 * An organisation, a staff member (with a session), and a policy with version 1 published and a consultation round
 * open for `openDays` days. Saved in the data folder so a later step (or a restart) finds it.
 */
export async function createWorld(
  runtime: Runtime,
  options: { participants?: number; openDays?: number } = {},
): Promise<World> {
  const { commands } = runtime;
  const organizationId = randomUUID();
  await commands.organization(
    {
      type: 'RegisterOrganization',
      organizationId,
      name: 'Phòng Giáo dục và Đào tạo huyện Thử Nghiệm',
      kind: 'district_office',
      levels: [],
      schoolType: '',
      parentOrganizationId: null,
    },
    null,
    { systemActor: true },
  );
  const accounts = fixtureAccounts(runtime);
  const staffEmail = `staff-${randomUUID().slice(0, 8)}@bench.gopy.vn`;
  const staffAccountId = await accounts.signUp(
    {
      email: staffEmail,
      password: PASSWORD,
      displayName: 'Chuyên viên thử nghiệm',
      pseudonym: null,
      stakeholderCategory: 'organization',
      locale: 'vi',
    },
    { origin: 'admin', verified: true },
  );
  await commands.organization(
    { type: 'AddMember', organizationId, accountId: staffAccountId, roles: ['staff'] },
    null,
    { systemActor: true },
  );
  const staffToken = (await accounts.signIn(staffEmail, PASSWORD)).token;
  const staff: Principal = { accountId: staffAccountId, rolesIn: async () => ['staff', 'participant'] as Role[] };
  const policyId = randomUUID();
  const title = 'Quy định thu, chi các khoản thu thỏa thuận (dữ liệu đo hiệu năng)';
  await commands.policy(
    {
      type: 'ProposePolicy',
      policyId,
      owningOrganizationId: organizationId,
      title,
      summary: 'Dự thảo dùng để đo hiệu năng.',
      topics: ['hiệu năng'],
    },
    staff,
  );
  await commands.policy({ type: 'StartDrafting', policyId }, staff);
  const nodes = draft();
  await commands.policy(
    { type: 'PublishDraftVersion', policyId, title, nodes, changeNote: 'Bản dự thảo lần 1' },
    staff,
  );
  const now = runtime.clock.now();
  await commands.policy(
    {
      type: 'OpenConsultation',
      policyId,
      opensAt: now.toISOString(),
      closesAt: new Date(now.getTime() + (options.openDays ?? 60) * 86_400_000).toISOString(),
      note: '',
    },
    staff,
  );
  const participants = options.participants ? await createParticipants(runtime, options.participants) : [];
  const world: World = {
    organizationId,
    staffAccountId,
    staffToken,
    policyId,
    version: 1,
    nodeIds: flatten(nodes),
    participants,
  };
  saveWorld(runtime.config.dataDir, world);
  return world;
}

export function saveWorld(dataDir: string, world: World): void {
  fs.writeFileSync(path.join(dataDir, WORLD_FILE), JSON.stringify(world));
}

export function loadWorld(dataDir: string): World {
  return JSON.parse(fs.readFileSync(path.join(dataDir, WORLD_FILE), 'utf8')) as World;
}

const bodies = [
  'Đề nghị bổ sung quy định công khai danh sách học sinh được miễn, giảm để phụ huynh cùng giám sát.',
  'Mức 30.000 đồng/ngày là hợp lý ở thị trấn nhưng cao đối với các xã vùng khó khăn.',
  'Tôi ủng hộ dự thảo vì giúp các khoản thu minh bạch hơn.',
  'Nên quy định rõ thời hạn nhà trường phải hoàn trả các khoản thu thừa cho cha mẹ học sinh.',
  'Cần có cơ chế để phụ huynh phản ánh khi nhà trường thu sai quy định.',
];
const stances = ['support', 'oppose', 'neutral', 'suggestion'] as const;

export function commentBody(i: number): string {
  return `${bodies[i % bodies.length]} (#${i})`;
}

/** The SubmitComment command of generated comment `i` (author round-robin over the world's participants). */
function submitCommand(world: World, i: number, keyPrefix: string, now: string) {
  const author = world.participants[i % world.participants.length]!;
  const idempotencyKey = `${keyPrefix}-${i}`;
  const commentId = commentIdFor(author.accountId, idempotencyKey);
  const roles: Role[] = ['participant'];
  return {
    author,
    commentId,
    command: {
      type: 'SubmitComment' as const,
      commentId,
      policyId: world.policyId,
      version: world.version,
      anchorNodeId: i % 3 === 0 ? (world.nodeIds[i % world.nodeIds.length] ?? null) : null,
      parentCommentId: null,
      body: commentBody(i),
      stance: stances[i % stances.length]!,
      stakeholderCategory: categories[i % categories.length]!,
      authorAccountId: author.accountId,
      pseudonym: null,
      idempotencyKey,
      now,
      actor: { accountId: author.accountId, roles },
    },
    context: {
      actor: { accountId: author.accountId, role: 'participant' as const, organizationId: world.organizationId },
      occurredAt: now,
      correlationId: uuidv7(),
      causationId: null,
    },
  };
}

async function policyState(runtime: Runtime, world: World): Promise<PolicyState> {
  return (
    await runtime.writePath.load(streams.policy(world.policyId), policyAggregate.initialState, policyAggregate.evolve)
  ).state;
}

/**
 * Appends `count` CommentSubmitted events on the world's policy through WritePath.execute (load the comment stream,
 * decide with the real decider, stamp, append with no_stream), `concurrency` in flight so group commit batches them.
 * The policy state is loaded once rather than per comment.
 */
export async function generateComments(
  runtime: Runtime,
  world: World,
  count: number,
  options: { concurrency?: number; keyPrefix?: string } = {},
): Promise<{ appended: number; seconds: number }> {
  if (world.participants.length === 0) throw new Error('generateComments needs participants');
  const policy = await policyState(runtime, world);
  const prefix = options.keyPrefix ?? `gen-${uuidv7()}`;
  const started = performance.now();
  let appended = 0;
  await pool(count, options.concurrency ?? 64, async (i) => {
    const { commentId, command, context } = submitCommand(world, i, prefix, runtime.clock.now().toISOString());
    const result = await runtime.writePath.execute(
      streams.comment(commentId),
      commentAggregate,
      command,
      async (command, state) => ({ events: decideComment(command, state, policy), context }),
    );
    appended += result.appended;
  });
  return { appended, seconds: (performance.now() - started) / 1000 };
}

/** A stamped batch: events ready to append, and the wrapped data keys they were sealed with. */
export interface StampedBatch {
  events: { streamId: string; event: EventToAppend }[];
  keys: [keyId: string, wrapped: Buffer][];
}

/**
 * Decides and stamps generated comments [start, end) with fresh in-memory data keys (wrapped with the master key, as
 * the key store keeps them).
 */
export async function stampBatch(
  world: World,
  policy: PolicyState,
  prefix: string,
  start: number,
  end: number,
  masterKey: Buffer,
  now: string,
): Promise<StampedBatch> {
  const fresh = new Map<string, Buffer>();
  const keys: KeyStore = {
    getOrCreateKey: async (keyId) => {
      let key = fresh.get(keyId);
      if (!key) fresh.set(keyId, (key = newDataKey()));
      return key;
    },
    getKey: async (keyId) => fresh.get(keyId),
    destroyKey: async () => {
      throw new Error('not in the generator');
    },
    isDestroyed: async () => false,
    close: async () => {},
  };
  const events: StampedBatch['events'] = [];
  for (let i = start; i < end; i++) {
    const { commentId, command, context } = submitCommand(world, i, prefix, now);
    const [event] = decideComment(command, initialCommentState, policy);
    const streamId = streams.comment(commentId);
    events.push({ streamId, event: await stampFirst(keys, streamId, event!, context, now) });
  }
  return { events, keys: [...fresh].map(([keyId, key]) => [keyId, wrapKey(masterKey, keyId, key)]) };
}

/**
 * The bulk generator for large logs (100k, 1M events). Each event is decided by the real comment decider and stamped
 * exactly as WritePath.stamp does for the first event of a new stream (sealEventData with a per-comment key, the
 * catalogue schema, canonical JSON, EventMetadata, UUIDv7 id, eventHash chained to GENESIS_HASH), then appended with
 * no_stream through the SQLite event store's append (group commit), a batch of appends in flight.
 *
 * The shortcut: per-comment data keys are made in memory (the adapter's own newDataKey/wrapKey) and written to the
 * key store's table in one transaction per batch, before the batch's events; the real key store commits each key on
 * its own. (Stamping in worker threads was tried: no faster on 2 cores, the appends and the copies between threads eat
 * the gain.) The stamping is checked against the real write path: the first comment goes through WritePath.execute and the
 * generated events must have the same data and metadata fields.
 */
export async function generateCommentsFast(
  runtime: Runtime,
  world: World,
  count: number,
  options: { batch?: number; onProgress?: (done: number) => void } = {},
): Promise<{ appended: number; seconds: number }> {
  if (world.participants.length === 0) throw new Error('generateCommentsFast needs participants');
  const started = performance.now();
  const prefix = `gen-${uuidv7()}`;
  // The first comment through the real write path: the reference the generated ones must match field for field.
  const first = await generateComments(runtime, world, Math.min(1, count), { concurrency: 1, keyPrefix: prefix });
  if (count <= 1) return { appended: first.appended, seconds: (performance.now() - started) / 1000 };
  const reference = await firstEventOf(runtime, world, prefix);
  const policy = await policyState(runtime, world);
  const masterKey = loadSecrets(runtime.config, () => {}).masterKey;
  const keysDb = new Database(dataFiles(runtime.config.dataDir).keys);
  keysDb.pragma('busy_timeout = 5000');
  const insertKey = keysDb.prepare('INSERT INTO data_keys (key_id, wrapped, destroyed) VALUES (?, ?, 0)');
  const batchSize = options.batch ?? 2_000;
  const ranges: [number, number][] = [];
  for (let start = 1; start < count; start += batchSize) ranges.push([start, Math.min(count, start + batchSize)]);
  let appended = first.appended;
  let checked = false;
  const write = async (batch: StampedBatch) => {
    if (!checked) {
      assertSameShape(reference, batch.events[0]!.event);
      checked = true;
    }
    // Keys first: an event never names a key the key store does not hold.
    keysDb.transaction(() => {
      for (const [keyId, wrapped] of batch.keys) insertKey.run(keyId, wrapped);
    })();
    await Promise.all(batch.events.map((s) => runtime.store.append(s.streamId, [s.event], 'no_stream')));
    appended += batch.events.length;
    options.onProgress?.(appended);
  };
  try {
    for (const [start, end] of ranges)
      await write(await stampBatch(world, policy, prefix, start, end, masterKey, runtime.clock.now().toISOString()));
  } finally {
    keysDb.close();
  }
  return { appended, seconds: (performance.now() - started) / 1000 };
}

/** WritePath.stamp for the first event (revision 0) of a new stream. */
async function stampFirst(
  keys: KeyStore,
  streamId: string,
  event: DomainEvent,
  context: CommandContext,
  recordedAt: string,
): Promise<EventToAppend> {
  const entry = eventCatalogue[event.type as EventType];
  const { data: sealed, keyIds } = await sealEventData(
    keys,
    event.type as EventType,
    event.data as Record<string, unknown>,
  );
  const data = canonicalJson(entry.schema.parse(sealed));
  const metadata = canonicalJson(
    EventMetadata.parse({
      actor: context.actor,
      correlationId: context.correlationId,
      causationId: context.causationId,
      occurredAt: context.occurredAt,
      recordedAt,
      schemaVersion: entry.version,
      prevHash: GENESIS_HASH,
      keyIds,
    }),
  );
  const eventId = uuidv7();
  const hash = eventHash(GENESIS_HASH, { streamId, revision: 0, eventId, type: event.type, data, metadata });
  return { eventId, type: event.type, data, metadata, hash };
}

async function firstEventOf(runtime: Runtime, world: World, prefix: string): Promise<EventToAppend> {
  const { commentId } = submitCommand(world, 0, prefix, runtime.clock.now().toISOString());
  for await (const e of runtime.store.readStream(streams.comment(commentId))) return e;
  throw new Error('the reference comment was not stored');
}

function shape(text: string): string {
  const keys = (v: unknown, at: string): string[] =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.entries(v).flatMap(([k, x]) => [`${at}${k}`, ...keys(x, `${at}${k}.`)])
      : [];
  return keys(JSON.parse(text), '').sort().join(',');
}

function assertSameShape(reference: EventToAppend, generated: EventToAppend): void {
  if (
    reference.type !== generated.type ||
    shape(reference.data) !== shape(generated.data) ||
    shape(reference.metadata) !== shape(generated.metadata)
  ) {
    throw new Error(
      `generated events no longer match the write path's:\n  ${reference.type} ${shape(reference.data)} | ${shape(reference.metadata)}\n  ${generated.type} ${shape(generated.data)} | ${shape(generated.metadata)}`,
    );
  }
}

/** Projects everything not yet projected into the runtime's read models; returns events applied and seconds. */
export async function project(runtime: Runtime): Promise<{ applied: number; seconds: number }> {
  const started = performance.now();
  const applied = await runtime.projector.catchUpOnce();
  return { applied, seconds: (performance.now() - started) / 1000 };
}

/**
 * Submits `count` comments through the command handlers exactly as the API's submitComment mutation does (load the
 * comment and policy streams, authorise, decide, stamp, append), `concurrency` at a time.
 */
export async function submitViaCommands(
  runtime: Runtime,
  world: World,
  count: number,
  options: { concurrency?: number; keyPrefix?: string } = {},
): Promise<{ appended: number; seconds: number }> {
  const prefix = options.keyPrefix ?? `cmd-${uuidv7()}`;
  const started = performance.now();
  let appended = 0;
  await pool(count, options.concurrency ?? 1, async (i) => {
    const { author, command } = submitCommand(world, i, prefix, '');
    const { now: _now, actor: _actor, ...input } = command;
    const principal: Principal = { accountId: author.accountId, rolesIn: async () => ['participant'] };
    const result = await runtime.commands.comment(input, principal);
    appended += result.appended;
  });
  return { appended, seconds: (performance.now() - started) / 1000 };
}
