// The Grafana dashboard (docs/grafana/pipewatch-dashboard.json) asks only for metrics pipewatch exports:
// every pipewatch_* name it uses is one the worker's registry defines. (The temporal_* names and that every
// expression is valid PromQL are checked against a real Prometheus in test/integration/prometheus.test.ts.)
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
});
