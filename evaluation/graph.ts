// A pipeline's dependency graph, derived from what the config declares: its stages in order
// (each depends on the one before), the infrastructure each stage runs on (its store, and the
// connectors in its `runsOn`), and the monitors attached to a stage — declared with `stage:`, or
// derived from the dataset a data check reads or the connector a check runs on. `dependsOn:` adds
// an edge the order cannot say. Correlation (evaluation/correlation.ts) reads "who is upstream of
// whom" from here; `pipewatch graph <pipeline>` prints it. Pure.
import type { Perspective } from '../config/schema.js';

/**
 * Which perspective is nearer the root when two failing monitors sit on the same stage: the
 * machines and what runs on them first, then the services, then what the logs say, then the data.
 */
export const PERSPECTIVE_RANK: Record<Perspective, number> = { operations: 0, services: 1, logs: 2, data: 3 };

export interface GraphStage {
  id: string;
  /** The store the stage writes its records to. */
  connector: string;
  dataset: string;
  /** Connectors the stage runs on besides its store: a queue, an API, a cluster. */
  runsOn?: string[];
}

export interface GraphPipeline {
  id: string;
  stages: GraphStage[];
}

/** What the graph needs of a monitor (the raw config and a MonitorDefinition both have it). */
export interface GraphMonitor {
  id: string;
  perspective: Perspective;
  pipeline?: string;
  stage?: string;
  dependsOn?: string[];
  connector?: string;
  check: { type: string; dataset?: string; pipeline?: string };
}

/** How a monitor came to sit on its stage. */
export type Attachment = 'declared' | 'dataset' | 'store' | 'runsOn';

export interface Placement {
  stage?: string;
  how?: Attachment;
  /** stageCounts: it spans every stage; its alert names the first losing one. */
  spans?: true;
}

/**
 * Where a monitor of this pipeline sits: its declared stage; else the stage whose dataset a data
 * check reads; else the one stage whose store or `runsOn` is the monitor's connector. None when
 * that is ambiguous (two stages on one database) — then `stage:` says it.
 */
export function placeMonitor(pipeline: GraphPipeline, monitor: GraphMonitor): Placement {
  if (monitor.check.type === 'stageCounts') return { spans: true };
  if (monitor.stage) return { stage: monitor.stage, how: 'declared' };
  const { dataset } = monitor.check;
  if (dataset && monitor.connector) {
    const reading = pipeline.stages.filter((s) => s.dataset === dataset && s.connector === monitor.connector);
    if (reading.length === 1) return { stage: reading[0]!.id, how: 'dataset' };
  }
  if (monitor.connector && !dataset) {
    const on = pipeline.stages.filter((s) => s.runsOn?.includes(monitor.connector!));
    if (on.length === 1) return { stage: on[0]!.id, how: 'runsOn' };
    if (on.length === 0) {
      const stores = pipeline.stages.filter((s) => s.connector === monitor.connector);
      if (stores.length === 1) return { stage: stores[0]!.id, how: 'store' };
    }
  }
  return {};
}

/** Whether a monitor belongs to the pipeline's graph: it names the pipeline, or its stageCounts check reads it. */
export function belongsTo(pipelineId: string, monitor: GraphMonitor): boolean {
  return (
    monitor.pipeline === pipelineId || (monitor.check.type === 'stageCounts' && monitor.check.pipeline === pipelineId)
  );
}

export interface GraphNode {
  monitor: string;
  perspective: Perspective;
  how: Attachment;
}

export interface PipelineGraph {
  pipeline: string;
  stages: Array<GraphStage & { position: number; monitors: GraphNode[] }>;
  /** stageCounts monitors: across all stages. */
  spanning: string[];
  /** Monitors of the pipeline with no stage (nothing declared, nothing to derive it from). */
  unplaced: Array<{ monitor: string; perspective: Perspective }>;
  /** Declared edges: `monitor` depends on `on`. */
  dependsOn: Array<{ monitor: string; on: string }>;
}

/** The graph of one pipeline. Monitors within a stage are ordered root first (PERSPECTIVE_RANK), then by id. */
export function pipelineGraph(pipeline: GraphPipeline, monitors: GraphMonitor[]): PipelineGraph {
  const mine = monitors.filter((m) => belongsTo(pipeline.id, m));
  const stages = pipeline.stages.map((s, position) => ({ ...s, position, monitors: [] as GraphNode[] }));
  const spanning: string[] = [];
  const unplaced: PipelineGraph['unplaced'] = [];
  for (const m of mine) {
    const place = placeMonitor(pipeline, m);
    const stage = place.stage ? stages.find((s) => s.id === place.stage) : undefined;
    if (place.spans) spanning.push(m.id);
    else if (stage && place.how) stage.monitors.push({ monitor: m.id, perspective: m.perspective, how: place.how });
    else unplaced.push({ monitor: m.id, perspective: m.perspective });
  }
  for (const s of stages)
    s.monitors.sort(
      (a, b) => PERSPECTIVE_RANK[a.perspective] - PERSPECTIVE_RANK[b.perspective] || a.monitor.localeCompare(b.monitor),
    );
  const dependsOn = mine.flatMap((m) => (m.dependsOn ?? []).map((on) => ({ monitor: m.id, on })));
  return { pipeline: pipeline.id, stages, spanning: spanning.sort(), unplaced, dependsOn };
}

/**
 * A `dependsOn` cycle among monitors (a → b → a), as the ids around it, or undefined. Such a
 * graph has no root to name, so the loader refuses it.
 */
export function dependsOnCycle(monitors: Array<Pick<GraphMonitor, 'id' | 'dependsOn'>>): string[] | undefined {
  const edges = new Map(monitors.map((m) => [m.id, m.dependsOn ?? []]));
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    path.push(id);
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const m of monitors) {
    const cycle = visit(m.id);
    if (cycle) return cycle;
  }
  return undefined;
}

const HOW: Record<Attachment, string> = {
  declared: 'stage:',
  dataset: 'reads its dataset',
  store: 'on its store',
  runsOn: 'on its runsOn',
};

/** The graph as text, upstream first, for `pipewatch graph`. */
export function graphText(g: PipelineGraph): string {
  const lines = [`pipeline ${g.pipeline}`];
  g.stages.forEach((s, i) => {
    lines.push(`${i === 0 ? '' : '  │\n  ▼\n'}  [${s.position + 1}] stage ${s.id} → ${s.dataset} on ${s.connector}`);
    if (s.runsOn?.length) lines.push(`      runs on: ${s.runsOn.join(', ')}`);
    if (s.monitors.length === 0) lines.push('      (no monitor on this stage)');
    for (const n of s.monitors) lines.push(`      ${n.perspective.padEnd(10)} ${n.monitor} (${HOW[n.how]})`);
  });
  if (g.spanning.length)
    lines.push('', `across all stages (the alert names the first losing stage): ${g.spanning.join(', ')}`);
  if (g.dependsOn.length)
    lines.push('', 'declared dependencies:', ...g.dependsOn.map((d) => `  ${d.monitor} depends on ${d.on}`));
  if (g.unplaced.length) {
    lines.push(
      '',
      'not on any stage (correlated only through dependsOn; add "stage: <id>" to place them):',
      ...g.unplaced.map((u) => `  ${u.perspective.padEnd(10)} ${u.monitor}`),
    );
  }
  return lines.join('\n');
}
