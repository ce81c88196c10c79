// The prometheus connector as workflow code and the loader see it (connectors/descriptor.ts), and what a
// promql check's rules may ask: history rules read stored runs of one value per monitor, or — with `range` —
// the series' own points from Prometheus; what neither can judge is refused at load with what to write.
import { formatDuration } from '../../config/duration.js';
import type { Rule } from '../../config/model.js';
import type { CheckOf, ConnectorDescriptor, FieldProblem, RuleProblem } from '../descriptor.js';

/** A range query's points per series at most (range / step + 1). */
export const MAX_RANGE_POINTS = 1_000;
/** A range query's resolution when the check gives none. */
export const DEFAULT_STEP_MS = 60_000;

type PromqlCheck = CheckOf<'promql'>;

const HISTORY_RULES: ReadonlyArray<Rule['kind']> = ['changePercent', 'changeVs', 'anomaly', 'rising', 'percentile'];
const RANGE_RULES: ReadonlyArray<Rule['kind']> = ['rising', 'percentile'];

/** Points of a range query per series: every step, the last at the tick. */
export function rangePoints(rangeMs: number, stepMs: number): number {
  return Math.floor(rangeMs / stepMs) + 1;
}

const inPromql =
  "write the change in PromQL and judge it with above or below, e.g. query: '100 * (x / x offset 1d - 1)' (offset 1w for last week, offset of one interval for the previous run)";

function rangeProblem(check: PromqlCheck): FieldProblem | undefined {
  if (check.range === undefined)
    return check.step === undefined
      ? undefined
      : { field: 'step', message: 'step is the resolution of a range query: write range too, or remove step' };
  const step = check.step ?? DEFAULT_STEP_MS;
  if (step > check.range)
    return {
      field: 'step',
      message: `step ${formatDuration(step)} is longer than range ${formatDuration(check.range)}: a range has at least two points`,
    };
  const points = rangePoints(check.range, step);
  if (points > MAX_RANGE_POINTS)
    return {
      field: 'range',
      message: `range ${formatDuration(check.range)} at step ${formatDuration(step)} is ${points.toLocaleString('en-US')} points per series, more than ${MAX_RANGE_POINTS.toLocaleString('en-US')}: a step of at least ${formatDuration(Math.ceil(check.range / (MAX_RANGE_POINTS - 1) / 1000) * 1000)}, or a shorter range`,
    };
  return undefined;
}

/** A history rule of a check without range: fine on one value, refused per series. */
function perSeriesProblem(rule: Rule): string | undefined {
  if (rule.kind === 'rising' || rule.kind === 'percentile')
    return `a ${rule.kind} rule with series: each judges each series' own history, and pipewatch stores one value per monitor: add range (e.g. range: 1h, step: 1m) so each series' points come from Prometheus`;
  if (rule.kind === 'anomaly')
    return 'an anomaly rule learns from stored runs, and pipewatch stores one value per monitor, not per series: aggregate the series (series: max | min | sum | avg) or write one monitor per series';
  return `a ${rule.kind} rule compares with stored runs, and pipewatch stores one value per monitor, not per series: ${inPromql}`;
}

/** With range, rising and percentile judge Prometheus' points: each must fit in them, and nothing else reads history. */
function withRangeProblems(check: PromqlCheck, rangeMs: number, rules: readonly Rule[]): RuleProblem[] {
  const out: RuleProblem[] = [];
  const step = check.step ?? DEFAULT_STEP_MS;
  const points = rangePoints(rangeMs, step);
  const of = `range ${formatDuration(rangeMs)} at step ${formatDuration(step)}`;
  rules.forEach((rule, j) => {
    if (rule.kind === 'rising' && rule.runs! + 1 > points)
      out.push({
        path: ['rules', j],
        message: `rising: ${rule.runs} needs ${rule.runs! + 1} points and ${of} has ${points}: a longer range or a shorter step`,
      });
    else if (rule.kind === 'percentile' && rule.percentile!.overMs > rangeMs)
      out.push({
        path: ['rules', j],
        message: `percentile over ${formatDuration(rule.percentile!.overMs)} reaches past ${of}: make range at least ${formatDuration(rule.percentile!.overMs)}, or over at most ${formatDuration(rangeMs)}`,
      });
    else if (HISTORY_RULES.includes(rule.kind) && !RANGE_RULES.includes(rule.kind))
      out.push({
        path: ['rules', j],
        message: `with range, rising and percentile judge Prometheus' points, and a ${rule.kind} rule would judge stored runs instead: remove range, or ${inPromql}`,
      });
  });
  if (!rules.some((r) => RANGE_RULES.includes(r.kind)))
    out.push({
      path: ['check', 'range'],
      message:
        "range is for rising and percentile rules (they judge the range's points) and this monitor has none: remove range, or add a rising or percentile rule",
    });
  return out;
}

export const prometheusDescriptor: ConnectorDescriptor<'prometheus'> = {
  type: 'prometheus',
  checks: {
    promql: {
      perspective: 'services',
      unit: (check) => check.unit,
      describe: (check) =>
        `${check.series === 'one' || check.series === 'each' ? '' : `${check.series} over the series of `}${check.query}`,
      keyed: (check) => check.series === 'each',
      ruleProblems: (check, rules) => {
        if (check.range !== undefined) return withRangeProblems(check, check.range, rules);
        if (check.series !== 'each') return [];
        return rules.flatMap((rule, j) => {
          const why = HISTORY_RULES.includes(rule.kind) ? perSeriesProblem(rule) : undefined;
          return why ? [{ path: ['rules', j], message: why }] : [];
        });
      },
    },
  },
  collectTimeoutMs: (spec) => spec.timeout + 5_000,
  checkProblem: (check) => (check.type === 'promql' ? rangeProblem(check) : undefined),
};
