// One run per schedule tick: collect → evaluate → record → tell the incident.
import {
  ActivityFailure,
  ApplicationFailure,
  patched,
  proxyActivities,
  proxyLocalActivities,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { MonitorDefinition } from '../config/model.js';
import { formatDuration } from '../config/duration.js';
import { lateness } from '../evaluation/freshness.js';
import type { Baselines } from '../evaluation/history.js';
import { couldNotCheck, evaluate } from '../evaluation/rules.js';
import type { Transition } from '../evaluation/flap.js';
import type { Status, Verdict } from '../evaluation/types.js';
import type { Activities } from '../activities/index.js';
import { incidentFor, routeAlert } from '../evaluation/routing.js';
import type { Labels } from '../evaluation/matchers.js';
import type { IncidentInput } from './incident.js';
import { STATUS } from './search-attributes.js';

export interface MonitorRunResult {
  monitorId: string;
  status: Status;
  value?: number | null;
  reason: string;
  transition: Transition;
}

const STORE = { startToCloseTimeout: '30s', retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 } } as const;
const { signalIncident } = proxyActivities<Activities>(STORE);

/**
 * Since this patch, the short steps of a run (collect, baselines, recordRun)
 * are local activities: one marker each in history instead of three events
 * and a round trip through the task queue. Runs started before it replay on
 * their old path (docs/WORKFLOW-CHANGES.md).
 */
export const LOCAL_ACTIVITIES_PATCH = 'monitor-local-activities';

export async function monitorWorkflow(monitor: MonitorDefinition): Promise<MonitorRunResult> {
  const info = workflowInfo();
  const at = scheduledTime() ?? new Date(Date.now());
  const proxy = patched(LOCAL_ACTIVITIES_PATCH) ? proxyLocalActivities : proxyActivities;
  const { baselines, recordRun } = proxy<Activities>(STORE);

  // Query timeout plus connect timeout, tried three times, before the check counts as "could not check".
  const retry = { initialInterval: '1s', backoffCoefficient: 2, maximumAttempts: 3, nonRetryableErrorTypes: ['ConfigurationError'] };
  const { collect } = proxy<Activities>({ startToCloseTimeout: collectTimeoutMs(monitor), retry });
  // Reconciling a pipeline streams every id of a window: long, so it heartbeats.
  const { collectStages, collectLogs } = proxyActivities<Activities>({ startToCloseTimeout: '30m', heartbeatTimeout: '2m', retry });

  let verdict: Verdict;
  try {
    const check = monitor.check;
    let measurement =
      check.type === 'stageCounts'
        ? await collectStages({ monitorId: monitor.id, pipeline: check.pipeline, stages: monitor.stages!, check, at: at.toISOString() })
        : check.type === 'logs'
          ? await collectLogs({ monitorId: monitor.id, connector: monitor.connector!, check, at: at.toISOString(), archiveTrigger: monitor.archiveTrigger, policy: monitor.notification, pipeline: monitor.pipeline })
          : await collect({ monitorId: monitor.id, connector: monitor.connector!, check, at: at.toISOString() });
    if (check.type === 'freshness' && check.expected) measurement = lateness(measurement, check.expected, at.getTime());
    const history: Baselines = needsHistory(monitor)
      ? await baselines({ monitorId: monitor.id, rules: monitor.rules, at: measurement.observedAt, toleranceMs: toleranceMs(monitor), timeZone: monitor.schedule.timezone, current: measurement.value })
      : {};
    verdict = evaluate(monitor.rules, measurement, history, describeCheck(monitor, measurement.details));
  } catch (err) {
    verdict = couldNotCheck(failureMessage(err), monitor.unit, at.toISOString());
  }
  upsertSearchAttributes([{ key: STATUS, value: verdict.status }]);

  // Where this alert would go if it opened now; an open alert keeps the incidents it opened with.
  const labels = alertLabels(monitor, verdict.status);
  const routes = incidentsFor(monitor, labels);
  const recorded = await recordRun({
    monitorId: monitor.id,
    runId: info.workflowId,
    verdict,
    flap: monitor.flap,
    labels,
    incidentIds: routes.map((r) => r.incidentId),
    // A new optional input field, absent without a sink: the commands this workflow issues are unchanged.
    sink: monitor.sink,
  });
  const { transition } = recorded;
  if (transition !== 'none') {
    const openedWith = recorded.alertLabels ?? labels;
    const known = incidentsFor(monitor, openedWith);
    const subject = {
      id: monitor.id,
      description: monitor.description,
      perspective: monitor.perspective,
      pipeline: monitor.pipeline,
      labels: monitor.labels,
      runbook: monitor.runbook,
    };
    for (const incidentId of recorded.incidentIds) {
      // The routing may have changed since the alert opened: then the incident runs on the root route's timing.
      const incident = known.find((r) => r.incidentId === incidentId) ?? { ...rootRoute(monitor), incidentId, groupLabels: {} };
      await signalIncident({
        incident,
        event: { transition, runId: info.workflowId, monitor: subject, labels: openedWith, status: verdict.status, verdict, at: verdict.observedAt },
      });
    }
  }
  return { monitorId: monitor.id, status: verdict.status, value: verdict.value, reason: verdict.reason, transition };
}

