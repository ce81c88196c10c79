// The podHealth check's judgement: the conditions a pod shows (CrashLoopBackOff,
// image pulls, stuck Pending/ContainerCreating/Terminating, OOMKilled, a node
// that is not Ready — evaluation/kubernetes/nodes.ts) and its restart counters, which of them are problems given how long they have held,
// and a container timeline per application. Pure; the connector lists the pods
// and keeps since-when state in the history store (connectors/kubernetes/pods.ts).
import {
  applicationOf,
  containerLayer,
  formatSpan,
  IMAGE_REASONS,
  iso,
  ms,
  type Layer,
  type PodShape,
} from './shared.js';
import type { NodeReadiness } from './nodes.js';

export interface PodHealthSettings {
  groupBy: string;
  crashLoopFor: number;
  imagePullFor: number;
  oomWithin: number;
  restarts: { max: number; window: number };
  stuck: { pending: number; containerCreating: number; terminating: number };
}

/** Something a pod shows now, that becomes a problem once it has lasted long enough. */
export interface PodCondition {
  /** Stable across runs while the condition holds: namespace/pod uid/container/kind. */
  key: string;
  app: string;
  pod: string;
  container?: string;
  /** The node, for a NodeNotReady condition. */
  node?: string;
  kind:
    | 'CrashLoopBackOff'
    | 'ImagePull'
    | 'Pending'
    | 'ContainerCreating'
    | 'Terminating'
    | 'OOMKilled'
    | 'Restarts'
    | 'NodeNotReady';
  layer: Layer;
  /** When the source says it began, if it says. */
  since?: number;
  /** How long it may last before it is a problem. */
  allowed: number;
  evidence: string;
}

function conditionSince(pod: PodShape, type: string): number | undefined {
  const c = pod.status?.conditions?.find((x) => x.type === type);
  return c && c.status === 'False' ? ms(c.lastTransitionTime) : undefined;
}

