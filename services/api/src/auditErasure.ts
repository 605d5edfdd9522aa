import { sql } from 'kysely';
import fs from 'node:fs';
import { checkpointWal, secureDeleteOn } from '@gopy/application/audit/sqliteHygiene';
import type { Principal } from '@gopy/application/commands';
import { accountQueries, commentQueries, organizationQueries } from '@gopy/application/readModels/index';
import { NotFoundError, ValidationError } from '@gopy/domain/errors';
import type { Role } from '@gopy/schemas';
import { eraseMailsTo } from '@gopy/composition/mailer';
import { dataFiles, type Runtime } from '@gopy/composition/runtime';

/** The personal data of an account as its AccountRegistered event holds it, decrypted (while the key lives). */
async function personalData(runtime: Runtime, accountId: string) {
  let registered: Record<string, unknown> | undefined;
  let recordedAt: string | undefined;
  const events: { type: string; recordedAt: string; data: unknown }[] = [];
  for await (const e of runtime.writePath.readStream(`account-${accountId}`)) {
    events.push({ type: e.event.type, recordedAt: e.metadata.recordedAt, data: e.event.data });
    if (e.event.type === 'AccountRegistered') {
      registered = e.event.data as unknown as Record<string, unknown>;
      recordedAt = e.metadata.recordedAt;
    }
  }
  return { registered, recordedAt, events };
}

/** What becomes of an erased person's comments (AccountErased v2). */
export type ErasureComments = 'anonymous' | 'destroyed';

export interface ErasureReport {
  accountId: string;
  position: string;
  comments: ErasureComments;
  /** How many comments the person wrote: kept anonymous, or their bodies destroyed. */
  commentCount: number;
  keysDestroyed: string[];
  mailsDeleted: number;
  sqliteFilesCheckpointed: string[];
  /** On PostgreSQL: the tables rewritten (VACUUM FULL) so no table file keeps an old row. */
  postgresTablesRewritten: string[];
  /** What stays in the system about the person, each with why. */
  remains: string[];
  /** What the erasure could not reach, said plainly. */
  outside: string[];
}

/** The comments an account wrote, from the log itself (authors are not sealed), so it works before read models catch up. */
async function commentIdsOf(runtime: Runtime, accountId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const recorded of runtime.store.readAll({ filter: { eventTypes: ['CommentSubmitted'] } })) {
    const data = JSON.parse(recorded.data) as { authorAccountId?: string | null; commentId?: string };
    if (data.authorAccountId === accountId && data.commentId) ids.push(data.commentId);
  }
  return ids;
}

/**
 * The one place that shreds what an erasure destroys: the person's data key and, when they chose to destroy their
 * comments, the key of every comment they wrote. Idempotent (a destroyed key stays destroyed), so it can be applied
 * again to a key store restored from a backup taken before the erasure. Returns the key ids.
 */
export async function shredErasedAccountKeys(
  runtime: Runtime,
  erased: { accountId: string; comments: ErasureComments },
  personalDataKeyId?: string,
): Promise<string[]> {
  const keys = new Set([`person:${erased.accountId}`, ...(personalDataKeyId ? [`person:${personalDataKeyId}`] : [])]);
  if (erased.comments === 'destroyed') {
    for (const commentId of await commentIdsOf(runtime, erased.accountId)) keys.add(`comment:${commentId}`);
  }
  for (const k of keys) await runtime.keys.destroyKey(k);
  return [...keys];
}

/** AccountRegistered events of the account written at schema version 1, which carry an HMAC of the email. */
async function legacyRegistrations(runtime: Runtime, accountId: string): Promise<string[]> {
  const positions: string[] = [];
  for await (const recorded of runtime.store.readStream(`account-${accountId}`)) {
    const meta = JSON.parse(recorded.metadata) as { schemaVersion?: number };
    if (recorded.type === 'AccountRegistered' && meta.schemaVersion === 1) positions.push(String(recorded.position));
  }
  return positions;
}

/** Runs `PRAGMA wal_checkpoint(TRUNCATE)` (and secure_delete) on a SQLite file through a connection of its own. */
async function checkpointSqliteFile(file: string): Promise<boolean> {
  if (!fs.existsSync(file)) return false;
  // better-sqlite3 is the adapters' driver; only the embedded runtime's files come here.
  const { default: Database } = (await import('better-sqlite3')) as unknown as {
    default: new (f: string) => { pragma(s: string): unknown; close(): void };
  };
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('secure_delete = ON');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return true;
}

function postgresUsed(runtime: Runtime): boolean {
  return runtime.config.readStore === 'postgres' || runtime.config.eventStore === 'postgres';
}

/**
 * PostgreSQL keeps an updated or deleted row in its table file until the space is reused: the person's old name in
 * the read models, their key in the key store, their credential. VACUUM FULL rewrites each table of the platform's
 * schemas into a new file (the old one is removed) and CHECKPOINT flushes it, so no table file keeps a copy.
 * It locks each table briefly; erasures are rare.
 */
