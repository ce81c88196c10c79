// One run per schedule tick: collect → evaluate → record → tell the incident.
import {
  patched,
  proxyActivities,
  proxyLocalActivities,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { MonitorDefinition } from '../config/model.js';
import type { Transition } from '../evaluation/flap.js';
import type { Status } from '../evaluation/types.js';
import type { Activities } from '../activities/index.js';
import {
  alertLabels,
  COLLECT_RETRY,
  collectTimeoutMs,
  incidentSignals,
  incidentsFor,
  runCheck,
} from '../evaluation/check.js';
import { isKeyedCheck } from '../connectors/descriptors.js';
import type { Labels } from '../evaluation/matchers.js';
import { STATUS } from './search-attributes.js';
import { keyLabels, keyStateId, NEVER_OPENS } from '../evaluation/log-keys.js';
import { HEARTBEAT_TIMEOUT_MS } from './heartbeats.js';

export interface MonitorRunResult {
  monitorId: string;
  status: Status;
  value?: number | null;
  reason: string;
  transition: Transition;
}

export const STORE = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 },
} as const;
const { signalIncident } = proxyActivities<Activities>(STORE);

/**
 * Since this patch, the short steps of a run (collect, baselines, recordRun)
 * are local activities: one marker each in history instead of three events
 * and a round trip through the task queue. Runs started before it replay on
 * their old path (docs/WORKFLOW-CHANGES.md).
 */
export const LOCAL_ACTIVITIES_PATCH = 'monitor-local-activities';

/** Since this patch, a log rule with queryKey records and alerts each key on its own (evaluation/log-keys.ts). */
export const LOG_KEYS_PATCH = 'log-rule-keys';

export async function monitorWorkflow(monitor: MonitorDefinition): Promise<MonitorRunResult> {
  const info = workflowInfo();
  const at = scheduledTime() ?? new Date(Date.now());
  const proxy = patched(LOCAL_ACTIVITIES_PATCH) ? proxyLocalActivities : proxyActivities;
  const { baselines, recordRun, recordKeyRuns } = proxy<Activities>(STORE);

  // Query timeout plus connect timeout, tried three times, before the check counts as "could not check".
  const retry = {
    initialInterval: COLLECT_RETRY.initialIntervalMs,
    backoffCoefficient: COLLECT_RETRY.backoffCoefficient,
    maximumAttempts: COLLECT_RETRY.maximumAttempts,
    nonRetryableErrorTypes: ['ConfigurationError'],
  };
  const { collect } = proxy<Activities>({ startToCloseTimeout: collectTimeoutMs(monitor), retry });
  // Reconciling a pipeline streams every id of a window: long, so it heartbeats, and one cut off by a killed
  // worker is taken over within seconds (workflows/heartbeats.ts).
  const { collectStages, collectLogs } = proxyActivities<Activities>({
    startToCloseTimeout: '30m',
    heartbeatTimeout: HEARTBEAT_TIMEOUT_MS,
    retry,
  });

  const verdict = await runCheck(monitor, at, { collect, collectStages, collectLogs, baselines });
  upsertSearchAttributes([{ key: STATUS, value: verdict.status }]);

  // Where this alert would go if it opened now; an open alert keeps the incidents it opened with.
  const labels = alertLabels(monitor, verdict.status);
  const routes = incidentsFor(monitor, labels);
  // Keyed log rules and promql per series alert per key; the monitor's own state records the worst key and never
  // opens. Runs before this patch replay with one alert per monitor (docs/WORKFLOW-CHANGES.md); promql has no
  // keys before it.
  const keys =
    verdict.keys && (monitor.check.type === 'logs' || isKeyedCheck(monitor.check)) && patched(LOG_KEYS_PATCH)
      ? verdict.keys
      : undefined;
  const recorded = await recordRun({
    monitorId: monitor.id,
    runId: info.workflowId,
    verdict,
    flap: keys ? { ...monitor.flap, failAfter: NEVER_OPENS } : monitor.flap,
    labels,
    incidentIds: routes.map((r) => r.incidentId),
    // A new optional input field, absent without a sink: the commands this workflow issues are unchanged.
    sink: monitor.sink,
  });
  for (const signal of incidentSignals(monitor, recorded, labels, verdict, info.workflowId))
    await signalIncident(signal);
  if (keys) {
    // A PromQL series' labels come first: the monitor's labels and pipewatch's own (monitor, severity…) win,
    // as an alerting rule's labels win over its series' in Prometheus.
    const withKey = (key: string, status: Status, series?: Labels) =>
      keyLabels({ ...series, ...alertLabels(monitor, status) }, key);
    const runs = await recordKeyRuns({
      monitorId: monitor.id,
      runId: info.workflowId,
      observedAt: verdict.observedAt,
      flap: monitor.flap,
      keys: keys.map((k) => ({
        key: k.key,
        verdict: k.verdict,
        labels: withKey(k.key, k.verdict.status, k.labels),
        incidentIds: incidentsFor(monitor, withKey(k.key, k.verdict.status, k.labels)).map((r) => r.incidentId),
      })),
      labelsFor: alertLabels(monitor, 'ok'),
      ...(monitor.check.type === 'promql' ? { quiet: 'series-gone' as const } : {}),
      incidentIdsFor: routes.map((r) => r.incidentId),
    });
    for (const run of runs) {
      // Each key is an alert of its own in its incident: its id names the key.
      const keyed = { ...monitor, id: keyStateId(monitor.id, run.key) };
      for (const signal of incidentSignals(
        keyed,
        run.recorded,
        run.labels,
        run.verdict,
        `${info.workflowId}#${run.key}`,
      ))
        await signalIncident(signal);
    }
  }
  const { transition } = recorded;
  return { monitorId: monitor.id, status: verdict.status, value: verdict.value, reason: verdict.reason, transition };
}

/** The tick this run belongs to: set by the schedule; absent for runs started by hand. */
export function scheduledTime(): Date | undefined {
  const value = workflowInfo().searchAttributes?.TemporalScheduledStartTime as unknown;
  const first = Array.isArray(value) ? value[0] : value;
  if (first instanceof Date) return first;
  if (typeof first === 'string') return new Date(first);
  return undefined;
}
