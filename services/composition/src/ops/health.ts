import type { ReadConsistency } from '@gopy/application/consistency';
import type { EventStore } from '@gopy/application/eventStore';
import { logUnexpected, type Logger } from '@gopy/application/logging';
import type { AuthStore, Clock, KeyStore } from '@gopy/application/ports';
import { projectorLag, type ProjectorLag } from '@gopy/application/projectorLag';
import type { ReadDb } from '@gopy/application/readModels/index';

export interface ReadinessLimits {
  /** GOPY_READY_MAX_LAG_EVENTS: more events than this behind the store's head and the process is not ready. */
  maxLagEvents: number;
  /** GOPY_READY_MAX_LAG_SECONDS: the oldest event not applied yet is older than this: not ready. */
  maxLagSeconds: number;
  /** Each store's probe fails after this long. */
  checkTimeoutMs: number;
}

/** The projector's lag is counted up to this many events (/metrics shows the same figure). */
export function lagCountLimit(limits: ReadinessLimits): number {
  return Math.max(limits.maxLagEvents + 1, 10_000);
}

export interface CheckResult {
  ok: boolean;
  ms?: number;
  error?: string;
  correlationId?: string;
  [detail: string]: unknown;
}

export interface Readiness {
  ready: boolean;
  /** The checks that failed, by name; empty when ready. */
  failed: string[];
  checks: Record<string, CheckResult>;
}

/** A probe that resolves within `ms`, or rejects saying it timed out. */
function within<T>(ms: number, probe: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    probe(),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A session token hash that no session has: the auth store's probe looks it up and finds nothing. */
const PROBE_TOKEN_HASH = 'readiness-probe';
/** A key id that no key has: the key store's probe looks it up and finds nothing. */
const PROBE_KEY_ID = 'readiness:00000000-0000-0000-0000-000000000000';

/**
 * Liveness and readiness of one process. Alive: it answers. Ready: each store answers a cheap query within the
 * timeout, the read models are within the configured lag of the store's head, the process is not shutting down, and
 * no part it cannot work without (the projector, live updates) has stopped.
 */
export class Health {
  private stopping = false;
  private readonly failures = new Map<string, { reason: string; correlationId: string }>();
  private lagCache: { at: number; lag: Promise<ProjectorLag> } | undefined;

  constructor(
    private readonly deps: {
      store: EventStore;
      readDb: ReadDb;
      keys: KeyStore;
      auth: AuthStore;
      consistency: ReadConsistency;
      clock: Clock;
      logger: Logger;
      limits: ReadinessLimits;
    },
  ) {}

  get limits(): ReadinessLimits {
    return this.deps.limits;
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** From now on the process answers not ready: it is shutting down. */
  beginShutdown(): void {
    this.stopping = true;
  }

  /** A part the process cannot work without has stopped (logged by the caller with this correlation id). */
  fail(component: string, reason: string, correlationId: string): void {
    this.failures.set(component, { reason, correlationId });
  }

  /**
   * How far the read models are behind the store's head, measured at most once a second (probes and scrapes may
   * come together).
   */
  lag(): Promise<ProjectorLag> {
    const now = Date.now();
    if (this.lagCache && now - this.lagCache.at < 1_000) return this.lagCache.lag;
    const lag = (async () =>
      projectorLag(
        this.deps.store,
        await this.deps.consistency.current(),
        this.deps.clock.now(),
        lagCountLimit(this.deps.limits),
      ))();
    this.lagCache = { at: now, lag };
    lag.catch(() => {
      if (this.lagCache?.lag === lag) this.lagCache = undefined;
    });
    return lag;
  }

  async readiness(): Promise<Readiness> {
    const { store, readDb, keys, auth, clock, limits } = this.deps;
    const probes: Record<string, () => Promise<Partial<CheckResult> | void>> = {
      eventStore: async () => void (await store.headPosition()),
      readStore: async () => void (await readDb.selectFrom('projector_checkpoint').select('name').limit(1).execute()),
      keyStore: async () => void (await keys.getKey(PROBE_KEY_ID)),
      authStore: async () => void (await auth.findSession(PROBE_TOKEN_HASH, clock.now().toISOString())),
      projector: async () => {
        const lag = await this.lag();
        const behind = lag.events > limits.maxLagEvents || lag.seconds > limits.maxLagSeconds;
        const detail = {
          lagEvents: lag.events,
          lagSeconds: Math.round(lag.seconds * 10) / 10,
          maxLagEvents: limits.maxLagEvents,
          maxLagSeconds: limits.maxLagSeconds,
        };
        if (behind) return { ok: false, error: 'the read models are behind the log by more than allowed', ...detail };
        return detail;
      },
    };
    const checks: Record<string, CheckResult> = {};
    await Promise.all(
      Object.entries(probes).map(async ([name, probe]) => {
        const started = performance.now();
        try {
          const detail = (await within(limits.checkTimeoutMs, probe)) ?? {};
          checks[name] = { ok: true, ms: Math.round(performance.now() - started), ...detail };
        } catch (err) {
          // The body is public: it names the check; the error itself is in the log under the correlation id.
          const correlationId = logUnexpected(this.deps.logger, err, `readiness: ${name} failed`, { check: name });
          const timedOut = err instanceof Error && err.message.startsWith('timed out after');
          checks[name] = {
            ok: false,
            ms: Math.round(performance.now() - started),
            error: timedOut ? (err as Error).message : 'failed',
            correlationId,
          };
        }
      }),
    );
    for (const [component, failure] of this.failures)
      checks[component] = { ok: false, error: failure.reason, correlationId: failure.correlationId };
    if (this.stopping) checks.shutdown = { ok: false, error: 'shutting down' };
    const failed = Object.entries(checks)
      .filter(([, c]) => !c.ok)
      .map(([name]) => name)
      .sort();
    return { ready: failed.length === 0, failed, checks };
  }
}
