import { wrapOrThrow } from '@pothos/plugin-errors';
import { defaultFieldResolver, type GraphQLField, type GraphQLSchema } from 'graphql';
import { RateLimitedError, type LimitedAction, type RateLimits } from '@gopy/composition/limits';

/** What the rate limits need from a request's context (app.ts adds the client's address to the GraphQL context). */
interface LimitedContext {
  runtime: { rateLimits: RateLimits };
  viewer: { accountId: string } | null;
  clientAddress?: string;
}

const wrapped = Symbol('gopy.rateLimited');

/** Which mutation counts against which limiter, and with which keys. */
const limitedMutations: Record<
  string,
  { action: LimitedAction; account(args: Record<string, unknown>, ctx: LimitedContext): string | null }
> = {
  submitComment: { action: 'comment', account: (_a, ctx) => ctx.viewer?.accountId ?? null },
  signUp: { action: 'signUp', account: () => null },
  // Per address, and per target account (by email) so one address cannot guess one password, nor many addresses one.
  signIn: { action: 'signIn', account: (a) => (typeof a.email === 'string' ? a.email.trim().toLowerCase() : null) },
  // A one-time code is guessed no more easily than a password: the same limits, keyed by the sign-in name.
  signInWithCode: {
    action: 'signIn',
    account: (a) => (typeof a.signInName === 'string' ? a.signInName.trim().toLowerCase() : null),
  },
};

/**
 * Wraps the resolvers of the limited mutations, once per schema. Over a limit the mutation answers RateLimitedError,
 * a member of its result union, exactly as the errors plugin answers a refusal thrown inside the resolver.
 */
export function applyRateLimits(schema: GraphQLSchema): void {
  const fields = schema.getMutationType()?.getFields() ?? {};
  for (const [name, rule] of Object.entries(limitedMutations)) {
    const field = fields[name] as (GraphQLField<unknown, LimitedContext> & { [wrapped]?: true }) | undefined;
    if (!field || field[wrapped]) continue;
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = async (source, args, ctx, info) => {
      try {
        await ctx.runtime.rateLimits.consume(rule.action, {
          address: ctx.clientAddress ?? null,
          account: rule.account(args, ctx),
        });
      } catch (err) {
        // Answered as the errors plugin answers a refusal thrown inside the resolver: a member of the result union.
        if (err instanceof RateLimitedError) return wrapOrThrow(err, [RateLimitedError], undefined);
        throw err;
      }
      return resolve(source, args, ctx, info);
    };
    field[wrapped] = true;
  }
}
