// Baselines from a monitor's own history: the previous run, the same time
// yesterday and last week, and a robust anomaly baseline (median and MAD of
// the training window, optionally only same-hour or same-weekday points).
// Pure: computed in an activity next to the data, in backtests, and in tests.
import type { AnomalySpec, Rule } from '../config/model.js';
import type { PreviousPoint, SeriesPoints } from './types.js';

export interface HistoryPoint {
  observedAt: string;
  value: number | null;
}

export interface AnomalyBaseline {
  median: number;
  /** Scale used for the z-score: MAD, or 1.2533 × mean absolute deviation when the MAD is 0. */
  scale: number;
  /** Points the baseline was built from. */
  n: number;
  seasonality: AnomalySpec['seasonality'];
  trainingMs: number;
  minHistory: number;
}

export interface Baselines {
  previous?: PreviousPoint;
  yesterday?: PreviousPoint;
  lastWeek?: PreviousPoint;
  /** Per rule index, for anomaly rules. */
  anomaly?: Record<number, AnomalyBaseline>;
  /** The latest values before this one, oldest first (for rising rules). */
  recent?: number[];
  /** Per rule index, for percentile rules: the percentile over its window, this value included when given. */
  percentile?: Record<number, number>;
}

const DAY = 86_400_000;

/**
 * The median of values in any order: the middle one, or the mean of the two middle ones when
 * their number is even; NaN when there are none. The one median of pipewatch (baselines, the
 * usual duration of a CronJob's runs, a report's times to acknowledge and resolve).
 */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return NaN;
  const mid = Math.floor(n / 2);
  return n % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median and robust scale of values (Iglewicz & Hoaglin's modified z-score). */
export function robustStats(values: number[]): { median: number; scale: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const m = median(sorted);
  const deviations = sorted.map((v) => Math.abs(v - m)).sort((a, b) => a - b);
  const mad = median(deviations);
  if (mad > 0) return { median: m, scale: mad / 0.6745 };
  const meanAd = deviations.reduce((s, d) => s + d, 0) / (deviations.length || 1);
  return { median: m, scale: meanAd * 1.253314 };
}

/** Robust z-score: how many scale units value lies from the median (±Infinity off a constant series). */
export function robustZ(value: number, b: { median: number; scale: number }): number {
  const d = value - b.median;
  if (d === 0) return 0;
  return b.scale > 0 ? d / b.scale : d > 0 ? Infinity : -Infinity;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const seasonCache = new Map<string, string>();

/** "weekday hour" of an instant in a time zone; formatting is costly, so both formatters and results are kept. */
function seasonKey(ms: number, timeZone: string): string {
  if (timeZone === 'UTC') {
    const d = new Date(ms);
    return `${d.getUTCDay()} ${d.getUTCHours()}`;
  }
  const cacheKey = `${timeZone} ${Math.floor(ms / 60_000)}`;
  const cached = seasonCache.get(cacheKey);
  if (cached) return cached;
  let f = formatters.get(timeZone);
  if (!f)
    formatters.set(
      timeZone,
      (f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: 'numeric', weekday: 'short' })),
    );
  const parts = f.formatToParts(new Date(ms));
  const key = `${parts.find((p) => p.type === 'weekday')?.value} ${Number(parts.find((p) => p.type === 'hour')?.value)}`;
  if (seasonCache.size > 200_000) seasonCache.clear();
  seasonCache.set(cacheKey, key);
  return key;
}

function sameSeason(a: number, b: number, seasonality: AnomalySpec['seasonality'], timeZone: string): boolean {
  if (seasonality === 'none') return true;
  const x = seasonKey(a, timeZone);
  const y = seasonKey(b, timeZone);
  return seasonality === 'hourOfDay' ? x.split(' ')[1] === y.split(' ')[1] : x === y;
}

