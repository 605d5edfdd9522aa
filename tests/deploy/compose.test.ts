import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../support/platform';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
}

const compose = parse(fs.readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};

/** Every environment variable the server code reads, found in the source (process.env.X, env.X). */
function variablesReadByCode(dirs: string[]): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) {
        for (const m of fs.readFileSync(full, 'utf8').matchAll(/\benv\.([A-Z][A-Z0-9_]{2,})\b/g)) found.add(m[1]!);
      }
    }
  };
  for (const d of dirs) walk(path.join(repoRoot, d));
  return found;
}

describe('docker-compose.yml', () => {
  const s = compose.services;

  it('has every service of the distributed runtime, each with a health check or a dependency that has one', () => {
    expect(Object.keys(s).sort()).toEqual(['api', 'kurrentdb', 'postgres', 'projector', 'web']);
    for (const name of ['kurrentdb', 'postgres', 'api', 'web'])
      expect(s[name]!.healthcheck?.test.length, name).toBeGreaterThan(0);
    expect(s.projector!.depends_on).toMatchObject({
      kurrentdb: { condition: 'service_healthy' },
      postgres: { condition: 'service_healthy' },
    });
    expect(s.api!.depends_on).toMatchObject({
      kurrentdb: { condition: 'service_healthy' },
      postgres: { condition: 'service_healthy' },
    });
    expect(s.web!.depends_on).toMatchObject({ api: { condition: 'service_healthy' } });
  });

  it('runs the processes the code provides, with files that exist', () => {
    expect(s.api!.command).toEqual(['node', 'services/api/bin/gopy.js', 'serve', '--role', 'api']);
    expect(s.projector!.command).toEqual(['node', 'services/projector/bin/projector.js']);
    expect(s.web!.command).toEqual(['node', 'web/build/index.js']);
    for (const name of ['api', 'projector', 'web']) {
      expect(fs.existsSync(path.join(repoRoot, s[name]!.build!.dockerfile))).toBe(true);
      expect(
        fs.existsSync(path.join(repoRoot, s[name]!.command![1]!.replace('web/build/index.js', 'web/svelte.config.js'))),
      ).toBe(true);
    }
  });

  it('wires every variable the services read, pointing at the services and ports of the file', () => {
    const read = variablesReadByCode(['services/api/src', 'services/composition/src', 'services/projector/src']);
    const env = s.api!.environment!;
    // Tuning knobs with defaults in the code; the compose file need not repeat them.
    const optional = new Set([
      'HOST',
      'GOPY_SCHEDULER_INTERVAL_MS',
      'GOPY_ADMIN_PASSWORD',
      'GOPY_SURGE_INTERVAL_MS',
      'GOPY_SURGE_MIN_COMMENTS',
      'GOPY_SURGE_MIN_FLAGS',
      'GOPY_SURGE_MIN_BASELINE_HOURS',
      'GOPY_REPORT_DUE_S1',
      'GOPY_REPORT_DUE_S2',
      // The site's upload limit (adapter-node reads it); app.ts sets a default when the site runs in the API process.
      'BODY_SIZE_LIMIT',
      // Unset: /graphql answers its own origin only.
      'GOPY_CORS_ORIGINS',
      // Unset: the API trusts the site's forwarded address through GOPY_TRUST_PROXY (uniquelocal here).
      'GOPY_SITE_KEY',
      // adapter-node's, for the site in the API process; app.ts sets them there.
      'ADDRESS_HEADER',
      'PROTOCOL_HEADER',
      // Unset: follows GOPY_DEMO.
      'GOPY_GRAPHQL_INTROSPECTION',
      // Logs, metrics, readiness and shutdown (README, Operations): defaults suit the compose file.
      'GOPY_LOG_LEVEL',
      'GOPY_LOG_FORMAT',
      'GOPY_METRICS_TOKEN',
      'GOPY_READY_MAX_LAG_EVENTS',
      'GOPY_READY_MAX_LAG_SECONDS',
      'GOPY_READY_CHECK_TIMEOUT_MS',
      'GOPY_SHUTDOWN_TIMEOUT_MS',
      'GOPY_SHUTDOWN_DELAY_MS',
      // The projector's own port (set on that service only).
      'GOPY_OPS_PORT',
      // Backups of the embedded store (README, Backups): this file runs KurrentDB and PostgreSQL, backed up by their
      // own tools (infra/README.md); GOPY_BACKUP_KEY is needed only by gopy backup/restore run by hand.
      'GOPY_BACKUP_DIR',
      'GOPY_BACKUP_KEY',
      'GOPY_BACKUP_INTERVAL',
      'GOPY_BACKUP_KEEP',
      'GOPY_ERASURE_LEDGER',
      // The public page cache and admission control, and the shortest round: defaults suit the compose file.
      'GOPY_PAGE_CACHE_ENTRIES',
      'GOPY_PAGE_CACHE_MAX_AGE_S',
      'GOPY_PAGE_CACHE_SHARED_MAX_AGE_S',
      'GOPY_MAX_CONCURRENT_REQUESTS',
      'GOPY_MAX_QUEUED_REQUESTS',
      'GOPY_QUEUE_TIMEOUT_MS',
      'GOPY_MIN_ROUND_DAYS',
    ]);
    expect(s.projector!.environment!.GOPY_OPS_PORT).toBe(s.projector!.environment!.PORT);
    expect(Object.keys(env)).toEqual(expect.arrayContaining([...read].filter((v) => !optional.has(v))));
    expect(env.GOPY_EVENT_STORE).toBe('kurrentdb');
    expect(env.GOPY_READ_STORE).toBe('postgres');
    expect(env.KURRENTDB_URL).toMatch(/^esdb:\/\/kurrentdb:2113\b/);
    expect(s.kurrentdb!.ports).toContain('2113:2113');
    const db = new URL(env.DATABASE_URL!);
    expect(db.hostname).toBe('postgres');
    expect(db.port).toBe('5432');
    expect(db.username).toBe(s.postgres!.environment!.POSTGRES_USER);
    expect(db.password).toBe(s.postgres!.environment!.POSTGRES_PASSWORD);
    expect(db.pathname.slice(1)).toBe(s.postgres!.environment!.POSTGRES_DB);
    expect(s.projector!.environment).toMatchObject({
      DATABASE_URL: env.DATABASE_URL,
      KURRENTDB_URL: env.KURRENTDB_URL,
    });
    expect(env.PORT).toBe('4000');
    expect(s.web!.environment!.GOPY_API_URL).toBe(`http://api:${env.PORT}/graphql`);
    // The site reads GOPY_API_URL (web/src/lib/server/graphql/transport.ts).
    expect(fs.readFileSync(path.join(repoRoot, 'web/src/lib/server/graphql/transport.ts'), 'utf8')).toContain(
      'GOPY_API_URL',
    );
  });

  it('keeps data in named volumes', () => {
    for (const [name, service] of Object.entries({ kurrentdb: s.kurrentdb!, postgres: s.postgres!, api: s.api! })) {
      const volume = service.volumes?.[0]?.split(':')[0];
      expect(volume && volume in compose.volumes, name).toBe(true);
    }
  });
});
