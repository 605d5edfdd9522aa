import fs from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePublicKey } from '@gopy/application/audit/checkpoint';
import { verifyLog } from '@gopy/application/audit/verify';
import { ERASED_NAME } from '@gopy/application/readModels/index';
import { buildApp } from './app';
import { loadConfig } from '@gopy/composition/config';
import { seedDemo, type DemoAccount } from '@gopy/composition/demo';
import { openEmbeddedRuntime, type Runtime } from '@gopy/composition/runtime';

/** Every file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? filesUnder(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

describe('erasure and "download my data"', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-erase-'));
  const marker = Math.random().toString(36).slice(2, 8);
  const email = `hoa.${marker}@truong-le-loi.edu.vn`;
  // A name in NFD (decomposed), as some keyboards send it; the platform normalises to NFC.
  const displayName = `Nguyễn Thị Hoà Qx${marker}`.normalize('NFD');
  const logs: string[] = [];
  let runtime: Runtime;
  let server: Server;
  let base: string;
  let admin: DemoAccount;

  async function gql<T = any>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data: T; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  }

  async function signIn(mail: string, password: string): Promise<string> {
    const d = await gql(
      `mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { __typename ... on MutationSignInSuccess { data { token } } } }`,
      { e: mail, p: password },
    );
    if (!d.signIn.data) throw new Error(`sign-in refused: ${d.signIn.__typename}`);
    return d.signIn.data.token as string;
  }

  const holding = (needle: string) =>
    filesUnder(dataDir).filter((f) => fs.readFileSync(f).includes(Buffer.from(needle, 'utf8')));

  /** Signs up and confirms a person, returns their session. */
  async function person(mail: string, name: string, password: string): Promise<string> {
    await gql(`mutation($i: SignUpInput!) { signUp(input: $i) { __typename } }`, {
      i: { email: mail, password, displayName: name, stakeholderCategory: 'PARENT', locale: 'VI' },
    });
    const mailText = filesUnder(path.join(dataDir, 'mail'))
      .map((f) =>
        fs
          .readFileSync(f, 'utf8')
          .replace(/=\r?\n/g, '')
          .replace(/=3D/g, '='),
      )
      .find((t) => t.includes(mail) && t.includes('verify-email'))!;
    const token = /verify-email\?token=([A-Za-z0-9_-]+)/.exec(mailText)![1]!;
    await gql(`mutation($t: String!) { verifyEmail(token: $t) { __typename } }`, { t: token });
    return signIn(mail, password);
  }

  beforeAll(async () => {
    runtime = await openEmbeddedRuntime(
      loadConfig({
        GOPY_DATA_DIR: dataDir,
        GOPY_DEMO: '0',
        GOPY_SERVE_WEB: '0',
        GOPY_MASTER_KEY: '1'.repeat(64),
        GOPY_LOOKUP_KEY: '2'.repeat(64),
      }),
      { log: (m) => logs.push(m) },
    );
    runtime.projector.start();
    const accounts = await seedDemo(runtime);
    admin = accounts.find((a) => a.roles.includes('admin'))!;
    await runtime.projector.waitFor((await runtime.store.headPosition())!, 20_000);
    const app = await buildApp(runtime);
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }, 90_000);

  afterAll(async () => {
    await new Promise<void>((r) => server?.close(() => r()));
    await runtime?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('erases a person: chains verify, comments stay as "erased participant", and no file under data/ holds their email or name', async () => {
    const password = 'mat-khau-rat-dai-123';
    await gql(`mutation($i: SignUpInput!) { signUp(input: $i) { __typename } }`, {
      i: { email, password, displayName, stakeholderCategory: 'PARENT', locale: 'VI' },
    });
    const mailText = filesUnder(path.join(dataDir, 'mail'))
      .map((f) =>
        fs
          .readFileSync(f, 'utf8')
          .replace(/=\r?\n/g, '')
          .replace(/=3D/g, '='),
      )
      .find((t) => t.includes(email))!;
    const token = /verify-email\?token=([A-Za-z0-9_-]+)/.exec(mailText)![1]!;
    await gql(`mutation($t: String!) { verifyEmail(token: $t) { __typename } }`, { t: token });
    const session = await signIn(email, password);

    const demoComment = await runtime.readDb
      .selectFrom('comments')
      .select(['id', 'policy_id'])
      .where('status', '=', 'visible')
      .executeTakeFirstOrThrow();
    const body = `Đề nghị nhà trường công khai các khoản thu ${marker}.`;
    const submitted = await gql(
      `mutation($i: SubmitCommentInput!) { submitComment(input: $i) { __typename ... on MutationSubmitCommentSuccess { data { comment { id } } } } }`,
      { i: { policyId: demoComment.policy_id, body, stance: 'SUGGESTION', idempotencyKey: `erase-${marker}` } },
      session,
    );
    const commentId = submitted.submitComment.data.comment.id as string;
    await gql(
      `mutation($c: ID!) { flagComment(commentId: $c, reason: SPAM) { __typename } }`,
      { c: demoComment.id },
      session,
    );

    // Download my data: everything held about them.
    const mine = JSON.parse((await gql(`{ myData }`, {}, session)).myData as string);
    expect(mine.account.email).toBe(email);
    expect(mine.account.displayName).toBe(displayName.normalize('NFC'));
    expect(mine.comments).toHaveLength(1);
    expect(mine.comments[0].history[0].data.body).toBe(body);
    expect(mine.flags).toHaveLength(1);
    expect(mine.flags[0].data.commentId).toBe(demoComment.id);

    // Only an admin erases.
    const refused = await gql(
      `mutation($a: ID!) { eraseAccount(accountId: $a, requestReference: "x") { __typename } }`,
      { a: mine.accountId },
      session,
    ).catch((e: Error) => e.message);
    expect(JSON.stringify(refused)).toMatch(/FORBIDDEN|Forbidden/);

    // The scan below can see them: before erasure the name is in the read models and the email in the mails.
    expect(holding(email).length).toBeGreaterThan(0);
    expect(holding(`Qx${marker}`).length).toBeGreaterThan(0);

    const adminSession = await signIn(admin.email, admin.password);
    const erased = await gql(
      `mutation($a: ID!, $r: String!) { eraseAccount(accountId: $a, requestReference: $r) { __typename ... on MutationEraseAccountSuccess { data { keysDestroyed mailsDeleted sqliteFilesCheckpointed } } } }`,
      { a: mine.accountId, r: 'Đơn yêu cầu số 12/2026' },
      adminSession,
    );
    expect(erased.eraseAccount.__typename).toBe('MutationEraseAccountSuccess');
    expect(erased.eraseAccount.data.mailsDeleted).toBeGreaterThanOrEqual(1);
    expect(erased.eraseAccount.data.sqliteFilesCheckpointed).toEqual(
      expect.arrayContaining(['read.sqlite', 'events.sqlite', 'keys.sqlite', 'auth.sqlite']),
    );

    // Their comment stays, authored by "erased participant"; they can no longer sign in.
    const row = await runtime.readDb
      .selectFrom('comments')
      .select(['author_name', 'body'])
      .where('id', '=', commentId)
      .executeTakeFirstOrThrow();
    expect(row.author_name).toBe(ERASED_NAME);
    expect(row.body).toBe(body);
    await expect(signIn(email, password)).rejects.toThrow();

    // Every chain and checkpoint still verifies: nothing stored was rewritten.
    await runtime.sealer.seal();
    const report = await verifyLog(() => runtime.store.readAll(), {
      publicKey: parsePublicKey(runtime.auditPublicKeyPem),
    });
    expect(report.failure).toBeNull();

    // No file under the data folder (databases, WAL files, mails) nor the log holds the email or the name, in any form.
    // The email's lookup HMAC too: bound to the account id, it let whoever holds the lookup key re-identify them.
    const needles = [
      email,
      displayName.normalize('NFC'),
      displayName.normalize('NFD'),
      `Qx${marker}`,
      runtime.accounts.emailLookup(email),
    ].map((n) => Buffer.from(n, 'utf8'));
    const files = filesUnder(dataDir);
    expect(files.some((f) => f.endsWith('read.sqlite'))).toBe(true);
    for (const file of files) {
      const bytes = fs.readFileSync(file);
      for (const n of needles)
        expect(bytes.includes(n), `${path.relative(dataDir, file)} holds "${n.toString('utf8')}"`).toBe(false);
    }
    for (const line of logs) expect(line.includes(email) || line.includes(`Qx${marker}`)).toBe(false);
  });
  it('the person erases themselves and destroys their comments: no file holds their email, name, lookup or comment text', async () => {
    const mark = Math.random().toString(36).slice(2, 8);
    const mail = `minh.${mark}@truong-tran-phu.edu.vn`;
    const name = `Phạm Văn Minh Qy${mark}`;
    const password = 'mat-khau-cua-minh-456';
    const session = await person(mail, name, password);
    const lookup = runtime.accounts.emailLookup(mail);
    const demoComment = await runtime.readDb
      .selectFrom('comments')
      .select(['id', 'policy_id'])
      .where('status', '=', 'visible')
      .executeTakeFirstOrThrow();
    const body = `Nhà trường nên mở thêm lớp bán trú Zk${mark} cho khối một.`;
    const submitted = await gql(
      `mutation($i: SubmitCommentInput!) { submitComment(input: $i) { __typename ... on MutationSubmitCommentSuccess { data { comment { id } } } } }`,
      { i: { policyId: demoComment.policy_id, body, stance: 'SUGGESTION', idempotencyKey: `destroy-${mark}` } },
      session,
    );
    const commentId = submitted.submitComment.data.comment.id as string;
    const edited = `${body} Sửa lại: Zk${mark} cả khối hai.`;
    await gql(
      `mutation($c: ID!, $b: String!) { editComment(commentId: $c, body: $b, stance: SUGGESTION) { __typename } }`,
      { c: commentId, b: edited },
      session,
    );
    await runtime.consistency.waitFor((await runtime.store.headPosition())!);
    for (const needle of [mail, `Qy${mark}`, `Zk${mark}`, lookup])
      expect(holding(needle).length, needle).toBeGreaterThan(0);

    const ERASE_ME = `mutation($p: String!, $c: ErasureComments!) { eraseMyAccount(password: $p, comments: $c) {
      __typename ... on ValidationError { field messageVi messageEn }
      ... on MutationEraseMyAccountSuccess { data { accountId comments commentCount keysDestroyed remains outside } } } }`;
    // A session alone is not enough: the password is asked again, and a wrong one changes nothing.
    const wrong = await gql(ERASE_ME, { p: 'khong-phai-mat-khau', c: 'DESTROY' }, session);
    expect(wrong.eraseMyAccount).toMatchObject({ __typename: 'ValidationError', field: 'password' });
    expect(holding(`Zk${mark}`).length).toBeGreaterThan(0);

    const done = await gql(ERASE_ME, { p: password, c: 'DESTROY' }, session);
    expect(done.eraseMyAccount.__typename).toBe('MutationEraseMyAccountSuccess');
    const report = done.eraseMyAccount.data;
    expect(report.comments).toBe('DESTROY');
    expect(report.commentCount).toBe(1);
    expect(report.keysDestroyed).toEqual(
      expect.arrayContaining([`comment:${commentId}`, `person:${report.accountId}`]),
    );
    expect(report.remains.join('\n')).toMatch(/1 comment\(s\): their text, every revision/);
    expect(report.remains.join('\n')).not.toMatch(/before version 2/);

    // The comment shows as withdrawn by its author, with no text, under "erased participant".
    const row = await runtime.readDb
      .selectFrom('comments')
      .select(['author_name', 'body', 'status'])
      .where('id', '=', commentId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ author_name: ERASED_NAME, body: null, status: 'withdrawn' });
    const revisions = await runtime.readDb
      .selectFrom('comment_revisions')
      .select('body')
      .where('comment_id', '=', commentId)
      .execute();
    expect(revisions.length).toBeGreaterThan(0);
    expect(revisions.every((r) => r.body === null)).toBe(true);
    // The session ended with the account.
    expect((await gql(`{ viewer { account { id } } }`, {}, session)).viewer).toBeNull();

    await runtime.sealer.seal();
    const verified = await verifyLog(() => runtime.store.readAll(), {
      publicKey: parsePublicKey(runtime.auditPublicKeyPem),
    });
    expect(verified.failure).toBeNull();

    const files = filesUnder(dataDir);
    expect(files.some((f) => f.endsWith('events.sqlite'))).toBe(true);
    expect(files.some((f) => f.endsWith('keys.sqlite'))).toBe(true);
    expect(files.some((f) => f.endsWith('auth.sqlite'))).toBe(true);
    const needles = [mail, name, `Qy${mark}`, body, edited, `Zk${mark}`, `zk${mark}`, lookup];
    for (const file of files) {
      const bytes = fs.readFileSync(file);
      for (const n of needles)
        expect(bytes.includes(Buffer.from(n, 'utf8')), `${path.relative(dataDir, file)} holds "${n}"`).toBe(false);
    }
    for (const line of logs) for (const n of [mail, `Qy${mark}`, `Zk${mark}`]) expect(line.includes(n)).toBe(false);
  });
});