/** The conditions of interest on each pod, and its containers' restart counters. */
export function podConditions(
  pods: PodShape[],
  s: PodHealthSettings,
  now: number,
): {
  conditions: PodCondition[];
  counters: Array<{
    key: string;
    value: number;
    app: string;
    pod: string;
    container: string;
    startedAt?: number;
    lastTermination?: string;
  }>;
  /** Pods running on (bound to) a node, whose node's Ready condition decides a NodeNotReady condition. */
  bound: BoundPod[];
} {
  const conditions: PodCondition[] = [];
  const bound: BoundPod[] = [];
  const counters: Array<{
    key: string;
    value: number;
    app: string;
    pod: string;
    container: string;
    startedAt?: number;
    lastTermination?: string;
  }> = [];
  for (const pod of pods) {
    const meta = pod.metadata ?? {};
    const name = `${meta.namespace}/${meta.name}`;
    const id = `${meta.namespace}/${meta.name}/${meta.uid ?? ''}`;
    const app = applicationOf(meta, s.groupBy);
    const created = ms(meta.creationTimestamp);
    const deleting = ms(meta.deletionTimestamp);
    if (deleting !== undefined) {
      // deletionTimestamp is when the pod should be gone (deletion + grace period).
      const finalizers = meta.finalizers ?? [];
      conditions.push({
        key: `${id}/Terminating`,
        app,
        pod: name,
        kind: 'Terminating',
        layer: finalizers.length ? 'pod' : 'node',
        since: deleting,
        allowed: s.stuck.terminating,
        evidence: finalizers.length
          ? `finalizers ${finalizers.join(', ')} keep it`
          : `its node ${pod.spec?.nodeName ?? '(none)'} has not confirmed the containers stopped`,
      });
      continue;
    }
    const phase = pod.status?.phase ?? 'Pending';
    const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (phase === 'Pending' && (!pod.spec?.nodeName || scheduled?.status === 'False')) {
      conditions.push({
        key: `${id}/Pending`,
        app,
        pod: name,
        kind: 'Pending',
        layer: 'resources',
        since: created,
        allowed: s.stuck.pending,
        evidence: scheduled?.message ? `not scheduled: ${scheduled.message}` : 'not scheduled to any node',
      });
      continue;
    }
    if (pod.spec?.nodeName && phase !== 'Succeeded' && phase !== 'Failed')
      bound.push({ key: `${id}/NodeNotReady`, app, pod: name, node: pod.spec.nodeName });
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    if (phase === 'Pending') {
      const creating = statuses.filter((c) =>
        ['ContainerCreating', 'PodInitializing', 'CreateContainerConfigError', 'CreateContainerError'].includes(
          c.state?.waiting?.reason ?? '',
        ),
      );
      if (creating.length > 0 || statuses.length === 0) {
        const reason = creating[0]?.state?.waiting;
        conditions.push({
          key: `${id}/ContainerCreating`,
          app,
          pod: name,
          container: creating[0]?.name,
          kind: 'ContainerCreating',
          layer: 'pod',
          since: ms(scheduled?.lastTransitionTime) ?? created,
          allowed: s.stuck.containerCreating,
          evidence: reason
            ? `${creating[0]!.name}: ${reason.reason}${reason.message ? ` — ${reason.message}` : ''}`
            : 'containers not created yet (volumes, sandbox or network)',
        });
      }
    }
    for (const c of statuses) {
      const waiting = c.state?.waiting?.reason;
      const found = containerLayer(c);
      if (waiting === 'CrashLoopBackOff') {
        conditions.push({
          key: `${id}/${c.name}/CrashLoopBackOff`,
          app,
          pod: name,
          container: c.name,
          kind: 'CrashLoopBackOff',
          layer: found?.layer ?? 'container',
          since: conditionSince(pod, 'ContainersReady') ?? conditionSince(pod, 'Ready'),
          allowed: s.crashLoopFor,
          evidence: found?.evidence ?? `${c.name}: CrashLoopBackOff`,
        });
      } else if (waiting && IMAGE_REASONS.has(waiting)) {
        conditions.push({
          key: `${id}/${c.name}/ImagePull`,
          app,
          pod: name,
          container: c.name,
          kind: 'ImagePull',
          layer: 'image',
          since: undefined,
          allowed: s.imagePullFor,
          evidence: found?.evidence ?? `${c.name}: ${waiting}`,
        });
      }
      const terminated = [c.state?.terminated, c.lastState?.terminated].find((t) => t?.reason === 'OOMKilled');
      const oomAt = ms(terminated?.finishedAt);
      if (terminated && oomAt !== undefined && oomAt >= now - s.oomWithin) {
        conditions.push({
          key: `${id}/${c.name}/OOMKilled/${oomAt}`,
          app,
          pod: name,
          container: c.name,
          kind: 'OOMKilled',
          layer: 'resources',
          since: oomAt,
          allowed: 0,
          evidence: `${c.name}: OOMKilled (exit code ${terminated.exitCode}) at ${iso(oomAt)} — over its memory limit`,
        });
      }
      const last = c.lastState?.terminated;
      counters.push({
        key: `${id}/${c.name}/restarts`,
        value: c.restartCount,
        app,
        pod: name,
        container: c.name,
        startedAt: ms(pod.status?.startTime) ?? created,
        lastTermination: last ? `${last.reason ?? 'Error'} (exit code ${last.exitCode})` : undefined,
      });
    }
  }
  return { conditions, counters, bound };
}

export interface BoundPod {
  key: string;
  app: string;
  pod: string;
  node: string;
}

/**
 * A NodeNotReady condition for each pod whose node is not Ready (its Ready condition False or Unknown, or the
 * node gone): the node layer, held since the node's condition changed, a problem at once — the node lifecycle
 * controller has already waited its grace period. It holds exactly as long as the node is not Ready.
 */
export function podsOnUnreadyNodes(bound: BoundPod[], nodes: Map<string, NodeReadiness>): PodCondition[] {
  const out: PodCondition[] = [];
  for (const b of bound) {
    const node = nodes.get(b.node);
    if (!node || node.ready) continue;
    out.push({
      key: b.key,
      app: b.app,
      pod: b.pod,
      node: b.node,
      kind: 'NodeNotReady',
      layer: 'node',
      since: node.since,
      allowed: 0,
      evidence: node.evidence,
    });
  }
  return out;
}

