/**
 * Every GraphQL document the site sends is made with this tag, in a module-level constant: the transport sends only a
 * `GraphQLDocument`, and each one made is remembered, so that a test (documents.unit.test.ts) can import the modules
 * of $lib/server and check every document against the schema the API prints (schemas/graphql/schema.graphql).
 * Fragments are made with it too; plain strings (a selection repeated inside a document) are not documents.
 */
declare const documentBrand: unique symbol;
export type GraphQLDocument = string & { readonly [documentBrand]: true };

const made = new Set<GraphQLDocument>();

export function graphql(strings: TemplateStringsArray, ...values: (string | number)[]): GraphQLDocument {
  const text = strings.reduce((out, part, i) => out + part + (i < values.length ? String(values[i]) : ''), '');
  made.add(text as GraphQLDocument);
  return text as GraphQLDocument;
}

/** Every document made by the modules imported so far. */
export function madeDocuments(): readonly GraphQLDocument[] {
  return [...made];
}
