import client from 'prom-client';
import type { JobMonitor, JobOutcome } from '@gopy/application/logging';
import { WrongExpectedRevisionError, type EventStore } from '@gopy/application/eventStore';
import type { Mailer } from '@gopy/application/ports';

/** Seconds, from a millisecond to a minute: requests, operations, appends and job passes. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** At most this many distinct GraphQL operation names become label values; the rest are counted as `other`. */
const MAX_OPERATION_NAMES = 200;

export interface ProjectorLagSample {
  events: number;
  seconds: number;
}

/**
 * Every Prometheus metric of one process, in a registry of its own (tests build many apps in one process; the
 * global registry would refuse the second). Served as text at /metrics (opsRoutes.ts).
 */
export class Metrics implements JobMonitor {
  readonly registry = new client.Registry();
  private readonly httpDuration: client.Histogram<'method' | 'route' | 'status'>;
  private readonly graphqlOperations: client.Counter<'operation' | 'type' | 'outcome'>;
  private readonly graphqlDuration: client.Histogram<'operation' | 'type'>;
  private readonly appendDuration: client.Histogram<'outcome'>;
  private readonly appendConflicts: client.Counter;
  private readonly jobRuns: client.Counter<'job' | 'outcome'>;
  private readonly jobDuration: client.Histogram<'job'>;
  private readonly mails: client.Counter<'outcome'>;
  /** For the public page cache (not built yet): it counts each lookup here, so the hit ratio has a home. */
  readonly pageCache: client.Counter<'result'>;
  private readonly backupLastSuccess: client.Gauge;
  private readonly backupBytes: client.Gauge;
  private readonly operationNames = new Set<string>();
  private lag: (() => Promise<ProjectorLagSample | undefined>) | undefined;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics !== false) client.collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new client.Histogram({
      name: 'gopy_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status, from the first byte read to the last byte written.',
      labelNames: ['method', 'route', 'status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.graphqlOperations = new client.Counter({
      name: 'gopy_graphql_operations_total',
      help: 'GraphQL operations by name, type and outcome: success, a typed refusal code (VALIDATION, FORBIDDEN, …) or INTERNAL.',
      labelNames: ['operation', 'type', 'outcome'],
      registers,
    });
    this.graphqlDuration = new client.Histogram({
      name: 'gopy_graphql_operation_duration_seconds',
      help: 'GraphQL operations by name and type (subscriptions: until the stream ends).',
      labelNames: ['operation', 'type'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.appendDuration = new client.Histogram({
      name: 'gopy_event_store_append_duration_seconds',
      help: 'Appends to the event store by outcome: ok, conflict (wrong expected revision) or error.',
      labelNames: ['outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.appendConflicts = new client.Counter({
      name: 'gopy_event_store_append_conflicts_total',
      help: 'Appends refused because the stream had moved on (the write path reloads and decides again).',
      registers,
    });
    this.jobRuns = new client.Counter({
      name: 'gopy_scheduler_runs_total',
      help: 'Passes of the process managers (deadline_scheduler, surge_detector, notification_mail, sealer) by outcome.',
      labelNames: ['job', 'outcome'],
      registers,
    });
    this.jobDuration = new client.Histogram({
      name: 'gopy_scheduler_run_duration_seconds',
      help: 'How long each pass of a process manager took.',
      labelNames: ['job'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.mails = new client.Counter({
      name: 'gopy_mails_total',
      help: 'Mails handed to SMTP (or written as .eml files without SMTP_URL), by outcome: sent or failed.',
      labelNames: ['outcome'],
      registers,
    });
    this.pageCache = new client.Counter({
      name: 'gopy_page_cache_requests_total',
      help: 'Lookups in the public page cache by result (hit or miss); hit ratio = hit / (hit + miss).',
      labelNames: ['result'],
      registers,
    });
    this.backupLastSuccess = new client.Gauge({
      name: 'gopy_backup_last_success_timestamp_seconds',
      help: 'When the newest scheduled backup completed (Unix time; 0 before the first). Runs and failures: gopy_scheduler_runs_total{job="backup"}.',
      registers,
    });
    this.backupBytes = new client.Gauge({
      name: 'gopy_backup_last_size_bytes',
      help: 'Size of the newest scheduled backup, encrypted.',
      registers,
    });
    for (const outcome of ['sent', 'failed']) this.mails.inc({ outcome }, 0);
    for (const result of ['hit', 'miss']) this.pageCache.inc({ result }, 0);
    this.appendConflicts.inc(0);
    const sampleLag = () => this.lag?.().catch(() => undefined);
    for (const [name, help, pick] of [
      [
        'gopy_projector_lag_events',
        'Events in the store the read models have not applied yet (counted up to a limit, see /readyz).',
        (s: ProjectorLagSample) => s.events,
      ],
      [
        'gopy_projector_lag_seconds',
        'Age of the oldest event the read models have not applied yet (0 when caught up).',
        (s: ProjectorLagSample) => s.seconds,
      ],
    ] as const) {
      new client.Gauge({
        name,
        help,
        registers,
        async collect() {
          const sample = await sampleLag();
          if (sample) this.set(pick(sample));
        },
      });
    }
  }

  /** Where the projector lag gauges read from at each scrape. */
  measureLagWith(sample: () => Promise<ProjectorLagSample | undefined>): void {
    this.lag = sample;
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  observeOperation(operation: string, type: string, outcome: string, seconds: number): void {
    const name = this.boundedOperation(operation);
    this.graphqlOperations.inc({ operation: name, type, outcome });
    this.graphqlDuration.observe({ operation: name, type }, seconds);
  }

  ran(job: string, outcome: JobOutcome, seconds: number): void {
    this.jobRuns.inc({ job, outcome });
    this.jobDuration.observe({ job }, seconds);
  }

  /** A scheduled backup completed (its run is counted by ran('backup', …)). */
  backupTaken(bytes: number, at: Date): void {
    this.backupLastSuccess.set(at.getTime() / 1000);
    this.backupBytes.set(bytes);
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** The event store with each append timed and each conflict counted; every other method is the store's own. */
  eventStore<S extends EventStore>(store: S): S {
    const observe = (outcome: 'ok' | 'conflict' | 'error', started: number) =>
      this.appendDuration.observe({ outcome }, (performance.now() - started) / 1000);
    const conflicted = () => this.appendConflicts.inc();
    return new Proxy(store, {
      get(target, property) {
        if (property === 'append') {
          return async (...args: Parameters<EventStore['append']>) => {
            const started = performance.now();
            try {
              const result = await target.append(...args);
              observe('ok', started);
              return result;
            } catch (err) {
              const conflict = err instanceof WrongExpectedRevisionError;
              if (conflict) conflicted();
              observe(conflict ? 'conflict' : 'error', started);
              throw err;
            }
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  /** The mailer with each mail counted as sent or failed. */
  mailer(mailer: Mailer): Mailer {
    return {
      send: async (mail) => {
        try {
          await mailer.send(mail);
          this.mails.inc({ outcome: 'sent' });
        } catch (err) {
          this.mails.inc({ outcome: 'failed' });
          throw err;
        }
      },
    };
  }

  private boundedOperation(name: string): string {
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES) return 'other';
    this.operationNames.add(name);
    return name;
  }
}