export interface PodProblem {
  app: string;
  pod: string;
  container?: string;
  node?: string;
  kind: PodCondition['kind'];
  layer: Layer;
  text: string;
}

/**
 * The problems among the conditions, given since when each has held
 * (pipewatch's own observation or the source's, whichever is earlier) and the
 * restart counters at the start of the window.
 */
export function podProblems(
  found: Pick<ReturnType<typeof podConditions>, 'conditions' | 'counters'>,
  s: PodHealthSettings,
  now: number,
  heldSince: (c: PodCondition) => number,
  counterAtWindowStart: (key: string) => number | undefined,
): PodProblem[] {
  const problems: PodProblem[] = [];
  for (const c of found.conditions) {
    const held = now - heldSince(c);
    if (c.kind !== 'OOMKilled' && held < c.allowed) continue;
    const text =
      c.kind === 'OOMKilled'
        ? c.evidence
        : c.kind === 'NodeNotReady'
          ? `its node is not Ready (for ${formatSpan(held)}): ${c.evidence}`
          : c.kind === 'Terminating'
            ? `Terminating ${formatSpan(held)} past its grace period (allowed ${formatSpan(c.allowed)}): ${c.evidence}`
            : `${c.kind === 'ImagePull' ? 'cannot pull its image' : c.kind} for ${formatSpan(held)} (allowed ${formatSpan(c.allowed)}): ${c.evidence}`;
    problems.push({ app: c.app, pod: c.pod, container: c.container, node: c.node, kind: c.kind, layer: c.layer, text });
  }
  for (const k of found.counters) {
    const base =
      counterAtWindowStart(k.key) ??
      (k.startedAt !== undefined && k.startedAt >= now - s.restarts.window ? 0 : undefined);
    if (base === undefined) continue;
    // A counter lower than its sample means a new container id under the same key: count from zero.
    const increase = k.value >= base ? k.value - base : k.value;
    if (increase <= s.restarts.max) continue;
    const oom = k.lastTermination?.startsWith('OOMKilled');
    problems.push({
      app: k.app,
      pod: k.pod,
      container: k.container,
      kind: 'Restarts',
      layer: oom ? 'resources' : 'container',
      text: `${k.container}: ${increase} restarts in ${formatSpan(s.restarts.window)} (allowed ${s.restarts.max})${k.lastTermination ? `, last terminated ${k.lastTermination}` : ''}`,
    });
  }
  return problems;
}

/** One line per change of a container's run state, oldest first: the application's recent history as the pods tell it. */
export function containerTimeline(pods: PodShape[], now: number, limit = 12): string[] {
  const entries: Array<{ at: number; text: string }> = [];
  for (const pod of pods) {
    const podName = pod.metadata?.name ?? '?';
    for (const c of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
      const who = `${podName}/${c.name}`;
      const last = c.lastState?.terminated;
      if (last) {
        const started = ms(last.startedAt);
        const finished = ms(last.finishedAt);
        if (started !== undefined) entries.push({ at: started, text: `${who} started` });
        if (finished !== undefined)
          entries.push({
            at: finished,
            text: `${who} terminated ${last.reason ?? 'Error'} (exit code ${last.exitCode})`,
          });
      }
      const running = ms(c.state?.running?.startedAt);
      if (running !== undefined) entries.push({ at: running, text: `${who} running (${c.restartCount} restarts)` });
      const term = c.state?.terminated;
      if (term && ms(term.finishedAt) !== undefined)
        entries.push({
          at: ms(term.finishedAt)!,
          text: `${who} terminated ${term.reason ?? 'Error'} (exit code ${term.exitCode})`,
        });
      if (c.state?.waiting?.reason)
        entries.push({ at: now, text: `${who} now ${c.state.waiting.reason} (${c.restartCount} restarts)` });
    }
  }
  return entries
    .sort((a, b) => a.at - b.at)
    .slice(-limit)
    .map((e) => `${e.at === now ? 'now' : iso(e.at).slice(11)} ${e.text}`);
}
