// The production build of the services: esbuild bundles the TypeScript of the workspaces (@gopy/*) into plain ES
// modules, one bundle per process entry point, and leaves every npm package to Node at run time. Run by
// `npm run build:services` (and so by `npm run build`, `npm start`, `npm test`); the bins load the result
// (services/composition/bin/launch.js).
//
// Why a bundler rather than tsc: the sources import each other without extensions and through the workspaces'
// `exports` (./src/*.ts), which Node cannot load once compiled file by file; esbuild resolves them as vite and tsx
// do, in about a tenth of a second, and type checking stays with `tsc -p .` (npm test).
//
// Packages stay external: the native ones (better-sqlite3, @node-rs/argon2) must be; graphql must be loaded once,
// as Node loads it for yoga and Pothos (its CommonJS build), or two copies refuse each other's schema objects;
// pdfkit reads its font metrics next to its own files. Dynamic imports (the PostgreSQL and KurrentDB adapters,
// rarely used commands) become chunks of their own, still loaded only when used.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Each process: its entry and its output folder. The output sits at the depth of the source, so the paths the code
 * computes from import.meta.url (the repository root, web/build) are the same compiled or not. */
const targets = [
  { entry: 'services/api/src/cli.ts', outdir: 'services/api/dist', name: 'cli' },
  { entry: 'services/projector/src/main.ts', outdir: 'services/projector/dist', name: 'main' },
];

/** Workspace imports are bundled; every other bare import (npm packages, node: builtins) is left to Node. */
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@gopy/') ? undefined : { external: true }));
  },
};

const started = performance.now();
await Promise.all(
  targets.map(async ({ entry, outdir, name }) => {
    const out = path.join(root, outdir);
    fs.rmSync(out, { recursive: true, force: true });
    const result = await build({
      absWorkingDir: root,
      entryPoints: { [name]: entry },
      outdir: out,
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      plugins: [externalPackages],
      // Linked maps cost nothing at run time (Node reads them only under --enable-source-maps); without the sources'
      // text they stay small, and stack traces map back to the files of the repository.
      sourcemap: 'linked',
      sourcesContent: false,
      metafile: true,
      logLevel: 'warning',
    });
    // What the bundle was made from: launch.js runs the sources through tsx instead when one of them is newer.
    const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules/'));
    fs.writeFileSync(path.join(out, 'build-inputs.json'), `${JSON.stringify({ entry, inputs }, null, 1)}\n`);
  }),
);
console.log(
  `services built into ${targets.map((t) => t.outdir).join(', ')} in ${Math.round(performance.now() - started)} ms`,
);
