// Kubernetes through @kubernetes/client-node: a kubeconfig file and context,
// or the pod's service account. Events are held by a list-and-watch per
// namespace (kube-watch.ts), so a run reads memory instead of listing the
// cluster's events; pods, CronJobs and Jobs are listed in pages when a check
// runs. The judgement is in evaluation/kubernetes.ts. Credentials stay inside
// the client: errors are rebuilt from status codes and the server's message,
// and any token or key that still shows up is removed. Every answer is bounded
// (boundedHttp): in size, and in time over the whole exchange; so is each line
// of a watch stream.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { request as httpRequest, STATUS_CODES, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { CheckSpec, ConnectorSpec } from '../config/model.js';
import { redactSecrets } from '../config/env.js';
import { cronCanFire, parseCron } from '../evaluation/cron.js';
import {
  containerTimeline,
  eventRecord,
  eventSelected,
  failedJob,
  formatSpan,
  groupEvents,
  judgeCronJob,
  LAYER_NAMES,
  podConditions,
  podProblems,
  rootLayer,
  type CronJobJudgement,
  type CronJobShape,
  type EventRecord,
  type JobShape,
  type ObjectMeta,
  type PodShape,
} from '../evaluation/kubernetes.js';
import { parseLabelSelector, selectorMatches, type Requirement } from '../evaluation/label-selector.js';
import type { Measurement } from '../evaluation/types.js';
import { formatBytes, LineSplitter, ListWatch, type ListPage, type ListWatchOptions, type ListWatchSource, type WatchHandle } from './kube-watch.js';
import { CollectError, type CollectRequest, type Connector, type ConnectorFactory } from './types.js';

type KubeSpec = Extract<ConnectorSpec, { type: 'kubernetes' }>;
type KubeEventsCheck = Extract<CheckSpec, { type: 'kubeEvents' }>;
type PodHealthCheck = Extract<CheckSpec, { type: 'podHealth' }>;
type CronJobsCheck = Extract<CheckSpec, { type: 'cronJobs' }>;

const PAGE = 500;
/**
 * The largest API answer read. A page of 500 pods is a few MB (an object is
 * at most ~1.5 MB, etcd's limit); far more is a broken or hostile server, and
 * holding then parsing it would exhaust the worker.
 */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** The longest line of a watch stream: one event object. */
export const MAX_WATCH_LINE_BYTES = 16 * 1024 * 1024;
/** Objects read one by one for an events check (labels, container states), at most. */
const MAX_LOOKUPS = 100;
/** Where the API version of an involved object's kind is known, its labels can be read. */
const KIND_API: Record<string, string> = {
  Pod: 'v1',
  Node: 'v1',
  PersistentVolumeClaim: 'v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
  ReplicaSet: 'apps/v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
};

/** The kubeconfig file a connector reads when it names none: $KUBECONFIG's first entry, then ~/.kube/config. */
/** The HTTP status of a failed API call and the message of the Status the server sent, cut to 500 characters. */
export function apiStatus(err: unknown): { status?: number; serverMessage: string } {
  const e = err as { code?: number | string; statusCode?: number; body?: unknown };
  const status = typeof e.code === 'number' ? e.code : e.statusCode;
  try {
    const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
    // A Status message is a sentence; the cut keeps a hostile one out of messages and history.
    return { status, serverMessage: String((body as { message?: string })?.message ?? '').slice(0, 500) };
  } catch {
    return { status, serverMessage: '' };
  }
}

