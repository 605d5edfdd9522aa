import express from 'express';
import {
  lifecycleQueries,
  organizationQueries,
  policyQueries,
  type LifecycleEventRow,
  type LifecycleFilter,
} from '@gopy/application/readModels/index';
import type { Runtime } from '@gopy/composition/runtime';
import { formatInstant, langOf, type NoticeLang } from '../vietnamTime';
import { CONSULTATION_STEPS, STEP_TERMS, entryHtml, entryText, escapeHtml } from './entries';
import { isUuid } from '@gopy/application/ids';

const ENTRIES = 100;
const CALENDAR_ROUNDS = 500;
const SITE = 'Góp ý';

function notFound(res: express.Response, vi: string, en: string): void {
  res.status(404).type('text/plain; charset=utf-8').send(`${vi} / ${en}`);
}

/**
 * Sends a public document with the validators readers poll with: Last-Modified from the newest step it shows, and
 * express's ETag of the body; a matching If-None-Match or If-Modified-Since is answered 304 without the body.
 */
function sendPublic(res: express.Response, type: string, body: string, lastModified: string | undefined): void {
  if (lastModified) res.setHeader('Last-Modified', new Date(lastModified).toUTCString());
  res.setHeader('Cache-Control', 'public, max-age=60');
  res.type(type).send(body);
}

async function organizationNames(runtime: Runtime, rows: { organizationId: string }[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.map((r) => r.organizationId))];
  return new Map((await organizationQueries.byIds(runtime.readDb, ids)).map((o) => [o.id, o.name]));
}

async function atom(
  runtime: Runtime,
  o: { filter: LifecycleFilter; title: string; selfPath: string; alternatePath: string; lang: NoticeLang },
): Promise<{ xml: string; updated: string | undefined }> {
  const publicUrl = runtime.config.publicUrl;
  const rows: LifecycleEventRow[] = await lifecycleQueries.recent(runtime.readDb, o.filter, ENTRIES);
  const names = await organizationNames(runtime, rows);
  const suffix = o.lang === 'en' ? '?lang=en' : '';
  const updated = rows[0]?.recordedAt;
  // feed and ical-generator are imported when a feed is asked for, not at start (memory of an idle server).
  const { Feed } = await import('feed');
  const feed = new Feed({
    // The feed's own address identifies it, as Atom readers expect; entries carry ids of their own.
    id: `${publicUrl}${o.selfPath}`,
    title: o.title,
    link: `${publicUrl}${o.alternatePath}`,
    feedLinks: { atom: `${publicUrl}${o.selfPath}${suffix}` },
    // No entry yet: the epoch, so that an empty feed is the same bytes on every request.
    updated: new Date(updated ?? 0),
    generator: SITE,
    author: { name: SITE, link: publicUrl },
    language: o.lang,
  });
  for (const row of rows) {
    const text = entryText(row, o.lang, publicUrl);
    const organization = names.get(row.organizationId) ?? SITE;
    feed.addItem({
      // The event's UUID: the same entry whatever the site's address or store, across rebuilds and copies.
      id: `urn:uuid:${row.eventId}`,
      title: escapeHtml(text.title),
      link: text.link,
      date: new Date(row.recordedAt),
      published: new Date(row.recordedAt),
      content: entryHtml(text),
      author: [{ name: organization }],
      category: [{ term: STEP_TERMS[row.type] }],
    });
  }
  return { xml: feed.atom1(), updated };
}

