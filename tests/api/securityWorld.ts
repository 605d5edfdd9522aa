/**
 * The world the authorisation matrix and the input fuzzer run in: the demo platform, where the district office
 * ("own" organisation) has one account per role, plus its parent, the province department ("other" organisation),
 * given an administrator by `gopy admin create` and, by that administrator over GraphQL, one account per role too;
 * signed-out, unconfirmed, confirmed and pupil accounts; the printed schema; and a watch on the event log that says
 * what a request appended. Everything goes over HTTP (and the command line) to a real server.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { expect } from 'vitest';
import { repoRoot, startPlatform, type Platform } from '../support/platform';
import {
  ERROR_FIELDS,
  client,
  demoAccount,
  ok,
  signIn,
  signUp,
  stopPlatform,
  verifiedParticipant,
  type Client,
  type ResultUnion,
} from './support';

const run = promisify(execFile);

/** The contract clients build against, as `gopy schema print` wrote it. */
export function printedSchema(): GraphQLSchema {
  return buildSchema(fs.readFileSync(path.join(repoRoot, 'schemas/graphql/schema.graphql'), 'utf8'));
}

export const ORG_ROLES = ['staff', 'moderator', 'spokesperson', 'policymaker', 'admin', 'auditor'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

export type ActorKey = 'anonymous' | 'unverified' | 'participant' | 'pupil' | OrgRole | `${OrgRole}@other`;

export interface Actor {
  key: ActorKey;
  /** null: signed out. */
  api: Client;
  signedIn: boolean;
  /** A confirmed email, or a pupil's account its school issued. */
  verified: boolean;
  /** The organisation the actor holds `role` in: the target's own (district office) or another (the province). */
  org: 'own' | 'other' | null;
  role: OrgRole | null;
  /** What signs this actor in again (for a session of its own that may be ended). */
  credentials: { email: string; password: string } | null;
  accountId: string | null;
}

export interface World {
  platform: Platform;
  /** The district office: every target of the matrix belongs to it. */
  ownOrgId: string;
  /** The province department, the district's parent. */
  otherOrgId: string;
  actors: Map<ActorKey, Actor>;
  actor(key: ActorKey): Actor;
  log: LogWatch;
}

/**
 * What the system's process managers append on their own, never for a request (the surge detector, the sealer, the
 * daily mail, the deadline scheduler closing a round whose time has come): not a request's writes.
 */
const BACKGROUND_EVENTS = new Set([
  'FeedbackSurgeDetected',
  'CheckpointSealed',
  'NotificationMailSent',
  'ConsultationClosed',
]);

export interface LoggedEvent {
  position: string;
  type: string;
  streamId: string;
  actorRole: string;
  actorAccountId: string | null;
}

/**
 * The log's head as an auditor reads it (auditEvents pages forward from a position), so "nothing was stored" is
 * checked on the log itself: no event after the head seen before the request, but the system's own periodic ones.
 */
export class LogWatch {
  private head: string | null = null;

  constructor(private readonly auditor: Client) {}

  private async page(after: string | null): Promise<{ events: LoggedEvent[]; nextAfter: string | null }> {
    const { auditEvents } = await this.auditor.gql<{
      auditEvents: { events: LoggedEvent[]; nextAfter: string | null };
    }>(
      `query Log($after: String) { auditEvents(first: 500, after: $after) {
        events { position type streamId actorRole actorAccountId } nextAfter } }`,
      { after },
    );
    return auditEvents;
  }

  /** Every event appended since the last call (or since the start of the log), oldest first. */
  async appended(): Promise<LoggedEvent[]> {
    const all: LoggedEvent[] = [];
    let after = this.head;
    for (;;) {
      const { events, nextAfter } = await this.page(after);
      all.push(...events);
      if (events.length > 0) this.head = events.at(-1)!.position;
      if (!nextAfter) return all;
      after = nextAfter;
    }
  }

  /** The events a request appended: what `appended` returns, less the system's periodic work. */
  async appendedByRequests(): Promise<LoggedEvent[]> {
    return (await this.appended()).filter((e) => !(e.actorRole === 'system' && BACKGROUND_EVENTS.has(e.type)));
  }
}

export const GRANT = `mutation Grant($org: ID!, $email: String!, $roles: [Role!]!) {
  grantRoles(organizationId: $org, email: $email, roles: $roles) { ${ERROR_FIELDS} } }`;
const ISSUE = `mutation Issue($org: ID!, $className: String!, $pupils: [PupilInput!]!) {
  issuePupilAccounts(organizationId: $org, className: $className, pupils: $pupils) {
    ${ERROR_FIELDS} ... on MutationIssuePupilAccountsSuccess { data { pupils { accountId signInName code } } } } }`;
const SIGN_IN_WITH_CODE = `mutation First($name: String!, $code: String!, $password: String!) {
  signInWithCode(signInName: $name, code: $code, password: $password) {
    ${ERROR_FIELDS} ... on MutationSignInWithCodeSuccess { data { token account { id } } } } }`;
export const RECORD_CONSENT = `mutation Consent($id: ID!) {
  recordConsent(accountId: $id, givenBy: GUARDIAN, guardianName: "Nguyễn Văn Bình", relationship: FATHER, method: PAPER_FORM) {
    ${ERROR_FIELDS} ... on MutationRecordConsentSuccess { data { pupil { consentStatus consents { id active } } } } } }`;

export interface IssuedPupil {
  accountId: string;
  signInName: string;
  code: string;
}

/** A pupil's account issued by `staff` for `organizationId`, six years old (a guardian's consent is all it needs). */
export async function issuePupil(staff: Client, organizationId: string): Promise<IssuedPupil> {
  const { issuePupilAccounts } = await staff.gql<{ issuePupilAccounts: ResultUnion }>(ISSUE, {
    org: organizationId,
    className: '1A',
    pupils: [{ displayName: 'Lê Minh Anh', birthYear: new Date().getUTCFullYear() - 6 }],
  });
  return ok<{ pupils: IssuedPupil[] }>(issuePupilAccounts).pupils[0]!;
}

/** Records a guardian's consent; returns the consent's id. */
export async function recordConsent(staff: Client, accountId: string): Promise<string> {
  const { recordConsent: result } = await staff.gql<{ recordConsent: ResultUnion }>(RECORD_CONSENT, { id: accountId });
  const pupil = ok<{ pupil: { consentStatus: string; consents: { id: string; active: boolean }[] } }>(result).pupil;
  expect(pupil.consentStatus).toBe('GIVEN');
  return pupil.consents.find((c) => c.active)!.id;
}

async function accountIdOf(api: Client): Promise<string> {
  const { viewer } = await api.gql<{ viewer: { account: { id: string } } | null }>(`{ viewer { account { id } } }`);
  return viewer!.account.id;
}

/** A pupil of the demo's primary school, issued, with a guardian's consent, signed in with `password`. */
export async function signedInPupil(p: Platform, password: string): Promise<IssuedPupil & { api: Client }> {
  const schoolStaff = p.demoAccounts.find((a) => (a as { organization?: string }).organization?.includes('Kim Đồng'))!;
  const school = await signIn(p, schoolStaff.email, schoolStaff.password);
  const { viewer } = await school.gql<{ viewer: { memberships: { organization: { id: string } }[] } }>(
    `{ viewer { memberships { organization { id } } } }`,
  );
  const pupil = await issuePupil(school, viewer.memberships[0]!.organization.id);
  const { signInWithCode } = await client(p.baseUrl).gql<{ signInWithCode: ResultUnion }>(SIGN_IN_WITH_CODE, {
    name: pupil.signInName,
    code: pupil.code,
    password,
  });
  await recordConsent(school, pupil.accountId);
  return { ...pupil, api: client(p.baseUrl, ok<{ token: string }>(signInWithCode).token) };
}

/**
 * Starts the world. The platform starts once with demo data, stops for `gopy admin create` (which adds an
 * administrator to the root organisation, the province), and starts again on the same data folder.
 */
export async function startWorld(env: Record<string, string> = {}): Promise<World> {
  const settings = {
    // Nothing in the background may append while the log is compared; limits would refuse the many sign-ins.
    GOPY_SEAL_INTERVAL_MS: '3600000',
    GOPY_NOTIFY_MAIL_INTERVAL_MS: '3600000',
    GOPY_RATE_SIGNINS_PER_MINUTE: '100000',
    GOPY_RATE_SIGNUPS_PER_HOUR: '100000',
    GOPY_RATE_COMMENTS_PER_MINUTE: '100000',
    ...env,
  };
  const first = await startPlatform({ demo: true, env: settings });
  let platform: Platform | undefined;
  try {
    await first.stop();
    const provinceAdmin = { email: 'quantri.so@example.vn', password: 'mật-khẩu-quản-trị-sở-2026' };
    await run(
      process.execPath,
      [
        path.join(repoRoot, 'services/api/bin/gopy.js'),
        'admin',
        'create',
        '--email',
        provinceAdmin.email,
        '--name',
        'Quản trị Sở',
      ],
      {
        cwd: repoRoot,
        env: { ...process.env, GOPY_DATA_DIR: first.dataDir, GOPY_ADMIN_PASSWORD: provinceAdmin.password },
      },
    );
    platform = await startPlatform({ demo: true, env: settings, dataDir: first.dataDir });
    const p = platform;

    const actors = new Map<ActorKey, Actor>();
    const add = async (
      key: ActorKey,
      api: Client,
      o: Partial<Omit<Actor, 'key' | 'api'>> & { credentials: Actor['credentials'] },
    ) => {
      actors.set(key, {
        key,
        api,
        signedIn: true,
        verified: true,
        org: null,
        role: null,
        accountId: await accountIdOf(api),
        ...o,
      });
    };
    actors.set('anonymous', {
      key: 'anonymous',
      api: client(p.baseUrl),
      signedIn: false,
      verified: false,
      org: null,
      role: null,
      credentials: null,
      accountId: null,
    });

    // The own organisation: the demo's district office, one account per role.
    for (const role of ORG_ROLES) {
      const account = demoAccount(p, role);
      await add(role, await signIn(p, account.email, account.password), {
        org: 'own',
        role,
        credentials: { email: account.email, password: account.password },
      });
    }
    const { viewer } = await actors
      .get('staff')!
      .api.gql<{ viewer: { memberships: { organization: { id: string; parent: { id: string } | null } }[] } }>(
        `{ viewer { memberships { organization { id parent { id } } } } }`,
      );
    const district = viewer.memberships[0]!.organization;
    const ownOrgId = district.id;
    const otherOrgId = district.parent!.id;

    // The other organisation: the province, whose administrator grants every other role there.
    const admin = await signIn(p, provinceAdmin.email, provinceAdmin.password);
    await add('admin@other', admin, { org: 'other', role: 'admin', credentials: provinceAdmin });
    for (const role of ORG_ROLES.filter((r) => r !== 'admin')) {
      const person = await verifiedParticipant(p, { displayName: `Cán bộ Sở (${role})` });
      ok(
        (
          await admin.gql<{ grantRoles: ResultUnion }>(GRANT, {
            org: otherOrgId,
            email: person.email,
            roles: [role.toUpperCase()],
          })
        ).grantRoles,
      );
      // Signed in after the grant, so the session's roles are the new ones.
      await add(`${role}@other`, await signIn(p, person.email, person.password), {
        org: 'other',
        role,
        credentials: { email: person.email, password: person.password },
      });
    }

    const participant = await verifiedParticipant(p, { displayName: 'Phạm Thị Thu' });
    await add('participant', participant.api, {
      credentials: { email: participant.email, password: participant.password },
    });
    const unverified = await signUp(p, { displayName: 'Đặng Văn Tư' });
    await add('unverified', await signIn(p, unverified.email, unverified.password), {
      verified: false,
      credentials: { email: unverified.email, password: unverified.password },
    });

    // A pupil of a primary school, with a guardian's consent.
    const pupilPassword = 'mật-khẩu-của-học-sinh-1';
    const pupil = await signedInPupil(p, pupilPassword);
    await add('pupil', pupil.api, {
      credentials: { email: pupil.signInName, password: pupilPassword },
    });

    const log = new LogWatch(actors.get('auditor')!.api);
    await log.appended();
    return {
      platform: p,
      ownOrgId,
      otherOrgId,
      actors,
      actor(key) {
        const a = actors.get(key);
        if (!a) throw new Error(`no actor ${key}`);
        return a;
      },
      log,
    };
  } catch (err) {
    await stopPlatform(platform ?? first);
    throw err;
  }
}

export const ACTOR_KEYS: ActorKey[] = [
  'anonymous',
  'unverified',
  'participant',
  'pupil',
  ...ORG_ROLES,
  ...ORG_ROLES.map((r) => `${r}@other` as const),
];
