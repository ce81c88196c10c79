// Replays a monitor's rules and flap control over past values: when would it
// have fired, changed and resolved? The same evaluation and the same state
// machine as the live monitor, so what a backtest shows is what would happen.
import type { FlapControl, Rule } from '../config/model.js';
import { nextMonitorState, type MonitorState, type Transition } from './flap.js';
import { computeBaselines, type HistoryPoint } from './history.js';
import { couldNotCheck, evaluate } from './rules.js';
import { STATUS_RANK, type Status, type Unit } from './types.js';

export interface BacktestPoint extends HistoryPoint {
  /** A stored run that could not check. */
  error?: boolean;
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
  options: { unit: Unit; toleranceMs: number; timeZone: string; describe: string },
): BacktestResult {
  const sorted = [...points].sort((a, b) => Date.parse(a.observedAt) - Date.parse(b.observedAt));
  const steps: BacktestStep[] = [];
  const incidents: BacktestIncident[] = [];
  let state: MonitorState | undefined;
  for (const point of sorted) {
    const at = Date.parse(point.observedAt);
    const verdict = point.error
      ? couldNotCheck('the check could not run at the time', options.unit, point.observedAt)
      : evaluate(rules, { value: point.value, unit: options.unit, observedAt: point.observedAt }, computeBaselines(rules, sorted, at, options), options.describe);
    const next = nextMonitorState(state, verdict.status, point.observedAt, flap);
    state = next.state;
    steps.push({ observedAt: point.observedAt, value: point.value, status: verdict.status, reason: verdict.reason, transition: next.transition });
    const open = incidents.at(-1);
    if (next.transition === 'open') incidents.push({ openedAt: point.observedAt, worst: verdict.status });
    else if (open && !open.resolvedAt && next.transition === 'change' && STATUS_RANK[verdict.status] > STATUS_RANK[open.worst]) open.worst = verdict.status;
    else if (open && !open.resolvedAt && next.transition === 'resolve') open.resolvedAt = point.observedAt;
  }
  return { steps, incidents };
}
