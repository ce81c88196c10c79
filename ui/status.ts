// What the status page shows, gathered in one pass: the declared monitors with
// their state and recent values (history store), open incidents and questions
// waiting on an operator (Temporal visibility, on pipewatch's search
// attributes and this task queue). A source that does not answer becomes a
// problem line on the page instead of an error page: the rest is still worth
// seeing during an outage.
import type { Client } from '@temporalio/client';
import type { MonitorDefinition } from '../config/model.js';
import { isSelfMonitorId } from '../config/self-monitor.js';
import type { Status, Unit } from '../evaluation/types.js';
import type { HistoryStore } from '../store/history.js';
import { refusedArchives, type RefusedArchive } from './refused-archives.js';
import { interventionQuery } from '../workflows/intervention.js';

export interface MonitorRow {
  id: string;
  description?: string;
  pipeline?: string;
  /** Its stage in the pipeline graph, declared or derived (correlation). */
  stage?: string;
  perspective: string;
  check: string;
  unit: Unit;
  /** Absent until the monitor's first run is recorded. */
  status?: Status;
  alerting: boolean;
  since?: string;
  lastValue?: number | null;
  lastObservedAt?: string;
  reason?: string;
  /** The workflow id of the last recorded run. */
  lastRunId?: string;
  /** Incidents its open alert joined. */
  incidentIds: string[];
  /** Oldest first. */
  points: Array<{ observedAt: string; value: number | null; status: Status }>;
}

export interface IncidentRow {
  workflowId: string;
  state: string;
  severity: string;
  monitor: string;
  pipeline: string;
  since: string;
}

export interface InterventionRow {
  workflowId: string;
  pipeline: string;
  since: string;
  title?: string;
  question?: string;
  deadlineAt?: string;
}

export interface StatusData {
  project: string;
  generatedAt: string;
  namespace: string;
  taskQueue: string;
  temporalUi: string;
  pointsShown: number;
  alerting: number;
  monitors: MonitorRow[];
  incidents: IncidentRow[];
  interventions: InterventionRow[];
  /** Archives refused in the last week: nobody was asked, someone waits for the files. */
  refusedArchives?: RefusedArchive[];
  /** Sources that did not answer, said plainly. */
  problems: string[];
  /** Correlated pipelines: their stages in order, for the picture of each (ui/pipeline-graph.ts). */
  pipelines?: Array<{ id: string; stages: string[] }>;
  /** The built-in self-monitor's last verdict: are pipewatch's own schedules running on time (issue 20). */
  saturation?: Pick<MonitorRow, 'status' | 'reason' | 'lastObservedAt' | 'lastRunId' | 'alerting'>;
}

export interface StatusSources {
  project: string;
  monitors: MonitorDefinition[];
  store: HistoryStore;
  client: Client;
  namespace: string;
  taskQueue: string;
  temporalUi: string;
  /** Points per sparkline. */
  points: number;
}

/** The correlated pipelines the monitors belong to, each once, with their stages in order. */
function correlatedPipelines(monitors: MonitorDefinition[]): Pick<StatusData, 'pipelines'> {
  const seen = new Map<string, string[]>();
  for (const m of monitors)
    if (m.correlation && !seen.has(m.correlation.pipeline)) seen.set(m.correlation.pipeline, m.correlation.stages);
  return seen.size ? { pipelines: [...seen].map(([id, stages]) => ({ id, stages })) } : {};
}

/** How many open incidents or questions one page lists, at most. */
const LIST_LIMIT = 200;
const QUERY_TIMEOUT_MS = 3_000;

const quoted = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;

