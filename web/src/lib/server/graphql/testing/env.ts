// Stands in for SvelteKit's `$env/dynamic/private` when documents.unit.test.ts imports the site's server modules.
export const env: Record<string, string | undefined> = {};
