// The GraphQL client of the site, by concern under ./graphql: transport.ts (sending a document, reading data or a typed
// refusal), document.ts (the `graphql` tag every document is made with), fragments.ts (shared fragments and builders),
// then one module per family of pages (viewer, policies, comments, organizations, live); the documents of later
// features live in ./gql, one file each. Everything is re-exported here, where the pages import it from. Server-only:
// the browser never sees the session token, the API URL or a GraphQL document.
export type * from '$lib/types';
export { graphql, type GraphQLDocument } from './graphql/document';
export * from './graphql/transport';
export * from './graphql/fragments';
export * from './graphql/viewer';
export * from './graphql/policies';
export * from './graphql/comments';
export * from './graphql/organizations';
export * from './graphql/live';
