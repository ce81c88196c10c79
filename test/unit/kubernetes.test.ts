// The pure judgement behind the Kubernetes checks: layers, applications,
// label selectors, pod conditions and CronJob schedules, on object shapes as
// the API returns them.
import { judgeCronJob, type CronJobShape, type JobShape } from '../../evaluation/kubernetes/cronjobs.js';
import { eventNode, groupEvents, type EventRecord } from '../../evaluation/kubernetes/events.js';
import { nodeReadiness, notReadyEventOver, type NodeShape } from '../../evaluation/kubernetes/nodes.js';
import { podConditions, podProblems, podsOnUnreadyNodes } from '../../evaluation/kubernetes/pods.js';
import {
  applicationOf,
  containerLayer,
  eventLayer,
  rootLayer,
  type PodShape,
} from '../../evaluation/kubernetes/shared.js';
import { parseLabelSelector, selectorMatches, type Requirement } from '../../evaluation/label-selector.js';

const MIN = 60_000;
const NOW = Date.parse('2026-11-26T10:03:00Z');

describe('the layer an event points at', () => {
  it.each([
    ['Failed', 'Failed to pull image "registry.example/crawler:9": rpc error: not found', 'Pod', 'image'],
    ['BackOff', 'Back-off pulling image "registry.example/crawler:9"', 'Pod', 'image'],
    ['ErrImagePull', 'manifest unknown', 'Pod', 'image'],
    ['BackOff', 'Back-off restarting failed container main in pod crawler-1', 'Pod', 'container'],
    ['Unhealthy', 'Liveness probe failed: HTTP probe failed with statuscode: 500', 'Pod', 'container'],
    ['FailedMount', 'MountVolume.SetUp failed for volume "data": secret "lake-creds" not found', 'Pod', 'pod'],
    ['Failed', 'Error: configmap "crawler-settings" not found', 'Pod', 'pod'],
    ['FailedCreatePodSandBox', 'failed to setup network for sandbox', 'Pod', 'pod'],
    ['FailedScheduling', '0/3 nodes are available: 3 Insufficient memory.', 'Pod', 'resources'],
    ['OOMKilling', 'Memory cgroup out of memory: Killed process 4242 (java)', 'Node', 'resources'],
    [
      'FailedCreate',
      'Error creating: pods "crawler-x" is forbidden: exceeded quota: compute, requested: memory=2Gi',
      'ReplicaSet',
      'resources',
    ],
    [
      'FailedCreate',
      'Error creating: pods "crawler-x" is forbidden: error looking up service account lake/crawler',
      'ReplicaSet',
      'pod',
    ],
    ['Evicted', 'The node was low on resource: ephemeral-storage.', 'Pod', 'node'],
    ['Evicted', 'Pod ephemeral local storage usage exceeds the total limit of containers 1Gi.', 'Pod', 'resources'],
    ['NodeNotReady', 'Node node-1 status is now: NodeNotReady', 'Node', 'node'],
    ['SystemOOM', 'System OOM encountered', 'Node', 'node'],
  ])('%s "%s" on a %s → %s', (reason, message, involvedKind, layer) => {
    expect(eventLayer({ reason, message, involvedKind })).toBe(layer);
  });

  it('takes the layer nearest the machine as the root: node, resources, image, pod, container', () => {
    expect(rootLayer(['container', 'image', 'resources'])).toBe('resources');
    expect(rootLayer(['container', 'pod'])).toBe('pod');
    expect(rootLayer([])).toBeUndefined();
  });

  it("reads a container's state as evidence", () => {
    expect(
      containerLayer({
        name: 'main',
        restartCount: 4,
        lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
      }),
    ).toEqual({
      layer: 'resources',
      evidence: 'main: OOMKilled (exit code 137) — over its memory limit',
    });
    expect(
      containerLayer({
        name: 'main',
        restartCount: 0,
        image: 'r/x:1',
        state: { waiting: { reason: 'ImagePullBackOff' } },
      })?.layer,
    ).toBe('image');
    expect(
      containerLayer({
        name: 'main',
        restartCount: 0,
        state: { waiting: { reason: 'CreateContainerConfigError', message: 'secret "s" not found' } },
      }),
    ).toEqual({
      layer: 'pod',
      evidence: 'main: CreateContainerConfigError — secret "s" not found',
    });
    expect(containerLayer({ name: 'main', restartCount: 0, state: { running: {} } })).toBeUndefined();
  });
});

