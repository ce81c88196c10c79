// The kubeEvents check's judgement: a compact record of each event, which
// events a check selects, and how they group by application with the layer
// they point at. Pure; the connector holds the events (connectors/kubernetes/events.ts).
import {
  applicationOf,
  containerLayer,
  eventLayer,
  ms,
  rootLayer,
  type Layer,
  type ObjectMeta,
  type PodShape,
} from './shared.js';

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
  const last =
    ms(e.series?.lastObservedTime) ?? ms(e.lastTimestamp) ?? ms(e.eventTime) ?? ms(e.metadata?.creationTimestamp) ?? 0;
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
    involved: {
      kind: e.involvedObject?.kind ?? '',
      name: e.involvedObject?.name ?? '',
      namespace: e.involvedObject?.namespace ?? e.metadata?.namespace ?? '',
    },
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
  /** The nodes its node-layer events point at (the Node itself, or the node a pod runs on). */
  nodes: string[];
}

/** The node an event is about: the Node itself, or the node the pod it is about runs on. */
export function eventNode(e: EventRecord, object: { pod?: PodShape } | undefined): string | undefined {
  return e.involved.kind === 'Node' ? e.involved.name : object?.pod?.spec?.nodeName;
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
    const nodes = new Set<string>();
    for (const e of [...g.events].sort((a, b) => b.lastSeen - a.lastSeen)) {
      const layer = eventLayer({ reason: e.reason, message: e.message, involvedKind: e.involved.kind });
      layers.push(layer);
      const node = layer === 'node' ? eventNode(e, objectOf(e)) : undefined;
      if (node) nodes.add(node);
      reasons[e.reason] = (reasons[e.reason] ?? 0) + e.count;
      if (evidence.length < 5)
        evidence.push(
          `${e.involved.kind}/${e.involved.name} ${e.reason}${e.count > 1 ? ` ×${e.count}` : ''}: ${e.message.slice(0, 160)}`,
        );
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
      nodes: [...nodes].slice(0, 10),
    });
  }
  return out.sort((a, b) => b.occurrences - a.occurrences || a.app.localeCompare(b.app));
}
