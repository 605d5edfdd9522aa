import { randomUUID } from 'node:crypto';
import { accountQueries, pupilQueries, type PupilRow } from '@gopy/application/readModels/index';
import { consentStatus } from '@gopy/domain/account';
import { NotFoundError } from '@gopy/domain/errors';
import { accountEvents } from '@gopy/schemas';
import { builder } from '../builder';
import { rolesIn, type GraphQLContext } from '../context';
import { forbiddenRole } from '../errors';
import { principalOf } from '../../principal';

const { ConsentGivers, ConsentMethods, GuardianRelationships } = accountEvents;

const enumOf = <T extends string>(name: string, values: readonly T[]) =>
  builder.enumType(name, {
    values: Object.fromEntries(values.map((v) => [v.toUpperCase(), { value: v }])) as Record<
      Uppercase<T>,
      { value: T }
    >,
  });
const ConsentGiverEnum = enumOf('ConsentGiver', ConsentGivers);
const RelationshipEnum = enumOf('GuardianRelationship', GuardianRelationships);
const ConsentMethodEnum = enumOf('ConsentMethod', ConsentMethods);
const ConsentStatusEnum = enumOf('ConsentStatus', ['not_required', 'given', 'missing'] as const);

interface PupilView extends PupilRow {
  displayName: string;
}

const Consent = builder.objectRef<PupilRow['consents'][number]>('Consent').implement({
  fields: (t) => ({
    id: t.exposeID('consentId'),
    givenBy: t.field({ type: ConsentGiverEnum, resolve: (c) => c.givenBy }),
    active: t.exposeBoolean('active'),
  }),
});

const Pupil = builder.objectRef<PupilView>('Pupil').implement({
  description: "A pupil's account as their school sees it: class, year of birth, and whether it may take part yet.",
  fields: (t) => ({
    accountId: t.exposeID('accountId'),
    displayName: t.exposeString('displayName'),
    className: t.exposeString('className'),
    birthYear: t.exposeInt('birthYear'),
    consents: t.field({ type: [Consent], resolve: (p) => p.consents }),
    consentStatus: t.field({
      type: ConsentStatusEnum,
      description:
        'GIVEN once a guardian consented (and the pupil too from age 7); until then the account cannot comment.',
      resolve: (p, _a, ctx) =>
        consentStatus(
          {
            pupil: { organizationId: p.organizationId, birthYear: p.birthYear },
            consents: Object.fromEntries(p.consents.map((c) => [c.consentId, c])),
          },
          ctx.runtime.clock.now().toISOString(),
        ),
    }),
  }),
});

const IssuedPupil = builder
  .objectRef<{ accountId: string; displayName: string; signInName: string; code: string }>('IssuedPupil')
  .implement({
    fields: (t) => ({
      accountId: t.exposeID('accountId'),
      displayName: t.exposeString('displayName'),
      signInName: t.exposeString('signInName'),
      code: t.exposeString('code', {
        description: 'The one-time sign-in code: shown only in this answer, to be printed for the pupil.',
      }),
    }),
  });

const PupilInput = builder.inputType('PupilInput', {
  fields: (t) => ({ displayName: t.string({ required: true }), birthYear: t.int({ required: true }) }),
});

async function view(ctx: GraphQLContext, rows: PupilRow[]): Promise<PupilView[]> {
  const names = new Map(
    (
      await accountQueries.byIds(
        ctx.runtime.readDb,
        rows.map((r) => r.accountId),
      )
    ).map((a) => [a.id, a.displayName]),
  );
  return rows.map((r) => ({ ...r, displayName: names.get(r.accountId) ?? '' }));
}

function requireSchoolStaff(ctx: GraphQLContext, organizationId: string): void {
  if (!rolesIn(ctx.viewer, organizationId).some((r) => r === 'staff' || r === 'admin')) throw forbiddenRole();
}

builder.queryField('pupils', (t) =>
  t.field({
    type: [Pupil],
    authScopes: { signedIn: true },
    description: "A school's pupils with their consent status (the school's staff and admins).",
    args: { organizationId: t.arg.id({ required: true }) },
    resolve: async (_r, a, ctx) => {
      requireSchoolStaff(ctx, String(a.organizationId));
      return view(ctx, await pupilQueries.ofOrganization(ctx.runtime.readDb, String(a.organizationId)));
    },
  }),
);

