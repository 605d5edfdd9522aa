import { sql } from 'kysely';
import fs from 'node:fs';
import { checkpointWal, secureDeleteOn } from '@gopy/application/audit/sqliteHygiene';
import type { Principal } from '@gopy/application/commands';
import { accountQueries, commentQueries, organizationQueries } from '@gopy/application/readModels/index';
import { NotFoundError } from '@gopy/domain/errors';
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

export interface ErasureReport {
  accountId: string;
  position: string;
  keysDestroyed: string[];
  mailsDeleted: number;
  sqliteFilesCheckpointed: string[];
  /** On PostgreSQL: the tables rewritten (VACUUM FULL) so no table file keeps an old row. */
  postgresTablesRewritten: string[];
  /** What the erasure could not reach, said plainly. */
  outside: string[];
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
 * Erasure (DESIGN.md "Privacy"): appends AccountErased, destroys the person's key (their name, email and pseudonym in
 * the log become unreadable for good), forgets their sign-in secrets, deletes the mails written to them, and on SQLite
 * overwrites freed pages (secure_delete) and checkpoints every WAL so no old page keeps a copy. Their comments stay,
 * authored by "erased participant"; every hash chain still verifies, since no stored byte changes.
 */
export async function eraseAccount(
  runtime: Runtime,
  principal: Principal,
  roles: Role[],
  accountId: string,
  requestReference: string,
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
    { type: 'EraseAccount', accountId, requestReference },
    principal,
    roles,
  );
  const keyId =
    typeof registered?.personalDataKeyId === 'string' ? `person:${registered.personalDataKeyId}` : undefined;
  const keysDestroyed = [...new Set([`person:${accountId}`, ...(keyId ? [keyId] : [])])];
  for (const k of keysDestroyed) await runtime.keys.destroyKey(k);
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
  for (const [engine, file] of [
    [runtime.config.eventStore, files.events],
    [
      runtime.config.readStore === 'postgres' || runtime.config.eventStore === 'postgres' ? 'postgres' : 'sqlite',
      files.keys,
    ],
    [
      runtime.config.readStore === 'postgres' || runtime.config.eventStore === 'postgres' ? 'postgres' : 'sqlite',
      files.auth,
    ],
  ] as const) {
    if (engine === 'sqlite' && (await checkpointSqliteFile(file))) checkpointed.push(file);
  }
  const rewritten = postgresUsed(runtime) ? await rewritePostgresTables(runtime) : [];
  runtime.log(
    `account ${accountId} erased (request ${requestReference}): ${keysDestroyed.length} key(s) destroyed, ${mailsDeleted} mail file(s) deleted`,
  );
  return {
    accountId,
    position: result.position ?? '',
    keysDestroyed,
    mailsDeleted,
    sqliteFilesCheckpointed: checkpointed,
    postgresTablesRewritten: rewritten,
    outside: [
      ...(rewritten.length > 0
        ? [
            'PostgreSQL write-ahead log segments keep the old rows until the server recycles them (after its next checkpoints)',
          ]
        : []),
      'mails already delivered through SMTP (SMTP_URL) are in the recipients’ mailboxes, outside the system',
      'backups taken before the erasure still hold the destroyed key until they expire',
    ],
  };
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
