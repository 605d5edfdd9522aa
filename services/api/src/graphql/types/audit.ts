import { z } from 'zod';
import { CHECKPOINT_STREAM, type CheckpointData } from '@gopy/application/audit/checkpoint';
import { verifyLog, type UnsealedTail, type VerifyReport } from '@gopy/application/audit/verify';
import { positionOf, type Position, type RecordedEvent } from '@gopy/application/eventStore';
import { ValidationError } from '@gopy/domain/errors';
import { eventHash } from '@gopy/application/integrity';
import { parsePublicKey } from '@gopy/application/audit/checkpoint';
import { readLog, recordSensitiveRead, type ReadLogEntry } from '@gopy/application/audit/readLog';
import {
  policyAsOf,
  type CommentSnapshot,
  type HistoryEntry,
  type PolicySnapshot,
  type RoundSnapshot,
} from '@gopy/application/audit/timeTravel';
import { accountQueries } from '@gopy/application/readModels/index';
import type { Role } from '@gopy/schemas';
import { eraseAccount, eraseOwnAccount, myData, type ErasureReport } from '../../auditErasure';
import { SESSION_COOKIE } from './account';
import { principalOf } from '../../principal';
import { builder } from '../builder';
import { hasRoleAnywhere, rolesIn, type GraphQLContext } from '../context';
import { forbiddenRole } from '../errors';

function allRolesOf(ctx: GraphQLContext): Role[] {
  const roles = new Set<Role>();
  for (const r of ctx.viewer?.memberships.values() ?? []) for (const role of r) roles.add(role);
  return [...roles];
}

const ErasureCommentsEnum = builder.enumType('ErasureComments', {
  description: 'What becomes of an erased person’s comments.',
  values: {
    ANONYMOUS: {
      value: 'anonymous',
      description: 'They stay readable as anonymous contributions ("erased participant").',
    },
    DESTROY: {
      value: 'destroyed',
      description:
        'Their bodies are destroyed (their keys shredded); each shows as withdrawn by its author, and digests keep their counts and themes.',
    },
  } as const,
});

const ErasurePayload = builder.objectRef<ErasureReport>('ErasurePayload').implement({
  description:
    'What an erasure did: the keys destroyed, the mails deleted, the SQLite files scrubbed or PostgreSQL tables rewritten; what remains and why, and what lies outside.',
  fields: (t) => ({
    accountId: t.exposeID('accountId'),
    position: t.exposeString('position'),
    comments: t.field({ type: ErasureCommentsEnum, resolve: (r) => r.comments }),
    commentCount: t.exposeInt('commentCount', {
      description: 'Comments the person wrote (kept anonymous or destroyed).',
    }),
    keysDestroyed: t.exposeStringList('keysDestroyed'),
    mailsDeleted: t.exposeInt('mailsDeleted'),
    sqliteFilesCheckpointed: t.field({
      type: ['String'],
      resolve: (r) => r.sqliteFilesCheckpointed.map((f) => f.split(/[\\/]/).at(-1)!),
    }),
    postgresTablesRewritten: t.exposeStringList('postgresTablesRewritten', {
      description: 'On PostgreSQL, the tables rewritten (VACUUM FULL) so no table file keeps an old row.',
    }),
    remains: t.exposeStringList('remains', {
      description: 'What stays in the system about the person, each with why.',
    }),
    outside: t.exposeStringList('outside'),
  }),
});

builder.mutationField('eraseAccount', (t) =>
  t.field({
    type: ErasurePayload,
    errors: {},
    authScopes: { admin: true },
    description:
      'An admin carries out a person’s request to be forgotten: AccountErased is appended, their key and sign-in secrets are destroyed; their comments stay as anonymous contributions or have their bodies destroyed, as the person asked.',
    args: {
      accountId: t.arg.id({ required: true }),
      requestReference: t.arg.string({ required: true, validate: z.string().min(1).max(200) }),
      comments: t.arg({ type: ErasureCommentsEnum, required: true, defaultValue: 'anonymous' }),
    },
    resolve: (_r, a, ctx) =>
      eraseAccount(ctx.runtime, principalOf(ctx), allRolesOf(ctx), String(a.accountId), a.requestReference, a.comments),
  }),
);

