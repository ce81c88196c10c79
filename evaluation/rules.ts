// Threshold and change rules: (measurement, previous value, rules) → verdict.
// Pure and deterministic, so it runs inside MonitorWorkflow and anywhere a rule
// must be replayed on past data.
import { formatDuration } from '../config/duration.js';
import type { Rule } from '../config/model.js';
import { STATUS_RANK, type Measurement, type PreviousPoint, type Status, type Verdict } from './types.js';

export function formatValue(value: number | null, unit: 'records' | 'seconds'): string {
  if (value === null) return 'no records';
  if (!Number.isFinite(value)) return String(value);
  if (unit === 'seconds') return formatDuration(value * 1000);
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(2);
}

export function describeRule(rule: Rule, unit: 'records' | 'seconds'): string {
  const v = (n: number | undefined) => formatValue(n ?? NaN, unit);
  switch (rule.kind) {
    case 'above':
      return `above ${v(rule.threshold)}`;
    case 'below':
      return `below ${v(rule.threshold)}`;
    case 'equals':
      return `equal to ${v(rule.threshold)}`;
    case 'outside':
      return `outside ${v(rule.range?.[0])}..${v(rule.range?.[1])}`;
    case 'changePercent':
      return `changed by more than ${rule.percent}%`;
  }
}

/** Percentage change from previous to value; Infinity when leaving zero. */
export function percentChange(previous: number, value: number): number {
  if (previous === value) return 0;
  if (previous === 0) return Infinity;
  return ((value - previous) / Math.abs(previous)) * 100;
}

function matches(rule: Rule, measured: number | null, previous: PreviousPoint | undefined): boolean {
  // Nothing measured (an empty dataset) is treated as larger than any threshold.
  const value = measured ?? Infinity;
  switch (rule.kind) {
    case 'above':
      return value > rule.threshold!;
    case 'below':
      return value < rule.threshold!;
    case 'equals':
      return value === rule.threshold!;
    case 'outside':
      return value < rule.range![0] || value > rule.range![1];
    case 'changePercent':
      return measured !== null && previous !== undefined && Math.abs(percentChange(previous.value, value)) > rule.percent!;
  }
}

/** Applies every rule; the most severe match decides. No match is ok. */
export function evaluate(
  rules: Rule[],
  measurement: Measurement,
  previous?: PreviousPoint,
  describe: string = 'value',
): Verdict {
  const { value, unit } = measurement;
  const base = { value, unit, previous, details: measurement.details, observedAt: measurement.observedAt };
  let decided: Rule | undefined;
  for (const rule of rules) {
    if (!matches(rule, value, previous)) continue;
    if (!decided || STATUS_RANK[rule.severity] > STATUS_RANK[decided.severity]) decided = rule;
  }
  const shown = value === null ? `${describe}: no records at all` : `${describe} ${formatValue(value, unit)}`;
  if (!decided) return { status: 'ok', reason: `${shown} is within all rules`, ...base };

  let reason = value === null ? `${shown} (rule: ${describeRule(decided, unit)})` : `${shown} is ${describeRule(decided, unit)}`;
  if (decided.kind === 'changePercent' && previous && value !== null) {
    const change = percentChange(previous.value, value);
    const pct = Number.isFinite(change) ? `${change > 0 ? '+' : ''}${change.toFixed(1)}%` : 'up from 0';
    reason = `${shown} changed ${pct} since the previous run (${formatValue(previous.value, unit)}), more than ${decided.percent}%`;
  }
  if (decided.summary) reason = `${decided.summary}: ${reason}`;
  return { status: decided.severity as Status, rule: decided, reason, ...base };
}

/** The verdict for a check that could not run: its own status, never ok and never a data problem. */
export function couldNotCheck(error: string, unit: 'records' | 'seconds', observedAt: string): Verdict {
  return { status: 'error', unit, reason: `could not check: ${error}`, error, observedAt };
}
