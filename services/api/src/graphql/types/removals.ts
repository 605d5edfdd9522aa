import {
  removalCategory,
  removalCategoryLabel,
  removalSummary,
  type RemovalCount,
  type RemovalKind,
} from '@gopy/application/publicRecord';
import { builder } from '../builder';

const RemovalCountRef = builder.objectRef<RemovalCount>('RemovalCount').implement({
  fields: (t) => ({
    category: t.exposeString('category', { description: 'A FlagReason value, or WITHDRAWN, or REDACTED.' }),
    label: t.string({ resolve: (c, _a, ctx) => removalCategoryLabel(c.category, ctx.locale) }),
    count: t.exposeInt('count'),
  }),
});

export const RemovalSummaryRef = builder.objectRef<{ counts: RemovalCount[] }>('RemovalSummary').implement({
  description: 'Comments no longer shown to the public, by why: how many, never which.',
  fields: (t) => ({
    total: t.int({ resolve: (r) => r.counts.reduce((n, c) => n + c.count, 0) }),
    byCategory: t.field({ type: [RemovalCountRef], resolve: (r) => r.counts }),
    text: t.string({
      description: '"2 ý kiến không còn hiển thị: 1 lăng mạ, xúc phạm, 1 lộ thông tin cá nhân"; empty when none.',
      resolve: (r, _a, ctx) => removalSummary(r.counts, ctx.locale),
    }),
  }),
});

/** Sums removals by category (a hide's reason code, WITHDRAWN or REDACTED). */
export function byCategory(rows: readonly { kind: string; reasonCode: string | null; count: number }[]): {
  counts: RemovalCount[];
} {
  const counts = new Map<string, number>();
  for (const r of rows) {
    const c = removalCategory(r.kind as RemovalKind, r.reasonCode);
    counts.set(c, (counts.get(c) ?? 0) + r.count);
  }
  return { counts: [...counts].map(([category, count]) => ({ category, count })) };
}
