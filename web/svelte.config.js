import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// build/handler.js is mounted by the API's express app after /graphql (one origin, one port).
		adapter: adapter({ out: 'build', precompress: false }),
		alias: {},
	},
};

export default config;