export function defaultKubeconfig(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.KUBECONFIG?.split(':').find((p) => p.trim() !== '');
  return fromEnv ?? join(homedir(), '.kube', 'config');
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

class KubernetesConnector implements Connector {
  private kc?: k8s.KubeConfig;
  private secrets: string[] = [];
  private readonly watches = new Map<string, ListWatch<EventRecord>>();

  constructor(
    private readonly id: string,
    private readonly spec: KubeSpec,
  ) {}

  private fail(message: string): CollectError {
    return new CollectError(redactSecrets(`kubernetes connector "${this.id}": ${message}`, this.secrets));
  }

  /** The client configuration, loaded once; every way it can be unusable has its own message. */
  private config(): k8s.KubeConfig {
    if (this.kc) return this.kc;
    const kc = new k8s.KubeConfig();
    if (this.spec.inCluster) {
      if (!process.env.KUBERNETES_SERVICE_HOST) throw this.fail('inCluster is set but this process does not run in a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set)');
      // Where the service account is mounted: /var/run/secrets/kubernetes.io/serviceaccount, under this root.
      const root = process.env.PIPEWATCH_K8S_SA_ROOT ?? '';
      const tokenFile = `${root}/var/run/secrets/kubernetes.io/serviceaccount/token`;
      let token: string;
      try {
        token = readFileSync(tokenFile, 'utf8').trim();
      } catch (err) {
        throw this.fail(`cannot read the service account token ${tokenFile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      // The client re-reads the token file for each request, so rotated tokens are picked up.
      kc.loadFromCluster(root);
      this.secrets = [token];
      this.kc = kc;
      return kc;
    } else {
      const file = resolve(expandHome(this.spec.kubeconfig ?? defaultKubeconfig()));
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw this.fail(`cannot read kubeconfig ${file} (${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code ?? (err as Error).message})`);
      }
      try {
        kc.loadFromString(text, { onInvalidEntry: 'filter' as never });
      } catch (err) {
        throw this.fail(`kubeconfig ${file} is not a valid kubeconfig: ${(err as Error).message.split('\n')[0]}`);
      }
      if (this.spec.context) {
        if (!kc.getContextObject(this.spec.context)) {
          throw this.fail(`kubeconfig ${file} has no context "${this.spec.context}"; it has: ${kc.getContexts().map((c) => c.name).join(', ') || '(none)'}`);
        }
        kc.setCurrentContext(this.spec.context);
      }
      if (!kc.getCurrentCluster()) throw this.fail(`kubeconfig ${file}: context "${kc.getCurrentContext() || '(none)'}" names no cluster`);
    }
    const user = kc.getCurrentUser() as (k8s.User & { authProvider?: { config?: Record<string, string> } }) | null;
    this.secrets = [user?.token, user?.password, user?.keyData, user?.authProvider?.config?.['access-token'], user?.authProvider?.config?.['id-token']].filter(
      (s): s is string => typeof s === 'string' && s.length >= 4,
    );
    this.kc = kc;
    return kc;
  }

  private server(): string {
    return this.config().getCurrentCluster()?.server ?? '(no server)';
  }

  /** A failed API call as an operator reads it: what was asked, what the server said, what to do. */
  private apiFailure(err: unknown, what: string): CollectError {
    if (err instanceof CollectError) return err;
    if (err instanceof AnswerLimitError) return this.fail(`${what}: ${err.message}`);
    // The generated client parses a 2xx answer before anything else looks at it.
    if (err instanceof SyntaxError) return this.fail(`${what}: the API server's answer is not valid JSON`);
    const e = err as { code?: number | string; message?: string; cause?: { code?: string } };
    const { status, serverMessage } = apiStatus(err);
    if (status === 401) return this.fail(`${what}: the API server refused the credentials (401 Unauthorized): the token or certificate is invalid or has expired`);
    if (status === 403) return this.fail(`${what}: forbidden (403): ${serverMessage || 'RBAC denies it'}; grant get, list and watch on it to the credentials pipewatch uses`);
    if (status === 404) return this.fail(`${what}: not found (404)${serverMessage ? `: ${serverMessage}` : ''}`);
    if (status !== undefined) return this.fail(`${what}: the API server answered ${status}${serverMessage ? `: ${serverMessage}` : ''}`);
    const code = e.cause?.code ?? (typeof e.code === 'string' ? e.code : undefined);
    const text = (e.message ?? String(err)).split('\n')[0]!;
    return this.fail(`${what}: cannot reach the API server at ${this.server()} (${code ?? text})`);
  }

  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.fail(`${what}: no answer from ${this.server()} within ${formatSpan(this.spec.requestTimeout)}`)), this.spec.requestTimeout);
    });
    try {
      return await Promise.race([request(), timeout]);
    } catch (err) {
      throw this.apiFailure(err, what);
    } finally {
      clearTimeout(timer);
    }
  }

  private core(): k8s.CoreV1Api {
    return boundedApiClient(this.config(), k8s.CoreV1Api, this.spec.requestTimeout);
  }

  private batch(): k8s.BatchV1Api {
    return boundedApiClient(this.config(), k8s.BatchV1Api, this.spec.requestTimeout);
  }

  /** Every item of a paged list, page by page (limit + continue), handed to `each` so pages need not be held together. */
  private async listAll<T>(
    what: string,
    page: (cont: string | undefined) => Promise<{ items: T[]; metadata?: { _continue?: string } }>,
    each: (items: T[]) => void,
  ): Promise<void> {
    let cont: string | undefined;
    do {
      const result = await this.call(what, () => page(cont));
      // A 200 with text, or JSON of another shape, deserializes to something without items.
      if (!Array.isArray(result?.items)) throw this.fail(`${what}: the API server's answer is not a list`);
      each(result.items);
      cont = result.metadata?._continue || undefined;
    } while (cont);
  }

  // ------------------------------------------------------------- events

  /** The list-and-watch of Warning (or all) events in a namespace, started on first use and kept. */
  private eventWatch(namespace: string | undefined, fieldSelector: string | undefined): ListWatch<EventRecord> {
    const key = `${namespace ?? '*'}|${fieldSelector ?? ''}`;
    const existing = this.watches.get(key);
    if (existing) return existing;
    const source = eventSource(this.config(), { namespace, fieldSelector, requestTimeout: this.spec.requestTimeout }, (what, request) => this.call(what, request));
    const watch = watchEvents(source, { namespace, max: this.spec.maxEvents });
    this.watches.set(key, watch);
    return watch;
  }

  /** Events of the check's namespace: from the watch when it streams, else from a fresh list. */
  private async events(check: KubeEventsCheck): Promise<{ events: EventRecord[]; via: string }> {
    const types = check.types;
    const fieldSelector = types.length === 1 ? `type=${types[0]}` : undefined;
    const watch = this.eventWatch(check.namespace, fieldSelector);
    try {
      await watch.ready;
    } catch (err) {
      // The first list failed (RBAC, credentials, network): forget it so the next run tries again.
      this.watches.delete(`${check.namespace ?? '*'}|${fieldSelector ?? ''}`);
      watch.stop();
      throw this.apiFailure(err, check.namespace ? `listing events in namespace ${check.namespace}` : 'listing events in all namespaces');
    }
    if (watch.connected) return { events: watch.items(), via: 'watch' };
    // The watch is reconnecting: what it holds may be stale, so ask the server now.
    const events: EventRecord[] = [];
    const core = this.core();
    const where = check.namespace ? `events in namespace ${check.namespace}` : 'events in all namespaces';
    await this.listAll(
      `listing ${where} (the watch is down: ${watch.lastError ?? 'reconnecting'})`,
      (cont) =>
        check.namespace
          ? core.listNamespacedEvent({ namespace: check.namespace, fieldSelector, limit: PAGE, _continue: cont })
          : core.listEventForAllNamespaces({ fieldSelector, limit: PAGE, _continue: cont }),
      (items) => items.forEach((e) => events.push(eventRecord(e)!)),
    );
    return { events: events.filter(Boolean), via: 'list' };
  }

  /** Reads the objects events refer to (labels, container states), each once, at most MAX_LOOKUPS. */
  private async involvedObjects(events: EventRecord[]): Promise<Map<string, { meta?: ObjectMeta; pod?: PodShape } | null>> {
    const objects = new Map<string, { meta?: ObjectMeta; pod?: PodShape } | null>();
    const wanted = [...new Map(events.map((e) => [`${e.involved.kind}/${e.involved.namespace}/${e.involved.name}`, e.involved])).values()].slice(0, MAX_LOOKUPS);
    // Every read names its namespace (Nodes have none), so the context's default namespace is not needed.
    const generic = boundedApiClient(this.config(), k8s.KubernetesObjectApi, this.spec.requestTimeout);
    const queue = [...wanted];
    const worker = async () => {
      for (let o = queue.shift(); o; o = queue.shift()) {
        const key = `${o.kind}/${o.namespace}/${o.name}`;
        const apiVersion = KIND_API[o.kind];
        if (!apiVersion) continue;
        try {
          const found = await this.call(`reading ${o.kind} ${o.namespace}/${o.name}`, () =>
            generic.read({ apiVersion, kind: o.kind, metadata: { name: o.name, ...(o.kind === 'Node' ? {} : { namespace: o.namespace }) } }),
          );
          objects.set(key, { meta: found.metadata as ObjectMeta, pod: o.kind === 'Pod' ? (found as PodShape) : undefined });
        } catch (err) {
          // Gone since the event (a deleted pod): grouped by name; anything else is a real failure.
          if (/not found \(404\)/.test((err as Error).message)) objects.set(key, null);
          else throw err;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    return objects;
  }

  private async collectEvents(check: KubeEventsCheck, at: Date): Promise<Measurement> {
    const now = at.getTime();
    const { events, via } = await this.events(check);
    const filter = { kinds: check.kinds, names: check.names, reasons: check.reasons, types: check.types, window: check.window };
    let selected = events.filter((e) => eventSelected(e, filter, now) && (!check.namespace || e.namespace === check.namespace));
    const objects = await this.involvedObjects(selected);
    const objectOf = (e: EventRecord) => objects.get(`${e.involved.kind}/${e.involved.namespace}/${e.involved.name}`) ?? undefined;
    let unknownObjects = 0;
    if (check.labels) {
      const requirements = parseLabelSelector(check.labels) as Requirement[];
      selected = selected.filter((e) => {
        const o = objectOf(e);
        if (!o) unknownObjects++;
        return o !== undefined && selectorMatches(requirements, o.meta?.labels);
      });
    }
    const groups = groupEvents(selected, objectOf, check.groupBy);
    const occurrences = groups.reduce((n, g) => n + g.occurrences, 0);
    const details: Record<string, string | number | boolean | null> = {
      scope: `${check.namespace ? `namespace ${check.namespace}` : 'all namespaces'}${check.labels ? `, labels ${check.labels}` : ''}`,
      window: formatSpan(check.window),
      events: selected.length,
      applications: groups.length,
      via,
    };
    if (unknownObjects) details.skipped = `${unknownObjects} event(s) about objects that are gone, so their labels are unknown`;
    const layer = rootLayer(groups.map((g) => g.layer));
    if (layer) details.layer = LAYER_NAMES[layer];
    for (const g of groups.slice(0, 10)) {
      const reasons = Object.entries(g.reasons)
        .sort((a, b) => b[1] - a[1])
        .map(([r, n]) => `${r} ×${n}`)
        .join(', ');
      details[`app ${g.app}`] = `${LAYER_NAMES[g.layer]} layer — ${reasons} on ${g.objects.join(', ')} · ${g.evidence.join(' · ')}`;
    }
    if (groups.length) {
      details.summary = groups
        .slice(0, 3)
        .map((g) => `${g.app}: ${LAYER_NAMES[g.layer]} layer (${Object.entries(g.reasons).sort((a, b) => b[1] - a[1]).map(([r]) => r).join(', ')})`)
        .join('; ');
    }
    return { value: occurrences, unit: 'count', observedAt: at.toISOString(), details };
  }

  // --------------------------------------------------------- pod health

  private async collectPods(check: PodHealthCheck, at: Date, request: CollectRequest): Promise<Measurement> {
    const now = at.getTime();
    const core = this.core();
    const settings = { groupBy: check.groupBy, crashLoopFor: check.crashLoopFor, imagePullFor: check.imagePullFor, oomWithin: check.oomWithin, restarts: check.restarts, stuck: check.stuck };
    const conditions: ReturnType<typeof podConditions>['conditions'] = [];
    const counters: ReturnType<typeof podConditions>['counters'] = [];
    // Only pods with something to show are kept for the timeline.
    const interesting = new Map<string, PodShape[]>();
    let pods = 0;
    const where = check.namespace ? `pods in namespace ${check.namespace}` : 'pods in all namespaces';
    await this.listAll(
      `listing ${where}`,
      (cont) =>
        check.namespace
          ? core.listNamespacedPod({ namespace: check.namespace, labelSelector: check.labels, limit: PAGE, _continue: cont })
          : core.listPodForAllNamespaces({ labelSelector: check.labels, limit: PAGE, _continue: cont }),
      (items) => {
        pods += items.length;
        const found = podConditions(items as PodShape[], settings, now);
        conditions.push(...found.conditions);
        counters.push(...found.counters);
        for (const pod of items as PodShape[]) {
          const restarted = (pod.status?.containerStatuses ?? []).some((c) => c.restartCount > 0);
          const hasCondition = found.conditions.some((c) => c.pod === `${pod.metadata?.namespace}/${pod.metadata?.name}`);
          if (!restarted && !hasCondition) continue;
          const app = found.conditions.find((c) => c.pod === `${pod.metadata?.namespace}/${pod.metadata?.name}`)?.app ?? found.counters.find((c) => c.pod === `${pod.metadata?.namespace}/${pod.metadata?.name}`)?.app;
          if (!app) continue;
          const list = interesting.get(app) ?? [];
          if (list.length < 20) list.push(pod);
          interesting.set(app, list);
        }
      },
    );

    let since = new Map<string, Date>();
    let baselines = new Map<string, { at: Date; value: number }>();
    if (request.store && request.monitorId) {
      const tracked = conditions.filter((c) => c.kind !== 'OOMKilled');
      since = await request.store.observeConditions(request.monitorId, tracked.map((c) => ({ key: c.key, since: c.since === undefined ? undefined : new Date(c.since) })), at);
      baselines = await request.store.sampleCounters(request.monitorId, counters.map((c) => ({ key: c.key, value: c.value })), at, check.restarts.window);
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
    if (!request.store) details.note = 'how long a condition has held is known only from the pods themselves here (no history store)';
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
        .map(([app, list]) => `${app}: ${[...new Set(list.map((p) => p.kind))].join(', ')} (${LAYER_NAMES[rootLayer(list.map((p) => p.layer))!]} layer)`)
        .join('; ');
    }
    return { value: problems.length, unit: 'count', observedAt: at.toISOString(), details };
  }

  // ------------------------------------------------------------ CronJobs

  private async collectCronJobs(check: CronJobsCheck, at: Date): Promise<Measurement> {
    const now = at.getTime();
    const batch = this.batch();
    const where = check.namespace ? `in namespace ${check.namespace}` : 'in all namespaces';
    const requirements = check.labels ? (parseLabelSelector(check.labels) as Requirement[]) : [];

    const live = new Map<string, CronJobShape>();
    await this.listAll(
      `listing CronJobs ${where}`,
      (cont) =>
        check.namespace
          ? batch.listNamespacedCronJob({ namespace: check.namespace, labelSelector: check.labels, limit: PAGE, _continue: cont })
          : batch.listCronJobForAllNamespaces({ labelSelector: check.labels, limit: PAGE, _continue: cont }),
      (items) => items.forEach((c) => live.set(`${c.metadata?.namespace}/${c.metadata?.name}`, c as CronJobShape)),
    );

    // The CronJobs to judge: those declared in manifests (schedules from the files, runs from the cluster), or the live ones.
    const drift: string[] = [];
    let judged: CronJobShape[];
    if (check.manifests) {
      const declared = readCronJobManifests(check.manifests, check.namespace ?? 'default');
      judged = [];
      for (const m of declared) {
        if (check.namespace && m.metadata?.namespace !== check.namespace) continue;
        if (check.labels && !selectorMatches(requirements, m.metadata?.labels)) continue;
        const key = `${m.metadata?.namespace}/${m.metadata?.name}`;
        let deployed = live.get(key);
        if (!deployed && check.labels) {
          // Labels in the manifest may differ from the cluster's: look it up by name.
          deployed = await this.call(`reading CronJob ${key}`, () => batch.readNamespacedCronJob({ name: m.metadata!.name!, namespace: m.metadata!.namespace! })).catch((err: Error) => {
            if (/not found \(404\)/.test(err.message)) return undefined;
            throw err;
          });
        }
        if (deployed && (deployed.spec?.schedule !== m.spec?.schedule || (deployed.spec?.timeZone ?? '') !== (m.spec?.timeZone ?? '') || !!deployed.spec?.suspend !== !!m.spec?.suspend)) {
          drift.push(`${key}: the cluster runs "${deployed.spec?.schedule}${deployed.spec?.timeZone ? ` ${deployed.spec.timeZone}` : ''}${deployed.spec?.suspend ? ' (suspended)' : ''}", the manifest says "${m.spec?.schedule}${m.spec?.timeZone ? ` ${m.spec.timeZone}` : ''}${m.spec?.suspend ? ' (suspended)' : ''}"`);
        }
        judged.push({
          metadata: { ...m.metadata, creationTimestamp: deployed?.metadata?.creationTimestamp },
          spec: m.spec,
          status: deployed?.status ?? {},
          ...(deployed ? {} : { notDeployed: true }),
        } as CronJobShape);
      }
    } else {
      judged = [...live.values()];
    }
    if (check.names) judged = judged.filter((c) => check.names!.includes(c.metadata?.name ?? ''));

    // One list of Jobs for the whole scope (a namespace, or all), not one per CronJob.
    const jobs: JobShape[] = [];
    const judgedKeys = new Set(judged.map((c) => `${c.metadata?.namespace}/${c.metadata?.name}`));
    const namespaces = check.namespace ? [check.namespace] : undefined;
    await this.listAll(
      `listing Jobs ${where}`,
      (cont) =>
        namespaces
          ? batch.listNamespacedJob({ namespace: namespaces[0]!, limit: PAGE, _continue: cont })
          : batch.listJobForAllNamespaces({ limit: PAGE, _continue: cont }),
      (items) => {
        for (const j of items as JobShape[]) {
          const owner = j.metadata?.ownerReferences?.find((o) => o.kind === 'CronJob');
          const ours = owner ? judgedKeys.has(`${j.metadata?.namespace}/${owner.name}`) : !check.names && selectorMatches(requirements, j.metadata?.labels);
          if (ours) jobs.push(j);
        }
      },
    );

    const settings = { grace: check.grace, successWithin: check.successWithin, failedWithin: check.failedWithin, slowerThan: check.slowerThan, maxDuration: check.maxDuration };
    const judgements: CronJobJudgement[] = judged.map((c) => {
      const j = judgeCronJob(c, jobs, settings, now);
      if ((c as { notDeployed?: boolean }).notDeployed && j.state !== 'suspended') {
        return { ...j, state: 'problem', problems: [`declared in ${check.manifests} but not in the cluster, so it never runs`, ...j.problems.filter((p) => !p.startsWith('no success'))] };
      }
      return j;
    });
    const standalone = jobs.map((j) => failedJob(j, check.failedWithin, now)).filter((x): x is string => x !== undefined);

    const problems = judgements.filter((j) => j.state === 'problem');
    const suspended = judgements.filter((j) => j.state === 'suspended');
    // A CronJob this worker cannot judge is said so on its own; the others are still judged. Only when none could be is the whole check "could not check".
    const unchecked = judgements.filter((j) => j.state === 'unchecked');
    if (unchecked.length > 0 && unchecked.length === judgements.length && standaloneCount(jobs, check.failedWithin, now) === 0) {
      throw new CollectError(unchecked.map((j) => `CronJob ${j.namespace}/${j.name}: ${j.problems[0]}`).slice(0, 5).join('; '));
    }
    const details: Record<string, string | number | boolean | null> = {
      scope: `${check.namespace ? `namespace ${check.namespace}` : 'all namespaces'}${check.labels ? `, labels ${check.labels}` : ''}${check.manifests ? `, schedules from ${check.manifests}` : ''}`,
      cronJobs: judgements.length,
      problems: problems.length + standalone.length,
      suspended: suspended.length ? suspended.map((j) => `${j.namespace}/${j.name}`).join(', ') : null,
      unchecked: unchecked.length ? unchecked.map((j) => `${j.namespace}/${j.name}`).join(', ') : null,
    };
    for (const j of problems.slice(0, 15)) details[`cronjob ${j.namespace}/${j.name}`] = `${j.problems.join('; ')} — ${j.summary}`;
    for (const j of suspended.slice(0, 15)) details[`cronjob ${j.namespace}/${j.name}`] = j.summary;
    for (const j of unchecked.slice(0, 15)) details[`cronjob ${j.namespace}/${j.name}`] = `${j.problems[0]} — ${j.summary}`;
    standalone.slice(0, 10).forEach((text, i) => (details[`job ${i + 1}`] = text));
    if (drift.length) details.drift = drift.slice(0, 10).join('; ');
    if (problems.length || standalone.length) {
      details.summary = [...problems.map((j) => `${j.name}: ${j.problems[0]}`), ...standalone].slice(0, 3).join('; ');
    }
    return { value: problems.length + standalone.length, unit: 'count', observedAt: at.toISOString(), details };
  }

  // ------------------------------------------------------------------------

  async collect(request: CollectRequest): Promise<Measurement> {
    const { check, at } = request;
    switch (check.type) {
      case 'kubeEvents':
        return this.collectEvents(check, at);
      case 'podHealth':
        return this.collectPods(check, at, request);
      case 'cronJobs':
        return this.collectCronJobs(check, at);
      default:
        throw this.fail(`cannot run a ${check.type} check`);
    }
  }

  async ping(): Promise<void> {
    const kc = this.config();
    await this.call('reading the API server version', () => boundedApiClient(kc, k8s.VersionApi, this.spec.requestTimeout).getCode());
  }

  async close(): Promise<void> {
    for (const w of this.watches.values()) w.stop();
    this.watches.clear();
  }
}

// ------------------------------------------------------------ event watches

/** core/v1 events of a namespace (or all), listed in pages and watched from a resourceVersion. */
export function eventSource(
  kc: k8s.KubeConfig,
  scope: { namespace?: string; fieldSelector?: string; requestTimeout?: number },
  call: <T>(what: string, request: () => Promise<T>) => Promise<T> = (_what, request) => request(),
): ListWatchSource {
  const { namespace, fieldSelector } = scope;
  const requestTimeout = scope.requestTimeout ?? 30_000;
  const core = boundedApiClient(kc, k8s.CoreV1Api, requestTimeout);
  const where = namespace ? `events in namespace ${namespace}` : 'events in all namespaces';
  return {
    async list(cont, limit): Promise<ListPage> {
      const r = await call(`listing ${where}`, () =>
        namespace ? core.listNamespacedEvent({ namespace, fieldSelector, limit, _continue: cont }) : core.listEventForAllNamespaces({ fieldSelector, limit, _continue: cont }),
      );
      return { items: r.items, resourceVersion: r.metadata?.resourceVersion ?? '', continue: r.metadata?._continue };
    },
    async watch(resourceVersion, onEvent, done): Promise<WatchHandle> {
      const path = namespace ? `/api/v1/namespaces/${encodeURIComponent(namespace)}/events` : '/api/v1/events';
      // The server ends each watch after a few minutes; it is resumed from the last version seen.
      const params = { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 240 + Math.floor(Math.random() * 120), ...(fieldSelector ? { fieldSelector } : {}) };
      return watchStream(kc, path, params, { what: `the watch of ${where}`, requestTimeout }, onEvent, done);
    },
  };
}

// ------------------------------------------------------------ bounded HTTP

/** An answer refused for its size or its slowness; the message is meant for the operator. */
class AnswerLimitError extends Error {}

function flatHeaders(response: IncomingMessage): Record<string, string> {
  return Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : String(v ?? '')]));
}

