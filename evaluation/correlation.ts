// One incident per cause: which of a pipeline's alerts is the probable cause and which are its
// symptoms. A failing node explains a failing node downstream of it (evaluation/graph.ts: a
// declared dependsOn, an earlier stage, or the same stage from a perspective nearer the root)
// when the downstream alert opened no earlier than the correlation window before it. A cause
// that resolved still explains its symptoms for one window, so the tail of a fault that is over
// does not read as a new one; after that its symptoms are re-judged on their own. Pure and
// deterministic: the incident workflow calls it with its own clock, and with no clock it is a
// unit-testable function of its inputs.
import type { Perspective } from '../config/schema.js';
import { PERSPECTIVE_RANK } from './graph.js';

/** Where an alerting monitor sits in its pipeline's graph, as its alert carries it. */
export interface AlertNode {
  /** The stage it watches (for stageCounts: the first losing stage of this verdict). */
  stage?: string;
  /** The stage's place in the pipeline, 0 first; absent for a monitor on no stage. */
  position?: number;
  /** Monitors it depends on, directly or through others (declared with dependsOn). */
  dependsOn?: string[];
}

export interface CorrelationInput {
  id: string;
  perspective: Perspective;
  node?: AlertNode;
  firing: boolean;
  /** When it started firing (ms). */
  openedAt: number;
  /** When it resolved (ms); only when not firing. */
  resolvedAt?: number;
}

export interface CorrelatedCause {
  /** The most upstream failing node of this group: the probable cause. */
  cause: string;
  /** The cause itself has resolved; its symptoms still fire, within the window. */
  resolved: boolean;
  /** Firing alerts it explains, upstream first. */
  downstream: string[];
}

export interface Correlation {
  /** Every firing alert appears once: as a cause or downstream of one. Most upstream cause first. */
  causes: CorrelatedCause[];
  /** When the result changes with no new alert (a resolved cause stops explaining): re-evaluate then. */
  changesAt?: number;
}

/**
 * Whether `up` is upstream of `down`: a dependsOn path decides; else stage order, then perspective.
 * Two monitors of one node (same stage, same perspective) are two views of one failure: the one that
 * opened first (then the lower id) stands for it, the other is listed with it.
 */
export function isUpstream(
  up: Pick<CorrelationInput, 'id' | 'perspective' | 'node' | 'openedAt'>,
  down: Pick<CorrelationInput, 'id' | 'perspective' | 'node' | 'openedAt'>,
): boolean {
  if (up.id === down.id) return false;
  if (down.node?.dependsOn?.includes(up.id)) return true;
  if (up.node?.dependsOn?.includes(down.id)) return false;
  const a = up.node?.position;
  const b = down.node?.position;
  if (a === undefined || b === undefined) return false;
  if (a !== b) return a < b;
  const rank = PERSPECTIVE_RANK[up.perspective] - PERSPECTIVE_RANK[down.perspective];
  if (rank !== 0) return rank < 0;
  return up.openedAt < down.openedAt || (up.openedAt === down.openedAt && up.id < down.id);
}

/** Upstream first: stage position (none last), perspective, who opened first, id. */
function order(a: CorrelationInput, b: CorrelationInput): number {
  const pa = a.node?.position ?? Number.POSITIVE_INFINITY;
  const pb = b.node?.position ?? Number.POSITIVE_INFINITY;
  if (pa !== pb) return pa < pb ? -1 : 1;
  return (
    PERSPECTIVE_RANK[a.perspective] - PERSPECTIVE_RANK[b.perspective] ||
    a.openedAt - b.openedAt ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** The causes among an incident's alerts at `now`, each with the symptoms it explains. */
export function correlate(alerts: CorrelationInput[], windowMs: number, now: number): Correlation {
  const sorted = [...alerts].sort(order);
  // A resolved alert explains others only for one window after it resolved.
  const live = sorted.filter((a) => a.firing || (a.resolvedAt !== undefined && now < a.resolvedAt + windowMs));
  const explains = (c: CorrelationInput, s: CorrelationInput) =>
    isUpstream(c, s) && s.openedAt >= c.openedAt - windowMs;
  const parent = new Map<string, CorrelationInput>();
  for (const s of live) {
    const by = live.find((c) => c !== s && explains(c, s));
    if (by) parent.set(s.id, by);
  }
  const rootOf = (a: CorrelationInput): CorrelationInput => {
    const seen = new Set<string>();
    let at = a;
    for (let up = parent.get(at.id); up && !seen.has(up.id); up = parent.get(at.id)) {
      seen.add(at.id);
      at = up;
    }
    return at;
  };
  const groups = new Map<string, CorrelatedCause>();
  let changesAt: number | undefined;
  for (const a of live) {
    if (!a.firing) continue;
    const root = rootOf(a);
    let group = groups.get(root.id);
    if (!group) {
      group = { cause: root.id, resolved: !root.firing, downstream: [] };
      groups.set(root.id, group);
    }
    if (root.id !== a.id) group.downstream.push(a.id);
  }
  // Causes in graph order; a resolved cause's re-evaluation is due when its window ends.
  const causes = live.filter((a) => groups.has(a.id)).map((a) => groups.get(a.id)!);
  for (const a of live) {
    if (a.firing || a.resolvedAt === undefined) continue;
    const explaining = live.some((s) => s.firing && parent.get(s.id)?.id === a.id);
    if (explaining) changesAt = Math.min(changesAt ?? Number.POSITIVE_INFINITY, a.resolvedAt + windowMs);
  }
  return { causes, ...(changesAt !== undefined ? { changesAt } : {}) };
}

/**
 * What a person has been told about the causes, as one comparable string: the incident sends a
 * change only when this differs (a new cause, another cause), never for a symptom joining or
 * leaving, nor for a cause resolving while its symptoms settle.
 */
export function causeKey(c: Correlation): string {
  return c.causes.map((g) => g.cause).join(',');
}

/** The correlation input of an incident's alert summaries (channels/types AlertSummary, structurally). */
export function correlationInputs(
  alerts: Array<{
    monitor: { id: string; perspective: Perspective; node?: AlertNode };
    firing: boolean;
    since: string;
    openedAt?: string;
  }>,
): CorrelationInput[] {
  return alerts.map((a) => ({
    id: a.monitor.id,
    perspective: a.monitor.perspective,
    node: a.monitor.node,
    firing: a.firing,
    openedAt: Date.parse(a.openedAt ?? a.since),
    ...(a.firing ? {} : { resolvedAt: Date.parse(a.since) }),
  }));
}

/**
 * Where a monitor's alert sits in its pipeline's graph for this verdict: its stage's place, or for
 * a check across stages (stageCounts) the first losing stage the verdict names.
 */
export function alertNode(
  monitor: { stage?: string; dependsOn?: string[]; correlation?: { stages: string[] } },
  details?: Record<string, unknown>,
): AlertNode | undefined {
  const stages = monitor.correlation?.stages ?? [];
  const losing = typeof details?.firstLosingStage === 'string' ? details.firstLosingStage : undefined;
  const stage = monitor.stage ?? losing;
  const position = stage === undefined ? -1 : stages.indexOf(stage);
  if (position < 0 && !monitor.dependsOn?.length) return undefined;
  return {
    ...(position >= 0 ? { stage, position } : {}),
    ...(monitor.dependsOn?.length ? { dependsOn: monitor.dependsOn } : {}),
  };
}
