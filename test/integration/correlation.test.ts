// One incident per cause (issue 24), on a real worker and dev server with a real HTTP receiver: the
// alerts of a correlated pipeline, signalled exactly as monitor runs signal them (incidentSignals),
// give one firing and one resolved message that name the most upstream failing node, with the
// symptoms downstream; a symptom alone still alerts in its group wait; a cause that resolves while
// its symptoms outlast the window is re-evaluated; explicit inhibition still leaves its target out.
import type { Client } from '@temporalio/client';
import { parseConfig } from '../../config/load.js';
import type { MonitorDefinition } from '../../config/model.js';
import type { Status, Verdict } from '../../evaluation/types.js';
import type { HistoryStore } from '../../store/history.js';
import { alertSignal, incidentStateQuery, incidentWorkflow } from '../../workflows/incident.js';
import { alertLabels, incidentSignals, incidentsFor } from '../../evaluation/check.js';
import { MONITOR, PERSPECTIVE } from '../../workflows/search-attributes.js';
import { uniqueName } from '../support/env.js';
import { HttpReceiver } from '../support/http-receiver.js';
import type { RunningWorker } from '../support/temporal.js';
import { sleep, waitFor } from '../support/wait.js';
import { startWorkerWithStore, type WorkerWithStore } from '../support/worker-fixture.js';

