// The operations perspective against Kubernetes' own controllers: kube-controller-manager
// (CronJob, Job and node lifecycle controllers), kube-scheduler and kwok's simulated nodes
// (devserver/kubernetes.ts, devserver/kwok-stages.ts). Nothing here writes a status a
// controller or a kubelet would: the cluster makes Jobs, binds pods and runs them, and
// pipewatch reads what it made. Schedules are every minute, so the stories run concurrently
// (it.concurrent) on three control planes: "stoppable", whose controller-manager is stopped
// across scheduled times, "running", which keeps its controllers, and "nodes", whose kwok —
// the simulated kubelet — is stopped.
//
// What is asserted is the cronJobs, podHealth and kubeEvents checks' documented behaviour
// (docs/PERSPECTIVES.md, "Operations: Kubernetes"): a missed run names the CronJob, the time it was due and
// the last run; startingDeadlineSeconds is said; a failed or overlong Job is named.
import type { Client } from '@temporalio/client';
import * as k8s from '@kubernetes/client-node';
import { parseConfig } from '../../config/load.js';
import type { MonitorDefinition } from '../../config/model.js';
import { connectorCache } from '../../connectors/registry.js';
import { checkHere } from '../../cli/check-here.js';
import type { ControlPlane } from '../../devserver/kubernetes.js';
import { KWOK_FAULT_LABEL, KWOK_RUN_FOR_ANNOTATION, type KwokFault } from '../../devserver/kwok-stages.js';
import type { Verdict } from '../../evaluation/types.js';
import { monitorWorkflow, type MonitorRunResult } from '../../workflows/monitor.js';
import { uniqueName } from '../support/env.js';
import { adminConfig, startTestControlPlane } from '../support/kubernetes.js';
import type { RunningWorker } from '../support/temporal.js';
import { sleep, waitFor } from '../support/wait.js';
import { startWorkerWithStore, type WorkerWithStore } from '../support/worker-fixture.js';

const MIN = 60_000;
const GRACE = 15_000;
const SCHEDULED = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/** "2026-12-03 09:41 UTC": how the cronJobs check writes a time in a CronJob without timeZone. */
const utcText = (at: number) => `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const sleepUntil = async (at: number) => {
  const wait = at - Date.now();
  if (wait > 0) await sleep(wait);
};

class Api {
  readonly core: k8s.CoreV1Api;
  readonly batch: k8s.BatchV1Api;
  constructor(cp: ControlPlane) {
    const kc = adminConfig(cp);
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.batch = kc.makeApiClient(k8s.BatchV1Api);
  }

  /** A CronJob as a user writes it; the pods of its Jobs get a kwok fault or a run time when asked. */
  cronJob(
    namespace: string,
    name: string,
    spec: { schedule: string; startingDeadlineSeconds?: number; concurrencyPolicy?: string },
    pod: { fault?: KwokFault; runFor?: string } = {},
  ) {
    return this.batch.createNamespacedCronJob({
      namespace,
      body: {
        metadata: { name },
        spec: {
          ...spec,
          jobTemplate: {
            spec: {
              backoffLimit: 0,
              template: {
                metadata: {
                  labels: { 'app.kubernetes.io/name': name, ...(pod.fault ? { [KWOK_FAULT_LABEL]: pod.fault } : {}) },
                  annotations: pod.runFor ? { [KWOK_RUN_FOR_ANNOTATION]: pod.runFor } : {},
                },
                spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: `registry.example/${name}:1` }] },
              },
            },
          },
        },
      },
    });
  }

  /** The CronJob's Jobs by the scheduled time the controller made each for. */
  async jobsOf(namespace: string, cronJob: string): Promise<Map<number, k8s.V1Job>> {
    const jobs = (await this.batch.listNamespacedJob({ namespace })).items.filter((j) =>
      j.metadata?.ownerReferences?.some((o) => o.kind === 'CronJob' && o.name === cronJob),
    );
    return new Map(jobs.map((j) => [Date.parse(j.metadata!.annotations![SCHEDULED]!), j]));
  }

  async events(namespace: string, name: string): Promise<k8s.CoreV1Event[]> {
    return (await this.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` })).items;
  }

  pod(namespace: string, name: string, spec: { fault?: KwokFault; cpu?: string; node?: string }) {
    return this.core.createNamespacedPod({
      namespace,
      body: {
        metadata: {
          name: `${name}-1`,
          labels: { 'app.kubernetes.io/name': name, ...(spec.fault ? { [KWOK_FAULT_LABEL]: spec.fault } : {}) },
        },
        spec: {
          nodeSelector: spec.node ? { 'kubernetes.io/hostname': spec.node } : undefined,
          containers: [
            {
              name: 'main',
              image: `registry.example/${name}:1`,
              resources: spec.cpu ? { requests: { cpu: spec.cpu } } : undefined,
            },
          ],
        },
      },
    });
  }
}

