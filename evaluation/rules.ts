// Threshold and change rules: (measurement, previous value, rules) → verdict.
// Pure and deterministic, so it runs inside MonitorWorkflow and anywhere a rule
// must be replayed on past data.
import { formatDuration } from '../config/duration.js';
import type { Rule } from '../config/model.js';
import { robustZ, type AnomalyBaseline, type Baselines } from './history.js';
import { STATUS_RANK, type Measurement, type Status, type Unit, type Verdict } from './types.js';

export function formatValue(value: number | null, unit: Unit): string {
  if (value === null) return 'no records';
  if (!Number.isFinite(value)) return String(value);
  if (unit === 'seconds')
    return value < 1 && value > 0 ? `${Math.round(value * 1000)}ms` : formatDuration(value * 1000);
  if (unit === 'percent') return `${Number.isInteger(value) ? value : value.toFixed(1)}%`;
  if (unit === 'bytes') {
    const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
    let v = value;
    let i = 0;
    while (Math.abs(v) >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
  }
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(2);
}

export function describeRule(rule: Rule, unit: Unit): string {
  const v = (n: number | undefined) => formatValue(n ?? NaN, unit);
  const dir = rule.direction === 'drop' ? ' (drops)' : rule.direction === 'spike' ? ' (spikes)' : '';
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
      return `changed by more than ${rule.percent}% since the previous run${dir}`;
    case 'changeVs':
      return `changed by more than ${rule.percent}% against ${rule.baseline === 'lastWeek' ? 'the same time last week' : 'the same time yesterday'}${dir}`;
    case 'anomaly':
      return `anomalous: ${rule.anomaly!.sensitivity} or more robust deviations from the median${dir}`;
    case 'rising':
      return `rising for ${rule.runs} runs in a row`;
    case 'percentile':
      return `p${rule.percentile!.p} over ${formatDuration(rule.percentile!.overMs)} above ${v(rule.threshold)}`;
    case 'condition':
      return 'a condition of the check';
  }
}

/** Percentage change from previous to value; Infinity when leaving zero. */
export function percentChange(previous: number, value: number): number {
  if (previous === value) return 0;
  if (previous === 0) return Infinity;
  return ((value - previous) / Math.abs(previous)) * 100;
}

function moved(change: number, limit: number, direction: Rule['direction']): boolean {
  if (direction === 'drop') return change < -limit;
  if (direction === 'spike') return change > limit;
  return Math.abs(change) > limit;
}

interface Match {
  /** What the value was compared with, shown in the verdict. */
  baseline?: string;
  reason?: string;
}

function pct(change: number): string {
  return Number.isFinite(change) ? `${change > 0 ? '+' : ''}${change.toFixed(1)}%` : 'up from 0';
}

function check(
  rule: Rule,
  index: number,
  measured: number | null,
  baselines: Baselines,
  unit: Unit,
  shown: string,
): Match | undefined {
  // Nothing measured (an empty dataset) is treated as larger than any threshold.
  const value = measured ?? Infinity;
  switch (rule.kind) {
    case 'above':
      return value > rule.threshold! ? {} : undefined;
    case 'below':
      return value < rule.threshold! ? {} : undefined;
    case 'equals':
      return value === rule.threshold! ? {} : undefined;
    case 'outside':
      return value < rule.range![0] || value > rule.range![1] ? {} : undefined;
    case 'changePercent':
    case 'changeVs': {
      const base =
        rule.kind === 'changePercent'
          ? baselines.previous
          : rule.baseline === 'lastWeek'
            ? baselines.lastWeek
            : baselines.yesterday;
      if (measured === null || !base) return undefined;
      const change = percentChange(base.value, measured);
      if (!moved(change, rule.percent!, rule.direction)) return undefined;
      const against =
        rule.kind === 'changePercent'
          ? 'the previous run'
          : rule.baseline === 'lastWeek'
            ? 'the same time last week'
            : 'the same time yesterday';
      return {
        baseline: `${against}: ${formatValue(base.value, unit)} at ${base.observedAt}`,
        reason: `${shown} changed ${pct(change)} against ${against} (${formatValue(base.value, unit)}), more than ${rule.percent}%`,
      };
    }
    case 'rising': {
      const series = [...(baselines.recent ?? []), ...(measured === null ? [] : [measured])];
      const last = series.slice(-(rule.runs! + 1));
      if (last.length < rule.runs! + 1 || !last.every((v, i) => i === 0 || v > last[i - 1]!)) return undefined;
      return {
        baseline: `the last ${rule.runs! + 1} values: ${last.map((v) => formatValue(v, unit)).join(' → ')}`,
        reason: `${shown} has risen ${rule.runs} runs in a row (${last.map((v) => formatValue(v, unit)).join(' → ')})`,
      };
    }
    case 'percentile': {
      const p = baselines.percentile?.[index];
      if (p === undefined || !(p > rule.threshold!)) return undefined;
      const label = `p${rule.percentile!.p} over the last ${formatDuration(rule.percentile!.overMs)}`;
      return {
        baseline: `${label}: ${formatValue(p, unit)}`,
        reason: `${label} is ${formatValue(p, unit)}, above ${formatValue(rule.threshold!, unit)}`,
      };
    }
    case 'condition':
      return undefined;
    case 'anomaly': {
      const b = baselines.anomaly?.[index];
      if (measured === null || !b || b.n < b.minHistory) return undefined; // cold start: no verdict yet
      const z = robustZ(measured, b);
      if (!moved(z, rule.anomaly!.sensitivity - 1e-9, rule.direction)) return undefined;
      if (Math.abs(measured - b.median) < (Math.abs(b.median) * rule.anomaly!.minDeviation) / 100) return undefined;
      const season =
        b.seasonality === 'hourOfDay' ? ' same-hour' : b.seasonality === 'dayOfWeek' ? ' same-weekday-and-hour' : '';
      const baseline = `median ${formatValue(b.median, unit)} of ${b.n}${season} points over ${formatDuration(b.trainingMs)}`;
      const size = Number.isFinite(z) ? `${Math.abs(z).toFixed(1)} robust deviations` : 'far';
      return {
        baseline,
        reason: `${shown} is ${size} ${z < 0 ? 'below' : 'above'} the ${baseline} (sensitivity ${rule.anomaly!.sensitivity})`,
      };
    }
  }
}