describe('correlated incidents', () => {
  let hooks: HttpReceiver;
  let store: HistoryStore;
  let worker: RunningWorker;
  let client: Client;
  let fixture: WorkerWithStore;

  beforeAll(async () => {
    hooks = await HttpReceiver.start();
    fixture = await startWorkerWithStore('corrstore', process.env);
    ({ store, worker, client } = fixture);
  });

  afterAll(async () => {
    await fixture?.close();
    await hooks?.stop();
  });

  /** A correlated pipeline of its own (incident ids name the pipeline): queue (services, stage parsed), freshness and losses (data). */
  function pipeline(window: string): {
    id: string;
    monitors: Record<'queue' | 'freshness' | 'losses' | 'errors', MonitorDefinition>;
  } {
    const p = uniqueName('corr')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-');
    const config = parseConfig(
      `version: 1
defaults: { schedule: { every: 1h }, flap: { failAfter: 1, resolveAfter: 1 } }
notifications:
  retry: { initialInterval: 300ms, maximumInterval: 600ms }
routing: { receiver: team, groupWait: 3s, groupInterval: 1s, repeatInterval: 1h }
receivers: { team: { notify: [hook] } }
inhibit:
  - source: ["monitor = ${p}-queue"]
    target: ["monitor = ${p}-errors"]
    equal: [pipeline]
channels: { hook: { type: webhook, url: "${hooks.url('/hook')}" } }
connectors:
  db: { type: postgres, url: "postgres://x@127.0.0.1/x" }
  api: { type: http, url: "http://127.0.0.1:1" }
pipelines:
  ${p}:
    correlation: { window: ${window} }
    stages:
      - { id: collected, connector: db, dataset: s.collected, uniqueId: id, timestamp: ts }
      - { id: parsed, connector: db, dataset: s.parsed, uniqueId: id, timestamp: ts }
monitors:
  - { id: ${p}-queue, pipeline: ${p}, stage: parsed, perspective: services, connector: api, check: { type: http, path: /queue }, rules: [{ above: 2s }] }
  - { id: ${p}-freshness, pipeline: ${p}, connector: db, check: { type: freshness, dataset: s.parsed, timestamp: ts }, rules: [{ above: 1m, severity: critical }] }
  - { id: ${p}-losses, pipeline: ${p}, check: { type: stageCounts, pipeline: ${p}, window: 1m }, rules: [{ above: 0, severity: critical }] }
  - { id: ${p}-errors, pipeline: ${p}, stage: parsed, connector: db, check: { type: sql, query: "select 1" }, rules: [{ above: 0, severity: critical }] }
`,
      'correlation.yaml',
      { env: false },
    );
    const byId = (suffix: string) => config.monitors.find((m) => m.id === `${p}-${suffix}`)!;
    return {
      id: p,
      monitors: { queue: byId('queue'), freshness: byId('freshness'), losses: byId('losses'), errors: byId('errors') },
    };
  }

  /** Signals a transition as a monitor run does (evaluation/check.ts incidentSignals); returns the incident id. */
  async function signal(
    monitor: MonitorDefinition,
    transition: 'open' | 'resolve',
    reason: string,
    details?: Verdict['details'],
  ): Promise<string> {
    const status: Status = transition === 'resolve' ? 'ok' : 'critical';
    const labels = alertLabels(monitor, status);
    const opened = alertLabels(monitor, 'critical');
    const verdict: Verdict = {
      status,
      value: 1,
      unit: monitor.unit,
      reason,
      observedAt: new Date().toISOString(),
      ...(details ? { details } : {}),
    };
    const incidentIds = incidentsFor(monitor, opened).map((i) => i.incidentId);
    const signals = incidentSignals(
      monitor,
      { transition, incidentIds, alertLabels: opened },
      labels,
      verdict,
      uniqueName('run'),
    );
    for (const { incident, event } of signals) {
      await client.workflow.signalWithStart(incidentWorkflow, {
        workflowId: incident.incidentId,
        taskQueue: worker.settings.taskQueue,
        args: [incident],
        signal: alertSignal,
        signalArgs: [event],
      });
    }
    return incidentIds[0]!;
  }

  const messages = (id: string) => hooks.accepted.filter((r) => r.path === '/hook' && r.body.incidentId === id);
  const kinds = (id: string) => messages(id).map((r) => String(r.body.kind));
  const state = (id: string) => client.workflow.getHandle(id).query(incidentStateQuery);

  it('a fault gives one firing message naming the cause, with its symptoms downstream, and one resolved message', async () => {
    const { id: p, monitors } = pipeline('2m');
    const incident = await signal(monitors.freshness, 'open', 'newest record in s.parsed is 2m old');
    expect(incident).toBe(`pipewatch-incident/team/pipeline=${p}`);
    await sleep(500);
    await signal(monitors.queue, 'open', 'the ETL stopped consuming');
    await signal(monitors.losses, 'open', '36 records not yet parsed', { firstLosingStage: 'parsed' });
    const [firing] = await waitFor(
      () => (messages(incident).length ? messages(incident) : undefined),
      'the firing message',
      20_000,
    );
    expect(firing!.body.kind).toBe('firing');
    expect(String(firing!.body.summary)).toMatch(
      new RegExp(`FIRING CRITICAL: ${p}-queue \\(${p}, \\+2 downstream\\): the ETL stopped consuming`),
    );
    expect(firing!.body.correlation).toEqual({
      causes: [{ monitor: `${p}-queue`, resolved: false, downstream: [`${p}-freshness`, `${p}-losses`] }],
    });
    // Listed (status page, Web UI) under its cause, though the freshness alert opened first.
    const attributes = (await client.workflow.getHandle(incident).describe()).typedSearchAttributes;
    expect([attributes.get(MONITOR), attributes.get(PERSPECTIVE)]).toEqual([`${p}-queue`, 'services']);

    // A symptom joining later is no news; the cause resolving while its symptoms settle is none either.
    await signal(monitors.errors, 'open', 'errors in the parser');
    await signal(monitors.queue, 'resolve', 'consuming again');
    await sleep(3_000);
    expect(kinds(incident)).toEqual(['firing']);
    const snapshot = await state(incident);
    expect(snapshot.correlation?.causes).toEqual([
      { cause: `${p}-queue`, resolved: true, downstream: [`${p}-freshness`, `${p}-losses`, `${p}-errors`] },
    ]);

    for (const m of [monitors.errors, monitors.freshness, monitors.losses]) await signal(m, 'resolve', 'healthy');
    await waitFor(() => kinds(incident).includes('resolved'), 'the resolved message', 20_000);
    await sleep(1_500);
    expect(kinds(incident)).toEqual(['firing', 'resolved']);
    const resolved = messages(incident)[1]!;
    expect(String(resolved.body.summary)).toMatch(new RegExp(`RESOLVED: ${p}-queue `));
    // The whole tree, with the stageCounts alert still on the stage it fired on (its healthy verdict names none).
    expect(resolved.body.correlation).toEqual({
      causes: [
        { monitor: `${p}-queue`, resolved: false, downstream: [`${p}-freshness`, `${p}-losses`, `${p}-errors`] },
      ],
    });
  });

  it('a symptom with no failing cause alerts on its own within its group wait', async () => {
    const { id: p, monitors } = pipeline('2m');
    const started = Date.now();
    const incident = await signal(monitors.freshness, 'open', 'newest record in s.parsed is 2m old');
    const [firing] = await waitFor(
      () => (messages(incident).length ? messages(incident) : undefined),
      'the firing message',
      20_000,
    );
    expect(Date.now() - started).toBeLessThan(3_000 + 5_000);
    expect(String(firing!.body.summary)).toMatch(
      new RegExp(`FIRING CRITICAL: ${p}-freshness \\(${p}\\): newest record`),
    );
    expect(firing!.body.correlation).toEqual({
      causes: [{ monitor: `${p}-freshness`, resolved: false, downstream: [] }],
    });
    await signal(monitors.freshness, 'resolve', 'healthy');
    await waitFor(() => kinds(incident).includes('resolved'), 'the resolved message', 20_000);
  });

  it('a cause resolved a window ago no longer explains what still fires: the incident names the new cause', async () => {
    const { id: p, monitors } = pipeline('3s');
    const incident = await signal(monitors.queue, 'open', 'the ETL stopped consuming');
    await signal(monitors.freshness, 'open', 'newest record in s.parsed is 2m old');
    await waitFor(() => kinds(incident).includes('firing'), 'the firing message', 20_000);
    await signal(monitors.queue, 'resolve', 'consuming again');
    const changed = await waitFor(
      () => messages(incident).find((r) => r.body.kind === 'changed'),
      'the re-evaluated incident',
      20_000,
    );
    expect(String(changed.body.summary)).toMatch(new RegExp(`CHANGED CRITICAL: ${p}-freshness `));
    expect((changed.body.correlation as { causes: Array<{ monitor: string }> }).causes.map((c) => c.monitor)).toEqual([
      `${p}-freshness`,
    ]);
    await signal(monitors.freshness, 'resolve', 'healthy');
    await waitFor(() => kinds(incident).includes('resolved'), 'the resolved message', 20_000);
    expect(kinds(incident)).toEqual(['firing', 'changed', 'resolved']);
  });

  it('explicit inhibition takes precedence: an inhibited alert is left out, not listed downstream', async () => {
    const { id: p, monitors } = pipeline('2m');
    // The inhibition source as the store knows it: alerting, with its labels.
    await store.recordRun({
      monitorId: monitors.queue.id,
      runId: uniqueName('r'),
      verdict: { status: 'critical', unit: 'count', value: 0, reason: 'x', observedAt: new Date().toISOString() },
      flap: { failAfter: 1, resolveAfter: 1 },
      labels: { ...alertLabels(monitors.queue, 'critical') },
      incidentIds: [],
    });
    const incident = await signal(monitors.queue, 'open', 'the ETL stopped consuming');
    await signal(monitors.errors, 'open', 'errors in the parser');
    await signal(monitors.freshness, 'open', 'newest record in s.parsed is 2m old');
    const [firing] = await waitFor(
      () => (messages(incident).length ? messages(incident) : undefined),
      'the firing message',
      20_000,
    );
    expect(firing!.body.correlation).toEqual({
      causes: [{ monitor: `${p}-queue`, resolved: false, downstream: [`${p}-freshness`] }],
    });
    expect((firing!.body.alerts as Array<{ monitor: string }>).map((a) => a.monitor)).not.toContain(`${p}-errors`);
    expect((await state(incident)).muted[`${p}-errors`]?.kind).toBe('inhibited');
    await store.stopAlerting([monitors.queue.id]);
    for (const m of [monitors.queue, monitors.errors, monitors.freshness]) await signal(m, 'resolve', 'healthy');
    await waitFor(() => kinds(incident).includes('resolved'), 'the resolved message', 20_000);
  });
});
