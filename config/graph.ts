// What the loader adds to each monitor from its pipeline's graph (evaluation/graph.ts): its stage
// (declared or derived), what it depends on (declared and through others), and the pipeline's
// correlation; and the problems with what was declared — an unknown stage, monitor or connector,
// a dependsOn cycle — each at its own line, so a graph that loads can be correlated as documented.
import type { CorrelationSettings } from './model.js';
import type { PipewatchConfigRaw } from './schema.js';
import { checkPerspective } from '../connectors/descriptors.js';
import { dependsOnCycle, placeMonitor, type GraphMonitor, type GraphPipeline } from '../evaluation/graph.js';

type Path = Array<string | number>;
type Report = (path: Path, message: string) => void;
type UnknownRef = (kind: string, name: string, known: string[]) => string;

export interface GraphFacts {
  stage?: string;
  dependsOn?: string[];
  correlation?: CorrelationSettings;
}

/** The pipeline a monitor belongs to: its `pipeline`, or the one its stageCounts check reads. */
export function pipelineOf(m: Pick<GraphMonitor, 'pipeline' | 'check'>): string | undefined {
  return m.pipeline ?? (m.check.type === 'stageCounts' ? m.check.pipeline : undefined);
}

/** The graph's view of the raw config's pipelines and monitors. */
export function graphInputs(raw: Pick<PipewatchConfigRaw, 'pipelines' | 'monitors'>): {
  pipelines: GraphPipeline[];
  monitors: GraphMonitor[];
} {
  const pipelines = Object.entries(raw.pipelines).map(([id, p]) => ({
    id,
    stages: p.stages.map((s) => ({
      id: s.id,
      connector: s.connector,
      dataset: s.dataset,
      ...(s.runsOn ? { runsOn: s.runsOn } : {}),
    })),
  }));
  const monitors = raw.monitors.map((m) => ({
    id: m.id,
    perspective: m.perspective ?? checkPerspective(m.check.type),
    pipeline: pipelineOf(m),
    stage: m.stage,
    dependsOn: m.dependsOn,
    connector: m.connector,
    check: {
      type: m.check.type,
      dataset: 'dataset' in m.check ? m.check.dataset : undefined,
      pipeline: m.check.type === 'stageCounts' ? m.check.pipeline : undefined,
    },
  }));
  return { pipelines, monitors };
}

/** Per monitor (by index in monitors:), what the graph adds to its definition; problems reported. */
export function graphFacts(raw: PipewatchConfigRaw, problem: Report, unknownRef: UnknownRef): GraphFacts[] {
  const connectorIds = Object.keys(raw.connectors);
  for (const [pipelineId, p] of Object.entries(raw.pipelines)) {
    p.stages.forEach((s, i) =>
      (s.runsOn ?? []).forEach((c, j) => {
        if (!raw.connectors[c])
          problem(['pipelines', pipelineId, 'stages', i, 'runsOn', j], unknownRef('connector', c, connectorIds));
      }),
    );
  }
  const { pipelines, monitors } = graphInputs(raw);
  const byId = new Map(monitors.map((m) => [m.id, m]));
  const monitorIds = [...byId.keys()];

  let cyclic = false;
  monitors.forEach((m, i) => {
    // dependsOn orders alerts inside one correlated pipeline's incident: anywhere else it could never act.
    const correlated = m.pipeline !== undefined && raw.pipelines[m.pipeline]?.correlation !== undefined;
    if (m.dependsOn?.length && !correlated) {
      problem(
        ['monitors', i, 'dependsOn'],
        m.pipeline && raw.pipelines[m.pipeline]
          ? `dependsOn orders the alerts of a correlated pipeline; add "correlation: { window: 5m }" to pipelines.${m.pipeline}, or remove dependsOn`
          : 'dependsOn orders the alerts of a correlated pipeline; give the monitor "pipeline: <id>" of a pipeline declared with "correlation: { window: 5m }", or remove dependsOn',
      );
    }
    (m.dependsOn ?? []).forEach((on, j) => {
      const at: Path = ['monitors', i, 'dependsOn', j];
      const target = byId.get(on);
      if (on === m.id)
        problem(at, `a monitor cannot depend on itself; name the monitor whose failure makes "${m.id}" fail`);
      else if (!target) problem(at, unknownRef('monitor', on, monitorIds));
      else if (correlated && target.pipeline !== m.pipeline) {
        problem(
          at,
          `"${on}" is ${target.pipeline ? `in pipeline ${target.pipeline}` : 'in no pipeline'}, "${m.id}" in ${m.pipeline}: alerts of different pipelines never share an incident; name a monitor of ${m.pipeline}`,
        );
      }
    });
  });
  const cycle = dependsOnCycle(
    monitors.map((m) => ({ id: m.id, dependsOn: (m.dependsOn ?? []).filter((d) => d !== m.id && byId.has(d)) })),
  );
  if (cycle) {
    cyclic = true;
    const first = monitors.findIndex((m) => m.id === cycle[0]);
    problem(
      ['monitors', first, 'dependsOn'],
      `dependsOn goes round in a circle (${cycle.join(' → ')}): nothing in it could be named the cause; remove one of these edges`,
    );
  }

  return monitors.map((m, i) => {
    const at = (...rest: Path): Path => ['monitors', i, ...rest];
    const pipelineId = m.pipeline;
    const pipeline = pipelines.find((p) => p.id === pipelineId);
    const spec = pipelineId ? raw.pipelines[pipelineId] : undefined;
    if (m.stage) {
      if (m.check.type === 'stageCounts')
        problem(
          at('stage'),
          'a stageCounts check spans every stage of its pipeline (its alert names the first losing one); remove "stage"',
        );
      else if (!pipelineId)
        problem(
          at('stage'),
          `"stage" places a monitor in its pipeline's graph; give the monitor "pipeline: <id>" (declared pipelines: ${Object.keys(raw.pipelines).join(', ') || 'none'})`,
        );
      else if (!pipeline)
        problem(
          at('pipeline'),
          `${unknownRef('pipeline', pipelineId, Object.keys(raw.pipelines))}; "stage" needs the pipeline declared under pipelines with its stages`,
        );
      else if (!pipeline.stages.some((s) => s.id === m.stage))
        problem(
          at('stage'),
          `${unknownRef(
            'stage',
            m.stage,
            pipeline.stages.map((s) => s.id),
          )} in pipeline ${pipelineId}`,
        );
    }
    const facts: GraphFacts = {};
    const stage = pipeline ? placeMonitor(pipeline, m).stage : undefined;
    if (stage) facts.stage = stage;
    if (m.dependsOn?.length && !cyclic) facts.dependsOn = closure(m.id, byId);
    if (pipeline && spec?.correlation)
      facts.correlation = {
        pipeline: pipeline.id,
        windowMs: spec.correlation.window,
        stages: pipeline.stages.map((s) => s.id),
      };
    return facts;
  });
}

/** Everything a monitor depends on, directly or through others, sorted. */
function closure(id: string, byId: Map<string, GraphMonitor>): string[] {
  const out = new Set<string>();
  const visit = (m: string) => {
    for (const on of byId.get(m)?.dependsOn ?? []) {
      if (on === id || out.has(on) || !byId.has(on)) continue;
      out.add(on);
      visit(on);
    }
  };
  visit(id);
  return [...out].sort();
}
