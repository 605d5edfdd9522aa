// Stands in for the generated `$lib/paraglide/runtime` when documents.unit.test.ts imports the site's server modules.
export const getLocale = (): 'vi' | 'en' => 'vi';