async function rewritePostgresTables(runtime: Runtime): Promise<string[]> {
  const schemas = ['gopy_read', 'gopy_keys', 'gopy_auth'];
  const tables = await sql<{ schemaname: string; tablename: string }>`
    SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN (${sql.join(schemas)}) ORDER BY schemaname, tablename`.execute(
    runtime.readDb,
  );
  const done: string[] = [];
  for (const t of tables.rows) {
    await sql`VACUUM FULL ${sql.table(`${t.schemaname}.${t.tablename}`)}`.execute(runtime.readDb);
    done.push(`${t.schemaname}.${t.tablename}`);
  }
  await sql`CHECKPOINT`.execute(runtime.readDb).catch(() => undefined);
  return done;
}

/**
 * Erasure (DESIGN.md "Privacy"), asked by the person (`eraseMyAccount`) or carried out by an admin on request
 * (`eraseAccount`): appends AccountErased with the person's choice for their comments, then shreds the keys
 * (`shredErasedAccountKeys`: their name, email and pseudonym in the log become unreadable for good, and with
 * `destroyed` every comment they wrote), forgets their sign-in secrets and the email lookup (auth store), deletes the
 * mails written to them, and on SQLite overwrites freed pages (secure_delete) and checkpoints every WAL, on
 * PostgreSQL rewrites the tables, so no old page keeps a copy. Nothing is deleted from the log: every hash chain still
 * verifies, since no stored byte changes.
 */
export async function eraseAccount(
  runtime: Runtime,
  principal: Principal,
  roles: Role[],
  accountId: string,
  requestReference: string,
  comments: ErasureComments,
): Promise<ErasureReport> {
  const [row] = await accountQueries.byIds(runtime.readDb, [accountId]);
  if (!row)
    throw new NotFoundError('account', accountId, { vi: 'Không tìm thấy tài khoản.', en: 'Account not found.' });
  const { registered } = await personalData(runtime, accountId);
  const email = typeof registered?.email === 'string' ? registered.email : undefined;
  const sqliteRead = runtime.config.readStore === 'sqlite';
  // From now on the read models' connection zeroes what it frees, so the projected erasure leaves no old name behind.
  if (sqliteRead) await secureDeleteOn(runtime.readDb);
  const result = await runtime.commands.account(
    { type: 'EraseAccount', accountId, requestReference, comments },
    principal,
    roles,
  );
  // The event is in the log first, then the keys go: a crash in between leaves an erasure the next run can finish.
  const keysDestroyed = await shredErasedAccountKeys(
    runtime,
    { accountId, comments },
    typeof registered?.personalDataKeyId === 'string' ? registered.personalDataKeyId : undefined,
  );
  await runtime.auth.forgetAccount(accountId);
  const mailsDeleted = email ? eraseMailsTo(runtime.config.dataDir, email) : 0;
  if (result.position) await runtime.consistency.waitFor(result.position);
  const files = dataFiles(runtime.config.dataDir);
  const checkpointed: string[] = [];
  if (sqliteRead) {
    // Through the runtime's own connection first: the projector's pages are in its WAL.
    await checkpointWal(runtime.readDb);
    checkpointed.push(files.read);
  }
  const sideStores = postgresUsed(runtime) ? 'postgres' : 'sqlite';
  for (const [engine, file] of [
    [runtime.config.eventStore, files.events],
    [sideStores, files.keys],
    [sideStores, files.auth],
  ] as const) {
    if (engine === 'sqlite' && (await checkpointSqliteFile(file))) checkpointed.push(file);
  }
  const rewritten = postgresUsed(runtime) ? await rewritePostgresTables(runtime) : [];
  const commentCount = (await commentIdsOf(runtime, accountId)).length;
  const legacy = await legacyRegistrations(runtime, accountId);
  runtime.log(
    `account ${accountId} erased (request ${requestReference}, comments ${comments}): ${keysDestroyed.length} key(s) destroyed, ${mailsDeleted} mail file(s) deleted`,
  );
  return {
    accountId,
    position: result.position ?? '',
    comments,
    commentCount,
    keysDestroyed,
    mailsDeleted,
    sqliteFilesCheckpointed: checkpointed,
    postgresTablesRewritten: rewritten,
    remains: erasureRemains(comments, commentCount, legacy),
    outside: [
      ...(rewritten.length > 0
        ? [
            'PostgreSQL write-ahead log segments keep the old rows until the server recycles them (after its next checkpoints)',
          ]
        : []),
      'mails already delivered through SMTP (SMTP_URL) are in the recipients’ mailboxes, outside the system',
      'backups taken before the erasure still hold the destroyed keys until they expire (restoring one must be followed by shredding them again)',
    ],
  };
}

/**
 * The person erases their own account from their session, after typing their password again (a session left open
 * on a shared computer must not be enough to erase someone).
 */
