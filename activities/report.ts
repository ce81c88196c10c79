// The report activity's reading and making: a pipeline's period from the
// history store (stage counts, freshness runs, incident periods) and from
// Temporal (running incidents' acknowledgements, open questions), then the
// charts as PNGs and the saved report. Sending is in activities/deliver.ts,
// next to the other deliveries.
import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { ReportDefinition } from '../config/model.js';
import { isFailing } from '../evaluation/types.js';
import { renderPng } from '../reports/charts.js';
import {
  renderReport,
  reportCharts,
  summarise,
  type PendingIntervention,
  type ReportData,
  type TrendPeriod,
} from '../reports/digest.js';
import { incidentEventsFromSnapshot } from '../reports/incident-events.js';
import { windowInPeriod } from '../reports/period.js';
import type { HistoryStore, SavedReport } from '../store/history.js';
import { incidentStateQuery, incidentWorkflow, type IncidentSnapshot } from '../workflows/incident.js';
import { interventionQuery, interventionWorkflow } from '../workflows/intervention.js';

const QUERY_TIMEOUT_MS = 10_000;
/** How many running workflows one report asks about, at most. */
const LIST_LIMIT = 500;

/** The Content-ID of a report's image: derived, so the saved HTML and a later send agree. */
export function imageCid(reportId: string, name: string): string {
  return `${name}.${createHash('sha256').update(reportId).digest('hex').slice(0, 16)}@pipewatch`;
}

async function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>(
        (_, reject) =>
          (timer = setTimeout(
            () => reject(new Error(`${what} did not answer within ${QUERY_TIMEOUT_MS} ms`)),
            QUERY_TIMEOUT_MS,
          )),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const quoted = (s: string) => `"${s.replace(/["\\]/g, '\\$&')}"`;

/**
 * An acknowledgement reaches the store with the incident's next message; a
 * running incident may have been acknowledged since. Its `state` query has
 * every acknowledgement, so running incidents of this pipeline are read now.
 */
export async function refreshRunningIncidents(
  client: Client,
  taskQueue: string,
  store: HistoryStore,
  definition: ReportDefinition,
): Promise<number> {
  const monitors = new Set(definition.monitors.map((m) => m.id));
  let refreshed = 0;
  let listed = 0;
  for await (const w of client.workflow.list({
    query: `WorkflowType = ${quoted(incidentWorkflow.name)} AND ExecutionStatus = "Running" AND TaskQueue = ${quoted(taskQueue)}`,
  })) {
    if (++listed > LIST_LIMIT) break;
    Context.current().heartbeat();
    let snapshot: IncidentSnapshot;
    try {
      snapshot = await withTimeout(
        client.workflow.getHandle(w.workflowId).query(incidentStateQuery),
        `incident ${w.workflowId}`,
      );
    } catch {
      continue; // it may have just completed; its resolved message recorded it
    }
    const ours = snapshot.alerts.some(
      (a) => monitors.has(a.monitor.id) || (a.monitor.pipeline ?? a.labels.pipeline) === definition.pipeline,
    );
    if (!ours) continue;
    await store.recordIncidentEvents(incidentEventsFromSnapshot(snapshot));
    refreshed++;
  }
  return refreshed;
}

/** Questions of this pipeline that are still open (interventionWorkflow runs tagged with the pipeline). */
export async function pendingInterventions(
  client: Client,
  taskQueue: string,
  pipeline: string,
): Promise<PendingIntervention[]> {
  const out: PendingIntervention[] = [];
  const query = `WorkflowType = ${quoted(interventionWorkflow.name)} AND ExecutionStatus = "Running" AND TaskQueue = ${quoted(taskQueue)} AND PipewatchPipeline = ${quoted(pipeline)}`;
  for await (const w of client.workflow.list({ query })) {
    if (out.length >= LIST_LIMIT) break;
    Context.current().heartbeat();
    try {
      const view = await withTimeout(
        client.workflow.getHandle(w.workflowId).query(interventionQuery),
        `intervention ${w.workflowId}`,
      );
      if (view.state === 'open')
        out.push({
          id: w.workflowId,
          title: view.title,
          kind: view.kind,
          openedAt: view.openedAt,
          deadlineAt: view.deadlineAt,
        });
    } catch {
      // answered and completed between the list and the query
    }
  }
  return out.sort((a, b) => a.openedAt.localeCompare(b.openedAt) || a.id.localeCompare(b.id));
}

/** Everything the report says about [start, end), read from the store. */
export async function gatherReportData(
  store: HistoryStore,
  definition: ReportDefinition,
  start: number,
  end: number,
  interventions: PendingIntervention[],
): Promise<ReportData> {
  const d = definition;
  const trendStart = end - d.trendPeriods * d.periodMs;
  const counts = await store.stageCountsBetween(d.pipeline, new Date(trendStart), new Date(end));
  const trend: TrendPeriod[] = [];
  for (let k = d.trendPeriods - 1; k >= 0; k--) {
    const to = end - k * d.periodMs;
    const from = to - d.periodMs;
    const inPeriod = counts.filter((c) => windowInPeriod(c.windowEnd, from, to));
    trend.push({
      periodStart: new Date(from).toISOString(),
      periodEnd: new Date(to).toISOString(),
      totals: Object.fromEntries(
        d.stages.map((s) => {
          const rows = inPeriod.filter((c) => c.stage === s);
          return [s, rows.length ? rows.reduce((n, c) => n + c.count, 0) : null];
        }),
      ),
    });
  }
  const freshness = [];
  for (const m of d.monitors.filter((x) => x.checkType === 'freshness')) {
    const points = await store.pointsBetween(m.id, new Date(start), new Date(end));
    const [latest] = await store.recentPoints(m.id, 1);
    const values = points.map((p) => p.value).filter((v): v is number => v !== null);
    freshness.push({
      monitorId: m.id,
      description: m.description,
      unit: m.unit,
      latest: latest ? { value: latest.value, status: latest.status, observedAt: latest.observedAt } : undefined,
      worst: values.length ? Math.max(...values) : undefined,
      failingRuns: points.filter((p) => isFailing(p.status)).length,
      runs: points.length,
    });
  }
  const incidents = await store.incidentPeriods({
    pipeline: d.pipeline,
    monitors: d.monitors.map((m) => m.id),
    from: new Date(start),
    to: new Date(end),
  });
  return {
    pipeline: d.pipeline,
    description: d.description,
    periodStart: new Date(start).toISOString(),
    periodEnd: new Date(end).toISOString(),
    timeZone: d.schedule.timezone,
    stages: d.stages,
    windows: counts.filter((c) => windowInPeriod(c.windowEnd, start, end)),
    trend,
    freshness,
    incidents,
    interventions,
  };
}

/** The report of a period: numbers, charts rendered to PNG, HTML and text, ready to save. */
export function makeReport(reportId: string, data: ReportData): SavedReport {
  const summary = summarise(data);
  const charts = reportCharts(data).map((c) => ({ ...c, ...renderPng(c.chart) }));
  const message = renderReport(
    data,
    summary,
    charts.map((c) => ({
      name: c.name,
      cid: imageCid(reportId, c.name),
      title: c.title,
      width: c.width,
      height: c.height,
    })),
  );
  return {
    reportId,
    pipeline: data.pipeline,
    periodStart: data.periodStart,
    periodEnd: data.periodEnd,
    summary,
    ...message,
    images: charts.map((c) => ({ name: c.name, width: c.width, height: c.height, png: c.png })),
  };
}
