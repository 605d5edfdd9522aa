import { type GraphQLError, Kind, parse, type ArgumentNode, type DocumentNode, type ValueNode } from 'graphql';
import { fieldNames } from '@gopy/schemas';

/**
 * A scalar argument that does not parse (a DateTime that is not ISO 8601, a Date that is not YYYY-MM-DD): VALIDATION.
 * The scalar does not know which argument it is parsing; `argumentPath` finds it in the request for the answer.
 */
export class ScalarInputError extends Error {
  readonly code = 'VALIDATION' as const;
  constructor(
    /** What the value should have been, completing "<field> must be …" in both languages. */
    readonly expected: { vi: string; en: string },
  ) {
    super(`must be ${expected.en}`);
  }

  messagesFor(field: string): { vi: string; en: string } {
    const name = fieldNames(field);
    return { vi: `${name.vi} phải là ${this.expected.vi}.`, en: `${name.en} must be ${this.expected.en}.` };
  }
}

/** The path of the argument a value sits in, as the request wrote it: `recordedFrom`, `input.closesAt`, `nodes[1].text`. */
function pathTo(document: DocumentNode, isTarget: (value: ValueNode) => boolean): string | undefined {
  const within = (value: ValueNode, path: string): string | undefined => {
    if (isTarget(value)) return path;
    if (value.kind === Kind.OBJECT) {
      for (const f of value.fields) {
        const found = within(f.value, `${path}.${f.name.value}`);
        if (found) return found;
      }
    }
    if (value.kind === Kind.LIST) {
      for (const [i, v] of value.values.entries()) {
        const found = within(v, `${path}[${i}]`);
        if (found) return found;
      }
    }
    return undefined;
  };
  const args: ArgumentNode[] = [];
  const collect = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if ((node as { kind?: unknown }).kind === Kind.ARGUMENT) args.push(node as ArgumentNode);
    for (const [key, child] of Object.entries(node)) {
      if (key === 'loc') continue;
      if (Array.isArray(child)) child.forEach(collect);
      else if (child && typeof child === 'object') collect(child);
    }
  };
  collect(document);
  for (const arg of args) {
    const found = within(arg.value, arg.name.value);
    if (found) return found;
  }
  return undefined;
}

const VARIABLE_ERROR = /^Variable "\$([_A-Za-z][_0-9A-Za-z]*)" got invalid value .*?(?: at "([^"]+)")?;/s;

/**
 * Which argument a request-level error (no result path: the value was refused while the request was validated or its
 * variables coerced) is about, found in the request's own text: for a literal, the argument holding the refused
 * value; for a variable, the argument the variable is passed to, followed by the path inside it graphql-js reports.
 */
export function argumentPath(error: GraphQLError): string | undefined {
  const body = error.source?.body;
  if (!body) return undefined;
  let document: DocumentNode;
  try {
    document = parse(body, { noLocation: false });
  } catch {
    return undefined;
  }
  const variable = VARIABLE_ERROR.exec(error.message);
  if (variable) {
    const [, name, at] = variable;
    const usage = pathTo(document, (v) => v.kind === Kind.VARIABLE && v.name.value === name);
    if (!usage) return undefined;
    const inside = at && at.startsWith(name!) ? at.slice(name!.length).replace(/^\./, '') : '';
    return inside ? `${usage}${inside.startsWith('[') ? '' : '.'}${inside}` : usage;
  }
  const start = error.nodes?.[0]?.loc?.start;
  if (start === undefined) return undefined;
  return pathTo(document, (v) => v.loc?.start === start && v.kind !== Kind.VARIABLE);
}
