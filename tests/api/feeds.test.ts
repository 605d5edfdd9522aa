/**
 * Notices and feeds over HTTP: a round is opened, extended, closed, answered by its digest and the policy enacted; after
 * each step the Atom feeds (all consultations, the organisation's, the policy's) and the calendar of deadlines are read
 * with an XML and an iCalendar parser, and the round's notice is read as a PDF (pdftotext, its page rendered by
 * pdftoppm) and as a PNG, both QR codes decoded with jsQR. Unknown policies, organisations and rounds answer 404.
 * At the end the read models are rebuilt from position 0 and compared with the live ones.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import ICAL from 'ical.js';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerRound } from '../support/digest';
import { repoRoot, startPlatform, type Platform } from '../support/platform';
import {
  CLOSE_CONSULTATION,
  ENACT_POLICY,
  ERROR_FIELDS,
  EXTEND_CONSULTATION,
  OPEN_CONSULTATION,
  client,
  draftedPolicy,
  getPolicy,
  ok,
  signIn,
  signInAs,
  staffOrganizationId,
  stopPlatform,
  submitComment,
  type Client,
  type PolicyView,
  type ResultUnion,
} from './support';

const ADD_CHANNEL = `mutation($organizationId: ID!, $kind: CommunicationChannelKind!, $name: String!, $address: String) {
  addCommunicationChannel(organizationId: $organizationId, kind: $kind, name: $name, address: $address) {
    ${ERROR_FIELDS}
    ... on MutationAddCommunicationChannelSuccess { data { channel { id } } }
  }
}`;

const EN_MONTHS = new Intl.DateTimeFormat('en-GB', { month: 'long', timeZone: 'UTC' });

/** An instant at hh:mm Vietnam time, `days` days from today there, and how a notice must write it in each language. */
function vietnamInstant(days: number, hour: number, minute: number) {
  const there = new Date(Date.now() + days * 86_400_000 + 7 * 3_600_000);
  const y = there.getUTCFullYear();
  const mo = String(there.getUTCMonth() + 1).padStart(2, '0');
  const d = String(there.getUTCDate()).padStart(2, '0');
  const hh = String(hour).padStart(2, '0');
  const mm = String(minute).padStart(2, '0');
  const iso = new Date(`${y}-${mo}-${d}T${hh}:${mm}:00+07:00`).toISOString();
  const month = EN_MONTHS.format(new Date(Date.UTC(y, there.getUTCMonth(), 1)));
  return {
    iso,
    vi: `${hour} giờ ${mm} ngày ${d}/${mo}/${y}`,
    en: `${hh}:${mm} on ${Number(d)} ${month} ${y}`,
  };
}

interface AtomEntry {
  id: string;
  title: string;
  link: string;
  updated: string;
  published: string;
  content: string;
  term: string;
  author: string;
}
interface AtomFeed {
  id: string;
  title: string;
  updated: string;
  self: string;
  entries: AtomEntry[];
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  isArray: (name) => ['entry', 'link', 'category', 'author'].includes(name),
});

