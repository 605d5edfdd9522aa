import type { AppliedBatch } from '@gopy/application/projector';
import type { ChangeFeed } from '@gopy/application/changeFeed';

/**
 * What each public page depends on, as read-model positions: a policy's own position (the last event about it the read
 * models have applied), the position of everything that belongs to no policy (accounts, organisations: an erased
 * author's name shows on every page), and the position of the whole log (the home page lists every policy).
 *
 * Fed by the change feed, which relays a batch once the read models show it (in the embedded runtime right after the
 * projector commits it, before anyone waiting for that position is woken): a page rendered before a change and one
 * rendered after it never carry the same positions. The first value of each is this process's start; the page cache
 * lives in memory, so it starts empty with it.
 */
export class ReadPositions {
  private readonly policies = new Map<string, string>();
  private shared = 'start';
  private all = 'start';

  constructor(feed?: ChangeFeed) {
    feed?.on('applied', (batch) => this.apply(batch));
  }

  apply(batch: AppliedBatch): void {
    const position = String(batch.position);
    this.all = position;
    for (const { event, recorded } of batch.events) {
      const policyId = (event.data as { policyId?: unknown } | undefined)?.policyId;
      if (typeof policyId === 'string') this.policies.set(policyId, String(recorded.position));
      else this.shared = String(recorded.position);
    }
  }

  /** The positions a page about this policy depends on. */
  ofPolicy(policyId: string): string {
    return `${this.policies.get(policyId) ?? 'start'}/${this.shared}`;
  }

  /** The position of the whole log the read models show. */
  ofAll(): string {
    return this.all;
  }
}
