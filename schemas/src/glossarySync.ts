/**
 * Writes the glossary's words into the site's messages (web/messages/vi.json and en.json), keeping every other
 * message and the order of the keys; new keys go at the end. Run after changing glossary.ts:
 * `node --import tsx schemas/src/glossarySync.ts`. glossary.unit.test.ts fails until the two agree.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { siteMessages, type GlossaryLocale } from './glossary';

export function messagesFile(locale: GlossaryLocale): string {
  return fileURLToPath(new URL(`../../web/messages/${locale}.json`, import.meta.url));
}

export function syncedMessages(current: Record<string, string>, locale: GlossaryLocale): Record<string, string> {
  return { ...current, ...siteMessages(locale) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const locale of ['vi', 'en'] as const) {
    const file = messagesFile(locale);
    const current = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
    fs.writeFileSync(file, `${JSON.stringify(syncedMessages(current, locale), null, 2)}\n`);
  }
}
