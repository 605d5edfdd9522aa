import { defineConfig } from 'vitest/config';

// One runner for the whole repository. Projects keep the fast, pure suites apart from the ones that
// start servers or browsers, so `vitest run --project unit` stays quick while `npm test` runs everything.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['schemas/src/**/*.unit.test.ts', 'services/*/src/**/*.unit.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['services/*/src/**/*.int.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'api',
          include: ['tests/api/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
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
