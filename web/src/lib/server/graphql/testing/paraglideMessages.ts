// Stands in for the generated `$lib/paraglide/messages` when documents.unit.test.ts imports the site's server modules:
// every message is a function that returns its own name.
export const m: Record<string, (inputs?: Record<string, unknown>) => string> = new Proxy(
  {},
  { get: (_target, key) => () => String(key) },
);
