// Incident workflows on a real worker and dev server, with real HTTP servers
// as webhook and Slack receivers: grouping, escalation and acknowledgement,
// channel outages and the fallback channel, silences, inhibition, operator
// resolve. Alerts are signalled the way monitor runs signal them.
import { createHmac } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { parseConfig } from '../../config/load.js';
import type { MonitorDefinition } from '../../config/model.js';
import type { Status } from '../../evaluation/types.js';
import type { HistoryStore } from '../../store/history.js';
import {
  acknowledgeUpdate,
  alertSignal,
  incidentStateQuery,
  incidentWorkflow,
  resolveUpdate,
  type AlertEvent,
} from '../../workflows/incident.js';
import { incidentsFor } from '../../evaluation/check.js';
import {
  addSilenceUpdate,
  silencesWorkflow,
  silencesWorkflowId,
  type AddSilenceRequest,
} from '../../workflows/silences.js';
import { uniqueName } from '../support/env.js';
import { HttpReceiver } from '../support/http-receiver.js';
import type { RunningWorker } from '../support/temporal.js';
import { sleep, waitFor } from '../support/wait.js';
import { startWorkerWithStore, type WorkerWithStore } from '../support/worker-fixture.js';

const SECRET = 'hmac-secret-for-tests';

describe('incidents', () => {
  let hooks: HttpReceiver;
  let flaky: HttpReceiver;
  let store: HistoryStore;
  let worker: RunningWorker;
  let client: Client;
  let monitor: MonitorDefinition;
  let fixture: WorkerWithStore;

  beforeAll(async () => {
    hooks = await HttpReceiver.start();
    flaky = await HttpReceiver.start();
    const config = parseConfig(
      `version: 1
defaults: { schedule: { every: 1h } }
notifications:
  retry: { initialInterval: 300ms, maximumInterval: 600ms }
  timeout: 5s
  fallback: fallback
  fallbackAfter: 3s
routing:
  receiver: team
  groupWait: 0s
  groupInterval: 1h
  repeatInterval: 1h
  routes:
    - matchers: ["scenario = grouping"]
      groupBy: [pipeline]
      groupWait: 2s
    - matchers: ["scenario = escalation"]
      receiver: escalating
    - matchers: ["scenario = flaky"]
      receiver: flaky-team
    - matchers: ["scenario = muting"]
      groupInterval: 1s
    - matchers: ["scenario = slack"]
      receiver: slack-team
receivers:
  team: { notify: [hook] }
  escalating: { escalation: ladder }
  flaky-team: { notify: [flaky] }
  slack-team: { notify: [slack] }
escalations:
  ladder:
    steps:
      - { after: 0s, notify: [step1] }
      - { after: 3s, notify: [step2] }
      - { after: 3s, notify: [step3] }
inhibit:
  - source: ["severity = critical"]
    target: ["severity = warning"]
    equal: [pipeline]
channels:
  hook: { type: webhook, url: "${hooks.url('/hook')}", secret: "\${HOOK_SECRET}" }
  step1: { type: webhook, url: "${hooks.url('/step1')}" }
  step2: { type: webhook, url: "${hooks.url('/step2')}" }
  step3: { type: webhook, url: "${hooks.url('/step3')}" }
  flaky: { type: webhook, url: "${flaky.url('/hook')}" }
  fallback: { type: webhook, url: "${hooks.url('/fallback')}" }
  slack: { type: slack, webhookUrl: "\${SLACK_URL}" }
connectors:
  lake: { type: postgres, url: "postgres://x@127.0.0.1/x" }
monitors:
  - id: placeholder
    connector: lake
    check: { type: freshness, dataset: t, timestamp: ts }
    rules: [{ above: 1 }]
`,
      'incidents.yaml',
      { env: false },
    );
    monitor = config.monitors[0]!;
    fixture = await startWorkerWithStore('incstore', {
      ...process.env,
      HOOK_SECRET: SECRET,
      SLACK_URL: hooks.url('/slack'),
    });
    ({ store, worker, client } = fixture);
  });

  afterAll(async () => {
    await fixture?.close();
    await hooks?.stop();
    await flaky?.stop();
  });

  /** Signals an alert as a monitor run does; returns the incident it joined. */
  async function alert(
    monitorId: string,
    labels: Record<string, string>,
    transition: AlertEvent['transition'],
    status: Status = 'critical',
  ): Promise<string> {
    const all = { monitor: monitorId, severity: status, ...labels };
    const [incident] = incidentsFor(monitor, all);
    const at = new Date().toISOString();
    await client.workflow.signalWithStart(incidentWorkflow, {
      workflowId: incident!.incidentId,
      taskQueue: worker.settings.taskQueue,
      args: [incident!],
      signal: alertSignal,
      signalArgs: [
        {
          transition,
          runId: uniqueName('run'),
          monitor: { id: monitorId, perspective: 'data', pipeline: labels.pipeline, labels: {} },
          labels: all,
          status: transition === 'resolve' ? 'ok' : status,
          verdict: {
            status: transition === 'resolve' ? 'ok' : status,
            value: 42,
            unit: 'records',
            reason: `${monitorId} says ${status}`,
            observedAt: at,
          },
          at,
        } satisfies AlertEvent,
      ],
    });
    return incident!.incidentId;
  }

  const state = (id: string) => client.workflow.getHandle(id).query(incidentStateQuery);
  const forIncident = (path: string, kind: string, id: string) =>
    hooks.accepted.filter((r) => r.path === path && r.body.kind === kind && r.body.incidentId === id);

  it('groups alerts that share labels into one message, and resolves them with one', async () => {
    const pipeline = uniqueName('grp');
    const ids = ['m1', 'm2', 'm3', 'm4', 'm5'].map((m) => `${pipeline}-${m}`);
    const incidents = new Set<string>();
    for (const id of ids) incidents.add(await alert(id, { scenario: 'grouping', pipeline }, 'open'));
    expect([...incidents]).toEqual([`pipewatch-incident/team/pipeline=${pipeline}`]);
    const [incidentId] = [...incidents];

    await waitFor(() => forIncident('/hook', 'firing', incidentId!).length === 1, 'the grouped firing message');
    const [firing] = forIncident('/hook', 'firing', incidentId!);
    expect((firing!.body.alerts as Array<{ monitor: string }>).map((a) => a.monitor).sort()).toEqual(ids);
    // Signed: the receiver can check the body came from pipewatch.
    expect(firing!.headers['x-pipewatch-signature']).toBe(
      `sha256=${createHmac('sha256', SECRET).update(firing!.raw).digest('hex')}`,
    );

    for (const id of ids) await alert(id, { scenario: 'grouping', pipeline }, 'resolve');
    await waitFor(() => forIncident('/hook', 'resolved', incidentId!).length === 1, 'the resolved message');
    await sleep(1_000);
    expect(forIncident('/hook', 'firing', incidentId!)).toHaveLength(1);
    expect(forIncident('/hook', 'resolved', incidentId!)).toHaveLength(1);
    expect(forIncident('/hook', 'changed', incidentId!)).toHaveLength(0);
    expect((await state(incidentId!)).state).toBe('resolved');
  });

  it('escalates step by step until acknowledged, then stops', async () => {
    const id = await alert(uniqueName('esc'), { scenario: 'escalation' }, 'open');
    await waitFor(() => forIncident('/step1', 'escalation', id).length === 1, 'step 1');
    expect(forIncident('/step2', 'escalation', id)).toHaveLength(0);
    await waitFor(() => forIncident('/step2', 'escalation', id).length === 1, 'step 2 after its delay', 10_000);
    const step2 = forIncident('/step2', 'escalation', id)[0]!;
    expect(step2.body.escalation).toEqual({ policy: 'ladder', step: 2, round: 1 });

    const acked = await client.workflow
      .getHandle(id)
      .executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice', note: 'looking' }] });
    expect(acked.state).toBe('acknowledged');
    expect(acked.acknowledgements).toEqual([expect.objectContaining({ by: 'alice', note: 'looking' })]);
    await sleep(4_500); // step 3 would have come 3 s after step 2
    expect(forIncident('/step3', 'escalation', id)).toHaveLength(0);
    expect((await state(id)).escalation?.stepsDone).toBe(2);
  });

  it('resumes escalation when an acknowledgement expires', async () => {
    const id = await alert(uniqueName('ackexp'), { scenario: 'escalation' }, 'open');
    await waitFor(() => forIncident('/step1', 'escalation', id).length === 1, 'step 1');
    await client.workflow.getHandle(id).executeUpdate(acknowledgeUpdate, { args: [{ by: 'bob', forMs: 1_500 }] });
    await waitFor(
      () => forIncident('/step1', 'escalation', id).length === 2,
      'step 1 again once the acknowledgement expired',
      10_000,
    );
    expect((await state(id)).state).toBe('firing');
    expect(forIncident('/step2', 'escalation', id)).toHaveLength(0);
  });

  it('refuses to acknowledge what does not exist or is already resolved, and lets an operator resolve', async () => {
    await expect(
      client.workflow
        .getHandle(`pipewatch-incident/team/monitor=${uniqueName('nope')}`)
        .executeUpdate(acknowledgeUpdate, { args: [{ by: 'carol' }] }),
    ).rejects.toThrow(WorkflowNotFoundError);

    const monitorId = uniqueName('manual');
    await store.recordRun({
      monitorId,
      runId: 'r1',
      verdict: { status: 'critical', unit: 'records', value: 1, reason: 'x', observedAt: new Date().toISOString() },
      flap: { failAfter: 1, resolveAfter: 1 },
    });
    expect((await store.monitorState(monitorId))?.alerting).toBe(true);
    const id = await alert(monitorId, {}, 'open');
    await waitFor(() => forIncident('/hook', 'firing', id).length === 1, 'the firing message');

    await expect(
      client.workflow.getHandle(id).executeUpdate(acknowledgeUpdate, { args: [{ by: '' }] }),
    ).rejects.toThrow(WorkflowUpdateFailedError);
    const resolved = await client.workflow
      .getHandle(id)
      .executeUpdate(resolveUpdate, { args: [{ by: 'carol', note: 'fixed the parser' }] });
    expect(resolved.state).toBe('resolved');
    const [message] = await waitFor(
      () => (forIncident('/hook', 'resolved', id).length === 1 ? forIncident('/hook', 'resolved', id) : undefined),
      'the resolved message',
    );
    expect(message!.body).toMatchObject({ status: 'ok', resolvedBy: 'carol (fixed the parser)' });
    expect((await store.monitorState(monitorId))?.alerting).toBe(false);
    await expect(
      client.workflow.getHandle(id).executeUpdate(acknowledgeUpdate, { args: [{ by: 'dave' }] }),
    ).rejects.toMatchObject({
      cause: expect.objectContaining({ message: expect.stringMatching(/is already resolved/) }),
    });
  });

  it('delivers once after a webhook outage', async () => {
    flaky.failWith = 500;
    const id = await alert(uniqueName('flaky'), { scenario: 'flaky' }, 'open');
    await waitFor(() => flaky.attempts >= 3, 'three refused attempts');
    expect(flaky.accepted).toHaveLength(0);
    flaky.failWith = undefined;
    await waitFor(
      () => flaky.accepted.filter((r) => r.body.incidentId === id).length === 1,
      'the delivery after recovery',
    );
    await sleep(1_500);
    expect(flaky.accepted.filter((r) => r.body.incidentId === id)).toHaveLength(1);
  });

  it('tells the fallback channel when a channel stays down, and still delivers when it returns', async () => {
    flaky.failWith = 503;
    const id = await alert(uniqueName('down'), { scenario: 'flaky' }, 'open');
    const [notice] = await waitFor(
      () => {
        const n = hooks.accepted.filter((r) => r.path === '/fallback' && String(r.body.text).includes(id));
        return n.length ? n : undefined;
      },
      'the fallback notice',
      20_000,
    );
    expect(notice!.body).toMatchObject({ kind: 'notice', title: 'channel flaky is failing' });
    expect(String(notice!.body.text)).toContain('503');
    flaky.failWith = undefined;
    await waitFor(
      () => flaky.accepted.filter((r) => r.body.incidentId === id).length === 1,
      'the delivery after recovery',
    );
  });

  it('holds back what a silence matches until it ends, and nothing else', async () => {
    const run = uniqueName('sil');
    const silenced = `${run}-a`;
    const loud = `${run}-b`;
    const request: AddSilenceRequest = {
      matchers: [`monitor = ${silenced}`],
      durationMs: 4_000,
      createdBy: 'erin',
      reason: 'backfill',
      announcements: {
        channels: [],
        announceBeforeMs: 1_000,
        longerThanMs: 86_400_000,
        delivery: monitor.notification.delivery,
      },
    };
    const created = await client.workflow.executeUpdateWithStart(addSilenceUpdate, {
      args: [request],
      startWorkflowOperation: new WithStartWorkflowOperation(silencesWorkflow, {
        workflowId: silencesWorkflowId(worker.settings.taskQueue),
        taskQueue: worker.settings.taskQueue,
        args: [],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    });
    expect(created).toMatchObject({ createdBy: 'erin', reason: 'backfill' });
    const started = Date.now();

    const silencedId = await alert(silenced, { scenario: 'muting' }, 'open');
    const loudId = await alert(loud, { scenario: 'muting' }, 'open');
    await waitFor(() => forIncident('/hook', 'firing', loudId).length === 1, 'the unsilenced alert');
    expect(forIncident('/hook', 'firing', silencedId)).toHaveLength(0);
    expect((await state(silencedId)).muted[silenced]).toMatchObject({ kind: 'silence', by: 'erin' });

    await waitFor(
      () => forIncident('/hook', 'firing', silencedId).length === 1,
      'the silenced alert once the silence ended',
      15_000,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_500);

    await expect(
      client.workflow
        .getHandle(silencesWorkflowId(worker.settings.taskQueue))
        .executeUpdate(addSilenceUpdate, { args: [{ ...request, matchers: ['not a matcher'] }] }),
    ).rejects.toMatchObject({ cause: expect.objectContaining({ message: expect.stringMatching(/is not a matcher/) }) });
  });

  it('inhibits a warning while a critical alert of the same pipeline fires', async () => {
    const pipeline = uniqueName('inh');
    const source = `${pipeline}-src`;
    await store.recordRun({
      monitorId: source,
      runId: 'r1',
      verdict: { status: 'critical', unit: 'records', value: 0, reason: 'x', observedAt: new Date().toISOString() },
      flap: { failAfter: 1, resolveAfter: 1 },
      labels: { monitor: source, pipeline, severity: 'critical' },
      incidentIds: [],
    });
    const target = `${pipeline}-tgt`;
    const id = await alert(target, { scenario: 'muting', pipeline }, 'open', 'warning');
    await waitFor(async () => (await state(id)).muted[target]?.kind === 'inhibited', 'the warning to be inhibited');
    await sleep(1_500);
    expect(forIncident('/hook', 'firing', id)).toHaveLength(0);

    await store.stopAlerting([source]);
    await waitFor(
      () => forIncident('/hook', 'firing', id).length === 1,
      'the warning once the critical alert is gone',
      10_000,
    );
  });

  it('posts to Slack', async () => {
    const monitorId = uniqueName('slack');
    await alert(monitorId, { scenario: 'slack' }, 'open');
    const [message] = await waitFor(() => {
      const found = hooks.accepted.filter((r) => r.path === '/slack' && String(r.body.text).includes(monitorId));
      return found.length ? found : undefined;
    }, 'the Slack message');
    expect(String(message!.body.text)).toMatch(
      new RegExp(`^\\*FIRING CRITICAL: ${monitorId}: ${monitorId} says critical\\*`),
    );
  });
});
