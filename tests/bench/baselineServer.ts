/**
 * The HTTP baselines: a bare graphql-yoga + express server whose query and mutation do nothing. It accepts the same
 * submitComment document as the real API (same input type, same result union with an Error interface), so the
 * difference between the two is everything Góp ý does behind the resolver. Started as its own process, like the API.
 *   PORT=4001 node --import tsx tests/bench/baselineServer.ts
 */
import express from 'express';
import { createSchema, createYoga } from 'graphql-yoga';

const schema = createSchema({
  typeDefs: /* GraphQL */ `
    enum Stance {
      SUPPORT
      OPPOSE
      NEUTRAL
      SUGGESTION
    }
    input SubmitCommentInput {
      policyId: ID!
      nodeId: ID
      body: String!
      stance: Stance!
      idempotencyKey: String!
      parentCommentId: ID
      usePseudonym: Boolean = false
    }
    interface Error {
      code: String!
      message: String!
    }
    type ConflictError implements Error {
      code: String!
      message: String!
    }
    type Comment {
      id: ID!
    }
    type CommentPayload {
      position: String!
      comment: Comment!
    }
    type MutationSubmitCommentSuccess {
      data: CommentPayload!
    }
    union MutationSubmitCommentResult = MutationSubmitCommentSuccess | ConflictError
    type Query {
      noop: Boolean!
    }
    type Mutation {
      submitComment(input: SubmitCommentInput!): MutationSubmitCommentResult!
    }
  `,
  resolvers: {
    Query: { noop: () => true },
    Mutation: {
      submitComment: (_r: unknown, args: { input: { idempotencyKey: string } }) => ({
        __typename: 'MutationSubmitCommentSuccess',
        data: { position: '0000000000000001', comment: { id: args.input.idempotencyKey } },
      }),
    },
    MutationSubmitCommentResult: { __resolveType: (v: { __typename: string }) => v.__typename },
    Error: { __resolveType: () => 'ConflictError' },
  },
});

const yoga = createYoga({ schema, graphqlEndpoint: '/graphql', landingPage: false, graphiql: false, logging: false });
const app = express();
app.disable('x-powered-by');
app.get('/healthz', (_req, res) => {
  res.json({ ok: true });
});
app.use(yoga.graphqlEndpoint, yoga as unknown as express.RequestHandler);
const server = app.listen(Number(process.env.PORT ?? 4001), process.env.HOST ?? '127.0.0.1', () => {
  console.log(`baseline listening on ${process.env.PORT ?? 4001}`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
