// Starts a process of the services from the compiled build (services/<name>/dist, `npm run build`), or from the
// TypeScript sources through tsx when there is no build or one of the files it was made from has changed since, so a
// checkout being edited (development, tests) never runs stale code. An install without the sources (the container
// image) always runs the build.
import fs from 'node:fs';

/**
 * @param {URL} distEntry the compiled entry, e.g. services/api/dist/cli.js
 * @param {URL} sourceEntry the TypeScript entry it is built from
 * @param {string} name how the process names itself in messages
 */
export async function launch(distEntry, sourceEntry, name) {
  const build = buildState(distEntry);
  if (build === 'fresh') return import(distEntry.href);
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    // An install without development dependencies: the build is all there is.
    if (build === 'stale') {
      console.error(
        `${name}: the compiled build is older than the sources, and tsx is not installed: running the build`,
      );
      return import(distEntry.href);
    }
    console.error(
      `${name}: no compiled build at ${distEntry.pathname} and no tsx to run the sources: run npm run build`,
    );
    process.exit(1);
  }
  if (build === 'stale')
    console.error(`${name}: the compiled build is older than the sources: running the sources through tsx`);
  register();
  return import(sourceEntry.href);
}

/** 'fresh', 'stale' (a source file it was built from is newer than the build) or 'missing'. */
function buildState(distEntry) {
  const manifest = new URL('build-inputs.json', distEntry);
  let builtAt;
  let inputs;
  try {
    builtAt = fs.statSync(manifest).mtimeMs;
    ({ inputs } = JSON.parse(fs.readFileSync(manifest, 'utf8')));
    if (!fs.existsSync(distEntry)) return 'missing';
  } catch {
    return 'missing';
  }
  // The manifest names inputs relative to the repository root, which is three levels above services/<name>/dist/.
  const root = new URL('../../../', distEntry);
  for (const input of inputs) {
    const stat = fs.statSync(new URL(input, root), { throwIfNoEntry: false });
    // A file that is gone was either never shipped (an install without sources) or removed, and then a file that
    // imported it has changed too.
    if (stat && stat.mtimeMs > builtAt) return 'stale';
  }
  return 'fresh';
}