function attribute(
  w: { typedSearchAttributes: { getAll(): Array<{ key: { name: string }; value: unknown }> } },
  name: string,
): string {
  return String(w.typedSearchAttributes.getAll().find((p) => p.key.name === name)?.value ?? '');
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work.catch(() => undefined),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function monitorRows(src: StatusSources, problems: string[]): Promise<MonitorRow[]> {
  const ids = src.monitors.map((m) => m.id);
  let states: Awaited<ReturnType<HistoryStore['monitorStates']>> = new Map();
  let points: Awaited<ReturnType<HistoryStore['recentPointsOf']>> = new Map();
  try {
    [states, points] = await Promise.all([src.store.monitorStates(ids), src.store.recentPointsOf(ids, src.points)]);
  } catch (err) {
    problems.push(`history store: ${(err as Error).message}`);
  }
  return src.monitors.map((m) => {
    const state = states.get(m.id);
    const recent = points.get(m.id) ?? [];
    const last = recent[0];
    return {
      id: m.id,
      description: m.description,
      pipeline: m.pipeline,
      ...(m.stage ? { stage: m.stage } : {}),
      perspective: m.perspective,
      check: m.check.type,
      unit: m.unit,
      status: state?.status,
      alerting: state?.alerting ?? false,
      since: state?.since,
      lastValue: last?.value,
      lastObservedAt: last?.observedAt,
      reason: last?.reason,
      lastRunId: state?.lastRunId || last?.runId,
      incidentIds: state?.alerting ? state.incidentIds : [],
      points: recent.map((p) => ({ observedAt: p.observedAt, value: p.value, status: p.status })).reverse(),
    };
  });
}

async function incidentRows(src: StatusSources): Promise<IncidentRow[]> {
  const rows: IncidentRow[] = [];
  const query = `WorkflowType = "incidentWorkflow" AND ExecutionStatus = "Running" AND TaskQueue = ${quoted(src.taskQueue)}`;
  for await (const w of src.client.workflow.list({ query })) {
    if (rows.length >= LIST_LIMIT) break;
    rows.push({
      workflowId: w.workflowId,
      state: attribute(w, 'PipewatchIncidentState'),
      severity: attribute(w, 'PipewatchSeverity') || attribute(w, 'PipewatchStatus'),
      monitor: attribute(w, 'PipewatchMonitor'),
      pipeline: attribute(w, 'PipewatchPipeline'),
      since: w.startTime.toISOString(),
    });
  }
  const rank = (s: string) => ['firing', 'pending', 'acknowledged', 'resolved'].indexOf(s) >>> 0;
  return rows.sort((a, b) => rank(a.state) - rank(b.state) || a.since.localeCompare(b.since));
}

async function interventionRows(src: StatusSources): Promise<InterventionRow[]> {
  const listed: InterventionRow[] = [];
  const query = `WorkflowType = "interventionWorkflow" AND ExecutionStatus = "Running" AND TaskQueue = ${quoted(src.taskQueue)}`;
  for await (const w of src.client.workflow.list({ query })) {
    if (listed.length >= LIST_LIMIT) break;
    if (attribute(w, 'PipewatchInterventionState') === 'answered') continue;
    listed.push({
      workflowId: w.workflowId,
      pipeline: attribute(w, 'PipewatchPipeline'),
      since: w.startTime.toISOString(),
    });
  }
  // The question itself is workflow state: asked with a short timeout, so a page without a worker still shows the ids.
  await Promise.all(
    listed.map(async (row) => {
      const view = await withTimeout(
        src.client.workflow.getHandle(row.workflowId).query(interventionQuery),
        QUERY_TIMEOUT_MS,
      );
      if (view)
        Object.assign(row, {
          title: view.title,
          question: view.question,
          deadlineAt: view.deadlineAt,
          since: view.openedAt,
        });
    }),
  );
  return listed.sort((a, b) => a.since.localeCompare(b.since) || a.workflowId.localeCompare(b.workflowId));
}

function saturationOf(monitors: MonitorRow[]): Pick<StatusData, 'saturation'> {
  const self = monitors.find((m) => isSelfMonitorId(m.id));
  return self
    ? {
        saturation: {
          status: self.status,
          reason: self.reason,
          lastObservedAt: self.lastObservedAt,
          lastRunId: self.lastRunId,
          alerting: self.alerting,
        },
      }
    : {};
}

export async function gatherStatus(src: StatusSources): Promise<StatusData> {
  const problems: string[] = [];
  const temporal = async <T>(what: string, work: () => Promise<T[]>): Promise<T[]> => {
    try {
      return await work();
    } catch (err) {
      problems.push(`Temporal (${what}): ${(err as Error).message}`);
      return [];
    }
  };
  const [monitors, incidents, interventions, refused] = await Promise.all([
    monitorRows(src, problems),
    temporal('open incidents', () => incidentRows(src)),
    temporal('pending interventions', () => interventionRows(src)),
    temporal('refused archives', () => refusedArchives(src.client, { taskQueue: src.taskQueue, limit: LIST_LIMIT })),
  ]);
  return {
    project: src.project,
    generatedAt: new Date().toISOString(),
    namespace: src.namespace,
    taskQueue: src.taskQueue,
    temporalUi: src.temporalUi,
    pointsShown: src.points,
    alerting: monitors.filter((m) => m.alerting).length,
    monitors,
    incidents,
    interventions,
    refusedArchives: refused,
    problems,
    ...saturationOf(monitors),
    ...correlatedPipelines(src.monitors),
  };
}
