import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyQueries } from '@gopy/application/readModels/index';
import type { DraftNode } from '@gopy/schemas';
import { buildApp } from '../app';
import { loadConfig } from '@gopy/composition/config';
import { seedDemo } from '@gopy/composition/demo';
import { openEmbeddedRuntime, type Runtime } from '@gopy/composition/runtime';
import { exportDocx, exportPdf, importDocx } from './documents';

const shape = (nodes: DraftNode[]): unknown =>
  nodes.map((n) => ({ kind: n.kind, number: n.number, heading: n.heading, text: n.text, children: shape(n.children) }));

describe('drafts in and out: .docx import, .docx and .pdf download', () => {
  let runtime: Runtime;
  let server: import('node:http').Server;
  let base: string;

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-docs-'));
    runtime = await openEmbeddedRuntime(loadConfig({ GOPY_DATA_DIR: dir, GOPY_SERVE_WEB: '0' }), { log: () => {} });
    runtime.projector.start();
    await seedDemo(runtime);
    await runtime.projector.waitFor((await runtime.store.headPosition())!, 20_000);
    const app = await buildApp(runtime);
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const address = server.address() as import('node:net').AddressInfo;
    base = `http://127.0.0.1:${address.port}`;
  }, 60_000);

  afterAll(async () => {
    server?.close();
    await runtime?.close();
  });

  async function feesVersion() {
    const [policy] = await policyQueries.page(runtime.readDb, { status: 'consultation', first: 1 });
    const [version] = await policyQueries.versions(runtime.readDb, [policy!.id]);
    return { policy: policy!, version: version! };
  }

  it('round-trips a tree of chapters, articles, clauses and points through .docx', async () => {
    const { version } = await feesVersion();
    const docx = await exportDocx({
      policyTitle: version.title,
      version: 1,
      title: version.title,
      publishedAt: version.publishedAt,
      organization: 'Phòng GDĐT',
      nodes: version.nodes,
    });
    const parsed = await importDocx(docx, randomUUID);
    expect(parsed.warnings).toEqual([]);
    expect(shape(parsed.nodes)).toEqual(shape(version.nodes));
  });

  it('writes a PDF whose text has the Vietnamese draft with its diacritics', async () => {
    const { version } = await feesVersion();
    const pdf = await exportPdf({
      policyTitle: version.title,
      version: 1,
      title: version.title,
      publishedAt: version.publishedAt,
      organization: 'Phòng Giáo dục và Đào tạo',
      nodes: version.nodes,
    });
    const file = path.join(os.tmpdir(), `gopy-${randomUUID()}.pdf`);
    fs.writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' })
      .normalize('NFC')
      .replace(/\s+/g, ' ');
    expect(text).toContain('Phòng Giáo dục và Đào tạo');
    expect(text).toContain('Điều 1. Phạm vi điều chỉnh và đối tượng áp dụng');
    expect(text).toContain('Miễn, giảm cho học sinh thuộc hộ nghèo, cận nghèo');
  });

  it('serves downloads of a published version, and 404 for a version that does not exist', async () => {
    const { policy } = await feesVersion();
    const docx = await fetch(`${base}/export/policies/${policy.id}/versions/1.docx`);
    expect(docx.status).toBe(200);
    expect(docx.headers.get('content-type')).toContain('wordprocessingml');
    const parsed = await importDocx(Buffer.from(await docx.arrayBuffer()), randomUUID);
    expect(parsed.nodes.length).toBeGreaterThan(0);
    const pdf = await fetch(`${base}/export/policies/${policy.id}/versions/1.pdf`);
    expect(pdf.status).toBe(200);
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    expect((await fetch(`${base}/export/policies/${policy.id}/versions/9.pdf`)).status).toBe(404);
    expect((await fetch(`${base}/export/policies/not-a-uuid/versions/1.pdf`)).status).toBe(404);
  });
});
