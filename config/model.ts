// The normalised form of a declared monitor: what a schedule carries and what a
// MonitorWorkflow receives. Plain serialisable data, types only, so workflow
// code can import it. Secrets inside stay `${ENV}` references.
import type { ChannelSpec, CheckSpec, ConnectorSpec, Perspective, Severity } from './schema.js';

export type { ChannelSpec, CheckSpec, ConnectorSpec, Perspective, Severity };

export type RuleKind = 'above' | 'below' | 'equals' | 'outside' | 'changePercent';

export interface Rule {
  kind: RuleKind;
  /** above / below / equals: the threshold in the check's unit. */
  threshold?: number;
  /** outside: the healthy range, inclusive. */
  range?: [number, number];
  /** changePercent: the largest healthy move since the previous value. */
  percent?: number;
  severity: Severity;
  summary?: string;
}

export interface MonitorSchedule {
  everyMs?: number;
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
  connector: NamedConnector;
  check: CheckSpec;
  unit: 'records' | 'seconds';
  rules: Rule[];
  schedule: MonitorSchedule;
  flap: FlapControl;
  channels: NamedChannel[];
  delivery: DeliveryPolicy;
  /** Content hash of everything above: changes exactly when the monitor's behaviour does. */
  version: string;
}
