/**
 * Every GraphQL document the site sends, validated against the schema the API prints (schemas/graphql/schema.graphql)
 * with graphql-js `validate`: a field, argument, type or variable the API does not have fails here, not on a page.
 *
 * How the documents are collected: the transport sends only a `GraphQLDocument`, which only the `graphql` tag makes
 * (document.ts), and the tag remembers each one it makes. This test imports every module of $lib/server (SvelteKit's
 * `$env` and the generated paraglide modules are stood in for by ./testing, see vitest.config.ts), and checks from the
 * source that each document sent is a module-level constant, so importing the modules made them all.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, buildSchema, parse, validate, type GraphQLSchema } from 'graphql';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { madeDocuments } from './document';

const here = path.dirname(fileURLToPath(import.meta.url));
const serverDir = path.resolve(here, '..');
const webSrc = path.resolve(here, '../../..');
const schemaFile = path.resolve(here, '../../../../../schemas/graphql/schema.graphql');

/** Every module of $lib/server but tests and the stand-ins, loaded so that their documents are made. */
const modules = import.meta.glob(['../**/*.ts', '!../**/*.test.ts', '!./testing/**']);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'paraglide' ? [] : sourceFiles(full);
    return /\.(ts|svelte)$/.test(e.name) && !e.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** The errors of one document: parse errors, or the schema's validation errors (a fragment alone is only parsed). */
function documentErrors(schema: GraphQLSchema, document: string): string[] {
  let ast;
  try {
    ast = parse(document);
  } catch (error) {
    return [(error as Error).message];
  }
  if (!ast.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION)) return [];
  return validate(schema, ast).map((e) => e.message);
}

const operationName = (document: string) =>
  /\b(query|mutation|subscription)\s*(\w*)/.exec(document)?.slice(1).join(' ').trim() ?? document.slice(0, 60);

/**
 * Reads the site's source: which constants are sent (gql, mutate, mutateBoolean), and what breaks the rule that a
 * document sent is a module-level constant of $lib/server made with the `graphql` tag.
 */
function scanSource(): { names: Set<string>; problems: string[] } {
  const documentArgument: Record<string, number> = { gql: 1, mutate: 2, mutateBoolean: 2 };
  const names = new Set<string>();
  const problems: string[] = [];
  for (const file of sourceFiles(webSrc)) {
    const text = fs.readFileSync(file, 'utf8');
    if (!file.endsWith('.ts')) {
      if (/<script[^>]*>[\s\S]*\bgraphql`/.test(text))
        problems.push(`${path.relative(webSrc, file)}: a document in a component`);
      continue;
    }
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const where = (node: ts.Node) =>
      `${path.relative(webSrc, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const inServer = file.startsWith(serverDir + path.sep);
    const topLevel = new Set<string>();
    for (const statement of source.statements) {
      if (ts.isVariableStatement(statement) && statement.declarationList.flags & ts.NodeFlags.Const)
        for (const d of statement.declarationList.declarations) if (ts.isIdentifier(d.name)) topLevel.add(d.name.text);
      if (ts.isImportDeclaration(statement) && statement.importClause?.namedBindings)
        if (ts.isNamedImports(statement.importClause.namedBindings))
          for (const e of statement.importClause.namedBindings.elements) topLevel.add(e.name.text);
    }
    const visit = (node: ts.Node) => {
      if (ts.isTaggedTemplateExpression(node) && node.tag.getText(source) === 'graphql' && !inServer)
        problems.push(`${where(node)}: a document outside $lib/server`);
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text in documentArgument) {
        const argument = node.arguments[documentArgument[node.expression.text]!];
        if (argument && ts.isIdentifier(argument) && topLevel.has(argument.text)) names.add(argument.text);
        else problems.push(`${where(node)}: ${node.expression.text} sends ${argument?.getText(source) ?? 'nothing'}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { names, problems };
}

describe('the GraphQL documents the site sends', () => {
  let schema: GraphQLSchema;
  let sent: ReturnType<typeof scanSource>;

  beforeAll(async () => {
    schema = buildSchema(fs.readFileSync(schemaFile, 'utf8'));
    for (const load of Object.values(modules)) await load();
    sent = scanSource();
  });

  it('are all valid against schemas/graphql/schema.graphql', () => {
    const documents = madeDocuments();
    const operations = documents.filter((d) =>
      parse(d).definitions.some((def) => def.kind === Kind.OPERATION_DEFINITION),
    );
    // At least one per constant the source sends (see the last case): a glob that loaded nothing must not pass.
    expect(operations.length).toBeGreaterThanOrEqual(sent.names.size);
    expect(sent.names.size).toBeGreaterThan(50);
    const invalid = documents
      .map((d) => ({ operation: operationName(d), errors: documentErrors(schema, d) }))
      .filter((r) => r.errors.length > 0);
    expect(invalid).toEqual([]);
  });

  it('fails a document that names a field the schema lacks, or a wrong argument', () => {
    const viewer = madeDocuments().find((d) => /query Viewer\b/.test(d));
    expect(viewer).toBeDefined();
    expect(documentErrors(schema, viewer!)).toEqual([]);
    expect(documentErrors(schema, viewer!.replace('emailVerified', 'emailConfirmed'))).toEqual([
      'Cannot query field "emailConfirmed" on type "Account". Did you mean "emailVerified"?',
    ]);
    expect(documentErrors(schema, 'query { policies(state: DRAFTING) { totalCount } }')).toEqual([
      'Unknown argument "state" on field "Query.policies". Did you mean "status"?',
    ]);
  });

  it('are each sent from a module-level constant of $lib/server, so that loading the modules made them all', () => {
    expect(sent.problems).toEqual([]);
  });
});
