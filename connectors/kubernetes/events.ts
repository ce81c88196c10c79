// The kubeEvents check. Events are held by a list-and-watch per namespace and
// field selector (watch.ts), started on first use and kept, so a run reads
// memory instead of listing the cluster's events; while a watch reconnects,
// a run lists them afresh. The objects the events are about are read for
// their labels and container states. The judgement is in
// evaluation/kubernetes/events.ts.
import * as k8s from '@kubernetes/client-node';
import type { CheckSpec } from '../../config/model.js';
import {
  eventNode,
  eventRecord,
  eventSelected,
  groupEvents,
  type EventRecord,
} from '../../evaluation/kubernetes/events.js';
import { notReadyEventOver, type NodeReadiness } from '../../evaluation/kubernetes/nodes.js';
import {
  formatSpan,
  iso,
  LAYER_NAMES,
  rootLayer,
  type ObjectMeta,
  type PodShape,
} from '../../evaluation/kubernetes/shared.js';
import { parseLabelSelector, selectorMatches, type Requirement } from '../../evaluation/label-selector.js';
import type { Measurement } from '../../evaluation/types.js';
import { PAGE, type KubeClient } from './client.js';
import { readNodes } from './nodes.js';
import { boundedApiClient } from './transport.js';
import { watchStream } from './watch-stream.js';
import { ListWatch, type ListPage, type ListWatchOptions, type ListWatchSource, type WatchHandle } from './watch.js';

type KubeEventsCheck = Extract<CheckSpec, { type: 'kubeEvents' }>;

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

/** The kubeEvents check of one connector, with the event watches it keeps between runs. */
export class EventsCheck {
  private readonly watches = new Map<string, ListWatch<EventRecord>>();

  constructor(private readonly client: KubeClient) {}

