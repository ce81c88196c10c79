// The operations perspective against a real kube-apiserver and etcd (built
// from the Go module proxy, devserver/kubernetes.ts). Nothing runs pods here,
// so the test writes what the kubelet and the controllers would: pods and
// their status through the status subresource, events, CronJobs and Jobs.
import type { Client } from '@temporalio/client';
import * as k8s from '@kubernetes/client-node';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../config/load.js';
import type { MonitorDefinition } from '../../config/model.js';
import { connectorCache } from '../../connectors/registry.js';
import { checkHere } from '../../cli/check-here.js';
import type { ControlPlane } from '../../devserver/kubernetes.js';
import { lastScheduledRun, parseCron, type CronSpec } from '../../evaluation/cron.js';
import { HistoryStore } from '../../store/history.js';
import { monitorWorkflow, type MonitorRunResult } from '../../workflows/monitor.js';
import { testEnv, uniqueName } from '../support/env.js';
import { adminConfig, Cluster, startTestControlPlane } from '../support/kubernetes.js';
import { startTestWorker, testClient, type RunningWorker } from '../support/temporal.js';
import { sleep } from '../support/wait.js';

const MIN = 60_000;

describe('Kubernetes: events, pod health and CronJobs on a real API server', () => {
  const env = testEnv();
  let cp: ControlPlane;
  let cluster: Cluster;
  let monitors: Record<string, MonitorDefinition>;
  let store: HistoryStore;
  const storeSchema = uniqueName('k8sstore').toLowerCase();
  const cache = connectorCache();
  const manifests = join(env.root, `${storeSchema}-manifests`);
  const badManifest = join(env.root, `${storeSchema}-bad.yaml`);
  const expiredKubeconfig = join(env.root, `${storeSchema}-expired.kubeconfig`);

  beforeAll(async () => {
    cp = await startTestControlPlane();
    cluster = new Cluster(adminConfig(cp));
    for (const ns of ['pw-events', 'pw-elsewhere', 'pw-pods', 'pw-stuck', 'pw-cron', 'pw-allowed', 'pw-denied'])
      await cluster.namespace(ns);
    // The node the tests bind their pods to, Ready (a pod on a missing node is itself a node-layer problem).
    await cluster.readyNode('node-1');
    store = await HistoryStore.open({ url: env.databaseUrl, schema: storeSchema });

    // The same cluster with a token the server does not know: what an expired token looks like.
    writeFileSync(
      expiredKubeconfig,
      readFileSync(cp.kubeconfig, 'utf8').replace(cp.tokens.admin, 'expired-token-0000'),
    );
    // "nobody" may read pods in pw-allowed only.
    await cluster.rbac.createNamespacedRole({
      namespace: 'pw-allowed',
      body: {
        metadata: { name: 'pod-reader' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
      },
    });
    await cluster.rbac.createNamespacedRoleBinding({
      namespace: 'pw-allowed',
      body: {
        metadata: { name: 'nobody-reads-pods' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
        subjects: [{ kind: 'User', name: 'nobody', apiGroup: 'rbac.authorization.k8s.io' }],
      },
    });

    mkdirSync(manifests, { recursive: true });
    // Rendered Helm output: several documents, comments, a List, and objects that are not CronJobs.
    writeFileSync(
      join(manifests, 'rendered.yaml'),
      `---
# Source: crawler/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata: { name: crawler, namespace: pw-cron }
spec: { selector: { matchLabels: { app: crawler } }, template: { metadata: { labels: { app: crawler } }, spec: { containers: [{ name: c, image: x }] } } }
---
# Source: crawler/templates/cronjob.yaml
apiVersion: batch/v1
kind: CronJob
metadata:
  name: seoul-every5
  namespace: pw-cron
spec:
  schedule: "*/5 * * * *"
  timeZone: Asia/Seoul
  jobTemplate: { spec: { template: { spec: { restartPolicy: Never, containers: [{ name: c, image: x }] } } } }
---
apiVersion: v1
kind: List
items:
  - apiVersion: batch/v1
    kind: CronJob
    metadata: { name: never-deployed, namespace: pw-cron }
    spec: { schedule: "0 3 * * *", timeZone: Europe/Berlin, jobTemplate: { spec: { template: { spec: { restartPolicy: Never, containers: [{ name: c, image: x }] } } } } }
  - apiVersion: batch/v1
    kind: CronJob
    metadata: { name: paused, namespace: pw-cron }
    spec: { schedule: "*/5 * * * *", suspend: true, jobTemplate: { spec: { template: { spec: { restartPolicy: Never, containers: [{ name: c, image: x }] } } } } }
`,
    );
    writeFileSync(
      badManifest,
      `apiVersion: v1
kind: ConfigMap
metadata: { name: settings }
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: broken }
spec: { schedule: "*/5 * * *", jobTemplate: { spec: { template: { spec: { containers: [] } } } } }
`,
    );

    const config = `version: 1
defaults: { schedule: { every: 1m }, flap: { failAfter: 1, resolveAfter: 1 } }
connectors:
  cluster: { type: kubernetes, kubeconfig: "${cp.kubeconfig}", requestTimeout: 10s }
  as-nobody: { type: kubernetes, kubeconfig: "${cp.kubeconfig}", context: nobody }
  expired: { type: kubernetes, kubeconfig: "${expiredKubeconfig}" }
  no-file: { type: kubernetes, kubeconfig: "${env.root}/no-such.kubeconfig" }
  no-context: { type: kubernetes, kubeconfig: "${cp.kubeconfig}", context: production }
  in-cluster: { type: kubernetes, inCluster: true }
monitors:
  - id: lake-events
    connector: cluster
    check: { type: kubeEvents, namespace: pw-events, labels: team=lake, reasons: [BackOff, OOMKilling], window: 15m }
    rules: [{ above: 0, severity: warning }]
  - id: etl-pods
    connector: cluster
    check: { type: podHealth, namespace: pw-pods, labels: app.kubernetes.io/part-of=etl, crashLoopFor: 3s }
    rules: [{ above: 0, severity: critical }]
  - id: stuck-pods
    connector: cluster
    check:
      type: podHealth
      namespace: pw-stuck
      crashLoopFor: 15m
      imagePullFor: 0s
      restarts: { max: 5, window: 1h }
      stuck: { pending: 1s, containerCreating: 1h, terminating: 1s }
    rules: [{ above: 0 }]
  - id: cronjobs
    connector: cluster
    check: { type: cronJobs, namespace: pw-cron, grace: 2m, slowerThan: 3 }
    rules: [{ above: 0 }]
  - id: cronjobs-dst
    connector: cluster
    check: { type: cronJobs, namespace: pw-cron, names: [ny-mondays], grace: 2m }
    rules: [{ above: 0 }]
  - id: cronjob-manifests
    connector: cluster
    check: { type: cronJobs, namespace: pw-cron, manifests: "${manifests}", grace: 2m }
    rules: [{ above: 0 }]
  - id: bad-manifest
    connector: cluster
    check: { type: cronJobs, namespace: pw-cron, manifests: "${badManifest}" }
    rules: [{ above: 0 }]
  - id: allowed-pods
    connector: as-nobody
    check: { type: podHealth, namespace: pw-allowed }
    rules: [{ above: 0 }]
  - id: denied-pods
    connector: as-nobody
    check: { type: podHealth, namespace: pw-denied }
    rules: [{ above: 0 }]
  - id: sa-allowed
    connector: in-cluster
    check: { type: podHealth, namespace: pw-allowed }
    rules: [{ above: 0 }]
  - id: sa-denied
    connector: in-cluster
    check: { type: cronJobs, namespace: pw-allowed }
    rules: [{ above: 0 }]
  - id: rbac-events
    connector: in-cluster
    check: { type: kubeEvents, namespace: pw-events, labels: team=lake }
    rules: [{ above: 0 }]
  - id: rbac-pods
    connector: in-cluster
    check: { type: podHealth, namespace: pw-stuck, imagePullFor: 0s }
    rules: [{ above: 0 }]
  - id: rbac-cronjobs
    connector: in-cluster
    check: { type: cronJobs, namespace: pw-cron }
    rules: [{ above: 0 }]
  - id: expired-token
    connector: expired
    check: { type: kubeEvents, namespace: pw-events }
    rules: [{ above: 0 }]
  - id: missing-kubeconfig
    connector: no-file
    check: { type: podHealth }
    rules: [{ above: 0 }]
  - id: unknown-context
    connector: no-context
    check: { type: cronJobs }
    rules: [{ above: 0 }]
`;
    monitors = Object.fromEntries(parseConfig(config, 'k8s.yaml', { env: false }).monitors.map((m) => [m.id, m]));
  });

  afterAll(async () => {
    await cache.closeAll();
    await store?.close();
    await cp?.stop();
  });

  const run = (id: string, at = new Date()) => checkHere(monitors[id]!, at, cache);

  describe('events', () => {
    it('groups a burst of BackOff and OOMKilling events on labelled pods into one alert per run, naming the failing layer', async () => {
      const crawler = await cluster.pod('pw-events', 'crawler-7d9f8b6c5-x2k4q', {
        'app.kubernetes.io/name': 'crawler',
        team: 'lake',
      });
      const parser = await cluster.pod('pw-events', 'parser-5c6d7e8f9-h7j8k', {
        'app.kubernetes.io/name': 'parser',
        team: 'lake',
      });
      const stray = await cluster.pod('pw-events', 'stray-6b7c8d9e0-q1w2e', {
        'app.kubernetes.io/name': 'stray',
        team: 'other',
      });
      const now = Date.now();
      await cluster.podStatus('pw-events', crawler.metadata!.name!, {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'main',
            image: 'registry.example/main:1',
            imageID: '',
            ready: false,
            restartCount: 6,
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } },
            lastState: {
              terminated: {
                exitCode: 137,
                reason: 'OOMKilled',
                startedAt: new Date(now - 3 * MIN),
                finishedAt: new Date(now - 2 * MIN),
              },
            },
          },
        ],
      });
      await cluster.podStatus('pw-events', parser.metadata!.name!, {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'main',
            image: 'registry.example/main:1',
            imageID: '',
            ready: false,
            restartCount: 2,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: {
              terminated: {
                exitCode: 1,
                reason: 'Error',
                startedAt: new Date(now - 2 * MIN),
                finishedAt: new Date(now - MIN),
              },
            },
          },
        ],
      });
      const at = (o: k8s.V1Pod) => ({ kind: 'Pod', name: o.metadata!.name!, uid: o.metadata!.uid });
      for (let i = 0; i < 3; i++) {
        await cluster.event('pw-events', at(crawler), {
          reason: 'BackOff',
          message: 'Back-off restarting failed container main in pod crawler',
          count: 4,
          first: new Date(now - 10 * MIN),
          last: new Date(now - i * 1000),
        });
      }
      for (let i = 0; i < 2; i++) {
        await cluster.event('pw-events', at(crawler), {
          reason: 'OOMKilling',
          message: `Memory cgroup out of memory: Killed process ${4242 + i} (java)`,
        });
      }
      await cluster.event('pw-events', at(parser), {
        reason: 'BackOff',
        message: 'Back-off restarting failed container main in pod parser',
        count: 2,
      });
      // Not counted: another team's pod, another namespace, another reason, a Normal event, an event older than the window.
      await cluster.event('pw-events', at(stray), {
        reason: 'BackOff',
        message: 'Back-off restarting failed container',
        count: 50,
      });
      await cluster.event(
        'pw-elsewhere',
        { kind: 'Pod', name: 'crawler-7d9f8b6c5-x2k4q' },
        { reason: 'BackOff', message: 'Back-off', count: 50 },
      );
      await cluster.event('pw-events', at(crawler), {
        reason: 'FailedMount',
        message: 'MountVolume.SetUp failed for volume "data"',
        count: 9,
      });
      await cluster.event('pw-events', at(crawler), {
        reason: 'BackOff',
        message: 'Back-off',
        type: 'Normal',
        count: 9,
      });
      await cluster.event('pw-events', at(crawler), {
        reason: 'BackOff',
        message: 'an old one',
        count: 9,
        first: new Date(now - 3 * 60 * MIN),
        last: new Date(now - 2 * 60 * MIN),
      });

      const v = await run('lake-events');
      expect(v.status).toBe('warning');
      expect(v.value).toBe(3 * 4 + 2 + 2);
      expect(v.details).toMatchObject({
        applications: 2,
        events: 6,
        layer: 'scheduling/resources',
        via: 'watch',
        scope: 'namespace pw-events, labels team=lake',
      });
      expect(String(v.details!['app crawler'])).toMatch(
        /^scheduling\/resources layer — BackOff ×12, OOMKilling ×2 on Pod\/crawler-7d9f8b6c5-x2k4q · /,
      );
      expect(String(v.details!['app crawler'])).toContain('main: OOMKilled (exit code 137) — over its memory limit');
      expect(String(v.details!['app crawler'])).toContain('Memory cgroup out of memory: Killed process');
      expect(String(v.details!['app parser'])).toMatch(
        /^container layer — BackOff ×2 on Pod\/parser-5c6d7e8f9-h7j8k · .*main: CrashLoopBackOff, 2 restarts, last terminated Error \(exit code 1\)/,
      );
      expect(v.details).not.toHaveProperty('app stray');
      expect(v.reason).toMatch(
        /^Kubernetes events in 15m in namespace pw-events \(team=lake\) \(crawler: scheduling\/resources layer \(BackOff, OOMKilling\); parser: container layer \(BackOff\)\) 16 is above 0/,
      );

      // The watch keeps the connector current: a new event is counted by the next run without a new list.
      await cluster.event('pw-events', at(parser), {
        reason: 'OOMKilling',
        message: 'Memory cgroup out of memory: Killed process 99 (python)',
      });
      const next = await waitForValue('lake-events', 17);
      expect(next.details).toMatchObject({ via: 'watch', layer: 'scheduling/resources' });
      expect(String(next.details!['app parser'])).toMatch(/^scheduling\/resources layer/);
    });
  });

  describe('pod health', () => {
    let worker: RunningWorker;
    let client: Client;

    beforeAll(async () => {
      worker = await startTestWorker(store);
      client = await testClient();
    });
    afterAll(async () => {
      await worker?.stop();
      await client?.connection.close();
    });

    const runWorkflow = async (id: string) => {
      const handle = await client.workflow.start(monitorWorkflow, {
        args: [monitors[id]!],
        taskQueue: worker.settings.taskQueue,
        workflowId: `${uniqueName('run')}/${id}`,
      });
      return (await handle.result()) as MonitorRunResult;
    };

    it('alerts on a CrashLoopBackOff that outlasts the threshold and resolves when the pod recovers', async () => {
      const pod = await cluster.pod(
        'pw-pods',
        'loader-6f7g8h9i0-a1b2c',
        { 'app.kubernetes.io/name': 'loader', 'app.kubernetes.io/part-of': 'etl' },
        { nodeName: 'node-1' },
      );
      await cluster.pod('pw-pods', 'unrelated-1', { 'app.kubernetes.io/part-of': 'web' }, { nodeName: 'node-1' });
      const now = Date.now();
      await cluster.podStatus('pw-pods', pod.metadata!.name!, {
        phase: 'Running',
        startTime: new Date(now - 5 * MIN),
        conditions: [
          { type: 'Ready', status: 'False', lastTransitionTime: new Date(now), reason: 'ContainersNotReady' },
        ],
        containerStatuses: [
          {
            name: 'main',
            image: 'registry.example/main:1',
            imageID: '',
            ready: false,
            restartCount: 3,
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } },
            lastState: {
              terminated: {
                exitCode: 2,
                reason: 'Error',
                startedAt: new Date(now - 60_000),
                finishedAt: new Date(now - 50_000),
              },
            },
          },
        ],
      });

      const first = await runWorkflow('etl-pods');
      expect(first).toMatchObject({ status: 'ok', value: 0, transition: 'none' });

      await sleep(3_500);
      const second = await runWorkflow('etl-pods');
      expect(second).toMatchObject({ status: 'critical', value: 1, transition: 'open' });
      expect(second.reason).toMatch(
        /^pod problems in namespace pw-pods \(app.kubernetes.io\/part-of=etl\) \(loader: CrashLoopBackOff \(container layer\)\) 1 is above 0/,
      );
      const point = (await store.recentPoints('etl-pods', 1))[0]!;
      expect(point.status).toBe('critical');

      await cluster.podStatus('pw-pods', pod.metadata!.name!, {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date() }],
        containerStatuses: [
          {
            name: 'main',
            image: 'registry.example/main:1',
            imageID: '',
            ready: true,
            restartCount: 4,
            state: { running: { startedAt: new Date() } },
            lastState: { terminated: { exitCode: 2, reason: 'Error' } },
          },
        ],
      });
      const third = await runWorkflow('etl-pods');
      expect(third).toMatchObject({ status: 'ok', value: 0, transition: 'resolve' });
    });

    it('finds OOM kills, image pulls, restarts and pods stuck Pending or Terminating, with a timeline per application', async () => {
      const now = Date.now();
      const mk = (name: string, app: string, nodeName?: string) =>
        cluster.pod('pw-stuck', name, { 'app.kubernetes.io/name': app }, { nodeName });
      const oom = await mk('indexer-1', 'indexer', 'node-1');
      await cluster.podStatus('pw-stuck', oom.metadata!.name!, {
        phase: 'Running',
        startTime: new Date(now - 30 * MIN),
        containerStatuses: [
          {
            name: 'main',
            image: 'x',
            imageID: '',
            ready: true,
            restartCount: 1,
            state: { running: { startedAt: new Date(now - 4 * MIN) } },
            lastState: {
              terminated: {
                exitCode: 137,
                reason: 'OOMKilled',
                startedAt: new Date(now - 20 * MIN),
                finishedAt: new Date(now - 5 * MIN),
              },
            },
          },
        ],
      });
      const pull = await mk('fetcher-1', 'fetcher', 'node-1');
      await cluster.podStatus('pw-stuck', pull.metadata!.name!, {
        phase: 'Pending',
        containerStatuses: [
          {
            name: 'main',
            image: 'registry.example/fetcher:9.9',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: {
              waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "registry.example/fetcher:9.9"' },
            },
          },
        ],
      });
      const restarting = await mk('scorer-1', 'scorer', 'node-1');
      await cluster.podStatus('pw-stuck', restarting.metadata!.name!, {
        phase: 'Running',
        startTime: new Date(now - 20 * MIN),
        containerStatuses: [
          {
            name: 'main',
            image: 'x',
            imageID: '',
            ready: true,
            restartCount: 9,
            state: { running: { startedAt: new Date(now - MIN) } },
            lastState: { terminated: { exitCode: 1, reason: 'Error' } },
          },
        ],
      });
      // Crash-looping for 20 minutes by its own Ready condition: over 15m on the first look.
      const looping = await mk('ranker-1', 'ranker', 'node-1');
      await cluster.podStatus('pw-stuck', looping.metadata!.name!, {
        phase: 'Running',
        startTime: new Date(now - 60 * MIN),
        conditions: [{ type: 'ContainersReady', status: 'False', lastTransitionTime: new Date(now - 20 * MIN) }],
        containerStatuses: [
          {
            name: 'main',
            image: 'x',
            imageID: '',
            ready: false,
            restartCount: 3,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 3, reason: 'Error', finishedAt: new Date(now - MIN) } },
          },
        ],
      });
      await mk('unscheduled-1', 'batcher');
      await cluster.podStatus('pw-stuck', 'unscheduled-1', {
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: '0/3 nodes are available: 3 Insufficient memory.',
          },
        ],
      });
      await mk('leaving-1', 'mover', 'node-1');
      await cluster.podStatus('pw-stuck', 'leaving-1', { phase: 'Running' });
      await cluster.core.deleteNamespacedPod({ namespace: 'pw-stuck', name: 'leaving-1', gracePeriodSeconds: 1 });
      await sleep(2_500);

      const v = await run('stuck-pods');
      expect(v.value).toBe(6);
      const d = v.details!;
      expect(d.problems).toBe(6);
      expect(String(d['app indexer'])).toMatch(
        /^scheduling\/resources layer — indexer-1: main: OOMKilled \(exit code 137\) at .* — over its memory limit/,
      );
      expect(String(d['app fetcher'])).toMatch(
        /^image layer — fetcher-1: cannot pull its image for \d+s \(allowed 0s\): main: ImagePullBackOff for registry.example\/fetcher:9.9/,
      );
      expect(String(d['app scorer'])).toMatch(
        /^container layer — scorer-1: main: 9 restarts in 1h \(allowed 5\), last terminated Error \(exit code 1\)/,
      );
      expect(String(d['app ranker'])).toMatch(/^container layer — ranker-1: CrashLoopBackOff for 20m \(allowed 15m\)/);
      expect(String(d['app batcher'])).toMatch(
        /^scheduling\/resources layer — unscheduled-1: Pending for \d+s \(allowed 1s\): not scheduled: 0\/3 nodes are available: 3 Insufficient memory./,
      );
      expect(String(d['app mover'])).toMatch(
        /^node layer — leaving-1: Terminating \d+s past its grace period \(allowed 1s\): its node node-1 has not confirmed the containers stopped/,
      );
      expect(String(d['timeline indexer'])).toMatch(
        /\d\d:\d\d:\d\dZ indexer-1\/main started → \d\d:\d\d:\d\dZ indexer-1\/main terminated OOMKilled \(exit code 137\) → \d\d:\d\d:\d\dZ indexer-1\/main running \(1 restarts\)/,
      );
      expect(d.layer).toBe('node');
    });
  });

  describe('CronJobs', () => {
    const every5 = parseCron('*/5 * * * *') as CronSpec;

    it('finds a missed run of */5 in Asia/Seoul, leaves a healthy and a suspended one alone, and reports failed and overlong Jobs', async () => {
      const now = Date.now();
      const missed = await cluster.cronJob('pw-cron', 'seoul-every5', {
        schedule: '*/5 * * * *',
        timeZone: 'Asia/Seoul',
      });
      await cluster.cronJobStatus('pw-cron', 'seoul-every5', {
        lastScheduleTime: new Date(now - 12 * MIN),
        lastSuccessfulTime: new Date(now - 11 * MIN),
      });
      const current = lastScheduledRun(every5, 'Asia/Seoul', now - 2 * MIN)!;
      await cluster.cronJob('pw-cron', 'healthy', { schedule: '*/5 * * * *', timeZone: 'Asia/Seoul' });
      await cluster.cronJobStatus('pw-cron', 'healthy', {
        lastScheduleTime: new Date(current),
        lastSuccessfulTime: new Date(Math.min(now, current + 20_000)),
      });
      await cluster.cronJob('pw-cron', 'paused', { schedule: '*/5 * * * *', suspend: true });
      await cluster.cronJobStatus('pw-cron', 'paused', { lastScheduleTime: new Date(now - 24 * 60 * MIN) });

      const failing = await cluster.cronJob('pw-cron', 'exporter', { schedule: '*/5 * * * *' });
      await cluster.cronJobStatus('pw-cron', 'exporter', {
        lastScheduleTime: new Date(current),
        lastSuccessfulTime: new Date(now - 7 * MIN),
      });
      const failedAt = new Date(now - MIN);
      await cluster.job('pw-cron', 'exporter-29000001', failing, {
        startTime: new Date(now - 2 * MIN),
        failed: 2,
        conditions: [
          {
            type: 'FailureTarget',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit',
            lastTransitionTime: failedAt,
          },
          {
            type: 'Failed',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit',
            lastTransitionTime: failedAt,
          },
        ],
      });

      const slow = await cluster.cronJob('pw-cron', 'compactor', { schedule: '*/5 * * * *' });
      await cluster.cronJobStatus('pw-cron', 'compactor', {
        lastScheduleTime: new Date(current),
        lastSuccessfulTime: new Date(now - 6 * MIN),
      });
      for (const [name, start, minutes] of [
        ['compactor-1', now - 60 * MIN, 2],
        ['compactor-2', now - 50 * MIN, 3],
        ['compactor-3', now - 40 * MIN, 2],
      ] as const) {
        await cluster.job('pw-cron', name, slow, {
          startTime: new Date(start),
          completionTime: new Date(start + minutes * MIN),
          succeeded: 1,
          conditions: [
            { type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: new Date(start + minutes * MIN) },
            { type: 'Complete', status: 'True', lastTransitionTime: new Date(start + minutes * MIN) },
          ],
        });
      }
      await cluster.job('pw-cron', 'compactor-4', slow, { startTime: new Date(now - 30 * MIN), active: 1 });

      const v = await run('cronjobs', new Date(now));
      const d = v.details!;
      expect(String(d['cronjob pw-cron/seoul-every5'])).toMatch(
        /^missed the run due \d{4}-\d\d-\d\d \d\d:\d\d Asia\/Seoul \(\d+m ago, grace 2m\); last run .* Asia\/Seoul \(12m ago\)/,
      );
      expect(d).not.toHaveProperty('cronjob pw-cron/healthy');
      expect(d['cronjob pw-cron/paused']).toMatch(/^suspended \(schedule \*\/5 \* \* \* \*\)/);
      expect(d.suspended).toBe('pw-cron/paused');
      expect(String(d['cronjob pw-cron/exporter'])).toMatch(
        /^Job exporter-29000001 failed 1m ago: BackoffLimitExceeded — Job has reached the specified backoff limit/,
      );
      expect(String(d['cronjob pw-cron/compactor'])).toMatch(
        /^Job compactor-4 has run 30m; its last 3 successful runs took a median 2m \(limit 3× that\)/,
      );
      expect(v.value).toBe(3);
      expect(v.status).toBe('warning');
      expect(missed.metadata?.uid).toBeTruthy();
    });

    it('judges a Monday 09:00 America/New_York schedule across the end of daylight saving time', async () => {
      // 2026-11-01 ends DST in New York: Monday 09:00 is 13:00Z on 26 October and 14:00Z on 2 November.
      await cluster.cronJob('pw-cron', 'ny-mondays', { schedule: '0 9 * * 1', timeZone: 'America/New_York' });
      await cluster.cronJobStatus('pw-cron', 'ny-mondays', {
        lastScheduleTime: new Date('2026-10-26T13:00:00Z'),
        lastSuccessfulTime: new Date('2026-10-26T13:04:00Z'),
      });
      // An hour after 13:00Z, which a schedule kept in UTC would wrongly expect, it is not late.
      const early = await run('cronjobs-dst', new Date('2026-11-02T13:30:00Z'));
      expect(early).toMatchObject({ status: 'ok', value: 0 });
      const late = await run('cronjobs-dst', new Date('2026-11-02T14:05:00Z'));
      expect(late.value).toBe(1);
      expect(String(late.details!['cronjob pw-cron/ny-mondays'])).toMatch(
        /^missed the run due 2026-11-02 09:00 America\/New_York \(5m ago, grace 2m\); last run 2026-10-26 09:00 America\/New_York/,
      );
      // The week before, across nothing: on time.
      expect((await run('cronjobs-dst', new Date('2026-10-26T13:10:00Z'))).value).toBe(0);
    });

    it('reads the schedules from rendered manifests on disk and the runs from the cluster', async () => {
      const v = await run('cronjob-manifests');
      const d = v.details!;
      expect(d.cronJobs).toBe(3);
      expect(String(d['cronjob pw-cron/seoul-every5'])).toMatch(/^missed the run due .* Asia\/Seoul/);
      expect(String(d['cronjob pw-cron/never-deployed'])).toMatch(
        new RegExp(`^declared in ${manifests} but not in the cluster, so it never runs`),
      );
      expect(d['cronjob pw-cron/paused']).toMatch(/^suspended/);
      expect(v.value).toBe(2);
    });

    it('refuses an invalid schedule in a manifest with "could not check", naming the file and document', async () => {
      const v = await run('bad-manifest');
      expect(v.status).toBe('error');
      expect(v.reason).toBe(
        `could not check: ${badManifest}, document 2: CronJob broken: invalid schedule: "*/5 * * *" has 4 field(s); a cron expression has five: minute hour day-of-month month day-of-week`,
      );
    });
  });

  describe('bad input: a clear "could not check" per monitor, never a silent pass', () => {
    it('reads where RBAC allows and names what RBAC forbids', async () => {
      await cluster.pod('pw-allowed', 'ok-1', {}, { nodeName: 'node-1' });
      expect(await run('allowed-pods')).toMatchObject({ status: 'ok', value: 0 });
      const denied = await run('denied-pods');
      expect(denied.status).toBe('error');
      expect(denied.reason).toBe(
        'could not check: kubernetes connector "as-nobody": listing pods in namespace pw-denied: forbidden (403): pods is forbidden: User "nobody" cannot list resource "pods" in API group "" in the namespace "pw-denied"; grant get, list and watch on it to the credentials pipewatch uses',
      );
    });

    it("runs in-cluster on a ServiceAccount's token, limited by its RBAC", async () => {
      await cluster.core.createNamespacedServiceAccount({
        namespace: 'pw-allowed',
        body: { metadata: { name: 'pipewatch' } },
      });
      await cluster.rbac.createNamespacedRoleBinding({
        namespace: 'pw-allowed',
        body: {
          metadata: { name: 'pipewatch-reads-pods' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
          subjects: [{ kind: 'ServiceAccount', name: 'pipewatch', namespace: 'pw-allowed' }],
        },
      });
      const token = await tokenFor('pw-allowed', 'pipewatch');
      await asPod(token, async () => {
        expect(await run('sa-allowed')).toMatchObject({ status: 'ok', value: 0, details: { pods: 1 } });
        const denied = await run('sa-denied');
        expect(denied.reason).toBe(
          'could not check: kubernetes connector "in-cluster": listing CronJobs in namespace pw-allowed: forbidden (403): cronjobs.batch is forbidden: User "system:serviceaccount:pw-allowed:pipewatch" cannot list resource "cronjobs" in API group "batch" in the namespace "pw-allowed"; grant get, list and watch on it to the credentials pipewatch uses',
        );
        expect(JSON.stringify(denied)).not.toContain(token);
      });
    });

    it('needs no more rights than docs/kubernetes/rbac.yaml grants', async () => {
      await cluster.namespace('pipewatch');
      const objects = k8s.KubernetesObjectApi.makeApiClient(cluster.kc);
      for (const doc of k8s.loadAllYaml(
        readFileSync(join(process.cwd(), 'docs', 'kubernetes', 'rbac.yaml'), 'utf8'),
      ) as k8s.KubernetesObject[])
        await objects.create(doc);
      const token = await tokenFor('pipewatch', 'pipewatch');
      await asPod(token, async () => {
        for (const id of ['rbac-events', 'rbac-pods', 'rbac-cronjobs']) {
          const v = await run(id);
          expect({ id, status: v.status, reason: v.reason }).toEqual({
            id,
            status: 'warning',
            reason: expect.not.stringMatching(/could not check/),
          });
        }
      });
    });

    it('says the token was refused, without showing it', async () => {
      const v = await run('expired-token');
      expect(v.status).toBe('error');
      expect(v.reason).toBe(
        'could not check: kubernetes connector "expired": listing events in namespace pw-events: the API server refused the credentials (401 Unauthorized): the token or certificate is invalid or has expired',
      );
      expect(JSON.stringify(v)).not.toContain('expired-token-0000');
    });

    it('names an unreadable kubeconfig and an unknown context', async () => {
      expect((await run('missing-kubeconfig')).reason).toBe(
        `could not check: kubernetes connector "no-file": cannot read kubeconfig ${env.root}/no-such.kubeconfig (no such file)`,
      );
      expect((await run('unknown-context')).reason).toBe(
        `could not check: kubernetes connector "no-context": kubeconfig ${cp.kubeconfig} has no context "production"; it has: admin, nobody`,
      );
    });
  });

  async function tokenFor(namespace: string, serviceAccount: string): Promise<string> {
    const issued = await cluster.core.createNamespacedServiceAccountToken({
      namespace,
      name: serviceAccount,
      body: { spec: { audiences: [], expirationSeconds: 3600 } },
    });
    return issued.status!.token;
  }

  /** Runs `work` as a pod would: the service account files mounted, the service host and port in the environment. */
  async function asPod(token: string, work: () => Promise<void>): Promise<void> {
    const root = join(env.root, uniqueName('pod'));
    const mount = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(mount, { recursive: true });
    writeFileSync(join(mount, 'token'), token);
    writeFileSync(join(mount, 'ca.crt'), readFileSync(cp.caFile));
    writeFileSync(join(mount, 'namespace'), 'default');
    const keys = ['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT', 'PIPEWATCH_K8S_SA_ROOT'] as const;
    const saved = keys.map((k) => process.env[k]);
    Object.assign(process.env, {
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: new URL(cp.server).port,
      PIPEWATCH_K8S_SA_ROOT: root,
    });
    // Connectors load their configuration once: a fresh cache sees this pod's token.
    await cache.closeAll();
    try {
      await work();
    } finally {
      keys.forEach((k, i) => (saved[i] === undefined ? delete process.env[k] : (process.env[k] = saved[i])));
      await cache.closeAll();
    }
  }

  async function waitForValue(id: string, value: number) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const v = await run(id);
      if (v.value === value || Date.now() > deadline) {
        expect(v.value).toBe(value);
        return v;
      }
      await sleep(200);
    }
  }
});