/** Applies every rule; the most severe match decides. No match is ok. */
export function evaluate(
  rules: Rule[],
  measurement: Measurement,
  baselines: Baselines = {},
  describe: string = 'value',
): Verdict {
  const { value, unit } = measurement;
  const base = {
    value,
    unit,
    previous: baselines.previous,
    details: measurement.details,
    observedAt: measurement.observedAt,
  };
  const shown = value === null ? `${describe}: no records at all` : `${describe} ${formatValue(value, unit)}`;
  // An empty aggregation (a log metric over a window without events) is "no data": no rule judges it.
  if (value === null && measurement.noData && !(measurement.failed ?? []).length)
    return { status: 'ok', reason: `${describe}: no data in the window, not judged`, ...base };
  let decided: { rule: Rule; match: Match } | undefined;
  // Conditions the check itself judged (an HTTP status, a changed response shape, no consumers…).
  const failed = measurement.failed ?? [];
  if (failed.length > 0) {
    const severity = failed
      .map((f) => f.severity ?? measurement.failedSeverity ?? 'critical')
      .reduce((worst, s) => (STATUS_RANK[s] > STATUS_RANK[worst] ? s : worst));
    decided = {
      rule: { kind: 'condition', severity, summary: undefined },
      match: { reason: failed.map((f) => `${f.condition}: ${f.reason}`).join('; ') },
    };
  }
  rules.forEach((rule, index) => {
    const match = check(rule, index, value, baselines, unit, shown);
    if (match && (!decided || STATUS_RANK[rule.severity] > STATUS_RANK[decided.rule.severity]))
      decided = { rule, match };
  });
  const caveat = measurement.caveat ? `; ${measurement.caveat}` : '';
  if (!decided) {
    // A rule without enough history has not judged: the run is "learning", never evidence of health.
    const learning = rules.flatMap((rule, index) =>
      rule.kind === 'anomaly' && value !== null && baselines.anomaly?.[index]
        ? learningNote(rule, baselines.anomaly[index])
        : [],
    );
    if (learning.length)
      return {
        status: 'learning',
        reason: `${shown} is within the other rules; ${learning.join('; ')}${caveat}`,
        ...base,
      };
    return { status: 'ok', reason: `${shown} is within all rules${caveat}`, ...base };
  }

  const { rule, match } = decided;
  const status: Status =
    measurement.severityHint && rule.kind !== 'condition' ? measurement.severityHint : (rule.severity as Status);
  let reason =
    match.reason ??
    (value === null ? `${shown} (rule: ${describeRule(rule, unit)})` : `${shown} is ${describeRule(rule, unit)}`);
  if (rule.summary) reason = `${rule.summary}: ${reason}`;
  return { status, rule, reason: `${reason}${caveat}`, baseline: match.baseline, ...base };
}

/** "learning: 40 of 336 points" for an anomaly rule whose baseline is still too small to judge by. */
function learningNote(rule: Rule, b: AnomalyBaseline): string[] {
  if (b.n >= b.minHistory) return [];
  const season =
    rule.anomaly!.seasonality === 'hourOfDay'
      ? ' same-hour'
      : rule.anomaly!.seasonality === 'dayOfWeek'
        ? ' same-weekday-and-hour'
        : '';
  return [`the anomaly rule cannot judge yet (learning: ${b.n} of ${b.minHistory}${season} points)`];
}

/** The verdict for a check that could not run: its own status, never ok and never a data problem. */
export function couldNotCheck(error: string, unit: Unit, observedAt: string): Verdict {
  return { status: 'error', unit, reason: `could not check: ${error}`, error, observedAt };
}
