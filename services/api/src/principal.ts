import type { Principal } from '@gopy/application/commands';
import { rolesIn, type GraphQLContext } from './graphql/context';
import { notSignedIn } from './graphql/errors';

/** The signed-in viewer as the command handlers see it; refuses when nobody is signed in. */
export function principalOf(ctx: GraphQLContext): Principal {
  const viewer = ctx.viewer;
  if (!viewer) throw notSignedIn();
  return { accountId: viewer.accountId, rolesIn: async (organizationId) => rolesIn(viewer, organizationId) };
}
