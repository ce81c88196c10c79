// pipewatch inside the Prometheus stack, against a real Prometheus (Debian's package): it scrapes a real
// `pipewatch worker --metrics-port` process, and PromQL returns the monitor statuses and counters this test
// caused and the incidents open, next to the Temporal SDK's own metrics from the same endpoint; the `promql`
// check queries that Prometheus — a value, a vector, no data, Prometheus' own error text, a timeout — and a
// monitor on it runs through the monitor workflow like any other.
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { parseConfig } from '../../config/load.js';
import { incidentsFor } from '../../evaluation/check.js';
import { alertSignal, incidentWorkflow, type AlertEvent } from '../../workflows/incident.js';
import type { MonitorDefinition } from '../../config/model.js';
import { prometheusConnector } from '../../connectors/prometheus/index.js';
import { monitorWorkflow, type MonitorRunResult } from '../../workflows/monitor.js';
import { spawnWorker, type WorkerProcess } from '../support/cli.js';
import { dashboardExpressions } from '../support/dashboard.js';
import { testEnv, uniqueName } from '../support/env.js';
import { createTestSchema, type TestSchema } from '../support/pg.js';
import { freePort } from '../support/ports.js';
import { startPrometheus, type RunningServer } from '../support/prometheus-stack.js';
import { testClient } from '../support/temporal.js';
import { waitFor } from '../support/wait.js';