function parseAtom(text: string): AtomFeed {
  const doc = xml.parse(text) as { feed: Record<string, any> };
  expect(doc.feed, 'an Atom <feed>').toBeTruthy();
  expect(doc.feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
  const f = doc.feed;
  const textOf = (v: unknown) => (typeof v === 'object' && v !== null ? String((v as any)['#text'] ?? '') : String(v));
  return {
    id: String(f.id),
    title: textOf(f.title),
    updated: String(f.updated),
    self: (f.link as any[]).find((l) => l['@_rel'] === 'self')?.['@_href'],
    entries: ((f.entry ?? []) as any[]).map((e) => ({
      id: String(e.id),
      title: textOf(e.title),
      link: e.link[0]['@_href'],
      updated: String(e.updated),
      published: String(e.published),
      content: textOf(e.content),
      term: e.category?.[0]?.['@_term'],
      author: e.author?.[0]?.name,
    })),
  };
}

interface CalendarEvent {
  uid: string;
  sequence: number;
  start: Date;
  summary: string;
  description: string;
  url: string;
  status: string;
}

function parseCalendar(text: string): CalendarEvent[] {
  const cal = new ICAL.Component(ICAL.parse(text));
  expect(cal.name).toBe('vcalendar');
  return cal.getAllSubcomponents('vevent').map((v) => {
    const start = v.getFirstPropertyValue('dtstart') as InstanceType<typeof ICAL.Time>;
    expect(start.zone?.tzid, 'deadlines are given in UTC').toBe('UTC');
    return {
      uid: String(v.getFirstPropertyValue('uid')),
      sequence: Number(v.getFirstPropertyValue('sequence')),
      start: start.toJSDate(),
      summary: String(v.getFirstPropertyValue('summary')),
      description: String(v.getFirstPropertyValue('description')),
      url: String(v.getFirstPropertyValue('url')),
      status: String(v.getFirstPropertyValue('status')),
    };
  });
}

function decodeQr(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  const pixels = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length);
  return jsQR(pixels, image.width, image.height)?.data ?? null;
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

describe('consultation notices and feeds', () => {
  let platform: Platform;
  let anonymous: Client;
  let staff: Client;
  let policymaker: Client;
  let parent: Client;
  let organizationId: string;
  let otherOrganizationId: string;
  let policyId: string;
  let policyUrl: string;
  let title: string;
  let work: string;
  const secretComment = `Ý kiến riêng của phụ huynh ${randomUUID()}`;
  const firstDeadline = vietnamInstant(20, 23, 59);
  const extendedDeadline = vietnamInstant(40, 8, 30);
  /** Entry ids seen after opening the round, and when each was recorded: they must never change. */
  const seen = new Map<string, { title: string; updated: string }>();
  let calendarUid = '';

  const get = async (url: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${platform.baseUrl}${url}`, { headers });
    expect(res.status, `GET ${url}`).toBeLessThan(500);
    return res;
  };
  const atomOf = async (url: string) => {
    const res = await get(url);
    expect(res.status, url).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    return parseAtom(await res.text());
  };
  const calendarOf = async (lang = '') => {
    const res = await get(`/calendar.ics${lang}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    return parseCalendar(await res.text());
  };
  const ours = (feed: AtomFeed) => feed.entries.filter((e) => e.title.includes(title));
  const noticeUrl = (ext: 'pdf' | 'png', lang = '') => `/export/policies/${policyId}/rounds/1/notice.${ext}${lang}`;
  const download = async (url: string, type: string) => {
    const res = await get(url);
    expect(res.status, url).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    return Buffer.from(await res.arrayBuffer());
  };
  /** The PDF's text, on one line, and its first page rendered at 150 dpi. */
  const readPdf = (pdf: Buffer, name: string) => {
    const file = path.join(work, `${name}.pdf`);
    fs.writeFileSync(file, pdf);
    const text = oneLine(execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }));
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1]);
    execFileSync('pdftoppm', ['-png', '-r', '150', '-f', '1', '-l', '1', '-singlefile', file, path.join(work, name)]);
    return { text, pages, page: fs.readFileSync(path.join(work, `${name}.png`)) };
  };
  const expectRecordedNow = (iso: string, since: number) => {
    const t = Date.parse(iso);
    expect(t, iso).toBeGreaterThanOrEqual(since - 1_000);
    expect(t, iso).toBeLessThanOrEqual(Date.now() + 1_000);
  };
  const lifecycle = async (who: Client, mutation: string, name: string, variables: Record<string, unknown>) =>
    ok<{ policy: PolicyView }>((await who.gql<Record<string, ResultUnion>>(mutation, variables))[name]!).policy;

  beforeAll(async () => {
    platform = await startPlatform();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'gopy-notices-'));
    anonymous = client(platform.baseUrl);
    staff = await signInAs(platform, 'staff');
    policymaker = await signInAs(platform, 'policymaker');
    const demoParent = platform.demoAccounts.find((a) => a.email === 'parent@demo.gopy.vn')!;
    parent = await signIn(platform, demoParent.email, demoParent.password);
    organizationId = await staffOrganizationId(staff);
    const { organizations } = await anonymous.gql<{ organizations: { id: string }[] }>(`{ organizations { id } }`);
    otherOrganizationId = organizations.find((o) => o.id !== organizationId)!.id;
    const channels: [string, string, string][] = [
      ['EMAIL_LIST', 'Hộp thư góp ý', 'gopy@pgd-hoabinh.edu.vn'],
      ['OTHER', 'Gửi văn bản qua bưu điện', 'Số 12 đường Trần Phú, thị trấn Hoà Bình'],
      ['MEETINGS', 'Hội nghị cha mẹ học sinh', 'Hội trường UBND huyện'],
      ['PRESS_CONTACTS', 'Đầu mối báo chí', 'baochi@pgd-hoabinh.edu.vn'],
    ];
    for (const [kind, name, address] of channels) {
      ok(
        (await staff.gql<Record<string, ResultUnion>>(ADD_CHANNEL, { organizationId, kind, name, address }))
          .addCommunicationChannel!,
      );
    }
    title = `Quy định giờ học buổi chiều ${randomUUID().slice(0, 8)}`;
    policyId = await draftedPolicy(staff, organizationId, { title });
    policyUrl = `${platform.baseUrl}/policies/${policyId}`;
  }, 180_000);

  afterAll(async () => {
    await stopPlatform(platform);
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('answers 404, never 500, for unknown policies, organisations and rounds', async () => {
    const unknown = randomUUID();
    for (const url of [
      `/export/policies/${unknown}/rounds/1/notice.pdf`,
      `/export/policies/${unknown}/rounds/1/notice.png`,
      `/export/policies/${policyId}/rounds/1/notice.pdf`, // not opened yet
      `/export/policies/${policyId}/rounds/2/notice.png`,
      `/export/policies/${policyId}/rounds/0/notice.pdf`,
      `/export/policies/${policyId}/rounds/x/notice.pdf`,
      `/export/policies/${policyId}/rounds/99999999999999999999/notice.pdf`,
      `/export/policies/not-a-uuid/rounds/1/notice.pdf`,
      `/policies/${unknown}/feed.atom`,
      `/policies/not-a-uuid/feed.atom`,
      `/organizations/${unknown}/feed.atom`,
      `/organizations/not-a-uuid/feed.atom`,
    ]) {
      const res = await get(url);
      expect(res.status, url).toBe(404);
      const body = await res.text();
      expect(body, url).toMatch(/Không tìm thấy/);
      expect(body, url).toMatch(/No such/);
    }
  });

  it('opening a round: the feeds, the calendar and the notice show it', async () => {
    const before = Date.now();
    const opened = await lifecycle(staff, OPEN_CONSULTATION, 'openConsultation', {
      input: { policyId, closesAt: firstDeadline.iso, note: 'Lấy ý kiến rộng rãi.' },
    });
    expect(opened.currentRound?.closesAt).toBe(firstDeadline.iso);
    const posted = await submitComment(parent, { policyId, body: secretComment, stance: 'SUGGESTION' });
    ok(posted);

    const all = await atomOf('/feed.atom');
    expect(all.self).toBe(`${platform.baseUrl}/feed.atom`);
    const [openedEntry, ...others] = ours(all);
    expect(others, 'the feed of all consultations shows rounds, not drafting').toEqual([]);
    expect(openedEntry).toMatchObject({ title: `Lấy ý kiến đợt 1: ${title}`, link: policyUrl, term: 'round-opened' });
    expect(openedEntry!.id).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(openedEntry!.content).toContain(firstDeadline.vi);
    expect(openedEntry!.content).toContain(`${platform.baseUrl}${noticeUrl('pdf')}`);
    expectRecordedNow(openedEntry!.updated, before);
    expect(all.updated).toBe(all.entries[0]!.updated);

    const policyFeed = await atomOf(`/policies/${policyId}/feed.atom`);
    expect(policyFeed.entries.map((e) => e.term)).toEqual(['round-opened', 'version-published', 'proposed']);
    expect(policyFeed.entries[0]!.id).toBe(openedEntry!.id);
    expect(policyFeed.entries[1]!.title).toBe(`Công bố dự thảo lần 1: ${title}`);
    for (const e of policyFeed.entries) seen.set(e.id, { title: e.title, updated: e.updated });

    const orgFeed = await atomOf(`/organizations/${organizationId}/feed.atom`);
    expect(ours(orgFeed).map((e) => e.id)).toEqual([openedEntry!.id]);
    expect(ours(orgFeed)[0]!.author).toBe(opened.owningOrganization.name);
    expect(ours(await atomOf(`/organizations/${otherOrganizationId}/feed.atom`))).toEqual([]);

    const english = ours(await atomOf('/feed.atom?lang=en'));
    expect(english[0]).toMatchObject({ id: openedEntry!.id, title: `Consultation round 1 opened: ${title}` });
    expect(english[0]!.content).toContain(firstDeadline.en);

    const event = (await calendarOf()).find((e) => e.url === policyUrl);
    expect(event).toMatchObject({ sequence: 0, status: 'CONFIRMED', summary: `Hạn góp ý: ${title} (đợt 1)` });
    expect(event!.start.toISOString()).toBe(firstDeadline.iso);
    expect(event!.description).toContain(firstDeadline.vi);
    calendarUid = event!.uid;
    expect(calendarUid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('the notice PDF has the title, the deadline in Vietnam time, every way to comment and a QR code to the page', async () => {
    const pdf = readPdf(await download(noticeUrl('pdf'), 'application/pdf'), 'notice-vi');
    expect(pdf.pages).toBe(1);
    expect(pdf.text).toContain('THÔNG BÁO LẤY Ý KIẾN');
    expect(pdf.text).toContain(title);
    expect(pdf.text).toContain('Hạn chót gửi góp ý');
    expect(pdf.text).toContain(firstDeadline.vi);
    expect(pdf.text).toContain('Dự thảo quy định về thư viện.');
    expect(pdf.text).toContain('gopy@pgd-hoabinh.edu.vn');
    expect(pdf.text).toContain('Số 12 đường Trần Phú, thị trấn Hoà Bình');
    expect(pdf.text).toContain('Hội nghị cha mẹ học sinh');
    expect(pdf.text, 'press contacts are not a way to comment').not.toContain('baochi@');
    expect(pdf.text.replace(/\s/g, '')).toContain(policyUrl);
    expect(pdf.text).not.toContain(secretComment);
    expect(decodeQr(pdf.page), 'the QR code on the printed page').toBe(policyUrl);

    const en = readPdf(await download(noticeUrl('pdf', '?lang=en'), 'application/pdf'), 'notice-en');
    expect(en.text).toContain('PUBLIC CONSULTATION NOTICE');
    expect(en.text).toContain('Deadline for comments');
    expect(en.text).toContain(firstDeadline.en);
    expect(decodeQr(en.page)).toBe(policyUrl);
  });

  it('the notice PNG is a square whose QR code opens the policy page', async () => {
    for (const lang of ['', '?lang=en']) {
      const png = await download(noticeUrl('png', lang), 'image/png');
      const image = PNG.sync.read(png);
      expect(image.width).toBe(1080);
      expect(image.height).toBe(image.width);
      expect(decodeQr(png)).toBe(policyUrl);
    }
    fs.mkdirSync(path.join(repoRoot, 'test-output/screenshots'), { recursive: true });
    fs.writeFileSync(
      path.join(repoRoot, 'test-output/screenshots/notice.png'),
      await download(noticeUrl('png'), 'image/png'),
    );
  });

  it('extending the round: a new entry, the same calendar event with a higher SEQUENCE, the notice regenerated', async () => {
    const before = Date.now();
    const extended = await lifecycle(staff, EXTEND_CONSULTATION, 'extendConsultation', {
      input: { policyId, closesAt: extendedDeadline.iso, reason: 'Nhiều phụ huynh đề nghị thêm thời gian.' },
    });
    expect(extended.currentRound?.closesAt).toBe(extendedDeadline.iso);

    const entries = ours(await atomOf('/feed.atom'));
    expect(entries.map((e) => e.term)).toEqual(['round-extended', 'round-opened']);
    expect(entries[0]!.title).toBe(`Gia hạn lấy ý kiến đợt 1: ${title}`);
    expect(entries[0]!.content).toContain(extendedDeadline.vi);
    expect(entries[0]!.content).toContain(firstDeadline.vi);
    expect(entries[0]!.content).toContain('Nhiều phụ huynh đề nghị thêm thời gian.');
    expectRecordedNow(entries[0]!.updated, before);

    const events = (await calendarOf()).filter((e) => e.url === policyUrl);
    expect(events).toHaveLength(1);
    expect(events[0]!.uid).toBe(calendarUid);
    expect(events[0]!.sequence).toBe(1);
    expect(events[0]!.start.toISOString()).toBe(extendedDeadline.iso);

    const pdf = readPdf(await download(noticeUrl('pdf'), 'application/pdf'), 'notice-extended');
    expect(pdf.text).toContain(extendedDeadline.vi);
    expect(pdf.text).toContain(`hạn ban đầu: ${firstDeadline.vi}`);
    expect(decodeQr(pdf.page)).toBe(policyUrl);
    fs.writeFileSync(path.join(work, 'page.png'), pdf.page);
    fs.copyFileSync(path.join(work, 'page.png'), path.join(repoRoot, 'test-output/screenshots/notice-pdf-page.png'));
  });

  it('closing, answering and enacting: each step is an entry; earlier entries keep their ids and dates', async () => {
    await lifecycle(staff, CLOSE_CONSULTATION, 'closeConsultation', {
      policyId,
      reason: 'Đã nhận đủ ý kiến.',
    });
    const closedAt = (await getPolicy(anonymous, policyId))!.rounds[0]!.closedAt!;
    const calendarAfterClose = (await calendarOf()).find((e) => e.url === policyUrl)!;
    expect(calendarAfterClose.sequence).toBe(2);
    expect(Math.abs(calendarAfterClose.start.getTime() - Date.parse(closedAt))).toBeLessThan(1_000);
    expect(calendarAfterClose.description).toContain('kết thúc sớm');

    await answerRound(platform, staff, policyId, 1);
    await lifecycle(policymaker, ENACT_POLICY, 'enactPolicy', {
      input: { policyId, decisionNumber: '27/QĐ-PGDĐT', effectiveDate: '2027-09-05' },
    });

    const entries = ours(await atomOf('/feed.atom'));
    expect(entries.map((e) => e.term)).toEqual([
      'enacted',
      'digest-published',
      'round-closed',
      'round-extended',
      'round-opened',
    ]);
    const [enacted, digest, closed] = entries;
    expect(enacted!.title).toBe(`Ban hành: ${title}`);
    expect(enacted!.content).toContain('Quyết định số 27/QĐ-PGDĐT, có hiệu lực từ ngày 05/09/2027');
    expect(digest!.title).toBe(`Công bố bản tổng hợp, tiếp thu, giải trình ý kiến đợt 1: ${title}`);
    expect(digest!.link).toBe(`${policyUrl}/digest/1`);
    expect(digest!.content).toContain('1/1 ý kiến');
    expect(closed!.content).toContain('Đã nhận đủ ý kiến.');
    const updated = entries.map((e) => Date.parse(e.updated));
    expect(updated, 'newest first').toEqual([...updated].sort((a, b) => b - a));

    const policyFeed = await atomOf(`/policies/${policyId}/feed.atom`);
    expect(policyFeed.entries).toHaveLength(7);
    const earlier = policyFeed.entries.filter((x) => seen.has(x.id));
    expect(earlier).toHaveLength(3);
    for (const e of earlier) expect(seen.get(e.id)).toEqual({ title: e.title, updated: e.updated });
    expect(new Set(policyFeed.entries.map((e) => e.id)).size).toBe(7);

    const english = ours(await atomOf(`/organizations/${organizationId}/feed.atom?lang=en`));
    expect(english[0]!.title).toBe(`Enacted: ${title}`);
    expect(english[0]!.content).toContain('Decision No. 27/QĐ-PGDĐT, in force from 5 September 2027');

    const pdf = readPdf(await download(noticeUrl('pdf'), 'application/pdf'), 'notice-closed');
    expect(pdf.text).toContain('Đợt lấy ý kiến này đã kết thúc lúc');
  });

  it('feeds carry no comment and no person', async () => {
    const demoParent = platform.demoAccounts.find((a) => a.email === 'parent@demo.gopy.vn')!;
    for (const url of [
      '/feed.atom',
      '/feed.atom?lang=en',
      `/organizations/${organizationId}/feed.atom`,
      `/policies/${policyId}/feed.atom`,
      '/calendar.ics',
    ]) {
      const body = await (await get(url)).text();
      expect(body, url).toContain(title);
      for (const secret of [secretComment, demoParent.email, demoParent.displayName]) {
        expect(body, `${url} must not show ${secret}`).not.toContain(secret);
      }
    }
  });

  it('answers a conditional GET with 304', async () => {
    // fetch adds "Cache-Control: no-cache" to a conditional request of its own, which asks for the whole answer
    // again; a feed reader polling sends the validators alone, or with max-age=0 as here.
    const poll = (validator: Record<string, string>) => ({ 'cache-control': 'max-age=0', ...validator });
    for (const url of ['/feed.atom', `/policies/${policyId}/feed.atom`, '/calendar.ics']) {
      const first = await get(url);
      const etag = first.headers.get('etag');
      const lastModified = first.headers.get('last-modified');
      expect(etag, url).toBeTruthy();
      expect(lastModified, url).toBeTruthy();
      const notModified = await get(url, poll({ 'if-none-match': etag! }));
      expect(notModified.status, url).toBe(304);
      expect(await notModified.text()).toBe('');
      expect((await get(url, poll({ 'if-modified-since': lastModified! }))).status, url).toBe(304);
      expect((await get(url, poll({ 'if-none-match': 'W/"something-else"' }))).status, url).toBe(200);
    }
  });

  it('the lifecycle read model rebuilds from position 0 equal to the live one', async () => {
    await platform.stop();
    const out = execFileSync(
      process.execPath,
      [path.join(repoRoot, 'services/api/bin/gopy.js'), 'rebuild', '--verify'],
      {
        cwd: repoRoot,
        env: { ...process.env, GOPY_DATA_DIR: platform.dataDir, GOPY_DEMO: '1' },
        encoding: 'utf8',
      },
    );
    const line = /lifecycle_events: (\S+) \((\d+) rows/.exec(out);
    expect(line?.[1], out).toBe('equal');
    expect(Number(line?.[2])).toBeGreaterThanOrEqual(7);
    expect(out).toContain('Replay proof: every read model is equal to its rebuild from position 0.');
  });
});
