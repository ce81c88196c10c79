// What Kubernetes objects say about a pipeline, judged without any I/O: which
// layer an event or a container state points at, which pods are in trouble,
// and which CronJobs missed a run. The connector (connectors/kubernetes.ts)
// fetches the objects and keeps state; everything here is a pure function of
// plain object shapes (a subset of the API's), so it is tested with fixtures
// and reused by `pipewatch run`.
import { cronCanFire, lastScheduledRun, type CronSpec } from './cron.js';
import { cronJobSchedule, mostRecentScheduleTime, scheduledTimeOfJob } from './cronjob-schedule.js';

/** Where a failure sits, from the machine up: the first one found explains the rest. */
export type Layer = 'node' | 'resources' | 'image' | 'pod' | 'container';
export const LAYERS: readonly Layer[] = ['node', 'resources', 'image', 'pod', 'container'];
export const LAYER_NAMES: Record<Layer, string> = {
  node: 'node',
  resources: 'scheduling/resources',
  image: 'image',
  pod: 'pod',
  container: 'container',
};

export function rootLayer(layers: Iterable<Layer>): Layer | undefined {
  const seen = new Set(layers);
  return LAYERS.find((l) => seen.has(l));
}

// ------------------------------------------------------------ object shapes

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: Date | string;
  deletionTimestamp?: Date | string;
  deletionGracePeriodSeconds?: number;
  finalizers?: string[];
  ownerReferences?: Array<{ kind: string; name: string; uid?: string; controller?: boolean }>;
  resourceVersion?: string;
}

export interface ContainerStateShape {
  running?: { startedAt?: Date | string };
  waiting?: { reason?: string; message?: string };
  terminated?: { exitCode: number; reason?: string; message?: string; startedAt?: Date | string; finishedAt?: Date | string };
}

export interface ContainerStatusShape {
  name: string;
  restartCount: number;
  ready?: boolean;
  image?: string;
  state?: ContainerStateShape;
  lastState?: ContainerStateShape;
}

export interface PodShape {
  metadata?: ObjectMeta;
  spec?: { nodeName?: string };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    startTime?: Date | string;
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string; lastTransitionTime?: Date | string }>;
    initContainerStatuses?: ContainerStatusShape[];
    containerStatuses?: ContainerStatusShape[];
  };
}

/** core/v1 Event, as listed or watched. */
export interface EventShape {
  metadata?: ObjectMeta;
  involvedObject?: { kind?: string; name?: string; namespace?: string; uid?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: Date | string;
  lastTimestamp?: Date | string;
  eventTime?: Date | string;
  series?: { count?: number; lastObservedTime?: Date | string };
  source?: { component?: string; host?: string };
}

export interface CronJobShape {
  metadata?: ObjectMeta;
  spec?: {
    schedule: string;
    timeZone?: string;
    suspend?: boolean;
    startingDeadlineSeconds?: number;
    concurrencyPolicy?: string;
  };
  status?: { lastScheduleTime?: Date | string; lastSuccessfulTime?: Date | string; active?: Array<{ name?: string }> };
}

export interface JobShape {
  metadata?: ObjectMeta;
  status?: {
    startTime?: Date | string;
    completionTime?: Date | string;
    active?: number;
    succeeded?: number;
    failed?: number;
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string; lastTransitionTime?: Date | string }>;
  };
}

const ms = (t: Date | string | undefined | null): number | undefined => {
  if (t === undefined || t === null) return undefined;
  const v = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isNaN(v) ? undefined : v;
};
const iso = (t: number | undefined) => (t === undefined ? 'never' : new Date(t).toISOString().replace('.000Z', 'Z'));