  /** The list-and-watch of Warning (or all) events in a namespace, started on first use and kept. */
  private eventWatch(namespace: string | undefined, fieldSelector: string | undefined): ListWatch<EventRecord> {
    const key = `${namespace ?? '*'}|${fieldSelector ?? ''}`;
    const existing = this.watches.get(key);
    if (existing) return existing;
    const source = eventSource(
      this.client.config(),
      { namespace, fieldSelector, requestTimeout: this.client.spec.requestTimeout },
      (what, request) => this.client.call(what, request),
    );
    const watch = watchEvents(source, { namespace, max: this.client.spec.maxEvents });
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
      throw this.client.apiFailure(
        err,
        check.namespace ? `listing events in namespace ${check.namespace}` : 'listing events in all namespaces',
      );
    }
    if (watch.connected) return { events: watch.items(), via: 'watch' };
    // The watch is reconnecting: what it holds may be stale, so ask the server now.
    const events: EventRecord[] = [];
    const core = this.client.api(k8s.CoreV1Api);
    const where = check.namespace ? `events in namespace ${check.namespace}` : 'events in all namespaces';
    await this.client.listAll(
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
  private async involvedObjects(
    events: EventRecord[],
  ): Promise<Map<string, { meta?: ObjectMeta; pod?: PodShape } | null>> {
    const objects = new Map<string, { meta?: ObjectMeta; pod?: PodShape } | null>();
    const wanted = [
      ...new Map(
        events.map((e) => [`${e.involved.kind}/${e.involved.namespace}/${e.involved.name}`, e.involved]),
      ).values(),
    ].slice(0, MAX_LOOKUPS);
    // Every read names its namespace (Nodes have none), so the context's default namespace is not needed.
    const generic = this.client.api(k8s.KubernetesObjectApi);
    const queue = [...wanted];
    const worker = async () => {
      for (let o = queue.shift(); o; o = queue.shift()) {
        const key = `${o.kind}/${o.namespace}/${o.name}`;
        const apiVersion = KIND_API[o.kind];
        if (!apiVersion) continue;
        try {
          const found = await this.client.call(`reading ${o.kind} ${o.namespace}/${o.name}`, () =>
            generic.read({
              apiVersion,
              kind: o.kind,
              metadata: { name: o.name, ...(o.kind === 'Node' ? {} : { namespace: o.namespace }) },
            }),
          );
          objects.set(key, {
            meta: found.metadata as ObjectMeta,
            pod: o.kind === 'Pod' ? (found as PodShape) : undefined,
          });
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

  /** Runs a kubeEvents check: the occurrences of the selected events in the window, grouped by application in details. */
  async collect(check: KubeEventsCheck, at: Date): Promise<Measurement> {
    const now = at.getTime();
    const { events, via } = await this.events(check);
    const filter = {
      kinds: check.kinds,
      names: check.names,
      reasons: check.reasons,
      types: check.types,
      window: check.window,
    };
    let selected = events.filter(
      (e) => eventSelected(e, filter, now) && (!check.namespace || e.namespace === check.namespace),
    );
    const objects = await this.involvedObjects(selected);
    const objectOf = (e: EventRecord) =>
      objects.get(`${e.involved.kind}/${e.involved.namespace}/${e.involved.name}`) ?? undefined;
    let unknownObjects = 0;
    if (check.labels) {
      const requirements = parseLabelSelector(check.labels) as Requirement[];
      selected = selected.filter((e) => {
        const o = objectOf(e);
        if (!o) unknownObjects++;
        return o !== undefined && selectorMatches(requirements, o.meta?.labels);
      });
    }
    // NodeNotReady follows the node: an event about a node that has reported Ready since is over.
    const nodeNames = selected
      .filter((e) => e.reason === 'NodeNotReady')
      .map((e) => eventNode(e, objectOf(e)))
      .filter((n): n is string => !!n);
    const nodes = nodeNames.length
      ? await readNodes(this.client, nodeNames)
      : { readiness: new Map<string, NodeReadiness>(), unread: undefined };
    const over = selected.filter((e) => {
      const node = nodes.readiness.get(eventNode(e, objectOf(e)) ?? '');
      return node !== undefined && notReadyEventOver(e, node);
    });
    if (over.length) selected = selected.filter((e) => !over.includes(e));
    const groups = groupEvents(selected, objectOf, check.groupBy);
    const occurrences = groups.reduce((n, g) => n + g.occurrences, 0);
    const details: Record<string, string | number | boolean | null> = {
      scope: `${check.namespace ? `namespace ${check.namespace}` : 'all namespaces'}${check.labels ? `, labels ${check.labels}` : ''}`,
      window: formatSpan(check.window),
      events: selected.length,
      applications: groups.length,
      via,
    };
    if (over.length) {
      const back = [...new Set(over.map((e) => eventNode(e, objectOf(e))!))].map((n) => nodes.readiness.get(n)!);
      details.over = `${over.length} NodeNotReady event(s) left out: ${back.map((n) => `node ${n.node} is Ready again (reported ${iso(n.reportedAt)})`).join('; ')}`;
    }
    if (nodes.unread)
      details.nodes = `not all nodes were read (${nodes.unread}): NodeNotReady events count for their whole window`;
    if (unknownObjects)
      details.skipped = `${unknownObjects} event(s) about objects that are gone, so their labels are unknown`;
    const layer = rootLayer(groups.map((g) => g.layer));
    if (layer) details.layer = LAYER_NAMES[layer];
    for (const g of groups.slice(0, 10)) {
      const reasons = Object.entries(g.reasons)
        .sort((a, b) => b[1] - a[1])
        .map(([r, n]) => `${r} ×${n}`)
        .join(', ');
      const nodeState = g.nodes.map((n) => nodes.readiness.get(n)?.evidence).filter(Boolean);
      details[`app ${g.app}`] =
        `${LAYER_NAMES[g.layer]} layer — ${reasons} on ${g.objects.join(', ')} · ${[...g.evidence, ...nodeState].join(' · ')}`;
    }
    if (groups.length) {
      details.summary = groups
        .slice(0, 3)
        .map(
          (g) =>
            `${g.app}: ${LAYER_NAMES[g.layer]} layer (${Object.entries(g.reasons)
              .sort((a, b) => b[1] - a[1])
              .map(([r]) => r)
              .join(
                ', ',
              )}${g.layer === 'node' && g.nodes.length ? `, node${g.nodes.length > 1 ? 's' : ''} ${g.nodes.slice(0, 3).join(', ')}` : ''})`,
        )
        .join('; ');
    }
    return { value: occurrences, unit: 'count', observedAt: at.toISOString(), details };
  }

  /** Stops every watch. */
  close(): void {
    for (const w of this.watches.values()) w.stop();
    this.watches.clear();
  }
}

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
        namespace
          ? core.listNamespacedEvent({ namespace, fieldSelector, limit, _continue: cont })
          : core.listEventForAllNamespaces({ fieldSelector, limit, _continue: cont }),
      );
      return { items: r.items, resourceVersion: r.metadata?.resourceVersion ?? '', continue: r.metadata?._continue };
    },
    async watch(resourceVersion, onEvent, done): Promise<WatchHandle> {
      const path = namespace ? `/api/v1/namespaces/${encodeURIComponent(namespace)}/events` : '/api/v1/events';
      // The server ends each watch after a few minutes; it is resumed from the last version seen.
      const params = {
        resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: 240 + Math.floor(Math.random() * 120),
        ...(fieldSelector ? { fieldSelector } : {}),
      };
      return watchStream(kc, path, params, { what: `the watch of ${where}`, requestTimeout }, onEvent, done);
    },
  };
}

/** Holds the events of a source in compact form, at most `max`, kept current by list and watch. */
export function watchEvents(
  source: ListWatchSource,
  options: { namespace?: string; max: number; onChange?: ListWatchOptions<EventRecord>['onChange'] },
): ListWatch<EventRecord> {
  return new ListWatch<EventRecord>(source, {
    key: (e) => e.uid,
    version: (e) => e.resourceVersion,
    keep: (raw) => eventRecord(raw as k8s.CoreV1Event),
    max: options.max,
    what: options.namespace ? `events in namespace ${options.namespace}` : 'events in all namespaces',
    onChange: options.onChange,
  });
}
