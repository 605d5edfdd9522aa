import { on } from 'node:events';
import type { AppliedBatch } from '@gopy/application/projector';
import { builder } from '../builder';

interface PolicyChange {
  policyId: string;
  kind: 'COMMENT_ADDED' | 'STATUS_CHANGED' | 'VERSION_PUBLISHED' | 'ROUND_CHANGED';
  commentId: string | null;
  position: string;
}

const PolicyChangeRef = builder.objectRef<PolicyChange>('PolicyChange').implement({
  fields: (t) => ({
    policyId: t.exposeID('policyId'),
    kind: t.exposeString('kind', { description: 'COMMENT_ADDED | STATUS_CHANGED | VERSION_PUBLISHED | ROUND_CHANGED' }),
    commentId: t.exposeID('commentId', { nullable: true }),
    position: t.exposeString('position'),
  }),
});

/** What a batch applied by the projector changed on one policy; the read models are already current when it is sent. */
export function changesFor(policyId: string, batch: AppliedBatch): PolicyChange[] {
  const out: PolicyChange[] = [];
  for (const { event, recorded } of batch.events) {
    const data = event.data as { policyId?: string; commentId?: string };
    if (data.policyId !== policyId) continue;
    const base = { policyId, position: recorded.position as string, commentId: null };
    switch (event.type) {
      case 'CommentSubmitted':
        out.push({ ...base, kind: 'COMMENT_ADDED', commentId: data.commentId ?? null });
        break;
      case 'DraftVersionPublished':
        out.push({ ...base, kind: 'VERSION_PUBLISHED' });
        break;
      case 'ConsultationOpened':
      case 'ConsultationExtended':
      case 'ConsultationClosed':
      case 'RoundAnswered':
        out.push({ ...base, kind: 'ROUND_CHANGED' });
        break;
      case 'PolicyProposed':
      case 'DraftingStarted':
      case 'PolicyEnacted':
      case 'PolicyWithdrawn':
        out.push({ ...base, kind: 'STATUS_CHANGED' });
        break;
      default:
        break;
    }
  }
  return out;
}

builder.subscriptionField('policyChanged', (t) =>
  t.field({
    type: PolicyChangeRef,
    description: "A policy's changes and new comments, sent once the read models show them (SSE at /graphql).",
    args: { policyId: t.arg.id({ required: true }) },
    subscribe: async function* (_r, { policyId }, ctx) {
      const id = String(policyId);
      // A feed that has ended (the process is stopping, or following the log failed) has nothing more to send.
      if (ctx.runtime.changes.isEnded) return;
      const controller = new AbortController();
      try {
        for await (const [batch] of on(ctx.runtime.changes, 'applied', {
          signal: controller.signal,
          close: ['closed'],
        }) as AsyncIterable<[AppliedBatch]>) {
          for (const change of changesFor(id, batch)) yield change;
        }
      } finally {
        controller.abort();
      }
    },
    resolve: (change) => change as PolicyChange,
  }),
);
