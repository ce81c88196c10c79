// The Grafana dashboard (docs/grafana/pipewatch-dashboard.json) asks only for metrics pipewatch exports:
// every pipewatch_* name it uses is one the worker's registry defines. (The temporal_* names and that every
// expression is valid PromQL are checked against a real Prometheus in test/integration/prometheus.test.ts.)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetrics } from '../../workers/metrics.js';
import { dashboardExpressions } from '../support/dashboard.js';

describe('Grafana dashboard', () => {
  it('uses only metrics the worker exports', async () => {
    const exported = new Set((await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name));
    const used = new Set(
      dashboardExpressions()
        .flatMap((e) => e.match(/\bpipewatch_[a-z_]+/g) ?? [])
        .map((n) => n.replace(/_(bucket|sum|count)$/, '')),
    );
    expect(used.size).toBeGreaterThan(5);
    for (const name of used) expect([name, exported.has(name)]).toEqual([name, true]);
  });

  it('has a query in every panel', () => {
    const expressions = dashboardExpressions();
    expect(expressions.length).toBeGreaterThanOrEqual(12);
    for (const e of expressions) expect(e.trim()).not.toBe('');
  });

  it("counts each monitor once, by the newest worker's verdict, when several workers scrape (promtool)", () => {
    // Two workers both ran monitor a: w1 last judged it critical at t=100 s, w2 ok at t=160 s (the newest: a is ok).
    // b is warning on w1 only, c could not be checked on w2 only. Each worker also carries every info series.
    const series: Array<[string, string]> = [];
    const worker = (instance: string, monitor: string, status: number, at: number) =>
      series.push(
        [`pipewatch_monitor_status{monitor="${monitor}",instance="${instance}"}`, `${status}x3`],
        [`pipewatch_monitor_last_run_timestamp_seconds{monitor="${monitor}",instance="${instance}"}`, `${at}x3`],
      );
    worker('w1', 'a', 3, 100);
    worker('w2', 'a', 0, 160);
    worker('w1', 'b', 2, 150);
    worker('w2', 'c', 4, 155);
    for (const instance of ['w1', 'w2'])
      for (const [monitor, perspective] of [
        ['a', 'data'],
        ['b', 'data'],
        ['c', 'services'],
      ])
        series.push([
          `pipewatch_monitor_info{monitor="${monitor}",instance="${instance}",perspective="${perspective}",pipeline="p"}`,
          '1x3',
        ]);
    const expected: Record<string, Array<[string, number]>> = {
      alerting: [['{}', 1]], // b (a's newest verdict is ok; c could not be checked)
      could: [['{}', 1]], // c
      perspective: [
        ['{perspective="data"}', 1],
        ['{perspective="services"}', 1],
      ],
      pipeline: [['{pipeline="p"}', 2]],
    };
    const status = dashboardExpressions().filter((e) => e.includes('pipewatch_monitor_status'));
    const kind = (e: string) =>
      e.includes('by (perspective)')
        ? 'perspective'
        : e.includes('by (pipeline)')
          ? 'pipeline'
          : e.includes('== 4')
            ? 'could'
            : 'alerting';
    expect(status.map(kind).sort()).toEqual(['alerting', 'could', 'perspective', 'pipeline']);
    const dir = mkdtempSync(join(tmpdir(), 'pw-promtool-'));
    writeFileSync(join(dir, 'rules.yml'), 'groups: []\n');
    const yaml = [
      'rule_files: [rules.yml]',
      'tests:',
      '  - interval: 1m',
      '    input_series:',
      ...series.flatMap(([s, v]) => [`      - series: '${s}'`, `        values: '${v}'`]),
      '    promql_expr_test:',
      ...status.flatMap((e) => [
        `      - expr: '${e.replace(/'/g, "''")}'`,
        '        eval_time: 2m',
        '        exp_samples:',
        ...expected[kind(e)]!.flatMap(([labels, value]) => [
          `          - labels: '${labels}'`,
          `            value: ${value}`,
        ]),
      ]),
    ].join('\n');
    writeFileSync(join(dir, 'test.yml'), `${yaml}\n`);
    let out: string;
    try {
      out = execFileSync('promtool', ['test', 'rules', 'test.yml'], { cwd: dir, encoding: 'utf8' });
    } catch (err) {
      const e = err as { code?: string; stdout?: string; stderr?: string };
      if (e.code === 'ENOENT')
        throw new Error('promtool not found: apt-get install prometheus (.ci/run does)', { cause: err });
      throw new Error(`promtool: ${e.stdout ?? ''}${e.stderr ?? ''}`, { cause: err });
    }
    expect(out).toContain('SUCCESS');
  });
});
