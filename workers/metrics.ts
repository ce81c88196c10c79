// A worker's metrics in the Prometheus exposition format, on one HTTP endpoint
// (`pipewatch worker --metrics-port`, on by default in `pipewatch start`):
// pipewatch's own (prom-client) and the Temporal SDK's runtime metrics, which
// the SDK serves on a private loopback port and this endpoint appends.
//
// Cardinality: per-monitor series (status, last value, info) exist only for
// monitors this worker ran, at most `maxMonitorSeries` of them (default 5,000);
// past that a monitor is counted in pipewatch_monitor_series_dropped_total and
// appears only in the per-check-type aggregates. Every other label is bounded by
// the configuration (check types, channels, severities).
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Status } from '../evaluation/types.js';

/** Numbers for a status, so alerts can compare: ok 0, info or still learning 1, warning 2, critical 3, could not check 4. */
export const STATUS_VALUE: Readonly<Record<string, number>> = {
  ok: 0,
  info: 1,
  learning: 1,
  warning: 2,
  critical: 3,
  error: 4,
};

export interface RunObservation {
  monitorId: string;
  checkType?: string;
  status: Status;
  value?: number | null;
  labels?: Record<string, string>;
}

export interface PipewatchMetrics {
  readonly registry: Registry;
  /** What the scrape-time gauges read; the worker fills in what it has (its store, its client). */
  readonly sources: MetricSources;
  observeRun(run: RunObservation): void;
  observeCollect(checkType: string, seconds: number, outcome: 'ok' | 'error'): void;
  observeDelivery(channel: string, outcome: 'sent' | 'already-sent' | 'failed'): void;
  observeStore(operation: string, seconds: number): void;
  /** A `schedules` check's figures (connectors/temporal/index.ts details): ticks not on time in its window, start lag. */
  observeSchedules?(project: string, details: Record<string, unknown>): void;
}

export interface MetricSources {
  /** Read on each scrape: alerts open now, by status (from the history store). */
  openAlerts?: () => Promise<Array<{ status: Status }>>;
  /** Read on each scrape: questions waiting on an operator (from Temporal's visibility). */
  interventionsWaiting?: () => Promise<number>;
  /** Read on each scrape: incidents not resolved, for one severity (from Temporal's visibility). */
  incidentsOpen?: (severity: IncidentSeverity) => Promise<number>;
}

/** The severities an incident is listed with (its PipewatchSeverity): `error` is "could not check". */
export const INCIDENT_SEVERITIES = ['info', 'warning', 'critical', 'error'] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];

export interface MetricsOptions {
  maxMonitorSeries?: number;
}