/** The labels an alert carries: the monitor's own, and what pipewatch knows about it. */
export function alertLabels(monitor: MonitorDefinition, status: Status): Labels {
  return {
    ...monitor.labels,
    monitor: monitor.id,
    perspective: monitor.perspective,
    ...(monitor.pipeline ? { pipeline: monitor.pipeline } : {}),
    check: monitor.check.type,
    severity: status,
  };
}

function rootRoute(monitor: MonitorDefinition): Omit<IncidentInput, 'incidentId' | 'groupLabels'> {
  const r = monitor.notification.routing;
  return {
    receiver: r.receiver,
    timing: { groupWaitMs: r.groupWaitMs, groupIntervalMs: r.groupIntervalMs, repeatIntervalMs: r.repeatIntervalMs },
    policy: monitor.notification,
  };
}

/** The incidents an alert with these labels joins, one per receiver it routes to. */
export function incidentsFor(monitor: MonitorDefinition, labels: Labels): IncidentInput[] {
  return routeAlert(monitor.notification.routing, labels).map((match) => ({
    ...incidentFor(match, labels),
    receiver: match.receiver,
    timing: { groupWaitMs: match.groupWaitMs, groupIntervalMs: match.groupIntervalMs, repeatIntervalMs: match.repeatIntervalMs },
    policy: monitor.notification,
  }));
}

