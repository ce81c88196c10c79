// The normalised form of a declared monitor: what a schedule carries and what a
// MonitorWorkflow receives. Plain serialisable data, types only, so workflow
// code can import it. Secrets inside stay `${ENV}` references.
import type { Matcher } from '../evaluation/matchers.js';
import type { TimeInterval } from '../evaluation/time-intervals.js';
import type { Unit } from '../evaluation/types.js';
import type { ChannelSpec, CheckSpec, ConnectorSpec, Perspective, Severity } from './schema.js';

export type { ChannelSpec, CheckSpec, ConnectorSpec, Perspective, Severity };

export type RuleKind =
  | 'above'
  | 'below'
  | 'equals'
  | 'outside'
  | 'changePercent'
  | 'changeVs'
  | 'anomaly'
  | 'rising'
  | 'percentile'
  | 'condition';

export type Direction = 'both' | 'drop' | 'spike';

export interface AnomalySpec {
  sensitivity: number;
  trainingMs: number;
  minHistory: number;
  seasonality: 'none' | 'hourOfDay' | 'dayOfWeek';
  /** Percent of the median below which a move never counts. */
  minDeviation: number;
}

export interface Rule {
  kind: RuleKind;
  /** above / below / equals: the threshold in the check's unit. */
  threshold?: number;
  /** outside: the healthy range, inclusive. */
  range?: [number, number];
  /** changePercent / changeVs: the largest healthy move, in percent. */
  percent?: number;
  /** changeVs: what the value is compared with. */
  baseline?: 'yesterday' | 'lastWeek';
  anomaly?: AnomalySpec;
  /** rising: how many consecutive increases. */
  runs?: number;
  /** percentile: which percentile of the values over how long (threshold holds the limit). */
  percentile?: { p: number; overMs: number };
  /** changePercent / changeVs / anomaly: which moves count. */
  direction?: Direction;
  severity: Severity;
  summary?: string;
}

/** One stage of a pipeline, with its connector: what stageCounts compares. */
export interface PipelineStage {
  id: string;
  connector: NamedConnector;
  dataset: string;
  uniqueId: string;
  timestamp: string;
  expectedRatio?: number;
  tolerance: number;
  normalise: Array<'lowercase' | 'trim'>;
}

export interface MonitorSchedule {
  everyMs?: number;
  /** Phase of an interval schedule (ms after each multiple of everyMs since the epoch). */
  offsetMs?: number;
  cron?: string;
  timezone: string;
  jitterMs?: number;
  catchupWindowMs: number;
}

export interface FlapControl {
  failAfter: number;
  resolveAfter: number;
}

export interface DeliveryPolicy {
  initialIntervalMs: number;
  maximumIntervalMs: number;
  timeoutMs: number;
  /** Channel told when another channel has failed for fallbackAfterMs. */
  fallback?: string;
  fallbackAfterMs: number;
}

export interface RouteNode {
  matchers: Matcher[];
  receiver: string;
  groupBy: string[];
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  continue: boolean;
  routes: RouteNode[];
  /** Names of timeIntervals in which this route sends nothing (not inherited, as in Alertmanager). */
  muteTimeIntervals?: string[];
  /** Names of timeIntervals outside all of which this route sends nothing (not inherited). */
  activeTimeIntervals?: string[];
}

export interface Receiver {
  id: string;
  /** Channels told as soon as the group wait is over. */
  notify: string[];
  escalation?: string;
}

export interface EscalationStep {
  /** After the previous step (the first: after the incident opened). */
  afterMs: number;
  notify: string[];
}

export interface EscalationPolicy {
  id: string;
  steps: EscalationStep[];
  /** How many more times the steps run after the first pass. */
  repeat: number;
  /** The policy that follows when this one is exhausted. */
  then?: string;
}

export interface InhibitRule {
  name?: string;
  source: Matcher[];
  target: Matcher[];
  equal: string[];
}

export interface MaintenanceWindow {
  id: string;
  matchers: Matcher[];
  cron: string;
  durationMs: number;
  timezone: string;
  reason: string;
  owner: string;
}

export interface ArchiveTriggerSettings {
  /** `${ENV}` password references per archive source. */
  knownPasswords: Record<string, string[]>;
  limits: { maxEntries: number; maxBytes: number; maxRatio: number };
  intervention: {
    receiver: string;
    remindEveryMs: number;
    deadlineMs: number;
    defaultAction: 'skip' | 'abort' | 'retry';
  };
}