/** Sends what the generated client prepared (URL, headers, the agent carrying TLS and credentials); calls `onResponse` with the answer's head. */
function sendRequest(request: k8s.RequestContext, onResponse: (response: IncomingMessage) => void, onError: (err: Error) => void): { destroy(): void } {
  const url = new URL(request.getUrl());
  const body = request.getBody();
  const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method: request.getHttpMethod(), headers: request.getHeaders(), agent: request.getAgent() }, onResponse);
  req.on('error', onError);
  req.end(typeof body === 'string' ? body : undefined);
  return { destroy: () => req.destroy() };
}

/**
 * The generated client's transport (node-fetch) reads any answer whole and
 * keeps reading after the caller gave up. This one stops at
 * MAX_RESPONSE_BYTES and at the request timeout, closing the connection.
 */
function boundedHttp(timeoutMs: number): k8s.PromiseHttpLibrary {
  return {
    send: (request) =>
      new Promise((resolve, reject) => {
        let settled = false;
        let received = 0;
        let answered = false;
        const settle = (err: Error | undefined, response?: k8s.ResponseContext) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (err) {
            exchange.destroy();
            reject(err);
          } else resolve(response!);
        };
        const timer = setTimeout(
          () => settle(new AnswerLimitError(answered ? `the answer did not end within ${formatSpan(timeoutMs)} (${formatBytes(received)} received)` : `no answer within ${formatSpan(timeoutMs)}`)),
          timeoutMs,
        );
        const tooLarge = () => new AnswerLimitError(`the API server's answer is larger than ${formatBytes(MAX_RESPONSE_BYTES)} (the limit), so it was not read`);
        const exchange = sendRequest(
          request,
          (response) => {
            answered = true;
            if (Number(response.headers['content-length']) > MAX_RESPONSE_BYTES) return settle(tooLarge());
            // Every API pipewatch calls answers JSON; the generated client would read HTML from a proxy as an empty object.
            const type = response.headers['content-type'] ?? '';
            if ((response.statusCode ?? 0) < 300 && !/json/i.test(type)) {
              return settle(new AnswerLimitError(`the API server answered with ${type.split(';')[0] || 'no content type'} instead of JSON`));
            }
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => {
              received += chunk.length;
              if (received > MAX_RESPONSE_BYTES) return settle(tooLarge());
              chunks.push(chunk);
            });
            response.on('end', () => {
              const body = Buffer.concat(chunks);
              settle(undefined, new k8s.ResponseContext(response.statusCode ?? 0, flatHeaders(response), { text: async () => body.toString('utf8'), binary: async () => body }));
            });
            response.on('error', (err) => settle(err));
          },
          (err) => settle(err),
        );
        request.getSignal()?.addEventListener('abort', () => settle(new AnswerLimitError('the request was cancelled')));
      }),
  };
}

