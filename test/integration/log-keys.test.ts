// A log rule with queryKey through monitorWorkflow on a real worker, store
// and dev server: each key gets its own state and its own alert (labelled
// key=<value>, grouped into an incident per key by a route's groupBy), one
// key's alert does not hide another's, and a key that goes quiet while its
// alert is open resolves. The monitor's own state records the worst key and
// never opens an incident of its own.
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { parseConfig } from '../../config/load.js';
import type { MonitorDefinition } from '../../config/model.js';
import type { HistoryStore } from '../../store/history.js';
import { incidentStateQuery } from '../../workflows/incident.js';
import { monitorWorkflow, type MonitorRunResult } from '../../workflows/monitor.js';
import { testEnv, uniqueName } from '../support/env.js';
import { HttpReceiver } from '../support/http-receiver.js';
import type { RunningWorker } from '../support/temporal.js';
import { waitFor } from '../support/wait.js';
import { startWorkerWithStore, type WorkerWithStore } from '../support/worker-fixture.js';

const line = (pipeline: string) =>
  `${JSON.stringify({ '@timestamp': new Date().toISOString(), 'log.level': 'error', message: 'failed', labels: { pipeline } })}\n`;

describe('a keyed log rule alerts per key', () => {
  const env = testEnv();
  const dir = mkdtempSync(join(env.root, 'keys-'));
  let fixture: WorkerWithStore;
  const id = uniqueName('keyed').toLowerCase();
  let hooks: HttpReceiver;
  let store: HistoryStore;
  let worker: RunningWorker;
  let client: Client;
  let monitor: MonitorDefinition;

  beforeAll(async () => {
    hooks = await HttpReceiver.start();
    writeFileSync(join(dir, 'app.ndjson'), line('intel') + line('intel') + line('lake'));
    monitor = parseConfig(
      `version: 1
defaults: { schedule: { every: 1h }, flap: { resolveAfter: 1 } }
connectors:
  files: { type: logfiles, path: "${join(dir, '*.ndjson')}" }
routing:
  receiver: team
  groupWait: 0s
  groupBy: [monitor, key]
receivers:
  team: { notify: [hook] }
channels:
  hook: { type: webhook, url: "${hooks.url('/hook')}" }
monitors:
  - id: ${id}
    connector: files
    check: { type: logs, rule: frequency, window: 1h, buffer: 0s, queryKey: labels.pipeline, query: 'log.level:error' }
    rules: [{ above: 1, severity: warning }]
`,
      'keys.yaml',
      { env: {} },
    ).monitors[0]!;
    fixture = await startWorkerWithStore('keystore');
    ({ store, worker, client } = fixture);
  });

  afterAll(async () => {
    await fixture?.close();
    await hooks.stop();
  });

  const run = async () =>
    (await client.workflow.execute(monitorWorkflow, {
      args: [monitor],
      taskQueue: worker.settings.taskQueue,
      workflowId: uniqueName('keyrun'),
    })) as MonitorRunResult;
  const alerting = async () =>
    (await store.activeAlerts())
      .filter((a) => a.monitorId.startsWith(id))
      .map((a) => ({ id: a.monitorId, key: a.labels.key }));
  const incident = (key: string) => client.workflow.getHandle(`pipewatch-incident/team/monitor=${id},key=${key}`);

  it('opens an alert for the key that crossed, in an incident of its own, and none for the monitor', async () => {
    const first = await run();
    // Frequency is event-like: the first failing run opens (failAfter 1 by default).
    expect(first.status).toBe('warning');
    expect(first.reason).toContain('1 of 2 keys failing');
    expect(await alerting()).toEqual([{ id: `${id}[intel]`, key: 'intel' }]);
    await waitFor(
      async () => ((await incident('intel').query(incidentStateQuery)).state === 'firing' ? true : undefined),
      'the incident',
      30_000,
    );
    const snapshot = await incident('intel').query(incidentStateQuery);
    expect(snapshot.alerts.map((a) => a.monitor.id)).toEqual([`${id}[intel]`]);
    expect(snapshot.alerts[0]!.labels).toMatchObject({ monitor: id, key: 'intel', severity: 'warning' });
  });

  it('a second key crossing while the first is open is an alert of its own', async () => {
    appendFileSync(join(dir, 'app.ndjson'), line('lake'));
    await run();
    expect((await alerting()).map((a) => a.key).sort()).toEqual(['intel', 'lake']);
    await waitFor(
      async () => ((await incident('lake').query(incidentStateQuery)).state === 'firing' ? true : undefined),
      'the incident',
      30_000,
    );
  });

  it('a key that goes quiet while open resolves; the monitor itself never alerted', async () => {
    // The same monitor, now hearing only lake: intel is not reported this run, so its open alert gets a healthy run.
    const later = {
      ...monitor,
      check: { ...monitor.check, query: 'log.level:error AND labels.pipeline:lake' },
    } as MonitorDefinition;
    await client.workflow.execute(monitorWorkflow, {
      args: [later],
      taskQueue: worker.settings.taskQueue,
      workflowId: uniqueName('keyrun'),
    });
    expect((await alerting()).map((a) => a.key)).toEqual(['lake']);
    await waitFor(
      async () => ((await incident('intel').query(incidentStateQuery)).state === 'resolved' ? true : undefined),
      'the incident',
      30_000,
    );
    expect((await store.monitorStates([id])).get(id)!.alerting).toBe(false);
  });
});
