// One monitor's check, as a monitor run and a cadence group run both do it:
// measure, compare with history, evaluate; then the incidents a transition goes
// to. Deterministic and free of Temporal calls, so it runs in workflow code
// (steps are activities) and in an activity (steps are plain functions).
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { CheckSpec, MonitorDefinition, NamedConnector } from '../config/model.js';
import {
  collectTimeoutMs as connectorCollectTimeoutMs,
  describeCheck as describeWithDescriptor,
} from '../connectors/descriptors.js';
import { lateness } from './freshness.js';
import { pointBaselines, type Baselines } from './history.js';
import { couldNotCheck, evaluate } from './rules.js';
import { keyedVerdict } from './log-keys.js';
import type { Measurement, SeriesPoints, Status, Verdict } from './types.js';
import type { Transition } from './flap.js';
import { incidentFor, routeAlert } from './routing.js';
import { incidentWorkflowId } from './incident-key.js';
import { alertNode } from './correlation.js';
import type { Labels } from './matchers.js';
import type { AlertEvent, IncidentInput } from './incident-types.js';

/**
 * How a check's collect is retried before it counts as "could not check": as a
 * Temporal retry policy in a monitor run, by the group activity's own loop in a
 * group run (a configuration error is never retried).
 */
export const COLLECT_RETRY = { maximumAttempts: 3, initialIntervalMs: 1_000, backoffCoefficient: 2 } as const;

/** Members of a cadence group checked at once by one activity. */
export const GROUP_CHECK_CONCURRENCY = 16;

/** What a check needs done outside deterministic code: activities in a workflow, functions in an activity. */
export interface CheckSteps {
  collect(input: { monitorId: string; connector: NamedConnector; check: CheckSpec; at: string }): Promise<Measurement>;
  collectStages(input: {
    monitorId: string;
    pipeline: string;
    stages: NonNullable<MonitorDefinition['stages']>;
    check: Extract<CheckSpec, { type: 'stageCounts' }>;
    at: string;
  }): Promise<Measurement>;
  collectLogs(input: {
    monitorId: string;
    connector: NamedConnector;
    check: Extract<CheckSpec, { type: 'logs' }>;
    at: string;
    archiveTrigger?: MonitorDefinition['archiveTrigger'];
    policy: MonitorDefinition['notification'];
    pipeline?: string;
  }): Promise<Measurement>;
  baselines(input: {
    monitorId: string;
    rules: MonitorDefinition['rules'];
    at: string;
    toleranceMs: number;
    timeZone: string;
    current?: number | null;
  }): Promise<Baselines>;
}

/** The verdict of one tick: "could not check" when collecting failed after its retries. */
export async function runCheck(monitor: MonitorDefinition, at: Date, steps: CheckSteps): Promise<Verdict> {
  try {
    const check = monitor.check;
    let measurement =
      check.type === 'stageCounts'
        ? await steps.collectStages({
            monitorId: monitor.id,
            pipeline: check.pipeline,
            stages: monitor.stages!,
            check,
            at: at.toISOString(),
          })
        : check.type === 'logs'
          ? await steps.collectLogs({
              monitorId: monitor.id,
              connector: monitor.connector!,
              check,
              at: at.toISOString(),
              archiveTrigger: monitor.archiveTrigger,
              policy: monitor.notification,
              pipeline: monitor.pipeline,
            })
          : await steps.collect({ monitorId: monitor.id, connector: monitor.connector!, check, at: at.toISOString() });
    if (check.type === 'freshness' && check.expected) measurement = lateness(measurement, check.expected, at.getTime());
    // A promql range query brings the series' own points: rising and percentile judge those, not stored runs.
    const fromPoints = (points: SeriesPoints, value: number | null) =>
      pointBaselines(monitor.rules, points, measurement.observedAt, value);
    const history: Baselines = measurement.points
      ? fromPoints(measurement.points, measurement.value)
      : needsHistory(monitor) && !measurement.keys
        ? await steps.baselines({
            monitorId: monitor.id,
            rules: monitor.rules,
            at: measurement.observedAt,
            toleranceMs: toleranceMs(monitor),
            timeZone: monitor.schedule.timezone,
            current: measurement.value,
          })
        : {};
    // Keyed log rules: each key judged on its own (evaluation/log-keys.ts).
    if (measurement.keys)
      return keyedVerdict(monitor.rules, measurement, describeCheck(monitor, measurement.details), (k) =>
        k.points ? fromPoints(k.points, k.value) : {},
      );
    return evaluate(monitor.rules, measurement, history, describeCheck(monitor, measurement.details));
  } catch (err) {
    return couldNotCheck(failureMessage(err), monitor.unit, at.toISOString());
  }
}

