// The promql check per series and over a range, against a real Prometheus (Debian's package) and through
// monitorWorkflow on a real worker and store: with `series: each` every series of the vector is judged on its
// own — the failing one opens an alert (and an incident, routed on its labels) naming its labels, the other
// stays ok, and a series the query stops returning resolves; with `range` a range query's own points are what
// `rising` judges, per series too; more series than `each` judges are refused; and Prometheus' warnings (a
// remote read that fails) reach the verdict.
// Series come from PromQL itself (vector(), time(), label_replace()), so what they hold is known exactly.
import { createServer, type Server } from 'node:http';
import type { Client } from '@temporalio/client';
import { checkHere } from '../../cli/check-here.js';
import { parseConfig } from '../../config/load.js';
import type { MonitorDefinition } from '../../config/model.js';
import { prometheusConnector } from '../../connectors/prometheus/index.js';
import { connectorCache } from '../../connectors/registry.js';
import { evaluate } from '../../evaluation/rules.js';
import type { HistoryStore } from '../../store/history.js';
import { incidentStateQuery } from '../../workflows/incident.js';
import { monitorWorkflow, type MonitorRunResult } from '../../workflows/monitor.js';
import { uniqueName } from '../support/env.js';
import { startPrometheus, type RunningServer } from '../support/prometheus-stack.js';
import type { RunningWorker } from '../support/temporal.js';
import { waitFor } from '../support/wait.js';
import { startWorkerWithStore, type WorkerWithStore } from '../support/worker-fixture.js';

/** Two series, pipe="a" at 5 and pipe="b" at 50. */
const TWO_PIPES = `label_replace(vector(5), "pipe", "a", "", "") or label_replace(vector(50), "pipe", "b", "", "")`;
/** pipe="up" rises with time, pipe="down" falls. */
const UP_AND_DOWN = `label_replace(vector(time()), "pipe", "up", "", "") or label_replace(-vector(time()), "pipe", "down", "", "")`;

