// pipewatch's alerts handed to a real Alertmanager (Debian's prometheus-alertmanager) through the v2 API:
// labels, annotations, startsAt, generatorURL; re-sent while firing so Alertmanager keeps them active;
// endsAt on resolve; a silence set in Alertmanager holds them back there; a repeated post changes nothing.
// Read back through Alertmanager's own API, never through pipewatch.
import type { Client } from '@temporalio/client';
import { alertmanagerChannel } from '../../channels/alertmanager/index.js';
import type { IncidentNotification } from '../../channels/types.js';
import { parseConfig } from '../../config/load.js';
import type { MonitorDefinition } from '../../config/model.js';
import { incidentsFor } from '../../evaluation/check.js';
import { alertSignal, incidentWorkflow, type AlertEvent } from '../../workflows/incident.js';
import { uniqueName } from '../support/env.js';
import { startAlertmanager, type RunningServer } from '../support/prometheus-stack.js';
import type { RunningWorker } from '../support/temporal.js';
import { sleep, waitFor } from '../support/wait.js';
import { startWorkerWithStore, type WorkerWithStore } from '../support/worker-fixture.js';

interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[] };
}

describe('Alertmanager as a channel (real Alertmanager)', () => {
  let am: RunningServer;
  const alerts = async (filter: string): Promise<GettableAlert[]> => {
    const r = await fetch(`${am.url}/api/v2/alerts?filter=${encodeURIComponent(filter)}`);
    expect(r.ok).toBe(true);
    return (await r.json()) as GettableAlert[];
  };

  beforeAll(async () => {
    am = await startAlertmanager();
  });
  afterAll(async () => {
    await am?.stop();
  });

  const notification = (
    monitor: string,
    kind: IncidentNotification['kind'],
    extra: Partial<IncidentNotification> = {},
  ): IncidentNotification => ({
    kind,
    incidentId: `pipewatch-incident/team/monitor=${monitor}`,
    receiver: 'team',
    groupLabels: { monitor },
    status: kind === 'resolved' ? 'ok' : 'critical',
    openedAt: '2026-12-03T08:00:00.000Z',
    alerts: [
      {
        monitor: {
          id: monitor,
          perspective: 'data',
          pipeline: 'intel',
          labels: {},
          runbook: 'https://runbooks.example/parsed',
          description: 'newest parsed record',
        },
        labels: { monitor, pipeline: 'intel', severity: 'critical', 'team.name': 'lake' },
        status: 'critical',
        verdict: {
          status: 'critical',
          value: 5400,
          unit: 'seconds',
          reason: 'age 1h30m is above 1h',
          observedAt: '2026-12-03T08:00:00.000Z',
        },
        firing: kind !== 'resolved',
        since: kind === 'resolved' ? '2026-12-03T08:10:00.000Z' : '2026-12-03T08:00:00.000Z',
      },
    ],
    ...extra,
  });

  it('posts labels, annotations, startsAt and the Web UI link; a repeated post changes nothing; resolve ends it', async () => {
    const monitor = uniqueName('am-direct');
    const sender = alertmanagerChannel.create('am', {
      type: 'alertmanager',
      url: am.url,
      headers: {},
      resendEvery: 60_000,
      timeout: 5_000,
      temporalWebUi: 'http://127.0.0.1:8233',
    });
    const context = { idempotencyKey: 'k', history: {} };
    await sender.send(notification(monitor, 'firing'), context);
    await sender.send(notification(monitor, 'firing'), context); // a retried delivery: merged by its labels
    const [fired, ...more] = await waitFor(async () => {
      const found = await alerts(`alertname="${monitor}"`);
      return found.length ? found : undefined;
    }, 'the alert in Alertmanager');
    expect(more).toHaveLength(0);
    expect(fired!.labels).toEqual({
      alertname: monitor,
      monitor,
      pipeline: 'intel',
      severity: 'critical',
      team_name: 'lake',
    });
    expect(fired!.annotations).toMatchObject({
      summary: 'age 1h30m is above 1h',
      runbook_url: 'https://runbooks.example/parsed',
      pipewatch_incident: `pipewatch-incident/team/monitor=${monitor}`,
    });
    expect(fired!.status.state).toBe('active');
    expect(fired!.startsAt).toBe('2026-12-03T08:00:00.000Z');
    expect(Date.parse(fired!.endsAt)).toBeGreaterThan(Date.now() + 3 * 60_000); // four resends ahead
    expect(fired!.generatorURL).toBe(
      `http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(`pipewatch-incident/team/monitor=${monitor}`)}`,
    );

    await sender.send(
      notification(monitor, 'resolved', { resolvedAt: new Date(Date.now() - 1_000).toISOString() }),
      context,
    );
    await waitFor(
      async () => (await alerts(`alertname="${monitor}"`)).length === 0,
      'the resolved alert to leave the active list',
    );
  });

  describe('from the incident workflow', () => {
    let worker: RunningWorker;
    let client: Client;
    let monitorDef: MonitorDefinition;
    let fixture: WorkerWithStore;

    beforeAll(async () => {
      const config = parseConfig(
        `version: 1
defaults: { schedule: { every: 1h } }
routing: { receiver: team, groupWait: 0s, groupInterval: 1h, repeatInterval: 1h }
receivers: { team: { notify: [am] } }
channels:
  am: { type: alertmanager, url: "${am.url}", resendEvery: 1s }
connectors:
  lake: { type: postgres, url: "postgres://x@127.0.0.1/x" }
monitors:
  - id: placeholder
    connector: lake
    check: { type: freshness, dataset: t, timestamp: ts }
    rules: [{ above: 1 }]
`,
        'alertmanager.yaml',
        { env: false },
      );
      monitorDef = config.monitors[0]!;
      fixture = await startWorkerWithStore('amstore');
      ({ worker, client } = fixture);
    });
    afterAll(async () => {
      await fixture?.close();
    });

    async function signal(monitorId: string, transition: AlertEvent['transition']): Promise<string> {
      const labels = { monitor: monitorId, severity: 'critical', pipeline: 'intel' };
      const [incident] = incidentsFor(monitorDef, labels);
      const at = new Date().toISOString();
      const status = transition === 'resolve' ? 'ok' : 'critical';
      await client.workflow.signalWithStart(incidentWorkflow, {
        workflowId: incident!.incidentId,
        taskQueue: worker.settings.taskQueue,
        args: [incident!],
        signal: alertSignal,
        signalArgs: [
          {
            transition,
            runId: uniqueName('run'),
            monitor: { id: monitorId, perspective: 'data', pipeline: 'intel', labels: {} },
            labels,
            status,
            verdict: { status, value: 42, unit: 'records', reason: `${monitorId} is ${status}`, observedAt: at },
            at,
          } satisfies AlertEvent,
        ],
      });
      return incident!.incidentId;
    }

    it('keeps the alert active by re-sending it, Alertmanager silences hold it back, and resolve ends it', async () => {
      const monitor = uniqueName('am-flow');
      await signal(monitor, 'open');
      const first = await waitFor(async () => (await alerts(`alertname="${monitor}"`))[0], 'the firing alert');
      expect(first.annotations.summary).toBe(`${monitor} is critical`);
      // Re-sent every second: Alertmanager sees a later endsAt each time, and the alert stays active.
      await waitFor(
        async () => Date.parse((await alerts(`alertname="${monitor}"`))[0]!.endsAt) > Date.parse(first.endsAt),
        'a re-send',
      );

      const silence = await fetch(`${am.url}/api/v2/silences`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          matchers: [{ name: 'alertname', value: monitor, isRegex: false, isEqual: true }],
          startsAt: new Date().toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
          createdBy: 'test',
          comment: 'held back in Alertmanager',
        }),
      });
      expect(silence.ok).toBe(true);
      const { silenceID } = (await silence.json()) as { silenceID: string };
      const held = await waitFor(async () => {
        const [a] = await alerts(`alertname="${monitor}"`);
        return a?.status.state === 'suppressed' ? a : undefined;
      }, 'the alert silenced in Alertmanager');
      expect(held.status.silencedBy).toEqual([silenceID]);

      await signal(monitor, 'resolve');
      await waitFor(
        async () => (await alerts(`alertname="${monitor}"`)).length === 0,
        'the resolved alert to leave Alertmanager',
      );
      // No more re-sends after the resolve.
      await sleep(2_500);
      expect(await alerts(`alertname="${monitor}"`)).toHaveLength(0);
    });
  });
});
