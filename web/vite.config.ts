import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [
    paraglideVitePlugin({
      project: './project.inlang',
      outdir: './src/lib/paraglide',
      // No URL strategy: pages keep one address in every language, and the choice is a cookie that a
      // plain form POST sets, so switching works without JavaScript.
      strategy: ['cookie', 'preferredLanguage', 'baseLocale'],
    }),
    sveltekit(),
    {
      // The browser's scripts only: merge the many tiny chunks (one message, one helper) into their neighbours. On a
      // slow phone network every script costs a request, and the policy page requested some forty-five of them.
      name: 'gopy-merge-small-client-chunks',
      apply: 'build',
      outputOptions(options) {
        if (this.environment?.name !== 'client') return null;
        return { ...options, experimentalMinChunkSize: 4_000 };
      },
    },
  ],
  server: { host: '127.0.0.1' },
});
