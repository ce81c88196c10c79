// What pipewatch knows about a connector without talking to it: the checks it runs and, per check,
// the perspective, the unit of the value and the words that say what the number means; how long a
// collect may take; and the connector's own rules for names written in the config. Descriptors are
// pure data and functions (types only from elsewhere), because workflow code reads them
// (connectors/descriptors.ts) and the workflow bundle cannot load Node modules or client libraries.
import type { NamedConnector, Rule } from '../config/model.js';
import type { CheckSpec, CheckType, ConnectorSpec, ConnectorType, Perspective } from '../config/schema.js';
import type { Unit } from '../evaluation/types.js';

export type CheckOf<K extends CheckType> = Extract<CheckSpec, { type: K }>;

/** What describing a check's value may use besides the check. */
export interface DescribeContext {
  monitorId: string;
  /** The monitor's connector (none for stageCounts). */
  connector?: NamedConnector;
  /** The measurement's details, when there is one. */
  details?: Record<string, unknown>;
}

export interface CheckDescriptor<K extends CheckType = CheckType> {
  /** The perspective a monitor of this check belongs to when it does not say. */
  perspective: Perspective;
  /** The unit of the value; thresholds written as durations become seconds. */
  unit(check: CheckOf<K>): Unit;
  /** What the number means, for reasons and messages: "age of the newest record in lake.records". */
  describe(check: CheckOf<K>, context: DescribeContext): string;
  /** A natural cadence other than defaults.schedule, used when the monitor gives no schedule. */
  defaultEveryMs?: number;
  /** Long, heartbeating collections with side effects of their own stay on schedules of their own, never in a cadence group. */
  ownSchedule?: boolean;
  /**
   * Whether the check reports one value per key (measurement.keys), each key judged, recorded and alerted on
   * its own by the monitor workflow (a cadence group run records one verdict per member, so these never join one).
   */
  keyed?(check: CheckOf<K>): boolean;
  /** What the monitor's rules (normalised) ask that this check cannot judge as written, at paths under the monitor. */
  ruleProblems?(check: CheckOf<K>, rules: readonly Rule[]): RuleProblem[];
}

/** A rule (or the check field a rule depends on) refused at load: the path under the monitor, and what to write. */
export interface RuleProblem {
  path: Array<string | number>;
  message: string;
}

/** Check descriptors by check type; a connector's list is in the order `validate` names its checks in. */
export type CheckDescriptors<K extends CheckType> = { [P in K]: CheckDescriptor<P> };

/** A field of a check or stage that names a table, an index or a field of the connector's store. */
export type SourceField = 'dataset' | 'timestamp' | 'uniqueId';

/** A problem found in a check or stage at load, at `field` under it. */
export interface FieldProblem {
  field: string;
  message: string;
}

export interface ConnectorDescriptor<T extends ConnectorType = ConnectorType> {
  type: T;
  /** The checks this connector runs. */
  checks: Partial<CheckDescriptors<CheckType>>;
  /** How long one collect may take before the activity times out. */
  collectTimeoutMs(spec: Extract<ConnectorSpec, { type: T }>): number;
  /** Names go into queries: why `value` cannot be the `field` of a check or stage on this connector. */
  sourceNameProblem?(field: SourceField, value: string): string | undefined;
  /** What a check on this connector needs beyond its schema. */
  checkProblem?(check: CheckSpec): FieldProblem | undefined;
  /** What a pipeline stage stored on this connector cannot ask for. */
  stageProblem?(stage: { normalise: readonly string[] }): FieldProblem | undefined;
}

/** A collect's timeout when the connector sets none of its own (or the check has no connector). */
export const DEFAULT_COLLECT_TIMEOUT_MS = 60_000;