/** One member of a cadence group run; verdict, labels and recorded only where there was a transition. */
export interface GroupMemberResult {
  monitorId: string;
  status: Status;
  value?: number | null;
  reason: string;
  transition: Transition;
  verdict?: Verdict;
  labels?: Labels;
  recorded?: RecordedTransition;
}

/** A recorded run as the incident signals need it (RecordedRun of the store). */
export interface RecordedTransition {
  transition: Transition;
  incidentIds: string[];
  alertLabels?: Labels;
}

/** The incidents to tell about a recorded transition, and what to tell them; none without a transition. */
export function incidentSignals(
  monitor: MonitorDefinition,
  recorded: RecordedTransition,
  labels: Labels,
  verdict: Verdict,
  runId: string,
): Array<{ incident: IncidentInput; event: AlertEvent }> {
  const { transition } = recorded;
  if (transition === 'none') return [];
  const openedWith = recorded.alertLabels ?? labels;
  const known = incidentsFor(monitor, openedWith);
  const subject = {
    id: monitor.id,
    description: monitor.description,
    perspective: monitor.perspective,
    pipeline: monitor.pipeline,
    labels: monitor.labels,
    runbook: monitor.runbook,
    checkType: monitor.check.type,
    // Correlated pipelines: where the alert sits in the graph, for naming the cause (evaluation/correlation.ts).
    ...(monitor.correlation ? { node: alertNode(monitor, verdict.details) } : {}),
  };
  return recorded.incidentIds.map((incidentId) => ({
    // The routing may have changed since the alert opened: then the incident runs on the root route's timing.
    incident: known.find((r) => r.incidentId === incidentId) ?? { ...rootRoute(monitor), incidentId, groupLabels: {} },
    event: {
      transition,
      runId,
      monitor: subject,
      labels: openedWith,
      status: verdict.status,
      verdict,
      at: verdict.observedAt,
    },
  }));
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
  const correlation = monitor.correlation;
  return routeAlert(monitor.notification.routing, labels).map((match) => ({
    // A correlated pipeline's alerts form one incident per receiver, whatever the route groups by: causes and symptoms together.
    ...(correlation
      ? {
          incidentId: incidentWorkflowId(match.receiver, [['pipeline', correlation.pipeline]]),
          groupLabels: { pipeline: correlation.pipeline },
          correlation: { windowMs: correlation.windowMs },
        }
      : incidentFor(match, labels)),
    receiver: match.receiver,
    timing: {
      groupWaitMs: match.groupWaitMs,
      groupIntervalMs: match.groupIntervalMs,
      repeatIntervalMs: match.repeatIntervalMs,
      ...(match.muteTimeIntervals ? { muteTimeIntervals: match.muteTimeIntervals } : {}),
      ...(match.activeTimeIntervals ? { activeTimeIntervals: match.activeTimeIntervals } : {}),
    },
    policy: monitor.notification,
  }));
}

/** What the number means, for reasons and messages: "age of the newest record in lake.records" (the check's descriptor says). */
export function describeCheck(monitor: MonitorDefinition, details?: Record<string, unknown>): string {
  return describeWithDescriptor(monitor.check, { monitorId: monitor.id, connector: monitor.connector, details });
}

export function needsHistory(monitor: MonitorDefinition): boolean {
  return monitor.rules.some((r) => ['changePercent', 'changeVs', 'anomaly', 'rising', 'percentile'].includes(r.kind));
}

/** How far from "24 h ago" a point may lie to stand for yesterday: half the interval, at least a minute. */
export function toleranceMs(monitor: MonitorDefinition): number {
  return Math.max(60_000, (monitor.schedule.everyMs ?? 3_600_000) / 2);
}

/** How long one collect may take: the connector's descriptor says. */
export function collectTimeoutMs(monitor: Pick<MonitorDefinition, 'connector'>): number {
  return connectorCollectTimeoutMs(monitor.connector);
}

function failureMessage(err: unknown): string {
  let e: unknown = err;
  while (e instanceof ActivityFailure && e.cause) e = e.cause;
  if (e instanceof ApplicationFailure || e instanceof Error) return e.message;
  return String(e);
}
