import { NoSchemaIntrospectionCustomRule, validate } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * A schema that does not describe itself, for a real install (config.graphqlIntrospection false): introspection
 * (__schema, __type) is a validation error, and graphql-js leaves its "Did you mean …?" suggestions out of validation
 * messages, so neither hands an attacker the names of fields, arguments, types or values. __typename still answers.
 * Suggestions made while coercing variables (the executor does not pass the option on) are cut by withoutSuggestions,
 * which app.ts applies to every request error.
 */
export function closedSchema(): Plugin {
  return {
    onValidate({ addValidationRule, setValidationFn }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
      setValidationFn((schema, documentAST, rules) => validate(schema, documentAST, rules, { hideSuggestions: true }));
    },
  };
}

/** The message without graphql-js's suggestion ("Did you mean "status"?", "Did you mean the enum value …?"). */
export function withoutSuggestions(message: string): string {
  return message.replace(/\s*Did you mean [^?]*\?/g, '');
}