/** An API client of the given type whose every answer is bounded (boundedHttp). */
export function boundedApiClient<T>(kc: k8s.KubeConfig, type: new (configuration: k8s.Configuration) => T, timeoutMs: number): T {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig names no current cluster');
  return new type(
    k8s.createConfiguration({
      baseServer: new k8s.ServerConfiguration(cluster.server, {}),
      authMethods: { default: kc },
      httpApi: k8s.wrapHttpLibrary(boundedHttp(timeoutMs)),
    }),
  );
}

/**
 * A watch stream, read line by line with each line bounded (LineSplitter):
 * the client library's Watch keeps an unfinished line without limit and skips
 * lines that are not JSON, so a broken stream would grow or go silently deaf.
 * Here either ends the stream with an error; the ListWatch then retries.
 */
async function watchStream(
  kc: k8s.KubeConfig,
  path: string,
  params: Record<string, string | number | boolean>,
  options: { what: string; requestTimeout: number },
  onEvent: (type: string, object: unknown) => void,
  done: (err?: unknown) => void,
): Promise<WatchHandle> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig names no current cluster');
  const url = new URL(cluster.server + path);
  url.searchParams.set('watch', 'true');
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, String(value));
  const request = new k8s.RequestContext(url.toString(), k8s.HttpMethod.GET);
  await kc.applySecurityAuthentication(request);
  // Settles once the stream is open (a 200 head) or has failed (done was called first), as the client's Watch does.
  return new Promise((resolve) => {
    let ended = false;
    const handle: WatchHandle = { abort: () => end() };
    const end = (err?: unknown) => {
      clearTimeout(headTimer);
      if (ended) return;
      ended = true;
      exchange.destroy();
      done(err);
      resolve(handle);
    };
    // Only the head is timed: a healthy watch then streams for minutes.
    const headTimer = setTimeout(() => end(new Error(`${options.what}: no answer within ${formatSpan(options.requestTimeout)}`)), options.requestTimeout);
    const exchange = sendRequest(
      request,
      (response) => {
        clearTimeout(headTimer);
        if (response.statusCode !== 200) {
          response.resume();
          return end(Object.assign(new Error(STATUS_CODES[response.statusCode ?? 0] ?? 'error'), { statusCode: response.statusCode }));
        }
        resolve(handle);
        const lines = new LineSplitter(MAX_WATCH_LINE_BYTES);
        response.on('data', (chunk: Buffer) => {
          if (ended) return;
          let complete: string[];
          try {
            complete = lines.push(chunk);
          } catch (err) {
            return end(new Error(`${options.what}: ${(err as Error).message}`));
          }
          for (const line of complete) {
            let event: { type?: unknown; object?: unknown };
            try {
              event = JSON.parse(line) as typeof event;
            } catch {
              return end(new Error(`${options.what}: the watch stream sent a line that is not JSON`));
            }
            if (typeof event?.type !== 'string') return end(new Error(`${options.what}: the watch stream sent a line that is not a watch event`));
            onEvent(event.type, event.object);
            if (ended) return;
          }
        });
        response.on('end', () => end());
        response.on('close', () => end());
        response.on('error', (err) => end(err));
      },
      (err) => end(err),
    );
  });
}