describe('applications', () => {
  it('come from the groupBy label, then app, then the owner without controller suffixes', () => {
    expect(
      applicationOf({ name: 'x', labels: { 'team.example/app': 'crawler', app: 'other' } }, 'team.example/app'),
    ).toBe('crawler');
    expect(applicationOf({ name: 'x', labels: { app: 'parser' } }, 'app.kubernetes.io/name')).toBe('parser');
    expect(
      applicationOf(
        {
          name: 'loader-7d9f8b6c5-x2k4q',
          ownerReferences: [{ kind: 'ReplicaSet', name: 'loader-7d9f8b6c5', controller: true }],
        },
        'app.kubernetes.io/name',
      ),
    ).toBe('loader');
    expect(
      applicationOf(
        {
          name: 'export-29000001-abcde',
          ownerReferences: [{ kind: 'Job', name: 'export-29000001', controller: true }],
        },
        'app.kubernetes.io/name',
      ),
    ).toBe('export');
    expect(applicationOf({ name: 'export-29000001' }, 'app.kubernetes.io/name', 'Job')).toBe('export');
    expect(applicationOf({ name: 'lonely-pod' }, 'app.kubernetes.io/name')).toBe('lonely-pod');
  });
});

describe('label selectors', () => {
  const sel = (text: string) => parseLabelSelector(text) as Requirement[];

  it('match as the API server matches them', () => {
    const labels = { app: 'crawler', tier: 'batch', env: 'prod' };
    expect(selectorMatches(sel('app=crawler,tier!=web'), labels)).toBe(true);
    expect(selectorMatches(sel('app==crawler'), labels)).toBe(true);
    expect(selectorMatches(sel('env in (prod, stage),!canary'), labels)).toBe(true);
    expect(selectorMatches(sel('env notin (prod)'), labels)).toBe(false);
    expect(selectorMatches(sel('canary'), labels)).toBe(false);
    expect(selectorMatches(sel('tier!=batch'), labels)).toBe(false);
    expect(selectorMatches(sel('missing!=x'), labels)).toBe(true);
    expect(selectorMatches(sel(''), undefined)).toBe(true);
  });

  it('refuse malformed selectors with a message', () => {
    expect(parseLabelSelector('app=crawler,=x')).toMatch(/is not a valid label key/);
    expect(parseLabelSelector('app in prod')).toMatch(/is not a label requirement/);
    expect(parseLabelSelector('app=not valid!')).toMatch(/is not a label requirement|not a valid label value/);
  });
});

/** podHealth's settings in the pod and node tables. */
const POD_SETTINGS = {
  groupBy: 'app.kubernetes.io/name',
  crashLoopFor: 15 * MIN,
  imagePullFor: 5 * MIN,
  oomWithin: 60 * MIN,
  restarts: { max: 5, window: 60 * MIN },
  stuck: { pending: 10 * MIN, containerCreating: 10 * MIN, terminating: 5 * MIN },
};