builder.mutationField('eraseMyAccount', (t) =>
  t.field({
    type: ErasurePayload,
    errors: {},
    authScopes: { signedIn: true },
    description:
      'The signed-in person erases their own account, after typing their password again, and chooses what becomes of their comments. Their session ends.',
    args: {
      password: t.arg.string({ required: true, validate: z.string().max(200) }),
      comments: t.arg({ type: ErasureCommentsEnum, required: true }),
    },
    resolve: async (_r, a, ctx) => {
      const report = await eraseOwnAccount(ctx.runtime, principalOf(ctx), allRolesOf(ctx), a.password, a.comments);
      ctx.setCookie(SESSION_COOKIE, '', { maxAgeSeconds: 0 });
      return report;
    },
  }),
);

builder.queryField('myData', (t) =>
  t.string({
    authScopes: { signedIn: true },
    description:
      'Everything held about the signed-in person, as a JSON document (account, memberships, comments with every revision, flags, endorsements).',
    resolve: async (_r, _a, ctx) => {
      const me = principalOf(ctx);
      // Read first, recorded before it is answered: a read that could not be recorded is not served.
      const data = await myData(ctx.runtime, me.accountId);
      await recordSensitiveRead(ctx.runtime.writePath, ctx.runtime.clock.now(), {
        readerAccountId: me.accountId,
        readerRole: 'participant',
        subjectKind: 'account',
        subjectId: me.accountId,
        field: 'myData',
      });
      return data;
    },
  }),
);

builder.queryField('auditPublicKey', (t) =>
  t.string({
    description: 'The sealer’s Ed25519 public key (PEM), also at /.well-known/gopy-audit-key.',
    resolve: (_r, _a, ctx) => ctx.runtime.auditPublicKeyPem,
  }),
);

interface CheckpointShape {
  eventId: string;
  position: string;
  recordedAt: string;
  data: CheckpointData;
}

const AuditCheckpoint = builder.objectRef<CheckpointShape>('AuditCheckpoint').implement({
  description: 'A signed checkpoint over the first `count` events of the log.',
  fields: (t) => ({
    eventId: t.exposeID('eventId'),
    position: t.exposeString('position'),
    recordedAt: t.field({ type: 'DateTime', resolve: (c) => c.recordedAt }),
    count: t.int({ resolve: (c) => c.data.count }),
    merkleRoot: t.string({ resolve: (c) => c.data.merkleRoot }),
    lastEventId: t.id({ nullable: true, resolve: (c) => c.data.lastEventId }),
    lastHash: t.string({ nullable: true, resolve: (c) => c.data.lastHash }),
    previousCheckpointHash: t.string({ nullable: true, resolve: (c) => c.data.previousCheckpointHash }),
    keyFingerprint: t.string({ resolve: (c) => c.data.keyFingerprint }),
    signature: t.string({ resolve: (c) => c.data.signature }),
  }),
});

builder.queryField('auditCheckpoints', (t) =>
  t.field({
    type: [AuditCheckpoint],
    authScopes: { auditor: true },
    description: 'The newest signed checkpoints, newest first.',
    args: { first: t.arg.int({ required: false, defaultValue: 20, validate: z.number().int().min(1).max(500) }) },
    resolve: async (_r, a, ctx) => {
      const out: CheckpointShape[] = [];
      for await (const e of ctx.runtime.store.readStream(CHECKPOINT_STREAM, {
        direction: 'backwards',
        maxCount: a.first ?? 20,
      })) {
        out.push({
          eventId: e.eventId,
          position: e.position,
          recordedAt: (JSON.parse(e.metadata) as { recordedAt: string }).recordedAt,
          data: JSON.parse(e.data) as CheckpointData,
        });
        if (out.length >= (a.first ?? 20)) break;
      }
      return out;
    },
  }),
);