const IssuePayload = builder
  .objectRef<{ pupils: { accountId: string; displayName: string; signInName: string; code: string }[] }>(
    'IssuePupilAccountsPayload',
  )
  .implement({
    fields: (t) => ({ pupils: t.field({ type: [IssuedPupil], resolve: (p) => p.pupils }) }),
  });

builder.mutationField('issuePupilAccounts', (t) =>
  t.field({
    type: IssuePayload,
    errors: {},
    authScopes: { signedIn: true },
    description:
      "A school's staff issue accounts to a class: each gets a sign-in name and a one-time code, answered once.",
    args: {
      organizationId: t.arg.id({ required: true }),
      className: t.arg.string({ required: true }),
      pupils: t.arg({ type: [PupilInput], required: true }),
    },
    resolve: async (_r, a, ctx) => {
      const principal = principalOf(ctx);
      const pupils = await ctx.runtime.pupils.issueClass(String(a.organizationId), a.className, a.pupils, principal);
      const head = await ctx.runtime.store.headPosition();
      if (head) await ctx.runtime.consistency.waitFor(head);
      return { pupils };
    },
  }),
);

const PupilPayload = builder.objectRef<{ pupil: PupilView; position: string }>('PupilPayload').implement({
  fields: (t) => ({ pupil: t.field({ type: Pupil, resolve: (p) => p.pupil }), position: t.exposeString('position') }),
});

async function pupilOrThrow(ctx: GraphQLContext, accountId: string): Promise<PupilView> {
  const row = await pupilQueries.byAccount(ctx.runtime.readDb, accountId);
  if (!row) throw new NotFoundError('pupil', accountId, { vi: 'Không tìm thấy học sinh.', en: 'Pupil not found.' });
  return (await view(ctx, [row]))[0]!;
}

builder.mutationField('recordConsent', (t) =>
  t.field({
    type: PupilPayload,
    errors: {},
    authScopes: { signedIn: true },
    description:
      "The school records a parent's or guardian's consent, or the pupil's own (from age 7), to the pupil's account taking part.",
    args: {
      accountId: t.arg.id({ required: true }),
      givenBy: t.arg({ type: ConsentGiverEnum, required: true }),
      guardianName: t.arg.string({ required: false }),
      relationship: t.arg({ type: RelationshipEnum, required: false }),
      method: t.arg({ type: ConsentMethodEnum, required: true }),
    },
    resolve: async (_r, a, ctx) => {
      const principal = principalOf(ctx);
      const pupil = await pupilOrThrow(ctx, String(a.accountId));
      const result = await ctx.runtime.commands.account(
        {
          type: 'RecordConsent',
          accountId: pupil.accountId,
          consentId: randomUUID(),
          givenBy: a.givenBy,
          guardianName: a.guardianName ?? null,
          relationship: a.relationship ?? null,
          method: a.method,
        },
        principal,
        await principal.rolesIn(pupil.organizationId),
      );
      if (result.position) await ctx.runtime.consistency.waitFor(result.position);
      return { pupil: await pupilOrThrow(ctx, pupil.accountId), position: result.position ?? '' };
    },
  }),
);

builder.mutationField('withdrawConsent', (t) =>
  t.field({
    type: PupilPayload,
    errors: {},
    authScopes: { signedIn: true },
    description:
      'The school (on the guardian’s word) or the pupil withdraws a consent; the account can no longer comment.',
    args: {
      accountId: t.arg.id({ required: true }),
      consentId: t.arg.id({ required: true }),
      reason: t.arg.string({ required: false, defaultValue: '' }),
    },
    resolve: async (_r, a, ctx) => {
      const principal = principalOf(ctx);
      const pupil = await pupilOrThrow(ctx, String(a.accountId));
      const result = await ctx.runtime.commands.account(
        { type: 'WithdrawConsent', accountId: pupil.accountId, consentId: String(a.consentId), reason: a.reason ?? '' },
        principal,
        await principal.rolesIn(pupil.organizationId),
      );
      if (result.position) await ctx.runtime.consistency.waitFor(result.position);
      return { pupil: await pupilOrThrow(ctx, pupil.accountId), position: result.position ?? '' };
    },
  }),
);
