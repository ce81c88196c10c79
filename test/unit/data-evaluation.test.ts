// History-based evaluation, lateness against a producer's schedule, the sorted
// merge behind reconciliation, and backtests — pure code, no servers.
import type { Rule } from '../../config/model.js';
import { backtest } from '../../evaluation/backtest.js';
import { lateness } from '../../evaluation/freshness.js';
import { computeBaselines, robustStats, type HistoryPoint } from '../../evaluation/history.js';
import { compareIds, judgeByRatio, missingIds } from '../../evaluation/reconcile.js';
import { evaluate } from '../../evaluation/rules.js';
import type { Measurement } from '../../evaluation/types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const start = Date.parse('2026-10-01T00:00:00Z');

/** Deterministic noise in [-1, 1). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

function seasonalSeries(days: number, noise: number, seed = 7): HistoryPoint[] {
  const rand = prng(seed);
  return Array.from({ length: days * 24 }, (_, i) => {
    const hour = i % 24;
    const base = 1000 + 600 * Math.sin((2 * Math.PI * hour) / 24) + (hour >= 9 && hour <= 17 ? 400 : 0);
    return { observedAt: new Date(start + i * HOUR).toISOString(), value: Math.round(base * (1 + noise * rand())) };
  });
}

const anomalyRule = (
  over: Partial<NonNullable<Rule['anomaly']>> = {},
  direction: Rule['direction'] = 'both',
): Rule => ({
  kind: 'anomaly',
  anomaly: { sensitivity: 3, trainingMs: 14 * DAY, minHistory: 4, seasonality: 'hourOfDay', minDeviation: 5, ...over },
  direction,
  severity: 'warning',
});

function flagged(points: HistoryPoint[], rule: Rule, fromIndex: number): Set<number> {
  const out = new Set<number>();
  for (let i = fromIndex; i < points.length; i++) {
    const at = Date.parse(points[i]!.observedAt);
    const b = computeBaselines([rule], points, at, { toleranceMs: HOUR / 2, timeZone: 'UTC' });
    const v = evaluate([rule], { value: points[i]!.value, unit: 'records', observedAt: points[i]!.observedAt }, b);
    if (v.status !== 'ok') out.add(i);
  }
  return out;
}

describe('robust anomaly detection', () => {
  it('finds injected drops and spikes in a noisy seasonal series (precision and recall reported)', () => {
    const points = seasonalSeries(28, 0.03);
    const injected = new Set<number>();
    const rand = prng(99);
    for (let k = 0; k < 20; k++) {
      const i = 15 * 24 + Math.floor(((rand() + 1) / 2) * 13 * 24);
      if (injected.has(i)) continue;
      injected.add(i);
      points[i] = { ...points[i]!, value: Math.round(points[i]!.value! * (k % 2 ? 0.4 : 1.8)) };
    }
    const found = flagged(points, anomalyRule(), 15 * 24);
    const hits = [...found].filter((i) => injected.has(i)).length;
    const precision = hits / (found.size || 1);
    const recall = hits / injected.size;
    // Also the same data without seasonality, to show what it buys.
    const flat = flagged(points, anomalyRule({ seasonality: 'none' }), 15 * 24);
    const flatHits = [...flat].filter((i) => injected.has(i)).length;
    console.log(
      `anomaly detection on 28 days of hourly seasonal data, ${injected.size} injected anomalies: ` +
        `hourOfDay seasonality precision ${precision.toFixed(2)} recall ${recall.toFixed(2)}; ` +
        `no seasonality precision ${(flatHits / (flat.size || 1)).toFixed(2)} recall ${(flatHits / injected.size).toFixed(2)}`,
    );
    expect(recall).toBeGreaterThanOrEqual(0.9);
    expect(precision).toBeGreaterThanOrEqual(0.9);
  });

  it('does not judge during cold start, however far off the value is: the run is learning, not ok', () => {
    const points = seasonalSeries(3, 0.01).slice(0, 3 * 24);
    const rule = anomalyRule({ minHistory: 4 });
    // Day 3 has only 2 same-hour points before it.
    const at = start + 2 * DAY + 5 * HOUR;
    const b = computeBaselines([rule], points, at, { toleranceMs: HOUR, timeZone: 'UTC' });
    expect(b.anomaly?.[0]?.n).toBe(2);
    const v = evaluate([rule], { value: 1_000_000, unit: 'records', observedAt: new Date(at).toISOString() }, b);
    expect(v.status).toBe('learning');
    expect(v.reason).toContain('learning: 2 of 4 same-hour points');
  });

  it('stays quiet on a flat but seasonal series', () => {
    const points = seasonalSeries(21, 0);
    expect(flagged(points, anomalyRule(), 14 * 24).size).toBe(0);
  });

  it('honours the direction and shows the baseline it used', () => {
    const points = seasonalSeries(15, 0.02);
    const at = Date.parse(points.at(-1)!.observedAt) + HOUR;
    const spikeOnly = anomalyRule({}, 'spike');
    const b = computeBaselines([spikeOnly], points, at, { toleranceMs: HOUR, timeZone: 'UTC' });
    expect(
      evaluate([spikeOnly], { value: 10, unit: 'records', observedAt: new Date(at).toISOString() }, b).status,
    ).toBe('ok');
    const v = evaluate(
      [spikeOnly],
      { value: 1_000_000, unit: 'records', observedAt: new Date(at).toISOString() },
      b,
      'records',
    );
    expect(v.status).toBe('warning');
    expect(v.baseline).toMatch(/^median [\d,]+ of 14 same-hour points over 14d$/);
    expect(v.reason).toMatch(/^records 1,000,000 is [\d.]+ robust deviations above the median/);
  });

  it('computes robust statistics that ignore outliers', () => {
    const { median, scale } = robustStats([10, 11, 9, 10, 10, 1000]);
    expect(median).toBe(10);
    expect(scale).toBeCloseTo(0.5 / 0.6745, 5);
  });
});

describe('change against yesterday and last week', () => {
  const rule = (baseline: 'yesterday' | 'lastWeek', direction: Rule['direction'] = 'both'): Rule => ({
    kind: 'changeVs',
    baseline,
    percent: 50,
    direction,
    severity: 'critical',
  });
  const points: HistoryPoint[] = [
    { observedAt: '2026-11-18T10:00:00.000Z', value: 400 },
    { observedAt: '2026-11-24T10:00:00.000Z', value: 900 },
    { observedAt: '2026-11-24T11:00:00.000Z', value: 100 },
  ];
  const at = Date.parse('2026-11-25T10:00:00.000Z');
  const m = (value: number): Measurement => ({ value, unit: 'records', observedAt: '2026-11-25T10:00:00.000Z' });

  it('compares with the point nearest to 24 h and 7 days ago', () => {
    const b = computeBaselines([rule('yesterday'), rule('lastWeek')], points, at, {
      toleranceMs: 30 * 60_000,
      timeZone: 'UTC',
    });
    expect(b.yesterday).toEqual({ value: 900, observedAt: '2026-11-24T10:00:00.000Z' });
    expect(b.lastWeek).toEqual({ value: 400, observedAt: '2026-11-18T10:00:00.000Z' });
    const v = evaluate([rule('yesterday')], m(300), b, 'records');
    expect(v.reason).toBe('records 300 changed -66.7% against the same time yesterday (900), more than 50%');
    expect(v.baseline).toBe('the same time yesterday: 900 at 2026-11-24T10:00:00.000Z');
    expect(evaluate([rule('lastWeek')], m(700), b).status).toBe('critical');
  });

  it('only counts the chosen direction', () => {
    const b = computeBaselines([rule('yesterday', 'spike')], points, at, { toleranceMs: 30 * 60_000, timeZone: 'UTC' });
    expect(evaluate([rule('yesterday', 'spike')], m(300), b).status).toBe('ok');
    expect(evaluate([rule('yesterday', 'drop')], m(300), b).status).toBe('critical');
  });

  it('has no baseline when nothing is close enough to 24 h ago', () => {
    const b = computeBaselines([rule('yesterday')], points, at + 2 * HOUR, {
      toleranceMs: 30 * 60_000,
      timeZone: 'UTC',
    });
    expect(b.yesterday).toBeUndefined();
    expect(evaluate([rule('yesterday')], m(1), b).status).toBe('ok');
  });
});

describe("lateness against the producer's schedule", () => {
  const hourly = { cron: '0 * * * *', timezone: 'UTC', grace: 10 * 60_000 };
  const fresh = (newest: string, at: string): Measurement => ({
    value: (Date.parse(at) - Date.parse(newest)) / 1000,
    unit: 'seconds',
    observedAt: at,
    details: { newest },
  });

  it("is on time while the last run's grace lasts, and late by the time since it ran out", () => {
    expect(
      lateness(fresh('2026-11-26T10:02:00Z', '2026-11-26T11:05:00Z'), hourly, Date.parse('2026-11-26T11:05:00Z')).value,
    ).toBe(0);
    const late = lateness(
      fresh('2026-11-26T10:02:00Z', '2026-11-26T11:15:00Z'),
      hourly,
      Date.parse('2026-11-26T11:15:00Z'),
    );
    expect(late.value).toBe(300);
    expect(late.details).toMatchObject({ expectedRun: '2026-11-26T11:00:00.000Z', dueBy: '2026-11-26T11:10:00.000Z' });
    expect(
      lateness(fresh('2026-11-26T11:01:00Z', '2026-11-26T11:15:00Z'), hourly, Date.parse('2026-11-26T11:15:00Z')).value,
    ).toBe(0);
  });

  it("works in the producer's time zone", () => {
    const berlin = { cron: '0 6 * * *', timezone: 'Europe/Berlin', grace: 30 * 60_000 };
    // 06:00 in Berlin is 05:00 UTC in November.
    const at = '2026-11-26T05:40:00Z';
    const v = lateness(fresh('2026-11-25T05:10:00Z', at), berlin, Date.parse(at));
    expect(v.details).toMatchObject({ expectedRun: '2026-11-26T05:00:00.000Z' });
    expect(v.value).toBe(600);
  });

  it('treats an empty dataset as late once a run is due', () => {
    const v = lateness(
      { value: null, unit: 'seconds', observedAt: '2026-11-26T11:15:00Z', details: { newest: null } },
      hourly,
      Date.parse('2026-11-26T11:15:00Z'),
    );
    expect(v.value).toBe(300);
  });
});

describe('reconciliation merge', () => {
  async function* batches(ids: string[], size: number) {
    for (let i = 0; i < ids.length; i += size) yield ids.slice(i, i + size);
  }
  const sorted = (ids: string[]) => [...ids].sort(compareIds);

  it('counts the ids the downstream lacks and samples them, in bounded batches', async () => {
    const upstream = sorted(Array.from({ length: 1000 }, (_, i) => `rec-${String(i).padStart(4, '0')}`));
    const dropped = new Set(upstream.filter((_, i) => i % 37 === 5));
    const downstream = sorted([...upstream.filter((id) => !dropped.has(id)), 'extra-1', 'zz-late']);
    const diff = await missingIds(batches(upstream, 64), batches(downstream, 50), { sample: 10 });
    expect(diff).toMatchObject({ missing: dropped.size, upstream: 1000, downstream: 1000 - dropped.size + 2 });
    expect(diff.sample).toHaveLength(10);
    for (const id of diff.sample) expect(dropped.has(id)).toBe(true);
  });

  it('refuses streams that are not sorted (a numeric id field)', async () => {
    await expect(
      missingIds(batches(['9', '10'], 1), batches([], 1), { sample: 1, upstreamName: 'stage served' }),
    ).rejects.toThrow(/ids of stage served are not in ascending string order \("9" before "10"\)/);
  });

  it("orders by code point, as PostgreSQL's C collation and Elasticsearch keywords do", () => {
    expect(['b', 'a', 'B', '\uffff', '😀', 'é'].sort(compareIds)).toEqual(['B', 'a', 'b', 'é', '\uffff', '😀']);
  });

  it('judges filtering stages by their expected ratio and tolerance', () => {
    expect(judgeByRatio('enriched', 1000, 480, 0.5, 0.05)).toMatchObject({ lost: 20, ok: true, expected: 500 });
    expect(judgeByRatio('enriched', 1000, 400, 0.5, 0.05)).toMatchObject({ lost: 100, ok: false });
  });
});

describe('backtest', () => {
  it('replays rules and flap control exactly as a hand computation does', () => {
    const values = [10, 10, 0, 0, 0, 10, 10, 10, 0, 10];
    const points = values.map((value, i) => ({ observedAt: new Date(start + i * HOUR).toISOString(), value }));
    const result = backtest(
      [{ kind: 'below', threshold: 5, severity: 'critical' }],
      { failAfter: 2, resolveAfter: 2 },
      points,
      {
        unit: 'records',
        toleranceMs: HOUR / 2,
        timeZone: 'UTC',
        describe: 'records',
      },
    );
    expect(result.steps.map((s) => s.status)).toEqual([
      'ok',
      'ok',
      'critical',
      'critical',
      'critical',
      'ok',
      'ok',
      'ok',
      'critical',
      'ok',
    ]);
    expect(result.steps.map((s) => s.transition)).toEqual([
      'none',
      'none',
      'none',
      'open',
      'none',
      'none',
      'resolve',
      'none',
      'none',
      'none',
    ]);
    expect(result.incidents).toEqual([
      { openedAt: points[3]!.observedAt, resolvedAt: points[6]!.observedAt, worst: 'critical' },
    ]);
  });

  it('counts runs that could not check as failing, like the live monitor', () => {
    const points = [0, 1, 2].map((i) => ({
      observedAt: new Date(start + i * HOUR).toISOString(),
      value: null,
      error: true,
    }));
    const result = backtest(
      [{ kind: 'below', threshold: 5, severity: 'critical' }],
      { failAfter: 3, resolveAfter: 1 },
      points,
      { unit: 'records', toleranceMs: HOUR, timeZone: 'UTC', describe: 'records' },
    );
    expect(result.incidents).toEqual([{ openedAt: points[2]!.observedAt, worst: 'error' }]);
  });
});
