import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  accountQueries,
  commentQueries,
  organizationQueries,
  type AccountRow,
} from '@gopy/application/readModels/index';
import { NotFoundError } from '@gopy/domain/errors';
import { normalizeText } from '@gopy/domain/shared';
import { requireMemberManager } from '@gopy/domain/organizationDecider';
import { SchoolLevels, type Role } from '@gopy/schemas';
import { builder } from '../builder';
import type { GraphQLContext } from '../context';
import { principalOf } from '../../principal';
import { LocaleEnum, OrganizationKindEnum, RoleEnum, StakeholderCategoryEnum } from './enums';
import { Membership, Organization } from './organization';
import { commentConnection } from './comment';

export const SESSION_COOKIE = 'gopy_session';
const SESSION_MAX_AGE = 14 * 86_400;

export const Account = builder.loadableObjectRef<AccountRow, string>('Account', {
  load: async (ids: string[], ctx) => {
    const rows = await accountQueries.byIds(ctx.runtime.readDb, ids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? new Error(`Account ${id} not found`));
  },
});
Account.implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    displayName: t.exposeString('displayName'),
    pseudonym: t.exposeString('pseudonym', { nullable: true }),
    stakeholderCategory: t.field({ type: StakeholderCategoryEnum, resolve: (a) => a.stakeholderCategory as never }),
    emailVerified: t.exposeBoolean('emailVerified'),
  }),
});

interface ViewerShape {
  accountId: string;
}

export const Viewer = builder.objectRef<ViewerShape>('Viewer').implement({
  fields: (t) => ({
    account: t.field({ type: Account, resolve: (v) => v.accountId }),
    memberships: t.field({
      type: [Membership],
      resolve: async (v, _a, ctx) =>
        (await organizationQueries.membershipsOf(ctx.runtime.readDb, v.accountId)).map((m) => ({
          ...m,
          accountId: v.accountId,
        })),
    }),
    staffOrganizations: t.field({
      type: [Organization],
      description: 'Organisations where the viewer is staff or admin (may propose and run consultations there).',
      resolve: async (v, _a, ctx) =>
        (await organizationQueries.membershipsOf(ctx.runtime.readDb, v.accountId))
          .filter((m) => m.roles.includes('staff') || m.roles.includes('admin'))
          .map((m) => m.organizationId),
    }),
    myComments: commentConnection<ViewerShape>(t, async (v, ctx, first, beforeSeq) =>
      commentQueries.byAuthor(ctx.runtime.readDb, v.accountId, first, beforeSeq),
    ),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: Viewer,
    nullable: true,
    resolve: (_r, _a, ctx) => (ctx.viewer ? { accountId: ctx.viewer.accountId } : null),
  }),
);

const SignUpInput = builder.inputType('SignUpInput', {
  fields: (t) => ({
    email: t.string({ required: true, validate: z.string().max(254) }),
    password: t.string({ required: true, validate: z.string().max(200) }),
    displayName: t.string({ required: true, validate: z.string().max(100) }),
    pseudonym: t.string({ required: false, validate: z.string().max(100) }),
    stakeholderCategory: t.field({ type: StakeholderCategoryEnum, required: true }),
    locale: t.field({ type: LocaleEnum, required: false, defaultValue: 'vi' }),
  }),
});

builder.mutationField('signUp', (t) =>
  t.field({
    type: Account,
    description:
      'Answers alike for a new and an already registered email (no account enumeration): the mail sent to the address says which. The account is the one waiting for its email to be confirmed; for a registered address its id names nothing.',
    errors: {},
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const pseudonym = input.pseudonym?.trim() ? normalizeText(input.pseudonym) : null;
      const locale = input.locale ?? 'vi';
      const { accountId } = await ctx.runtime.accounts.selfSignUp({
        email: input.email,
        password: input.password,
        displayName: input.displayName,
        pseudonym,
        stakeholderCategory: input.stakeholderCategory,
        locale,
      });
      // Both paths wait for the projection and answer from what was asked, never from a stored account.
      await waitForAccount(ctx, accountId);
      return {
        id: accountId,
        displayName: normalizeText(input.displayName),
        pseudonym,
        stakeholderCategory: input.stakeholderCategory,
        emailVerified: false,
        erased: false,
        preferredLocale: locale,
      } satisfies AccountRow;
    },
  }),
);

/** Read-your-writes for account commands, which answer with the account rather than a position. */
async function waitForAccount(ctx: GraphQLContext, _accountId: string) {
  const head = await ctx.runtime.store.headPosition();
  if (head) await ctx.runtime.consistency.waitFor(head);
}

builder.mutationField('verifyEmail', (t) =>
  t.field({
    type: Account,
    errors: {},
    args: { token: t.arg.string({ required: true, validate: z.string().min(1).max(200) }) },
    resolve: async (_r, { token }, ctx) => {
      const accountId = await ctx.runtime.accounts.verifyEmail(token);
      await waitForAccount(ctx, accountId);
      return accountId;
    },
  }),
);

const SignInPayload = builder.objectRef<{ token: string; accountId: string }>('SignInPayload').implement({
  fields: (t) => ({
    token: t.exposeString('token', {
      description: 'The session token; the site keeps it in the httpOnly cookie gopy_session.',
    }),
    account: t.field({ type: Account, resolve: (p) => p.accountId }),
  }),
});

builder.mutationField('signIn', (t) =>
  t.field({
    type: SignInPayload,
    errors: {},
    args: {
      email: t.arg.string({ required: true, validate: z.string().max(254) }),
      password: t.arg.string({ required: true, validate: z.string().max(200) }),
    },
    resolve: async (_r, { email, password }, ctx) => {
      const session = await ctx.runtime.accounts.signIn(email, password);
      ctx.setCookie(SESSION_COOKIE, session.token, { maxAgeSeconds: SESSION_MAX_AGE });
      return session;
    },
  }),
);