describe('Prometheus (real server)', () => {
  const env = testEnv();
  let prometheus: RunningServer;
  let worker: WorkerProcess;
  let metricsPort: number;
  let schema: TestSchema;
  let client: Client;
  const taskQueue = uniqueName('prom-tq');
  const storeSchema = uniqueName('promstore').toLowerCase();
  const id = (name: string) => uniqueName(name).toLowerCase().replace(/_/g, '-');
  const stale = id('stale');
  const fresh = id('fresh');
  const scraped = id('scraped');
  let monitors: Record<string, MonitorDefinition>;

  const query = async (promql: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> => {
    const r = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await r.json()) as {
      status: string;
      data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    };
    expect(body.status).toBe('success');
    return body.data.result;
  };

  beforeAll(async () => {
    schema = await createTestSchema('prom');
    await schema.pool.query(
      `CREATE TABLE "${schema.name}".fresh (ts timestamptz DEFAULT now()); INSERT INTO "${schema.name}".fresh DEFAULT VALUES;`,
    );
    await schema.pool.query(
      `CREATE TABLE "${schema.name}".stale (ts timestamptz); INSERT INTO "${schema.name}".stale VALUES (now() - interval '3 hours');`,
    );
    metricsPort = await freePort();
    worker = await spawnWorker(
      {
        TEMPORAL_ADDRESS: env.temporalAddress,
        PIPEWATCH_TASK_QUEUE: taskQueue,
        DATABASE_URL: env.databaseUrl,
        PIPEWATCH_STORE_SCHEMA: storeSchema,
        PIPEWATCH_METRICS_PORT: String(metricsPort),
        LAKE_URL: env.databaseUrl,
      },
      join(mkdtempSync(join(env.root, 'prom-')), 'worker.log'),
      env.bundlePath,
    );
    prometheus = await startPrometheus([`127.0.0.1:${metricsPort}`]);
    client = await testClient();
    const config = parseConfig(
      `version: 1
defaults: { schedule: { every: 1m }, flap: { failAfter: 1, resolveAfter: 1 } }
routing: { receiver: team, groupWait: 0s, groupInterval: 1h, repeatInterval: 1h }
receivers: { team: { notify: [terminal] } }
channels: { terminal: { type: console } }
connectors:
  lake: { type: postgres, url: "\${LAKE_URL}" }
  prom: { type: prometheus, url: "${prometheus.url}", timeout: 5s }
monitors:
  - id: ${stale}
    connector: lake
    check: { type: freshness, dataset: ${schema.name}.stale, timestamp: ts }
    rules: [{ above: 1h, severity: critical }]
  - id: ${fresh}
    connector: lake
    check: { type: freshness, dataset: ${schema.name}.fresh, timestamp: ts }
    rules: [{ above: 1h, severity: critical }]
  - id: ${scraped}
    description: Prometheus scrapes the pipewatch worker
    connector: prom
    check: { type: promql, query: 'sum(up{job="pipewatch"})' }
    rules: [{ below: 1, severity: critical }]
`,
      'prometheus.yaml',
      { env: false },
    );
    monitors = Object.fromEntries(config.monitors.map((m) => [m.id, m]));
  });

  afterAll(async () => {
    await prometheus?.stop();
    await worker?.kill('SIGTERM');
    await client?.connection.close();
    await schema?.drop();
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: env.databaseUrl });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${storeSchema}" CASCADE`);
    await c.end();
  });

  const run = async (monitor: MonitorDefinition) =>
    (await client.workflow.execute(monitorWorkflow, {
      args: [monitor],
      taskQueue,
      workflowId: `${uniqueName('run')}/${monitor.id}`,
    })) as MonitorRunResult;

  it("scrapes a worker: PromQL returns the statuses and counters the test caused, and the SDK's metrics", async () => {
    expect((await run(monitors[stale]!)).status).toBe('critical');
    expect((await run(monitors[fresh]!)).status).toBe('ok');

    const status = await waitFor(
      async () => {
        const r = await query(`pipewatch_monitor_status{monitor=~"${stale}|${fresh}"}`);
        return r.length === 2 ? r : undefined;
      },
      'both monitors in Prometheus',
      30_000,
      500,
    );
    const byMonitor = Object.fromEntries(status.map((s) => [s.metric.monitor, Number(s.value[1])]));
    expect(byMonitor).toEqual({ [stale]: 3, [fresh]: 0 });
    expect(status[0]!.metric.job).toBe('pipewatch');

    const alerting = await query('sum(pipewatch_checks_total{check="freshness",result="alerting"})');
    expect(Number(alerting[0]!.value[1])).toBeGreaterThanOrEqual(1);
    const info = await query(`pipewatch_monitor_info{monitor="${stale}"}`);
    expect(info[0]!.metric).toMatchObject({ check: 'freshness', perspective: 'data' });
    const lastValue = await query(`pipewatch_monitor_value{monitor="${stale}"}`);
    expect(Number(lastValue[0]!.value[1])).toBeGreaterThan(3 * 3600 - 60);
    expect((await query('pipewatch_alerts_open{status="critical"}')).length).toBe(1);
    expect((await query('count(pipewatch_check_collect_duration_seconds_bucket{check="freshness"})')).length).toBe(1);
    // The Temporal SDK's runtime metrics come through the same scrape target.
    await waitFor(
      async () => (await query('count({job="pipewatch",__name__=~"temporal_.+"})')).length === 1,
      'temporal_ metrics from the worker',
      30_000,
      500,
    );
  });

  it('counts the incidents open by severity, and drops one when it resolves', async () => {
    const incidentMonitor = id('incident');
    const openIncidents = async (severity: string) => {
      const r = await query(`pipewatch_incidents_open{severity="${severity}"}`);
      return r.length === 1 ? Number(r[0]!.value[1]) : undefined;
    };
    const signal = async (transition: AlertEvent['transition']) => {
      const labels = { monitor: incidentMonitor, severity: 'warning' };
      const [incident] = incidentsFor(monitors[fresh]!, labels);
      const at = new Date().toISOString();
      const status = transition === 'resolve' ? 'ok' : 'warning';
      await client.workflow.signalWithStart(incidentWorkflow, {
        workflowId: incident!.incidentId,
        taskQueue,
        args: [incident!],
        signal: alertSignal,
        signalArgs: [
          {
            transition,
            runId: uniqueName('run'),
            monitor: { id: incidentMonitor, perspective: 'data', labels: {} },
            labels,
            status,
            verdict: { status, value: 1, unit: 'count', reason: `${incidentMonitor} is ${status}`, observedAt: at },
            at,
          } satisfies AlertEvent,
        ],
      });
    };
    // Other tests of this file may have opened critical incidents; warnings are this test's alone.
    await waitFor(async () => (await openIncidents('warning')) === 0, 'no warning incident before');
    await signal('open');
    await waitFor(async () => (await openIncidents('warning')) === 1, 'one warning incident open', 30_000, 500);
    await signal('resolve');
    await waitFor(
      async () => (await openIncidents('warning')) === 0,
      'the resolved incident no longer open',
      30_000,
      500,
    );
    // One series per severity, whatever is open: the label set is bounded.
    const severities = (await query('pipewatch_incidents_open')).map((r) => r.metric.severity).sort();
    expect(severities).toEqual(['critical', 'error', 'info', 'warning']);
  });

  it("the Grafana dashboard's every query is valid PromQL, and the SDK metrics it charts exist", async () => {
    for (const expr of dashboardExpressions()) {
      const r = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      expect([expr, ((await r.json()) as { status: string }).status]).toEqual([expr, 'success']);
    }
    const sdkNames = new Set(dashboardExpressions().flatMap((e) => e.match(/\btemporal_[a-z_]+/g) ?? []));
    for (const name of sdkNames) {
      await waitFor(
        async () => (await query(`count({__name__="${name}",job="pipewatch"})`)).length === 1,
        `${name} in the worker's scrape`,
        30_000,
        500,
      );
    }
  });

  it('a promql monitor runs through the monitor workflow: Prometheus scrapes the worker', async () => {
    await waitFor(async () => (await query('up{job="pipewatch"} == 1')).length === 1, 'the worker scraped');
    const result = await run(monitors[scraped]!);
    expect(result).toMatchObject({ status: 'ok', value: 1 });
  });

  describe('the promql check', () => {
    const connector = () =>
      prometheusConnector.create('prom', { type: 'prometheus', url: prometheus.url, headers: {}, timeout: 5_000 });
    const check = (query: string, series: 'one' | 'max' | 'count' = 'one') => ({
      type: 'promql' as const,
      query,
      series,
      unit: 'count' as const,
    });
    const at = () => new Date();

    it('reads a value, a scalar and one series with its labels', async () => {
      const c = connector();
      expect((await c.collect({ check: check('scalar(vector(42))'), at: at() })).value).toBe(42);
      // prometheus_build_info exists once Prometheus has scraped itself; the first scrape can come after this test starts.
      await waitFor(async () => (await query('prometheus_build_info')).length === 1, 'Prometheus scraped itself');
      const one = await c.collect({ check: check('prometheus_build_info'), at: at() });
      expect(one.value).toBe(1);
      expect(String(one.details?.['series 1'])).toMatch(/^prometheus_build_info\{.*version="2\.\d+/);
    });

    it('reduces a vector as asked, and refuses several series where one is expected', async () => {
      const c = connector();
      await waitFor(async () => (await query('up')).length === 2, 'two scrape targets up');
      expect((await c.collect({ check: check('up', 'count'), at: at() })).value).toBe(2);
      expect((await c.collect({ check: check('up', 'max'), at: at() })).value).toBe(1);
      await expect(c.collect({ check: check('up'), at: at() })).rejects.toThrow(
        /the query returned 2 series \(up\{.*\}, up\{.*\}\); aggregate them in PromQL/,
      );
    });

    it('says "no data" for no series, never zero', async () => {
      const m = await connector().collect({ check: check('up{job="no-such-job"}'), at: at() });
      expect(m).toMatchObject({ value: null, noData: true, details: { series: 0 } });
    });

    it("passes Prometheus' own error text through", async () => {
      await expect(connector().collect({ check: check('sum(up'), at: at() })).rejects.toThrow(
        /^Prometheus refused the query \(bad_data\): .*parse error/,
      );
      await expect(connector().collect({ check: check('up[5m]'), at: at() })).rejects.toThrow(
        /returned a matrix; a promql check needs an instant vector or a scalar/,
      );
    });

    it('gives up on a Prometheus that does not answer, within its timeout', async () => {
      const silent: Server = createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
      const port = (silent.address() as { port: number }).port;
      try {
        const c = prometheusConnector.create('slow', {
          type: 'prometheus',
          url: `http://127.0.0.1:${port}`,
          headers: {},
          timeout: 500,
        });
        await expect(c.collect({ check: check('up'), at: at() })).rejects.toThrow(
          'Prometheus slow did not answer within 500 ms',
        );
      } finally {
        silent.close();
      }
    });
  });
});
