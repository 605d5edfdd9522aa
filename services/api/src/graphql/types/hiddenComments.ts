import { z } from 'zod';
import { commentQueries } from '@gopy/application/readModels/index';
import { recordSensitiveRead } from '@gopy/application/audit/readLog';
import { builder } from '../builder';
import { hasRoleAnywhere } from '../context';
import { Comment } from './comment';

builder.queryField('hiddenComments', (t) =>
  t.field({
    type: [Comment],
    description:
      'Hidden comments, most recently submitted first, on policies of the organisations where the viewer moderates (auditors: all): what a moderator may restore.',
    authScopes: { signedIn: true },
    args: { first: t.arg.int({ required: false, defaultValue: 50, validate: z.number().int().min(1).max(200) }) },
    resolve: async (_r, a, ctx) => {
      const viewer = ctx.viewer!;
      const first = a.first ?? 50;
      let q = ctx.runtime.readDb.selectFrom('comments').select('id').where('status', '=', 'hidden');
      if (!hasRoleAnywhere(viewer, 'auditor')) {
        const orgs = [...viewer.memberships.entries()]
          .filter(([, roles]) => roles.includes('moderator'))
          .map(([org]) => org);
        if (orgs.length === 0) return [];
        q = q.where(
          'policy_id',
          'in',
          ctx.runtime.readDb.selectFrom('policies').select('id').where('organization_id', 'in', orgs),
        );
      }
      const ids = (await q.orderBy('seq', 'desc').limit(first).execute()).map((r) => r.id);
      if (ids.length > 0) {
        // Hidden content read: recorded before it is answered (how many, and the newest of them).
        await recordSensitiveRead(ctx.runtime.writePath, ctx.runtime.clock.now(), {
          readerAccountId: viewer.accountId,
          readerRole: hasRoleAnywhere(viewer, 'auditor') ? 'auditor' : 'moderator',
          subjectKind: 'hiddenComments',
          subjectId: `${ids.length}:${ids[0]}`,
          field: 'hiddenComments',
        });
      }
      const rows = await commentQueries.byIds(ctx.runtime.readDb, ids);
      const order = new Map(ids.map((id, i) => [id, i]));
      return rows.sort((x, y) => order.get(x.id)! - order.get(y.id)!);
    },
  }),
);
