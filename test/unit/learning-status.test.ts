// A rule that cannot judge yet (an anomaly baseline with too few points) says
// so as its own status, "learning": never "ok", never an incident, never
// evidence that resolves one. Pure code: rules, flap control, backtest.
import type { FlapControl, Rule } from '../../config/model.js';
import { backtest } from '../../evaluation/backtest.js';
import { nextMonitorState, type MonitorState } from '../../evaluation/flap.js';
import { computeBaselines, type HistoryPoint } from '../../evaluation/history.js';
import { evaluate } from '../../evaluation/rules.js';
import { isFailing, isHealthy, type Status } from '../../evaluation/types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const start = Date.parse('2026-10-01T00:00:00Z');

const drop: Rule = {
  kind: 'anomaly',
  anomaly: { sensitivity: 3, trainingMs: 14 * DAY, minHistory: 336, seasonality: 'none', minDeviation: 5 },
  direction: 'drop',
  severity: 'critical',
};
const floor: Rule = { kind: 'below', threshold: 10, severity: 'warning' };

function hourly(n: number, value: (i: number) => number): HistoryPoint[] {
  return Array.from({ length: n }, (_, i) => ({
    observedAt: new Date(start + i * HOUR).toISOString(),
    value: value(i),
  }));
}

describe('learning: a rule that cannot judge yet', () => {
  const points = hourly(40, (i) => 1000 + (i % 5));
  const at = start + 40 * HOUR;
  const baselines = computeBaselines([floor, drop], points, at, { toleranceMs: HOUR / 2, timeZone: 'UTC' });

  it('a 90 % drop with 40 of 336 points is "learning: 40 of 336 points", not ok', () => {
    const v = evaluate(
      [floor, drop],
      { value: 100, unit: 'records', observedAt: new Date(at).toISOString() },
      baselines,
      'records',
    );
    expect(v.status).toBe('learning');
    expect(v.reason).toBe(
      'records 100 is within the other rules; the anomaly rule cannot judge yet (learning: 40 of 336 points)',
    );
    expect(isFailing(v.status)).toBe(false);
    expect(isHealthy(v.status)).toBe(false);
  });

  it('a rule that can judge still decides: a failing threshold wins over learning', () => {
    const v = evaluate(
      [floor, drop],
      { value: 5, unit: 'records', observedAt: new Date(at).toISOString() },
      baselines,
      'records',
    );
    expect(v.status).toBe('warning');
  });

  it('with enough history the same drop is judged', () => {
    const long = hourly(400, (i) => 1000 + (i % 5));
    const later = start + 400 * HOUR;
    const b = computeBaselines([drop], long, later, { toleranceMs: HOUR / 2, timeZone: 'UTC' });
    const v = evaluate([drop], { value: 100, unit: 'records', observedAt: new Date(later).toISOString() }, b);
    expect(v.status).toBe('critical');
    expect(
      evaluate([drop], { value: 1001, unit: 'records', observedAt: new Date(later).toISOString() }, b).status,
    ).toBe('ok');
  });

  it('without history consulted (a one-shot run) nothing claims to be learning', () => {
    expect(evaluate([drop], { value: 100, unit: 'records', observedAt: new Date(at).toISOString() }, {}).status).toBe(
      'ok',
    );
  });
});

describe('learning in flap control', () => {
  const flap: FlapControl = { failAfter: 2, resolveAfter: 2 };
  const walk = (statuses: Status[]) => {
    let state: MonitorState | undefined;
    return statuses.map((s, i) => {
      const next = nextMonitorState(state, s, new Date(start + i * HOUR).toISOString(), flap);
      state = next.state;
      return next.transition;
    });
  };

  it.each<[string, Status[], string[]]>([
    [
      'never opens an incident, however long',
      ['learning', 'learning', 'learning', 'learning'],
      ['none', 'none', 'none', 'none'],
    ],
    [
      'is no evidence of health: an open incident stays open',
      ['critical', 'critical', 'learning', 'learning', 'learning'],
      ['none', 'open', 'none', 'none', 'none'],
    ],
    [
      'does not count toward resolving',
      ['critical', 'critical', 'ok', 'learning', 'ok'],
      ['none', 'open', 'none', 'none', 'resolve'],
    ],
    [
      'does not count toward opening, nor break a failing streak',
      ['warning', 'learning', 'warning'],
      ['none', 'none', 'open'],
    ],
  ])('%s', (_name, statuses, transitions) => {
    expect(walk(statuses)).toEqual(transitions);
  });

  it('a backtest of a new monitor shows learning runs and no incident from them', () => {
    const points = hourly(10, (i) => (i === 8 ? 50 : 1000));
    const result = backtest([drop], flap, points, {
      unit: 'records',
      toleranceMs: HOUR / 2,
      timeZone: 'UTC',
      describe: 'records',
    });
    expect(result.steps.map((s) => s.status)).toEqual(Array(10).fill('learning'));
    expect(result.incidents).toEqual([]);
  });
});