const succeeded = (j: k8s.V1Job | undefined) =>
  !!j?.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True');

describe("Kubernetes' own controllers, scheduler and kwok nodes, watched by pipewatch", () => {
  let stoppable: ControlPlane;
  let running: ControlPlane;
  let nodes: ControlPlane;
  let onStoppable: Api;
  let onRunning: Api;
  let onNodes: Api;
  let monitors: Record<string, MonitorDefinition>;
  let worker: RunningWorker;
  let client: Client;
  let fixture: WorkerWithStore;
  const cache = connectorCache();

  beforeAll(async () => {
    [stoppable, running, nodes] = await Promise.all([
      startTestControlPlane({
        running: { controllers: ['cronjob-controller', 'job-controller'], scheduler: true, nodes: ['kwok-node-1'] },
      }),
      startTestControlPlane({
        running: {
          controllers: ['cronjob-controller', 'job-controller'],
          scheduler: true,
          nodes: ['kwok-node-1', 'kwok-node-2'],
        },
      }),
      // A node without a lease renewal for 20 s is NotReady (default 50 s).
      startTestControlPlane({
        running: {
          controllers: ['node-lifecycle-controller'],
          controllerManagerArgs: ['--node-monitor-grace-period=20s'],
          scheduler: true,
          nodes: ['kwok-node-1'],
        },
      }),
    ]);
    onStoppable = new Api(stoppable);
    onRunning = new Api(running);
    onNodes = new Api(nodes);
    await onStoppable.core.createNamespace({ body: { metadata: { name: 'pw-cron' } } });
    for (const ns of ['pw-batch', 'pw-pods'])
      await onRunning.core.createNamespace({ body: { metadata: { name: ns } } });
    await onNodes.core.createNamespace({ body: { metadata: { name: 'pw-node' } } });
    fixture = await startWorkerWithStore('k8srun');
    ({ worker, client } = fixture);

    const config = `version: 1
defaults: { schedule: { every: 1m }, flap: { failAfter: 1, resolveAfter: 1 } }
connectors:
  stoppable: { type: kubernetes, kubeconfig: "${stoppable.kubeconfig}", requestTimeout: 10s }
  running: { type: kubernetes, kubeconfig: "${running.kubeconfig}", requestTimeout: 10s }
  nodes: { type: kubernetes, kubeconfig: "${nodes.kubeconfig}", requestTimeout: 10s }
monitors:
  - id: collectors
    connector: stoppable
    check: { type: cronJobs, namespace: pw-cron, grace: 15s }
    rules: [{ above: 0, severity: warning }]
  - id: batch
    connector: running
    check: { type: cronJobs, namespace: pw-batch, grace: 15s, maxDuration: 45s }
    rules: [{ above: 0, severity: warning }]
  - id: pods
    connector: running
    # imagePullFor 0s: a pod says nothing about since when it waits for its image, and these checks run without the store that remembers
    check: { type: podHealth, namespace: pw-pods, crashLoopFor: 1s, imagePullFor: 0s, stuck: { pending: 1s } }
    rules: [{ above: 0, severity: critical }]
  - id: scheduling-events
    connector: running
    check: { type: kubeEvents, namespace: pw-pods, reasons: [FailedScheduling], window: 15m }
    rules: [{ above: 0, severity: warning }]
  - id: node-events
    connector: nodes
    check: { type: kubeEvents, namespace: pw-node, reasons: [NodeNotReady], window: 15m }
    rules: [{ above: 0, severity: warning }]
  - id: node-pods
    connector: nodes
    check: { type: podHealth, namespace: pw-node }
    rules: [{ above: 0, severity: critical }]
`;
    monitors = Object.fromEntries(
      parseConfig(config, 'k8s-running.yaml', { env: false }).monitors.map((m) => [m.id, m]),
    );
  }, 120_000);

  afterAll(async () => {
    await fixture?.close();
    await cache.closeAll();
    await Promise.all([stoppable?.stop(), running?.stop(), nodes?.stop()]);
  });

  const check = (id: string) => checkHere(monitors[id]!, new Date(), cache);
  /** Checks until `done` holds or the time is up, and returns the last verdict either way (so a failure shows it). */
  const checkUntil = async (id: string, done: (v: Verdict) => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await check(id);
      if (done(v) || Date.now() > deadline) return v;
      await sleep(1_000);
    }
  };
  /** One scheduled run of the monitor through monitorWorkflow on a real worker: its verdict and the alert transition. */
  const monitorRun = async (id: string) => {
    const handle = await client.workflow.start(monitorWorkflow, {
      args: [monitors[id]!],
      taskQueue: worker.settings.taskQueue,
      workflowId: `${uniqueName('run')}/${id}`,
    });
    return (await handle.result()) as MonitorRunResult;
  };

  it.concurrent(
    'a CronJob the controller runs is healthy; stopped across two scheduled times, pipewatch names the missed run while Kubernetes says nothing; restarted, the catch-up and the resolution agree',
    async () => {
      // Two CronJobs every minute: Kubernetes catches up the one without startingDeadlineSeconds at once, and
      // never starts the other's missed run (its 15 s window has passed).
      await onStoppable.cronJob('pw-cron', 'collector', { schedule: '* * * * *' });
      await onStoppable.cronJob('pw-cron', 'collector-deadline', {
        schedule: '* * * * *',
        startingDeadlineSeconds: 15,
      });

      // The controller makes a Job for the next minute; kwok runs its pod to completion.
      const t1 = Math.ceil(Date.now() / MIN) * MIN;
      for (const name of ['collector', 'collector-deadline']) {
        await waitFor(
          async () => succeeded((await onStoppable.jobsOf('pw-cron', name)).get(t1)),
          `${name}'s Job for ${new Date(t1).toISOString()} to succeed`,
          2 * MIN,
          1_000,
        );
      }
      const healthy = await monitorRun('collectors');
      expect(healthy).toMatchObject({ status: 'ok', value: 0, transition: 'none' });

      // Stop the controller-manager across t2 and t3.
      await stoppable.stopComponent('kube-controller-manager');
      const stoppedAt = Date.now();
      const t3 = t1 + 2 * MIN;
      await sleepUntil(t3 + GRACE + 3_000);

      const missed = await monitorRun('collectors');
      expect(missed).toMatchObject({ status: 'warning', value: 2, transition: 'open' });
      const v = await check('collectors');
      const lastRun = `last run ${utcText(t1)} \\(2m ago\\)`;
      expect(String(v.details!['cronjob pw-cron/collector'])).toMatch(
        new RegExp(`^missed the run due ${utcText(t3)} \\(1[5-9]s ago, grace 15s\\); ${lastRun} — schedule `),
      );
      expect(String(v.details!['cronjob pw-cron/collector-deadline'])).toMatch(
        new RegExp(
          `^missed the run due ${utcText(t3)} \\(1[5-9]s ago, grace 15s\\); ${lastRun}; startingDeadlineSeconds \\(15\\) has passed, so Kubernetes will not start it — schedule `,
        ),
      );
      // Kubernetes itself: no event since the stop, lastScheduleTime still t1, no Job for t2 or t3.
      for (const name of ['collector', 'collector-deadline']) {
        const events = await onStoppable.events('pw-cron', name);
        expect(events.filter((e) => Date.parse(String(e.lastTimestamp ?? e.eventTime)) > stoppedAt)).toEqual([]);
        const cj = await onStoppable.batch.readNamespacedCronJob({ namespace: 'pw-cron', name });
        expect(new Date(cj.status!.lastScheduleTime!).getTime()).toBe(t1);
        expect([...(await onStoppable.jobsOf('pw-cron', name)).keys()]).toEqual([t1]);
      }

      // Restarted: the controller starts the most recent missed time (t3, not t2) for the CronJob without a deadline.
      // For the other, t3 is outside its 15 s window when the controller looks: it starts nothing and says nothing —
      // not even MissSchedule, which it records only for a time it finds inside the window and then too late.
      await stoppable.startComponent('kube-controller-manager');
      await waitFor(
        async () => succeeded((await onStoppable.jobsOf('pw-cron', 'collector')).get(t3)),
        'the catch-up Job for t3 to succeed',
        MIN,
        500,
      );
      expect([...(await onStoppable.jobsOf('pw-cron', 'collector')).keys()].sort()).toEqual([t1, t3]);
      await sleep(2_000);
      expect([...(await onStoppable.jobsOf('pw-cron', 'collector-deadline')).keys()]).toEqual([t1]);
      expect(
        (await onStoppable.events('pw-cron', 'collector-deadline')).filter(
          (e) => Date.parse(String(e.lastTimestamp ?? e.eventTime)) > stoppedAt,
        ),
      ).toEqual([]);

      const caughtUp = await check('collectors');
      expect(caughtUp.details).not.toHaveProperty('cronjob pw-cron/collector');
      expect(String(caughtUp.details!['cronjob pw-cron/collector-deadline'])).toMatch(
        new RegExp(`^missed the run due ${utcText(t3)} .*startingDeadlineSeconds \\(15\\) has passed`),
      );
      expect(caughtUp.value).toBe(1);

      // The next scheduled time runs for both: resolved.
      const t4 = t3 + MIN;
      await waitFor(
        async () => succeeded((await onStoppable.jobsOf('pw-cron', 'collector-deadline')).get(t4)),
        "collector-deadline's Job for t4 to succeed",
        2 * MIN,
        1_000,
      );
      const resolved = await monitorRun('collectors');
      expect(resolved).toMatchObject({ status: 'ok', value: 0, transition: 'resolve' });
    },
    8 * MIN,
  );

  it.concurrent(
    'a Job whose pod fails, and a Forbid CronJob whose Job runs past maxDuration so the controller skips the next run',
    async () => {
      await onRunning.cronJob('pw-batch', 'exporter', { schedule: '* * * * *' }, { fault: 'fail' });
      await onRunning.cronJob(
        'pw-batch',
        'compactor',
        { schedule: '* * * * *', concurrencyPolicy: 'Forbid' },
        { runFor: '10m' },
      );
      const t1 = Math.ceil(Date.now() / MIN) * MIN;
      const t2 = t1 + MIN;

      const failedJob = await waitFor(
        async () =>
          [...(await onRunning.jobsOf('pw-batch', 'exporter')).values()].find((j) =>
            j.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True'),
          ),
        "exporter's Job to fail",
        2 * MIN,
        1_000,
      );
      // The controller says why it skipped t2 (JobAlreadyActive); pipewatch names the skipped run and the Job in the way.
      await waitFor(
        async () => (await onRunning.events('pw-batch', 'compactor')).some((e) => e.reason === 'JobAlreadyActive'),
        'JobAlreadyActive for compactor',
        2 * MIN,
        1_000,
      );
      await sleepUntil(t2 + GRACE + 2_000);

      const compactorJob = (await onRunning.jobsOf('pw-batch', 'compactor')).get(t1)!.metadata!.name!;
      // The newest failed Job is named: t2's, made after the one that failed first.
      const newestFailed = (await onRunning.jobsOf('pw-batch', 'exporter')).get(t2)!;
      expect(newestFailed.metadata!.name).not.toBe(failedJob.metadata!.name);
      const v = await check('batch');
      expect(v).toMatchObject({ status: 'warning', value: 2 });
      expect(String(v.details!['cronjob pw-batch/exporter'])).toMatch(
        new RegExp(
          `^Job ${newestFailed.metadata!.name} failed \\d+s ago: BackoffLimitExceeded — Job has reached the specified backoff limit — schedule \\* \\* \\* \\* \\* \\(UTC\\), last run \\d+s ago, last success never$`,
        ),
      );
      const compactor = String(v.details!['cronjob pw-batch/compactor']);
      expect(compactor).toContain(`missed the run due ${utcText(t2)}`);
      expect(compactor).toContain(`skipped because ${compactorJob} is still running (concurrencyPolicy Forbid)`);
      expect(compactor).toMatch(new RegExp(`Job ${compactorJob} has run 1m \\(limit 45s\\)`));
    },
    5 * MIN,
  );

  it.concurrent(
    "pods the scheduler and kwok run: CrashLoopBackOff with restarts, OOMKilled, ImagePullBackOff, and Pending with the scheduler's reason",
    async () => {
      await onRunning.pod('pw-pods', 'loader', { fault: 'crash-loop' });
      await onRunning.pod('pw-pods', 'indexer', { fault: 'oom' });
      await onRunning.pod('pw-pods', 'fetcher', { fault: 'image-pull' });
      await onRunning.pod('pw-pods', 'planner', { cpu: '64' });
      await onRunning.pod('pw-pods', 'healthy', {});
      const v = await checkUntil('pods', (r) => r.value === 5, 30_000);
      const d = v.details!;
      expect(String(d['app loader'])).toMatch(
        /^container layer — loader-1: CrashLoopBackOff for \d+s \(allowed 1s\): main: CrashLoopBackOff/,
      );
      expect(String(d['app loader'])).toContain(
        'main: 6 restarts in 1h (allowed 5), last terminated Error (exit code 1)',
      );
      expect(String(d['app indexer'])).toMatch(
        /^scheduling\/resources layer — indexer-1: main: OOMKilled \(exit code 137\) at .* — over its memory limit/,
      );
      expect(String(d['app fetcher'])).toMatch(
        /^image layer — fetcher-1: cannot pull its image for \d+s \(allowed 0s\): main: ImagePullBackOff/,
      );
      expect(String(d['app planner'])).toMatch(
        /^scheduling\/resources layer — planner-1: Pending for \d+s \(allowed 1s\): not scheduled: 0\/2 nodes are available: .*Insufficient cpu/,
      );
      expect(d).not.toHaveProperty('app healthy');
      expect(v).toMatchObject({ value: 5, status: 'critical' });
      // The pods really ran on kwok's node (the scheduler bound them), except the one no node can hold.
      const pods = (await onRunning.core.listNamespacedPod({ namespace: 'pw-pods' })).items;
      expect(Object.fromEntries(pods.map((p) => [p.metadata!.name, p.spec!.nodeName ?? null]))).toMatchObject({
        'loader-1': expect.stringMatching(/^kwok-node-/),
        'planner-1': null,
      });

      const scheduling = await checkUntil('scheduling-events', (r) => (r.value ?? 0) > 0, 30_000);
      expect(String(scheduling.details!['app planner'])).toMatch(
        /^scheduling\/resources layer — FailedScheduling ×\d+ on Pod\/planner-1 · .*0\/2 nodes are available: .*Insufficient cpu/,
      );
    },
    2 * MIN,
  );

  it.concurrent(
    "a node that stops reporting: the node lifecycle controller marks it NotReady, pipewatch names the node layer with the node's Ready condition for the pods on it, and both checks resolve when the node is Ready again (not when the event window ends)",
    async () => {
      await onNodes.pod('pw-node', 'mover', {});
      await waitFor(
        async () =>
          (await onNodes.core.readNamespacedPod({ namespace: 'pw-node', name: 'mover-1' })).status?.phase === 'Running',
        'mover-1 Running on kwok-node-1',
        30_000,
        500,
      );
      // Leases renewed every 10 s keep the node Ready past the 20 s grace period.
      await sleep(25_000);
      expect((await check('node-events')).value).toBe(0);
      const healthy = await check('node-pods');
      expect(healthy.value).toBe(0);
      expect(healthy.details).toMatchObject({ nodes: 'kwok-node-1 Ready' });
      // kwok, the node's simulated kubelet, stops: no more lease renewals or node status.
      await nodes.stopComponent('kwok');
      const v = await checkUntil('node-events', (r) => (r.value ?? 0) > 0, 90_000);
      expect(v.details).toMatchObject({ layer: 'node', summary: 'mover: node layer (NodeNotReady, node kwok-node-1)' });
      expect(String(v.details!['app mover'])).toMatch(
        /^node layer — NodeNotReady ×1 on Pod\/mover-1 · .*Node is not ready · node kwok-node-1 Ready=Unknown since \S+ \(NodeStatusUnknown: Kubelet stopped posting node status\.\)$/,
      );
      const node = await onNodes.core.readNode({ name: 'kwok-node-1' });
      expect(node.status!.conditions!.find((c) => c.type === 'Ready')).toMatchObject({
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
      });
      // podHealth: the pod still says Running; its node's Ready condition is what makes it a problem.
      const down = await checkUntil('node-pods', (r) => (r.value ?? 0) > 0, 30_000);
      expect(down.details).toMatchObject({
        layer: 'node',
        summary: 'mover: NodeNotReady (node layer, node kwok-node-1)',
      });
      expect(String(down.details!['app mover'])).toMatch(
        /^node layer — mover-1: its node is not Ready \(for \d+s\): node kwok-node-1 Ready=Unknown since \S+ \(NodeStatusUnknown: Kubelet stopped posting node status\.\)$/,
      );
      expect((await onNodes.core.readNamespacedPod({ namespace: 'pw-node', name: 'mover-1' })).status?.phase).toBe(
        'Running',
      );

      // kwok starts again and reports the node Ready: both checks are healthy within a run or two, while the
      // NodeNotReady event is still inside its 15-minute window — left out, and said so.
      await nodes.startComponent('kwok');
      const back = await checkUntil('node-pods', (r) => r.value === 0, 60_000);
      expect(back.details).toMatchObject({ nodes: 'kwok-node-1 Ready' });
      const over = await checkUntil('node-events', (r) => r.value === 0, 30_000);
      expect(over.value).toBe(0);
      expect(String(over.details!.over)).toMatch(
        /^1 NodeNotReady event\(s\) left out: node kwok-node-1 is Ready again \(reported \S+\)$/,
      );
      const events = await onNodes.events('pw-node', 'mover-1');
      expect(events.filter((e) => e.reason === 'NodeNotReady')).toHaveLength(1);
    },
    4 * MIN,
  );
});