/** Everything an incident needs to decide who hears what, carried with each monitor. */
export interface NotificationPolicy {
  routing: RouteNode;
  receivers: Record<string, Receiver>;
  escalations: Record<string, EscalationPolicy>;
  channels: Record<string, NamedChannel>;
  inhibit: InhibitRule[];
  maintenance: MaintenanceWindow[];
  /** Named time intervals routes refer to; present only when declared. */
  timeIntervals?: Record<string, TimeInterval[]>;
  delivery: DeliveryPolicy;
  /** A group that fires again this soon after resolving reopens the same incident. */
  reopenWindowMs: number;
  /** Acknowledgements expire after this long unless the operator says otherwise. */
  ackExpiryMs?: number;
}

export type NamedConnector = ConnectorSpec & { id: string };
export type NamedChannel = ChannelSpec & { id: string };

export interface MonitorDefinition {
  id: string;
  description?: string;
  perspective: Perspective;
  pipeline?: string;
  labels: Record<string, string>;
  runbook?: string;
  /** Absent for stageCounts, which reads its pipeline's stages. */
  connector?: NamedConnector;
  check: CheckSpec;
  /** stageCounts: the pipeline's stages in order. */
  stages?: PipelineStage[];
  /** logs checks that start archive flows: what those flows need from the rest of the config. */
  archiveTrigger?: ArchiveTriggerSettings;
  unit: Unit;
  rules: Rule[];
  schedule: MonitorSchedule;
  flap: FlapControl;
  notification: NotificationPolicy;
  /** Where each run's result is also written as a document (sinks.elasticsearch); absent when not configured. */
  sink?: ResultsSink;
  /** The stage of its pipeline it watches, declared (stage:) or derived by the pipeline graph (evaluation/graph.ts). */
  stage?: string;
  /** Monitors it depends on, declared (dependsOn:) and through them: upstream of it whatever the stage order says. */
  dependsOn?: string[];
  /** Its pipeline declares correlation: alerts are grouped by pipeline, told as causes with their symptoms. */
  correlation?: CorrelationSettings;
  /** Content hash of everything above: changes exactly when the monitor's behaviour does. */
  version: string;
}

/** A pipeline's correlation as its monitors carry it (pipelines.<id>.correlation). */
export interface CorrelationSettings {
  pipeline: string;
  windowMs: number;
  /** The pipeline's stages in order: a stage's place is its position in the graph. */
  stages: string[];
}

/** An Elasticsearch index that receives every monitor run as an ECS document. */
export interface ResultsSink {
  connector: NamedConnector;
  index: string;
}

/** A monitor of a pipeline, as its report needs it. */
export interface ReportMonitor {
  id: string;
  description?: string;
  checkType: CheckSpec['type'];
  unit: Unit;
}

/** One pipeline's periodic digest: what a report schedule carries and what a ReportWorkflow receives. */
export interface ReportDefinition {
  pipeline: string;
  description?: string;
  schedule: MonitorSchedule;
  /** What one report covers: the period ending when it is made. */
  periodMs: number;
  /** How many periods the trend looks back (this one included). */
  trendPeriods: number;
  stages: string[];
  /** Monitors of the pipeline: its `pipeline` label, or a stageCounts check on it. */
  monitors: ReportMonitor[];
  /** Email channels (secrets as `${ENV}` references); none means saved only. */
  channels: NamedChannel[];
  delivery: DeliveryPolicy;
  /**
   * How long after a window's end its stage counts are recorded (reports/period.ts): a scheduled report waits this
   * long after its period's end, so the period's last window is in it. Absent in definitions synced before.
   */
  judgedWithinMs?: number;
  /** Content hash of everything above. */
  version: string;
}

/** Monitors run together (config/groups.ts): one schedule and one workflow run per group and tick. */
export interface CadenceGroup {
  /** "1m-07": the interval, a key of the rest of the schedule when it is not the default, the bucket. */
  id: string;
  /** Content hash of the schedule and every member's version: sync updates the group's schedule when it changes. */
  version: string;
  /** The members' interval, timezone, jitter and catch-up window; the offset is the group's own. */
  schedule: MonitorSchedule;
  /** The policy every member shares (routing, receivers, channels), carried once instead of once per member. */
  notification: NotificationPolicy;
  monitors: GroupMember[];
}

/** A member as the group carries it: its definition without the shared notification policy. */
export type GroupMember = Omit<MonitorDefinition, 'notification'>;

/** The members' full definitions again. */
export function groupMonitors(group: Pick<CadenceGroup, 'notification' | 'monitors'>): MonitorDefinition[] {
  return group.monitors.map((m) => ({ ...m, notification: group.notification }));
}