/** A calendar of every round's closing deadline: one VEVENT per round, its SEQUENCE raised each time it moves. */
async function calendar(runtime: Runtime, lang: NoticeLang): Promise<{ ics: string; updated: string | undefined }> {
  const publicUrl = runtime.config.publicUrl;
  const vi = lang === 'vi';
  const deadlines = await lifecycleQueries.roundDeadlines(runtime.readDb, CALENDAR_ROUNDS);
  const names = await organizationNames(runtime, deadlines);
  const { default: ical, ICalEventStatus, ICalEventTransparency } = await import('ical-generator');
  const cal = ical({
    name: vi ? `${SITE} — hạn góp ý các dự thảo` : `${SITE} — consultation deadlines`,
    description: vi
      ? 'Hạn chót nhận góp ý của mỗi đợt lấy ý kiến (giờ UTC; Việt Nam là UTC+7).'
      : 'The closing deadline of each consultation round (in UTC; Vietnam is UTC+7).',
    prodId: { company: SITE, product: 'gopy', language: vi ? 'VI' : 'EN' },
    url: `${publicUrl}/`,
    ttl: 3600,
  });
  let updated: string | undefined;
  for (const d of deadlines) {
    if (!updated || d.updatedRecordedAt > updated) updated = d.updatedRecordedAt;
    const policyUrl = `${publicUrl}/policies/${d.policyId}`;
    const when = d.closedBy === 'staff' && d.closedAt ? d.closedAt : d.closesAt;
    const organization = names.get(d.organizationId) ?? SITE;
    const status = d.cancelled
      ? vi
        ? 'Dự thảo đã được rút; hạn này không còn hiệu lực.'
        : 'The draft was withdrawn; this deadline no longer holds.'
      : d.closedBy === 'staff'
        ? vi
          ? `Đợt lấy ý kiến đã kết thúc sớm lúc ${formatInstant(when, lang)}.`
          : `The round was closed early, at ${formatInstant(when, lang)} (Vietnam time).`
        : vi
          ? `Hạn chót: ${formatInstant(when, lang)} (giờ Việt Nam).`
          : `Deadline: ${formatInstant(when, lang)} (Vietnam time).`;
    cal.createEvent({
      // The opening event's UUID: stable across rebuilds, store copies and a change of the site's address.
      id: d.openedEventId,
      sequence: d.changes,
      start: new Date(when),
      summary: vi ? `Hạn góp ý: ${d.title} (đợt ${d.round})` : `Comment deadline: ${d.title} (round ${d.round})`,
      description: [organization, status, policyUrl].join('\n'),
      url: policyUrl,
      created: new Date(d.openedRecordedAt),
      lastModified: new Date(d.updatedRecordedAt),
      // DTSTAMP from the log, not the clock: the same log gives the same calendar (and the same ETag).
      stamp: new Date(d.updatedRecordedAt),
      status: d.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      transparency: ICalEventTransparency.TRANSPARENT,
    });
  }
  return { ics: cal.toString(), updated };
}

/**
 * Public feeds of the consultations, read from the lifecycle read model: Atom at /feed.atom (every organisation),
 * /organizations/<id>/feed.atom and /policies/<id>/feed.atom, and the deadlines as iCalendar at /calendar.ics.
 * Vietnamese, `?lang=en` for English. Only what the organisations published: no comment, no person.
 */
export function feedRoutes(runtime: Runtime): express.Router {
  const router = express.Router();
  const wrap =
    (handler: (req: express.Request, res: express.Response) => Promise<void>): express.RequestHandler =>
    (req, res, next) => {
      handler(req, res).catch(next);
    };

  router.get(
    '/feed.atom',
    wrap(async (req, res) => {
      const lang = langOf(req.query.lang);
      const { xml, updated } = await atom(runtime, {
        filter: { types: CONSULTATION_STEPS },
        title: lang === 'vi' ? `${SITE} — các đợt lấy ý kiến` : `${SITE} — consultations`,
        selfPath: '/feed.atom',
        alternatePath: '/',
        lang,
      });
      sendPublic(res, 'application/atom+xml; charset=utf-8', xml, updated);
    }),
  );

  router.get(
    '/organizations/:organizationId/feed.atom',
    wrap(async (req, res) => {
      const id = String(req.params.organizationId);
      const [org] = isUuid(id) ? await organizationQueries.byIds(runtime.readDb, [id.toLowerCase()]) : [];
      if (!org) {
        notFound(res, 'Không tìm thấy tổ chức này.', 'No such organisation.');
        return;
      }
      const lang = langOf(req.query.lang);
      const { xml, updated } = await atom(runtime, {
        filter: { organizationId: org.id, types: CONSULTATION_STEPS },
        title: lang === 'vi' ? `${org.name} — lấy ý kiến dự thảo` : `${org.name} — consultations`,
        selfPath: `/organizations/${org.id}/feed.atom`,
        alternatePath: '/',
        lang,
      });
      sendPublic(res, 'application/atom+xml; charset=utf-8', xml, updated);
    }),
  );

  router.get(
    '/policies/:policyId/feed.atom',
    wrap(async (req, res) => {
      const id = String(req.params.policyId);
      const [policy] = isUuid(id) ? await policyQueries.byIds(runtime.readDb, [id.toLowerCase()]) : [];
      if (!policy) {
        notFound(res, 'Không tìm thấy dự thảo này.', 'No such policy.');
        return;
      }
      const lang = langOf(req.query.lang);
      const { xml, updated } = await atom(runtime, {
        filter: { policyId: policy.id },
        title: `${policy.title} — ${SITE}`,
        selfPath: `/policies/${policy.id}/feed.atom`,
        alternatePath: `/policies/${policy.id}`,
        lang,
      });
      sendPublic(res, 'application/atom+xml; charset=utf-8', xml, updated);
    }),
  );

  router.get(
    '/calendar.ics',
    wrap(async (req, res) => {
      const { ics, updated } = await calendar(runtime, langOf(req.query.lang));
      res.setHeader('Content-Disposition', 'inline; filename="gopy-han-gop-y.ics"');
      sendPublic(res, 'text/calendar; charset=utf-8', ics, updated);
    }),
  );
  return router;
}