builder.mutationField('signInWithCode', (t) =>
  t.field({
    type: SignInPayload,
    errors: {},
    description:
      'First sign-in of an account a school issued: the sign-in name and one-time code from the class list, and a new password.',
    args: {
      signInName: t.arg.string({ required: true, validate: z.string().max(64) }),
      code: t.arg.string({ required: true, validate: z.string().max(32) }),
      password: t.arg.string({ required: true, validate: z.string().max(200) }),
    },
    resolve: async (_r, { signInName, code, password }, ctx) => {
      const session = await ctx.runtime.accounts.signInWithCode(signInName, code, password);
      ctx.setCookie(SESSION_COOKIE, session.token, { maxAgeSeconds: SESSION_MAX_AGE });
      return session;
    },
  }),
);

builder.mutationField('signOut', (t) =>
  t.boolean({
    resolve: async (_r, _a, ctx) => {
      if (ctx.sessionToken) await ctx.runtime.accounts.signOut(ctx.sessionToken);
      ctx.setCookie(SESSION_COOKIE, '', { maxAgeSeconds: 0 });
      return true;
    },
  }),
);

builder.mutationField('requestPasswordReset', (t) =>
  t.boolean({
    description: 'Always true, whether or not the email is known (no account enumeration).',
    args: { email: t.arg.string({ required: true, validate: z.string().max(254) }) },
    resolve: async (_r, { email }, ctx) => {
      await ctx.runtime.accounts.requestPasswordReset(email, ctx.locale);
      return true;
    },
  }),
);

builder.mutationField('resetPassword', (t) =>
  t.boolean({
    errors: {},
    args: {
      token: t.arg.string({ required: true, validate: z.string().min(1).max(200) }),
      password: t.arg.string({ required: true, validate: z.string().max(200) }),
    },
    resolve: async (_r, { token, password }, ctx) => {
      await ctx.runtime.accounts.resetPassword(token, password);
      return true;
    },
  }),
);

builder.mutationField('grantRoles', (t) =>
  t.field({
    type: Membership,
    description: 'Sets the roles of the account with this email in the organisation; an empty list removes the member.',
    errors: {},
    authScopes: { signedIn: true },
    args: {
      organizationId: t.arg.id({ required: true }),
      email: t.arg.string({ required: true, validate: z.string().max(254) }),
      roles: t.arg({ type: [RoleEnum], required: true }),
    },
    resolve: async (_r, args, ctx) => {
      const organizationId = String(args.organizationId);
      const principal = principalOf(ctx);
      // Who may is asked before whom: "no account has this email" must not tell anyone signed in who is registered.
      requireMemberManager({ accountId: principal.accountId, roles: await principal.rolesIn(organizationId) });
      const accountId = await ctx.runtime.accounts.accountIdForEmail(args.email);
      if (!accountId) {
        throw new NotFoundError('account', args.email, {
          vi: 'Không có tài khoản nào với email này.',
          en: 'No account has this email.',
        });
      }
      const roles = [...new Set(args.roles)] as Role[];
      const current = (await organizationQueries.members(ctx.runtime.readDb, organizationId)).find(
        (m) => m.accountId === accountId,
      );
      const result =
        roles.length === 0
          ? await ctx.runtime.commands.organization(
              { type: 'RemoveMember', organizationId, accountId, reason: '' },
              principal,
            )
          : current
            ? await ctx.runtime.commands.organization(
                { type: 'ChangeMemberRoles', organizationId, accountId, roles },
                principal,
              )
            : await ctx.runtime.commands.organization(
                { type: 'AddMember', organizationId, accountId, roles },
                principal,
              );
      if (result.position) await ctx.runtime.consistency.waitFor(result.position);
      return { organizationId, accountId, roles };
    },
  }),
);

const SchoolLevelEnum = builder.enumType('SchoolLevel', {
  description: 'MN mầm non (kindergarten), TH tiểu học (primary), THCS (lower secondary), THPT (upper secondary).',
  values: Object.fromEntries(SchoolLevels.map((l) => [l, { value: l }])) as Record<
    (typeof SchoolLevels)[number],
    { value: (typeof SchoolLevels)[number] }
  >,
});

builder.mutationField('registerOrganization', (t) =>
  t.field({
    type: Organization,
    description:
      'An admin of the parent registers an organisation under it: a district office under the province, a school under its district.',
    errors: {},
    authScopes: { signedIn: true },
    args: {
      parentOrganizationId: t.arg.id({ required: true }),
      name: t.arg.string({ required: true, validate: z.string().max(300) }),
      kind: t.arg({ type: OrganizationKindEnum, required: true }),
      levels: t.arg({ type: [SchoolLevelEnum], required: false, defaultValue: [] }),
      schoolType: t.arg.string({ required: false, defaultValue: '', validate: z.string().max(200) }),
    },
    resolve: async (_r, a, ctx) => {
      // Only an admin of the parent may; an organisation that does not exist has none, so it is refused the same way.
      const parentOrganizationId = String(a.parentOrganizationId);
      const organizationId = randomUUID();
      const result = await ctx.runtime.commands.organization(
        {
          type: 'RegisterOrganization',
          organizationId,
          name: a.name,
          kind: a.kind,
          levels: [...(a.levels ?? [])],
          schoolType: a.schoolType ?? '',
          parentOrganizationId,
        },
        principalOf(ctx),
      );
      if (result.position) await ctx.runtime.consistency.waitFor(result.position);
      return organizationId;
    },
  }),
);