const VerificationFailure = builder
  .objectRef<NonNullable<VerifyReport['failure']>>('AuditVerificationFailure')
  .implement({
    fields: (t) => ({
      index: t.exposeInt('index'),
      eventId: t.exposeID('eventId'),
      streamId: t.exposeString('streamId'),
      revision: t.exposeInt('revision'),
      position: t.string({ nullable: true, resolve: (f) => f.position ?? null }),
      reason: t.exposeString('reason'),
    }),
  });

const AuditUnsealedTail = builder.objectRef<UnsealedTail>('AuditUnsealedTail').implement({
  description:
    'The events no signed checkpoint covers yet: their chains are checked, but deleting or rewriting them (hashes recomputed) leaves no trace until a checkpoint seals them.',
  fields: (t) => ({
    events: t.exposeInt('events'),
    firstIndex: t.exposeInt('firstIndex', { description: 'The first one’s 0-based place in the log.' }),
    lastIndex: t.exposeInt('lastIndex'),
    firstPosition: t.string({ nullable: true, resolve: (u) => u.firstPosition }),
    lastPosition: t.string({ nullable: true, resolve: (u) => u.lastPosition }),
    firstEventId: t.exposeID('firstEventId'),
    lastEventId: t.exposeID('lastEventId'),
    recordedFrom: t.field({ type: 'DateTime', nullable: true, resolve: (u) => u.recordedFrom }),
    recordedTo: t.field({ type: 'DateTime', nullable: true, resolve: (u) => u.recordedTo }),
  }),
});

const AuditVerification = builder.objectRef<VerifyReport>('AuditVerification').implement({
  description: 'The result of verifying the live log: every chain, every checkpoint and its signature.',
  fields: (t) => ({
    ok: t.exposeBoolean('ok'),
    events: t.exposeInt('events'),
    streams: t.exposeInt('streams'),
    checkpoints: t.exposeInt('checkpoints'),
    eventsAfterLastCheckpoint: t.exposeInt('eventsAfterLastCheckpoint'),
    lastCheckpointCount: t.int({ nullable: true, resolve: (r) => r.lastCheckpoint?.count ?? null }),
    unsealedTail: t.field({
      type: AuditUnsealedTail,
      nullable: true,
      description: 'Null when the newest checkpoint covers every event, or when verification stopped at a failure.',
      resolve: (r) => r.unsealedTail,
    }),
    failure: t.field({ type: VerificationFailure, nullable: true, resolve: (r) => r.failure }),
    notChecked: t.exposeStringList('notChecked'),
  }),
});

builder.queryField('auditVerification', (t) =>
  t.field({
    type: AuditVerification,
    authScopes: { auditor: true },
    description: 'Verifies the whole live log now (reads every event; the same check as `gopy audit verify`).',
    resolve: (_r, _a, ctx) =>
      verifyLog(() => ctx.runtime.store.readAll(), { publicKey: parsePublicKey(ctx.runtime.auditPublicKeyPem) }),
  }),
);

interface EventShape {
  recorded: RecordedEvent;
  metadata: {
    recordedAt: string;
    occurredAt: string;
    prevHash: string;
    actor: { accountId: string | null; role: string; organizationId: string | null };
  };
}

const AuditEvent = builder.objectRef<EventShape>('AuditEvent').implement({
  description:
    'One stored event as the auditor sees it: raw stored text (encrypted fields stay encrypted), hashes and whether they check.',
  fields: (t) => ({
    position: t.string({ resolve: (e) => e.recorded.position }),
    streamId: t.string({ resolve: (e) => e.recorded.streamId }),
    revision: t.int({ resolve: (e) => e.recorded.revision }),
    eventId: t.id({ resolve: (e) => e.recorded.eventId }),
    type: t.string({ resolve: (e) => e.recorded.type }),
    recordedAt: t.field({ type: 'DateTime', resolve: (e) => e.metadata.recordedAt }),
    occurredAt: t.field({ type: 'DateTime', resolve: (e) => e.metadata.occurredAt }),
    actorAccountId: t.id({ nullable: true, resolve: (e) => e.metadata.actor.accountId }),
    actorRole: t.string({ resolve: (e) => e.metadata.actor.role }),
    actorOrganizationId: t.id({ nullable: true, resolve: (e) => e.metadata.actor.organizationId }),
    data: t.string({ description: 'The stored JSON text of the data.', resolve: (e) => e.recorded.data }),
    metadata: t.string({ description: 'The stored JSON text of the metadata.', resolve: (e) => e.recorded.metadata }),
    hash: t.string({ resolve: (e) => e.recorded.hash }),
    prevHash: t.string({ resolve: (e) => e.metadata.prevHash }),
    hashMatches: t.boolean({
      description:
        'The stored hash equals SHA-256 over prevHash and the stored bytes (the link to the previous event is checked by auditVerification).',
      resolve: (e) => eventHash(e.metadata.prevHash, e.recorded) === e.recorded.hash,
    }),
  }),
});