/** Holds the events of a source in compact form, at most `max`, kept current by list and watch. */
export function watchEvents(source: ListWatchSource, options: { namespace?: string; max: number; onChange?: ListWatchOptions<EventRecord>['onChange'] }): ListWatch<EventRecord> {
  return new ListWatch<EventRecord>(source, {
    key: (e) => e.uid,
    version: (e) => e.resourceVersion,
    keep: (raw) => eventRecord(raw as k8s.CoreV1Event),
    max: options.max,
    what: options.namespace ? `events in namespace ${options.namespace}` : 'events in all namespaces',
    onChange: options.onChange,
  });
}

// ---------------------------------------------------------------- manifests

function manifestFiles(pattern: string): string[] {
  const path = resolve(pattern);
  if (!path.includes('*')) {
    if (!existsSync(path)) throw new CollectError(`manifests ${pattern}: no such file or directory`);
    if (statSync(path).isDirectory()) {
      return readdirSync(path)
        .filter((f) => /\.ya?ml$/i.test(f))
        .sort()
        .map((f) => join(path, f));
    }
    return [path];
  }
  const dir = dirname(path);
  const re = new RegExp(`^${basename(path).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  if (!existsSync(dir)) throw new CollectError(`manifests ${pattern}: no such directory ${dir}`);
  return readdirSync(dir)
    .filter((f) => re.test(f))
    .sort()
    .map((f) => join(dir, f));
}

function standaloneCount(jobs: JobShape[], failedWithin: number, now: number): number {
  return jobs.filter((j) => failedJob(j, failedWithin, now) !== undefined).length;
}

/**
 * The CronJobs declared in YAML manifests: multi-document files, List kinds,
 * rendered Helm output. A malformed document or an invalid schedule or time
 * zone is an error naming the file and document: never a silent pass.
 */
export function readCronJobManifests(pattern: string, defaultNamespace: string): CronJobShape[] {
  const files = manifestFiles(pattern);
  if (files.length === 0) throw new CollectError(`manifests ${pattern}: no YAML files match`);
  const out: CronJobShape[] = [];
  for (const file of files) {
    const docs = parseAllDocuments(readFileSync(file, 'utf8'));
    const list = Array.isArray(docs) ? docs : [docs];
    list.forEach((doc, i) => {
      const where = `${file}, document ${i + 1}`;
      if (doc.errors.length) throw new CollectError(`${where}: not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
      const value = doc.toJS() as unknown;
      const objects = (value as { kind?: string; items?: unknown[] })?.kind === 'List' ? ((value as { items?: unknown[] }).items ?? []) : [value];
      for (const o of objects) {
        const obj = o as { kind?: string; metadata?: ObjectMeta; spec?: CronJobShape['spec'] } | null;
        if (!obj || obj.kind !== 'CronJob') continue;
        const name = obj.metadata?.name;
        if (!name) throw new CollectError(`${where}: a CronJob without metadata.name`);
        const schedule = obj.spec?.schedule;
        if (typeof schedule !== 'string') throw new CollectError(`${where}: CronJob ${name} has no spec.schedule`);
        const parsed = parseCron(schedule);
        if (typeof parsed === 'string') throw new CollectError(`${where}: CronJob ${name}: invalid schedule: ${parsed}`);
        // As the API server refuses a new CronJob with TZ= in its schedule, and the controller one that never fires.
        if (schedule.includes('TZ')) throw new CollectError(`${where}: CronJob ${name}: Kubernetes refuses TZ or CRON_TZ in a schedule; write spec.timeZone: ${parsed.zone ?? '<zone>'} instead`);
        if (!cronCanFire(parsed)) throw new CollectError(`${where}: CronJob ${name}: schedule "${schedule}" never fires (no selected month has that day)`);
        if (obj.spec?.timeZone) {
          try {
            new Intl.DateTimeFormat('en-US', { timeZone: obj.spec.timeZone });
          } catch {
            throw new CollectError(`${where}: CronJob ${name}: "${obj.spec.timeZone}" is not an IANA time zone`);
          }
        }
        out.push({ metadata: { ...obj.metadata, namespace: obj.metadata?.namespace ?? defaultNamespace }, spec: obj.spec });
      }
    });
  }
  return out;
}

export const kubernetesConnector: ConnectorFactory<'kubernetes'> = {
  type: 'kubernetes',
  create: (id, spec) => new KubernetesConnector(id, spec),
};