describe('pod health', () => {
  const settings = POD_SETTINGS;
  const pod = (name: string, status: PodShape['status'], extra: Partial<PodShape['metadata']> = {}): PodShape => ({
    metadata: {
      name,
      namespace: 'lake',
      uid: `uid-${name}`,
      labels: { 'app.kubernetes.io/name': name.split('-')[0]! },
      creationTimestamp: new Date(NOW - 120 * MIN),
      ...extra,
    },
    spec: { nodeName: 'node-1' },
    status,
  });

  it('counts restarts over the window from the sample at its start, and from zero when the container is new', () => {
    const p = pod('scorer-1', {
      phase: 'Running',
      startTime: new Date(NOW - 300 * MIN),
      containerStatuses: [{ name: 'main', restartCount: 12 }],
    });
    const found = podConditions([p], settings, NOW);
    // An hour ago it had restarted 4 times: 8 more since.
    expect(
      podProblems(
        found,
        settings,
        NOW,
        () => NOW,
        () => 4,
      ).map((x) => x.text),
    ).toEqual(['main: 8 restarts in 1h (allowed 5)']);
    expect(
      podProblems(
        found,
        settings,
        NOW,
        () => NOW,
        () => 9,
      ),
    ).toEqual([]);
    // No sample and the pod is older than the window: no verdict on restarts yet.
    expect(
      podProblems(
        found,
        settings,
        NOW,
        () => NOW,
        () => undefined,
      ),
    ).toEqual([]);
    // The counter went down: a new container under the same key, counted from zero.
    expect(
      podProblems(
        found,
        settings,
        NOW,
        () => NOW,
        () => 20,
      ).map((x) => x.kind),
    ).toEqual(['Restarts']);
  });

  it('waits the allowed time for conditions, using the earlier of its own observation and the source', () => {
    const p = pod('ranker-1', {
      phase: 'Running',
      containerStatuses: [{ name: 'main', restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
    });
    const found = podConditions([p], settings, NOW);
    expect(found.conditions.map((c) => c.kind)).toEqual(['CrashLoopBackOff']);
    expect(
      podProblems(
        found,
        settings,
        NOW,
        () => NOW - 14 * MIN,
        () => 3,
      ),
    ).toEqual([]);
    expect(
      podProblems(
        found,
        settings,
        NOW,
        () => NOW - 16 * MIN,
        () => 3,
      ).map((x) => x.text),
    ).toEqual(['CrashLoopBackOff for 16m (allowed 15m): main: CrashLoopBackOff, 3 restarts']);
  });

  it('tells a pod its finalizers keep from one its node never confirmed', () => {
    const deleting = { deletionTimestamp: new Date(NOW - 10 * MIN) };
    const kept = podConditions(
      [pod('mover-1', { phase: 'Running' }, { ...deleting, finalizers: ['lake.example/flush'] })],
      settings,
      NOW,
    ).conditions[0]!;
    const lost = podConditions([pod('mover-2', { phase: 'Running' }, deleting)], settings, NOW).conditions[0]!;
    expect([kept.layer, kept.evidence]).toEqual(['pod', 'finalizers lake.example/flush keep it']);
    expect([lost.layer, lost.evidence]).toEqual(['node', 'its node node-1 has not confirmed the containers stopped']);
  });

  it('ignores an OOM kill older than its window', () => {
    const p = pod('indexer-1', {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'main',
          restartCount: 1,
          lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: new Date(NOW - 90 * MIN) } },
        },
      ],
    });
    expect(podConditions([p], settings, NOW).conditions).toEqual([]);
  });
});