const AuditEventPage = builder
  .objectRef<{ events: EventShape[]; nextAfter: string | null }>('AuditEventPage')
  .implement({
    fields: (t) => ({
      events: t.field({ type: [AuditEvent], resolve: (p) => p.events }),
      nextAfter: t.string({
        nullable: true,
        description: 'Pass as `after` for the next page; null at the end of the log.',
        resolve: (p) => p.nextAfter,
      }),
    }),
  });

builder.queryField('auditEvents', (t) =>
  t.field({
    type: AuditEventPage,
    authScopes: { auditor: true },
    description: 'The global event log in order, with filters (stream prefix, event type, actor, recorded time range).',
    args: {
      first: t.arg.int({ required: false, defaultValue: 50, validate: z.number().int().min(1).max(500) }),
      after: t.arg.string({ required: false }),
      streamPrefix: t.arg.string({ required: false }),
      eventType: t.arg.string({ required: false }),
      actorAccountId: t.arg.id({ required: false }),
      recordedFrom: t.arg({ type: 'DateTime', required: false }),
      recordedTo: t.arg({ type: 'DateTime', required: false }),
    },
    resolve: async (_r, a, ctx) => {
      const first = a.first ?? 50;
      const after = a.after ? positionOf(ctx.runtime.store, a.after) : undefined;
      if (a.after && !after) {
        throw new ValidationError('after', {
          vi: 'Vị trí trang phải là một vị trí trong nhật ký sự kiện: hãy dùng vị trí tiếp theo (nextAfter) của trang trước.',
          en: 'The page cursor must be a position of the event log: pass the nextAfter of the previous page.',
        });
      }
      const events: EventShape[] = [];
      let last: Position | undefined;
      const filter = {
        ...(a.streamPrefix ? { streamPrefixes: [a.streamPrefix] } : {}),
        ...(a.eventType ? { eventTypes: [a.eventType] } : {}),
      };
      for await (const recorded of ctx.runtime.store.readAll({
        ...(after ? { after } : {}),
        filter,
      })) {
        last = recorded.position;
        const metadata = JSON.parse(recorded.metadata) as EventShape['metadata'];
        if (a.actorAccountId && metadata.actor.accountId !== String(a.actorAccountId)) continue;
        if (a.recordedFrom && metadata.recordedAt < a.recordedFrom) continue;
        if (a.recordedTo && metadata.recordedAt >= a.recordedTo) continue;
        events.push({ recorded, metadata });
        if (events.length >= first) break;
      }
      const head = await ctx.runtime.store.headPosition();
      return { events, nextAfter: last && head && ctx.runtime.store.comparePositions(last, head) < 0 ? last : null };
    },
  }),
);

const HistoryEntryRef = builder.objectRef<HistoryEntry>('AuditHistoryEntry').implement({
  description: 'Who did what, when, with which reason: one event of a policy’s or a comment’s stream.',
  fields: (t) => ({
    eventId: t.exposeID('eventId'),
    streamId: t.exposeString('streamId'),
    type: t.exposeString('type'),
    recordedAt: t.field({ type: 'DateTime', resolve: (h) => h.recordedAt }),
    occurredAt: t.field({ type: 'DateTime', resolve: (h) => h.occurredAt }),
    position: t.exposeString('position'),
    actorAccountId: t.id({ nullable: true, resolve: (h) => h.actorAccountId }),
    actorRole: t.exposeString('actorRole'),
    reason: t.string({ nullable: true, resolve: (h) => h.reason }),
  }),
});

