import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface DemoAccount {
  email: string;
  password: string;
  roles: string[];
  displayName: string;
}

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Platform {
  baseUrl: string;
  dataDir: string;
  demoAccounts: DemoAccount[];
  readMails(): Promise<Mail[]>;
  /** Everything the server printed so far. */
  output(): string;
  stop(): Promise<void>;
  /** SIGKILL, for crash tests. */
  kill(): Promise<void>;
  process: ChildProcess;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Decodes a quoted-printable .eml body (nodemailer writes non-ASCII text that way). */
function decodeQuotedPrintable(text: string): string {
  const joined = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const c = joined[i]!;
    if (c === '=' && /^[0-9A-F]{2}$/i.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeHeader(value: string): string {
  return value.replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, data: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64').toString('utf8')
      : decodeQuotedPrintable(data.replace(/_/g, ' ')),
  );
}

export function parseEml(raw: string): Mail {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = head.replace(/\r?\n[ \t]+/g, ' ');
  const get = (name: string) => decodeHeader(new RegExp(`^${name}: (.*)$`, 'im').exec(headers)?.[1]?.trim() ?? '');
  const body = rest.join('\n\n');
  const encoding = get('Content-Transfer-Encoding').toLowerCase();
  const text =
    encoding === 'quoted-printable'
      ? decodeQuotedPrintable(body)
      : encoding === 'base64'
        ? Buffer.from(body, 'base64').toString('utf8')
        : body;
  return { to: get('To'), subject: get('Subject'), text };
}

/**
 * Starts the real platform (API + site, embedded SQLite store) as its own process, in a fresh data folder,
 * exactly as the README's first command does, and waits until it answers.
 */
export async function startPlatform(
  opts: { demo?: boolean; env?: Record<string, string>; dataDir?: string } = {},
): Promise<Platform> {
  const port = await freePort();
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-test-'));
  const child = spawn(process.execPath, [path.join(repoRoot, 'services/api/bin/gopy.js'), 'serve'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      GOPY_DATA_DIR: dataDir,
      GOPY_DEMO: opts.demo === false ? '0' : '1',
      GOPY_PUBLIC_URL: `http://127.0.0.1:${port}`,
      SMTP_URL: '',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`platform exited with ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(`${baseUrl}/healthz`);
      if (res.ok && /listening on/.test(output)) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`platform did not start within 120 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const line = /^GOPY_DEMO_ACCOUNTS (.*)$/m.exec(output)?.[1];
  const demoAccounts = line ? (JSON.parse(line) as DemoAccount[]) : [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    baseUrl,
    dataDir,
    demoAccounts,
    process: child,
    output: () => output,
    async readMails() {
      const dir = path.join(dataDir, 'mail');
      if (!fs.existsSync(dir)) return [];
      return fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.eml'))
        .sort()
        .map((f) => parseEml(fs.readFileSync(path.join(dir, f), 'utf8')));
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
    async kill() {
      child.kill('SIGKILL');
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        exited,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`the server (pid ${child.pid}) did not exit within 10 s of SIGKILL`)),
            10_000,
          );
        }),
      ]).finally(() => clearTimeout(timer));
    },
  };
}

/** A small GraphQL client over HTTP, as any outside client would talk to the API. */
export function graphqlClient(baseUrl: string, token?: string, locale: 'vi' | 'en' = 'vi') {
  return async function gql<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<{ data: T; errors?: { message: string; extensions?: Record<string, unknown> }[]; status: number }> {
    const res = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'accept-language': locale,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as {
      data: T;
      errors?: { message: string; extensions?: Record<string, unknown> }[];
    };
    return { ...body, status: res.status };
  };
}
