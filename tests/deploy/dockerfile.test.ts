// infra/Dockerfile, checked without a Docker engine (none runs where the tests run, and hadolint cannot be installed
// from the registries this project reaches): the Docker language server's validator lints it, and the properties the
// deployment relies on are read from its parsed instructions.
import fs from 'node:fs';
import path from 'node:path';
import {
  DockerfileParser,
  type Copy,
  type Env,
  type From,
  type Healthcheck,
  type Instruction,
  type JSONInstruction,
} from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../support/platform';

const text = fs.readFileSync(path.join(repoRoot, 'infra/Dockerfile'), 'utf8');
const dockerfile = DockerfileParser.parse(text);
const instructions = dockerfile.getInstructions();
const froms = dockerfile.getFROMs();

/** The instructions of each stage, in order, by the stage's name (the last one, unnamed, is 'final'). */
const stages = new Map<string, Instruction[]>();
{
  let current: Instruction[] | undefined;
  for (const instruction of instructions) {
    if (instruction.getKeyword() === 'FROM') {
      current = [];
      stages.set((instruction as From).getBuildStage() ?? 'final', current);
    } else current?.push(instruction);
  }
}
const final = stages.get('final') ?? [];
const args = (i: Instruction) => i.getArguments().map((a) => a.getValue());
const json = (i: Instruction) => (i as JSONInstruction).getJSONStrings().map((s) => s.getJSONValue());
const ofKind = (list: Instruction[], keyword: string) => list.filter((i) => i.getKeyword() === keyword);
const env = new Map(
  ofKind(final, 'ENV').flatMap((i) =>
    (i as Env).getProperties().map((p) => [p.getName(), p.getValue() ?? ''] as const),
  ),
);
const fromFlag = (copy: Instruction) => (copy as Copy).getFromFlag()?.getValue() ?? undefined;

describe('infra/Dockerfile', () => {
  it('passes the Docker language server’s validator (dockerfile-utils) without an error or a warning', () => {
    expect(validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('builds in stages and ships from the last only what runs: production dependencies, the compiled services and the built site', () => {
    expect(froms.length).toBeGreaterThanOrEqual(3);
    expect(froms.at(-1)!.getImageName()).toBe('node');
    const copies = ofKind(final, 'COPY');
    // Nothing from the build context: every file comes from a stage.
    for (const copy of copies) expect(fromFlag(copy), args(copy).join(' ')).toBeDefined();
    const sources = copies.map((c) => args(c)[0]!);
    for (const source of sources)
      expect(source).toMatch(
        /^\/app\/(node_modules|package\.json|services\/(api|projector|composition)\/(package\.json|bin|dist)|web\/(package\.json|build))$/,
      );
    // node_modules comes from a stage that installs production dependencies only, and nothing else installs.
    const modules = copies.find((c) => args(c)[0] === '/app/node_modules')!;
    const install = ofKind(stages.get(fromFlag(modules)!)!, 'RUN').map((r) => args(r).join(' '));
    expect(install.join('\n')).toMatch(/npm ci [^\n]*--omit=dev/);
    expect(
      ofKind(final, 'RUN')
        .map((r) => args(r).join(' '))
        .join('\n'),
    ).not.toMatch(/\bnpm\b/);
    // The services and the site come from the stage that runs the build.
    const built = copies.filter((c) => /\/(dist|build)$/.test(args(c)[0]!)).map(fromFlag);
    expect(new Set(built).size).toBe(1);
    expect(
      ofKind(stages.get(built[0]!)!, 'RUN')
        .map((r) => args(r).join(' '))
        .join('\n'),
    ).toContain('npm run build');
  });

  it('runs as a non-root user, writing only to a volume (the data folder) so the root filesystem can be read-only', () => {
    const users = ofKind(final, 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = args(users.at(-1)!)[0]!;
    expect(['root', '0']).not.toContain(user.split(':')[0]);
    // No RUN after the last USER: everything that needs root happens before it.
    expect(final.indexOf(users.at(-1)!)).toBeGreaterThan(
      Math.max(...ofKind(final, 'RUN').map((r) => final.indexOf(r))),
    );
    const dataDir = env.get('GOPY_DATA_DIR');
    expect(dataDir).toBeTruthy();
    expect(ofKind(final, 'VOLUME').flatMap(json)).toContain(dataDir);
    const prepared = ofKind(final, 'RUN')
      .map((r) => args(r).join(' '))
      .join('\n');
    expect(prepared).toContain(`mkdir -p ${dataDir}`);
    expect(prepared).toContain(`chown ${user}:${user} ${dataDir}`);
  });

  it('checks its health on /healthz at the port it listens on', () => {
    const checks = ofKind(final, 'HEALTHCHECK') as Healthcheck[];
    expect(checks).toHaveLength(1);
    expect(checks[0]!.getSubcommand()?.getValue()).toBe('CMD');
    const command = checks[0]!.getArgumentsContent() ?? '';
    expect(command).toContain('/healthz');
    expect(command).toContain('process.env.PORT');
    expect(env.get('PORT')).toBeTruthy();
    expect(ofKind(final, 'EXPOSE').flatMap(args)).toContain(env.get('PORT'));
  });

  it('starts the embedded server by default, and every process of docker-compose.yml runs a file the image holds', () => {
    expect(json(ofKind(final, 'CMD').at(-1)!)).toEqual(['node', 'services/api/bin/gopy.js', 'serve']);
    const shipped = ofKind(final, 'COPY').map((c) => args(c)[0]!.replace(/^\/app\//, ''));
    const compose = parse(fs.readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: Record<string, { build?: { dockerfile: string }; command?: string[] }>;
    };
    const built = Object.entries(compose.services).filter(([, s]) => s.build);
    expect(built.map(([name]) => name).sort()).toEqual(['api', 'projector', 'web']);
    for (const [name, service] of built) {
      expect(service.build!.dockerfile, name).toBe('infra/Dockerfile');
      const file = service.command![1]!;
      expect(
        shipped.some((dir) => file.startsWith(`${dir}/`)),
        `${name} runs ${file}`,
      ).toBe(true);
    }
  });
});

describe('.dockerignore', () => {
  const lines = fs
    .readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('keeps installed, built, recorded and private files out of the build context', () => {
    for (const pattern of ['**/node_modules', '**/dist', '.git', 'data', '.env', 'web/build', 'test-output'])
      expect(lines, pattern).toContain(pattern);
  });

  it('keeps every file the Dockerfile copies from the build context', () => {
    const named = instructions
      .filter((i) => i.getKeyword() === 'COPY' && !fromFlag(i))
      .flatMap((c) => args(c).slice(0, -1))
      .filter((source) => source !== '.');
    expect(named.length).toBeGreaterThan(0);
    for (const source of named) {
      expect(fs.existsSync(path.join(repoRoot, source)), source).toBe(true);
      // Excluded by a pattern naming it or a folder above it, and not brought back by a later '!' line.
      const excludedBy = lines.findLastIndex(
        (l) => !l.startsWith('!') && (l === source || source.startsWith(`${l.replace(/\/\*\*$/, '')}/`)),
      );
      const keptBy = lines.findLastIndex((l) => l === `!${source}`);
      expect(excludedBy === -1 || keptBy > excludedBy, source).toBe(true);
    }
  });
});