const CommentSnapshotRef = builder.objectRef<CommentSnapshot>('CommentSnapshot').implement({
  description: 'A comment and its moderation state as they stood at the moment asked for.',
  fields: (t) => ({
    commentId: t.exposeID('commentId'),
    round: t.exposeInt('round'),
    version: t.exposeInt('version'),
    anchorNodeId: t.id({ nullable: true, resolve: (c) => c.anchorNodeId }),
    parentCommentId: t.id({ nullable: true, resolve: (c) => c.parentCommentId }),
    authorAccountId: t.id({ nullable: true, resolve: (c) => c.authorAccountId }),
    authorName: t.string({
      nullable: true,
      description: 'The author’s display name today ("erased participant" after erasure); null for offline feedback.',
      resolve: async (c, _a, ctx) =>
        c.authorAccountId
          ? ((await accountQueries.byIds(ctx.runtime.readDb, [c.authorAccountId]))[0]?.displayName ?? null)
          : null,
    }),
    channel: t.exposeString('channel'),
    stakeholderCategory: t.exposeString('stakeholderCategory'),
    stance: t.exposeString('stance'),
    body: t.string({
      nullable: true,
      description: 'The text then; null when its key has since been destroyed (redacted).',
      resolve: (c) => c.body,
    }),
    status: t.exposeString('status', { description: 'visible | hidden | withdrawn | redacted, as it stood then' }),
    hiddenReason: t.string({ nullable: true, resolve: (c) => c.hiddenReason }),
    hiddenReasonCode: t.string({ nullable: true, resolve: (c) => c.hiddenReasonCode }),
    submittedAt: t.field({ type: 'DateTime', resolve: (c) => c.submittedAt }),
    edits: t.exposeInt('edits'),
    flags: t.exposeInt('flags'),
    endorsements: t.exposeInt('endorsements'),
    tags: t.exposeStringList('tags'),
    officialReplies: t.field({ type: ['String'], resolve: (c) => c.officialReplies.map((r) => r.body) }),
    history: t.field({ type: [HistoryEntryRef], resolve: (c) => c.history }),
  }),
});

const RoundSnapshotRef = builder.objectRef<RoundSnapshot>('RoundSnapshot').implement({
  fields: (t) => ({
    round: t.exposeInt('round'),
    version: t.exposeInt('version'),
    opensAt: t.field({ type: 'DateTime', resolve: (r) => r.opensAt }),
    closesAt: t.field({ type: 'DateTime', resolve: (r) => r.closesAt }),
    closedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.closedAt }),
    closedBy: t.string({ nullable: true, resolve: (r) => r.closedBy }),
    answered: t.exposeBoolean('answered'),
  }),
});

const SnapshotStats = builder.objectRef<PolicySnapshot['stats']>('PolicySnapshotStats').implement({
  fields: (t) => ({
    total: t.exposeInt('total'),
    visible: t.exposeInt('visible'),
    hidden: t.exposeInt('hidden'),
    withdrawn: t.exposeInt('withdrawn'),
    redacted: t.exposeInt('redacted'),
    support: t.int({ resolve: (s) => s.byStance.support ?? 0 }),
    oppose: t.int({ resolve: (s) => s.byStance.oppose ?? 0 }),
    neutral: t.int({ resolve: (s) => s.byStance.neutral ?? 0 }),
    suggestion: t.int({ resolve: (s) => s.byStance.suggestion ?? 0 }),
  }),
});