describe('nodes: the verdict follows the Ready condition', () => {
  // Condition shapes as the node lifecycle controller writes them when a kubelet stops posting
  // (k8s.io/kubernetes pkg/controller/nodelifecycle: Ready=Unknown, reason NodeStatusUnknown) and as
  // kwok writes a Ready node (its transition time kept at the node's creation, a fresh heartbeat).
  const node = (
    status: string,
    transition: number,
    heartbeat: number,
    reason?: string,
    message?: string,
  ): NodeShape => ({
    metadata: { name: 'node-1' },
    status: {
      conditions: [
        { type: 'MemoryPressure', status: 'False' },
        {
          type: 'Ready',
          status,
          reason,
          message,
          lastTransitionTime: new Date(transition).toISOString(),
          lastHeartbeatTime: new Date(heartbeat).toISOString(),
        },
      ],
    },
  });
  const unknown = node(
    'Unknown',
    NOW - 2 * MIN,
    NOW - 3 * MIN,
    'NodeStatusUnknown',
    'Kubelet stopped posting node status.',
  );
  const readyAgain = node('True', NOW - 600 * MIN, NOW - 1 * MIN, 'KubeletReady', 'kubelet is posting ready status');

  it.each([
    ['Ready=True', node('True', NOW - 60 * MIN, NOW), true, 'node node-1 Ready=True since 2026-11-26T09:03:00Z'],
    [
      'Ready=Unknown (kubelet silent)',
      unknown,
      false,
      'node node-1 Ready=Unknown since 2026-11-26T10:01:00Z (NodeStatusUnknown: Kubelet stopped posting node status.)',
    ],
    [
      'Ready=False',
      node('False', NOW - MIN, NOW, 'KubeletNotReady'),
      false,
      'node node-1 Ready=False since 2026-11-26T10:02:00Z (KubeletNotReady)',
    ],
    [
      'no Ready condition',
      { metadata: { name: 'node-1' }, status: {} },
      false,
      'node node-1 reports no Ready condition',
    ],
    ['deleted', null, false, 'node node-1 does not exist (deleted)'],
  ] as Array<[string, NodeShape | null, boolean, string]>)('%s', (_what, shape, ready, evidence) => {
    expect(nodeReadiness('node-1', shape)).toMatchObject({ ready, evidence });
  });

  const pods = (phase: string): PodShape => ({
    metadata: { name: 'mover-1', namespace: 'lake', uid: 'u1', labels: { 'app.kubernetes.io/name': 'mover' } },
    spec: { nodeName: 'node-1' },
    status: {
      phase,
      containerStatuses: [
        { name: 'main', restartCount: 0, state: { running: { startedAt: new Date(NOW - 30 * MIN) } } },
      ],
    },
  });
  const settings = POD_SETTINGS;

  it('makes a running pod on a node that is not Ready a node-layer problem at once, and none once the node is Ready', () => {
    const { bound, counters } = podConditions([pods('Running')], settings, NOW);
    expect(bound).toEqual([{ key: 'lake/mover-1/u1/NodeNotReady', app: 'mover', pod: 'lake/mover-1', node: 'node-1' }]);
    const down = podsOnUnreadyNodes(bound, new Map([['node-1', nodeReadiness('node-1', unknown)]]));
    expect(down).toMatchObject([
      { kind: 'NodeNotReady', layer: 'node', node: 'node-1', since: NOW - 2 * MIN, allowed: 0 },
    ]);
    expect(
      podProblems(
        { conditions: down, counters },
        settings,
        NOW,
        (c) => c.since!,
        () => 0,
      ).map((p) => [p.layer, p.text]),
    ).toEqual([
      [
        'node',
        'its node is not Ready (for 2m): node node-1 Ready=Unknown since 2026-11-26T10:01:00Z (NodeStatusUnknown: Kubelet stopped posting node status.)',
      ],
    ]);
    expect(podsOnUnreadyNodes(bound, new Map([['node-1', nodeReadiness('node-1', readyAgain)]]))).toEqual([]);
    // A finished pod's node does not matter; a node not read (forbidden) gives no verdict either way.
    expect(podConditions([pods('Succeeded')], settings, NOW).bound).toEqual([]);
    expect(podsOnUnreadyNodes(bound, new Map())).toEqual([]);
  });

  const event = (lastSeen: number, reason = 'NodeNotReady'): EventRecord => ({
    uid: `e-${lastSeen}`,
    resourceVersion: '1',
    namespace: 'lake',
    name: 'mover-1.1',
    reason,
    message: 'Node is not ready',
    type: 'Warning',
    count: 1,
    firstSeen: lastSeen,
    lastSeen,
    involved: { kind: 'Pod', name: 'mover-1', namespace: 'lake' },
    source: 'node-controller',
  });

  it('counts a NodeNotReady event until its node reports Ready after it', () => {
    const seen = NOW - 2 * MIN;
    expect(notReadyEventOver(event(seen), nodeReadiness('node-1', unknown))).toBe(false);
    // Ready again, by a heartbeat after the event (kwok keeps the transition time at the node's creation).
    expect(notReadyEventOver(event(seen), nodeReadiness('node-1', readyAgain))).toBe(true);
    // Ready, but last reported before the event: the event is newer news.
    expect(notReadyEventOver(event(seen), nodeReadiness('node-1', node('True', NOW - 600 * MIN, NOW - 5 * MIN)))).toBe(
      false,
    );
    // Only NodeNotReady follows the node.
    expect(notReadyEventOver(event(seen, 'Evicted'), nodeReadiness('node-1', readyAgain))).toBe(false);
  });

  it("names the node a node-layer group points at: the Node itself, or the pod's node", () => {
    const onPod = event(NOW - MIN);
    const onNode: EventRecord = {
      ...event(NOW - MIN),
      uid: 'n',
      involved: { kind: 'Node', name: 'node-2', namespace: '' },
    };
    const podObject = {
      meta: { name: 'mover-1', labels: { 'app.kubernetes.io/name': 'mover' } },
      pod: pods('Running'),
    };
    expect(eventNode(onPod, podObject)).toBe('node-1');
    expect(eventNode(onNode, undefined)).toBe('node-2');
    const [group] = groupEvents([onPod], () => podObject, 'app.kubernetes.io/name');
    expect(group).toMatchObject({ app: 'mover', layer: 'node', nodes: ['node-1'] });
  });
});