export function createMetrics(options: MetricsOptions = {}): PipewatchMetrics {
  const sources: MetricSources = {};
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'pipewatch_process_' });
  const maxMonitors = options.maxMonitorSeries ?? 5_000;
  const known = new Set<string>();

  const checks = new Counter({
    name: 'pipewatch_checks_total',
    help: 'Checks judged, by check type and result (ok, alerting, could_not_check, learning).',
    labelNames: ['check', 'result'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'pipewatch_check_collect_duration_seconds',
    help: 'Time to collect a measurement from its source, by check type and outcome.',
    labelNames: ['check', 'outcome'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const status = new Gauge({
    name: 'pipewatch_monitor_status',
    help: 'Last status of a monitor: 0 ok, 1 info or learning, 2 warning, 3 critical, 4 could not check.',
    labelNames: ['monitor'],
    registers: [registry],
  });
  const value = new Gauge({
    name: 'pipewatch_monitor_value',
    help: "A monitor's last measured value (absent when it could not be measured).",
    labelNames: ['monitor'],
    registers: [registry],
  });
  const info = new Gauge({
    name: 'pipewatch_monitor_info',
    help: 'Always 1: what a monitor is, to join on `monitor`.',
    labelNames: ['monitor', 'check', 'perspective', 'pipeline'],
    registers: [registry],
  });
  const lastRun = new Gauge({
    name: 'pipewatch_monitor_last_run_timestamp_seconds',
    help: 'When a monitor was last judged by this worker.',
    labelNames: ['monitor'],
    registers: [registry],
  });
  const dropped = new Counter({
    name: 'pipewatch_monitor_series_dropped_total',
    help: `Runs of monitors beyond the first ${maxMonitors} this worker saw, kept out of the per-monitor series.`,
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'pipewatch_notifications_total',
    help: 'Notification deliveries by channel and outcome (sent, already-sent, failed: retried by Temporal).',
    labelNames: ['channel', 'outcome'],
    registers: [registry],
  });
  // Saturation (issue 20): what the self-monitor saw in its window, by project (bounded by the configuration).
  const ticks = new Gauge({
    name: 'pipewatch_schedule_ticks_not_on_time',
    help: "Ticks of pipewatch's own schedules in the schedules check's window that were skipped (previous run still open), missed (catch-up window) or started late, and run tasks waiting for a worker longer than lateAfter.",
    labelNames: ['project', 'reason'],
    registers: [registry],
  });
  const pickupLag = new Gauge({
    name: 'pipewatch_schedule_pickup_lag_seconds',
    help: "How long the oldest run task on pipewatch's task queue has waited for a worker.",
    labelNames: ['project'],
    registers: [registry],
  });
  const lag = new Gauge({
    name: 'pipewatch_schedule_start_lag_seconds',
    help: "Start lag of pipewatch's own schedules over the window's starts (quantile 0.99 and 1 for the max).",
    labelNames: ['project', 'quantile'],
    registers: [registry],
  });
  const store = new Histogram({
    name: 'pipewatch_store_duration_seconds',
    help: 'History store operations, by operation.',
    labelNames: ['operation'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });

  {
    new Gauge({
      name: 'pipewatch_alerts_open',
      help: 'Monitors alerting now, by status (warning, critical, could not check), from the history store.',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        this.reset();
        const counts = new Map<string, number>();
        if (!sources.openAlerts) return;
        for (const a of await sources.openAlerts().catch(() => []))
          counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
        for (const s of ['warning', 'critical', 'error']) this.set({ status: s }, counts.get(s) ?? 0);
      },
    });
  }
  {
    new Gauge({
      name: 'pipewatch_incidents_open',
      help: 'Incidents not resolved (pending, firing or acknowledged), by severity, from Temporal visibility: the same figure on every worker of a task queue.',
      labelNames: ['severity'],
      registers: [registry],
      async collect() {
        this.reset();
        const count = sources.incidentsOpen;
        if (!count) return;
        const counts = await Promise.all(INCIDENT_SEVERITIES.map((s) => count(s).catch(() => undefined)));
        INCIDENT_SEVERITIES.forEach((severity, i) => {
          if (counts[i] !== undefined) this.set({ severity }, counts[i]);
        });
      },
    });
  }
  {
    new Gauge({
      name: 'pipewatch_interventions_waiting',
      help: 'Questions waiting on an operator (running intervention workflows).',
      registers: [registry],
      async collect() {
        const n = await sources.interventionsWaiting?.().catch(() => undefined);
        if (n !== undefined) this.set(n);
      },
    });
  }

  const result = (s: Status) =>
    s === 'error'
      ? 'could_not_check'
      : s === 'warning' || s === 'critical'
        ? 'alerting'
        : s === 'ok' || s === 'info'
          ? 'ok'
          : s;

  return {
    registry,
    sources,
    observeRun(run) {
      const check = run.checkType ?? 'unknown';
      checks.inc({ check, result: result(run.status) });
      if (!known.has(run.monitorId)) {
        if (known.size >= maxMonitors) {
          dropped.inc();
          return;
        }
        known.add(run.monitorId);
      }
      const monitor = run.monitorId;
      status.set({ monitor }, STATUS_VALUE[run.status] ?? 4);
      if (typeof run.value === 'number' && Number.isFinite(run.value)) value.set({ monitor }, run.value);
      else value.remove({ monitor });
      info.set({ monitor, check, perspective: run.labels?.perspective ?? '', pipeline: run.labels?.pipeline ?? '' }, 1);
      lastRun.set({ monitor }, Date.now() / 1000);
    },
    observeCollect(check, seconds, outcome) {
      duration.observe({ check, outcome }, seconds);
    },
    observeDelivery(channel, outcome) {
      deliveries.inc({ channel, outcome });
    },
    observeStore(operation, seconds) {
      store.observe({ operation }, seconds);
    },
    observeSchedules(project, d) {
      const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
      for (const [reason, key] of [
        ['skipped', 'skippedOverlap'],
        ['missed', 'missedCatchupWindow'],
        ['late', 'lateStarts'],
        ['waiting', 'waitingForWorker'],
      ] as const) {
        const v = n(d[key]);
        if (v !== undefined) ticks.set({ project, reason }, v);
      }
      for (const [quantile, key] of [
        ['0.99', 'lagP99Seconds'],
        ['1', 'lagMaxSeconds'],
      ] as const) {
        const v = n(d[key]);
        if (v !== undefined) lag.set({ project, quantile }, v);
        else lag.remove({ project, quantile });
      }
      const pickup = n(d.pickupLagSeconds);
      if (pickup !== undefined) pickupLag.set({ project }, pickup);
    },
  };
}

/** Measures an async operation into observe(seconds). */
export async function timed<T>(work: () => Promise<T>, observe: (seconds: number, ok: boolean) => void): Promise<T> {
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  try {
    const out = await work();
    observe(seconds(), true);
    return out;
  } catch (err) {
    observe(seconds(), false);
    throw err;
  }
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves GET /metrics: pipewatch's registry, then the Temporal SDK's runtime metrics read from `sdkMetricsUrl`
 * (the SDK's own Prometheus exporter on a private port), so a scrape config needs one target per worker.
 */
export async function serveMetrics(options: {
  metrics: PipewatchMetrics;
  port: number;
  host?: string;
  sdkMetricsUrl?: string;
}): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1';
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '/').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('metrics are at /metrics\n');
      return;
    }
    void (async () => {
      try {
        let text = await options.metrics.registry.metrics();
        if (options.sdkMetricsUrl) {
          const sdk = await fetch(options.sdkMetricsUrl, { signal: AbortSignal.timeout(5_000) })
            .then((r) => (r.ok ? r.text() : ''))
            .catch(() => '');
          text += sdk ? `\n${sdk}` : '';
        }
        res.writeHead(200, { 'content-type': options.metrics.registry.contentType }).end(text);
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(err as Error).message}\n`);
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const address = server.address() as { port: number };
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
