import { eventCatalogue, sealedFields, type DomainEvent } from '@gopy/schemas';
import { expect } from 'vitest';
import type { DomainError } from '../errors';

// Test support only: decider specifications read as given / when / then.

type ErrorClass = abstract new (...args: never[]) => DomainError;

export interface Spec<Command, Event> {
  when(command: Command): {
    /** Then exactly these events (each checked against its catalogue schema). */
    then(expected: Event[]): void;
    /** Then this refusal, naming this rule (or this field, for a ValidationError); returns it to read its messages. */
    then(error: ErrorClass, ruleOrField?: string): DomainError;
  };
}

export function specFor<Command, State, Event extends DomainEvent>(decider: {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState: State;
}) {
  return (given: Event[]): Spec<Command, Event> => ({
    when(command) {
      const run = () => decider.decide(command, given.reduce(decider.evolve, decider.initialState));
      return {
        then(expected: Event[] | ErrorClass, ruleOrField?: string): never {
          if (Array.isArray(expected)) {
            const events = run();
            expect(events).toEqual(expected);
            events.forEach(expectToMatchCatalogue);
            return undefined as never;
          }
          let thrown: unknown;
          try {
            run();
          } catch (e) {
            thrown = e;
          }
          expect(thrown, 'expected a refusal').toBeInstanceOf(expected);
          if (ruleOrField !== undefined) {
            const named = thrown as { rule?: string; field?: string; entity?: string };
            expect(named.rule ?? named.field ?? named.entity).toBe(ruleOrField);
          }
          const { messages } = thrown as DomainError;
          expect(messages.vi.length).toBeGreaterThan(0);
          expect(messages.en.length).toBeGreaterThan(0);
          return thrown as never;
        },
      };
    },
  });
}

const FAKE_CIPHERTEXT = 'enc:v1:test:00000000-0000-4000-8000-000000000000:AAAA:BBBB';

/** Replaces the plaintext of each sealed field by ciphertext, as the write path will, so the schema can check the rest. */
function sealForCheck(value: unknown, path: string[]): unknown {
  if (value === null || value === undefined || path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  const isArray = head.endsWith('[]');
  const key = isArray ? head.slice(0, -2) : head;
  const obj = value as Record<string, unknown>;
  const inner = obj[key];
  if (inner === null || inner === undefined) return value;
  if (isArray) return { ...obj, [key]: (inner as unknown[]).map((el) => sealForCheck(el, rest)) };
  if (rest.length === 0) {
    expect(typeof inner, `sealed field ${key} holds plaintext`).toBe('string');
    expect(inner as string).not.toMatch(/^enc:/);
    return { ...obj, [key]: FAKE_CIPHERTEXT };
  }
  return { ...obj, [key]: sealForCheck(inner, rest) };
}

/** Every field present, no field more, each valid: the data parses to itself under the catalogue schema. */
export function expectToMatchCatalogue(event: DomainEvent): void {
  let data: unknown = event.data;
  for (const field of sealedFields[event.type] ?? []) {
    data = sealForCheck(data, field.path.split('.'));
  }
  const schema = eventCatalogue[event.type].schema as { parse(x: unknown): unknown };
  expect(schema.parse(data)).toEqual(data);
}