export function formatSpan(milliseconds: number): string {
  const s = Math.max(0, Math.round(milliseconds / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  return `${Math.floor(h / 24)}d${h % 24 ? `${h % 24}h` : ''}`;
}

// ------------------------------------------------------------- applications

/**
 * The application an object belongs to: the groupBy label, then "app", then
 * the name without the suffixes controllers add (ReplicaSet hash, pod id,
 * CronJob schedule stamp).
 */
export function applicationOf(meta: ObjectMeta | undefined, groupBy: string, kind = 'Pod'): string {
  const labels = meta?.labels ?? {};
  const named = labels[groupBy] ?? labels['app.kubernetes.io/name'] ?? labels.app ?? labels['k8s-app'];
  if (named) return named;
  const name = meta?.name ?? '?';
  if (kind === 'Pod') {
    const owner = meta?.ownerReferences?.find((o) => o.controller) ?? meta?.ownerReferences?.[0];
    if (owner?.kind === 'ReplicaSet') return owner.name.replace(/-[a-z0-9]{6,10}$/, '');
    if (owner?.kind === 'Job') return owner.name.replace(/-\d{8,}$/, '');
    if (owner) return owner.name;
    return name.replace(/-[a-z0-9]{6,10}-[a-z0-9]{5}$/, '').replace(/-[a-z0-9]{5}$/, '');
  }
  if (kind === 'Job') return name.replace(/-\d{8,}$/, '');
  return name;
}

// ------------------------------------------------------------------- layers

const NODE_REASONS = new Set([
  'NodeNotReady', 'NodeNotSchedulable', 'Rebooted', 'NodeHasDiskPressure', 'NodeHasInsufficientMemory', 'NodeHasInsufficientPID',
  'EvictionThresholdMet', 'SystemOOM', 'ContainerGCFailed', 'ImageGCFailed', 'FreeDiskSpaceFailed', 'NodeShutdown', 'TaintManagerEviction',
  'KubeletSetupFailed', 'InvalidDiskCapacity',
]);
const IMAGE_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InspectFailed', 'ErrImageNeverPull', 'InvalidImageName', 'RegistryUnavailable']);
const POD_REASONS = new Set([
  'FailedMount', 'FailedAttachVolume', 'FailedMapVolume', 'FailedCreatePodSandBox', 'FailedPodSandBoxStatus', 'FailedKillPod', 'FailedSync',
  'NetworkNotReady', 'FailedValidation', 'CreateContainerConfigError', 'CreateContainerError', 'DeadlineExceeded', 'BackoffLimitExceeded',
]);
const RESOURCE_REASONS = new Set(['FailedScheduling', 'OOMKilling', 'OOMKilled', 'Preempted', 'OutOfcpu', 'OutOfmemory', 'NodeAffinity', 'ExceededGracePeriod']);

/** The layer one event points at, from its reason, its message and what it is about. */
export function eventLayer(event: { reason?: string; message?: string; involvedKind?: string }): Layer {
  const reason = event.reason ?? '';
  const message = (event.message ?? '').toLowerCase();
  // A container over its memory limit is a resources problem wherever the event is attached.
  if (RESOURCE_REASONS.has(reason)) return 'resources';
  if (reason === 'Evicted') return /node was low on resource|node had condition/.test(message) ? 'node' : 'resources';
  if (NODE_REASONS.has(reason) || event.involvedKind === 'Node') return 'node';
  if (IMAGE_REASONS.has(reason)) return 'image';
  if (/exceeded quota|insufficient (cpu|memory)|forbidden: exceeded|limitrange/.test(message)) return 'resources';
  if ((reason === 'Failed' || reason === 'BackOff') && /pull|image/.test(message)) return 'image';
  if (POD_REASONS.has(reason) || /configmap .* not found|secret .* not found|createcontainerconfigerror|volume/.test(message)) return 'pod';
  if (reason === 'FailedCreate') return 'pod';
  return 'container';
}

/** The layer a container's state points at, with the evidence for it. */
export function containerLayer(c: ContainerStatusShape): { layer: Layer; evidence: string } | undefined {
  const waiting = c.state?.waiting?.reason;
  const last = c.lastState?.terminated ?? c.state?.terminated;
  const lastText = last ? `last terminated ${last.reason ?? 'Error'} (exit code ${last.exitCode})${last.finishedAt ? ` at ${iso(ms(last.finishedAt))}` : ''}` : undefined;
  if (last?.reason === 'OOMKilled') return { layer: 'resources', evidence: `${c.name}: OOMKilled (exit code ${last.exitCode}) — over its memory limit` };
  if (waiting && IMAGE_REASONS.has(waiting)) return { layer: 'image', evidence: `${c.name}: ${waiting}${c.image ? ` for ${c.image}` : ''}${c.state?.waiting?.message ? ` — ${c.state.waiting.message}` : ''}` };
  if (waiting === 'CreateContainerConfigError' || waiting === 'CreateContainerError') {
    return { layer: 'pod', evidence: `${c.name}: ${waiting}${c.state?.waiting?.message ? ` — ${c.state.waiting.message}` : ''}` };
  }
  if (waiting === 'CrashLoopBackOff' || (last && last.exitCode !== 0)) {
    return { layer: 'container', evidence: `${c.name}: ${waiting ?? 'restarted'}, ${c.restartCount} restarts${lastText ? `, ${lastText}` : ''}` };
  }
  return undefined;
}

// ------------------------------------------------------------------- events

export interface EventRecord {
  uid: string;
  resourceVersion: string;
  namespace: string;
  name: string;
  reason: string;
  message: string;
  type: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
  involved: { kind: string; name: string; namespace: string };
  source: string;
}

/** A compact copy of an event: what rules and alerts need, nothing more (memory stays bounded by count). */
export function eventRecord(e: EventShape): EventRecord | undefined {
  const uid = e.metadata?.uid;
  if (!uid) return undefined;
  const last = ms(e.series?.lastObservedTime) ?? ms(e.lastTimestamp) ?? ms(e.eventTime) ?? ms(e.metadata?.creationTimestamp) ?? 0;
  const first = ms(e.firstTimestamp) ?? ms(e.eventTime) ?? last;
  return {
    uid,
    resourceVersion: e.metadata?.resourceVersion ?? '',
    namespace: e.metadata?.namespace ?? e.involvedObject?.namespace ?? '',
    name: e.metadata?.name ?? '',
    reason: e.reason ?? '',
    message: (e.message ?? '').slice(0, 500),
    type: e.type ?? 'Normal',
    count: e.series?.count ?? e.count ?? 1,
    firstSeen: first,
    lastSeen: last,
    involved: { kind: e.involvedObject?.kind ?? '', name: e.involvedObject?.name ?? '', namespace: e.involvedObject?.namespace ?? e.metadata?.namespace ?? '' },
    source: e.source?.component ?? '',
  };
}

export interface EventFilter {
  kinds?: string[];
  names?: string[];
  reasons?: string[];
  types: string[];
  window: number;
}

export function eventSelected(e: EventRecord, f: EventFilter, now: number): boolean {
  if (e.lastSeen < now - f.window || e.lastSeen > now + 60_000) return false;
  if (!f.types.includes(e.type)) return false;
  if (f.kinds && !f.kinds.includes(e.involved.kind)) return false;
  if (f.names && !f.names.includes(e.involved.name)) return false;
  if (f.reasons && !f.reasons.includes(e.reason)) return false;
  return true;
}

export interface AppEvents {
  app: string;
  layer: Layer;
  occurrences: number;
  reasons: Record<string, number>;
  objects: string[];
  evidence: string[];
}

/**
 * Groups matching events by application; each group names its root layer,
 * with the evidence: the events' messages and the containers' last states.
 */
export function groupEvents(
  events: EventRecord[],
  objectOf: (e: EventRecord) => { meta?: ObjectMeta; pod?: PodShape } | undefined,
  groupBy: string,
): AppEvents[] {
  const groups = new Map<string, { events: EventRecord[]; pods: Map<string, PodShape> }>();
  for (const e of events) {
    const object = objectOf(e);
    const app = applicationOf(object?.meta ?? { name: e.involved.name }, groupBy, e.involved.kind);
    const g = groups.get(app) ?? { events: [] as EventRecord[], pods: new Map<string, PodShape>() };
    g.events.push(e);
    if (object?.pod) g.pods.set(`${e.involved.namespace}/${e.involved.name}`, object.pod);
    groups.set(app, g);
  }
  const out: AppEvents[] = [];
  for (const [app, g] of groups) {
    const layers: Layer[] = [];
    const evidence: string[] = [];
    const reasons: Record<string, number> = {};
    for (const e of [...g.events].sort((a, b) => b.lastSeen - a.lastSeen)) {
      layers.push(eventLayer({ reason: e.reason, message: e.message, involvedKind: e.involved.kind }));
      reasons[e.reason] = (reasons[e.reason] ?? 0) + e.count;
      if (evidence.length < 5) evidence.push(`${e.involved.kind}/${e.involved.name} ${e.reason}${e.count > 1 ? ` ×${e.count}` : ''}: ${e.message.slice(0, 160)}`);
    }
    for (const [key, pod] of g.pods) {
      for (const c of pod.status?.containerStatuses ?? []) {
        const found = containerLayer(c);
        if (!found) continue;
        layers.push(found.layer);
        evidence.push(`${key.split('/')[1]} ${found.evidence}`);
      }
    }
    out.push({
      app,
      layer: rootLayer(layers) ?? 'container',
      occurrences: g.events.reduce((n, e) => n + e.count, 0),
      reasons,
      objects: [...new Set(g.events.map((e) => `${e.involved.kind}/${e.involved.name}`))].slice(0, 20),
      evidence: evidence.slice(0, 8),
    });
  }
  return out.sort((a, b) => b.occurrences - a.occurrences || a.app.localeCompare(b.app));
}

// --------------------------------------------------------------- pod health

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
  kind: 'CrashLoopBackOff' | 'ImagePull' | 'Pending' | 'ContainerCreating' | 'Terminating' | 'OOMKilled' | 'Restarts';
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
): { conditions: PodCondition[]; counters: Array<{ key: string; value: number; app: string; pod: string; container: string; startedAt?: number; lastTermination?: string }> } {
  const conditions: PodCondition[] = [];
  const counters: Array<{ key: string; value: number; app: string; pod: string; container: string; startedAt?: number; lastTermination?: string }> = [];
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
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    if (phase === 'Pending') {
      const creating = statuses.filter((c) => ['ContainerCreating', 'PodInitializing', 'CreateContainerConfigError', 'CreateContainerError'].includes(c.state?.waiting?.reason ?? ''));
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
          evidence: reason ? `${creating[0]!.name}: ${reason.reason}${reason.message ? ` — ${reason.message}` : ''}` : 'containers not created yet (volumes, sandbox or network)',
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
  return { conditions, counters };
}

export interface PodProblem {
  app: string;
  pod: string;
  container?: string;
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
  found: ReturnType<typeof podConditions>,
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
        : c.kind === 'Terminating'
          ? `Terminating ${formatSpan(held)} past its grace period (allowed ${formatSpan(c.allowed)}): ${c.evidence}`
          : `${c.kind === 'ImagePull' ? 'cannot pull its image' : c.kind} for ${formatSpan(held)} (allowed ${formatSpan(c.allowed)}): ${c.evidence}`;
    problems.push({ app: c.app, pod: c.pod, container: c.container, kind: c.kind, layer: c.layer, text });
  }
  for (const k of found.counters) {
    const base = counterAtWindowStart(k.key) ?? (k.startedAt !== undefined && k.startedAt >= now - s.restarts.window ? 0 : undefined);
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
        if (finished !== undefined) entries.push({ at: finished, text: `${who} terminated ${last.reason ?? 'Error'} (exit code ${last.exitCode})` });
      }
      const running = ms(c.state?.running?.startedAt);
      if (running !== undefined) entries.push({ at: running, text: `${who} running (${c.restartCount} restarts)` });
      const term = c.state?.terminated;
      if (term && ms(term.finishedAt) !== undefined) entries.push({ at: ms(term.finishedAt)!, text: `${who} terminated ${term.reason ?? 'Error'} (exit code ${term.exitCode})` });
      if (c.state?.waiting?.reason) entries.push({ at: now, text: `${who} now ${c.state.waiting.reason} (${c.restartCount} restarts)` });
    }
  }
  return entries
    .sort((a, b) => a.at - b.at)
    .slice(-limit)
    .map((e) => `${e.at === now ? 'now' : iso(e.at).slice(11)} ${e.text}`);
}

