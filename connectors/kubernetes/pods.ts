// The podHealth check: pods listed in pages, their conditions and restart
// counters judged (evaluation/kubernetes/pods.ts) with since-when state kept
// in the history store when there is one, the nodes they run on read for their
// Ready condition (nodes.ts), and the problems grouped by application with
// each application's container timeline.
import * as k8s from '@kubernetes/client-node';
import type { CheckSpec } from '../../config/model.js';
import { containerTimeline, podConditions, podProblems, podsOnUnreadyNodes } from '../../evaluation/kubernetes/pods.js';
import { LAYER_NAMES, rootLayer, type PodShape } from '../../evaluation/kubernetes/shared.js';
import type { Measurement } from '../../evaluation/types.js';
import type { CollectRequest } from '../types.js';
import { PAGE, type KubeClient } from './client.js';
import { readNodes } from './nodes.js';

type PodHealthCheck = Extract<CheckSpec, { type: 'podHealth' }>;

/** Runs a podHealth check: the number of problems, with their evidence in details. */
export async function collectPodHealth(
  client: KubeClient,
  check: PodHealthCheck,
  at: Date,
  request: CollectRequest,
): Promise<Measurement> {
  const now = at.getTime();
  const core = client.api(k8s.CoreV1Api);
  const settings = {
    groupBy: check.groupBy,
    crashLoopFor: check.crashLoopFor,
    imagePullFor: check.imagePullFor,
    oomWithin: check.oomWithin,
    restarts: check.restarts,
    stuck: check.stuck,
  };
  const conditions: ReturnType<typeof podConditions>['conditions'] = [];
  const counters: ReturnType<typeof podConditions>['counters'] = [];
  const bound: ReturnType<typeof podConditions>['bound'] = [];
  // Only pods with something to show are kept for the timeline.
  const interesting = new Map<string, PodShape[]>();
  let pods = 0;
  const where = check.namespace ? `pods in namespace ${check.namespace}` : 'pods in all namespaces';
  await client.listAll(
    `listing ${where}`,
    (cont) =>
      check.namespace
        ? core.listNamespacedPod({
            namespace: check.namespace,
            labelSelector: check.labels,
            limit: PAGE,
            _continue: cont,
          })
        : core.listPodForAllNamespaces({ labelSelector: check.labels, limit: PAGE, _continue: cont }),
    (items) => {
      pods += items.length;
      const found = podConditions(items as PodShape[], settings, now);
      conditions.push(...found.conditions);
      counters.push(...found.counters);
      bound.push(...found.bound);
      for (const pod of items as PodShape[]) {
        const restarted = (pod.status?.containerStatuses ?? []).some((c) => c.restartCount > 0);
        const hasCondition = found.conditions.some((c) => c.pod === `${pod.metadata?.namespace}/${pod.metadata?.name}`);
        if (!restarted && !hasCondition) continue;
        const app =
          found.conditions.find((c) => c.pod === `${pod.metadata?.namespace}/${pod.metadata?.name}`)?.app ??
          found.counters.find((c) => c.pod === `${pod.metadata?.namespace}/${pod.metadata?.name}`)?.app;
        if (!app) continue;
        const list = interesting.get(app) ?? [];
        if (list.length < 20) list.push(pod);
        interesting.set(app, list);
      }
    },
  );

  // The nodes the pods run on: a pod on a node that is not Ready is a node-layer problem while the node is not.
  const nodes = await readNodes(
    client,
    bound.map((b) => b.node),
  );
  const onUnready = podsOnUnreadyNodes(bound, nodes.readiness);
  conditions.push(...onUnready);

  let since = new Map<string, Date>();
  let baselines = new Map<string, { at: Date; value: number }>();
  if (request.store && request.monitorId) {
    const tracked = conditions.filter((c) => c.kind !== 'OOMKilled');
    since = await request.store.observeConditions(
      request.monitorId,
      tracked.map((c) => ({ key: c.key, since: c.since === undefined ? undefined : new Date(c.since) })),
      at,
    );
    baselines = await request.store.sampleCounters(
      request.monitorId,
      counters.map((c) => ({ key: c.key, value: c.value })),
      at,
      check.restarts.window,
    );
  }
  const problems = podProblems(
    { conditions, counters },
    settings,
    now,
    (c) => Math.min(since.get(c.key)?.getTime() ?? now, c.since ?? now),
    (key) => baselines.get(key)?.value,
  );

  const details: Record<string, string | number | boolean | null> = {
    scope: `${check.namespace ? `namespace ${check.namespace}` : 'all namespaces'}${check.labels ? `, labels ${check.labels}` : ''}`,
    pods,
    problems: problems.length,
  };
  if (nodes.unread)
    details.nodes = `not all nodes were read (${nodes.unread}): a node that is not Ready shows only through its pods' own states`;
  else if (nodes.readiness.size)
    details.nodes = [...nodes.readiness.values()]
      .map((n) => (n.ready ? `${n.node} Ready` : n.evidence))
      .slice(0, 5)
      .join('; ');
  if (!request.store)
    details.note = 'how long a condition has held is known only from the pods themselves here (no history store)';
  const byApp = new Map<string, typeof problems>();
  for (const p of problems) byApp.set(p.app, [...(byApp.get(p.app) ?? []), p]);
  const apps = [...byApp.entries()].sort((a, b) => b[1].length - a[1].length);
  for (const [app, list] of apps.slice(0, 10)) {
    const layer = rootLayer(list.map((p) => p.layer))!;
    details[`app ${app}`] = `${LAYER_NAMES[layer]} layer — ${list
      .slice(0, 6)
      .map((p) => `${p.pod.split('/')[1]}: ${p.text}`)
      .join(' · ')}${list.length > 6 ? ` · and ${list.length - 6} more` : ''}`;
    const timeline = containerTimeline(interesting.get(app) ?? [], now);
    if (timeline.length) details[`timeline ${app}`] = timeline.join(' → ');
  }
  if (apps.length) {
    const layer = rootLayer(problems.map((p) => p.layer))!;
    details.layer = LAYER_NAMES[layer];
    details.summary = apps
      .slice(0, 3)
      .map(
        ([app, list]) =>
          `${app}: ${[...new Set(list.map((p) => p.kind))].join(', ')} (${LAYER_NAMES[rootLayer(list.map((p) => p.layer))!]} layer${nodesOf(list)})`,
      )
      .join('; ');
  }
  return { value: problems.length, unit: 'count', observedAt: at.toISOString(), details };
}

/** ", node kwok-node-1": the nodes named by NodeNotReady problems, for the summary (and so the alert's first line). */
function nodesOf(problems: Array<{ node?: string }>): string {
  const names = [...new Set(problems.map((p) => p.node).filter(Boolean))];
  return names.length ? `, node${names.length > 1 ? 's' : ''} ${names.slice(0, 3).join(', ')}` : '';
}
