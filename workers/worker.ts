// A pipewatch worker: polls the task queue for monitor and incident work, with
// the activities wired to the history store, connectors and channels. Any
// number of identical workers may run against the same namespace and queue.
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { channelCache } from '../channels/registry.js';
import { connectorCache } from '../connectors/registry.js';
import type { HistoryStore } from '../store/history.js';
import { bundleWorkflows, prebuiltBundlePath } from './bundle.js';
import { dataConverter } from './codec.js';
import type { PipewatchMetrics } from './metrics.js';
import { tracingFromEnv } from './tracing.js';
import { connectClient, connectWorker, type TemporalSettings } from './connection.js';

export interface PipewatchWorkerOptions {
  settings: TemporalSettings;
  store: HistoryStore;
  /** A workflow bundle made by workers/bundle.ts; without one the build's bundle, else bundle now. */
  workflowBundlePath?: string;
  env?: NodeJS.ProcessEnv;
  /** Activities beside pipewatch's own: the example pipeline's, when `pipewatch demo` runs it. */
  extraActivities?: Record<string, (...args: never[]) => Promise<unknown>>;
  /** Prometheus metrics this worker records (workers/metrics.ts); served by whoever created them. */
  metrics?: PipewatchMetrics;
  /** Extra Worker options (tests shorten timeouts, benchmarks raise concurrency). */
  tuning?: Partial<
    Pick<
      WorkerOptions,
      | 'maxConcurrentActivityTaskExecutions'
      | 'maxConcurrentWorkflowTaskExecutions'
      | 'maxCachedWorkflows'
      | 'shutdownGraceTime'
    >
  >;
}

export interface PipewatchWorker {
  worker: Worker;
  /** Runs until shutdown() or a shutdown signal; then releases pools and transports. */
  run(): Promise<void>;
  shutdown(): void;
}

export async function createWorker(options: PipewatchWorkerOptions): Promise<PipewatchWorker> {
  const env = options.env ?? process.env;
  const { settings } = options;
  const connectors = connectorCache(env);
  const channels = channelCache(env);
  const client = await connectClient(settings);
  const connection = await connectWorker(settings);

  if (options.metrics) {
    const { sources } = options.metrics;
    sources.openAlerts ??= () => options.store.activeAlerts();
    sources.interventionsWaiting ??= async () =>
      (
        await client.workflow.count(
          `WorkflowType = "interventionWorkflow" AND ExecutionStatus = "Running" AND TaskQueue = "${settings.taskQueue}"`,
        )
      ).count;
    // A resolved incident stays open for its reopen window: it is not counted.
    sources.incidentsOpen ??= async (severity) =>
      (
        await client.workflow.count(
          `WorkflowType = "incidentWorkflow" AND ExecutionStatus = "Running" AND TaskQueue = "${settings.taskQueue}" AND PipewatchIncidentState != "resolved" AND PipewatchSeverity = "${severity}"`,
        )
      ).count;
  }

  // With tracing the workflow code needs Temporal's tracing interceptors, bundled here (a few seconds at start).
  const tracing = tracingFromEnv(env);
  const bundlePath = options.workflowBundlePath ?? env.PIPEWATCH_WORKFLOW_BUNDLE ?? prebuiltBundlePath();
  const workflowBundle = tracing
    ? await bundleWorkflows({ tracing: true })
    : bundlePath
      ? { codePath: bundlePath }
      : await bundleWorkflows();

  const worker = await Worker.create({
    connection,
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    workflowBundle,
    dataConverter: dataConverter(env),
    activities: {
      ...options.extraActivities,
      ...createActivities({
        store: options.store,
        connectors,
        channels,
        client,
        taskQueue: settings.taskQueue,
        env,
        metrics: options.metrics,
      }),
    },
    shutdownGraceTime: '10s',
    ...tracing?.workerOptions,
    ...options.tuning,
  });

  return {
    worker,
    async run() {
      try {
        await worker.run();
      } finally {
        await Promise.allSettled([connectors.closeAll(), channels.closeAll(), tracing?.shutdown()]);
        await connection.close().catch(() => undefined);
        await client.connection.close().catch(() => undefined);
      }
    },
    shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    },
  };
}
