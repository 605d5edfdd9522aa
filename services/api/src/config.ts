import path from 'node:path';

/** Configuration comes from the environment only; defaults make the embedded runtime start with zero set-up. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  demo: boolean;
  smtpUrl: string | undefined;
  publicUrl: string;
  masterKeyHex: string | undefined;
  lookupKeyHex: string | undefined;
  /** Serve the SvelteKit site from web/build in the same process (embedded runtime). */
  serveWeb: boolean;
  schedulerIntervalMs: number;
}

function bool(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  const host = env.HOST ?? '0.0.0.0';
  return {
    port,
    host,
    dataDir: path.resolve(env.GOPY_DATA_DIR ?? 'data'),
    demo: bool(env.GOPY_DEMO, true),
    smtpUrl: env.SMTP_URL || undefined,
    publicUrl: (env.GOPY_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    masterKeyHex: env.GOPY_MASTER_KEY || undefined,
    lookupKeyHex: env.GOPY_LOOKUP_KEY || undefined,
    serveWeb: bool(env.GOPY_SERVE_WEB, true),
    schedulerIntervalMs: Number(env.GOPY_SCHEDULER_INTERVAL_MS ?? 1_000),
  };
}