const PolicySnapshotRef = builder.objectRef<PolicySnapshot>('PolicySnapshot').implement({
  description:
    'A policy, its text, its rounds, its comments with their moderation state and its statistics, as they stood at `asOf`.',
  fields: (t) => ({
    policyId: t.exposeID('policyId'),
    asOf: t.exposeString('asOf'),
    owningOrganizationId: t.exposeID('owningOrganizationId'),
    title: t.exposeString('title'),
    summary: t.exposeString('summary'),
    status: t.exposeString('status'),
    versionNumber: t.int({ nullable: true, resolve: (p) => p.currentVersion?.version ?? null }),
    versionTitle: t.string({ nullable: true, resolve: (p) => p.currentVersion?.title ?? null }),
    nodesJson: t.string({
      nullable: true,
      description: 'The draft tree of that version, as JSON.',
      resolve: (p) => (p.currentVersion ? JSON.stringify(p.currentVersion.nodes) : null),
    }),
    rounds: t.field({ type: [RoundSnapshotRef], resolve: (p) => p.rounds }),
    enactmentDecisionNumber: t.string({ nullable: true, resolve: (p) => p.enactment?.decisionNumber ?? null }),
    withdrawalReason: t.string({ nullable: true, resolve: (p) => p.withdrawalReason }),
    comments: t.field({ type: [CommentSnapshotRef], resolve: (p) => p.comments }),
    stats: t.field({ type: SnapshotStats, resolve: (p) => p.stats }),
    history: t.field({
      type: [HistoryEntryRef],
      description: 'The policy stream up to then: who did what, when, with which reason.',
      resolve: (p) => p.history,
    }),
  }),
});

/** The role under which a sensitive read is recorded: auditor or admin (staff reading their own policy are not logged). */
function sensitiveReaderRole(ctx: GraphQLContext): 'auditor' | 'admin' | null {
  if (hasRoleAnywhere(ctx.viewer, 'auditor')) return 'auditor';
  if (hasRoleAnywhere(ctx.viewer, 'admin')) return 'admin';
  return null;
}

builder.queryField('policyAsOf', (t) =>
  t.field({
    type: PolicySnapshotRef,
    nullable: true,
    authScopes: { signedIn: true },
    description:
      'Time travel: the policy as it stood at `asOf`, an ISO time (compared with recordedAt) or a log position. Auditors, and staff of the owning organisation. Null when it did not exist yet.',
    args: {
      id: t.arg.id({ required: true }),
      asOf: t.arg.string({ required: true, validate: z.string().min(1).max(100) }),
    },
    resolve: async (_r, a, ctx) => {
      const viewer = ctx.viewer;
      const snapshot = await policyAsOf(ctx.runtime.writePath, ctx.runtime.store, String(a.id), a.asOf);
      if (!snapshot) return null;
      const auditor = hasRoleAnywhere(viewer, 'auditor');
      if (!auditor && !rolesIn(viewer, snapshot.owningOrganizationId).includes('staff')) throw forbiddenRole();
      const role = sensitiveReaderRole(ctx);
      if (role && viewer && snapshot.comments.some((c) => c.status === 'hidden' || c.hiddenReason !== null)) {
        await recordSensitiveRead(ctx.runtime.writePath, ctx.runtime.clock.now(), {
          readerAccountId: viewer.accountId,
          readerRole: role,
          subjectKind: 'policyAsOf',
          subjectId: `${snapshot.policyId}@${snapshot.asOf}`,
          field: 'policyAsOf',
        });
      }
      return snapshot;
    },
  }),
);

const ReadLogEntryRef = builder.objectRef<ReadLogEntry>('SensitiveReadEntry').implement({
  description: 'Someone read or exported hidden content or personal data.',
  fields: (t) => ({
    eventId: t.exposeID('eventId'),
    position: t.exposeString('position', { description: 'The read’s own position in the event log.' }),
    recordedAt: t.field({ type: 'DateTime', resolve: (e) => e.recordedAt }),
    readerAccountId: t.exposeID('readerAccountId'),
    readerRole: t.exposeString('readerRole'),
    subjectKind: t.exposeString('subjectKind'),
    subjectId: t.exposeString('subjectId'),
    field: t.exposeString('field'),
  }),
});

builder.queryField('auditReadLog', (t) =>
  t.field({
    type: [ReadLogEntryRef],
    authScopes: { auditor: true },
    description:
      'Every read of hidden content or personal data (auditors and admins in the API, every export of comments, scans, hidden comments for moderators, a person’s own data), newest first.',
    args: { first: t.arg.int({ required: false, defaultValue: 100, validate: z.number().int().min(1).max(1_000) }) },
    resolve: (_r, a, ctx) => readLog(ctx.runtime.store, a.first ?? 100),
  }),
);
