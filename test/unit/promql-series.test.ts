// A promql check per series (`series: each`) and over a range (`range`, `step`): what the loader refuses, with
// file:line and what to write instead, and the pure part of the connector (connectors/prometheus/series.ts) — the
// grid a range query is read on, reductions per instant, the series bound — and the baselines a range's own
// points give rising and percentile rules. Against a real Prometheus: test/integration/prometheus-series.test.ts.
import { ConfigError, parseConfig } from '../../config/load.js';
import {
  boundEach,
  eachRange,
  eachSample,
  rangeGrid,
  reduceRange,
  type RangeSeries,
} from '../../connectors/prometheus/series.js';
import { pointBaselines } from '../../evaluation/history.js';
import { keyedVerdict } from '../../evaluation/log-keys.js';
import { evaluate } from '../../evaluation/rules.js';

const config = (check: string, rules: string, extra = '') =>
  `version: 1
defaults: { schedule: { every: 1m } }
connectors:
  prom: { type: prometheus, url: "http://127.0.0.1:9090" }
monitors:
  - id: m
    connector: prom
    check: ${check}
    rules: ${rules}
${extra}`;

/** The problems loading the config reports, each as `file:line:col: path: message`; [] when it loads. */
function problems(yaml: string): string[] {
  try {
    parseConfig(yaml, 'prom.yaml', { env: false });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
}

describe('promql per series and over a range: refused at load with what to write instead', () => {
  const table: Array<{ name: string; check: string; rules: string; expected: RegExp[] }> = [
    {
      name: 'rising per series without range',
      check: "{ type: promql, query: 'up', series: each }",
      rules: '[{ rising: 3 }]',
      expected: [
        /^prom\.yaml:9:\d+: monitors\[0\]\.rules\[0\]: a rising rule with series: each .*add range \(e\.g\. range: 1h, step: 1m\)/,
      ],
    },
    {
      name: 'percentile per series without range',
      check: "{ type: promql, query: 'up', series: each }",
      rules: '[{ percentile: { p: 95, over: 1h, above: 2 } }]',
      expected: [/^prom\.yaml:9:\d+: monitors\[0\]\.rules\[0\]: a percentile rule with series: each .*add range/],
    },
    {
      name: 'changePercent per series',
      check: "{ type: promql, query: 'up', series: each }",
      rules: '[{ changePercent: 50 }]',
      expected: [/monitors\[0\]\.rules\[0\]: a changePercent rule compares with stored runs.*offset 1d - 1/],
    },
    {
      name: 'anomaly per series',
      check: "{ type: promql, query: 'up', series: each }",
      rules: '[{ anomaly: { sensitivity: 3 } }]',
      expected: [
        /monitors\[0\]\.rules\[0\]: an anomaly rule learns from stored runs.*series: max \| min \| sum \| avg/,
      ],
    },
    {
      name: 'range without a rule that reads it',
      check: "{ type: promql, query: 'up', range: 1h }",
      rules: '[{ above: 1 }]',
      expected: [/^prom\.yaml:8:\d+: monitors\[0\]\.check\.range: range is for rising and percentile rules/],
    },
    {
      name: 'a history rule beside range',
      check: "{ type: promql, query: 'up', range: 1h }",
      rules: '[{ rising: 3 }, { changeVs: { baseline: yesterday, percent: 20 } }]',
      expected: [/monitors\[0\]\.rules\[1\]: with range, rising and percentile judge Prometheus' points.*remove range/],
    },
    {
      name: 'rising longer than the range',
      check: "{ type: promql, query: 'up', range: 5m, step: 1m }",
      rules: '[{ rising: 6 }]',
      expected: [/monitors\[0\]\.rules\[0\]: rising: 6 needs 7 points and range 5m at step 1m has 6/],
    },
    {
      name: 'percentile over more than the range',
      check: "{ type: promql, query: 'up', range: 30m }",
      rules: '[{ percentile: { p: 95, over: 1h, above: 2 } }]',
      expected: [
        /monitors\[0\]\.rules\[0\]: percentile over 1h reaches past range 30m at step 1m: make range at least 1h/,
      ],
    },
    {
      name: 'too many points',
      check: "{ type: promql, query: 'up', range: 1d, step: 15s }",
      rules: '[{ rising: 3 }]',
      expected: [
        /monitors\[0\]\.check\.range: range 1d at step 15s is 5,761 points per series, more than 1,000: a step of at least 1m27s/,
      ],
    },
    {
      name: 'step without range',
      check: "{ type: promql, query: 'up', step: 1m }",
      rules: '[{ above: 1 }]',
      expected: [/monitors\[0\]\.check\.step: step is the resolution of a range query: write range too/],
    },
    {
      name: 'step longer than range',
      check: "{ type: promql, query: 'up', range: 1m, step: 5m }",
      rules: '[{ percentile: { p: 50, over: 1m, above: 1 } }]',
      expected: [/monitors\[0\]\.check\.step: step 5m is longer than range 1m/],
    },
  ];
  it.each(table)('$name', ({ check, rules, expected }) => {
    const found = problems(config(check, rules));
    for (const e of expected) expect(found.some((p) => e.test(p)) ? e : found).toEqual(e);
  });

  it.each([
    ['thresholds per series', "{ type: promql, query: 'up', series: each }", '[{ below: 1, severity: critical }]'],
    ['rising per series over a range', "{ type: promql, query: 'up', series: each, range: 10m }", '[{ rising: 5 }]'],
    [
      'percentile over a range',
      "{ type: promql, query: 'up', range: 1h, step: 5m }",
      '[{ percentile: { p: 95, over: 1h, above: 2 } }, { above: 5 }]',
    ],
    [
      'history rules on one value (stored runs)',
      "{ type: promql, query: 'sum(up)' }",
      '[{ rising: 3 }, { anomaly: { sensitivity: 3 } }]',
    ],
  ])('loads %s', (_name, check, rules) => {
    expect(problems(config(check, rules))).toEqual([]);
  });

  it('keeps a per-series monitor out of cadence groups (a group run records one verdict per member)', () => {
    const monitors = Array.from({ length: 4 }, (_, i) => [
      `  - id: each-${i}\n    connector: prom\n    check: { type: promql, query: 'up', series: each }\n    rules: [{ below: 1 }]`,
      `  - id: one-${i}\n    connector: prom\n    check: { type: promql, query: 'sum(up)' }\n    rules: [{ below: 1 }]`,
    ]).flat();
    const loaded = parseConfig(
      `version: 1\ncadenceGroups: { size: 2 }\ndefaults: { schedule: { every: 1m } }\nconnectors:\n  prom: { type: prometheus, url: "http://x" }\nmonitors:\n${monitors.join('\n')}\n`,
      'groups.yaml',
      { env: false },
    );
    const grouped = loaded.groups.flatMap((g) => g.monitors.map((m) => m.id));
    expect(grouped.sort()).toEqual(['one-0', 'one-1', 'one-2', 'one-3']);
  });
});

describe('the range grid and what is read on it', () => {
  const at = Date.parse('2026-01-01T12:00:00Z');
  const series = (metric: Record<string, string>, values: Array<[number, number]>): RangeSeries => ({
    metric,
    values: new Map(values.map(([minutesBefore, v]) => [at - minutesBefore * 60_000, v])),
  });

  it('ends at the tick, every step, and drops a part step at the start', () => {
    expect(rangeGrid(at, 10 * 60_000, 60_000)).toEqual({ startMs: at - 600_000, points: 11 });
    expect(rangeGrid(at, 10 * 60_000 + 30_000, 60_000)).toEqual({ startMs: at - 600_000, points: 11 });
  });

  it('reduces several series at each instant; a gap is no value, the value is the tick', () => {
    const grid = rangeGrid(at, 3 * 60_000, 60_000);
    const a = series({ job: 'a' }, [
      [3, 1],
      [2, 5],
      [0, 2],
    ]);
    const b = series({ job: 'b' }, [
      [3, 4],
      [1, 3],
      [0, NaN],
    ]);
    expect(reduceRange([a, b], 'max', grid, 60_000)).toEqual({
      value: 2,
      points: { from: new Date(at - 180_000).toISOString(), stepMs: 60_000, values: [4, 5, 3] },
    });
    expect(reduceRange([a, b], 'count', grid, 60_000).points.values).toEqual([2, 1, 1]);
    expect(() => reduceRange([a, b], 'one', grid, 60_000)).toThrow(/the query returned 2 series .*series: max/);
    expect(reduceRange([series({}, [[1, 7]])], 'one', grid, 60_000)).toMatchObject({ value: null });
  });

  it('gives each series its own value, labels and points, without the metric name in its labels', () => {
    const grid = rangeGrid(at, 2 * 60_000, 60_000);
    const keys = eachRange(
      [
        series({ __name__: 'lag', pipeline: 'a' }, [
          [2, 1],
          [1, 2],
          [0, 3],
        ]),
        series({ __name__: 'lag', pipeline: 'b' }, [[2, 1]]),
      ],
      grid,
      60_000,
    );
    expect(keys).toEqual([
      {
        key: 'lag{pipeline="a"}',
        value: 3,
        labels: { pipeline: 'a' },
        points: { from: new Date(at - 120_000).toISOString(), stepMs: 60_000, values: [1, 2] },
      },
      {
        key: 'lag{pipeline="b"}',
        value: null,
        labels: { pipeline: 'b' },
        points: { from: new Date(at - 120_000).toISOString(), stepMs: 60_000, values: [1, null] },
        details: { noData: true },
      },
    ]);
  });

  it('bounds series: each, naming a few and what to write instead', () => {
    const many = Array.from({ length: 101 }, (_, i) => ({ instance: `i${i}` }));
    expect(() => boundEach(many)).toThrow(
      /^the query returned 101 series \(\{instance="i0"\}, \{instance="i1"\}, \{instance="i2"\}, …\); series: each judges at most 100.*topk\(100, …\)/,
    );
    expect(() => boundEach(many.slice(0, 100))).not.toThrow();
    const grid = rangeGrid(at, 999 * 60_000, 60_000);
    expect(() =>
      eachRange(
        many.slice(0, 11).map((m) => series(m, [])),
        grid,
        60_000,
      ),
    ).toThrow(/11 series of 1000 points, more than 10000 points in all/);
    expect(eachSample([{ metric: { job: 'x' }, value: NaN }])).toEqual([
      { key: '{job="x"}', value: null, labels: { job: 'x' }, details: { noData: true } },
    ]);
  });
});

describe("rising and percentile on a range's own points", () => {
  const at = '2026-01-01T12:00:00.000Z';
  const points = (values: Array<number | null>) => ({
    from: new Date(Date.parse(at) - values.length * 60_000).toISOString(),
    stepMs: 60_000,
    values,
  });
  const rising = [{ kind: 'rising' as const, runs: 3, severity: 'warning' as const }];
  const judge = (values: Array<number | null>, value: number) =>
    evaluate(rising, { value, unit: 'count', observedAt: at }, pointBaselines(rising, points(values), at, value));

  it('rising: the last runs+1 values, the tick included; gaps skipped as in stored history', () => {
    expect(judge([9, 1, 2, 3], 4)).toMatchObject({ status: 'warning', reason: expect.stringMatching(/1 → 2 → 3 → 4/) });
    expect(judge([1, 2, 5, 3], 4).status).toBe('ok');
    expect(judge([1, 2, null, 3], 4).status).toBe('warning');
    expect(judge([2, 3], 4).status).toBe('ok');
  });

  it("percentile: over the rule's window of the range, the tick included", () => {
    const rule = [
      {
        kind: 'percentile' as const,
        threshold: 10,
        percentile: { p: 50, overMs: 180_000 },
        severity: 'critical' as const,
      },
    ];
    const b = (values: Array<number | null>, v: number) => pointBaselines(rule, points(values), at, v);
    // The window is the last 3 minutes: the 100s before it do not count.
    expect(b([100, 100, 1, 20, 30], 40).percentile).toEqual({ 0: 20 });
    expect(evaluate(rule, { value: 40, unit: 'count', observedAt: at }, b([100, 100, 1, 20, 30], 40)).status).toBe(
      'critical',
    );
    expect(evaluate(rule, { value: 2, unit: 'count', observedAt: at }, b([100, 100, 1, 2, 3], 2)).status).toBe('ok');
  });

  it('per series: each key judged on its own points, carrying its labels', () => {
    const verdict = keyedVerdict(
      rising,
      {
        value: 4,
        unit: 'count',
        observedAt: at,
        keys: [
          { key: 'a', value: 4, labels: { pipeline: 'a' }, points: points([0, 1, 2, 3]) },
          { key: 'b', value: 4, labels: { pipeline: 'b' }, points: points([9, 8, 7, 6]) },
        ],
      },
      'lag',
      (k) => pointBaselines(rising, k.points!, at, k.value),
    );
    expect(verdict.status).toBe('warning');
    expect(verdict.keys!.map((k) => [k.key, k.verdict.status, k.labels])).toEqual([
      ['a', 'warning', { pipeline: 'a' }],
      ['b', 'ok', { pipeline: 'b' }],
    ]);
  });
});
