import type { ClientInit } from '@sveltejs/kit';
import { overwriteGetLocale, isLocale, baseLocale } from '$lib/paraglide/runtime';

// The server chose the language (cookie, Accept-Language) and wrote it into <html lang>. The browser uses that
// same choice, so hydration never disagrees with the server; switching language is a full page load.
export const init: ClientInit = () => {
  overwriteGetLocale(() => {
    const lang = document.documentElement.lang;
    return isLocale(lang) ? lang : baseLocale;
  });
};
