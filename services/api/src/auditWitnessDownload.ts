import express from 'express';
import { WitnessError } from '@gopy/application/audit/witness';
import { hasRoleAnywhere, type Viewer } from './graphql/context';
import type { Runtime } from '@gopy/composition/runtime';

/**
 * The auditor's download of a signed witness of the newest checkpoint (`gopy audit witness` on the server): the file an
 * auditor keeps away from the server and later checks the log against with `gopy audit verify --witness`.
 */
export function auditWitnessDownload(
  runtime: Runtime,
  viewerOf: (req: express.Request) => Promise<Viewer | null>,
): express.Router {
  const router = express.Router();
  router.get('/export/audit/witness.json', async (req, res, next) => {
    const text = (status: number, message: string) =>
      res.status(status).type('text/plain; charset=utf-8').send(message);
    try {
      const viewer = await viewerOf(req);
      if (!viewer) return void text(401, 'Cần đăng nhập. / Sign in first.');
      if (!hasRoleAnywhere(viewer, 'auditor')) return void text(403, 'Không có quyền. / Forbidden.');
      let witness;
      try {
        witness = await runtime.sealer.witness();
      } catch (err) {
        if (!(err instanceof WitnessError)) throw err;
        return void text(
          409,
          `Chưa lập được bản chứng thực: nhật ký chưa có điểm niêm phong hoặc không khớp. / Not witnessed: ${err.message}.`,
        );
      }
      res.setHeader('Content-Disposition', `attachment; filename="gopy-witness-${witness.checkpoint.data.count}.json"`);
      res.setHeader('Cache-Control', 'no-store');
      res.type('application/json').send(`${JSON.stringify(witness, null, 1)}\n`);
    } catch (err) {
      next(err);
    }
  });
  return router;
}