// ---------------------------------------------------------------- CronJobs

export interface CronJobSettings {
  grace: number;
  successWithin: number;
  failedWithin: number;
  slowerThan: number;
  maxDuration?: number;
}

export interface CronJobJudgement {
  namespace: string;
  name: string;
  /** unchecked: could not be judged here (a time zone this worker does not know); the others still are. */
  state: 'ok' | 'suspended' | 'problem' | 'unchecked';
  problems: string[];
  /** What an operator reads first: schedule, zone, last run. */
  summary: string;
}

function jobFinished(job: JobShape): { outcome: 'succeeded' | 'failed'; at: number; reason?: string; message?: string } | undefined {
  const failed = job.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  if (failed) return { outcome: 'failed', at: ms(failed.lastTransitionTime) ?? ms(job.status?.startTime) ?? 0, reason: failed.reason, message: failed.message };
  const complete = job.status?.conditions?.find((c) => c.type === 'Complete' && c.status === 'True');
  const completion = ms(job.status?.completionTime) ?? ms(complete?.lastTransitionTime);
  if (complete || completion !== undefined) return { outcome: 'succeeded', at: completion ?? 0 };
  return undefined;
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** Scheduled runs before `before`, newest first, as Kubernetes would compute them. */
export function previousRuns(spec: CronSpec, zone: string, before: number, n: number, notBefore: number): number[] {
  const out: number[] = [];
  let t = before;
  while (out.length < n) {
    const run = lastScheduledRun(spec, zone, t, Math.max(60_000, t - notBefore));
    if (run === undefined) break;
    out.push(run);
    t = run - 60_000;
  }
  return out;
}

function localTimeText(at: number, zone: string): string {
  const text = new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(at));
  return `${text} ${zone}`;
}

