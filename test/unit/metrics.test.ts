// A worker's Prometheus metrics (workers/metrics.ts) without servers: the scrape-time gauges read their sources
// (store, Temporal visibility) on each scrape, and docs/OPERATIONS.md's table names every metric the registry
// exports. Served and scraped by a real Prometheus in test/integration/prometheus.test.ts.
import { readFileSync } from 'node:fs';
import { createMetrics, INCIDENT_SEVERITIES } from '../../workers/metrics.js';

describe('worker metrics', () => {
  it('reads the incidents open per severity on each scrape, and leaves out a severity it could not count', async () => {
    const metrics = createMetrics();
    const open: Record<string, number> = { info: 0, warning: 2, critical: 1, error: 0 };
    metrics.sources.incidentsOpen = async (severity) => open[severity]!;
    let text = await metrics.registry.metrics();
    expect(text.match(/^pipewatch_incidents_open\{.*$/gm)).toEqual([
      'pipewatch_incidents_open{severity="info"} 0',
      'pipewatch_incidents_open{severity="warning"} 2',
      'pipewatch_incidents_open{severity="critical"} 1',
      'pipewatch_incidents_open{severity="error"} 0',
    ]);
    open.warning = 1;
    metrics.sources.incidentsOpen = async (severity) => {
      if (severity === 'critical') throw new Error('visibility unavailable');
      return open[severity]!;
    };
    text = await metrics.registry.metrics();
    expect(text).toContain('pipewatch_incidents_open{severity="warning"} 1');
    // Not a stale 1 and not a made-up 0: the series is absent for that scrape.
    expect(text).not.toContain('severity="critical"');
  });

  it('exports no incident series when the worker has no Temporal client to ask', async () => {
    expect(await createMetrics().registry.metrics()).not.toMatch(/^pipewatch_incidents_open\{/m);
    expect(INCIDENT_SEVERITIES).toEqual(['info', 'warning', 'critical', 'error']);
  });

  it("docs/OPERATIONS.md's Prometheus section names every metric the worker exports", async () => {
    const operations = readFileSync('docs/OPERATIONS.md', 'utf8');
    const section = operations.slice(
      operations.indexOf('## Inside the Prometheus stack'),
      operations.indexOf('**PromQL checks.**'),
    );
    const exported = (await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name);
    const own = exported.filter((name) => !name.startsWith('pipewatch_process_'));
    expect(own.length).toBeGreaterThan(10);
    for (const name of own) expect([name, section.includes(`\`${name}\``)]).toEqual([name, true]);
    expect(exported.some((name) => name.startsWith('pipewatch_process_'))).toBe(true);
    expect(section).toContain('`pipewatch_process_…`');
  });
});
