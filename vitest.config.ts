import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const webLib = fileURLToPath(new URL('./web/src/lib', import.meta.url));

// One runner for the whole repository. Projects keep the fast, pure suites apart from the ones that
// start servers or browsers, so `vitest run --project unit` stays quick while `npm test` runs everything.
export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS build for Pothos and yoga (the package has no "exports"); vite would pick the
    // .mjs build for our own files, and two copies of graphql refuse each other's types.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    projects: [
      {
        extends: true,
        resolve: {
          // The site's server modules, imported by web/src/**/*.unit.test.ts without SvelteKit: its `$env` and the
          // generated paraglide modules are stood in for (web/src/lib/server/graphql/testing), `$lib` is the folder.
          alias: [
            { find: /^\$env\/dynamic\/private$/, replacement: `${webLib}/server/graphql/testing/env.ts` },
            {
              find: /^\$lib\/paraglide\/runtime$/,
              replacement: `${webLib}/server/graphql/testing/paraglideRuntime.ts`,
            },
            {
              find: /^\$lib\/paraglide\/messages$/,
              replacement: `${webLib}/server/graphql/testing/paraglideMessages.ts`,
            },
            { find: /^\$lib\//, replacement: `${webLib}/` },
          ],
        },
        test: {
          name: 'unit',
          include: [
            'schemas/src/**/*.unit.test.ts',
            'services/*/src/**/*.unit.test.ts',
            'tests/architecture/**/*.test.ts',
            'tests/deploy/**/*.test.ts',
            'web/src/**/*.unit.test.ts',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['services/*/src/**/*.int.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'api',
          include: ['tests/api/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'distributed',
          include: ['tests/distributed/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'load',
          include: ['tests/load/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
