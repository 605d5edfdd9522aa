import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Runs the load and fault suites on their own until the root config has a `load` project:
//   npx vitest run --config tests/load/vitest.config.ts
// The root project entry meant to replace it:
//   { extends: true, test: { name: 'load', include: ['tests/load/**/*.test.ts'], testTimeout: 600_000, hookTimeout: 300_000, fileParallelism: false } }
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  resolve: {
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['tests/load/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
