// The vocabulary of the Kubernetes judgement, shared by its checks: the
// layers a failure can sit at, the plain object shapes (a subset of the
// API's) the checks read, the application an object belongs to, and the layer
// an event or a container state points at. Pure, like everything in
// evaluation/kubernetes/: the connector (connectors/kubernetes/) fetches the
// objects and keeps state; these are functions of plain data, tested with
// fixtures and reused by `pipewatch run`.

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
  terminated?: {
    exitCode: number;
    reason?: string;
    message?: string;
    startedAt?: Date | string;
    finishedAt?: Date | string;
  };
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
    conditions?: Array<{
      type: string;
      status: string;
      reason?: string;
      message?: string;
      lastTransitionTime?: Date | string;
    }>;
    initContainerStatuses?: ContainerStatusShape[];
    containerStatuses?: ContainerStatusShape[];
  };
}

/** An API timestamp (a Date, or RFC 3339 text) in epoch milliseconds; undefined when absent or unreadable. */
export const ms = (t: Date | string | undefined | null): number | undefined => {
  if (t === undefined || t === null) return undefined;
  const v = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isNaN(v) ? undefined : v;
};
/** A time as the checks' messages print it: ISO 8601 without zero milliseconds, or "never". */
export const iso = (t: number | undefined) =>
  t === undefined ? 'never' : new Date(t).toISOString().replace('.000Z', 'Z');

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
  'NodeNotReady',
  'NodeNotSchedulable',
  'Rebooted',
  'NodeHasDiskPressure',
  'NodeHasInsufficientMemory',
  'NodeHasInsufficientPID',
  'EvictionThresholdMet',
  'SystemOOM',
  'ContainerGCFailed',
  'ImageGCFailed',
  'FreeDiskSpaceFailed',
  'NodeShutdown',
  'TaintManagerEviction',
  'KubeletSetupFailed',
  'InvalidDiskCapacity',
]);
export const IMAGE_REASONS = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InspectFailed',
  'ErrImageNeverPull',
  'InvalidImageName',
  'RegistryUnavailable',
]);
const POD_REASONS = new Set([
  'FailedMount',
  'FailedAttachVolume',
  'FailedMapVolume',
  'FailedCreatePodSandBox',
  'FailedPodSandBoxStatus',
  'FailedKillPod',
  'FailedSync',
  'NetworkNotReady',
  'FailedValidation',
  'CreateContainerConfigError',
  'CreateContainerError',
  'DeadlineExceeded',
  'BackoffLimitExceeded',
]);
const RESOURCE_REASONS = new Set([
  'FailedScheduling',
  'OOMKilling',
  'OOMKilled',
  'Preempted',
  'OutOfcpu',
  'OutOfmemory',
  'NodeAffinity',
  'ExceededGracePeriod',
]);

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
  if (
    POD_REASONS.has(reason) ||
    /configmap .* not found|secret .* not found|createcontainerconfigerror|volume/.test(message)
  )
    return 'pod';
  if (reason === 'FailedCreate') return 'pod';
  return 'container';
}

/** The layer a container's state points at, with the evidence for it. */
export function containerLayer(c: ContainerStatusShape): { layer: Layer; evidence: string } | undefined {
  const waiting = c.state?.waiting?.reason;
  const last = c.lastState?.terminated ?? c.state?.terminated;
  const lastText = last
    ? `last terminated ${last.reason ?? 'Error'} (exit code ${last.exitCode})${last.finishedAt ? ` at ${iso(ms(last.finishedAt))}` : ''}`
    : undefined;
  if (last?.reason === 'OOMKilled')
    return {
      layer: 'resources',
      evidence: `${c.name}: OOMKilled (exit code ${last.exitCode}) — over its memory limit`,
    };
  if (waiting && IMAGE_REASONS.has(waiting))
    return {
      layer: 'image',
      evidence: `${c.name}: ${waiting}${c.image ? ` for ${c.image}` : ''}${c.state?.waiting?.message ? ` — ${c.state.waiting.message}` : ''}`,
    };
  if (waiting === 'CreateContainerConfigError' || waiting === 'CreateContainerError') {
    return {
      layer: 'pod',
      evidence: `${c.name}: ${waiting}${c.state?.waiting?.message ? ` — ${c.state.waiting.message}` : ''}`,
    };
  }
  if (waiting === 'CrashLoopBackOff' || (last && last.exitCode !== 0)) {
    return {
      layer: 'container',
      evidence: `${c.name}: ${waiting ?? 'restarted'}, ${c.restartCount} restarts${lastText ? `, ${lastText}` : ''}`,
    };
  }
  return undefined;
}