describe('promql per series and over a range (real Prometheus)', () => {
  let prometheus: RunningServer;
  let remote: Server;
  let fixture: WorkerWithStore;
  let store: HistoryStore;
  let worker: RunningWorker;
  let client: Client;
  const id = (name: string) => uniqueName(name).toLowerCase().replace(/_/g, '-');
  const lag = id('lag');
  const rising = id('rising');
  const flat = id('flat');
  const pipes = id('pipes');
  let monitors: Record<string, MonitorDefinition>;

  beforeAll(async () => {
    // A remote read endpoint that is down: Prometheus still answers from its own storage, with a warning.
    remote = createServer((_req, res) => {
      res.writeHead(503);
      res.end('remote storage down for the test');
    });
    await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', () => resolve()));
    const remoteUrl = `http://127.0.0.1:${(remote.address() as { port: number }).port}/read`;
    prometheus = await startPrometheus([], { remoteRead: remoteUrl });
    fixture = await startWorkerWithStore('promseries');
    ({ store, worker, client } = fixture);
    const config = parseConfig(
      `version: 1
defaults: { schedule: { every: 1m }, flap: { failAfter: 1, resolveAfter: 1 } }
routing: { receiver: team, groupWait: 0s, groupBy: [monitor, pipe] }
receivers: { team: { notify: [terminal] } }
channels: { terminal: { type: console } }
connectors:
  prom: { type: prometheus, url: "${prometheus.url}", timeout: 5s }
monitors:
  - id: ${lag}
    connector: prom
    check: { type: promql, query: '${TWO_PIPES}', series: each }
    rules: [{ above: 10, severity: critical }]
  - id: ${rising}
    connector: prom
    check: { type: promql, query: 'vector(time())', range: 5m, step: 1m }
    rules: [{ rising: 3, severity: warning }]
  - id: ${flat}
    connector: prom
    check: { type: promql, query: 'vector(7)', range: 5m, step: 1m }
    rules: [{ rising: 3, severity: warning }]
  - id: ${pipes}
    connector: prom
    check: { type: promql, query: '${UP_AND_DOWN}', series: each, range: 5m }
    rules: [{ rising: 3, severity: warning }]
`,
      'prometheus-series.yaml',
      { env: false },
    );
    monitors = Object.fromEntries(config.monitors.map((m) => [m.id, m]));
  });

  afterAll(async () => {
    await fixture?.close();
    await prometheus?.stop();
    remote?.close();
  });

  const run = async (monitor: MonitorDefinition) =>
    (await client.workflow.execute(monitorWorkflow, {
      args: [monitor],
      taskQueue: worker.settings.taskQueue,
      workflowId: `${uniqueName('run')}/${monitor.id}`,
    })) as MonitorRunResult;
  const alerting = async (monitorId: string) =>
    (await store.activeAlerts())
      .filter((a) => a.monitorId.startsWith(`${monitorId}[`))
      .map((a) => ({ id: a.monitorId, pipe: a.labels.pipe, key: a.labels.key, severity: a.labels.severity }));
  const incident = (monitorId: string, pipe: string) =>
    client.workflow.getHandle(`pipewatch-incident/team/monitor=${monitorId},pipe=${pipe}`);
  const incidentIn = async (monitorId: string, pipe: string, state: string) =>
    waitFor(
      async () => {
        const s = await incident(monitorId, pipe)
          .query(incidentStateQuery)
          .catch(() => undefined);
        return s?.state === state ? s : undefined;
      },
      `the incident of pipe ${pipe} ${state}`,
      30_000,
      250,
    );

  it('judges each series of a vector on its own: the failing one alerts with its labels, the other stays ok', async () => {
    const result = await run(monitors[lag]!);
    expect(result.status).toBe('critical');
    expect(result.reason).toMatch(/^1 of 2 keys failing; .*\{pipe="b"\} 50 is above 10/);
    expect(await alerting(lag)).toEqual([
      { id: `${lag}[{pipe="b"}]`, pipe: 'b', key: '{pipe="b"}', severity: 'critical' },
    ]);
    // The series' labels route: groupBy [monitor, pipe] gives pipe b an incident of its own, named by its label.
    const firing = await incidentIn(lag, 'b', 'firing');
    expect(firing.alerts.map((a) => [a.monitor.id, a.labels.pipe, a.verdict.reason])).toEqual([
      [`${lag}[{pipe="b"}]`, 'b', expect.stringMatching(/for \{pipe="b"\} 50 is above 10/)],
    ]);
    const states = await store.monitorStates([`${lag}[{pipe="a"}]`, `${lag}[{pipe="b"}]`, lag]);
    expect(states.get(`${lag}[{pipe="a"}]`)).toMatchObject({ alerting: false, status: 'ok' });
    expect(states.get(`${lag}[{pipe="b"}]`)).toMatchObject({ alerting: true, status: 'critical' });
    // The monitor's own state records the worst series and never opens an alert of its own.
    expect(states.get(lag)).toMatchObject({ alerting: false, status: 'critical' });
  });

  it('resolves the alert of a series the query no longer returns', async () => {
    const onlyA = {
      ...monitors[lag]!,
      check: { ...monitors[lag]!.check, query: 'label_replace(vector(5), "pipe", "a", "", "")' },
    } as MonitorDefinition;
    expect((await run(onlyA)).status).toBe('ok');
    expect(await alerting(lag)).toEqual([]);
    const resolved = await incidentIn(lag, 'b', 'resolved');
    expect(resolved.alerts[0]?.verdict.reason).toBe('the query no longer returns {pipe="b"}');
  });

  it("a range query's own points are what rising judges", async () => {
    const up = await run(monitors[rising]!);
    expect(up.status).toBe('warning');
    // vector(time()) at five one-minute steps: each point 60 s above the one before.
    const shown = up.reason.match(/has risen 3 runs in a row \(([\d.,]+) → ([\d.,]+) → ([\d.,]+) → ([\d.,]+)\)$/);
    expect(shown).not.toBeNull();
    const values = shown!.slice(1).map((v) => Number(v.replace(/,/g, '')));
    for (const [i, v] of values.slice(1).entries()) expect(v - values[i]!).toBeCloseTo(60, 5);
    expect(await run(monitors[flat]!)).toMatchObject({ status: 'ok', value: 7 });
  });

  it('per series over a range: the rising series alerts, the falling one stays ok', async () => {
    const result = await run(monitors[pipes]!);
    expect(result.status).toBe('warning');
    expect(await alerting(pipes)).toEqual([
      { id: `${pipes}[{pipe="up"}]`, pipe: 'up', key: '{pipe="up"}', severity: 'warning' },
    ]);
    const states = await store.monitorStates([`${pipes}[{pipe="down"}]`]);
    expect(states.get(`${pipes}[{pipe="down"}]`)).toMatchObject({ alerting: false, status: 'ok' });
  });

  it('`pipewatch run` judges the series and their range points as a monitor run does', async () => {
    const cache = connectorCache();
    try {
      const verdict = await checkHere(monitors[pipes]!, new Date(), cache);
      expect(verdict.status).toBe('warning');
      // In Prometheus' order, whatever it is.
      expect(verdict.keys!.map((k) => [k.key, k.verdict.status, k.labels]).sort()).toEqual([
        ['{pipe="down"}', 'ok', { pipe: 'down' }],
        ['{pipe="up"}', 'warning', { pipe: 'up' }],
      ]);
    } finally {
      await cache.closeAll();
    }
  });

  it('refuses more series than series: each judges, naming some and what to write instead', async () => {
    const connector = prometheusConnector.create('prom', {
      type: 'prometheus',
      url: prometheus.url,
      headers: {},
      timeout: 5_000,
    });
    // Prometheus' own metrics: several hundred series once it has scraped itself.
    await waitFor(
      async () =>
        (
          await connector.collect({
            check: { type: 'promql', query: 'count({job="prometheus"}) > 100', series: 'one', unit: 'count' },
            at: new Date(),
          })
        ).value !== null,
      'Prometheus scraped itself',
      30_000,
      250,
    );
    await expect(
      connector.collect({
        check: { type: 'promql', query: '{job="prometheus"}', series: 'each', unit: 'count' },
        at: new Date(),
      }),
    ).rejects.toThrow(
      /^the query returned \d{3,} series \(.*\{.*job="prometheus".*\}, …\); series: each judges at most 100, each an alert of its own: narrow the query/,
    );
  });

  it("passes Prometheus' warnings through to the verdict", async () => {
    const connector = prometheusConnector.create('prom', {
      type: 'prometheus',
      url: prometheus.url,
      headers: {},
      timeout: 5_000,
    });
    // A selector reads the remote storage too (read_recent), which fails: a warning, the local answer still judged.
    const check = { type: 'promql' as const, query: 'count(up)', series: 'one' as const, unit: 'count' as const };
    await waitFor(
      async () => (await connector.collect({ check, at: new Date() })).value === 1,
      'Prometheus scraped itself',
      30_000,
      250,
    );
    const m = await connector.collect({ check, at: new Date() });
    const warning =
      /^remote_read: remote server http:\/\/127\.0\.0\.1:\d+\/read returned HTTP status 503 Service Unavailable: remote storage down for the test$/;
    expect(m.details?.warnings).toMatch(warning);
    expect(m.caveat).toBe(`Prometheus warned: ${m.details?.warnings}`);
    const verdict = evaluate([{ kind: 'below', threshold: 1, severity: 'critical' }], m, {}, 'count(up)');
    expect(verdict).toMatchObject({ status: 'ok' });
    expect(verdict.reason).toMatch(
      /^count\(up\) 1 is within all rules; Prometheus warned: remote_read: .*remote storage down for the test$/,
    );
    // A query without a selector reads no storage: no warning, no caveat.
    const plain = await connector.collect({ check: { ...check, query: 'vector(1)' }, at: new Date() });
    expect(plain.caveat).toBeUndefined();
  });
});
