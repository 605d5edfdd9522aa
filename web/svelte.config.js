import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // build/handler.js is mounted by the API's express app after /graphql (one origin, one port). The assets are
    // precompressed (brotli and gzip beside each file; /_app/immutable is served immutable).
    adapter: adapter({ out: 'build', precompress: true }),
    // Mounted inside the API's express app, adapter-node cannot know whether the reader used http or https
    // (without ORIGIN it assumes https), so SvelteKit's own origin check would refuse every form on plain
    // http. hooks.server.ts checks instead that a form post comes from this very host (see sameOrigin).
    csrf: { trustedOrigins: ['*'] },
    // The server resolves which route a link goes to: the browser does not download the table of every route (the
    // staff and audit pages too) with the first page it loads. A link's first use asks the server (preloading on
    // hover hides it); the JavaScript budget of the public pages (web/js-budget.json) counts on it.
    router: { resolution: 'server' },
    // Scripts only from this site (SvelteKit adds a nonce to its own start-up script). Styles also allow inline
    // style attributes: SvelteKit's route announcer for screen readers is positioned with one. Inline scripts are
    // allowed by their hash, not a nonce: a public page is rendered once and served to many (the page cache), and a
    // nonce must never be handed to more than one response.
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        'style-src': ['self', 'unsafe-inline'],
        'img-src': ['self', 'data:'],
        'font-src': ['self'],
        'connect-src': ['self'],
        'form-action': ['self'],
        'frame-ancestors': ['none'],
        'base-uri': ['self'],
        'object-src': ['none'],
      },
    },
  },
};

export default config;
