// What the worker hands its activities (the samples' dependency injection:
// createActivities(deps) in activities/index.ts), and the two measurements
// every recording activity takes.
import type { Client } from '@temporalio/client';
import type { NamedChannel, NamedConnector } from '../config/model.js';
import type { ResolvedCache } from '../config/resolved-cache.js';
import type { ChannelSender } from '../channels/types.js';
import type { Connector } from '../connectors/types.js';
import type { HistoryStore, RunToRecord } from '../store/history.js';
import { timed, type PipewatchMetrics } from '../workers/metrics.js';

export interface ActivityDeps {
  store: HistoryStore;
  connectors: ResolvedCache<NamedConnector, Connector>;
  channels: ResolvedCache<NamedChannel, ChannelSender>;
  client: Client;
  taskQueue: string;
  /** Where `${ENV}` references resolve: the worker's environment. */
  env?: NodeJS.ProcessEnv;
  /** The worker's Prometheus metrics (workers/metrics.ts), when it serves them. */
  metrics?: PipewatchMetrics;
}

/** Each run's status and value as Prometheus series, when the worker serves metrics. */
export function observeRuns(
  deps: ActivityDeps,
  runs: Array<Pick<RunToRecord, 'monitorId' | 'verdict' | 'labels'>>,
): void {
  const metrics = deps.metrics;
  if (!metrics) return;
  for (const r of runs)
    metrics.observeRun({
      monitorId: r.monitorId,
      checkType: r.labels?.check,
      status: r.verdict.status,
      value: r.verdict.value,
      labels: r.labels,
    });
}

/** A store operation, timed into the worker's metrics when it serves them. */
export function storeTimed<T>(deps: ActivityDeps, operation: string, work: () => Promise<T>): Promise<T> {
  const metrics = deps.metrics;
  return metrics ? timed(work, (seconds) => metrics.observeStore(operation, seconds)) : work();
}