/** What the number means, for reasons and messages: "age of the newest record in lake.records". */
export function describeCheck(monitor: MonitorDefinition, details?: Record<string, unknown>): string {
  const check = monitor.check;
  switch (check.type) {
    case 'freshness':
      return check.expected ? `lateness of ${check.dataset} against its producer's schedule` : `age of the newest record in ${check.dataset}`;
    case 'count': {
      const what = check.uniqueId ? `distinct ${check.uniqueId} ` : 'records ';
      return check.bucket ? `${what}in ${check.dataset} in the ${formatDuration(check.bucket)} bucket` : `${what}in ${check.dataset} over the last ${formatDuration(check.window!)}`;
    }
    case 'sql':
      return `value of ${monitor.id}`;
    case 'stageCounts':
      return details?.firstLosingStage ? `records lost at stage ${String(details.firstLosingStage)} of pipeline ${check.pipeline}` : `records lost in pipeline ${check.pipeline}`;
    case 'http':
      return `response time of ${check.method} ${monitor.connector?.type === 'http' ? monitor.connector.url : ''}${check.path}`;
    case 'queue':
      return `messages waiting in ${check.queue}`;
    case 'disk':
      return `${check.measure === 'inodes' ? 'inodes' : 'space'} used on the filesystem of ${check.path}`;
    case 'memory':
      return 'memory in use';
    case 'load':
      return 'load per CPU';
    case 'database':
      return { connections: 'connections in use', size: 'database size', replicationLag: 'replication lag' }[check.measure];
    case 'cluster':
      return check.measure === 'status' ? 'cluster status (0 green, 1 yellow, 2 red)' : "the fullest data node's disk";
    case 'logs':
      return {
        any: 'new matching log events',
        frequency: `matching log events in ${formatDuration(check.window)}${check.queryKey ? ` (busiest ${check.queryKey})` : ''}`,
        flatline: `matching log events in ${formatDuration(check.window)}${check.queryKey ? ` (quietest ${check.queryKey})` : ''}`,
        spike: `log events now against the ${formatDuration(check.window)} before`,
        new_term: `new values of ${check.field} in ${formatDuration(check.window)}`,
        cardinality: `distinct ${check.field} in ${formatDuration(check.window)}`,
        metric: `${check.metric} of ${check.field} in ${formatDuration(check.window)}`,
      }[check.rule];
    case 'interventions':
      return `pipelines waiting on an operator for more than ${formatDuration(check.olderThan)}`;
    case 'taskQueue':
      return check.measure === 'pollers' ? `workers polling ${check.taskQueue ?? 'the pipewatch task queue'}` : `tasks waiting in ${check.taskQueue ?? 'the pipewatch task queue'}`;
    case 'kubeEvents':
      return `Kubernetes events in ${formatDuration(check.window)}${kubeScope(check)}${details?.summary ? ` (${String(details.summary)})` : ''}`;
    case 'podHealth':
      return `pod problems${kubeScope(check)}${details?.summary ? ` (${String(details.summary)})` : ''}`;
    case 'cronJobs':
      return `CronJob problems${kubeScope(check)}${details?.summary ? ` (${String(details.summary)})` : ''}`;
  }
}

function kubeScope(check: { namespace?: string; labels?: string }): string {
  return `${check.namespace ? ` in namespace ${check.namespace}` : ''}${check.labels ? ` (${check.labels})` : ''}`;
}

export function needsHistory(monitor: MonitorDefinition): boolean {
  return monitor.rules.some((r) => ['changePercent', 'changeVs', 'anomaly', 'rising', 'percentile'].includes(r.kind));
}

/** How far from "24 h ago" a point may lie to stand for yesterday: half the interval, at least a minute. */
export function toleranceMs(monitor: MonitorDefinition): number {
  return Math.max(60_000, (monitor.schedule.everyMs ?? 3_600_000) / 2);
}

function collectTimeoutMs(monitor: MonitorDefinition): number {
  const c = monitor.connector;
  if (!c) return 60_000;
  switch (c.type) {
    case 'postgres':
      return c.statementTimeout + c.connectTimeout + 5_000;
    case 'elasticsearch':
      return c.requestTimeout * 2 + 5_000;
    case 'http':
      return c.timeout + 10_000;
    case 'kubernetes':
      // A first list of a large cluster's events, then pages of pods or Jobs.
      return c.requestTimeout * 4 + 30_000;
    default:
      return 60_000;
  }
}

/** The tick this run belongs to: set by the schedule; absent for runs started by hand. */
function scheduledTime(): Date | undefined {
  const value = workflowInfo().searchAttributes?.TemporalScheduledStartTime as unknown;
  const first = Array.isArray(value) ? value[0] : value;
  if (first instanceof Date) return first;
  if (typeof first === 'string') return new Date(first);
  return undefined;
}

function failureMessage(err: unknown): string {
  let e: unknown = err;
  while (e instanceof ActivityFailure && e.cause) e = e.cause;
  if (e instanceof ApplicationFailure || e instanceof Error) return e.message;
  return String(e);
}
