/**
 * The import rule (docs: ARCHITECTURE.md, /DESIGN "Layout and the import rule"), checked over the sources:
 * schemas ← domain ← application ← adapters ← composition ← {api, projector}. Each workspace imports only the
 * workspaces its package.json lists, and lists only those the rule allows; no source file reaches into another
 * package (or tests/) by a relative path; the domain imports no framework and does no I/O; the projector process never
 * reaches the HTTP API; the site imports no service.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Each service workspace: its folder and the workspaces it may import. */
const layers: Record<string, { dir: string; may: string[] }> = {
  schemas: { dir: 'schemas', may: [] },
  domain: { dir: 'services/domain', may: ['schemas'] },
  application: { dir: 'services/application', may: ['schemas', 'domain'] },
  adapters: { dir: 'services/adapters', may: ['schemas', 'domain', 'application'] },
  composition: { dir: 'services/composition', may: ['schemas', 'domain', 'application', 'adapters'] },
  api: { dir: 'services/api', may: ['schemas', 'domain', 'application', 'adapters', 'composition'] },
  projector: { dir: 'services/projector', may: ['application', 'adapters', 'composition'] },
};

const isTest = (file: string) => /\.(unit|int|property)(\.int)?\.test\.ts$|\.test\.ts$|\.testing\.ts$/.test(file);

function sourceFiles(dir: string, withTests = false): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      if (['node_modules', 'dist', 'build', '.svelte-kit', 'paraglide'].includes(entry.name)) continue;
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|js|svelte)$/.test(entry.name) && (withTests || !isTest(entry.name))) out.push(full);
    }
  };
  for (const sub of ['src', 'bin']) if (fs.existsSync(path.join(root, dir, sub))) walk(path.join(root, dir, sub));
  return out;
}

/** Every module specifier a file names: static imports, re-exports and dynamic imports. */
function specifiers(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(
    /(?:^|\s)(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm,
  ))
    found.push((m[1] ?? m[2])!);
  return found;
}

const workspaceOf = (spec: string) => /^@gopy\/([^/]+)/.exec(spec)?.[1];

function resolveRelative(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`, base.replace(/\.js$/, '.ts')])
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  return undefined;
}

function resolveWorkspace(spec: string): string | undefined {
  const m = /^@gopy\/([^/]+)(?:\/(.+))?$/.exec(spec);
  const layer = m && Object.values(layers).find((l) => path.basename(l.dir) === m[1] || l.dir === m[1]);
  if (!m || !layer) return undefined;
  if (m[2] === 'launch') return path.join(root, layer.dir, 'bin/launch.js');
  return resolveRelative(path.join(root, layer.dir, 'src/x.ts'), `./${m[2] ?? 'index'}`);
}

describe('the import rule', () => {
  for (const [name, layer] of Object.entries(layers)) {
    it(`${name} imports only the workspaces it may, and its package.json lists no other`, () => {
      const pkg = JSON.parse(fs.readFileSync(path.join(root, layer.dir, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
      };
      const listed = Object.keys(pkg.dependencies ?? {})
        .map(workspaceOf)
        .filter((w): w is string => w !== undefined);
      expect(listed.filter((w) => !layer.may.includes(w))).toEqual([]);
      const offending: string[] = [];
      for (const file of sourceFiles(layer.dir)) {
        for (const spec of specifiers(file)) {
          const w = workspaceOf(spec);
          if (w !== undefined && w !== name && !listed.includes(w))
            offending.push(`${path.relative(root, file)} → ${spec}`);
          if (spec.startsWith('.')) {
            const target = path.resolve(path.dirname(file), spec);
            if (!target.startsWith(path.join(root, layer.dir) + path.sep))
              offending.push(`${path.relative(root, file)} → ${spec} (outside ${layer.dir})`);
          }
        }
      }
      expect(offending).toEqual([]);
    });
  }

  it('no service module (tests aside) imports anything under tests/', () => {
    const offending = Object.values(layers)
      .flatMap((l) => sourceFiles(l.dir))
      .flatMap((file) =>
        specifiers(file)
          .filter((s) => s.startsWith('.') && path.resolve(path.dirname(file), s).startsWith(path.join(root, 'tests')))
          .map((s) => `${path.relative(root, file)} → ${s}`),
      );
    expect(offending).toEqual([]);
  });

  it('the domain imports no framework and no Node module (no I/O, no clock from outside)', () => {
    // testkit/ holds the deciders' test builders and specs, for test files only.
    const sources = sourceFiles(layers.domain!.dir).filter((f) => !f.includes(`${path.sep}testkit${path.sep}`));
    const offending = sources.flatMap((file) =>
      specifiers(file)
        .filter((s) => !s.startsWith('.') && !s.startsWith('@gopy/schemas'))
        .map((s) => `${path.relative(root, file)} → ${s}`),
    );
    expect(offending).toEqual([]);
  });

  it('the projector process never reaches the HTTP API, however indirectly', () => {
    const seen = new Set<string>();
    const queue = [path.join(root, 'services/projector/src/main.ts')];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const spec of specifiers(file)) {
        const next = spec.startsWith('.') ? resolveRelative(file, spec) : resolveWorkspace(spec);
        if (next) queue.push(next);
      }
    }
    const reached = [...seen].map((f) => path.relative(root, f));
    expect(reached).toContain('services/composition/src/runtime.ts');
    expect(reached.filter((f) => f.startsWith('services/api/'))).toEqual([]);
  });

  it('the site imports no service: it talks GraphQL only', () => {
    const offending = sourceFiles('web', true).flatMap((file) =>
      specifiers(file)
        .filter(
          (s) =>
            s.startsWith('@gopy/') ||
            (s.startsWith('.') && path.resolve(path.dirname(file), s).includes(`${path.sep}services${path.sep}`)),
        )
        .map((s) => `${path.relative(root, file)} → ${s}`),
    );
    expect(offending).toEqual([]);
  });
});