/** Index of the first point at or after t (points sorted by time). */
function lowerBound(times: number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function nearest(
  points: HistoryPoint[],
  times: number[],
  target: number,
  toleranceMs: number,
): PreviousPoint | undefined {
  const i = lowerBound(times, target);
  let best: number | undefined;
  for (const j of [i - 1, i]) {
    if (j < 0 || j >= points.length || points[j]!.value === null) continue;
    if (Math.abs(times[j]! - target) > toleranceMs) continue;
    if (best === undefined || Math.abs(times[j]! - target) < Math.abs(times[best]! - target)) best = j;
  }
  return best === undefined ? undefined : { value: points[best]!.value!, observedAt: points[best]!.observedAt };
}

/** How much history the rules need before `at`. */
export function historyNeededMs(rules: Rule[]): number {
  let need = 0;
  for (const r of rules) {
    if (r.kind === 'changePercent') need = Math.max(need, DAY);
    if (r.kind === 'changeVs') need = Math.max(need, (r.baseline === 'lastWeek' ? 7 : 1) * DAY + DAY / 12);
    if (r.kind === 'anomaly') need = Math.max(need, r.anomaly!.trainingMs);
    if (r.kind === 'percentile') need = Math.max(need, r.percentile!.overMs);
    if (r.kind === 'rising') need = Math.max(need, 7 * DAY);
  }
  return need;
}

/**
 * Baselines for a value observed at `at`, from points strictly before it
 * (sorted oldest first). `toleranceMs` is how far from "24 h ago" a point may
 * be to count as yesterday's (about half the monitor's interval).
 */
export function computeBaselines(
  rules: Rule[],
  points: HistoryPoint[],
  at: number,
  options: { toleranceMs: number; timeZone: string; current?: number | null },
): Baselines {
  const times = points.map((p) => Date.parse(p.observedAt));
  const end = lowerBound(times, at);
  const before = points.slice(0, end);
  const beforeTimes = times.slice(0, end);
  const out: Baselines = {};
  for (let i = before.length - 1; i >= 0; i--) {
    if (before[i]!.value !== null) {
      out.previous = { value: before[i]!.value!, observedAt: before[i]!.observedAt };
      break;
    }
  }
  if (rules.some((r) => r.kind === 'changeVs' && r.baseline === 'yesterday'))
    out.yesterday = nearest(before, beforeTimes, at - DAY, options.toleranceMs);
  if (rules.some((r) => r.kind === 'changeVs' && r.baseline === 'lastWeek'))
    out.lastWeek = nearest(before, beforeTimes, at - 7 * DAY, options.toleranceMs);
  const rising = rules.filter((r) => r.kind === 'rising').reduce((n, r) => Math.max(n, r.runs ?? 0), 0);
  if (rising > 0)
    out.recent = before
      .filter((p) => p.value !== null)
      .slice(-rising)
      .map((p) => p.value!);
  rules.forEach((r, index) => {
    if (r.kind !== 'percentile' || !r.percentile) return;
    const from = lowerBound(beforeTimes, at - r.percentile.overMs);
    const values = before.slice(from).flatMap((p) => (p.value === null ? [] : [p.value]));
    if (options.current !== undefined && options.current !== null) values.push(options.current);
    if (values.length === 0) return;
    values.sort((a, b) => a - b);
    // Nearest-rank percentile.
    (out.percentile ??= {})[index] =
      values[Math.min(values.length - 1, Math.max(0, Math.ceil((r.percentile.p / 100) * values.length) - 1))]!;
  });
  rules.forEach((r, index) => {
    if (r.kind !== 'anomaly' || !r.anomaly) return;
    const a = r.anomaly;
    const from = lowerBound(beforeTimes, at - a.trainingMs);
    const values: number[] = [];
    for (let j = from; j < before.length; j++) {
      const v = before[j]!.value;
      if (v !== null && sameSeason(beforeTimes[j]!, at, a.seasonality, options.timeZone)) values.push(v);
    }
    const stats = values.length ? robustStats(values) : { median: NaN, scale: NaN };
    (out.anomaly ??= {})[index] = {
      ...stats,
      n: values.length,
      seasonality: a.seasonality,
      trainingMs: a.trainingMs,
      minHistory: a.minHistory,
    };
  });
  return out;
}

/**
 * Baselines from the source's own points (a promql range query) instead of stored runs: what rising and
 * percentile rules judge, the value at `at` included in the percentile as with stored history.
 */
export function pointBaselines(rules: Rule[], points: SeriesPoints, at: string, current: number | null): Baselines {
  const from = Date.parse(points.from);
  const history: HistoryPoint[] = points.values.map((value, i) => ({
    observedAt: new Date(from + i * points.stepMs).toISOString(),
    value,
  }));
  return computeBaselines(rules, history, Date.parse(at), { toleranceMs: 0, timeZone: 'UTC', current });
}
