// What a check measured and what pipewatch concluded from it. Plain data that
// crosses the activity/workflow boundary and lands in history and the store.
import type { Rule, Severity } from '../config/model.js';

/**
 * ok / info: healthy (info rules are recorded, never paged).
 * warning / critical: the data (or service) is bad.
 * error: the check could not run; neither healthy nor a data problem.
 */
export type Status = 'ok' | 'info' | 'warning' | 'critical' | 'error';

export const STATUS_RANK: Record<Status, number> = { ok: 0, info: 1, error: 2, warning: 3, critical: 4 };

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
}

export type { Rule, Severity };