/**
 * Judges one CronJob: a missed run (an expected start that did not happen
 * within grace), no success for N periods, a failed last Job, a run taking
 * far longer than usual. A suspended CronJob is reported as such. The
 * schedule may come from a manifest on disk instead of the live object.
 * A run happened when status.lastScheduleTime reached it, or when one of the
 * CronJob's own Jobs (in `jobs` or status.active) was made for it — the
 * status field can lag behind the Jobs. As the controller, a CronJob counts
 * only runs scheduled after its creation (one created on a scheduled second
 * does not owe that run).
 */
export function judgeCronJob(cron: CronJobShape, jobs: JobShape[], s: CronJobSettings, now: number): CronJobJudgement {
  const namespace = cron.metadata?.namespace ?? 'default';
  const name = cron.metadata?.name ?? '?';
  const schedule = cron.spec?.schedule ?? '';
  const base = { namespace, name };
  if (cron.spec?.suspend) return { ...base, state: 'suspended', problems: [], summary: `suspended (schedule ${schedule}${cron.spec.timeZone ? ` ${cron.spec.timeZone}` : ''})` };
  const parsed = cronJobSchedule(schedule, cron.spec?.timeZone);
  if ('error' in parsed) {
    if (parsed.kind === 'zone') return { ...base, state: 'unchecked', problems: [`could not check: ${parsed.error}`], summary: `schedule ${schedule} ${cron.spec?.timeZone}` };
    return { ...base, state: 'problem', problems: [`schedule not understood: ${parsed.error}`], summary: `schedule ${schedule}` };
  }
  const { spec, zone } = parsed;
  const zoneText = cron.spec?.timeZone || spec.zone ? ` ${zone}` : ' (UTC)';
  if (!cronCanFire(spec)) {
    return { ...base, state: 'problem', problems: [`schedule "${schedule}" never fires (no selected month has that day): Kubernetes reports InvalidSchedule and starts no Job`], summary: `schedule ${schedule}${zoneText}` };
  }

  const problems: string[] = [];
  const created = ms(cron.metadata?.creationTimestamp) ?? 0;
  const lastSchedule = ms(cron.status?.lastScheduleTime);
  const uid = cron.metadata?.uid;
  const own = jobs.filter(
    (j) => (j.metadata?.namespace ?? namespace) === namespace && j.metadata?.ownerReferences?.some((o) => o.kind === 'CronJob' && o.name === name && (!uid || !o.uid || o.uid === uid)),
  );
  // The scheduled times the CronJob's Jobs were made for, running or not.
  const madeFor = new Set<number>();
  for (const j of own) {
    const at = scheduledTimeOfJob(name, { name: j.metadata?.name, annotations: j.metadata?.annotations });
    if (at !== undefined) madeFor.add(at);
  }
  for (const a of cron.status?.active ?? []) {
    const at = scheduledTimeOfJob(name, { name: a.name });
    if (at !== undefined) madeFor.add(at);
  }
  const newestRun = Math.max(lastSchedule ?? -Infinity, ...madeFor);
  const ran = (t: number) => newestRun >= t;
  const succeeded = own.map((j) => jobFinished(j)).filter((e) => e?.outcome === 'succeeded').map((e) => e!.at);
  const lastSuccess = [ms(cron.status?.lastSuccessfulTime), ...succeeded].reduce<number | undefined>((a, b) => (b === undefined ? a : a === undefined ? b : Math.max(a, b)), undefined);
  const deadline = cron.spec?.startingDeadlineSeconds;
  const grace = deadline !== undefined ? Math.min(s.grace, deadline * 1000) : s.grace;

  // Missed: the latest run that should have started by now (time + grace) did not.
  let due: number | undefined;
  if (spec.everyMs !== undefined) {
    // "@every": times count from the last run, as the controller counts them.
    const k = mostRecentScheduleTime({ created, ...(Number.isFinite(newestRun) ? { lastScheduleTime: newestRun } : {}) }, now - grace, parsed, false);
    due = k.mostRecent ?? (k.missed !== 'none' ? k.first : undefined);
  } else {
    due = lastScheduledRun(spec, zone, now - grace);
    // As the controller: it counts from lastScheduleTime, or without one from the creation time (exclusive).
    if (due !== undefined && lastSchedule === undefined && due <= created) due = undefined;
  }
  if (due !== undefined && !ran(due)) {
    const active = (cron.status?.active ?? []).map((a) => a.name ?? '?');
    const forbid = cron.spec?.concurrencyPolicy === 'Forbid' && active.length > 0;
    const late = deadline !== undefined && due + deadline * 1000 < now;
    const controller = mostRecentScheduleTime({ created, lastScheduleTime: lastSchedule, startingDeadlineSeconds: deadline }, now, parsed, true);
    problems.push(
      `missed the run due ${localTimeText(due, zone)} (${formatSpan(now - due)} ago, grace ${formatSpan(grace)}); last run ${lastSchedule === undefined ? 'never' : `${localTimeText(lastSchedule, zone)} (${formatSpan(now - lastSchedule)} ago)`}` +
        (forbid ? `; skipped because ${active.join(', ')} is still running (concurrencyPolicy Forbid)` : '') +
        (late ? `; startingDeadlineSeconds (${deadline}) has passed, so Kubernetes will not start it` : '') +
        (controller.missed === 'many' ? '; more than 100 start times missed: Kubernetes reports TooManyMissedTimes (check the controller and clock skew, or set startingDeadlineSeconds)' : ''),
    );
  }

  // No success for N periods: the last success is older than the N-th latest scheduled run.
  const runs = previousRuns(spec, zone, now - grace, s.successWithin, Math.min(created, lastSuccess ?? created));
  const oldest = runs.length === s.successWithin ? runs[runs.length - 1] : undefined;
  if (oldest !== undefined && (lastSuccess !== undefined ? lastSuccess < oldest : oldest > created)) {
    problems.push(`no success in the last ${s.successWithin} scheduled runs (since ${localTimeText(oldest, zone)}); last success ${lastSuccess === undefined ? 'never' : `${formatSpan(now - lastSuccess)} ago`}`);
  }

  const finished = own.map((j) => ({ job: j, end: jobFinished(j) })).filter((x) => x.end) as Array<{ job: JobShape; end: NonNullable<ReturnType<typeof jobFinished>> }>;
  finished.sort((a, b) => a.end.at - b.end.at);
  const newest = finished[finished.length - 1];
  if (newest && newest.end.outcome === 'failed' && newest.end.at >= now - s.failedWithin) {
    problems.push(`Job ${newest.job.metadata?.name} failed ${formatSpan(now - newest.end.at)} ago: ${newest.end.reason ?? 'Failed'}${newest.end.message ? ` — ${newest.end.message}` : ''}`);
  }

  const durations = finished
    .filter((f) => f.end.outcome === 'succeeded' && ms(f.job.status?.startTime) !== undefined)
    .map((f) => f.end.at - ms(f.job.status!.startTime)!);
  const usual = durations.length >= 2 ? median(durations) : undefined;
  const limit = s.maxDuration ?? (usual !== undefined ? Math.max(60_000, usual * s.slowerThan) : undefined);
  for (const j of own.filter((x) => !jobFinished(x))) {
    const started = ms(j.status?.startTime);
    if (started === undefined || limit === undefined) continue;
    const running = now - started;
    if (running > limit) {
      problems.push(
        `Job ${j.metadata?.name} has run ${formatSpan(running)}` +
          (usual !== undefined ? `; its last ${durations.length} successful runs took a median ${formatSpan(usual)}` : '') +
          (s.maxDuration !== undefined ? ` (limit ${formatSpan(s.maxDuration)})` : ` (limit ${s.slowerThan}× that)`),
      );
    }
  }

  const summary = `schedule ${schedule}${zoneText}, last run ${lastSchedule === undefined ? 'never' : `${formatSpan(now - lastSchedule)} ago`}, last success ${lastSuccess === undefined ? 'never' : `${formatSpan(now - lastSuccess)} ago`}`;
  return { ...base, state: problems.length ? 'problem' : 'ok', problems, summary };
}

/** A Job outside any CronJob that failed within the window. */
export function failedJob(job: JobShape, failedWithin: number, now: number): string | undefined {
  if (job.metadata?.ownerReferences?.some((o) => o.kind === 'CronJob')) return undefined;
  const end = jobFinished(job);
  if (!end || end.outcome !== 'failed' || end.at < now - failedWithin) return undefined;
  return `Job ${job.metadata?.namespace}/${job.metadata?.name} failed ${formatSpan(now - end.at)} ago: ${end.reason ?? 'Failed'}${end.message ? ` — ${end.message}` : ''}`;
}