export async function eraseOwnAccount(
  runtime: Runtime,
  principal: Principal,
  roles: Role[],
  password: string,
  comments: ErasureComments,
): Promise<ErasureReport> {
  const { registered } = await personalData(runtime, principal.accountId);
  const email = typeof registered?.email === 'string' ? registered.email : '';
  if (!(await runtime.accounts.passwordMatches(principal.accountId, email, password))) {
    throw new ValidationError('password', {
      vi: 'Mật khẩu không đúng. Hãy nhập mật khẩu bạn dùng để đăng nhập.',
      en: 'The password is not right. Type the password you sign in with.',
    });
  }
  return eraseAccount(runtime, principal, roles, principal.accountId, 'self-service', comments);
}

/** What an erasure leaves in the system, and why, in the words of the report. */
function erasureRemains(comments: ErasureComments, commentCount: number, legacyPositions: string[]): string[] {
  return [
    'the account id (a random UUID, no personal data) and the log’s events about it: when it registered, confirmed its email, took part and was erased, by whom and on which request; nothing is ever deleted from the log, and the events keep the hash chains and signed checkpoints verifiable',
    'the sealed name, email and pseudonym in the log: unreadable for good, their key destroyed',
    comments === 'destroyed'
      ? `${commentCount} comment(s): their text, every revision and the flag notes on them are unreadable for good (their keys destroyed); each shows as withdrawn by its author, with its policy, round, place in the draft, stance, stakeholder category and times, and stays counted in the digests’ themes and the analysis, as the person chose`
      : `${commentCount} comment(s) stay readable as anonymous contributions, authored by “erased participant”, as the person chose (their text is what they wrote; a moderator can still redact personal data in it)`,
    'endorsements and flags the account made, by account id, so counts stay true',
    ...(legacyPositions.length > 0
      ? [
          `${legacyPositions.length} AccountRegistered event(s) written before version 2 (position ${legacyPositions.join(', ')}) keep an HMAC-SHA256 of the email under GOPY_LOOKUP_KEY: a stored event is never changed (its bytes are in the hash chain and the signed checkpoints). It names no one by itself; someone who holds the lookup key and already knows the address could tell it was this account’s. Events written since version 2 carry no email lookup (it lives only in the auth store, emptied now)`,
        ]
      : []),
  ];
}

/**
 * "Download my data": everything held about the signed-in person, as one JSON document: the account (personal data
 * decrypted), memberships, every comment they wrote with every revision, and the flags and endorsements they made.
 */
export async function myData(runtime: Runtime, accountId: string): Promise<string> {
  const [account] = await accountQueries.byIds(runtime.readDb, [accountId]);
  const { registered, recordedAt, events: accountEvents } = await personalData(runtime, accountId);
  const memberships = await organizationQueries.membershipsOf(runtime.readDb, accountId);
  const commentIds: string[] = [];
  for (let before: number | undefined; ;) {
    const page = await commentQueries.byAuthor(runtime.readDb, accountId, 200, before);
    commentIds.push(...page.map((c) => c.id));
    if (page.length < 200) break;
    before = (page.at(-1) as { seq?: number } | undefined)?.seq;
    if (before === undefined) break;
  }
  const comments = [];
  for (const commentId of commentIds) {
    const history = [];
    for await (const e of runtime.writePath.readStream(`comment-${commentId}`)) {
      history.push({
        revision: e.recorded.revision,
        type: e.event.type,
        recordedAt: e.metadata.recordedAt,
        actorRole: e.metadata.actor.role,
        data: e.event.data,
      });
    }
    comments.push({ commentId, history });
  }
  const flags: unknown[] = [];
  const endorsements: unknown[] = [];
  for await (const recorded of runtime.store.readAll({
    filter: { eventTypes: ['CommentFlagged', 'CommentEndorsed'] },
  })) {
    const data = JSON.parse(recorded.data) as { flaggedBy?: string; endorsedBy?: string };
    if (data.flaggedBy !== accountId && data.endorsedBy !== accountId) continue;
    const e = await runtime.writePath.decode(recorded);
    (e.event.type === 'CommentFlagged' ? flags : endorsements).push({
      stream: recorded.streamId,
      recordedAt: e.metadata.recordedAt,
      data: e.event.data,
    });
  }
  return JSON.stringify(
    {
      format: 'gopy-my-data-1',
      accountId,
      account: {
        registeredAt: recordedAt ?? null,
        email: registered?.email ?? null,
        displayName: registered?.displayName ?? null,
        pseudonym: registered?.pseudonym ?? null,
        stakeholderCategory: registered?.stakeholderCategory ?? account?.stakeholderCategory ?? null,
        origin: registered?.origin ?? null,
        preferredLocale: registered?.preferredLocale ?? null,
        emailVerified: account?.emailVerified ?? false,
        events: accountEvents,
      },
      memberships,
      comments,
      flags,
      endorsements,
    },
    null,
    2,
  );
}
