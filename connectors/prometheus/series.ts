// What a promql check makes of Prometheus' answer, without I/O: the samples of
// an instant query, one value from several series (or one value per series,
// `series: each`), and a range query's points on the grid ending at the tick
// (`range`), which rising and percentile rules judge instead of stored runs.
import type { CheckSpec } from '../../config/model.js';
import type { KeyedValue, SeriesPoints } from '../../evaluation/types.js';
import { CollectError } from '../types.js';

type PromqlCheck = Extract<CheckSpec, { type: 'promql' }>;
type Reduction = Exclude<PromqlCheck['series'], 'each'>;

/** `series: each` judges at most this many series: each is a monitor state and an alert of its own. */
export const MAX_EACH_SERIES = 100;
/** Points of all series a range query may bring into a run (they travel in the workflow's history). */
export const MAX_RANGE_VALUES = 10_000;

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

/** One series of a range query: its value at each instant it has one (ms since the epoch). */
export interface RangeSeries {
  metric: Record<string, string>;
  values: Map<number, number>;
}

/** "up{job="api",instance="a:9100"}" as Prometheus writes a series. */
export function seriesName(metric: Record<string, string>): string {
  const { __name__: name = '', ...labels } = metric;
  const inner = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  return `${name}${inner || !name ? `{${inner}}` : ''}`;
}

/** A series' labels as alert labels: the metric name is not one (Prometheus' alerts drop it too). */
export function seriesLabels(metric: Record<string, string>): Record<string, string> {
  const { __name__: _name, ...labels } = metric;
  return labels;
}

/** Prometheus' sample values are strings: "1.5", "NaN", "+Inf". */
function sampleValue(text: unknown): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return typeof text === 'string' ? Number(text) : NaN;
}

/** The samples of an instant query's result, whatever its type. */
export function samplesOf(data: { resultType: string; result: unknown }): Sample[] {
  switch (data.resultType) {
    case 'scalar':
      return [{ metric: {}, value: sampleValue((data.result as [number, string])[1]) }];
    case 'vector':
      return (data.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((r) => ({
        metric: r.metric ?? {},
        value: sampleValue(r.value?.[1]),
      }));
    default:
      throw new CollectError(
        `the query returned a ${data.resultType}; a promql check needs an instant vector or a scalar (drop the range selector [..] or wrap it in a function such as rate(); for a series' own history write range: on the check)`,
      );
  }
}

/** The series of a range query's result (query_range answers a matrix). */
export function rangeSeriesOf(data: { resultType: string; result: unknown }): RangeSeries[] {
  if (data.resultType !== 'matrix')
    throw new CollectError(`Prometheus answered a range query with a ${data.resultType}, not a matrix`);
  return (data.result as Array<{ metric: Record<string, string>; values: Array<[number, string]> }>).map((r) => ({
    metric: r.metric ?? {},
    values: new Map((r.values ?? []).map(([t, v]) => [Math.round(t * 1000), sampleValue(v)])),
  }));
}

function tooManySeries(metrics: Array<Record<string, string>>): CollectError {
  return new CollectError(
    `the query returned ${metrics.length} series (${metrics
      .slice(0, 3)
      .map(seriesName)
      .join(
        ', ',
      )}${metrics.length > 3 ? ', …' : ''}); aggregate them in PromQL (e.g. max(...)) or set series: max | min | sum | avg | count | each`,
  );
}

/** Refuses more series than `series: each` judges, naming a few and what to write instead. */
export function boundEach(metrics: Array<Record<string, string>>): void {
  if (metrics.length <= MAX_EACH_SERIES) return;
  throw new CollectError(
    `the query returned ${metrics.length} series (${metrics.slice(0, 3).map(seriesName).join(', ')}, …); series: each judges at most ${MAX_EACH_SERIES}, each an alert of its own: narrow the query by its labels, keep the worst with topk(${MAX_EACH_SERIES}, …), or aggregate (series: max)`,
  );
}

/** One value from the samples, as the check's `series` says. */
export function reduceSamples(samples: Sample[], series: Reduction): number | null {
  const values = samples.map((s) => s.value).filter((v) => !Number.isNaN(v));
  if (series === 'one' && samples.length > 1) throw tooManySeries(samples.map((s) => s.metric));
  if (values.length === 0) return null;
  switch (series) {
    case 'one':
      return values[0]!;
    case 'max':
      return Math.max(...values);
    case 'min':
      return Math.min(...values);
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'count':
      return samples.length;
  }
}

/** The instants of a range query ending at the tick: every step, the last one at `atMs`. */
export function rangeGrid(atMs: number, rangeMs: number, stepMs: number): { startMs: number; points: number } {
  const steps = Math.floor(rangeMs / stepMs);
  return { startMs: atMs - steps * stepMs, points: steps + 1 };
}

/** A series' values on the grid; NaN and missing instants are gaps (null). */
function onGrid(values: Map<number, number>, grid: { startMs: number; points: number }, stepMs: number) {
  return Array.from({ length: grid.points }, (_, i) => {
    const v = values.get(grid.startMs + i * stepMs);
    return v === undefined || Number.isNaN(v) ? null : v;
  });
}

/** The value at the tick (the grid's last instant) and the points before it. */
function split(values: Array<number | null>, grid: { startMs: number }, stepMs: number) {
  const points: SeriesPoints = { from: new Date(grid.startMs).toISOString(), stepMs, values: values.slice(0, -1) };
  return { value: values[values.length - 1] ?? null, points };
}

/** A range query as one value and its points: at each instant, the series reduced as the check says. */
export function reduceRange(
  series: RangeSeries[],
  reduction: Reduction,
  grid: { startMs: number; points: number },
  stepMs: number,
): { value: number | null; points: SeriesPoints } {
  if (reduction === 'one' && series.length > 1) throw tooManySeries(series.map((s) => s.metric));
  const perInstant = Array.from({ length: grid.points }, (_, i) => {
    const t = grid.startMs + i * stepMs;
    const samples = series.flatMap((s) => (s.values.has(t) ? [{ metric: s.metric, value: s.values.get(t)! }] : []));
    return reduceSamples(samples, reduction);
  });
  return split(perInstant, grid, stepMs);
}

/** `series: each` over a range query: every series its own value and points. */
export function eachRange(
  series: RangeSeries[],
  grid: { startMs: number; points: number },
  stepMs: number,
): KeyedValue[] {
  boundEach(series.map((s) => s.metric));
  if (series.length * grid.points > MAX_RANGE_VALUES)
    throw new CollectError(
      `the range query returned ${series.length} series of ${grid.points} points, more than ${MAX_RANGE_VALUES} points in all: narrow the query, or make the range shorter or the step longer`,
    );
  return series.map((s) => keyed(s.metric, split(onGrid(s.values, grid, stepMs), grid, stepMs)));
}

/** `series: each` over an instant query: every series its own value. */
export function eachSample(samples: Sample[]): KeyedValue[] {
  boundEach(samples.map((s) => s.metric));
  return samples.map((s) => keyed(s.metric, { value: Number.isNaN(s.value) ? null : s.value }));
}

function keyed(metric: Record<string, string>, v: { value: number | null; points?: SeriesPoints }): KeyedValue {
  return {
    key: seriesName(metric),
    value: v.value,
    labels: seriesLabels(metric),
    ...(v.points ? { points: v.points } : {}),
    // A series without a value now (NaN, or none at the tick) is "no data", judged by no rule.
    ...(v.value === null ? { details: { noData: true } } : {}),
  };
}
