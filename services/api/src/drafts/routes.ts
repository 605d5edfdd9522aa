import express from 'express';
import { organizationQueries, policyQueries } from '@gopy/application/readModels/index';
import type { Runtime } from '@gopy/composition/runtime';
import { exportDocx, exportPdf, type DocumentVersion } from './documents';
import { isUuid } from '@gopy/application/ids';

/** Published versions are public: anyone downloads one as .docx or .pdf. */
export function draftDownloads(runtime: Runtime): express.Router {
  const router = express.Router();
  router.get('/export/policies/:policyId/versions/:file', async (req, res, next) => {
    try {
      const m = /^(\d+)\.(docx|pdf)$/.exec(req.params.file);
      if (!isUuid(req.params.policyId) || !m) {
        res.status(404).type('text/plain; charset=utf-8').send('Không tìm thấy. / Not found.');
        return;
      }
      const number = Number(m[1]);
      const [policy] = await policyQueries.byIds(runtime.readDb, [req.params.policyId]);
      const version = policy
        ? (await policyQueries.versions(runtime.readDb, [policy.id])).find((v) => v.number === number)
        : undefined;
      if (!policy || !version) {
        res.status(404).type('text/plain; charset=utf-8').send('Không tìm thấy phiên bản này. / No such version.');
        return;
      }
      const [org] = await organizationQueries.byIds(runtime.readDb, [policy.organizationId]);
      const doc: DocumentVersion = {
        policyTitle: policy.title,
        version: number,
        title: version.title,
        publishedAt: version.publishedAt,
        organization: org?.name ?? '',
        nodes: version.nodes,
      };
      const name = `du-thao-v${number}.${m[2]}`;
      res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
      if (m[2] === 'docx') {
        res.type('application/vnd.openxmlformats-officedocument.wordprocessingml.document').send(await exportDocx(doc));
      } else {
        res.type('application/pdf').send(await exportPdf(doc));
      }
    } catch (err) {
      next(err);
    }
  });
  return router;
}
