// What a check measured and what pipewatch concluded from it. Plain data that
// crosses the activity/workflow boundary and lands in history and the store.
import type { Rule, Severity } from '../config/model.js';

/**
 * ok / info: healthy (info rules are recorded, never paged).
 * learning: nothing fired, but a rule could not judge yet (an anomaly baseline
 *   with too few points). Neither healthy nor failing: it opens no incident and
 *   is no evidence for resolving one (flap control leaves both streaks as they are).
 * warning / critical: the data (or service) is bad.
 * error: the check could not run; neither healthy nor a data problem.
 */
export type Status = 'ok' | 'info' | 'learning' | 'warning' | 'critical' | 'error';

export const STATUS_RANK: Record<Status, number> = { ok: 0, info: 1, learning: 2, error: 3, warning: 4, critical: 5 };

/** Healthy evidence: what resolves an incident and counts as a good run. */
export function isHealthy(status: Status): boolean {
  return status === 'ok' || status === 'info';
}

export function isFailing(status: Status): boolean {
  return status === 'warning' || status === 'critical' || status === 'error';
}

/** What a value counts. Thresholds written as durations ("15m") are seconds. */
export type Unit = 'records' | 'seconds' | 'percent' | 'bytes' | 'count' | 'messages';

export interface Measurement {
  /** null: there is nothing to measure (no records at all), which is older than any threshold. */
  value: number | null;
  unit: Unit;
  /** The instant the measurement describes (the tick's scheduled time). */
  observedAt: string;
  /** Facts an operator would want next to the number: newest timestamp, window bounds … */
  details?: Record<string, string | number | boolean | null>;
  /** Conditions the check judged itself, that failed: "[STATUS] == 200" … */
  failed?: Array<{ condition: string; reason: string; severity?: Severity }>;
  /** The severity the source suggests (the worst log level seen) when a rule fires. */
  severityHint?: Severity;
  /** The JSON shape of an HTTP response (path → type), compared by the collect activity and then dropped. */
  shape?: Record<string, string>;
  /** Severity of failed conditions (default critical). */
  failedSeverity?: Severity;
  /** What the check could not see (RabbitMQ without its management API …): said in every verdict's reason. */
  caveat?: string;
  /** null means "no data" (an empty aggregation), judged by no rule — not "nothing at all". */
  noData?: boolean;
  /**
   * One value per key, each judged on its own: log rules with a queryKey (connectors/logs.ts), promql with
   * `series: each` (a key per series).
   */
  keys?: KeyedValue[];
  /** The source's own points before the value (a promql range query): rising and percentile judge these, not stored runs. */
  points?: SeriesPoints;
}

/** A keyed value: a log rule's key is the query key's values joined by ","; a PromQL series' is its name and labels. */
export interface KeyedValue {
  key: string;
  value: number | null;
  details?: Record<string, string | number | boolean | null>;
  /** Labels the key's alert carries besides the monitor's (a PromQL series' labels). */
  labels?: Record<string, string>;
  /** The key's own points before its value (a promql range query with `series: each`). */
  points?: SeriesPoints;
}

/** Evenly spaced points of a series, oldest first, from `from` every `stepMs`; null where it had no value. */
export interface SeriesPoints {
  from: string;
  stepMs: number;
  values: Array<number | null>;
}

export interface PreviousPoint {
  value: number;
  observedAt: string;
}

export interface Verdict {
  status: Status;
  value?: number | null;
  unit: Unit;
  /** The rule that decided a failing or info status. */
  rule?: Rule;
  /** One sentence an operator can act on: "newest record is 2h13m old (above 15m)". */
  reason: string;
  previous?: PreviousPoint;
  /** What a history rule compared the value with: "median 1,000 of 14 same-hour points over 14d". */
  baseline?: string;
  /** Why the check could not run (status error); secrets already scrubbed. */
  error?: string;
  details?: Measurement['details'];
  observedAt: string;
  /** Keyed log rules: each key's own verdict; the monitor's status is the worst of them. */
  keys?: Array<{ key: string; verdict: Verdict; labels?: Record<string, string> }>;
}

export type { Rule, Severity };
