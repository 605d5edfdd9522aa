import express from 'express';
import type { Runtime } from '@gopy/composition/runtime';
import { langOf } from '../vietnamTime';
import { isUuid } from '@gopy/application/ids';
// The notice's modules (qrcode, pdfkit, @napi-rs/canvas with its native Skia) are imported on the first notice, not at
// start: together they would hold about 60 MB of every idle server's memory.

function notFound(res: express.Response): void {
  res
    .status(404)
    .type('text/plain; charset=utf-8')
    .send('Không tìm thấy dự thảo hoặc đợt lấy ý kiến này. / No such policy or consultation round.');
}

/**
 * A round's consultation notice, public like the policy page it points to: `notice.pdf` (A4, to print and pin up)
 * and `notice.png` (square, for Zalo groups and Facebook pages); Vietnamese, `?lang=en` for English. Made on every
 * request from the read models, so an extended round always shows its current deadline.
 */
export function noticeDownloads(runtime: Runtime): express.Router {
  const router = express.Router();
  router.get('/export/policies/:policyId/rounds/:round/:file', async (req, res, next) => {
    const m = /^notice\.(pdf|png)$/.exec(req.params.file);
    if (!m) {
      next();
      return;
    }
    try {
      const round = Number(req.params.round);
      if (!isUuid(req.params.policyId) || !/^\d{1,6}$/.test(req.params.round) || round < 1) {
        notFound(res);
        return;
      }
      const lang = langOf(req.query.lang);
      const { noticeOf } = await import('./notice');
      const notice = await noticeOf(runtime, req.params.policyId.toLowerCase(), round, lang);
      if (!notice) {
        notFound(res);
        return;
      }
      const name = `thong-bao-lay-y-kien-${notice.policyId.slice(0, 8)}-dot-${round}${lang === 'en' ? '-en' : ''}.${m[1]}`;
      // Each request reflects the round as it is now (an extension moves the deadline): caches must ask again.
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('Content-Disposition', `inline; filename="${name}"`);
      if (m[1] === 'pdf') {
        const { noticePdf } = await import('./pdf');
        res.type('application/pdf').send(await noticePdf(notice));
      } else {
        const { noticeImage } = await import('./image');
        res.type('image/png').send(await noticeImage(notice));
      }
    } catch (err) {
      next(err);
    }
  });
  return router;
}
