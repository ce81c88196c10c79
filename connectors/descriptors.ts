// The connector descriptors (connectors/descriptor.ts), one line per connector, and what pipewatch
// asks of them: which connectors run a check, a check's perspective, unit and description, a
// collect's timeout. Pure: workflow code and the loader ask here instead of switching on types.
import type { NamedConnector, Rule } from '../config/model.js';
import type { CheckSpec, CheckType, ConnectorType, Perspective } from '../config/schema.js';
import type { Unit } from '../evaluation/types.js';
import {
  DEFAULT_COLLECT_TIMEOUT_MS,
  type CheckDescriptor,
  type ConnectorDescriptor,
  type DescribeContext,
  type RuleProblem,
} from './descriptor.js';
import { elasticsearchDescriptor } from './elasticsearch/descriptor.js';
import { hostDescriptor } from './host/descriptor.js';
import { httpDescriptor } from './http/descriptor.js';
import { kubernetesDescriptor } from './kubernetes/descriptor.js';
import { logfilesDescriptor } from './logfiles/descriptor.js';
import { postgresDescriptor } from './postgres/descriptor.js';
import { prometheusDescriptor } from './prometheus/descriptor.js';
import { rabbitmqDescriptor } from './rabbitmq/descriptor.js';
import { pipelineChecks } from './shared/descriptor.js';
import { temporalDescriptor } from './temporal/descriptor.js';

export const CONNECTOR_DESCRIPTORS: { [T in ConnectorType]: ConnectorDescriptor<T> } = {
  postgres: postgresDescriptor,
  elasticsearch: elasticsearchDescriptor,
  http: httpDescriptor,
  rabbitmq: rabbitmqDescriptor,
  host: hostDescriptor,
  temporal: temporalDescriptor,
  logfiles: logfilesDescriptor,
  kubernetes: kubernetesDescriptor,
  prometheus: prometheusDescriptor,
};

/** Every check type's descriptor: the one its connectors share, or a pipeline check's. */
const CHECKS = new Map<CheckType, CheckDescriptor>(
  [
    ...Object.values(CONNECTOR_DESCRIPTORS).flatMap((d) => Object.entries(d.checks)),
    ...Object.entries(pipelineChecks),
  ].map(([type, descriptor]) => [type as CheckType, descriptor as CheckDescriptor]),
);

export function connectorDescriptor<T extends ConnectorType>(type: T): ConnectorDescriptor<T> {
  return CONNECTOR_DESCRIPTORS[type] as ConnectorDescriptor<T>;
}

export function checkDescriptor(type: CheckType): CheckDescriptor {
  const descriptor = CHECKS.get(type);
  if (!descriptor) throw new Error(`no connector describes the check type ${type}`);
  return descriptor;
}

/** Whether a connector of this type runs this check. */
export function runsCheck(connectorType: ConnectorType, checkType: CheckType): boolean {
  return checkType in CONNECTOR_DESCRIPTORS[connectorType].checks;
}

/** The checks a connector of this type runs, in the order `validate` names them. */
export function checksOf(connectorType: ConnectorType): CheckType[] {
  return Object.keys(CONNECTOR_DESCRIPTORS[connectorType].checks) as CheckType[];
}

/** The perspective a check belongs to when its monitor does not say. */
export function checkPerspective(type: CheckType): Perspective {
  return checkDescriptor(type).perspective;
}

/** The unit of the value a check measures; thresholds written as durations become seconds. */
export function checkUnit(check: CheckSpec): Unit {
  return checkDescriptor(check.type).unit(check as never);
}

/** What the number a check measures means, for reasons and messages. */
export function describeCheck(check: CheckSpec, context: DescribeContext): string {
  return checkDescriptor(check.type).describe(check as never, context);
}

/** A cadence other than defaults.schedule for monitors of this check that give none. */
export function defaultEveryMs(type: CheckType): number | undefined {
  return checkDescriptor(type).defaultEveryMs;
}

/** Whether monitors of this check keep a schedule of their own instead of joining a cadence group. */
export function needsOwnSchedule(type: CheckType): boolean {
  return checkDescriptor(type).ownSchedule === true;
}

/** Whether a monitor of this check is judged and alerted per key (its descriptor's `keyed`). */
export function isKeyedCheck(check: CheckSpec): boolean {
  return (checkDescriptor(check.type) as CheckDescriptor).keyed?.(check as never) === true;
}

/** What the monitor's rules ask that its check cannot judge (its descriptor's `ruleProblems`). */
export function checkRuleProblems(check: CheckSpec, rules: readonly Rule[]): RuleProblem[] {
  return (checkDescriptor(check.type) as CheckDescriptor).ruleProblems?.(check as never, rules) ?? [];
}

/** How long one collect on this connector may take (a stageCounts check has none: the default). */
export function collectTimeoutMs(connector: NamedConnector | undefined): number {
  if (!connector) return DEFAULT_COLLECT_TIMEOUT_MS;
  return (connectorDescriptor(connector.type) as ConnectorDescriptor).collectTimeoutMs(connector as never);
}
