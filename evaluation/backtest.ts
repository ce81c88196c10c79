// Replays a monitor's rules and flap control over past values: when would it
// have fired, changed and resolved? The same evaluation and the same state
// machine as the live monitor, so what a backtest shows is what would happen.
// History before the range warms it as a live run is warmed: each point's
// baselines come from the same span before it a live run reads
// (historyNeededMs + tolerance), and the flap state at the range's start
// follows the stored statuses before it.
import type { FlapControl, Rule } from '../config/model.js';
import { nextMonitorState, type MonitorState, type Transition } from './flap.js';
import { computeBaselines, historyNeededMs, type HistoryPoint } from './history.js';
import { couldNotCheck, evaluate } from './rules.js';
import { STATUS_RANK, type Status, type Unit } from './types.js';

export interface BacktestPoint extends HistoryPoint {
  /** A stored run that could not check. */
  error?: boolean;
  /** The status a live run recorded (stored history): how the flap state is warmed before the range. */
  status?: Status;
}

const DAY = 86_400_000;
const HISTORY_RULES = new Set<Rule['kind']>(['changePercent', 'changeVs', 'anomaly', 'rising', 'percentile']);

/**
 * How far before `from` a backtest reads: what a live run's baselines read (historyNeededMs + tolerance); with
 * stored statuses also a day of them, so the flap state at `from` (streaks, an incident already open) is the live one.
 */
export function warmupMs(rules: Rule[], toleranceMs: number, storedStatuses: boolean): number {
  return historyNeededMs(rules) + toleranceMs + (storedStatuses ? DAY : 0);
}

export interface BacktestStep {
  observedAt: string;
  value: number | null;
  status: Status;
  reason: string;
  transition: Transition;
}

export interface BacktestIncident {
  openedAt: string;
  /** Already open when the range began (stored history before it): openedAt is the range's first point. */
  openBeforeRange?: true;
  resolvedAt?: string;
  worst: Status;
}

export interface BacktestResult {
  steps: BacktestStep[];
  incidents: BacktestIncident[];
}

export function backtest(
  rules: Rule[],
  flap: FlapControl,
  points: BacktestPoint[],
  options: {
    unit: Unit;
    toleranceMs: number;
    timeZone: string;
    describe: string;
    /** Points before this instant are history only: they warm baselines and flap state and make no steps. */
    from?: string;
  },
): BacktestResult {
  const sorted = [...points].sort((a, b) => Date.parse(a.observedAt) - Date.parse(b.observedAt));
  const times = sorted.map((p) => Date.parse(p.observedAt));
  const from = options.from === undefined ? -Infinity : Date.parse(options.from);
  // A live run reads [at − need − tolerance, at) from the store; so does each step here.
  const lookback = historyNeededMs(rules) + options.toleranceMs;
  const steps: BacktestStep[] = [];
  const incidents: BacktestIncident[] = [];
  let state: MonitorState | undefined;
  let first = 0;
  for (let k = 0; k < sorted.length; k++) {
    const point = sorted[k]!;
    const at = times[k]!;
    if (at < from) {
      // Warm-up: history for baselines; stored statuses are what the live state machine saw. Re-collected values
      // were never judged live, so they move no flap state.
      if (point.status !== undefined) state = nextMonitorState(state, point.status, point.observedAt, flap).state;
      continue;
    }
    if (steps.length === 0 && state?.alerting)
      incidents.push({ openedAt: point.observedAt, openBeforeRange: true, worst: state.alertStatus ?? state.status });
    while (times[first]! < at - lookback) first++;
    const verdict = point.error
      ? couldNotCheck('the check could not run at the time', options.unit, point.observedAt)
      : evaluate(
          rules,
          { value: point.value, unit: options.unit, observedAt: point.observedAt },
          // As evaluation/check.ts: history only when a rule needs it, and the current value in percentile windows.
          rules.some((r) => HISTORY_RULES.has(r.kind))
            ? computeBaselines(rules, sorted.slice(first, k), at, { ...options, current: point.value })
            : {},
          options.describe,
        );
    const next = nextMonitorState(state, verdict.status, point.observedAt, flap);
    state = next.state;
    steps.push({
      observedAt: point.observedAt,
      value: point.value,
      status: verdict.status,
      reason: verdict.reason,
      transition: next.transition,
    });
    const open = incidents.at(-1);
    if (next.transition === 'open') incidents.push({ openedAt: point.observedAt, worst: verdict.status });
    else if (
      open &&
      !open.resolvedAt &&
      next.transition === 'change' &&
      STATUS_RANK[verdict.status] > STATUS_RANK[open.worst]
    )
      open.worst = verdict.status;
    else if (open && !open.resolvedAt && next.transition === 'resolve') open.resolvedAt = point.observedAt;
  }
  return { steps, incidents };
}