describe('CronJobs', () => {
  const settings = { grace: 2 * MIN, successWithin: 3, failedWithin: 24 * 60 * MIN, slowerThan: 3 };
  const cron = (
    spec: Partial<NonNullable<CronJobShape['spec']>>,
    status: CronJobShape['status'] = {},
    created = NOW - 30 * 24 * 60 * MIN,
  ): CronJobShape => ({
    metadata: { name: 'export', namespace: 'lake', creationTimestamp: new Date(created) },
    spec: { schedule: '*/5 * * * *', ...spec },
    status,
  });

  it('is not late before the grace has passed, and late after', () => {
    // 10:00 is due; at 10:01 within grace, at 10:03 not.
    const c = cron(
      {},
      { lastScheduleTime: new Date('2026-11-26T09:55:00Z'), lastSuccessfulTime: new Date('2026-11-26T09:56:00Z') },
    );
    expect(judgeCronJob(c, [], settings, Date.parse('2026-11-26T10:01:00Z')).state).toBe('ok');
    expect(judgeCronJob(c, [], settings, NOW).problems[0]).toBe(
      'missed the run due 2026-11-26 10:00 UTC (3m ago, grace 2m); last run 2026-11-26 09:55 UTC (8m ago)',
    );
  });

  it('caps the grace at startingDeadlineSeconds, after which Kubernetes gives the run up', () => {
    const c = cron({ startingDeadlineSeconds: 30 }, { lastScheduleTime: new Date('2026-11-26T09:55:00Z') });
    expect(judgeCronJob(c, [], settings, Date.parse('2026-11-26T10:01:00Z')).problems[0]).toMatch(
      /^missed the run due 2026-11-26 10:00 UTC \(1m ago, grace 30s\)/,
    );
  });

  it('says a run was skipped because the previous one is still running under concurrencyPolicy Forbid', () => {
    const c = cron(
      { concurrencyPolicy: 'Forbid' },
      { lastScheduleTime: new Date('2026-11-26T09:55:00Z'), active: [{ name: 'export-29000055' }] },
    );
    expect(judgeCronJob(c, [], settings, NOW).problems[0]).toMatch(
      /; skipped because export-29000055 is still running \(concurrencyPolicy Forbid\)$/,
    );
  });

  it('does not call a run missed that was due before the CronJob existed', () => {
    const c = cron({}, {}, Date.parse('2026-11-26T10:01:30Z'));
    expect(judgeCronJob(c, [], settings, NOW).state).toBe('ok');
    expect(judgeCronJob(c, [], settings, Date.parse('2026-11-26T10:08:00Z')).problems[0]).toMatch(
      /^missed the run due 2026-11-26 10:05 UTC .*; last run never$/,
    );
  });

  it('reports no success for N periods, and a suspended CronJob as suspended', () => {
    const c = cron(
      { schedule: '0 * * * *' },
      { lastScheduleTime: new Date('2026-11-26T10:00:00Z'), lastSuccessfulTime: new Date('2026-11-26T06:30:00Z') },
    );
    expect(judgeCronJob(c, [], settings, NOW).problems).toEqual([
      'no success in the last 3 scheduled runs (since 2026-11-26 08:00 UTC); last success 3h33m ago',
    ]);
    expect(judgeCronJob(cron({ suspend: true }), [], settings, NOW)).toMatchObject({
      state: 'suspended',
      problems: [],
    });
  });

  it('forgets a failed Job once a later one succeeded', () => {
    const owner = [{ kind: 'CronJob', name: 'export' }];
    const failed: JobShape = {
      metadata: { name: 'export-1', namespace: 'lake', ownerReferences: owner },
      status: {
        startTime: new Date(NOW - 20 * MIN),
        conditions: [
          { type: 'Failed', status: 'True', reason: 'DeadlineExceeded', lastTransitionTime: new Date(NOW - 15 * MIN) },
        ],
      },
    };
    const ok: JobShape = {
      metadata: { name: 'export-2', namespace: 'lake', ownerReferences: owner },
      status: {
        startTime: new Date(NOW - 10 * MIN),
        completionTime: new Date(NOW - 9 * MIN),
        conditions: [{ type: 'Complete', status: 'True' }],
      },
    };
    const c = cron(
      {},
      { lastScheduleTime: new Date('2026-11-26T10:00:00Z'), lastSuccessfulTime: new Date(NOW - 9 * MIN) },
    );
    expect(judgeCronJob(c, [failed], settings, NOW).problems).toEqual([
      'Job export-1 failed 15m ago: DeadlineExceeded',
    ]);
    expect(judgeCronJob(c, [failed, ok], settings, NOW).problems).toEqual([]);
  });

  it('refuses a schedule it cannot read instead of passing it', () => {
    expect(judgeCronJob(cron({ schedule: '@fortnightly' }), [], settings, NOW)).toMatchObject({
      state: 'problem',
      problems: [expect.stringMatching(/^schedule not understood: /)],
    });
  });
});
