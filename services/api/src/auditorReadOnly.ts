import { wrapOrThrow } from '@pothos/plugin-errors';
import { ForbiddenError } from '@gopy/domain/errors';
import { defaultFieldResolver, isNonNullType, isUnionType, type GraphQLField, type GraphQLSchema } from 'graphql';
import { hasRoleAnywhere, type GraphQLContext, type Viewer } from './graphql/context';

/**
 * Auditors read everything and write nothing (DESIGN.md, roles). An auditor's account is also a verified
 * participant's, so the scopes of the mutations open to any signed-in participant would let an auditor comment,
 * endorse, flag, follow or mark notifications read. Those are refused to an account holding the auditor role
 * anywhere, before their own checks run. Every other mutation already requires a role an auditor lacks (staff,
 * moderator, spokesperson, policymaker, admin) and refuses with that rule; the session mutations (sign in and out,
 * sign up, verify, reset a password) append nothing to the log. tests/api/auditorWritesNothing.test.ts calls every
 * mutation of the schema as an auditor, so a new participant mutation missing here fails there.
 */
export const PARTICIPANT_MUTATIONS: ReadonlySet<string> = new Set([
  'submitComment',
  'editComment',
  'withdrawComment',
  'endorseComment',
  'flagComment',
  'followPolicy',
  'unfollowPolicy',
  'markNotificationsRead',
  // Open to anyone signed in for their own account; an auditor's erasure goes through an administrator.
  'eraseMyAccount',
]);

export function auditorReadOnly(): ForbiddenError {
  return new ForbiddenError('AUDITOR_READ_ONLY', {
    vi: 'Kiểm toán viên chỉ được xem, không được thay đổi dữ liệu.',
    en: 'Auditors may read everything but change nothing.',
  });
}

/** An auditor's account may not attempt this mutation (it is one of the participants'). */
export function refusedToAuditor(viewer: Viewer | null, mutation: string): boolean {
  return PARTICIPANT_MUTATIONS.has(mutation) && hasRoleAnywhere(viewer, 'auditor');
}

const wrapped = Symbol('gopy.auditorReadOnly');

/** Wraps the participants' mutations once per schema; the refusal is a member of the result union (ForbiddenError). */
export function applyAuditorReadOnly(schema: GraphQLSchema): void {
  const fields = schema.getMutationType()?.getFields() ?? {};
  for (const [name, f] of Object.entries(fields)) {
    if (!PARTICIPANT_MUTATIONS.has(name)) continue;
    const field = f as GraphQLField<unknown, GraphQLContext> & { [wrapped]?: true };
    if (field[wrapped]) continue;
    const resolve = field.resolve ?? defaultFieldResolver;
    const type = isNonNullType(field.type) ? field.type.ofType : field.type;
    const answersWithUnion = isUnionType(type) && type.getTypes().some((t) => t.name === 'ForbiddenError');
    field.resolve = (source, args, ctx, info) => {
      if (refusedToAuditor(ctx.viewer, name)) {
        const refusal = auditorReadOnly();
        if (answersWithUnion) return wrapOrThrow(refusal, [ForbiddenError], undefined);
        throw refusal;
      }
      return resolve(source, args, ctx, info);
    };
    field[wrapped] = true;
  }
}
