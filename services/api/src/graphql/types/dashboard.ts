import { sql } from 'kysely';
import { builder } from '../builder';
import { requireReader } from './alerts';

interface DashboardCounts {
  openFlags: number;
  commentsWithoutTheme: number;
  roundsToAnswer: number;
}

/**
 * What waits for an organisation's staff: flags no moderator has handled, and in rounds that closed but are not
 * answered yet, visible comments that sit in no theme of the digest.
 */
builder.queryField('staffDashboard', (t) =>
  t.field({
    type: builder.objectRef<DashboardCounts>('StaffDashboard').implement({
      fields: (f) => ({
        openFlags: f.exposeInt('openFlags', { description: 'Flags on its policies waiting for a moderator.' }),
        commentsWithoutTheme: f.exposeInt('commentsWithoutTheme', {
          description: 'Visible comments of closed, unanswered rounds in no theme yet.',
        }),
        roundsToAnswer: f.exposeInt('roundsToAnswer', {
          description: 'Rounds closed and not yet answered by a published digest.',
        }),
      }),
    }),
    authScopes: { signedIn: true },
    args: { organizationId: t.arg.id({ required: true }) },
    resolve: async (_r, a, ctx) => {
      const organizationId = String(a.organizationId);
      await requireReader(ctx, organizationId);
      const db = ctx.runtime.readDb;
      const flags = await db
        .selectFrom('comment_flags')
        .innerJoin('policies', 'policies.id', 'comment_flags.policy_id')
        .where('policies.organization_id', '=', organizationId)
        .where('comment_flags.status', '=', 'open')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const waiting = db
        .selectFrom('rounds')
        .innerJoin('policies', 'policies.id', 'rounds.policy_id')
        .where('policies.organization_id', '=', organizationId)
        .where('rounds.closed_at', 'is not', null)
        .where('rounds.answered', '=', 0);
      const rounds = await waiting.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const unthemed = await waiting
        .innerJoin('comments', (j) =>
          j.onRef('comments.policy_id', '=', 'rounds.policy_id').onRef('comments.round', '=', 'rounds.round'),
        )
        .where('comments.status', '=', 'visible')
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom(sql<{ comment_id: string }>`digest_theme_comments`.as('tc'))
                .select(sql`1`.as('one'))
                .where(sql.ref('tc.comment_id'), '=', sql.ref('comments.id')),
            ),
          ),
        )
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return { openFlags: Number(flags.n), commentsWithoutTheme: Number(unthemed.n), roundsToAnswer: Number(rounds.n) };
    },
  }),
);
